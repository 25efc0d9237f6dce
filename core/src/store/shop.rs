//! The shop profile row.

use rusqlite::{Connection, OptionalExtension, params};

use super::{StoreError, parse_column};
use crate::domain::ShopProfile;

/// Reads and writes the single shop profile.
pub struct ShopRepo<'c> {
    pub(super) conn: &'c Connection,
}

impl ShopRepo<'_> {
    /// Only the shop's id, if known: the wallet's issuer check on every verify.
    pub fn shop_id(&self) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT shop_id FROM shop_profile WHERE id = 1")?
            .query_row([], |r| r.get(0))
            .optional()?)
    }

    /// The profile, if the shop has been synced or set up.
    pub fn get(&self) -> Result<Option<ShopProfile>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT shop_id, name, description, logo_image_id, banner_image_id, time_zone,
                        tier, version, updated_ms, theme_color
                 FROM shop_profile WHERE id = 1",
                [],
                |r| {
                    Ok(ShopProfile {
                        shop_id: r.get(0)?,
                        name: r.get(1)?,
                        description: r.get(2)?,
                        logo_image_id: r.get(3)?,
                        banner_image_id: r.get(4)?,
                        time_zone: r.get(5)?,
                        tier: parse_column(r, 6)?,
                        version: r.get(7)?,
                        updated_ms: r.get(8)?,
                        theme_color: r.get(9)?,
                    })
                },
            )
            .optional()?)
    }

    /// Stores the profile, replacing the previous one.
    pub fn put(&self, shop: &ShopProfile) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO shop_profile (id, shop_id, name, description, logo_image_id,
                 banner_image_id, time_zone, tier, version, updated_ms, theme_color)
             VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT (id) DO UPDATE SET shop_id = excluded.shop_id, name = excluded.name,
                 description = excluded.description, logo_image_id = excluded.logo_image_id,
                 banner_image_id = excluded.banner_image_id, time_zone = excluded.time_zone,
                 tier = excluded.tier, version = excluded.version,
                 updated_ms = excluded.updated_ms, theme_color = excluded.theme_color",
            params![
                shop.shop_id,
                shop.name,
                shop.description,
                shop.logo_image_id,
                shop.banner_image_id,
                shop.time_zone,
                shop.tier.as_str(),
                shop.version,
                shop.updated_ms,
                shop.theme_color
            ],
        )?;
        Ok(())
    }
}
