//! The mobile storefront on the core service: lint, preview, reads and edits of the shop and
//! its listings, and their conflicts.
//!
//! Every rule is in [`crate::storefront`]; here the app supplies its database, clock, media
//! folder (`AppConfig::media_dir`), font files (`AppConfig::font_paths`) and the seller's
//! language, and turns failures into [`AppError`]. The edits, the lint and the conflict calls
//! are plain blocking calls (quick local SQLite work, like the checklist), and so are the reads; the preview decodes
//! pictures and draws a whole screen, so it is `async` and runs on a blocking thread.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use super::{App, AppError};
use crate::domain::{Conflict, Product, ShopProfile};
use crate::storefront::preview::{DeviceProfile, Font};
use crate::storefront::{
    LintReport, PreviewPage, ProductChanges, ShopChanges, Storefront, StorefrontError,
};

/// A drawn storefront preview, ready to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreviewImage {
    /// The PNG file's bytes.
    pub png: Vec<u8>,
    /// Width in pixels (the device's).
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

/// One field of a storefront conflict: the seller's value beside the server's, as text to
/// show (a price as `¥59.00`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ConflictField {
    /// The edited field, named as in [`ProductChanges`] / [`ShopChanges`]: `title`, `price`,
    /// `description`, `published`, `name`, `announcement`.
    pub field: String,
    /// The seller's value.
    pub yours: String,
    /// The server's value; `None` when the server sent no state (a rejection).
    pub server: Option<String>,
}

/// The fields a storefront conflict is about, in the order the edit listed them. Unreadable
/// JSON (it came from a server) yields no fields rather than an error.
pub fn conflict_fields(c: &Conflict) -> Vec<ConflictField> {
    use serde_json::{Map, Value};
    let yours: Map<String, Value> = serde_json::from_str(&c.payload).unwrap_or_default();
    let server: Map<String, Value> = c
        .server_state
        .as_deref()
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or_default();
    let shop = c.kind == crate::storefront::service::SHOP_EDIT;
    let text = |key: &str, v: &Value| -> String {
        match (key, v) {
            ("price", Value::Number(n)) => n
                .as_i64()
                .map_or_else(|| n.to_string(), |fen| crate::money::Fen(fen).to_string()),
            ("status", Value::String(s)) => (s == "active").to_string(),
            (_, Value::String(s)) => s.clone(),
            (_, other) => other.to_string(),
        }
    };
    yours
        .iter()
        .map(|(key, value)| ConflictField {
            field: match (shop, key.as_str()) {
                (true, "description") => "announcement".to_owned(),
                (false, "status") => "published".to_owned(),
                _ => key.clone(),
            },
            yours: text(key, value),
            server: server.get(key).map(|v| text(key, v)),
        })
        .collect()
}

/// The preview fonts, parsed on first use and kept; a file that fails is tried again next
/// time (the shell may have fixed it), so only a good font is kept.
fn cached_font(cache: &Mutex<Option<Font>>, paths: &[PathBuf]) -> Result<Font, StorefrontError> {
    let mut slot = cache.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(font) = slot.as_ref() {
        return Ok(font.clone());
    }
    let font = Font::from_files(paths)?;
    *slot = Some(font.clone());
    Ok(font)
}

impl App {
    /// The storefront over this app's database, clock and media folder.
    pub fn storefront(&self) -> Storefront<'_> {
        Storefront::new(self.store(), self.clock().as_ref(), self.media_dir())
    }

    /// Lints the shop profile and every listing that buyers can see. Findings carry their
    /// message and fix in both languages. A local read (blocking).
    ///
    /// # Errors
    /// [`AppError::Storefront`] when the database fails.
    pub fn storefront_lint(&self) -> Result<LintReport, AppError> {
        Ok(self.storefront().lint()?)
    }

    /// Draws `page` as `device` shows it, with the configured fonts and the pictures of the
    /// media folder (a missing picture is a placeholder), labels in the seller's language;
    /// returns the PNG. Runs on a blocking thread.
    ///
    /// # Errors
    /// [`AppError::Storefront`]: no font configured or a font file that cannot be used, no
    /// shop yet (activate and sync), an unknown product, a failing database.
    pub async fn storefront_preview(
        &self,
        page: PreviewPage,
        device: DeviceProfile,
    ) -> Result<PreviewImage, AppError> {
        let media_dir: PathBuf = self.media_dir().to_path_buf();
        let fonts = self.font_paths().to_vec();
        let cache = Arc::clone(&self.preview_font);
        let language = self.language().tag();
        self.blocking(move |parts| {
            let font = cached_font(&cache, &fonts)?;
            let sf = Storefront::new(&parts.store, parts.clock.as_ref(), &media_dir);
            let picture = sf.preview(&page, device, &font, language)?;
            let png = picture.png().map_err(StorefrontError::from)?;
            Ok(PreviewImage {
                png,
                width: picture.width,
                height: picture.height,
            })
        })
        .await
    }

    /// Listing `id` as it is on the phone now, unsynced edits included: the values an edit
    /// form starts from. A local read (blocking).
    ///
    /// # Errors
    /// [`AppError::Storefront`]: an unknown product (the same error an edit of it gives), a
    /// failing database.
    pub fn storefront_listing(&self, id: &str) -> Result<Product, AppError> {
        Ok(self.storefront().listing(id)?)
    }

    /// One page of the listings in id order, every status included. `after` is the last id
    /// of the previous page (`None` first); `limit` is capped at
    /// [`MAX_LISTINGS_PAGE`](crate::storefront::service::MAX_LISTINGS_PAGE), so a page may be
    /// shorter than asked: the end is an empty page. A local read (blocking).
    ///
    /// # Errors
    /// [`AppError::Storefront`]: a `limit` of 0, a failing database.
    pub fn storefront_listings(
        &self,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Product>, AppError> {
        Ok(self.storefront().listings(after, limit)?)
    }

    /// The shop profile as it is on the phone now, unsynced edits included; `None` before
    /// the first sync. A local read (blocking).
    ///
    /// # Errors
    /// [`AppError::Storefront`] when the database fails.
    pub fn storefront_shop(&self) -> Result<Option<ShopProfile>, AppError> {
        Ok(self.storefront().shop()?)
    }

    /// Applies `changes` to listing `id` locally and queues the synced fields for the next
    /// sync, in one transaction; returns the listing as it now is. Blocking.
    ///
    /// # Errors
    /// [`AppError::Storefront`]: a value that is not acceptable (the message says which and
    /// why), an unknown product, a failing database. Nothing is written then.
    pub fn edit_product(&self, id: &str, changes: &ProductChanges) -> Result<Product, AppError> {
        Ok(self.storefront().edit_product(id, changes)?)
    }

    /// Applies `changes` to the shop profile locally and queues the synced fields for the
    /// next sync, in one transaction; returns the profile as it now is. Blocking.
    ///
    /// # Errors
    /// [`AppError::Storefront`]: a value that is not acceptable, no shop yet, a failing
    /// database. Nothing is written then.
    pub fn edit_shop(&self, changes: &ShopChanges) -> Result<ShopProfile, AppError> {
        Ok(self.storefront().edit_shop(changes)?)
    }

    /// Adds the photo at `path`: decoded with bounds, its 750 px mobile JPEG written into
    /// the media folder; returns its new image id. Nothing is queued until it is placed
    /// ([`App::set_main_image`], [`App::set_gallery`], [`App::set_logo`], [`App::set_banner`]).
    /// Blocking.
    ///
    /// # Errors
    /// [`AppError::Storefront`]: a file that cannot be read, is not a picture, is damaged or
    /// too big; a failing disk. Nothing is stored then.
    pub fn add_photo(&self, path: &std::path::Path) -> Result<String, AppError> {
        Ok(self.storefront().add_photo(path)?)
    }

    /// Makes image `image_id` the main picture of listing `product_id`, queuing the photo's
    /// upload before the edit, in one transaction. Blocking.
    ///
    /// # Errors
    /// [`AppError::Storefront`]: an unknown product or image, a failing database.
    pub fn set_main_image(&self, product_id: &str, image_id: &str) -> Result<Product, AppError> {
        Ok(self.storefront().set_main_image(product_id, image_id)?)
    }

    /// Sets the gallery of listing `product_id` to `order` (main picture first), queuing the
    /// uploads of new photos before the edit, in one transaction. Blocking.
    ///
    /// # Errors
    /// As [`App::set_main_image`].
    pub fn set_gallery(&self, product_id: &str, order: &[String]) -> Result<Product, AppError> {
        Ok(self.storefront().set_gallery(product_id, order)?)
    }

    /// Makes image `image_id` the shop's logo (upload queued first). Blocking.
    ///
    /// # Errors
    /// [`AppError::Storefront`]: an unknown image, no shop yet, a failing database.
    pub fn set_logo(&self, image_id: &str) -> Result<ShopProfile, AppError> {
        Ok(self.storefront().set_logo(image_id)?)
    }

    /// Makes image `image_id` the shop's banner (upload queued first). Blocking.
    ///
    /// # Errors
    /// As [`App::set_logo`].
    pub fn set_banner(&self, image_id: &str) -> Result<ShopProfile, AppError> {
        Ok(self.storefront().set_banner(image_id)?)
    }

    /// Open conflicts of storefront edits (the server refused a stale edit or the edit
    /// itself), oldest first. A local read (blocking).
    ///
    /// # Errors
    /// [`AppError::Storefront`] when the database fails.
    pub fn storefront_conflicts(&self) -> Result<Vec<Conflict>, AppError> {
        Ok(self.storefront().conflicts()?)
    }

    /// Settles storefront conflict `conflict_id` by taking the server's state. Blocking.
    ///
    /// # Errors
    /// [`AppError::Storefront`]: no such open conflict, a failing database.
    pub fn keep_server(&self, conflict_id: i64) -> Result<(), AppError> {
        Ok(self.storefront().keep_server(conflict_id)?)
    }

    /// Settles storefront conflict `conflict_id` by applying the seller's edit again on the
    /// server's state; it is queued for the next sync. Blocking.
    ///
    /// # Errors
    /// As [`App::keep_server`].
    pub fn reapply(&self, conflict_id: i64) -> Result<(), AppError> {
        Ok(self.storefront().reapply(conflict_id)?)
    }
}

#[cfg(test)]
mod tests;
