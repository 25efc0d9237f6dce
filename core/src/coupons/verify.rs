//! Reading a coupon: text to COSE_Sign1 to claims (unverified), then the signature check
//! against a shop key that the caller looked up by `kid`.

use coset::{AsCborValue as _, CoseSign1, RegisteredLabelWithPrivate, iana};

use super::claims::read_cbor;
use super::limits::MAX_ID_BYTES;
use super::{CouponClaims, Refusal, code};
use crate::domain::SigningKey;

/// The only algorithm accepted, as named in [`SigningKey::algorithm`].
pub const ALGORITHM: &str = "EdDSA";

/// A coupon whose structure and terms are valid but whose signature is not yet checked.
#[derive(Clone, Debug)]
pub struct DecodedCoupon {
    kid: String,
    claims: CouponClaims,
    sign1: CoseSign1,
}

/// Parses a coupon text. Bounded and panic-free on any input; checks everything that does
/// not need a key (layout, algorithm, claims). The signature is NOT checked: call
/// [`DecodedCoupon::verify_signature`] with the key named by [`DecodedCoupon::kid`].
///
/// # Errors
/// [`Refusal::Malformed`] or [`Refusal::UnsupportedAlgorithm`].
pub fn decode(text: &str) -> Result<DecodedCoupon, Refusal> {
    decode_cose(&code::decode(text)?)
}

/// Like [`decode`], from the COSE bytes (after Base45 and zlib).
///
/// # Errors
/// As [`decode`].
pub fn decode_cose(cose: &[u8]) -> Result<DecodedCoupon, Refusal> {
    let value = read_cbor(cose, "COSE")?;
    let (tag, inner) = match value {
        ciborium::Value::Tag(tag, inner) => (tag, inner),
        _ => return Err(Refusal::malformed("COSE_Sign1 must carry CBOR tag 18")),
    };
    if tag != iana::CborTag::CoseSign1 as u64 {
        return Err(Refusal::malformed(format!("CBOR tag {tag}, expected 18")));
    }
    // coset parses the protected header bstr with its own, looser nesting limit: check it
    // against ours first. Its alg is read here too, so that an integer coset has no name
    // for is still reported as an unsupported algorithm rather than as damage.
    if let ciborium::Value::Array(items) = inner.as_ref()
        && let Some(ciborium::Value::Bytes(protected)) = items.first()
        && !protected.is_empty()
        && let ciborium::Value::Map(entries) = read_cbor(protected, "protected header")?
    {
        let alg = entries
            .iter()
            .find(|(k, _)| k == &ciborium::Value::Integer(1.into()))
            .map(|(_, v)| v);
        if let Some(ciborium::Value::Integer(i)) = alg
            && let Ok(n) = i64::try_from(*i)
            && n != iana::Algorithm::EdDSA as i64
        {
            return Err(Refusal::UnsupportedAlgorithm {
                alg: algorithm_name(n),
            });
        }
    }
    let sign1 = CoseSign1::from_cbor_value(*inner)
        .map_err(|e| Refusal::malformed(format!("COSE_Sign1: {e}")))?;

    let header = &sign1.protected.header;
    check_algorithm(header.alg.as_ref())?;
    if !sign1.unprotected.is_empty() {
        return Err(Refusal::malformed("unprotected header must be empty"));
    }
    if !header.crit.is_empty()
        || header.content_type.is_some()
        || !header.iv.is_empty()
        || !header.partial_iv.is_empty()
        || !header.counter_signatures.is_empty()
        || !header.rest.is_empty()
    {
        return Err(Refusal::malformed(
            "protected header may only hold alg and kid",
        ));
    }
    let kid =
        std::str::from_utf8(&header.key_id).map_err(|_| Refusal::malformed("kid is not UTF-8"))?;
    if kid.is_empty() || kid.len() > MAX_ID_BYTES || kid.chars().any(char::is_control) {
        return Err(Refusal::malformed(format!(
            "kid must be 1..={MAX_ID_BYTES} bytes of text in the protected header"
        )));
    }
    let kid = kid.to_owned();
    if sign1.signature.len() != ed25519_dalek::SIGNATURE_LENGTH {
        return Err(Refusal::malformed("signature is not 64 bytes"));
    }
    let payload = sign1
        .payload
        .as_deref()
        .ok_or_else(|| Refusal::malformed("payload is detached"))?;
    let claims = CouponClaims::from_payload(payload)?;
    Ok(DecodedCoupon { kid, claims, sign1 })
}

fn check_algorithm(alg: Option<&coset::Algorithm>) -> Result<(), Refusal> {
    match alg {
        Some(RegisteredLabelWithPrivate::Assigned(iana::Algorithm::EdDSA)) => Ok(()),
        Some(RegisteredLabelWithPrivate::Assigned(a)) => Err(Refusal::UnsupportedAlgorithm {
            alg: algorithm_name(*a as i64),
        }),
        Some(RegisteredLabelWithPrivate::PrivateUse(n)) => Err(Refusal::UnsupportedAlgorithm {
            alg: algorithm_name(*n),
        }),
        Some(RegisteredLabelWithPrivate::Text(t)) => Err(Refusal::UnsupportedAlgorithm {
            alg: t.chars().take(MAX_ID_BYTES).collect(),
        }),
        None => Err(Refusal::malformed("alg missing from the protected header")),
    }
}

/// `ES256 (-7)` for a registered algorithm, the bare number otherwise.
fn algorithm_name(n: i64) -> String {
    use coset::iana::EnumI64 as _;
    match iana::Algorithm::from_i64(n) {
        Some(a) => format!("{a:?} ({n})"),
        None => n.to_string(),
    }
}

impl DecodedCoupon {
    /// The key id from the protected header: which synced [`SigningKey`] to verify with.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The terms, as signed (if [`DecodedCoupon::verify_signature`] succeeds).
    pub fn claims(&self) -> &CouponClaims {
        &self.claims
    }

    /// The 64-byte Ed25519 signature.
    pub fn signature(&self) -> &[u8] {
        &self.sign1.signature
    }

    /// Checks the signature with `key` (found by the caller from [`DecodedCoupon::kid`]).
    ///
    /// Checks that the coupon and the key both say EdDSA, that the key is a valid 32-byte
    /// Ed25519 public key, that the coupon's `iat` lies in the key's validity
    /// (`not_before_ms <= iat < not_after_ms`), and the signature (RFC 8032 strict:
    /// non-canonical signatures and small-order keys are refused).
    ///
    /// # Errors
    /// [`Refusal::UnsupportedAlgorithm`], [`Refusal::KeyNotValid`] or
    /// [`Refusal::BadSignature`]; [`Refusal::UnknownKey`] if `key.kid` is not this coupon's.
    pub fn verify_signature(&self, key: &SigningKey) -> Result<(), Refusal> {
        check_algorithm(self.sign1.protected.header.alg.as_ref())?;
        if key.algorithm != ALGORITHM {
            return Err(Refusal::UnsupportedAlgorithm {
                alg: key.algorithm.chars().take(MAX_ID_BYTES).collect(),
            });
        }
        if key.kid != self.kid {
            return Err(Refusal::UnknownKey {
                kid: self.kid.clone(),
            });
        }
        let iat = self.claims.issued_ms;
        if iat < key.not_before_ms || key.not_after_ms.is_some_and(|end| iat >= end) {
            return Err(Refusal::KeyNotValid);
        }
        let public: &[u8; 32] = key
            .public_key
            .as_slice()
            .try_into()
            .map_err(|_| Refusal::KeyNotValid)?;
        let public =
            ed25519_dalek::VerifyingKey::from_bytes(public).map_err(|_| Refusal::KeyNotValid)?;
        let signature = ed25519_dalek::Signature::from_slice(&self.sign1.signature)
            .map_err(|_| Refusal::BadSignature)?;
        self.sign1
            .verify_signature(b"", |_, tbs| public.verify_strict(tbs, &signature))
            .map_err(|_| Refusal::BadSignature)
    }
}
