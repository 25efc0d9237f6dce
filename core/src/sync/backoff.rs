//! When to retry a request and how long to wait first.
//!
//! `docs/sync-protocol.md` (Retries): network errors, timeouts, 408, 429 and 5xx are retried
//! with exponential backoff and *full jitter* (`sleep = random(0, min(cap, base * 2^attempt))`),
//! honouring `Retry-After` (delta-seconds or an HTTP date, capped). Every other 4xx is final.
//!
//! Full jitter (rather than "exponential plus a little noise") is what keeps a few thousand
//! phones that lost the network at the same moment from coming back in lockstep and knocking
//! the backend over again.

use std::time::{Duration, SystemTime};

/// Default first ceiling of the backoff: the first retry waits at most this long.
pub const DEFAULT_BASE: Duration = Duration::from_millis(250);
/// Default ceiling of any single backoff sleep (without `Retry-After`).
pub const DEFAULT_CAP: Duration = Duration::from_secs(30);
/// Default upper bound of a `Retry-After` the client honours.
pub const DEFAULT_MAX_RETRY_AFTER: Duration = Duration::from_secs(5 * 60);

/// Parameters of the backoff. Cheap to clone; each request draws its own [`Backoff`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackoffPolicy {
    /// Ceiling of the first retry's sleep; it doubles with every further attempt.
    pub base: Duration,
    /// Largest ceiling of a sleep, however many attempts failed.
    pub cap: Duration,
    /// Largest `Retry-After` honoured: a server asking for longer gets this much.
    pub max_retry_after: Duration,
    /// Seed of the jitter's random numbers. `None` (production) seeds from the thread's
    /// random generator; a fixed seed makes every request's sleeps reproducible in tests.
    pub seed: Option<u64>,
}

impl Default for BackoffPolicy {
    fn default() -> Self {
        BackoffPolicy {
            base: DEFAULT_BASE,
            cap: DEFAULT_CAP,
            max_retry_after: DEFAULT_MAX_RETRY_AFTER,
            seed: None,
        }
    }
}

impl BackoffPolicy {
    /// The ceiling of the sleep after failed attempt number `attempt` (0 for the first
    /// retry): `min(cap, base * 2^attempt)`, without overflow for any `attempt`.
    pub fn ceiling(&self, attempt: u32) -> Duration {
        // 2^attempt overflows u32 from 32 on; past 2^40 every sensible base is above any cap.
        let factor = 1u64.checked_shl(attempt.min(40)).unwrap_or(u64::MAX);
        let nanos = self.base.as_nanos().saturating_mul(u128::from(factor));
        let grown = Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX));
        grown.min(self.cap)
    }

    /// A fresh random sequence for one request.
    pub fn start(&self) -> Backoff {
        let rng = match self.seed {
            Some(seed) => fastrand::Rng::with_seed(seed),
            None => fastrand::Rng::new(),
        };
        Backoff {
            policy: self.clone(),
            rng,
        }
    }
}

/// The sleeps of one request's retries (stateful only for its random numbers).
#[derive(Clone, Debug)]
pub struct Backoff {
    policy: BackoffPolicy,
    rng: fastrand::Rng,
}

impl Backoff {
    /// The policy this sequence follows.
    pub fn policy(&self) -> &BackoffPolicy {
        &self.policy
    }

    /// Full jitter: uniform in `[0, ceiling(attempt)]`.
    pub fn delay(&mut self, attempt: u32) -> Duration {
        let ceiling = self.policy.ceiling(attempt);
        // Nanosecond resolution; a ceiling beyond u64 nanoseconds (584 years) is clamped.
        let max = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(self.rng.u64(0..=max))
    }

    /// The sleep before the next attempt when the server may have said `Retry-After`:
    /// never shorter than what it asked (capped at `max_retry_after`), and still jittered so
    /// that clients told the same instant do not all return at once.
    pub fn delay_honouring(&mut self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let jitter = self.delay(attempt);
        match retry_after {
            Some(asked) => jitter.max(asked.min(self.policy.max_retry_after)),
            None => jitter,
        }
    }
}

/// Parses a `Retry-After` header value (RFC 9110 §10.2.3): delta-seconds (`"120"`) or an
/// HTTP date (`"Wed, 21 Oct 2015 07:28:00 GMT"`, or the obsolete RFC 850 and asctime forms)
/// taken relative to `now`. The result is capped at `max`; a date in the past is zero;
/// anything else (negative numbers, fractions, garbage) is `None`.
pub fn parse_retry_after(value: &str, now: SystemTime, max: Duration) -> Option<Duration> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    if value.bytes().all(|b| b.is_ascii_digit()) {
        // More digits than fit a u64 is still "a very long time": the cap applies.
        let secs = value.parse::<u64>().unwrap_or(u64::MAX);
        return Some(Duration::from_secs(secs).min(max));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    let wait = at.duration_since(now).unwrap_or(Duration::ZERO);
    Some(wait.min(max))
}

/// What went wrong with one attempt, as far as the retry decision cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// No connection could be made (DNS, refused, unreachable): the request was not sent.
    Connect,
    /// The connection failed after the request may have been sent (reset, cut short).
    Network,
    /// The attempt ran out of time.
    Timeout,
    /// The server answered with this HTTP status.
    Status(u16),
}

/// Whether an answer with this HTTP status is worth repeating: 408, 429 and 5xx.
pub fn is_retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500..=599)
}

/// The retry decision of the protocol: network errors, timeouts, 408, 429 and 5xx are
/// retried; other statuses (every other 4xx above all) never are.
pub fn is_retryable(failure: Failure) -> bool {
    match failure {
        Failure::Connect | Failure::Network | Failure::Timeout => true,
        Failure::Status(status) => is_retryable_status(status),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn policy(base_ms: u64, cap_ms: u64, seed: u64) -> BackoffPolicy {
        BackoffPolicy {
            base: Duration::from_millis(base_ms),
            cap: Duration::from_millis(cap_ms),
            max_retry_after: DEFAULT_MAX_RETRY_AFTER,
            seed: Some(seed),
        }
    }

    #[test]
    fn ceilings_double_from_the_base_up_to_the_cap() {
        let p = BackoffPolicy::default();
        assert_eq!(p.ceiling(0), Duration::from_millis(250));
        assert_eq!(p.ceiling(1), Duration::from_millis(500));
        assert_eq!(p.ceiling(6), Duration::from_millis(16_000));
        assert_eq!(p.ceiling(7), DEFAULT_CAP);
        assert_eq!(p.ceiling(u32::MAX), DEFAULT_CAP);
    }

    #[test]
    fn a_seed_makes_the_sleeps_reproducible() {
        let p = policy(250, 30_000, 42);
        let a: Vec<_> = {
            let mut b = p.start();
            (0..10).map(|i| b.delay(i)).collect()
        };
        let mut b = p.start();
        let again: Vec<_> = (0..10).map(|i| b.delay(i)).collect();
        assert_eq!(a, again);
        // And they are jittered, not all the ceiling.
        assert!(a.iter().zip(0..).any(|(d, i)| *d != p.ceiling(i)));
    }

    #[test]
    fn retry_after_forms() {
        let now = httpdate::parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT").unwrap();
        let max = DEFAULT_MAX_RETRY_AFTER;
        let secs = |s| Some(Duration::from_secs(s));
        assert_eq!(parse_retry_after("120", now, max), secs(120));
        assert_eq!(parse_retry_after(" 0 ", now, max), secs(0));
        assert_eq!(parse_retry_after("86400", now, max), Some(max));
        assert_eq!(
            parse_retry_after("99999999999999999999999999", now, max),
            Some(max)
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now, max),
            secs(30)
        );
        // RFC 850 and asctime, which recipients must accept.
        assert_eq!(
            parse_retry_after("Wednesday, 21-Oct-15 07:29:00 GMT", now, max),
            secs(60)
        );
        assert_eq!(
            parse_retry_after("Wed Oct 21 07:28:10 2015", now, max),
            secs(10)
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now, max),
            secs(0)
        );
        assert_eq!(
            parse_retry_after("Thu, 22 Oct 2015 07:28:00 GMT", now, max),
            Some(max)
        );
        for garbage in [
            "",
            "  ",
            "-1",
            "1.5",
            "soon",
            "+3",
            "1 2",
            "Wed, 99 Oct 2015",
        ] {
            assert_eq!(parse_retry_after(garbage, now, max), None, "{garbage:?}");
        }
    }

    #[test]
    fn the_retry_decision_follows_the_protocol_table() {
        for s in [408, 429, 500, 502, 503, 504, 599] {
            assert!(is_retryable(Failure::Status(s)), "{s}");
        }
        for s in [
            200, 204, 301, 400, 401, 403, 404, 405, 409, 413, 415, 422, 451,
        ] {
            assert!(!is_retryable(Failure::Status(s)), "{s}");
        }
        assert!(is_retryable(Failure::Connect));
        assert!(is_retryable(Failure::Network));
        assert!(is_retryable(Failure::Timeout));
    }

    proptest! {
        #[test]
        fn delay_is_within_zero_and_the_cap(
            base_ms in 0u64..10_000, cap_ms in 0u64..120_000, seed: u64, attempt: u32,
        ) {
            let p = policy(base_ms, cap_ms, seed);
            let d = p.start().delay(attempt);
            prop_assert!(d <= p.cap);
            prop_assert!(d <= p.ceiling(attempt));
        }

        #[test]
        fn retry_after_is_honoured_and_capped(
            seed: u64, attempt in 0u32..64, asked_s in 0u64..100_000, max_s in 0u64..1_000,
        ) {
            let p = BackoffPolicy {
                seed: Some(seed),
                max_retry_after: Duration::from_secs(max_s),
                ..BackoffPolicy::default()
            };
            let asked = Duration::from_secs(asked_s);
            let d = p.start().delay_honouring(attempt, Some(asked));
            prop_assert!(d >= asked.min(p.max_retry_after));
            prop_assert!(d <= p.cap.max(p.max_retry_after));
        }

        #[test]
        fn retry_after_seconds_parse_and_are_capped(secs: u64, max_s in 0u64..1_000) {
            let max = Duration::from_secs(max_s);
            let got = parse_retry_after(&secs.to_string(), SystemTime::UNIX_EPOCH, max);
            prop_assert_eq!(got, Some(Duration::from_secs(secs).min(max)));
        }

        #[test]
        fn retry_after_dates_are_relative_to_now(
            now_s in 0u64..4_000_000_000, ahead_s in 0u64..100_000,
        ) {
            let now = SystemTime::UNIX_EPOCH + Duration::from_secs(now_s);
            let header = httpdate::fmt_http_date(now + Duration::from_secs(ahead_s));
            let got = parse_retry_after(&header, now, DEFAULT_MAX_RETRY_AFTER);
            prop_assert_eq!(
                got,
                Some(Duration::from_secs(ahead_s).min(DEFAULT_MAX_RETRY_AFTER))
            );
        }

        #[test]
        fn retry_after_never_panics(value in ".{0,64}", now_s: u32) {
            let now = SystemTime::UNIX_EPOCH + Duration::from_secs(u64::from(now_s));
            if let Some(d) = parse_retry_after(&value, now, DEFAULT_MAX_RETRY_AFTER) {
                prop_assert!(d <= DEFAULT_MAX_RETRY_AFTER);
            }
        }

        #[test]
        fn final_client_errors_are_never_retried(
            status in prop::sample::select(vec![400u16, 401, 403, 404, 413, 415]),
            other_4xx in 400u16..500,
        ) {
            prop_assert!(!is_retryable(Failure::Status(status)));
            prop_assert_eq!(
                is_retryable(Failure::Status(other_4xx)),
                other_4xx == 408 || other_4xx == 429
            );
        }
    }
}
