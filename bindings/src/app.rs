//! [`SellerApp`]: the one object the Android and iOS shells use.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use sellerkit_core::coupons::wallet::Wallet;
use sellerkit_core::domain::Tier as CoreTier;
use sellerkit_core::store::Store;
use sellerkit_core::sync::SyncError;
use sellerkit_core::sync::engine::{Activation, SyncEngine, SyncOptions, SyncReport};
use sellerkit_core::sync::secrets::{DEVICE_TOKEN_KEY, SecretStore as _};
use sellerkit_core::sync::transport::{Transport, TransportConfig};
use sellerkit_core::time::{Clock, ShopZone, SystemClock};
use tokio_util::sync::CancellationToken;

use crate::locale::Language;
use crate::logging::{self, LogLevel, LogSink};
use crate::runtime::{self, guarded};
use crate::secrets::{ForeignSecrets, SecretStore};
use crate::sync::{CancelHandle, Listener, SyncEvent, SyncListener, SyncSummary};
use crate::{SellerKitError, status};

/// How to open a [`SellerApp`]. Optional fields have defaults, so Kotlin and Swift callers
/// may leave them out.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct SellerAppConfig {
    /// The SQLite database file; it and its folder are created if missing. On Android,
    /// e.g. `context.filesDir/sellerkit/sellerkit.db`.
    pub database_path: String,
    /// Folder for downloaded pictures; default: `media` beside the database.
    #[uniffi(default = None)]
    pub media_dir: Option<String>,
    /// The shop's IANA time zone for business days; default `Asia/Shanghai`. An unknown
    /// name is `InvalidInput`.
    #[uniffi(default = None)]
    pub time_zone: Option<String>,
    /// A CJK font file (TTF/OTF) for storefront previews.
    #[uniffi(default = None)]
    pub font_path: Option<String>,
    /// This device's name as the backend shows it, e.g. `Redmi 9A`.
    pub device_name: String,
    /// `android`, `ios` or `desktop`; sent at activation.
    pub platform: String,
    /// Development and tests only: also trust this CA certificate (PEM), e.g. the dev
    /// server's self-made CA. Production builds leave it empty.
    #[uniffi(default = None)]
    pub extra_root_ca_pem: Option<String>,
    /// Most verbose level forwarded to the log sink for SellerKit's own code (other
    /// libraries: warnings and errors only); default `Info`. The latest `open` sets it.
    #[uniffi(default = None)]
    pub log_level: Option<LogLevel>,
    /// The seller's language for the words SellerKit produces (coupon refusals), as a
    /// BCP 47 tag: `en*` is English, anything else (default) Simplified Chinese, `zh-CN`.
    /// Pass the app's current locale, e.g. `Locale.getDefault().toLanguageTag()`.
    #[uniffi(default = None)]
    pub locale: Option<String>,
}

/// The service tier of the shop.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum Tier {
    /// Entry package.
    Basic,
    /// Middle package.
    Standard,
    /// Top package, with legal guidance.
    Premium,
}

impl From<CoreTier> for Tier {
    fn from(tier: CoreTier) -> Self {
        match tier {
            CoreTier::Basic => Tier::Basic,
            CoreTier::Standard => Tier::Standard,
            CoreTier::Premium => Tier::Premium,
        }
    }
}

/// What an activation established.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct ActivationInfo {
    /// This device's id at the server.
    pub device_id: String,
    /// The shop's id.
    pub shop_id: String,
    /// The shop's name, for the welcome screen.
    pub shop_name: String,
    /// The tier bought.
    pub tier: Tier,
    /// The server the device now syncs with.
    pub server_url: String,
}

impl From<Activation> for ActivationInfo {
    fn from(a: Activation) -> Self {
        ActivationInfo {
            device_id: a.device_id,
            shop_id: a.shop_id,
            shop_name: a.shop_name,
            tier: a.tier.into(),
            server_url: a.server_url,
        }
    }
}

/// The seller's app: one per database, safe to share between threads.
///
/// Local reads (`status`, `conflicts`) are plain calls; network work (`activate`, `sync`) is
/// `suspend` / `async` and runs on SellerKit's own threads. Call `close()` (Kotlin) or drop
/// the last reference (Swift) when done; a sync still running keeps what it needs alive
/// until it ends.
#[derive(uniffi::Object)]
pub struct SellerApp {
    store: Arc<Store>,
    secrets: Arc<ForeignSecrets>,
    clock: Arc<dyn Clock>,
    config: SellerAppConfig,
    zone: ShopZone,
    language: Language,
    /// One activation or sync at a time per database: a second one waits for the first
    /// (two at once would fetch the same pages and push the same outbox twice).
    busy: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for SellerApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SellerApp")
            .field("database", &self.store.path())
            .finish_non_exhaustive()
    }
}

#[uniffi::export]
impl SellerApp {
    /// Opens (creating or upgrading) the database and installs the log sink.
    ///
    /// `log_sink` replaces the sink of an earlier `open`; `None` keeps it.
    ///
    /// # Errors
    /// `InvalidInput` for an empty database path or an unknown time zone; `Storage` when
    /// the database cannot be opened (not a SellerKit database, damaged, written by a newer
    /// app, no space).
    #[uniffi::constructor]
    pub fn open(
        config: SellerAppConfig,
        secret_store: Arc<dyn SecretStore>,
        log_sink: Option<Arc<dyn LogSink>>,
    ) -> Result<Arc<SellerApp>, SellerKitError> {
        guarded(|| {
            logging::install(log_sink, config.log_level.unwrap_or(LogLevel::Info));
            if config.database_path.trim().is_empty() {
                return Err(SellerKitError::InvalidInput {
                    reason: "the database path is empty".into(),
                });
            }
            let zone = match config.time_zone.as_deref() {
                Some(name) => ShopZone::new(name)?,
                None => ShopZone::default(),
            };
            let language = Language::from_tag(config.locale.as_deref());
            let store = Store::open(&config.database_path)?;
            tracing::info!(
                database = %config.database_path,
                platform = %config.platform,
                zone = %zone,
                "SellerKit {} opened",
                sellerkit_core::VERSION
            );
            Ok(Arc::new(SellerApp {
                store: Arc::new(store),
                secrets: Arc::new(ForeignSecrets(secret_store)),
                clock: Arc::new(SystemClock),
                config,
                zone,
                language,
                busy: tokio::sync::Mutex::new(()),
            }))
        })
    }

    /// The configuration in effect, defaults filled in (media folder, canonical time zone,
    /// `zh-CN` or `en`).
    pub fn config(&self) -> SellerAppConfig {
        SellerAppConfig {
            media_dir: Some(self.media_dir().display().to_string()),
            time_zone: Some(self.zone.name().to_string()),
            log_level: Some(self.config.log_level.unwrap_or(LogLevel::Info)),
            locale: Some(self.language.tag().to_string()),
            ..self.config.clone()
        }
    }

    /// Whether this device is activated: the database names a device and the secret store
    /// holds its token. A failing secret store counts as not activated (and is logged).
    pub fn is_activated(&self) -> bool {
        guarded(|| self.activated()).unwrap_or_else(|e| {
            tracing::warn!(error = %e, "cannot tell whether the device is activated");
            false
        })
    }

    /// What the phone holds: shop, counts, sync state. A quick local read.
    ///
    /// The shop's id, name and tier are known after the first sync.
    ///
    /// # Errors
    /// `Storage` when the database or the secret store fails.
    pub fn status(&self) -> Result<status::AppStatus, SellerKitError> {
        guarded(|| {
            let s = self.store.status()?;
            let activated = self.activated()?;
            Ok(status::AppStatus::new(activated, s))
        })
    }

    /// Changes the server did not accept (rejected or in conflict) that the seller has not
    /// dismissed yet, newest first. A quick local read.
    ///
    /// # Errors
    /// `Storage` when the database fails.
    pub fn conflicts(&self) -> Result<Vec<status::ConflictInfo>, SellerKitError> {
        guarded(|| {
            let open = self.store.read(|db| db.sync().conflicts(false))?;
            Ok(open.into_iter().map(status::ConflictInfo::from).collect())
        })
    }

    /// Registers this device with the activation code from the service package, at
    /// `server_url` (`https://...`; `http://` only to this device, for the dev server).
    ///
    /// Cancelling the calling coroutine / task cancels the activation.
    ///
    /// # Errors
    /// `Rejected` with code `invalid_activation_code` for a wrong or used-up code;
    /// `InvalidInput` for a bad URL; `Network` when the server cannot be reached;
    /// `Storage` when the token cannot be saved; `Cancelled`.
    pub async fn activate(
        self: Arc<Self>,
        server_url: String,
        code: String,
    ) -> Result<ActivationInfo, SellerKitError> {
        let cancel = CancellationToken::new();
        let watched = cancel.clone();
        runtime::spawn(cancel, async move {
            let _busy = tokio::select! {
                biased;
                () = watched.cancelled() => return Err(SellerKitError::Cancelled),
                busy = self.busy.lock() => busy,
            };
            let transport = Arc::new(Transport::new(&server_url, self.transport_config())?);
            let engine = SyncEngine::new(
                Arc::clone(&self.store),
                transport,
                self.secrets.clone(),
                Arc::clone(&self.clock),
                self.sync_options(),
            );
            let activation = engine
                .activate(
                    &code,
                    &self.config.device_name,
                    &self.config.platform,
                    &watched,
                )
                .await?;
            Ok(activation.into())
        })
        .await
    }

    /// Pushes the seller's changes, pulls the shop's, downloads pictures.
    ///
    /// `listener` receives `Started`, progress, then exactly one of `Finished`, `Failed`,
    /// `Cancelled`. The sync stops at its next step when `cancel` is cancelled or when the
    /// calling coroutine / task is cancelled; what was committed stays, and the next sync
    /// resumes from there. A second sync on the same database waits for the first.
    ///
    /// # Errors
    /// `NotActivated` (activate first, or again); `Network` (try later); `Storage`;
    /// `Cancelled`; `Rejected` when the server refuses a request.
    pub async fn sync(
        self: Arc<Self>,
        listener: Option<Arc<dyn SyncListener>>,
        cancel: Option<Arc<CancelHandle>>,
    ) -> Result<SyncSummary, SellerKitError> {
        let token = cancel.map(|c| c.child_token()).unwrap_or_default();
        let watched = token.clone();
        runtime::spawn(token, async move {
            let listener = Arc::new(Listener(listener));
            listener.event(SyncEvent::Started);
            let outcome = self.sync_steps(Arc::clone(&listener), watched).await;
            listener.event(match &outcome {
                Ok(summary) => SyncEvent::Finished {
                    summary: summary.clone(),
                },
                Err((_, SellerKitError::Cancelled)) => SyncEvent::Cancelled,
                Err(failure) => SyncEvent::Failed {
                    code: failure.0.clone(),
                    reason: failure.1.to_string(),
                },
            });
            outcome.map_err(|failure| failure.1)
        })
        .await
    }
}

/// A sync's failure: the code for the `Failed` event, and the error for the caller.
type Failure = (String, SellerKitError);

impl SellerApp {
    /// The coupon wallet over this app's database and clock.
    pub(crate) fn wallet(&self) -> Wallet {
        Wallet::new(Arc::clone(&self.store), Arc::clone(&self.clock))
    }

    /// The seller's language, from the config.
    pub(crate) fn language(&self) -> Language {
        self.language
    }

    /// The database.
    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    /// Now, from the app's clock.
    pub(crate) fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    fn activated(&self) -> Result<bool, SellerKitError> {
        let state = self.store.read(|db| db.sync().state())?;
        if state.device_id.is_none() {
            return Ok(false);
        }
        let token = self
            .secrets
            .get(DEVICE_TOKEN_KEY)
            .map_err(|e| SellerKitError::Storage {
                reason: format!("the secure storage failed: {e}"),
            })?;
        Ok(token.is_some())
    }

    fn media_dir(&self) -> PathBuf {
        match &self.config.media_dir {
            Some(dir) => PathBuf::from(dir),
            None => SyncOptions::for_database(Path::new(&self.config.database_path)).media_dir,
        }
    }

    fn sync_options(&self) -> SyncOptions {
        SyncOptions {
            media_dir: self.media_dir(),
            ..SyncOptions::for_database(Path::new(&self.config.database_path))
        }
    }

    fn transport_config(&self) -> TransportConfig {
        let mut config = TransportConfig {
            user_agent: format!(
                "sellerkit-{}/{}",
                self.config.platform,
                sellerkit_core::VERSION
            ),
            ..TransportConfig::default()
        };
        if let Some(pem) = &self.config.extra_root_ca_pem {
            config.extra_root_certs_pem.push(pem.clone().into_bytes());
        }
        config
    }

    /// The sync itself, in its own task so that even a panic ends with a `Failed` event.
    async fn sync_steps(
        self: Arc<Self>,
        listener: Arc<Listener>,
        cancel: CancellationToken,
    ) -> Result<SyncSummary, Failure> {
        let task = tokio::spawn(async move {
            let _busy = tokio::select! {
                biased;
                () = cancel.cancelled() => return Err(SyncError::Cancelled),
                busy = self.busy.lock() => busy,
            };
            let engine = SyncEngine::for_activated(
                Arc::clone(&self.store),
                self.secrets.clone(),
                Arc::clone(&self.clock),
                self.transport_config(),
                self.sync_options(),
            )?;
            engine.sync(&*listener, &cancel).await
        });
        let outcome: Result<SyncReport, SyncError> = match task.await {
            Ok(outcome) => outcome,
            Err(e) if e.is_panic() => {
                let err = SellerKitError::from_panic(&*e.into_panic());
                return Err(("internal".into(), err));
            }
            Err(e) => {
                let err = SellerKitError::Internal {
                    reason: format!("the sync task stopped: {e}"),
                };
                return Err(("internal".into(), err));
            }
        };
        match outcome {
            Ok(report) => {
                tracing::info!(
                    pulled = report.changes_pulled(),
                    pushed = report.pushed,
                    ms = report.duration_ms,
                    "sync finished"
                );
                Ok(SyncSummary::from(&report))
            }
            Err(e) => {
                let code = match &e {
                    SyncError::Refused { code, .. } => code.clone(),
                    e => e.code().to_string(),
                };
                Err((code, e.into()))
            }
        }
    }
}
