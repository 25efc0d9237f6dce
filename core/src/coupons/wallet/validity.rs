//! The coupon's validity window, widened by a bounded clock tolerance.
//!
//! Phones' clocks drift and sellers set them by hand; a customer must not be refused at
//! 23:58 because the counter's phone runs three minutes fast. The tolerance is small and
//! fixed, so a coupon is never honoured long after it ended.

use crate::coupons::Refusal;

/// How far the device clock may be off, either way: 5 minutes.
pub const CLOCK_TOLERANCE_MS: i64 = 5 * 60 * 1000;

/// Checks `now` against `[not_before - tolerance, expires + tolerance)`.
///
/// # Errors
/// [`Refusal::NotYetValid`] before the start, [`Refusal::Expired`] at or after the end.
pub fn check_window(now_ms: i64, not_before_ms: i64, expires_ms: i64) -> Result<(), Refusal> {
    if now_ms < not_before_ms.saturating_sub(CLOCK_TOLERANCE_MS) {
        return Err(Refusal::NotYetValid);
    }
    if now_ms >= expires_ms.saturating_add(CLOCK_TOLERANCE_MS) {
        return Err(Refusal::Expired);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_edges_are_exact_to_the_millisecond() {
        let (nbf, exp) = (1_000_000_000, 2_000_000_000);
        let t = CLOCK_TOLERANCE_MS;
        assert_eq!(
            check_window(nbf - t - 1, nbf, exp),
            Err(Refusal::NotYetValid)
        );
        assert_eq!(check_window(nbf - t, nbf, exp), Ok(()));
        assert_eq!(check_window(nbf, nbf, exp), Ok(()));
        assert_eq!(check_window(exp, nbf, exp), Ok(()));
        assert_eq!(check_window(exp + t - 1, nbf, exp), Ok(()));
        assert_eq!(check_window(exp + t, nbf, exp), Err(Refusal::Expired));
        // Extreme instants saturate instead of overflowing.
        assert_eq!(check_window(i64::MIN, i64::MIN, i64::MAX), Ok(()));
        assert_eq!(check_window(i64::MAX - 1, 0, i64::MAX), Ok(()));
    }
}
