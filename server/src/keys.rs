//! The shops' coupon signing keys: supplied with `--signing-key FILE` or made on first need,
//! rotated on request, published to the phones as `signing_key` changes in the feed.
//!
//! A key's validity bounds the `iat` of the coupons it signs, in whole seconds as coupons
//! carry them: a rotation ends the old key at the end of the current second and starts the
//! new one at its beginning, so coupons issued by either stay verifiable.

use std::path::Path;

use rusqlite::Connection;
use sellerkit_core::coupons::CouponSigner;
use sellerkit_core::domain::SigningKey;
use sellerkit_core::protocol::EntityKind;

use crate::error::{ApiError, ServerError};
use crate::store::coupons::{self, StoredKey};
use crate::store::{self, SeqAlloc};

/// The key given with `--signing-key`: every shop signs with it until its key is rotated.
#[derive(Clone)]
pub struct SuppliedKey {
    kid: String,
    pem: String,
}

impl std::fmt::Debug for SuppliedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the private key.
        f.debug_struct("SuppliedKey")
            .field("kid", &self.kid)
            .finish()
    }
}

impl SuppliedKey {
    /// Reads a PKCS#8 PEM Ed25519 private key (what `CouponSigner::to_pkcs8_pem` writes,
    /// or `openssl genpkey -algorithm ed25519`).
    ///
    /// # Errors
    /// [`ServerError::SigningKey`] when the file cannot be read or holds no such key.
    pub fn load(path: &Path) -> Result<SuppliedKey, ServerError> {
        let bad = |detail: String| ServerError::SigningKey {
            path: path.display().to_string(),
            detail,
        };
        let pem = std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?;
        SuppliedKey::from_pem(&pem).map_err(bad)
    }

    /// The key from PEM text.
    ///
    /// # Errors
    /// Why the text is not a PKCS#8 Ed25519 private key.
    pub fn from_pem(pem: &str) -> Result<SuppliedKey, String> {
        let probe = CouponSigner::from_pkcs8_pem("probe", pem).map_err(|e| e.to_string())?;
        Ok(SuppliedKey {
            kid: kid_for(&probe.public_key()),
            pem: pem.to_string(),
        })
    }

    /// Its key id.
    pub fn kid(&self) -> &str {
        &self.kid
    }
}

/// A key id derived from the public key: the same key gets the same id everywhere.
pub fn kid_for(public_key: &[u8; 32]) -> String {
    format!("k-{}", &store::sha256_hex(public_key)[..16])
}

fn second_start(ms: i64) -> i64 {
    ms.div_euclid(1000) * 1000
}

fn signer_of(key: &StoredKey) -> Result<CouponSigner, ApiError> {
    CouponSigner::from_pkcs8_pem(key.public.kid.clone(), &key.private_pem)
        .map_err(|e| ApiError::internal(&e))
}

fn add_key(
    conn: &Connection,
    seqs: &mut SeqAlloc,
    shop_id: &str,
    signer: &CouponSigner,
    now_ms: i64,
) -> Result<SigningKey, ApiError> {
    let key = SigningKey {
        kid: signer.kid().to_string(),
        algorithm: "EdDSA".into(),
        public_key: signer.public_key().to_vec(),
        not_before_ms: second_start(now_ms),
        not_after_ms: None,
        updated_ms: now_ms,
    };
    coupons::insert_key(conn, shop_id, &key, &signer.to_pkcs8_pem())?;
    store::put_value(conn, seqs, shop_id, EntityKind::SigningKey, &key.kid, &key)?;
    Ok(key)
}

fn generated() -> CouponSigner {
    let probe = CouponSigner::generate("probe");
    let kid = kid_for(&probe.public_key());
    // Same key under its derived id.
    CouponSigner::from_pkcs8_pem(kid, &probe.to_pkcs8_pem()).unwrap_or(probe)
}

/// The signer of the shop's current key, making one first if the shop has none: the
/// supplied key if the shop never had it, else a fresh one.
pub fn active_signer(
    conn: &Connection,
    seqs: &mut SeqAlloc,
    shop_id: &str,
    supplied: Option<&SuppliedKey>,
    now_ms: i64,
) -> Result<CouponSigner, ApiError> {
    if let Some(sup) = supplied
        && coupons::key(conn, shop_id, &sup.kid)?.is_none()
    {
        // The supplied key takes over once; a later rotation replaces it for good.
        if let Some(old) = coupons::active_key(conn, shop_id)? {
            retire(conn, seqs, shop_id, old.public, now_ms)?;
        }
        let signer = CouponSigner::from_pkcs8_pem(sup.kid.clone(), &sup.pem)
            .map_err(|e| ApiError::internal(&e))?;
        add_key(conn, seqs, shop_id, &signer, now_ms)?;
        return Ok(signer);
    }
    if let Some(active) = coupons::active_key(conn, shop_id)? {
        return signer_of(&active);
    }
    let signer = generated();
    add_key(conn, seqs, shop_id, &signer, now_ms)?;
    Ok(signer)
}

fn retire(
    conn: &Connection,
    seqs: &mut SeqAlloc,
    shop_id: &str,
    mut key: SigningKey,
    now_ms: i64,
) -> Result<(), ApiError> {
    // The end of this second: a coupon issued earlier in it (iat floored) stays valid.
    let end = second_start(now_ms) + 1000;
    coupons::retire_key(conn, shop_id, &key.kid, end, now_ms)?;
    key.not_after_ms = Some(end);
    key.updated_ms = now_ms;
    store::put_value(conn, seqs, shop_id, EntityKind::SigningKey, &key.kid, &key)?;
    Ok(())
}

/// Ends the current key (coupons it signed stay valid) and starts a fresh one. Returns the
/// new key.
pub fn rotate(
    conn: &Connection,
    seqs: &mut SeqAlloc,
    shop_id: &str,
    now_ms: i64,
) -> Result<SigningKey, ApiError> {
    if let Some(old) = coupons::active_key(conn, shop_id)? {
        retire(conn, seqs, shop_id, old.public, now_ms)?;
    }
    add_key(conn, seqs, shop_id, &generated(), now_ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_supplied_key_round_trips_and_garbage_is_refused() {
        let signer = CouponSigner::generate("x");
        let key = SuppliedKey::from_pem(&signer.to_pkcs8_pem()).unwrap();
        assert_eq!(key.kid(), kid_for(&signer.public_key()));
        assert!(!format!("{key:?}").contains("PRIVATE"));
        assert!(SuppliedKey::from_pem("-----BEGIN NOTHING-----").is_err());
        let dir = tempfile::tempdir().unwrap();
        let err = SuppliedKey::load(&dir.path().join("missing.pem")).unwrap_err();
        assert!(err.to_string().contains("missing.pem"), "{err}");
    }
}
