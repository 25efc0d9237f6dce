//! The mobile storefront on [`SellerApp`]: lint findings, the phone preview as PNG, the
//! current values of a listing and of the shop (what an edit form starts from), their edits,
//! and the conflicts of those edits with keep-server / reapply.
//!
//! Every rule lives in `sellerkit_core` (`App::storefront_*`, `App::edit_product`, ...); this
//! module converts records, picks the words in the seller's language and forwards. The
//! preview uses `SellerAppConfig.font_path` and the pictures of `SellerAppConfig.media_dir`.
//! `docs/storefront-rules.md` has the lint's rules, `docs/app-developers.md` the API.

use std::sync::Arc;

use sellerkit_core::app::{PreviewImage as CorePreview, conflict_fields};
use sellerkit_core::domain::{Conflict, Product, ProductStatus, ShopProfile};
use sellerkit_core::locale::Language;
use sellerkit_core::money::Fen;
use sellerkit_core::storefront::lint::{Finding, Severity, Subject};
use sellerkit_core::storefront::preview::DeviceProfile;
use sellerkit_core::storefront::service::SHOP_EDIT;
use sellerkit_core::storefront::{LintReport, PreviewPage, ProductChanges, ShopChanges};

use crate::SellerKitError;
use crate::app::SellerApp;
use crate::runtime;

/// How much a lint finding matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum LintSeverity {
    /// Breaks a marketplace or legal rule: the listing can be refused or fined. Fix first.
    Error,
    /// Hurts the listing on a phone (blurry, cropped, cut off).
    Warning,
    /// A suggestion.
    Info,
}

impl From<Severity> for LintSeverity {
    fn from(s: Severity) -> Self {
        match s {
            Severity::Error => LintSeverity::Error,
            Severity::Warning => LintSeverity::Warning,
            Severity::Info => LintSeverity::Info,
        }
    }
}

/// One problem the lint found, worded in the seller's language.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct LintFinding {
    /// The product concerned; `None` for the shop profile.
    pub product_id: Option<String>,
    /// Stable rule code (`title_too_long`, `banned_term`, `main_image_too_small`, ...);
    /// never translated.
    pub code: String,
    /// How much it matters.
    pub severity: LintSeverity,
    /// The field to edit: `title`, `description`, `price`, `main_image`, `gallery`,
    /// `shop_name`, `announcement`, `logo`, `banner`.
    pub field: String,
    /// What is wrong, with the figures.
    pub message: String,
    /// What to do about it.
    pub fix: String,
}

/// The lint of the whole shop.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct LintOverview {
    /// Every finding: the shop's first, then the products' in id order.
    pub findings: Vec<LintFinding>,
    /// Products checked (archived ones are not).
    pub products_checked: u64,
    /// Products without any finding.
    pub products_clean: u64,
    /// Findings of severity `Error`.
    pub errors: u64,
    /// Findings of severity `Warning`.
    pub warnings: u64,
    /// Findings of severity `Info`.
    pub infos: u64,
}

/// Which page to preview.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum StorefrontPage {
    /// The shop's mobile home (header, banner, featured listings).
    Home,
    /// A product page.
    Product {
        /// The product's id.
        id: String,
    },
}

/// The phone screen to preview on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum PreviewDevice {
    /// The phone of the service package: 720x1280.
    Bundled,
    /// A current phone: 1080x2340.
    Modern,
}

/// A drawn preview.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct PreviewImage {
    /// A PNG file (`BitmapFactory.decodeByteArray`, `UIImage(data:)`).
    pub png: Vec<u8>,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

/// Changes to a listing; a `None` field stays as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq, uniffi::Record)]
pub struct ProductEdit {
    /// Title (synced).
    #[uniffi(default = None)]
    pub title: Option<String>,
    /// Price in fen (synced); parse what the seller typed with `parseMoney`.
    #[uniffi(default = None)]
    pub price_fen: Option<i64>,
    /// Long description (synced).
    #[uniffi(default = None)]
    pub description: Option<String>,
    /// Published (true) or taken down to draft (false) (synced).
    #[uniffi(default = None)]
    pub published: Option<bool>,
    /// Shown on the mobile home (this phone's setting).
    #[uniffi(default = None)]
    pub featured: Option<bool>,
    /// Short description on the phone's product page (this phone's setting).
    #[uniffi(default = None)]
    pub mobile_description: Option<String>,
}

/// Changes to the shop profile; a `None` field stays as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq, uniffi::Record)]
pub struct ShopEdit {
    /// Shop name (synced).
    #[uniffi(default = None)]
    pub name: Option<String>,
    /// Announcement under the banner (synced).
    #[uniffi(default = None)]
    pub announcement: Option<String>,
    /// Theme colour `#RRGGBB` (this phone's setting).
    #[uniffi(default = None)]
    pub theme_color: Option<String>,
}

/// A listing as it is on the phone (synced values with the seller's unsynced edits), as
/// `listing` / `listings` read it and an edit returns it.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct ListingInfo {
    /// Product id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Long description.
    pub description: String,
    /// Price in fen.
    pub price_fen: i64,
    /// Published (active) or not (draft, archived).
    pub published: bool,
    /// Shown on the mobile home.
    pub featured: bool,
    /// Short description on the phone's product page.
    pub mobile_description: String,
    /// Image ids in gallery order, the main picture first.
    pub gallery: Vec<String>,
    /// The server version the next edit is based on.
    pub version: i64,
    /// Last local or server change, UTC ms.
    pub updated_ms: i64,
}

/// The shop profile as it is on the phone, as `shop` reads it and an edit returns it.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct ShopInfo {
    /// Shop id.
    pub shop_id: String,
    /// Name.
    pub name: String,
    /// Announcement under the banner.
    pub announcement: String,
    /// Theme colour `#RRGGBB`, if set.
    pub theme_color: Option<String>,
    /// The logo's image id, if any.
    pub logo_image_id: Option<String>,
    /// The banner's image id, if any.
    pub banner_image_id: Option<String>,
    /// The server version the next edit is based on.
    pub version: i64,
    /// Last local or server change, UTC ms.
    pub updated_ms: i64,
}

/// What a storefront conflict is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum StorefrontConflictKind {
    /// An edit of a listing (`entity_id` is the product id).
    Product,
    /// An edit of the shop profile.
    Shop,
}

/// One field of a conflicting edit: the seller's value beside the server's.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct ConflictFieldInfo {
    /// `title`, `price`, `description`, `published`, `name`, `announcement`.
    pub field: String,
    /// The seller's value, as text (a price as `¥59.00`).
    pub yours: String,
    /// The server's value; `None` when the server sent none (the edit was rejected).
    pub server: Option<String>,
}

/// A storefront edit the server did not accept; settle it with `keepServer` or `reapply`.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct StorefrontConflict {
    /// Local id, for `keepServer` / `reapply`.
    pub id: i64,
    /// Listing or shop.
    pub kind: StorefrontConflictKind,
    /// The product id, or the shop id.
    pub entity_id: String,
    /// True when the server refused the edit itself; false when its value moved on (a
    /// stale edit).
    pub rejected: bool,
    /// The server's reason (its words, for support).
    pub reason: String,
    /// The fields the edit changed, each with both values.
    pub fields: Vec<ConflictFieldInfo>,
    /// When the server answered, UTC ms.
    pub at_ms: i64,
}

fn finding(f: Finding, language: Language) -> LintFinding {
    let tag = language.tag();
    LintFinding {
        product_id: match f.subject {
            Subject::Shop => None,
            Subject::Product(id) => Some(id),
        },
        code: f.code.as_str().to_owned(),
        severity: f.severity.into(),
        field: f.field.as_str().to_owned(),
        message: f.message.pick(tag).to_owned(),
        fix: f.fix.pick(tag).to_owned(),
    }
}

fn overview(r: LintReport, language: Language) -> LintOverview {
    let s = r.summary;
    LintOverview {
        findings: r
            .findings
            .into_iter()
            .map(|f| finding(f, language))
            .collect(),
        products_checked: s.products_checked as u64,
        products_clean: s.products_clean as u64,
        errors: s.errors as u64,
        warnings: s.warnings as u64,
        infos: s.infos as u64,
    }
}

fn listing(p: Product) -> ListingInfo {
    ListingInfo {
        published: p.status == ProductStatus::Active,
        id: p.id,
        title: p.title,
        description: p.description,
        price_fen: p.price.0,
        featured: p.featured,
        mobile_description: p.mobile_description,
        gallery: p.gallery,
        version: p.version,
        updated_ms: p.updated_ms,
    }
}

fn shop(s: ShopProfile) -> ShopInfo {
    ShopInfo {
        shop_id: s.shop_id,
        name: s.name,
        announcement: s.description,
        theme_color: s.theme_color,
        logo_image_id: s.logo_image_id,
        banner_image_id: s.banner_image_id,
        version: s.version,
        updated_ms: s.updated_ms,
    }
}

fn conflict(c: Conflict) -> StorefrontConflict {
    StorefrontConflict {
        fields: conflict_fields(&c)
            .into_iter()
            .map(|f| ConflictFieldInfo {
                field: f.field,
                yours: f.yours,
                server: f.server,
            })
            .collect(),
        id: c.id,
        kind: if c.kind == SHOP_EDIT {
            StorefrontConflictKind::Shop
        } else {
            StorefrontConflictKind::Product
        },
        entity_id: c.entity_id,
        rejected: c.outcome.as_str() == "rejected",
        reason: c.reason,
        at_ms: c.created_ms,
    }
}

impl From<ProductEdit> for ProductChanges {
    fn from(e: ProductEdit) -> Self {
        ProductChanges {
            title: e.title,
            price: e.price_fen.map(Fen),
            description: e.description,
            published: e.published,
            featured: e.featured,
            mobile_description: e.mobile_description,
        }
    }
}

impl From<ShopEdit> for ShopChanges {
    fn from(e: ShopEdit) -> Self {
        ShopChanges {
            name: e.name,
            announcement: e.announcement,
            theme_color: e.theme_color,
        }
    }
}

#[uniffi::export]
impl SellerApp {
    /// Lints the shop profile and every listing buyers can see, for phones and for the
    /// marketplace's and the Advertising Law's rules; each finding with its fix, in the
    /// seller's language. A local read: call it off the main thread.
    ///
    /// # Errors
    /// `Storage` when the database fails.
    pub fn lint(&self) -> Result<LintOverview, SellerKitError> {
        let language = self.app().language();
        self.call(|app| app.storefront_lint())
            .map(|r| overview(r, language))
    }

    /// Draws `page` as `device` shows it and returns the PNG, with the font of
    /// `SellerAppConfig.font_path` and the downloaded pictures (a missing picture is drawn
    /// as a placeholder). Runs on SellerKit's threads; cancelling the caller abandons it.
    ///
    /// # Errors
    /// `InvalidInput` when no usable font is configured or the product is unknown;
    /// `NotActivated` before the first sync (no shop yet); `Storage`.
    pub async fn preview(
        self: Arc<Self>,
        page: StorefrontPage,
        device: PreviewDevice,
    ) -> Result<PreviewImage, SellerKitError> {
        let language = self.app().language();
        let page = match page {
            StorefrontPage::Home => PreviewPage::Home,
            StorefrontPage::Product { id } => PreviewPage::Product(id),
        };
        let device = match device {
            PreviewDevice::Bundled => DeviceProfile::Bundled,
            PreviewDevice::Modern => DeviceProfile::Modern,
        };
        runtime::spawn(Default::default(), language, async move {
            let p: CorePreview = self
                .app()
                .storefront_preview(page, device)
                .await
                .map_err(|e| SellerKitError::from_app(e, language))?;
            Ok(PreviewImage {
                png: p.png,
                width: p.width,
                height: p.height,
            })
        })
        .await
    }

    /// Listing `product_id` as it is on the phone now, the seller's unsynced edits included:
    /// the values an edit form starts from. A local read: call it off the main thread.
    ///
    /// # Errors
    /// `InvalidInput` for an unknown product (the same error `editProduct` gives: it may have
    /// been deleted; sync and try again); `Storage`.
    pub fn listing(&self, product_id: String) -> Result<ListingInfo, SellerKitError> {
        self.call(|app| app.storefront_listing(&product_id))
            .map(listing)
    }

    /// One page of the listings in id order, drafts and archived ones included. Pass `None`
    /// for the first page, then the `id` of the last listing of the previous page. At most
    /// `limit` listings, and never more than 500 whatever `limit` says, so a page can be
    /// shorter than asked: the listings end with an empty page. A local read: call it off
    /// the main thread.
    ///
    /// # Errors
    /// `InvalidInput` for a `limit` of 0; `Storage`.
    pub fn listings(
        &self,
        after: Option<String>,
        limit: u32,
    ) -> Result<Vec<ListingInfo>, SellerKitError> {
        self.call(|app| app.storefront_listings(after.as_deref(), limit))
            .map(|page| page.into_iter().map(listing).collect())
    }

    /// The shop profile as it is on the phone now, unsynced edits included; `None` before
    /// the first sync (no shop yet). A local read: call it off the main thread.
    ///
    /// # Errors
    /// `Storage` when the database fails.
    pub fn shop(&self) -> Result<Option<ShopInfo>, SellerKitError> {
        self.call(|app| app.storefront_shop()).map(|s| s.map(shop))
    }

    /// Edits listing `product_id`: the change is saved on the phone and queued for the next
    /// sync in one transaction (offline is fine). Returns the listing as it now is. Only the
    /// fields whose value changes are queued, so a form prefilled from `listing` may send
    /// every field; a field left alone never conflicts with the server's newer value.
    ///
    /// # Errors
    /// `InvalidInput` (nothing written) for a blank or too long title, a negative price, a
    /// too long text, an unknown product; the reason names the field. `Storage`.
    pub fn edit_product(
        &self,
        product_id: String,
        edit: ProductEdit,
    ) -> Result<ListingInfo, SellerKitError> {
        let changes = ProductChanges::from(edit);
        self.call(|app| app.edit_product(&product_id, &changes))
            .map(listing)
    }

    /// Edits the shop profile, as `editProduct` does a listing (a form prefilled from `shop`
    /// may send every field; only the changed ones are queued).
    ///
    /// # Errors
    /// `InvalidInput` (nothing written) for a blank or too long name or announcement, a
    /// theme colour not in `#RRGGBB`; `NotActivated` before the first sync; `Storage`.
    pub fn edit_shop(&self, edit: ShopEdit) -> Result<ShopInfo, SellerKitError> {
        let changes = ShopChanges::from(edit);
        self.call(|app| app.edit_shop(&changes)).map(shop)
    }

    /// Adds the photo file at `path` (e.g. the picker's copy in the app's cache): decoded with
    /// bounds, its 750 px mobile JPEG written into the media folder. Returns the new image id
    /// for `setMainImage`, `setGallery`, `setLogo` or `setBanner`; nothing is queued before
    /// that. Blocking: call it off the main thread.
    ///
    /// # Errors
    /// `InvalidInput` (nothing stored) for a file that is not a picture, damaged or too big;
    /// `Io` when the file cannot be read or the media folder written.
    pub fn add_photo(&self, path: String) -> Result<String, SellerKitError> {
        self.call(|app| app.add_photo(std::path::Path::new(&path)))
    }

    /// Makes image `image_id` the main picture of listing `product_id`; the photo's upload
    /// is queued before the edit, in one transaction.
    ///
    /// # Errors
    /// `InvalidInput` for an unknown product or image; `Storage`.
    pub fn set_main_image(
        &self,
        product_id: String,
        image_id: String,
    ) -> Result<ListingInfo, SellerKitError> {
        self.call(|app| app.set_main_image(&product_id, &image_id))
            .map(listing)
    }

    /// Sets the gallery of listing `product_id` to `image_ids`, the main picture first; new
    /// photos' uploads are queued before the edit.
    ///
    /// # Errors
    /// As `setMainImage`.
    pub fn set_gallery(
        &self,
        product_id: String,
        image_ids: Vec<String>,
    ) -> Result<ListingInfo, SellerKitError> {
        self.call(|app| app.set_gallery(&product_id, &image_ids))
            .map(listing)
    }

    /// Makes image `image_id` the shop's logo (its upload queued first).
    ///
    /// # Errors
    /// `InvalidInput` for an unknown image; `NotActivated` before the first sync; `Storage`.
    pub fn set_logo(&self, image_id: String) -> Result<ShopInfo, SellerKitError> {
        self.call(|app| app.set_logo(&image_id)).map(shop)
    }

    /// Makes image `image_id` the shop's banner (its upload queued first).
    ///
    /// # Errors
    /// As `setLogo`.
    pub fn set_banner(&self, image_id: String) -> Result<ShopInfo, SellerKitError> {
        self.call(|app| app.set_banner(&image_id)).map(shop)
    }

    /// Storefront edits the server did not accept and that are not settled yet, oldest
    /// first. A local read.
    ///
    /// # Errors
    /// `Storage` when the database fails.
    pub fn storefront_conflicts(&self) -> Result<Vec<StorefrontConflict>, SellerKitError> {
        self.call(|app| app.storefront_conflicts())
            .map(|list| list.into_iter().map(conflict).collect())
    }

    /// Settles a storefront conflict by keeping the server's values on the phone.
    ///
    /// # Errors
    /// `InvalidInput` when the conflict is already settled or unknown; `Storage`.
    pub fn keep_server(&self, conflict_id: i64) -> Result<(), SellerKitError> {
        self.call(|app| app.keep_server(conflict_id))
    }

    /// Settles a storefront conflict by applying the seller's edit again on top of the
    /// server's values; it goes to the server with the next sync.
    ///
    /// # Errors
    /// As `keepServer`.
    pub fn reapply(&self, conflict_id: i64) -> Result<(), SellerKitError> {
        self.call(|app| app.reapply(conflict_id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sellerkit_core::domain::ConflictOutcome;

    #[test]
    fn a_conflict_record_names_its_kind_and_fields() {
        let c = conflict(Conflict {
            id: 4,
            mutation_id: 9,
            kind: SHOP_EDIT.into(),
            entity_id: "shop_demo".into(),
            outcome: ConflictOutcome::Conflict,
            reason: "stale".into(),
            server_state: Some(r#"{"name": "B"}"#.into()),
            payload: r#"{"name": "A"}"#.into(),
            created_ms: 5,
            resolved_ms: None,
        });
        assert_eq!(c.kind, StorefrontConflictKind::Shop);
        assert!(!c.rejected);
        assert_eq!(
            c.fields,
            vec![ConflictFieldInfo {
                field: "name".into(),
                yours: "A".into(),
                server: Some("B".into()),
            }]
        );
    }
}
