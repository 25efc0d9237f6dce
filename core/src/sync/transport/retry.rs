//! The retry loop around one call: attempts, backoff sleeps honouring `Retry-After`, the
//! retry mode and cancellation.

use std::time::Duration;

use reqwest::header::HeaderValue;
use tokio_util::sync::CancellationToken;

use super::{Answer, Call, Counters, RetryMode, Transport};
use crate::sync::SyncError;
use crate::sync::backoff::{self, Failure};

impl Transport {
    /// One call: attempts, backoff sleeps and cancellation around `decode`, which turns a
    /// complete 2xx answer into the result.
    pub(super) async fn run<T>(
        &self,
        call: &Call<'_>,
        cancel: &CancellationToken,
        decode: impl Fn(Answer) -> Result<T, AttemptError>,
    ) -> Result<T, SyncError> {
        if cancel.is_cancelled() {
            return Err(SyncError::Cancelled);
        }
        let url = self.url(call.path)?;
        if let Some(token) = call.token
            && HeaderValue::from_str(token).is_err()
        {
            // Would fail every attempt the same way; only a new activation mends it.
            return Err(SyncError::ActivateAgain {
                message: "the stored device token is unusable".into(),
            });
        }
        let max_attempts = self.config.max_attempts.max(1);
        let mut backoff = self.config.backoff.start();
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            Counters::add(&self.counters.requests, 1);
            if attempt > 1 {
                Counters::add(&self.counters.retries, 1);
            }
            let outcome = tokio::select! {
                biased;
                // Dropping the attempt's future aborts the request on the spot.
                () = cancel.cancelled() => return Err(SyncError::Cancelled),
                outcome = tokio::time::timeout(call.timeout, self.attempt(&url, call)) => {
                    match outcome {
                        Ok(outcome) => outcome,
                        Err(_elapsed) => Err(AttemptError::timeout("the attempt took too long")),
                    }
                }
            };
            let Retry {
                failure,
                detail,
                retry_after,
                give_up,
            } = match outcome.and_then(&decode) {
                Ok(value) => return Ok(value),
                Err(AttemptError::Fatal(error)) => return Err(*error),
                Err(AttemptError::Retryable(retry)) => *retry,
            };
            let allowed = match call.mode {
                RetryMode::Idempotent => backoff::is_retryable(failure),
                RetryMode::OnlyIfNotSent => failure == Failure::Connect,
            };
            if !allowed || attempt >= max_attempts {
                tracing::warn!(
                    method = %call.method, path = call.path, attempt, reason = %detail,
                    "request failed; not retrying"
                );
                return Err(give_up);
            }
            let delay = backoff.delay_honouring(attempt - 1, retry_after);
            tracing::info!(
                method = %call.method, path = call.path, attempt,
                delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                reason = %detail,
                "retrying request"
            );
            tokio::select! {
                biased;
                () = cancel.cancelled() => return Err(SyncError::Cancelled),
                () = tokio::time::sleep(delay) => {}
            }
        }
    }
}

/// Why an attempt did not produce a result (boxed: `SyncError` is large and attempts fail
/// rarely).
pub(super) enum AttemptError {
    /// Worth another attempt if the mode and the attempts left allow.
    Retryable(Box<Retry>),
    /// Final.
    Fatal(Box<SyncError>),
}

/// A failure that another attempt may cure.
pub(super) struct Retry {
    pub(super) failure: Failure,
    pub(super) detail: String,
    /// What the server asked for, if it did.
    pub(super) retry_after: Option<Duration>,
    /// What the caller sees when no attempt is left or the mode forbids another.
    pub(super) give_up: SyncError,
}

impl From<Retry> for AttemptError {
    fn from(retry: Retry) -> AttemptError {
        AttemptError::Retryable(Box::new(retry))
    }
}

impl AttemptError {
    pub(super) fn fatal(error: SyncError) -> AttemptError {
        AttemptError::Fatal(Box::new(error))
    }

    pub(super) fn timeout(detail: &str) -> AttemptError {
        AttemptError::from(Retry {
            failure: Failure::Timeout,
            detail: detail.to_string(),
            retry_after: None,
            give_up: SyncError::Timeout,
        })
    }
}
