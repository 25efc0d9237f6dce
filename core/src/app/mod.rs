//! The core service: [`App`], the one object every shell talks to.
//!
//! The CLI (`cli/`) and the FFI facade (`bindings/`) both open an [`App`] and call it for
//! activation, sync, status and the coupon wallet; they convert arguments and results and
//! hold no rule of their own. `App` owns what would otherwise be written once per shell:
//! what "activated" means ([`activation`]), one sync or activation at a time per database
//! file ([`lock`]), the transport settings and the one User-Agent, the failure codes
//! ([`ErrorCode`]) and the seller's [`Language`].
//!
//! Features add their calls as further `impl App` blocks in `app/<feature>.rs`, using the
//! crate-visible accessors [`App::store`], [`App::clock`], [`App::zone`] and
//! [`App::language`].
//!
//! Threads: [`App::open`] and the plain (non-`async`) calls block on SQLite and the secret
//! store; shells call them off the UI thread. The `async` calls do their blocking work on
//! tokio's blocking threads, so the runtime's workers stay free for network I/O and for
//! noticing a cancellation.

pub mod activation;
mod analytics;
mod checklist;
mod error;
mod lock;
mod storefront;
mod sync;
mod wallet;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

pub use activation::Activation;
pub use error::{AppError, ErrorCode};
pub use storefront::{ConflictField, PreviewImage, conflict_fields};
pub use sync::SyncRun;

use crate::domain::Conflict;
use crate::locale::Language;
use crate::store::{OpenOptions, Store, StoreStatus};
use crate::sync::Credentials;
use crate::sync::engine::SyncOptions;
use crate::sync::secrets::SecretStore;
use crate::sync::transport::TransportConfig;
use crate::time::{Clock, ShopZone, SystemClock};

/// How to open an [`App`]. [`AppConfig::new`] fills in the defaults.
#[derive(Clone, Debug)]
pub struct AppConfig {
    /// The SQLite database file.
    pub database_path: PathBuf,
    /// Create the database (and its folder) if missing; off for commands that only inspect.
    pub create: bool,
    /// Folder for downloaded pictures; default `media/` beside the database.
    pub media_dir: Option<PathBuf>,
    /// Font files for storefront previews, tried in order for each character (a CJK font,
    /// possibly after a Latin one). Empty: previews fail with a clear error.
    pub font_paths: Vec<PathBuf>,
    /// The shop's IANA time zone; default `Asia/Shanghai`.
    pub time_zone: Option<String>,
    /// The seller's language for every word SellerKit shows.
    pub language: Language,
    /// This device's name as the backend shows it.
    pub device_name: String,
    /// `android`, `ios` or `desktop`; sent at activation and in the User-Agent.
    pub platform: String,
    /// Root certificates trusted besides the platform's (PEM), e.g. the dev server's CA.
    pub extra_root_ca_pem: Vec<Vec<u8>>,
    /// Longest wait for a connection; `None` keeps the transport's default (10 s).
    pub connect_timeout: Option<Duration>,
    /// Longest time of one request attempt; `None` keeps the transport's default (60 s).
    pub request_timeout: Option<Duration>,
    /// Where the device token lives (Keystore, Keychain, a file on desktop).
    pub secrets: Arc<dyn SecretStore>,
    /// The source of "now".
    pub clock: Arc<dyn Clock>,
}

impl AppConfig {
    /// Defaults for a database at `database_path` with the platform's `secrets`: created if
    /// missing, system clock, Asia/Shanghai, Simplified Chinese, a desktop device.
    pub fn new(database_path: impl Into<PathBuf>, secrets: Arc<dyn SecretStore>) -> AppConfig {
        AppConfig {
            database_path: database_path.into(),
            create: true,
            media_dir: None,
            font_paths: Vec::new(),
            time_zone: None,
            language: Language::default(),
            device_name: "SellerKit desktop".into(),
            platform: "desktop".into(),
            extra_root_ca_pem: Vec::new(),
            connect_timeout: None,
            request_timeout: None,
            secrets,
            clock: Arc::new(SystemClock),
        }
    }
}

/// The User-Agent of every request SellerKit makes, whatever the shell:
/// `sellerkit/<core version> (<platform>)`.
pub fn user_agent(platform: &str) -> String {
    format!("sellerkit/{} ({platform})", crate::VERSION)
}

/// The seller's app over one database: the core service under every shell.
///
/// Safe to share between threads (`Arc<App>`); one per database file is usual, but two (or
/// another process) on the same file are safe: syncs and activations take the file lock.
#[derive(Debug)]
pub struct App {
    store: Arc<Store>,
    secrets: Arc<dyn SecretStore>,
    clock: Arc<dyn Clock>,
    zone: ShopZone,
    language: Language,
    device_name: String,
    platform: String,
    media_dir: PathBuf,
    font_paths: Vec<PathBuf>,
    /// The parsed preview fonts, read once: the files are megabytes (a CJK font is 4 MB) and
    /// re-reading them on every preview cost more than drawing the screen.
    preview_font: Arc<std::sync::Mutex<Option<crate::storefront::preview::Font>>>,
    transport: TransportConfig,
    lock: lock::SyncLock,
}

impl App {
    /// Opens (creating or upgrading, unless `create` is off) the database.
    ///
    /// Blocking: migrations and the integrity check of an upgrade can take a while on a
    /// slow phone, so shells call it off the UI thread.
    ///
    /// # Errors
    /// [`AppError::InvalidInput`] for an empty path, [`AppError::Time`] for an unknown time
    /// zone, [`AppError::Store`] when the database cannot be opened.
    pub fn open(config: AppConfig) -> Result<App, AppError> {
        if config.database_path.as_os_str().is_empty()
            || config.database_path.to_string_lossy().trim().is_empty()
        {
            return Err(AppError::InvalidInput {
                what: "database path",
                detail: "the database path is empty".into(),
            });
        }
        let zone = match config.time_zone.as_deref() {
            Some(name) => ShopZone::new(name)?,
            None => ShopZone::default(),
        };
        let store = Store::open_with(
            &config.database_path,
            &OpenOptions {
                create: config.create,
                ..OpenOptions::default()
            },
        )?;
        let media_dir = config
            .media_dir
            .clone()
            .unwrap_or_else(|| SyncOptions::for_database(&config.database_path).media_dir);
        let mut transport = TransportConfig {
            user_agent: user_agent(&config.platform),
            extra_root_certs_pem: config.extra_root_ca_pem.clone(),
            ..TransportConfig::default()
        };
        if let Some(t) = config.connect_timeout {
            transport.connect_timeout = t;
        }
        if let Some(t) = config.request_timeout {
            transport.request_timeout = t;
        }
        tracing::info!(
            database = %config.database_path.display(),
            platform = %config.platform,
            zone = %zone,
            language = config.language.tag(),
            "SellerKit {} opened",
            crate::VERSION
        );
        Ok(App {
            lock: lock::SyncLock::beside(&config.database_path),
            store: Arc::new(store),
            secrets: config.secrets,
            clock: config.clock,
            zone,
            language: config.language,
            device_name: config.device_name,
            platform: config.platform,
            media_dir,
            font_paths: config.font_paths,
            preview_font: Arc::default(),
            transport,
        })
    }

    /// The database.
    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// The source of "now".
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// The shop's time zone for business days.
    pub fn zone(&self) -> &ShopZone {
        &self.zone
    }

    /// The seller's language.
    pub fn language(&self) -> Language {
        self.language
    }

    /// The database file.
    pub fn database_path(&self) -> &Path {
        self.store.path()
    }

    /// Where downloaded pictures go.
    pub fn media_dir(&self) -> &Path {
        &self.media_dir
    }

    /// The font files storefront previews draw with, in fallback order.
    pub fn font_paths(&self) -> &[PathBuf] {
        &self.font_paths
    }

    /// The platform given at open (`android`, `ios`, `desktop`).
    pub fn platform(&self) -> &str {
        &self.platform
    }

    /// The transport settings every request of this app uses (timeouts, extra CA,
    /// User-Agent); public so that development tools talk to a dev server the same way.
    pub fn transport_config(&self) -> &TransportConfig {
        &self.transport
    }

    /// The device's credentials, or `None` when it is not activated: the one definition
    /// of "activated" (see [`activation`]). Blocking (SQLite, secret store).
    ///
    /// # Errors
    /// [`AppError::Store`], [`AppError::SecretStore`].
    pub fn activation(&self) -> Result<Option<Credentials>, AppError> {
        activation::credentials(&self.store, &*self.secrets)
    }

    /// Whether this device is activated. Blocking (SQLite, secret store).
    ///
    /// # Errors
    /// [`AppError::Store`], [`AppError::SecretStore`].
    pub fn is_activated(&self) -> Result<bool, AppError> {
        Ok(self.activation()?.is_some())
    }

    /// What the phone holds, and whether it is activated. A quick local read (blocking).
    ///
    /// # Errors
    /// [`AppError::Store`], [`AppError::SecretStore`].
    pub fn status(&self) -> Result<AppStatus, AppError> {
        let store = self.store.status()?;
        Ok(AppStatus {
            activated: self.is_activated()?,
            store,
        })
    }

    /// Changes the server did not accept that the seller has not dismissed (all of them
    /// with `include_resolved`), newest first. A quick local read (blocking).
    ///
    /// # Errors
    /// [`AppError::Store`].
    pub fn conflicts(&self, include_resolved: bool) -> Result<Vec<Conflict>, AppError> {
        Ok(self
            .store
            .read(|db| db.sync().conflicts(include_resolved))?)
    }

    /// Runs `f` with this app's store, secrets and clock on a blocking thread, so async
    /// callers never run SQLite or the secret store on a runtime worker.
    pub(crate) async fn blocking<T, F>(&self, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(Parts) -> Result<T, AppError> + Send + 'static,
    {
        let parts = Parts {
            store: Arc::clone(&self.store),
            secrets: Arc::clone(&self.secrets),
            clock: Arc::clone(&self.clock),
        };
        tokio::task::spawn_blocking(move || f(parts))
            .await
            .map_err(|e| AppError::Internal {
                detail: e.to_string(),
            })?
    }
}

/// What [`App::blocking`] hands to its closure.
pub(crate) struct Parts {
    pub(crate) store: Arc<Store>,
    pub(crate) secrets: Arc<dyn SecretStore>,
    pub(crate) clock: Arc<dyn Clock>,
}

/// What [`App::status`] reports.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct AppStatus {
    /// Whether the device is activated.
    pub activated: bool,
    /// What the database holds.
    #[serde(flatten)]
    pub store: StoreStatus,
}

#[cfg(test)]
mod tests;
