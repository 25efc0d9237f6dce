//! The text form of a coupon: `SKC1:` + Base45 (RFC 9285) of the zlib-compressed COSE bytes.
//!
//! Decoding is bounded before any work is done: the text length is capped, and inflating
//! stops at [`MAX_COSE_BYTES`] so a zlib bomb costs at most that much memory.

use std::io::Write as _;

use flate2::{Decompress, FlushDecompress, Status};

use super::Refusal;
use super::limits::{MAX_COSE_BYTES, MAX_TEXT_CHARS};

/// Prefix of every coupon text; the `1` is the format version.
pub const PREFIX: &str = "SKC1:";

/// zlib level used when issuing (any level decodes).
pub const ZLIB_LEVEL: u32 = 9;

/// Text form of COSE bytes.
pub fn encode(cose: &[u8]) -> String {
    let mut z = flate2::write::ZlibEncoder::new(
        Vec::with_capacity(cose.len()),
        flate2::Compression::new(ZLIB_LEVEL),
    );
    // Writing into a Vec cannot fail.
    let compressed: Vec<u8> = z
        .write_all(cose)
        .and_then(|()| z.finish())
        .unwrap_or_default();
    let mut text = String::with_capacity(PREFIX.len() + compressed.len() * 3 / 2 + 2);
    text.push_str(PREFIX);
    text.push_str(&base45::encode(&compressed));
    text
}

/// COSE bytes of a coupon text. Never panics; every failure is [`Refusal::Malformed`].
///
/// # Errors
/// Wrong or missing prefix, text too long, invalid Base45, invalid or truncated zlib,
/// bytes after the zlib stream, or more than [`MAX_COSE_BYTES`] once inflated.
pub fn decode(text: &str) -> Result<Vec<u8>, Refusal> {
    if text.len() > MAX_TEXT_CHARS {
        return Err(Refusal::malformed(format!(
            "text longer than {MAX_TEXT_CHARS} characters"
        )));
    }
    let body = text
        .strip_prefix(PREFIX)
        .ok_or_else(|| Refusal::malformed(format!("text does not start with {PREFIX}")))?;
    let compressed = base45_decode(body.as_bytes())?;
    inflate(&compressed)
}

fn base45_decode(body: &[u8]) -> Result<Vec<u8>, Refusal> {
    let invalid = || Refusal::malformed("invalid Base45");
    // RFC 9285: a final pair must encode a value below 256. The crate truncates instead,
    // which would let two texts decode to one byte string.
    if body.len() % 3 == 2 {
        let digit = |c: u8| base45::alphabet::decode(c).map(u32::from);
        let (a, b) = (body[body.len() - 2], body[body.len() - 1]);
        match (digit(a), digit(b)) {
            (Some(a), Some(b)) if a + b * 45 <= 255 => {}
            _ => return Err(invalid()),
        }
    }
    base45::decode(body).map_err(|_| invalid())
}

fn inflate(compressed: &[u8]) -> Result<Vec<u8>, Refusal> {
    // One byte of headroom tells "exactly at the limit" from "over it".
    let mut out = Vec::with_capacity(MAX_COSE_BYTES + 1);
    let mut z = Decompress::new(true);
    let status = z
        .decompress_vec(compressed, &mut out, FlushDecompress::Finish)
        .map_err(|e| Refusal::malformed(format!("invalid zlib data: {e}")))?;
    if out.len() > MAX_COSE_BYTES {
        return Err(Refusal::malformed(format!(
            "inflates to more than {MAX_COSE_BYTES} bytes"
        )));
    }
    match status {
        Status::StreamEnd if z.total_in() == compressed.len() as u64 => Ok(out),
        Status::StreamEnd => Err(Refusal::malformed("bytes after the zlib stream")),
        Status::Ok | Status::BufError if out.len() == out.capacity() => Err(Refusal::malformed(
            format!("inflates to more than {MAX_COSE_BYTES} bytes"),
        )),
        Status::Ok | Status::BufError => Err(Refusal::malformed("truncated zlib data")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let cose = b"\xd2\x84 some cose bytes".to_vec();
        let text = encode(&cose);
        assert!(text.starts_with(PREFIX));
        assert!(
            text[PREFIX.len()..]
                .bytes()
                .all(|c| base45::alphabet::decode(c).is_some())
        );
        assert_eq!(decode(&text).unwrap(), cose);
    }

    #[test]
    fn exact_limit_inflates_and_one_more_byte_does_not() {
        let at_limit = vec![7u8; MAX_COSE_BYTES];
        assert_eq!(decode(&encode(&at_limit)).unwrap(), at_limit);
        let over = vec![7u8; MAX_COSE_BYTES + 1];
        let err = decode(&encode(&over)).unwrap_err();
        assert!(err.to_string().contains("more than"), "{err}");
    }

    #[test]
    fn zlib_bomb_is_bounded() {
        // 64 MiB of zeros compresses to ~64 KiB: too long as text. Make one that fits the
        // text limit and inflates far past the output limit: 2 MiB of zeros is ~2 KiB.
        let bomb = vec![0u8; 2 << 20];
        let text = encode(&bomb);
        assert!(text.len() <= MAX_TEXT_CHARS, "{}", text.len());
        let err = decode(&text).unwrap_err();
        assert_eq!(err.code(), "malformed");
        assert!(err.to_string().contains("more than"), "{err}");
    }

    #[test]
    fn over_long_text_is_refused_before_decoding() {
        let text = format!("{PREFIX}{}", "0".repeat(MAX_TEXT_CHARS));
        assert!(decode(&text).unwrap_err().to_string().contains("longer"));
    }

    #[test]
    fn non_canonical_final_base45_pair_is_refused() {
        // "00" is 0; ":6" is 44 + 6*45 = 314, which the crate would truncate to 58.
        assert!(base45_decode(b"00").is_ok());
        assert!(base45_decode(b":6").is_err());
        assert!(
            base45_decode(b"GGW").is_err(),
            "45^3-1 range: 16+16*45+32*2025 > 65535"
        );
        assert!(base45_decode(b"abc").is_err(), "lower case is not Base45");
    }

    #[test]
    fn trailing_bytes_and_truncation_are_refused() {
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        z.write_all(b"hello coupon").unwrap();
        let compressed = z.finish().unwrap();
        let mut longer = compressed.clone();
        longer.push(0);
        assert!(inflate(&longer).unwrap_err().to_string().contains("after"));
        for cut in 0..compressed.len() {
            assert!(inflate(&compressed[..cut]).is_err(), "cut at {cut}");
        }
        let mut bad_adler = compressed.clone();
        *bad_adler.last_mut().unwrap() ^= 1;
        assert!(inflate(&bad_adler).is_err(), "adler32 is checked");
    }
}
