//! The storefront's calls, as the CLI and the FFI facade use them: lint the shop, draw a
//! preview, edit the shop and its listings, and settle edit conflicts.
//!
//! Edits follow the sync model: each is applied to the local database and queued in the outbox
//! with the server version it was made on, in one transaction. Synced fields go to the server
//! as `product_edit` / `shop_edit`; the phone-presentation fields (featured, mobile
//! description, theme colour) are the phone's own and are kept in the storefront tables. A
//! stale edit comes back from the server as a conflict; the seller keeps the server's value or
//! applies theirs again.

use std::path::{Path, PathBuf};

use image::RgbImage;
use serde_json::{Map, Value};

use super::lint::{self, Finding, LintSummary, Localized};
use super::media::{MediaError, VariantCache, VariantKind, cache::DEFAULT_CAP_BYTES, media_file};
use super::preview::{
    DEFAULT_THEME, DeviceProfile, Font, ListingView, PictureSource, Preview, PreviewError,
    ShopView, parse_color, render_home, render_product,
};
use crate::domain::{Conflict, Product, ProductImage, ProductStatus, ShopProfile};
use crate::money::Fen;
use crate::store::{ListingSettings, NewMutation, Store, StoreError};
use crate::time::Clock;

/// Mutation kind of a listing edit.
pub const PRODUCT_EDIT: &str = "product_edit";
/// Mutation kind of a shop-profile edit.
pub const SHOP_EDIT: &str = "shop_edit";
/// Most featured listings the home preview reads (more never fit on a screen).
const FEATURED_LIMIT: u32 = 40;

/// Why a storefront call failed.
#[derive(Debug, thiserror::Error)]
pub enum StorefrontError {
    /// The database could not be read or written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The preview could not be drawn (font).
    #[error(transparent)]
    Preview(#[from] PreviewError),
    /// The device is not activated: there is no shop yet.
    #[error("no shop yet: activate the device first")]
    NoShop,
    /// No product with that id.
    #[error("no product {0}")]
    NoProduct(String),
    /// No open conflict with that id.
    #[error("no open storefront conflict {0}")]
    NoConflict(i64),
    /// An edit value is not acceptable; the message is for the seller.
    #[error("{field}: {}", message.en)]
    Invalid {
        /// The field.
        field: &'static str,
        /// Why, in both languages.
        message: Localized,
    },
}

/// Changes to a listing; `None` leaves a field as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProductChanges {
    /// Title (synced).
    pub title: Option<String>,
    /// Price in fen (synced).
    pub price: Option<Fen>,
    /// Long description (synced).
    pub description: Option<String>,
    /// Published = active, unpublished = draft (synced).
    pub published: Option<bool>,
    /// Shown on the mobile home (phone setting).
    pub featured: Option<bool>,
    /// Short description on the phone's product page (phone setting).
    pub mobile_description: Option<String>,
}

/// Changes to the shop profile; `None` leaves a field as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ShopChanges {
    /// Shop name (synced).
    pub name: Option<String>,
    /// Announcement under the banner (synced as the profile's description).
    pub announcement: Option<String>,
    /// Theme colour `#RRGGBB` (phone setting).
    pub theme_color: Option<String>,
}

/// The lint of the whole shop.
#[derive(Clone, Debug, serde::Serialize)]
pub struct LintReport {
    /// Every finding: the shop's first, then products in id order.
    pub findings: Vec<Finding>,
    /// Counts.
    pub summary: LintSummary,
}

/// Which page to preview.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PreviewPage {
    /// The shop's home.
    Home,
    /// A product page, by product id.
    Product(String),
}

impl std::str::FromStr for PreviewPage {
    type Err = crate::domain::UnknownVariant;
    /// `home` or `product:ID`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.strip_prefix("product:") {
            Some(id) if !id.is_empty() => Ok(PreviewPage::Product(id.to_owned())),
            _ if s == "home" => Ok(PreviewPage::Home),
            _ => Err(crate::domain::UnknownVariant {
                what: "preview page",
                value: s.to_owned(),
            }),
        }
    }
}

/// The storefront over one database and media folder.
pub struct Storefront<'a> {
    store: &'a Store,
    clock: &'a dyn Clock,
    media_dir: PathBuf,
}

impl<'a> Storefront<'a> {
    /// The storefront of `store`, with pictures in `media_dir` (`SellerAppConfig.media_dir`).
    pub fn new(store: &'a Store, clock: &'a dyn Clock, media_dir: &Path) -> Self {
        Storefront {
            store,
            clock,
            media_dir: media_dir.to_path_buf(),
        }
    }

    /// Lints the shop profile and every listing.
    pub fn lint(&self) -> Result<LintReport, StorefrontError> {
        self.store.read(|db| {
            let mut findings = Vec::new();
            let mut summary = LintSummary::default();
            if let Some(shop) = db.shop().get()? {
                let images: Vec<ProductImage> = [&shop.logo_image_id, &shop.banner_image_id]
                    .into_iter()
                    .flatten()
                    .filter_map(|id| db.catalog().image(id).transpose())
                    .collect::<Result<_, _>>()?;
                let shop_findings = lint::lint_shop(&shop, &shop.description, &images);
                summary.add(&shop_findings);
                findings.extend(shop_findings);
            }
            let mut after: Option<String> = None;
            loop {
                let page = db.catalog().products_page(after.as_deref(), 500)?;
                let Some(last) = page.last() else { break };
                after = Some(last.id.clone());
                for product in &page {
                    if product.status == ProductStatus::Archived {
                        continue;
                    }
                    let images = db.catalog().images_of(&product.id)?;
                    let settings = db.storefront().listing(&product.id)?;
                    let mut found = lint::lint_product(product, &images);
                    found.extend(lint::lint_mobile_description(
                        &product.id,
                        &settings.mobile_description,
                    ));
                    summary.add_product(&found);
                    findings.extend(found);
                }
            }
            Ok(LintReport { findings, summary })
        })
    }

    /// Draws `page` for `device` with `font`; labels in `language` (`en*` or zh-CN).
    pub fn preview(
        &self,
        page: &PreviewPage,
        device: DeviceProfile,
        font: &Font,
        language: &str,
    ) -> Result<Preview, StorefrontError> {
        let pictures = CachedPictures::new(&self.media_dir);
        let (shop, listings) = self.store.read(|db| {
            let shop = db.shop().get()?.ok_or(StorefrontError::NoShop)?;
            let image = |id: &Option<String>| -> Result<Option<ProductImage>, StoreError> {
                match id {
                    Some(id) => db.catalog().image(id),
                    None => Ok(None),
                }
            };
            let theme = db
                .storefront()
                .theme_color()?
                .as_deref()
                .and_then(parse_color)
                .unwrap_or(DEFAULT_THEME);
            let view = ShopView {
                name: shop.name.clone(),
                announcement: shop.description.clone(),
                theme,
                logo: image(&shop.logo_image_id)?,
                banner: image(&shop.banner_image_id)?,
            };
            let listing = |product: Product| -> Result<ListingView, StoreError> {
                let mut pictures = db.catalog().images_of(&product.id)?;
                pictures.sort_by_key(|p| p.position);
                let settings = db.storefront().listing(&product.id)?;
                Ok(ListingView {
                    product,
                    pictures,
                    mobile_description: settings.mobile_description,
                })
            };
            let listings = match page {
                PreviewPage::Home => {
                    let mut out = Vec::new();
                    for id in db.storefront().featured_ids(FEATURED_LIMIT)? {
                        if let Some(p) = db.catalog().product(&id)? {
                            out.push(listing(p)?);
                        }
                    }
                    out
                }
                PreviewPage::Product(id) => {
                    let p = db
                        .catalog()
                        .product(id)?
                        .ok_or_else(|| StorefrontError::NoProduct(id.clone()))?;
                    vec![listing(p)?]
                }
            };
            Ok::<_, StorefrontError>((view, listings))
        })?;
        Ok(match page {
            PreviewPage::Home => render_home(&shop, &listings, device, font, &pictures, language),
            PreviewPage::Product(_) => {
                render_product(&shop, &listings[0], device, font, &pictures, language)
            }
        })
    }

    /// Applies `changes` to a listing and queues the synced ones, in one transaction.
    pub fn edit_product(
        &self,
        id: &str,
        changes: &ProductChanges,
    ) -> Result<Product, StorefrontError> {
        check_product_changes(changes)?;
        let now = self.clock.now_ms();
        self.store.write(|db| {
            let mut product = db
                .catalog()
                .product(id)?
                .ok_or_else(|| StorefrontError::NoProduct(id.to_owned()))?;
            let mut payload = Map::new();
            if let Some(title) = &changes.title {
                product.title = title.trim().to_owned();
                payload.insert("title".into(), Value::from(product.title.clone()));
            }
            if let Some(price) = changes.price {
                product.price = price;
                payload.insert("price".into(), Value::from(price.0));
            }
            if let Some(description) = &changes.description {
                product.description = description.clone();
                payload.insert("description".into(), Value::from(description.clone()));
            }
            if let Some(published) = changes.published {
                product.status = if published {
                    ProductStatus::Active
                } else {
                    ProductStatus::Draft
                };
                payload.insert("status".into(), Value::from(product.status.as_str()));
            }
            if !payload.is_empty() {
                product.updated_ms = now;
                db.catalog().put_product(&product)?;
                enqueue(db, PRODUCT_EDIT, id, product.version, &payload, now)?;
            }
            if changes.featured.is_some() || changes.mobile_description.is_some() {
                let mut settings: ListingSettings = db.storefront().listing(id)?;
                if let Some(f) = changes.featured {
                    settings.featured = f;
                }
                if let Some(d) = &changes.mobile_description {
                    settings.mobile_description = d.clone();
                }
                db.storefront().put_listing(id, &settings, now)?;
            }
            Ok(product)
        })
    }

    /// Applies `changes` to the shop profile and queues the synced ones, in one transaction.
    pub fn edit_shop(&self, changes: &ShopChanges) -> Result<ShopProfile, StorefrontError> {
        check_shop_changes(changes)?;
        let now = self.clock.now_ms();
        self.store.write(|db| {
            let mut shop = db.shop().get()?.ok_or(StorefrontError::NoShop)?;
            let mut payload = Map::new();
            if let Some(name) = &changes.name {
                shop.name = name.trim().to_owned();
                payload.insert("name".into(), Value::from(shop.name.clone()));
            }
            if let Some(a) = &changes.announcement {
                shop.description = a.clone();
                payload.insert("description".into(), Value::from(a.clone()));
            }
            if !payload.is_empty() {
                shop.updated_ms = now;
                db.shop().put(&shop)?;
                enqueue(
                    db,
                    SHOP_EDIT,
                    &shop.shop_id.clone(),
                    shop.version,
                    &payload,
                    now,
                )?;
            }
            if let Some(color) = &changes.theme_color {
                db.storefront()
                    .set_theme_color(&color.to_ascii_uppercase(), now)?;
            }
            Ok(shop)
        })
    }

    /// Open conflicts of storefront edits, oldest first.
    pub fn conflicts(&self) -> Result<Vec<Conflict>, StorefrontError> {
        let all = self.store.read(|db| db.sync().conflicts(false))?;
        Ok(all
            .into_iter()
            .filter(|c| c.kind == PRODUCT_EDIT || c.kind == SHOP_EDIT)
            .collect())
    }

    /// Settles a conflict by taking the server's state: it is written locally and the
    /// conflict is closed.
    pub fn keep_server(&self, conflict_id: i64) -> Result<(), StorefrontError> {
        let now = self.clock.now_ms();
        self.store.write(|db| {
            let c = open_conflict(db, conflict_id)?;
            write_server_state(db, &c)?;
            db.sync().resolve_conflict(c.id, now)?;
            Ok(())
        })
    }

    /// Settles a conflict by applying the seller's edit again on top of the server's state,
    /// queued with the server's version as its new base.
    pub fn reapply(&self, conflict_id: i64) -> Result<(), StorefrontError> {
        let now = self.clock.now_ms();
        self.store.write(|db| {
            let c = open_conflict(db, conflict_id)?;
            let base = write_server_state(db, &c)?;
            let payload: Map<String, Value> = serde_json::from_str(&c.payload).unwrap_or_default();
            if c.kind == PRODUCT_EDIT {
                if let Some(mut p) = db.catalog().product(&c.entity_id)? {
                    let mut v = serde_json::to_value(&p).unwrap_or(Value::Null);
                    merge(&mut v, &payload);
                    if let Ok(edited) = serde_json::from_value::<Product>(v) {
                        p = Product {
                            updated_ms: now,
                            ..edited
                        };
                        db.catalog().put_product(&p)?;
                    }
                }
            } else if let Some(shop) = db.shop().get()? {
                let mut v = serde_json::to_value(&shop).unwrap_or(Value::Null);
                merge(&mut v, &payload);
                if let Ok(edited) = serde_json::from_value::<ShopProfile>(v) {
                    db.shop().put(&ShopProfile {
                        updated_ms: now,
                        ..edited
                    })?;
                }
            }
            enqueue(db, &c.kind, &c.entity_id, base, &payload, now)?;
            db.sync().resolve_conflict(c.id, now)?;
            Ok(())
        })
    }
}

fn merge(target: &mut Value, payload: &Map<String, Value>) {
    if let Some(obj) = target.as_object_mut() {
        for (k, v) in payload {
            obj.insert(k.clone(), v.clone());
        }
    }
}

fn enqueue(
    db: &crate::store::Db<'_>,
    kind: &str,
    entity_id: &str,
    base: i64,
    payload: &Map<String, Value>,
    now: i64,
) -> Result<i64, StoreError> {
    let body = Value::Object(payload.clone()).to_string();
    db.sync().enqueue(&NewMutation {
        kind,
        entity_id,
        base_version: Some(base),
        payload: &body,
        created_ms: now,
    })
}

fn open_conflict(db: &crate::store::Db<'_>, id: i64) -> Result<Conflict, StorefrontError> {
    db.sync()
        .conflicts(false)?
        .into_iter()
        .find(|c| c.id == id && (c.kind == PRODUCT_EDIT || c.kind == SHOP_EDIT))
        .ok_or(StorefrontError::NoConflict(id))
}

/// Writes the conflict's server state locally; returns the server's version (the new base).
fn write_server_state(db: &crate::store::Db<'_>, c: &Conflict) -> Result<i64, StorefrontError> {
    let state = c.server_state.as_deref().unwrap_or("null");
    if c.kind == PRODUCT_EDIT {
        if let Ok(p) = serde_json::from_str::<Product>(state) {
            db.catalog().put_product(&p)?;
            return Ok(p.version);
        }
    } else if let Ok(s) = serde_json::from_str::<ShopProfile>(state) {
        db.shop().put(&s)?;
        return Ok(s.version);
    }
    // A rejection (no server state): the local row stands; its version is the base.
    let local = if c.kind == PRODUCT_EDIT {
        db.catalog().product(&c.entity_id)?.map(|p| p.version)
    } else {
        db.shop().get()?.map(|s| s.version)
    };
    Ok(local.unwrap_or(0))
}

fn invalid(field: &'static str, zh: String, en: String) -> StorefrontError {
    StorefrontError::Invalid {
        field,
        message: Localized { zh, en },
    }
}

fn check_product_changes(c: &ProductChanges) -> Result<(), StorefrontError> {
    if let Some(t) = &c.title {
        let n = t.trim().chars().count();
        if n == 0 || n > 200 {
            return Err(invalid(
                "title",
                "标题不能为空，最多 200 个字".into(),
                "The title must not be blank and has at most 200 characters".into(),
            ));
        }
    }
    if let Some(p) = c.price
        && p.0 < 0
    {
        return Err(invalid(
            "price",
            "价格不能为负数".into(),
            "The price cannot be negative".into(),
        ));
    }
    if c.description
        .as_ref()
        .is_some_and(|d| d.chars().count() > 10_000)
    {
        return Err(invalid(
            "description",
            "描述最多 10000 个字".into(),
            "The description has at most 10,000 characters".into(),
        ));
    }
    if c.mobile_description
        .as_ref()
        .is_some_and(|d| d.chars().count() > 500)
    {
        return Err(invalid(
            "mobile_description",
            "手机描述最多 500 个字".into(),
            "The mobile description has at most 500 characters".into(),
        ));
    }
    Ok(())
}

fn check_shop_changes(c: &ShopChanges) -> Result<(), StorefrontError> {
    if let Some(n) = &c.name {
        let len = n.trim().chars().count();
        if len == 0 || len > 100 {
            return Err(invalid(
                "name",
                "店铺名不能为空，最多 100 个字".into(),
                "The shop name must not be blank and has at most 100 characters".into(),
            ));
        }
    }
    if c.announcement
        .as_ref()
        .is_some_and(|a| a.chars().count() > 2_000)
    {
        return Err(invalid(
            "announcement",
            "公告最多 2000 个字".into(),
            "The announcement has at most 2,000 characters".into(),
        ));
    }
    if let Some(color) = &c.theme_color
        && parse_color(color).is_none()
    {
        return Err(invalid(
            "theme_color",
            format!("颜色“{color}”无效，请用 #RRGGBB 格式"),
            format!("\"{color}\" is not a colour; use #RRGGBB"),
        ));
    }
    Ok(())
}

/// Pictures from the media folder through the variant cache; any failure is a placeholder.
pub struct CachedPictures {
    media_dir: PathBuf,
    cache: VariantCache,
}

impl CachedPictures {
    /// Pictures of `media_dir`, variants cached under it with the default cap.
    pub fn new(media_dir: &Path) -> Self {
        CachedPictures {
            media_dir: media_dir.to_path_buf(),
            cache: VariantCache::new(media_dir, DEFAULT_CAP_BYTES),
        }
    }

    fn load(&self, image: &ProductImage, kind: VariantKind) -> Result<RgbImage, MediaError> {
        let local = image.local_path.as_deref().ok_or(MediaError::NotAnImage)?;
        let file = media_file(&self.media_dir, local).ok_or(MediaError::NotAnImage)?;
        // A new picture under the same id has a new hash: a new cache key.
        let key = format!("{}:{}", image.id, image.sha256.as_deref().unwrap_or(local));
        self.cache.variant(&key, &file, kind)
    }
}

impl PictureSource for CachedPictures {
    fn picture(&self, image: &ProductImage, kind: VariantKind) -> Option<RgbImage> {
        match self.load(image, kind) {
            Ok(p) => Some(p),
            Err(e) => {
                tracing::debug!(image = %image.id, error = %e, "picture drawn as a placeholder");
                None
            }
        }
    }
}

#[cfg(test)]
#[path = "service_tests.rs"]
mod tests;
