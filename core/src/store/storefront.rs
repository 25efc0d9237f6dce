//! The storefront's phone presentation (featured listings, mobile descriptions, theme colour,
//! stored on the synced product and shop rows since schema v9) and the photos the seller added
//! on this phone that are not placed yet.

use rusqlite::{Connection, OptionalExtension, params};

use super::StoreError;

/// Reads and writes the storefront's settings and pending photos.
pub struct StorefrontRepo<'c> {
    pub(super) conn: &'c Connection,
}

/// A listing's phone presentation.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct ListingSettings {
    /// Shown in the mobile home's grid.
    pub featured: bool,
    /// Short description for the phone's product page.
    pub mobile_description: String,
}

/// A photo the seller added on this phone: its mobile variant is a file in the media folder,
/// not yet placed as a main picture, gallery picture, logo or banner.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PendingPhoto {
    /// The image id it will have on the server (made on the phone).
    pub id: String,
    /// File name inside the media folder.
    pub file: String,
    /// Hex SHA-256 of the file.
    pub sha256: String,
    /// Size of the file in bytes.
    pub byte_len: i64,
    /// Pixel width.
    pub width: i64,
    /// Pixel height.
    pub height: i64,
    /// MIME type of the file.
    pub mime: String,
    /// When it was added, UTC ms.
    pub created_ms: i64,
}

impl StorefrontRepo<'_> {
    /// A listing's settings (defaults when the product is unknown).
    pub fn listing(&self, product_id: &str) -> Result<ListingSettings, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT featured, mobile_description FROM products WHERE id = ?1",
                [product_id],
                |r| {
                    Ok(ListingSettings {
                        featured: r.get::<_, i64>(0)? != 0,
                        mobile_description: r.get(1)?,
                    })
                },
            )
            .optional()?
            .unwrap_or_default())
    }

    /// Ids of featured active products, in id order, at most `limit`.
    pub fn featured_ids(&self, limit: u32) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id FROM products WHERE featured = 1 AND status = 'active'
             ORDER BY id LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The theme colour, `#RRGGBB`, if the seller chose one.
    pub fn theme_color(&self) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT theme_color FROM shop_profile WHERE id = 1",
                [],
                |r| r.get(0),
            )
            .optional()?
            .flatten())
    }

    /// Records a photo added on this phone.
    pub fn put_photo(&self, p: &PendingPhoto) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO photos (id, file, sha256, byte_len, width, height, mime, created_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                p.id,
                p.file,
                p.sha256,
                p.byte_len,
                p.width,
                p.height,
                p.mime,
                p.created_ms
            ],
        )?;
        Ok(())
    }

    /// A pending photo by id.
    pub fn photo(&self, id: &str) -> Result<Option<PendingPhoto>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, file, sha256, byte_len, width, height, mime, created_ms
                 FROM photos WHERE id = ?1",
                [id],
                |r| {
                    Ok(PendingPhoto {
                        id: r.get(0)?,
                        file: r.get(1)?,
                        sha256: r.get(2)?,
                        byte_len: r.get(3)?,
                        width: r.get(4)?,
                        height: r.get(5)?,
                        mime: r.get(6)?,
                        created_ms: r.get(7)?,
                    })
                },
            )
            .optional()?)
    }

    /// Forgets a pending photo (it was placed). Returns whether it existed.
    pub fn remove_photo(&self, id: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .execute("DELETE FROM photos WHERE id = ?1", [id])?
            > 0)
    }

    /// Number of pending photos.
    pub fn photo_count(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM photos", [], |r| r.get(0))?)
    }
}
