//! The sales dashboard on the core service.

use super::App;
use crate::analytics::{self, AnalyticsError, Dashboard, RangeSpec};

impl App {
    /// The dashboard of `spec` at the app clock's "now", from the rollups.
    ///
    /// # Errors
    /// A range that ends before it starts or is too long; a database failure.
    pub fn dashboard(&self, spec: RangeSpec) -> Result<Dashboard, AnalyticsError> {
        analytics::dashboard(self.store(), spec, self.clock().now_ms())
    }
}
