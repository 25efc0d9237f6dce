//! Products and images.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{StoreError, parse_column};
use crate::domain::{Product, ProductImage};
use crate::money::Fen;

/// Reads and writes products and their images.
pub struct CatalogRepo<'c> {
    pub(super) conn: &'c Connection,
}

const PRODUCT_COLUMNS: &str = "id, title, description, category, price_fen, stock, status, \
                               version, updated_ms, featured, mobile_description, gallery";

fn product_from_row(r: &Row<'_>) -> rusqlite::Result<Product> {
    Ok(Product {
        id: r.get(0)?,
        title: r.get(1)?,
        description: r.get(2)?,
        category: r.get(3)?,
        price: Fen(r.get(4)?),
        stock: r.get(5)?,
        status: parse_column(r, 6)?,
        version: r.get(7)?,
        updated_ms: r.get(8)?,
        featured: r.get::<_, i64>(9)? != 0,
        mobile_description: r.get(10)?,
        gallery: parse_gallery(r, 11)?,
    })
}

/// The gallery column: a JSON array of image ids (checked `json_valid` by the schema).
fn parse_gallery(r: &Row<'_>, idx: usize) -> rusqlite::Result<Vec<String>> {
    let text: String = r.get(idx)?;
    serde_json::from_str(&text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
    })
}

const IMAGE_COLUMNS: &str = "id, product_id, role, position, width, height, byte_len, mime, \
                             sha256, local_path, updated_ms";

fn image_from_row(r: &Row<'_>) -> rusqlite::Result<ProductImage> {
    Ok(ProductImage {
        id: r.get(0)?,
        product_id: r.get(1)?,
        role: parse_column(r, 2)?,
        position: r.get(3)?,
        width: r.get(4)?,
        height: r.get(5)?,
        byte_len: r.get(6)?,
        mime: r.get(7)?,
        sha256: r.get(8)?,
        local_path: r.get(9)?,
        updated_ms: r.get(10)?,
    })
}

impl CatalogRepo<'_> {
    /// Inserts or replaces a product (its images stay).
    pub fn put_product(&self, p: &Product) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO products (id, title, description, category, price_fen, stock, status,
                 version, updated_ms, featured, mobile_description, gallery)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
             ON CONFLICT (id) DO UPDATE SET title = excluded.title,
                 description = excluded.description, category = excluded.category,
                 price_fen = excluded.price_fen, stock = excluded.stock, status = excluded.status,
                 version = excluded.version, updated_ms = excluded.updated_ms,
                 featured = excluded.featured, mobile_description = excluded.mobile_description,
                 gallery = excluded.gallery",
            params![
                p.id,
                p.title,
                p.description,
                p.category,
                p.price.0,
                p.stock,
                p.status.as_str(),
                p.version,
                p.updated_ms,
                i64::from(p.featured),
                p.mobile_description,
                serde_json::to_string(&p.gallery).unwrap_or_else(|_| "[]".into())
            ],
        )?;
        // The seller's order of the pictures is the images' order: position = index.
        if !p.gallery.is_empty() {
            let mut stmt = self.conn.prepare_cached(
                "UPDATE images SET position = ?3 WHERE id = ?1 AND product_id = ?2",
            )?;
            for (i, image_id) in p.gallery.iter().enumerate() {
                stmt.execute(params![image_id, p.id, i as i64])?;
            }
        }
        Ok(())
    }

    /// One product by id.
    pub fn product(&self, id: &str) -> Result<Option<Product>, StoreError> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {PRODUCT_COLUMNS} FROM products WHERE id = ?1"),
                [id],
                product_from_row,
            )
            .optional()?)
    }

    /// Products ordered by id, a page at a time (`after` is the last id of the previous page).
    pub fn products_page(
        &self,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Product>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {PRODUCT_COLUMNS} FROM products WHERE id > ?1 ORDER BY id LIMIT ?2"
        ))?;
        let rows = stmt.query_map(params![after.unwrap_or(""), limit], product_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Removes a product and its images. Returns whether the product existed.
    pub fn delete_product(&self, id: &str) -> Result<bool, StoreError> {
        // No foreign key from images (sync may deliver an image first): delete them here.
        self.conn
            .execute("DELETE FROM images WHERE product_id = ?1", [id])?;
        Ok(self
            .conn
            .execute("DELETE FROM products WHERE id = ?1", [id])?
            > 0)
    }

    /// Inserts or replaces an image's metadata.
    pub fn put_image(&self, img: &ProductImage) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO images (id, product_id, role, position, width, height, byte_len, mime,
                 sha256, local_path, updated_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
             ON CONFLICT (id) DO UPDATE SET product_id = excluded.product_id,
                 role = excluded.role, position = excluded.position, width = excluded.width,
                 height = excluded.height, byte_len = excluded.byte_len, mime = excluded.mime,
                 sha256 = excluded.sha256,
                 -- A downloaded file stays valid only while the content is the same.
                 local_path = CASE WHEN excluded.sha256 IS images.sha256
                     THEN coalesce(excluded.local_path, images.local_path)
                     ELSE excluded.local_path END,
                 updated_ms = excluded.updated_ms",
            params![
                img.id,
                img.product_id,
                img.role.as_str(),
                img.position,
                img.width,
                img.height,
                img.byte_len,
                img.mime,
                img.sha256,
                img.local_path,
                img.updated_ms
            ],
        )?;
        Ok(())
    }

    /// One image by id.
    pub fn image(&self, id: &str) -> Result<Option<ProductImage>, StoreError> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {IMAGE_COLUMNS} FROM images WHERE id = ?1"),
                [id],
                image_from_row,
            )
            .optional()?)
    }

    /// A product's images, main image first.
    pub fn images_of(&self, product_id: &str) -> Result<Vec<ProductImage>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {IMAGE_COLUMNS} FROM images WHERE product_id = ?1 ORDER BY position, id"
        ))?;
        let rows = stmt.query_map([product_id], image_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Removes an image's metadata. Returns whether it existed.
    pub fn delete_image(&self, id: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .execute("DELETE FROM images WHERE id = ?1", [id])?
            > 0)
    }

    /// Images whose bytes are not downloaded yet, at most `limit`, by id.
    pub fn images_without_file(&self, limit: u32) -> Result<Vec<ProductImage>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {IMAGE_COLUMNS} FROM images WHERE local_path IS NULL ORDER BY id LIMIT ?1"
        ))?;
        let rows = stmt.query_map([limit], image_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Calls `visit` for every image, by id.
    pub fn for_each_image(&self, mut visit: impl FnMut(ProductImage)) -> Result<(), StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {IMAGE_COLUMNS} FROM images ORDER BY id"))?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            visit(image_from_row(row)?);
        }
        Ok(())
    }

    /// Records where an image's bytes were saved locally.
    pub fn set_image_local_path(&self, id: &str, local_path: &str) -> Result<bool, StoreError> {
        Ok(self.conn.execute(
            "UPDATE images SET local_path = ?2 WHERE id = ?1",
            params![id, local_path],
        )? > 0)
    }
}
