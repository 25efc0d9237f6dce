//! The core's own tokio runtime, and how the async FFI calls run on it.
//!
//! uniffi lets the *foreign* side poll a Rust future (Kotlin coroutines, Swift tasks), so
//! the future of an exported `async fn` may be polled by a thread that has no tokio context.
//! The exported functions therefore only [`spawn`] their work onto this runtime and await
//! the `JoinHandle`, which any executor can do. Panics stay inside the task and come back as
//! [`SellerKitError::Internal`]; dropping the awaiting future (a cancelled coroutine)
//! cancels the work through its [`CancellationToken`].

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::OnceLock;

use sellerkit_core::locale::Language;
use tokio::runtime::Runtime;
use tokio_util::sync::CancellationToken;

use crate::SellerKitError;

/// Worker threads: the bundled phone has 4 slow cores and network work needs few threads.
/// Two are enough only because nothing blocking runs on them: the core service
/// (`sellerkit_core::app`) sends every SQLite call, secret-store call and file write reached
/// from async code to tokio's blocking threads (`spawn_blocking`), so a slow Keystore or a
/// long write transaction never stalls a worker, a cancellation, or another sync's network.
const WORKER_THREADS: usize = 2;
/// Name of the worker threads, as they show in thread dumps and `top -H`.
const THREAD_NAME: &str = "sellerkit-rt";

static RUNTIME: OnceLock<Result<Runtime, String>> = OnceLock::new();

/// The process-wide runtime, created on first use.
fn runtime() -> Result<&'static Runtime, SellerKitError> {
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(WORKER_THREADS)
                .thread_name(THREAD_NAME)
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| SellerKitError::Internal {
            reason: format!("cannot start SellerKit's async runtime: {e}"),
        })
}

/// Runs `work` on the runtime and waits for it from whatever executor polls this future.
///
/// `cancel` is cancelled when this future is dropped before `work` finished (the caller
/// gave up: a Kotlin coroutine or Swift task was cancelled); `work` should watch it. A
/// panic in `work` becomes [`SellerKitError::Internal`].
pub(crate) async fn spawn<T, F>(
    cancel: CancellationToken,
    language: Language,
    work: F,
) -> Result<T, SellerKitError>
where
    T: Send + 'static,
    F: Future<Output = Result<T, SellerKitError>> + Send + 'static,
{
    let on_drop = cancel.drop_guard();
    let handle = runtime()?.spawn(work);
    let result = match handle.await {
        Ok(result) => result,
        Err(e) if e.is_panic() => Err(SellerKitError::from_panic(&*e.into_panic(), language)),
        Err(e) => Err(SellerKitError::Internal {
            reason: format!("SellerKit's task stopped: {e}"),
        }),
    };
    // Finished: nothing left to cancel (and the caller's token may be shared).
    on_drop.disarm();
    result
}

/// Runs a synchronous call, turning a panic into [`SellerKitError::Internal`] (uniffi would
/// turn it into its own `InternalException`, outside the one error type of the API).
pub(crate) fn guarded<T>(
    language: Language,
    call: impl FnOnce() -> Result<T, SellerKitError>,
) -> Result<T, SellerKitError> {
    std::panic::catch_unwind(AssertUnwindSafe(call))
        .unwrap_or_else(|payload| Err(SellerKitError::from_panic(&*payload, language)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panics_in_tasks_become_internal() {
        let result: Result<(), _> =
            futures_lite_block_on(spawn(CancellationToken::new(), Language::En, async {
                panic!("bad")
            }));
        assert!(
            matches!(result, Err(SellerKitError::Internal { reason }) if reason.contains("bad"))
        );
    }

    #[test]
    fn dropping_the_caller_cancels_the_work() {
        let token = CancellationToken::new();
        let watched = token.clone();
        let started = std::sync::Arc::new(tokio::sync::Notify::new());
        let seen = started.clone();
        let (stopped, stop_seen) = std::sync::mpsc::channel();
        let fut = spawn(token, Language::En, async move {
            seen.notify_one();
            watched.cancelled().await;
            stopped.send(()).ok();
            Err::<(), _>(SellerKitError::Cancelled)
        });
        futures_lite_block_on(async {
            let mut fut = Box::pin(fut);
            tokio::select! {
                _ = &mut fut => panic!("work finished before it was cancelled"),
                _ = started.notified() => {}
            }
            // The caller gives up, as a cancelled coroutine does.
            drop(fut);
        });
        stop_seen
            .recv_timeout(std::time::Duration::from_secs(30))
            .expect("the work did not see the cancellation");
    }

    #[test]
    fn sync_panics_become_internal() {
        let result: Result<(), _> = guarded(Language::En, || panic!("oops"));
        assert!(
            matches!(result, Err(SellerKitError::Internal { reason }) if reason.contains("oops"))
        );
    }

    /// Polls a future to completion on a throwaway current-thread runtime, like a foreign
    /// executor would (no tokio context is needed to await the `JoinHandle`).
    fn futures_lite_block_on<F: Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }
}
