//! Reading an answer's body: streamed chunk by chunk against a hard cap on both the wire
//! and the decompressed size, inflating gzip, and telling a body cut short (retried) from
//! one the framing shows complete but broken (malformed).

use std::io::Write as _;

use flate2::write::MultiGzDecoder;
use reqwest::header;
use serde::de::DeserializeOwned;

use super::classify::classify_body_error;
use super::retry::{AttemptError, Retry};
use super::{Answer, Counters, Transport};
use crate::sync::SyncError;
use crate::sync::backoff::Failure;

impl Transport {
    /// Streams a body against `limit` (on the wire and decompressed), inflating gzip.
    pub(super) async fn read_body(
        &self,
        response: &mut reqwest::Response,
        limit: u64,
    ) -> Result<ReadBody, AttemptError> {
        let too_large = || AttemptError::fatal(SyncError::ResponseTooLarge { limit });
        // A declared length over the limit is refused before a byte is read.
        if response.content_length().is_some_and(|n| n > limit) {
            return Err(too_large());
        }
        let headers = response.headers();
        let encoding = headers
            .get(header::CONTENT_ENCODING)
            .map(|v| v.to_str().unwrap_or("?").trim().to_ascii_lowercase());
        // HTTP/1 bodies with neither header end when the connection does: a cut is invisible.
        let framed = headers.contains_key(header::CONTENT_LENGTH)
            || headers.contains_key(header::TRANSFER_ENCODING)
            || response.version() >= reqwest::Version::HTTP_2;
        let mut sink = match encoding.as_deref() {
            None | Some("identity") | Some("") => {
                let reserve = response.content_length().unwrap_or(0).min(limit);
                Sink::Plain(Capped::new(limit, usize::try_from(reserve).unwrap_or(0)))
            }
            Some("gzip") | Some("x-gzip") => {
                Sink::Gzip(Box::new(MultiGzDecoder::new(Capped::new(limit, 0))))
            }
            Some(other) => {
                return Err(AttemptError::fatal(SyncError::MalformedResponse {
                    detail: format!("unsupported content encoding {other:?}"),
                }));
            }
        };
        let mut wire: u64 = 0;
        loop {
            let chunk = match response.chunk().await {
                Ok(Some(chunk)) => chunk,
                Ok(None) => break,
                Err(e) => return Err(classify_body_error(&e)),
            };
            wire += chunk.len() as u64;
            Counters::add(&self.counters.wire_bytes_received, chunk.len() as u64);
            if wire > limit {
                return Err(too_large());
            }
            let written = match &mut sink {
                Sink::Plain(capped) => capped.write_all(&chunk),
                Sink::Gzip(decoder) => decoder.write_all(&chunk),
            };
            if let Err(e) = written {
                if sink.capped().exceeded {
                    return Err(too_large());
                }
                return Err(AttemptError::fatal(SyncError::MalformedResponse {
                    detail: format!("invalid gzip data: {e}"),
                }));
            }
        }
        let (bytes, verified) = match sink {
            Sink::Plain(capped) => (capped.buf, framed),
            // An empty gzip body (e.g. 204) has nothing to check.
            Sink::Gzip(_) if wire == 0 => (Vec::new(), framed),
            Sink::Gzip(mut decoder) => {
                if let Err(e) = decoder.try_finish() {
                    if decoder.get_ref().exceeded {
                        return Err(too_large());
                    }
                    // The HTTP framing says every byte the server sent arrived: its gzip
                    // is broken, and asking again would fetch the same.
                    if framed {
                        return Err(AttemptError::fatal(SyncError::MalformedResponse {
                            detail: format!("invalid gzip stream: {e}"),
                        }));
                    }
                    // Only gzip's missing trailer shows the connection closed early.
                    return Err(AttemptError::from(Retry {
                        failure: Failure::Network,
                        detail: format!("answer cut short (incomplete gzip stream: {e})"),
                        retry_after: None,
                        give_up: SyncError::MalformedResponse {
                            detail: "the answer was cut short (incomplete gzip stream)".into(),
                        },
                    }));
                }
                // The trailer's CRC and length vouch for the whole body.
                (std::mem::take(&mut decoder.get_mut().buf), true)
            }
        };
        Counters::add(&self.counters.body_bytes_received, bytes.len() as u64);
        Ok(ReadBody { bytes, verified })
    }
}

pub(super) struct ReadBody {
    pub(super) bytes: Vec<u8>,
    pub(super) verified: bool,
}

/// Decompressed output with a hard cap: writing past it fails and sets `exceeded`.
struct Capped {
    buf: Vec<u8>,
    limit: u64,
    exceeded: bool,
}

impl Capped {
    fn new(limit: u64, reserve: usize) -> Capped {
        Capped {
            buf: Vec::with_capacity(reserve),
            limit,
            exceeded: false,
        }
    }
}

impl std::io::Write for Capped {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        if (self.buf.len() + data.len()) as u64 > self.limit {
            self.exceeded = true;
            return Err(std::io::Error::other("body over the limit"));
        }
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

enum Sink {
    Plain(Capped),
    // Boxed: the decoder's state is large and only gzip answers need it.
    Gzip(Box<MultiGzDecoder<Capped>>),
}

impl Sink {
    fn capped(&self) -> &Capped {
        match self {
            Sink::Plain(capped) => capped,
            Sink::Gzip(decoder) => decoder.get_ref(),
        }
    }
}

pub(super) fn decode_json<T: DeserializeOwned>(answer: Answer) -> Result<T, AttemptError> {
    match serde_json::from_slice(&answer.body) {
        Ok(value) => Ok(value),
        // Cut short where nothing could tell: treat like any other cut connection.
        Err(e) if e.is_eof() && !answer.complete => Err(AttemptError::from(Retry {
            failure: Failure::Network,
            detail: format!("answer cut short ({e})"),
            retry_after: None,
            give_up: SyncError::MalformedResponse {
                detail: format!("the answer was cut short ({e})"),
            },
        })),
        Err(e) => Err(AttemptError::fatal(SyncError::MalformedResponse {
            detail: e.to_string(),
        })),
    }
}
