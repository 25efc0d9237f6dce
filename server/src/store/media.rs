//! Image bytes uploaded or seeded, per shop.

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::StoreError;

/// Stored image bytes and what is served with them.
#[derive(Debug)]
pub struct MediaRow {
    /// Encoded bytes.
    pub bytes: Vec<u8>,
    /// Hex SHA-256 (the ETag).
    pub sha256: String,
    /// MIME type.
    pub mime: String,
}

/// An image's bytes and what is known about them.
#[derive(Debug, Clone, Copy)]
pub struct NewMedia<'a> {
    /// Encoded bytes.
    pub bytes: &'a [u8],
    /// Hex SHA-256 of the bytes.
    pub sha256: &'a str,
    /// MIME type.
    pub mime: &'a str,
    /// Pixel width.
    pub width: i64,
    /// Pixel height.
    pub height: i64,
}

/// Stores (or replaces) an image's bytes.
pub fn put_media(
    conn: &Connection,
    shop_id: &str,
    image_id: &str,
    media: NewMedia<'_>,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT OR REPLACE INTO media (shop_id, image_id, bytes, sha256, mime, width, height)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        shop_id,
        image_id,
        media.bytes,
        media.sha256,
        media.mime,
        media.width,
        media.height
    ])?;
    Ok(())
}

/// An image of a shop.
pub fn get_media(
    conn: &Connection,
    shop_id: &str,
    image_id: &str,
) -> Result<Option<MediaRow>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT bytes, sha256, mime FROM media WHERE shop_id = ?1 AND image_id = ?2",
        )?
        .query_row(params![shop_id, image_id], |r| {
            Ok(MediaRow {
                bytes: r.get(0)?,
                sha256: r.get(1)?,
                mime: r.get(2)?,
            })
        })
        .optional()?)
}

/// Only the hash of a stored image (for idempotent uploads without reading the bytes).
pub fn media_sha256(
    conn: &Connection,
    shop_id: &str,
    image_id: &str,
) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT sha256 FROM media WHERE shop_id = ?1 AND image_id = ?2")?
        .query_row(params![shop_id, image_id], |r| r.get(0))
        .optional()?)
}
