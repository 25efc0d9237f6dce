//! Issuing coupons: the shop's Ed25519 key signs the claims as a COSE_Sign1.
//!
//! Used by the dev server (the shop's backend), tests and the benchmark; phones only verify.

use coset::{CoseSign1Builder, HeaderBuilder, TaggedCborSerializable as _};
use ed25519_dalek::Signer as _;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey as _, EncodePrivateKey as _, KeypairBytes};

use super::{CouponClaims, Refusal, code};

/// Why a signing key could not be loaded or a coupon not issued.
#[derive(Debug, thiserror::Error)]
pub enum SignerError {
    /// The PEM is not an unencrypted PKCS#8 Ed25519 private key.
    #[error("not a PKCS#8 Ed25519 private key: {0}")]
    BadKey(String),
    /// The key id is empty, too long or has control characters.
    #[error("invalid key id: {0}")]
    BadKid(String),
    /// The terms break the format's rules; the coupon would be refused.
    #[error("coupon terms break the format: {0}")]
    BadClaims(Refusal),
}

/// A shop signing key with its key id.
pub struct CouponSigner {
    kid: String,
    key: ed25519_dalek::SigningKey,
}

impl std::fmt::Debug for CouponSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the secret.
        f.debug_struct("CouponSigner")
            .field("kid", &self.kid)
            .field("public_key", &hex::encode(self.public_key()))
            .finish_non_exhaustive()
    }
}

impl CouponSigner {
    /// A new random key from the operating system's generator.
    ///
    /// # Panics
    /// If the operating system has no random source (never on supported platforms).
    pub fn generate(kid: impl Into<String>) -> Self {
        let mut seed = [0u8; 32];
        getrandom::getrandom(&mut seed).expect("the OS random source failed");
        let signer = Self::from_seed(kid, &seed);
        seed.fill(0);
        signer
    }

    /// The key whose RFC 8032 secret (seed) is `seed`: for tests and fixed examples.
    pub fn from_seed(kid: impl Into<String>, seed: &[u8; 32]) -> Self {
        Self {
            kid: kid.into(),
            key: ed25519_dalek::SigningKey::from_bytes(seed),
        }
    }

    /// Loads an unencrypted PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), as written by
    /// [`CouponSigner::to_pkcs8_pem`], `openssl genpkey -algorithm ed25519` or Python's
    /// `cryptography`.
    ///
    /// # Errors
    /// [`SignerError::BadKey`] if it is anything else; [`SignerError::BadKid`] for a bad kid.
    pub fn from_pkcs8_pem(kid: impl Into<String>, pem: &str) -> Result<Self, SignerError> {
        let kid = kid.into();
        check_kid(&kid)?;
        let key = ed25519_dalek::SigningKey::from_pkcs8_pem(pem.trim())
            .map_err(|e| SignerError::BadKey(e.to_string()))?;
        Ok(Self { kid, key })
    }

    /// The secret key as unencrypted PKCS#8 PEM, for `--signing-key FILE`.
    ///
    /// Written in the RFC 8410 v1 form (secret only): the crate's default v2 form (RFC 5958,
    /// with the public key) is refused by Python's `cryptography` ("extra data"), and
    /// OpenSSL and every reader accept v1. [`CouponSigner::from_pkcs8_pem`] reads both.
    pub fn to_pkcs8_pem(&self) -> String {
        let v1 = KeypairBytes {
            secret_key: self.key.to_bytes(),
            public_key: None,
        };
        match v1.to_pkcs8_pem(LineEnding::LF) {
            Ok(pem) => pem.to_string(),
            // Encoding a 32-byte key into PKCS#8 has no failure path in practice.
            Err(_) => String::new(),
        }
    }

    /// The key id written in every coupon's protected header.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The raw Ed25519 public key, as synced to phones in `SigningKey::public_key`.
    pub fn public_key(&self) -> [u8; 32] {
        self.key.verifying_key().to_bytes()
    }

    /// The coupon text (`SKC1:...`) for these terms, unchecked: terms that break the
    /// format's rules give a coupon that [`super::decode`] refuses. Servers issuing from
    /// seller input should use [`CouponSigner::try_issue`].
    pub fn issue(&self, claims: &CouponClaims) -> String {
        code::encode(&self.issue_cose(claims))
    }

    /// Like [`CouponSigner::issue`], after checking the terms and the kid.
    ///
    /// # Errors
    /// [`SignerError::BadClaims`] or [`SignerError::BadKid`].
    pub fn try_issue(&self, claims: &CouponClaims) -> Result<String, SignerError> {
        check_kid(&self.kid)?;
        claims.check().map_err(SignerError::BadClaims)?;
        Ok(self.issue(claims))
    }

    /// The tagged COSE_Sign1 bytes, before compression and Base45.
    pub fn issue_cose(&self, claims: &CouponClaims) -> Vec<u8> {
        let protected = HeaderBuilder::new()
            .algorithm(coset::iana::Algorithm::EdDSA)
            .key_id(self.kid.as_bytes().to_vec())
            .build();
        let sign1 = CoseSign1Builder::new()
            .protected(protected)
            .payload(claims.to_payload())
            .create_signature(b"", |tbs| self.key.sign(tbs).to_bytes().to_vec())
            .build();
        // Serialising plain values into a Vec cannot fail.
        sign1.to_tagged_vec().unwrap_or_default()
    }
}

fn check_kid(kid: &str) -> Result<(), SignerError> {
    if kid.is_empty()
        || kid.len() > super::limits::MAX_ID_BYTES
        || kid.chars().any(char::is_control)
    {
        return Err(SignerError::BadKid(kid.to_owned()));
    }
    Ok(())
}
