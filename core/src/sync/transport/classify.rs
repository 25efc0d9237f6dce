//! Classifying failures into the sync error: HTTP statuses and error bodies, and reqwest's
//! errors before and during an answer, each as retryable (with what to give up with) or final.

use std::time::{Duration, SystemTime};

use reqwest::header;

use super::retry::{AttemptError, Retry};
use super::{Transport, tls};
use crate::sync::SyncError;
use crate::sync::backoff::{self, Failure};

/// How much of an error answer's body is read to find its `{"error": ...}`.
const ERROR_BODY_LIMIT: u64 = 64 * 1024;
/// How long an error answer's body may take to arrive before it is given up on.
const ERROR_BODY_TIMEOUT: Duration = Duration::from_secs(2);

impl Transport {
    /// A non-2xx answer as a failure, with what the server said about it.
    pub(super) async fn refusal(
        &self,
        mut response: reqwest::Response,
        status: u16,
    ) -> AttemptError {
        let retry_after = response
            .headers()
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                backoff::parse_retry_after(
                    v,
                    SystemTime::now(),
                    self.config.backoff.max_retry_after,
                )
            });
        let location = response
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        // What the server says about the failure: bounded in size and time, best effort
        // (reading it also lets an HTTP/1 connection be reused).
        let body = match tokio::time::timeout(
            ERROR_BODY_TIMEOUT,
            self.read_body(&mut response, ERROR_BODY_LIMIT),
        )
        .await
        {
            Ok(Ok(body)) => body.bytes,
            _ => Vec::new(),
        };
        let (code, mut message) = parse_error_body(&body);
        if backoff::is_retryable_status(status) {
            let give_up = if status == 408 {
                SyncError::Timeout
            } else {
                SyncError::ServerTrouble { status }
            };
            return AttemptError::from(Retry {
                failure: Failure::Status(status),
                detail: format!("HTTP {status} {code}"),
                retry_after,
                give_up,
            });
        }
        if (300..400).contains(&status) {
            message = format!(
                "unexpected redirect to {}",
                location.as_deref().unwrap_or("?")
            );
        }
        if status == 401 {
            return AttemptError::fatal(SyncError::ActivateAgain {
                message: if message.is_empty() { code } else { message },
            });
        }
        AttemptError::fatal(SyncError::Refused {
            status,
            code,
            message,
        })
    }
}

/// `{"error": {"code", "message"}}`, or `unknown` and the start of whatever came.
pub(super) fn parse_error_body(body: &[u8]) -> (String, String) {
    #[derive(serde::Deserialize)]
    struct Envelope {
        error: Inner,
    }
    #[derive(serde::Deserialize)]
    struct Inner {
        #[serde(default)]
        code: Option<String>,
        #[serde(default)]
        message: Option<String>,
    }
    if let Ok(Envelope { error }) = serde_json::from_slice::<Envelope>(body) {
        return (
            error.code.unwrap_or_else(|| "unknown".into()),
            error.message.unwrap_or_default(),
        );
    }
    let text = String::from_utf8_lossy(body);
    let text: String = text.trim().chars().take(200).collect();
    ("unknown".into(), text)
}

/// A failure before any answer (connect, TLS, sending, waiting for the head).
pub(super) fn classify_reqwest(e: reqwest::Error) -> AttemptError {
    if let Some(tls) = tls::find_rustls_error(&e) {
        return AttemptError::fatal(SyncError::Tls {
            detail: tls.to_string(),
        });
    }
    let detail = error_chain(&e);
    if e.is_builder() {
        // The request could not even be made: every attempt would fail alike.
        return AttemptError::fatal(SyncError::Network { detail });
    }
    if e.is_timeout() {
        // A connect timeout means the request was never sent: activation may retry it.
        let failure = if e.is_connect() {
            Failure::Connect
        } else {
            Failure::Timeout
        };
        return AttemptError::from(Retry {
            failure,
            detail,
            retry_after: None,
            give_up: SyncError::Timeout,
        });
    }
    let failure = if e.is_connect() {
        Failure::Connect
    } else {
        Failure::Network
    };
    AttemptError::from(Retry {
        failure,
        detail: detail.clone(),
        retry_after: None,
        give_up: SyncError::Network { detail },
    })
}

/// A failure while the body streams in: the connection broke or the body was cut short.
pub(super) fn classify_body_error(e: &reqwest::Error) -> AttemptError {
    if e.is_timeout() {
        return AttemptError::timeout(&error_chain(e));
    }
    let detail = format!("answer cut short: {}", error_chain(e));
    AttemptError::from(Retry {
        failure: Failure::Network,
        detail: detail.clone(),
        retry_after: None,
        give_up: SyncError::Network { detail },
    })
}

/// `e` and its sources, `: `-joined (reqwest's own message is often just "error sending
/// request").
pub(super) fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    let mut depth = 0;
    while let Some(s) = source {
        let part = s.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = s.source();
        depth += 1;
        if depth > 8 {
            break;
        }
    }
    text
}
