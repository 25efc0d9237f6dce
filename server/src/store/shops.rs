//! Shops, their activation codes and devices.

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension, params};
use sellerkit_core::domain::{ShopProfile, Tier};

use super::{parse_tier, sha256_hex};
use crate::error::StoreError;

/// A shop and its activation codes, as `GET /dev/shops` lists them.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ShopInfo {
    /// Shop id.
    pub shop_id: String,
    /// Display name.
    pub name: String,
    /// The tier of the shop's profile.
    pub tier: Tier,
    /// One reusable activation code per tier, keyed by the tier's spelling.
    pub activation_codes: BTreeMap<String, String>,
}

/// An activation code of a shop, as printed at start.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ActivationCode {
    /// The shop it activates a device for.
    pub shop_id: String,
    /// The tier the device gets.
    pub tier: Tier,
    /// The code to type into the app.
    pub code: String,
}

/// A device as the bearer-token check finds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceRow {
    /// Device id.
    pub device_id: String,
    /// Its shop: every query of its requests is filtered by this.
    pub shop_id: String,
    /// When it was revoked, if it was.
    pub revoked_ms: Option<i64>,
}

/// Whether the shop exists.
pub fn shop_exists(conn: &Connection, shop_id: &str) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM shops WHERE shop_id = ?1")?
        .exists([shop_id])?)
}

/// Creates a shop row and one activation code per tier. The caller writes the profile
/// entity (its content varies: a dev-created shop or the seeded demo).
pub fn insert_shop(
    conn: &Connection,
    profile: &ShopProfile,
    now_ms: i64,
) -> Result<ShopInfo, StoreError> {
    conn.execute(
        "INSERT INTO shops (shop_id, name, tier, created_ms) VALUES (?1, ?2, ?3, ?4)",
        params![profile.shop_id, profile.name, profile.tier.as_str(), now_ms],
    )?;
    let mut codes = BTreeMap::new();
    for tier in Tier::ALL {
        let code = new_activation_code(*tier);
        conn.execute(
            "INSERT INTO activation_codes (code, shop_id, tier) VALUES (?1, ?2, ?3)",
            params![code, profile.shop_id, tier.as_str()],
        )?;
        codes.insert(tier.as_str().to_string(), code);
    }
    Ok(ShopInfo {
        shop_id: profile.shop_id.clone(),
        name: profile.name.clone(),
        tier: profile.tier,
        activation_codes: codes,
    })
}

/// A fresh activation code such as `STD-7Q4M-KX2P`: a tier prefix a support person can read
/// out, then 40 random bits in an alphabet without look-alikes (no 0/O, 1/I/L).
fn new_activation_code(tier: Tier) -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    let prefix = match tier {
        Tier::Basic => "BAS",
        Tier::Standard => "STD",
        Tier::Premium => "PRE",
    };
    let random = uuid::Uuid::new_v4().into_bytes();
    let mut code = String::with_capacity(13);
    code.push_str(prefix);
    for (i, byte) in random.iter().take(8).enumerate() {
        if i % 4 == 0 {
            code.push('-');
        }
        code.push(char::from(ALPHABET[usize::from(*byte) % ALPHABET.len()]));
    }
    code
}

/// Every shop with its codes, by shop id.
pub fn list_shops(conn: &Connection) -> Result<Vec<ShopInfo>, StoreError> {
    let mut shops: Vec<ShopInfo> = Vec::new();
    let mut stmt = conn.prepare("SELECT shop_id, name, tier FROM shops ORDER BY shop_id")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        shops.push(ShopInfo {
            shop_id: row.get(0)?,
            name: row.get(1)?,
            tier: parse_tier(&row.get::<_, String>(2)?)?,
            activation_codes: BTreeMap::new(),
        });
    }
    for code in activation_codes(conn)? {
        if let Some(shop) = shops.iter_mut().find(|s| s.shop_id == code.shop_id) {
            shop.activation_codes
                .insert(code.tier.as_str().to_string(), code.code);
        }
    }
    Ok(shops)
}

/// Every activation code, by shop then tier.
pub fn activation_codes(conn: &Connection) -> Result<Vec<ActivationCode>, StoreError> {
    let mut stmt = conn.prepare("SELECT shop_id, tier, code FROM activation_codes")?;
    let mut rows = stmt.query([])?;
    let mut codes = Vec::new();
    while let Some(row) = rows.next()? {
        codes.push(ActivationCode {
            shop_id: row.get(0)?,
            tier: parse_tier(&row.get::<_, String>(1)?)?,
            code: row.get(2)?,
        });
    }
    codes.sort_by(|a, b| (&a.shop_id, a.tier as u8).cmp(&(&b.shop_id, b.tier as u8)));
    Ok(codes)
}

/// What an activation code opens: its shop (id and name) and tier.
pub fn lookup_activation_code(
    conn: &Connection,
    code: &str,
) -> Result<Option<(String, String, Tier)>, StoreError> {
    let found = conn
        .prepare_cached(
            "SELECT a.shop_id, s.name, a.tier FROM activation_codes a
             JOIN shops s ON s.shop_id = a.shop_id WHERE a.code = ?1",
        )?
        .query_row([code], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })
        .optional()?;
    match found {
        Some((shop_id, name, tier)) => Ok(Some((shop_id, name, parse_tier(&tier)?))),
        None => Ok(None),
    }
}

/// Registers a device and returns its id and (plain, never stored) token.
pub fn insert_device(
    conn: &Connection,
    shop_id: &str,
    tier: Tier,
    name: &str,
    platform: &str,
    now_ms: i64,
) -> Result<(String, String), StoreError> {
    // UUIDv7: ids sort by creation time, which makes the devices table pleasant to read.
    let device_id = format!("dev_{}", uuid::Uuid::now_v7().simple());
    // Two v4 UUIDs come from the OS CSPRNG: 244 random bits, hex-encoded.
    let mut secret = [0u8; 32];
    secret[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    secret[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    let token = format!("skt_{}", hex::encode(secret));
    conn.execute(
        "INSERT INTO devices (device_id, shop_id, token_sha256, name, platform, tier, created_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            device_id,
            shop_id,
            sha256_hex(token.as_bytes()),
            name,
            platform,
            tier.as_str(),
            now_ms
        ],
    )?;
    Ok((device_id, token))
}

/// The device holding a token, found by the token's SHA-256.
pub fn device_by_token(conn: &Connection, token: &str) -> Result<Option<DeviceRow>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT device_id, shop_id, revoked_ms FROM devices WHERE token_sha256 = ?1",
        )?
        .query_row([sha256_hex(token.as_bytes())], |r| {
            Ok(DeviceRow {
                device_id: r.get(0)?,
                shop_id: r.get(1)?,
                revoked_ms: r.get(2)?,
            })
        })
        .optional()?)
}

/// Revokes a device; returns its revocation instant, or `None` if there is no such device.
/// Revoking twice keeps the first instant.
pub fn revoke_device(
    conn: &Connection,
    device_id: &str,
    now_ms: i64,
) -> Result<Option<i64>, StoreError> {
    conn.execute(
        "UPDATE devices SET revoked_ms = ?2 WHERE device_id = ?1 AND revoked_ms IS NULL",
        params![device_id, now_ms],
    )?;
    Ok(conn
        .query_row(
            "SELECT revoked_ms FROM devices WHERE device_id = ?1",
            [device_id],
            |r| r.get::<_, Option<i64>>(0),
        )
        .optional()?
        .flatten())
}
