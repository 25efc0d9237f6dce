//! Activation and sync through the core service: the database lock, the one activation
//! rule, the engine on a transport built from the app's settings.

use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use super::{Activation, App, AppError};
use crate::sync::engine::{SyncEngine, SyncOptions, SyncReport};
use crate::sync::progress::SyncListener;
use crate::sync::secrets::DEVICE_TOKEN_KEY;
use crate::sync::transport::Transport;
use crate::sync::{Credentials, SyncError};

/// What one sync should do beyond the defaults.
#[derive(Clone, Debug)]
pub struct SyncRun {
    /// Download missing pictures after the pull (default on).
    pub download_media: bool,
    /// Changes per pull page; `None` is the protocol's default.
    pub page_limit: Option<u32>,
}

impl Default for SyncRun {
    fn default() -> Self {
        SyncRun {
            download_media: true,
            page_limit: None,
        }
    }
}

impl App {
    /// Registers this device with an activation code at `server_url` (`https://...`;
    /// `http://` only to a loopback address). The token goes to the secret store, the
    /// device id and server to the database.
    ///
    /// Waits for a sync or activation of this database (in any process) to finish first.
    /// Cancellation is honoured until the server has answered; saving its answer is not
    /// interrupted.
    ///
    /// # Errors
    /// [`AppError::OtherShop`] when the database holds another shop (found here, not by the
    /// server); [`AppError::Sync`] for the network and the server's refusals (a wrong code
    /// is `Refused` with `invalid_activation_code`); [`AppError::SecretStore`];
    /// [`AppError::Store`].
    pub async fn activate(
        &self,
        server_url: &str,
        code: &str,
        cancel: &CancellationToken,
    ) -> Result<Activation, AppError> {
        let _held = self.lock.acquire(cancel, waiting_for_lock).await?;
        let transport = Arc::new(Transport::new(server_url, self.transport.clone())?);
        let engine = self.engine(Arc::clone(&transport), &SyncRun::default());
        let answer = engine
            .activate(code, &self.device_name, &self.platform, cancel)
            .await?;
        let url = transport.base_url().to_string();
        self.blocking(move |parts| {
            // A database holds one shop: refuse to mix another shop's data into it.
            if let Some(shop) = parts.store.read(|db| db.shop().get())?
                && shop.shop_id != answer.shop_id
            {
                return Err(AppError::OtherShop {
                    held: shop.shop_id,
                    offered: answer.shop_id,
                });
            }
            parts
                .secrets
                .set(DEVICE_TOKEN_KEY, &answer.token)
                .map_err(|e| AppError::SecretStore { detail: e.0 })?;
            parts
                .store
                .write(|db| db.sync().set_device(&answer.device_id, &url))?;
            tracing::info!(device = %answer.device_id, shop = %answer.shop_id, "activated");
            Ok(Activation {
                device_id: answer.device_id,
                shop_id: answer.shop_id,
                shop_name: answer.shop_name,
                tier: answer.tier,
                server_url: url,
            })
        })
        .await
    }

    /// Pushes the outbox, pulls the shop's changes, downloads pictures.
    ///
    /// One sync or activation per database file at a time, across `App`s and processes: a
    /// second one waits for the first (cancellable while it waits; the CLI says it is
    /// waiting). `listener.on_started` is called once the sync holds the database, then
    /// progress. Cancellation stops at the next step; what was committed stays.
    ///
    /// # Errors
    /// [`AppError::NotActivated`]; [`AppError::SecretStore`]; [`AppError::Sync`] (network,
    /// server, cancelled); [`AppError::Store`].
    pub async fn sync(
        &self,
        run: &SyncRun,
        listener: &dyn SyncListener,
        cancel: &CancellationToken,
    ) -> Result<SyncReport, AppError> {
        let (waits, mut waiting) = tokio::sync::oneshot::channel();
        let acquiring = self.lock.acquire(cancel, move || {
            waiting_for_lock();
            let _ = waits.send(());
        });
        tokio::pin!(acquiring);
        let mut told = false;
        let _held = loop {
            tokio::select! {
                held = &mut acquiring => break held?,
                Ok(()) = &mut waiting, if !told => {
                    told = true;
                    listener.on_waiting();
                }
            }
        };
        let credentials = self.credentials_cancellable(cancel).await?;
        listener.on_started();
        let transport = Arc::new(Transport::new(
            &credentials.server_url,
            self.transport.clone(),
        )?);
        let engine = self.engine(transport, run);
        let report = engine.sync(&credentials, listener, cancel).await?;
        tracing::info!(
            pulled = report.changes_pulled(),
            pushed = report.pushed,
            ms = report.duration_ms,
            "sync finished"
        );
        Ok(report)
    }

    /// The credentials, read on a blocking thread; a cancellation does not wait for a slow
    /// secret store.
    async fn credentials_cancellable(
        &self,
        cancel: &CancellationToken,
    ) -> Result<Credentials, AppError> {
        let reading =
            self.blocking(|parts| super::activation::credentials(&parts.store, &*parts.secrets));
        let credentials = tokio::select! {
            biased;
            () = cancel.cancelled() => return Err(SyncError::Cancelled.into()),
            read = reading => read?,
        };
        credentials.ok_or(AppError::NotActivated)
    }

    fn engine(&self, transport: Arc<Transport>, run: &SyncRun) -> SyncEngine {
        let mut options = SyncOptions::for_database(self.store.path());
        options.media_dir = self.media_dir.clone();
        options.download_media = run.download_media;
        if let Some(limit) = run.page_limit {
            options.page_limit = limit;
        }
        SyncEngine::new(
            Arc::clone(&self.store),
            transport,
            Arc::clone(&self.clock),
            options,
        )
    }
}

fn waiting_for_lock() {
    tracing::info!("another sync or activation of this database is running; waiting for it");
}
