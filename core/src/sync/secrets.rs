//! Where the device token lives: the platform's secret store, behind a trait the shells
//! implement (Android Keystore, Apple Keychain). The desktop shell uses [`FileSecretStore`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The key under which the device token is stored.
pub const DEVICE_TOKEN_KEY: &str = "sellerkit.device_token";

/// A secret store failed.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct SecretStoreError(pub String);

/// Keeps small secrets (the device token) outside the database.
pub trait SecretStore: Send + Sync + std::fmt::Debug {
    /// The secret under `key`, if any.
    fn get(&self, key: &str) -> Result<Option<String>, SecretStoreError>;
    /// Stores `value` under `key`, replacing any previous one.
    fn set(&self, key: &str, value: &str) -> Result<(), SecretStoreError>;
    /// Removes `key`; removing a missing key is not an error.
    fn delete(&self, key: &str) -> Result<(), SecretStoreError>;
}

/// Secrets in a JSON file readable only by the user (mode 0600 on Unix), written atomically.
///
/// The desktop shell's store: a laptop has no Keystore the CLI could rely on everywhere.
#[derive(Debug)]
pub struct FileSecretStore {
    path: PathBuf,
    // Serialises read-modify-write cycles within the process.
    lock: Mutex<()>,
}

impl FileSecretStore {
    /// A store in `path` (created on first write).
    pub fn new(path: impl Into<PathBuf>) -> FileSecretStore {
        FileSecretStore {
            path: path.into(),
            lock: Mutex::new(()),
        }
    }

    /// The store the CLI uses for a database: `<db>.secrets` beside it.
    pub fn beside_database(db: &Path) -> FileSecretStore {
        let mut name = db.as_os_str().to_owned();
        name.push(".secrets");
        FileSecretStore::new(PathBuf::from(name))
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn load(&self) -> Result<BTreeMap<String, String>, SecretStoreError> {
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                SecretStoreError(format!("{} is unreadable: {e}", self.path.display()))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
            Err(e) => Err(SecretStoreError(format!(
                "cannot read {}: {e}",
                self.path.display()
            ))),
        }
    }

    fn save(&self, map: &BTreeMap<String, String>) -> Result<(), SecretStoreError> {
        let fail = |e: std::io::Error| {
            SecretStoreError(format!("cannot write {}: {e}", self.path.display()))
        };
        let body = serde_json::to_vec_pretty(map).map_err(|e| SecretStoreError(e.to_string()))?;
        let mut tmp = self.path.as_os_str().to_owned();
        tmp.push(".tmp");
        let tmp = PathBuf::from(tmp);
        {
            use std::io::Write;
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create(true).truncate(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            let mut file = options.open(&tmp).map_err(fail)?;
            file.write_all(&body).map_err(fail)?;
            file.sync_all().map_err(fail)?;
        }
        std::fs::rename(&tmp, &self.path).map_err(fail)
    }
}

impl SecretStore for FileSecretStore {
    fn get(&self, key: &str) -> Result<Option<String>, SecretStoreError> {
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        Ok(self.load()?.remove(key))
    }

    fn set(&self, key: &str, value: &str) -> Result<(), SecretStoreError> {
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let mut map = self.load()?;
        map.insert(key.to_string(), value.to_string());
        self.save(&map)
    }

    fn delete(&self, key: &str) -> Result<(), SecretStoreError> {
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let mut map = self.load()?;
        if map.remove(key).is_some() {
            self.save(&map)?;
        }
        Ok(())
    }
}

/// An in-memory store: the stand-in for the phone's Keystore in tests.
#[derive(Debug, Default)]
pub struct MemorySecretStore {
    map: Mutex<BTreeMap<String, String>>,
}

impl SecretStore for MemorySecretStore {
    fn get(&self, key: &str) -> Result<Option<String>, SecretStoreError> {
        Ok(self
            .map
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(key)
            .cloned())
    }

    fn set(&self, key: &str, value: &str) -> Result<(), SecretStoreError> {
        self.map
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key.into(), value.into());
        Ok(())
    }

    fn delete(&self, key: &str) -> Result<(), SecretStoreError> {
        self.map
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(key);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_store_round_trips_and_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileSecretStore::beside_database(&dir.path().join("sellerkit.db"));
        assert_eq!(store.get(DEVICE_TOKEN_KEY).unwrap(), None);
        store.set(DEVICE_TOKEN_KEY, "skt_abc").unwrap();
        assert_eq!(
            store.get(DEVICE_TOKEN_KEY).unwrap().as_deref(),
            Some("skt_abc")
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(store.path())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(
                mode & 0o077,
                0,
                "secrets file is readable by others: {mode:o}"
            );
        }
        store.delete(DEVICE_TOKEN_KEY).unwrap();
        assert_eq!(store.get(DEVICE_TOKEN_KEY).unwrap(), None);
        std::fs::write(store.path(), b"{broken").unwrap();
        assert!(store.get(DEVICE_TOKEN_KEY).is_err());
    }
}
