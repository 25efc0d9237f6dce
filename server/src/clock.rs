//! The server's one source of "now": the core's system clock.

use sellerkit_core::time::{Clock as _, SystemClock};

/// Current time, UTC epoch milliseconds.
pub fn now_ms() -> i64 {
    SystemClock.now_ms()
}
