//! The store-setup checklist on the core service.

use std::sync::Arc;

use super::App;
use crate::checklist::Checklist;

impl App {
    /// The store-setup checklist over this app's database and clock.
    pub fn checklist(&self) -> Checklist {
        Checklist::new(Arc::clone(self.store()), Arc::clone(self.clock()))
    }
}
