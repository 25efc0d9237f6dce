//! [`SellerApp`]: the one object the Android and iOS shells use.
//!
//! Like application-services' `Inner` pattern: every call converts its arguments, forwards
//! to the core service [`sellerkit_core::app::App`] and converts the result. No rule and no
//! repository read lives here.

use std::path::PathBuf;
use std::sync::Arc;

use sellerkit_core::app::{Activation, App, AppConfig, AppError, SyncRun};
use sellerkit_core::domain::Tier as CoreTier;
use sellerkit_core::locale::Language;
use sellerkit_core::sync::engine::SyncReport;
use tokio_util::sync::CancellationToken;

use crate::logging::{self, LogLevel, LogSink};
use crate::runtime::{self, guarded};
use crate::secrets::{ForeignSecrets, SecretStore};
use crate::sync::{CancelHandle, Listener, SyncEvent, SyncListener, SyncSummary};
use crate::{ErrorCode, SellerKitError, status};

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
    /// A CJK font file (TTF/OTF) for storefront previews (`preview`). Several files may be
    /// given separated as in `PATH` (`:`), tried in order for each character, e.g. a Latin
    /// font before a CJK-only one. Without it `preview` fails with `InvalidInput`.
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
    /// The seller's language for every word SellerKit produces (error reasons, coupon
    /// refusals), as a BCP 47 tag: `en*` is English, anything else (default) Simplified Chinese, `zh-CN`.
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
/// `open`, `isActivated` and the other plain calls read SQLite and the secure storage:
/// call them off the UI thread (`Dispatchers.IO`, a background `Task`). Network work
/// (`activate`, `sync`) is `suspend` / `async` and runs on SellerKit's own threads. Call
/// `close()` (Kotlin) or drop the last reference (Swift) when done; a sync still running
/// keeps what it needs alive until it ends.
#[derive(uniffi::Object)]
pub struct SellerApp {
    app: Arc<App>,
    config: SellerAppConfig,
}

impl std::fmt::Debug for SellerApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SellerApp")
            .field("database", &self.app.database_path())
            .finish_non_exhaustive()
    }
}

#[uniffi::export]
impl SellerApp {
    /// Opens (creating or upgrading) the database and installs the log sink.
    ///
    /// Blocking: migrations and the integrity check of an upgrade can take seconds on a
    /// slow phone. Call it off the main thread and show a splash meanwhile.
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
        let language = Language::from_tag(config.locale.as_deref());
        guarded(language, || {
            logging::install(log_sink, config.log_level.unwrap_or(LogLevel::Info));
            let core = AppConfig {
                media_dir: config.media_dir.as_ref().map(PathBuf::from),
                font_paths: config
                    .font_path
                    .as_deref()
                    .map(|list| {
                        std::env::split_paths(list)
                            .filter(|p| !p.as_os_str().is_empty())
                            .collect()
                    })
                    .unwrap_or_default(),
                time_zone: config.time_zone.clone(),
                language,
                device_name: config.device_name.clone(),
                platform: config.platform.clone(),
                extra_root_ca_pem: config
                    .extra_root_ca_pem
                    .iter()
                    .map(|pem| pem.clone().into_bytes())
                    .collect(),
                ..AppConfig::new(
                    config.database_path.clone(),
                    Arc::new(ForeignSecrets(secret_store)),
                )
            };
            let app = App::open(core).map_err(|e| SellerKitError::from_app(e, language))?;
            Ok(Arc::new(SellerApp {
                app: Arc::new(app),
                config,
            }))
        })
    }

    /// The configuration in effect, defaults filled in (media folder, canonical time zone,
    /// `zh-CN` or `en`).
    pub fn config(&self) -> SellerAppConfig {
        SellerAppConfig {
            media_dir: Some(self.app.media_dir().display().to_string()),
            time_zone: Some(self.app.zone().name().to_string()),
            log_level: Some(self.config.log_level.unwrap_or(LogLevel::Info)),
            locale: Some(self.app.language().tag().to_string()),
            ..self.config.clone()
        }
    }

    /// Whether this device is activated: the database names a device and the secret store
    /// holds its token. A failing secret store counts as not activated (and is logged).
    /// Blocking (database, secure storage): call it off the main thread.
    pub fn is_activated(&self) -> bool {
        self.call(|app| app.is_activated()).unwrap_or_else(|e| {
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
        Ok(status::AppStatus::from(self.call(|app| app.status())?))
    }

    /// Changes the server did not accept (rejected or in conflict) that the seller has not
    /// dismissed yet, newest first. A quick local read.
    ///
    /// # Errors
    /// `Storage` when the database fails.
    pub fn conflicts(&self) -> Result<Vec<status::ConflictInfo>, SellerKitError> {
        let open = self.call(|app| app.conflicts(false))?;
        Ok(open.into_iter().map(status::ConflictInfo::from).collect())
    }

    /// Registers this device with the activation code from the service package, at
    /// `server_url` (`https://...`; `http://` only to this device, for the dev server).
    ///
    /// Waits for a sync of this database to finish first. Cancelling the calling
    /// coroutine / task cancels the activation.
    ///
    /// # Errors
    /// `Rejected` with code `invalid_activation_code` for a wrong or used-up code;
    /// `InvalidInput` for a bad URL or a code of another shop than the database holds;
    /// `Network` when the server cannot be reached; `Storage` when the token cannot be
    /// saved; `Cancelled`.
    #[uniffi::method(default(cancel = None))]
    pub async fn activate(
        self: Arc<Self>,
        server_url: String,
        code: String,
        cancel: Option<Arc<CancelHandle>>,
    ) -> Result<ActivationInfo, SellerKitError> {
        let language = self.app.language();
        let token = cancel.map(|c| c.child_token()).unwrap_or_default();
        let watched = token.clone();
        runtime::spawn(token, language, async move {
            let activation = self
                .app
                .activate(&server_url, &code, &watched)
                .await
                .map_err(|e| SellerKitError::from_app(e, language))?;
            Ok(activation.into())
        })
        .await
    }

    /// Pushes the seller's changes, pulls the shop's, downloads pictures.
    ///
    /// `listener` receives `Started` (once the sync holds the database: a second sync of
    /// the same database file, from this app, another `SellerApp` or another process,
    /// waits for the first), progress, then exactly one of `Finished`, `Failed`,
    /// `Cancelled`. The sync stops at its next step when `cancel` is cancelled or when the
    /// calling coroutine / task is cancelled, also while it waits; what was committed
    /// stays, and the next sync resumes from there.
    ///
    /// # Errors
    /// `NotActivated` (activate first, or again); `Network` (try later); `Storage`;
    /// `Cancelled`; `Rejected` when the server refuses a request.
    pub async fn sync(
        self: Arc<Self>,
        listener: Option<Arc<dyn SyncListener>>,
        cancel: Option<Arc<CancelHandle>>,
    ) -> Result<SyncSummary, SellerKitError> {
        let language = self.app.language();
        let token = cancel.map(|c| c.child_token()).unwrap_or_default();
        let watched = token.clone();
        runtime::spawn(token, language, async move {
            let listener = Arc::new(Listener::new(listener));
            let outcome = self.sync_task(Arc::clone(&listener), watched).await;
            listener.end(match &outcome {
                Ok(summary) => SyncEvent::Finished {
                    summary: summary.clone(),
                },
                Err(failure) if failure.code == ErrorCode::Cancelled => SyncEvent::Cancelled,
                Err(failure) => SyncEvent::Failed {
                    code: failure.detail.clone(),
                    error_code: failure.code,
                    reason: failure.error.to_string(),
                },
            });
            outcome.map_err(|failure| failure.error)
        })
        .await
    }
}

/// A sync's failure: the codes for the `Failed` event, and the error for the caller.
struct Failure {
    code: ErrorCode,
    /// The server's code for a refusal, else the core's code as text.
    detail: String,
    error: SellerKitError,
}

impl Failure {
    fn new(err: AppError, language: Language) -> Failure {
        Failure {
            code: err.code().into(),
            detail: err
                .detail_code()
                .map_or_else(|| err.code().as_str().to_string(), str::to_string),
            error: SellerKitError::from_app(err, language),
        }
    }
}

impl SellerApp {
    /// The core service, for the other `impl SellerApp` blocks.
    pub(crate) fn app(&self) -> &App {
        &self.app
    }

    /// Runs a blocking call of the core service, mapping its error into the seller's
    /// language and a panic into `Internal`.
    pub(crate) fn call<T>(
        &self,
        f: impl FnOnce(&App) -> Result<T, AppError>,
    ) -> Result<T, SellerKitError> {
        let language = self.app.language();
        guarded(language, || {
            f(&self.app).map_err(|e| SellerKitError::from_app(e, language))
        })
    }

    /// The store-setup checklist over the core service's database and clock.
    pub(crate) fn checklist_service(&self) -> sellerkit_core::checklist::Checklist {
        self.app.checklist()
    }

    /// The sync itself, in its own task so that even a panic ends with a `Failed` event.
    async fn sync_task(
        self: Arc<Self>,
        listener: Arc<Listener>,
        cancel: CancellationToken,
    ) -> Result<SyncSummary, Failure> {
        let language = self.app.language();
        let task = tokio::spawn(async move {
            self.app
                .sync(&SyncRun::default(), &*listener, &cancel)
                .await
        });
        let outcome: Result<SyncReport, AppError> = match task.await {
            Ok(outcome) => outcome,
            Err(e) if e.is_panic() => {
                let error = SellerKitError::from_panic(&*e.into_panic(), language);
                return Err(Failure {
                    code: ErrorCode::Internal,
                    detail: "internal".into(),
                    error,
                });
            }
            Err(e) => Err(AppError::Internal {
                detail: format!("the sync task stopped: {e}"),
            }),
        };
        outcome
            .map(|report| SyncSummary::from(&report))
            .map_err(|e| Failure::new(e, language))
    }
}
