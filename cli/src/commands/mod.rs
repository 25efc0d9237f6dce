//! One module per subcommand.

pub mod activate;
pub mod bench;
pub mod checklist;
pub mod coupon;
pub mod dashboard;
pub mod demo;
pub mod serve;
pub mod status;
pub mod storefront;
pub mod sync;
