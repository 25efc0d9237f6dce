//! The storefront's calls, as the CLI and the FFI facade use them: lint the shop, draw a
//! preview, read the shop and its listings as they are on the phone (what an edit form
//! starts from), edit them, and settle edit conflicts.
//!
//! Edits follow the sync model: each is applied to the local database and queued in the outbox
//! with the server version it was made on, in one transaction, as `product_edit` / `shop_edit`
//! (every field syncs, featured, mobile description, gallery order and theme colour included).
//! Photos are added with [`Storefront::add_photo`] (bounded decode, mobile variant into the
//! media folder) and queued for upload when they are placed (main picture, gallery, logo,
//! banner), before the edit that places them. A stale edit comes back from the server as a
//! conflict; the seller keeps the server's value or applies theirs again.

use std::path::{Path, PathBuf};

use image::RgbImage;
use serde_json::{Map, Value};

use super::lint::{self, Finding, LintSummary, Localized};
use sha2::{Digest as _, Sha256};

use super::media::{
    DecodeLimits, MediaError, VariantCache, VariantKind, cache::DEFAULT_CAP_BYTES, decode,
    encode_jpeg, make_variant, media_file,
};
use super::preview::{
    DEFAULT_THEME, DeviceProfile, Font, ListingView, PictureSource, Preview, PreviewError,
    ShopView, parse_color, render_home, render_product,
};
use crate::domain::{Conflict, ImageRole, Product, ProductImage, ProductStatus, ShopProfile};
use crate::money::Fen;
use crate::protocol::{
    MAX_GALLERY, MEDIA_UPLOAD_KIND, MediaUploadPayload, ProductEditPayload, ShopEditPayload,
};
use crate::store::{NewMutation, PendingPhoto, Store, StoreError};
use crate::time::Clock;

/// Mutation kind of a listing edit.
pub const PRODUCT_EDIT: &str = crate::protocol::PRODUCT_EDIT_KIND;
/// Mutation kind of a shop-profile edit.
pub const SHOP_EDIT: &str = crate::protocol::SHOP_EDIT_KIND;
/// Largest photo file [`Storefront::add_photo`] reads: a 50-megapixel camera JPEG fits.
pub const MAX_PHOTO_FILE_BYTES: u64 = 32 * 1024 * 1024;
/// Most featured listings the home preview reads (more never fit on a screen).
const FEATURED_LIMIT: u32 = 40;
/// Most listings one page of [`Storefront::listings`] returns, whatever the caller asks: a
/// page of this size stays well under a megabyte on the phone.
pub const MAX_LISTINGS_PAGE: u32 = 500;

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
    /// No added photo (or no picture of that place) with that id.
    #[error("no photo {0} to place here: add it first")]
    NoPhoto(String),
    /// The picked photo cannot be used (unreadable, not a picture, damaged, too large);
    /// nothing was stored or queued.
    #[error("photo refused: {0}")]
    Photo(MediaError),
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
    /// Shown on the mobile home (synced).
    pub featured: Option<bool>,
    /// Short description on the phone's product page, at most 500 characters (synced).
    pub mobile_description: Option<String>,
}

/// Changes to the shop profile; `None` leaves a field as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ShopChanges {
    /// Shop name (synced).
    pub name: Option<String>,
    /// Announcement under the banner (synced as the profile's description).
    pub announcement: Option<String>,
    /// Theme colour `#RRGGBB` (synced, upper case).
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

    /// Listing `id` as it is on the phone now (synced values with the seller's unsynced
    /// edits applied): what an edit form starts from.
    pub fn listing(&self, id: &str) -> Result<Product, StorefrontError> {
        self.store.read(|db| {
            db.catalog()
                .product(id)?
                .ok_or_else(|| StorefrontError::NoProduct(id.to_owned()))
        })
    }

    /// One page of the listings in id order, every status included (drafts and archived
    /// ones too: the seller may edit them). `after` is the last id of the previous page
    /// (`None` for the first page); `limit` is capped at [`MAX_LISTINGS_PAGE`], so a page may
    /// be shorter than asked: the listings end with an empty page. A `limit` of 0 is refused
    /// (it would look like the end).
    pub fn listings(
        &self,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Product>, StorefrontError> {
        if limit == 0 {
            return Err(invalid(
                "limit",
                "每页至少要读 1 个商品".into(),
                "A page must hold at least 1 listing".into(),
            ));
        }
        let limit = limit.min(MAX_LISTINGS_PAGE);
        Ok(self
            .store
            .read(|db| db.catalog().products_page(after, limit))?)
    }

    /// The shop profile as it is on the phone now, or `None` before the first sync.
    pub fn shop(&self) -> Result<Option<ShopProfile>, StorefrontError> {
        Ok(self.store.read(|db| db.shop().get())?)
    }

    /// Applies `changes` to a listing and queues them as one `product_edit` with the product
    /// version the seller saw, in one transaction. Every field syncs. Only the fields whose
    /// value changes are queued (an edit form may send every field); no change, no mutation.
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
            // A field set to the value it already has is not an edit: a form that starts
            // from the current values sends them all, and only the changed ones may be queued
            // (an untouched field must not conflict with the server's newer value).
            let mut payload = ProductEditPayload::default();
            if let Some(title) = changes.title.as_deref().map(str::trim)
                && title != product.title
            {
                product.title = title.to_owned();
                payload.title = Some(product.title.clone());
            }
            if let Some(price) = changes.price
                && price != product.price
            {
                product.price = price;
                payload.price = Some(price);
            }
            if let Some(description) = &changes.description
                && *description != product.description
            {
                product.description = description.clone();
                payload.description = Some(description.clone());
            }
            // Unpublishing an archived listing leaves it archived.
            if let Some(published) = changes.published
                && published != (product.status == ProductStatus::Active)
            {
                product.status = if published {
                    ProductStatus::Active
                } else {
                    ProductStatus::Draft
                };
                payload.status = Some(product.status);
            }
            if let Some(featured) = changes.featured
                && featured != product.featured
            {
                product.featured = featured;
                payload.featured = Some(featured);
            }
            if let Some(d) = &changes.mobile_description
                && *d != product.mobile_description
            {
                product.mobile_description = d.clone();
                payload.mobile_description = Some(d.clone());
            }
            if payload != ProductEditPayload::default() {
                save_product_edit(db, &mut product, &payload, now)?;
            }
            Ok(product)
        })
    }

    /// Applies `changes` to the shop profile and queues them as one `shop_edit` with the
    /// profile version the seller saw, in one transaction. Every field syncs. As for a
    /// listing, only the fields whose value changes are queued.
    pub fn edit_shop(&self, changes: &ShopChanges) -> Result<ShopProfile, StorefrontError> {
        check_shop_changes(changes)?;
        let now = self.clock.now_ms();
        self.store.write(|db| {
            let mut shop = db.shop().get()?.ok_or(StorefrontError::NoShop)?;
            // As for a listing: only the fields whose value changes are queued.
            let mut payload = ShopEditPayload::default();
            if let Some(name) = changes.name.as_deref().map(str::trim)
                && name != shop.name
            {
                shop.name = name.to_owned();
                payload.name = Some(shop.name.clone());
            }
            if let Some(a) = &changes.announcement
                && *a != shop.description
            {
                shop.description = a.clone();
                payload.description = Some(a.clone());
            }
            if let Some(color) = &changes.theme_color {
                let color = color.trim().to_ascii_uppercase();
                if shop.theme_color.as_deref() != Some(color.as_str()) {
                    shop.theme_color = Some(color.clone());
                    payload.theme_color = Some(color);
                }
            }
            if payload != ShopEditPayload::default() {
                save_shop_edit(db, &mut shop, &payload, now)?;
            }
            Ok(shop)
        })
    }

    /// Adds a photo the seller picked (a PNG, JPEG or WebP file) and returns its image id.
    ///
    /// The file is read (at most [`MAX_PHOTO_FILE_BYTES`]) and decoded with bounds (a corrupt,
    /// hostile or gigantic picture is a [`StorefrontError::Photo`], and nothing is stored or
    /// queued); the EXIF orientation is applied and every metadata dropped; the photo, at most
    /// 1600 px on its long side (`VariantKind::Upload`), is written as a JPEG into the media
    /// folder. The photo is not placed yet: give it a
    /// place with [`Storefront::set_main_image`], [`Storefront::set_gallery`],
    /// [`Storefront::set_logo`] or [`Storefront::set_banner`], which queue its upload.
    pub fn add_photo(&self, path: &Path) -> Result<String, StorefrontError> {
        let photo_err = |e: MediaError| StorefrontError::Photo(e);
        let io = |e: std::io::Error| photo_err(MediaError::io(path, e));
        let file = std::fs::File::open(path).map_err(io)?;
        let len = file.metadata().map_err(io)?.len();
        if len > MAX_PHOTO_FILE_BYTES {
            return Err(photo_err(MediaError::TooLarge {
                detail: format!(
                    "the file has {len} bytes, at most {MAX_PHOTO_FILE_BYTES} are read"
                ),
            }));
        }
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(
            &mut std::io::Read::take(file, MAX_PHOTO_FILE_BYTES + 1),
            &mut bytes,
        )
        .map_err(io)?;
        if bytes.len() as u64 > MAX_PHOTO_FILE_BYTES {
            return Err(photo_err(MediaError::TooLarge {
                detail: format!("the file has more than {MAX_PHOTO_FILE_BYTES} bytes"),
            }));
        }
        let decoded = decode(&bytes, DecodeLimits::default()).map_err(photo_err)?;
        drop(bytes);
        // The marketplace gets the large picture (the main-picture rule asks 800x800); the
        // preview draws from its own smaller variants.
        let variant = make_variant(&decoded.image, VariantKind::Upload).map_err(photo_err)?;
        drop(decoded);
        let jpeg = encode_jpeg(&variant.image).map_err(photo_err)?;
        if jpeg.len() as u64 > crate::protocol::MAX_MEDIA_BYTES {
            return Err(photo_err(MediaError::TooLarge {
                detail: format!("the mobile picture has {} bytes", jpeg.len()),
            }));
        }
        let id = format!("img-{}", uuid::Uuid::now_v7());
        let name = format!("{id}.jpg");
        std::fs::create_dir_all(&self.media_dir)
            .map_err(|e| photo_err(MediaError::io(&self.media_dir, e)))?;
        let target = self.media_dir.join(&name);
        let tmp = self.media_dir.join(format!("{name}.part"));
        let write_io = |e: std::io::Error| photo_err(MediaError::io(&target, e));
        std::fs::write(&tmp, &jpeg).map_err(write_io)?;
        std::fs::rename(&tmp, &target).map_err(write_io)?;
        let photo = PendingPhoto {
            id: id.clone(),
            file: name,
            sha256: hex::encode(Sha256::digest(&jpeg)),
            byte_len: jpeg.len() as i64,
            width: i64::from(variant.image.width()),
            height: i64::from(variant.image.height()),
            mime: "image/jpeg".into(),
            created_ms: self.clock.now_ms(),
        };
        // A kill before this commit leaves only an unreferenced file in the media folder.
        self.store.write(|db| db.storefront().put_photo(&photo))?;
        Ok(id)
    }

    /// Makes `image_id` (an added photo or one of the product's pictures) the product's main
    /// picture; the others keep their order after it. See [`Storefront::set_gallery`].
    pub fn set_main_image(
        &self,
        product_id: &str,
        image_id: &str,
    ) -> Result<Product, StorefrontError> {
        let current = self.store.read(|db| gallery_of(db, product_id))?;
        let mut order = vec![image_id.to_owned()];
        order.extend(current.into_iter().filter(|i| i != image_id));
        self.set_gallery(product_id, &order)
    }

    /// Orders the product's pictures: `order` first (main picture first), then any picture of
    /// the product it leaves out, in its current order. Each id is one of the product's
    /// pictures or an added photo, which is placed in this product and its upload queued
    /// before the edit. One transaction: the local change, the uploads and the
    /// `product_edit` with `gallery`.
    pub fn set_gallery(
        &self,
        product_id: &str,
        order: &[String],
    ) -> Result<Product, StorefrontError> {
        let mut seen = std::collections::HashSet::new();
        if order.is_empty() || !order.iter().all(|id| seen.insert(id.as_str())) {
            return Err(invalid(
                "gallery",
                "请选择图片，每张只能出现一次".into(),
                "Choose the pictures, each one once".into(),
            ));
        }
        let now = self.clock.now_ms();
        self.store.write(|db| {
            let mut product = db
                .catalog()
                .product(product_id)?
                .ok_or_else(|| StorefrontError::NoProduct(product_id.to_owned()))?;
            let current = gallery_of(db, product_id)?;
            let mut full: Vec<String> = order.to_vec();
            full.extend(current.iter().filter(|i| !order.contains(i)).cloned());
            if full.len() > MAX_GALLERY {
                return Err(invalid(
                    "gallery",
                    format!("一个商品最多 {MAX_GALLERY} 张图片"),
                    format!("A product has at most {MAX_GALLERY} pictures"),
                ));
            }
            for (position, image_id) in full.iter().enumerate() {
                if current.contains(image_id) {
                    continue;
                }
                place_photo(
                    db,
                    image_id,
                    ImageRole::Product,
                    Some(product_id),
                    position,
                    now,
                )?;
            }
            product.gallery = full.clone();
            let payload = ProductEditPayload {
                gallery: Some(full),
                ..Default::default()
            };
            save_product_edit(db, &mut product, &payload, now)?;
            Ok(product)
        })
    }

    /// Makes `image_id` (an added photo, or an image that already is a logo) the shop's
    /// logo; its upload and the `shop_edit` are queued in one transaction.
    pub fn set_logo(&self, image_id: &str) -> Result<ShopProfile, StorefrontError> {
        self.set_shop_image(image_id, ImageRole::Logo)
    }

    /// Makes `image_id` (an added photo, or an image that already is a banner) the shop's
    /// banner; its upload and the `shop_edit` are queued in one transaction.
    pub fn set_banner(&self, image_id: &str) -> Result<ShopProfile, StorefrontError> {
        self.set_shop_image(image_id, ImageRole::Banner)
    }

    /// Photos added with [`Storefront::add_photo`] that are not placed yet.
    pub fn pending_photos(&self) -> Result<i64, StorefrontError> {
        Ok(self.store.read(|db| db.storefront().photo_count())?)
    }

    fn set_shop_image(
        &self,
        image_id: &str,
        role: ImageRole,
    ) -> Result<ShopProfile, StorefrontError> {
        let now = self.clock.now_ms();
        self.store.write(|db| {
            let mut shop = db.shop().get()?.ok_or(StorefrontError::NoShop)?;
            match db.catalog().image(image_id)? {
                Some(img) if img.role == role => {}
                Some(_) => return Err(StorefrontError::NoPhoto(image_id.to_owned())),
                None => place_photo(db, image_id, role, None, 0, now)?,
            }
            let mut payload = ShopEditPayload::default();
            if role == ImageRole::Logo {
                shop.logo_image_id = Some(image_id.to_owned());
                payload.logo_image_id = Some(image_id.to_owned());
            } else {
                shop.banner_image_id = Some(image_id.to_owned());
                payload.banner_image_id = Some(image_id.to_owned());
            }
            save_shop_edit(db, &mut shop, &payload, now)?;
            Ok(shop)
        })
    }

    /// Open conflicts of storefront edits, oldest first.
    pub fn conflicts(&self) -> Result<Vec<Conflict>, StorefrontError> {
        let all = self.store.read(|db| db.sync().conflicts(false))?;
        Ok(all
            .into_iter()
            .filter(|c| is_storefront_kind(&c.kind))
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
            if c.kind == MEDIA_UPLOAD_KIND {
                // A refused upload is tried again as it was (the file is still local).
                db.sync().enqueue(&NewMutation {
                    kind: MEDIA_UPLOAD_KIND,
                    entity_id: &c.entity_id,
                    base_version: None,
                    payload: &c.payload,
                    created_ms: now,
                })?;
                db.sync().resolve_conflict(c.id, now)?;
                return Ok(());
            }
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

/// The product's pictures in their current order, main picture first.
fn gallery_of(db: &crate::store::Db<'_>, product_id: &str) -> Result<Vec<String>, StoreError> {
    Ok(db
        .catalog()
        .images_of(product_id)?
        .into_iter()
        .map(|i| i.id)
        .collect())
}

/// Places a pending photo: it becomes an image with `role` (in `product_id` at `position`)
/// whose file is already local, and its upload is queued.
fn place_photo(
    db: &crate::store::Db<'_>,
    image_id: &str,
    role: ImageRole,
    product_id: Option<&str>,
    position: usize,
    now: i64,
) -> Result<(), StorefrontError> {
    let photo = db
        .storefront()
        .photo(image_id)?
        .ok_or_else(|| StorefrontError::NoPhoto(image_id.to_owned()))?;
    let position = i64::try_from(position).unwrap_or(i64::MAX);
    db.catalog().put_image(&ProductImage {
        id: photo.id.clone(),
        product_id: product_id.map(str::to_owned),
        role,
        position,
        width: Some(photo.width),
        height: Some(photo.height),
        byte_len: Some(photo.byte_len),
        mime: Some(photo.mime.clone()),
        sha256: Some(photo.sha256.clone()),
        local_path: Some(photo.file.clone()),
        updated_ms: now,
    })?;
    let upload = MediaUploadPayload {
        role,
        product_id: product_id.map(str::to_owned),
        position,
        file: photo.file,
        mime: photo.mime,
        sha256: photo.sha256,
    };
    let body = serde_json::to_string(&upload).unwrap_or_else(|_| "{}".into());
    db.sync().enqueue(&NewMutation {
        kind: MEDIA_UPLOAD_KIND,
        entity_id: image_id,
        base_version: None,
        payload: &body,
        created_ms: now,
    })?;
    db.storefront().remove_photo(image_id)?;
    Ok(())
}

/// Mutation kinds whose answers the storefront shows and settles.
fn is_storefront_kind(kind: &str) -> bool {
    kind == PRODUCT_EDIT || kind == SHOP_EDIT || kind == MEDIA_UPLOAD_KIND
}

fn to_map<T: serde::Serialize>(payload: &T) -> Map<String, Value> {
    match serde_json::to_value(payload) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

fn merge(target: &mut Value, payload: &Map<String, Value>) {
    if let Some(obj) = target.as_object_mut() {
        for (k, v) in payload {
            obj.insert(k.clone(), v.clone());
        }
    }
}

/// Writes the edited listing and queues `payload` as its `product_edit`, based on the
/// version the seller saw: the one tail of every listing edit, so none forgets a half.
fn save_product_edit(
    db: &crate::store::Db<'_>,
    product: &mut Product,
    payload: &ProductEditPayload,
    now: i64,
) -> Result<(), StoreError> {
    product.updated_ms = now;
    db.catalog().put_product(product)?;
    enqueue(
        db,
        PRODUCT_EDIT,
        &product.id,
        product.version,
        &to_map(payload),
        now,
    )?;
    Ok(())
}

/// Writes the edited shop profile and queues `payload` as its `shop_edit`, as
/// [`save_product_edit`] does for a listing.
fn save_shop_edit(
    db: &crate::store::Db<'_>,
    shop: &mut ShopProfile,
    payload: &ShopEditPayload,
    now: i64,
) -> Result<(), StoreError> {
    shop.updated_ms = now;
    db.shop().put(shop)?;
    enqueue(
        db,
        SHOP_EDIT,
        &shop.shop_id,
        shop.version,
        &to_map(payload),
        now,
    )?;
    Ok(())
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
        .find(|c| c.id == id && is_storefront_kind(&c.kind))
        .ok_or(StorefrontError::NoConflict(id))
}

/// Writes the conflict's server state locally; returns the server's version (the new base).
fn write_server_state(db: &crate::store::Db<'_>, c: &Conflict) -> Result<i64, StorefrontError> {
    let state = c.server_state.as_deref().unwrap_or("null");
    if c.kind == MEDIA_UPLOAD_KIND {
        return Ok(0);
    }
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
