//! The storefront's phone presentation: featured listings, mobile descriptions, theme colour.

use rusqlite::{Connection, OptionalExtension, params};

use super::StoreError;

/// Reads and writes the storefront tables.
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

impl StorefrontRepo<'_> {
    /// A listing's settings (defaults when never set).
    pub fn listing(&self, product_id: &str) -> Result<ListingSettings, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT featured, mobile_description FROM storefront_listings WHERE product_id = ?1",
                [product_id],
                |r| Ok(ListingSettings { featured: r.get::<_, i64>(0)? != 0, mobile_description: r.get(1)? }),
            )
            .optional()?
            .unwrap_or_default())
    }

    /// Sets a listing's settings.
    pub fn put_listing(
        &self,
        product_id: &str,
        s: &ListingSettings,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO storefront_listings (product_id, featured, mobile_description, updated_ms)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (product_id) DO UPDATE SET featured = excluded.featured,
                 mobile_description = excluded.mobile_description, updated_ms = excluded.updated_ms",
            params![product_id, i64::from(s.featured), s.mobile_description, now_ms],
        )?;
        Ok(())
    }

    /// Ids of featured products, in id order, at most `limit`.
    pub fn featured_ids(&self, limit: u32) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT l.product_id FROM storefront_listings l JOIN products p ON p.id = l.product_id
             WHERE l.featured = 1 AND p.status = 'active' ORDER BY l.product_id LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The theme colour, `#RRGGBB`, if the seller chose one.
    pub fn theme_color(&self) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT theme_color FROM storefront_style WHERE id = 1",
                [],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Sets the theme colour (`#RRGGBB`, checked by the caller).
    pub fn set_theme_color(&self, color: &str, now_ms: i64) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO storefront_style (id, theme_color, updated_ms) VALUES (1, ?1, ?2)
             ON CONFLICT (id) DO UPDATE SET theme_color = excluded.theme_color,
                 updated_ms = excluded.updated_ms",
            params![color, now_ms],
        )?;
        Ok(())
    }
}
