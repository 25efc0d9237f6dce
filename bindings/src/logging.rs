//! Forwarding the core's `tracing` events to the shell's log (logcat, os_log).
//!
//! One global subscriber is installed on the first [`install`]; it holds a [`SinkLayer`]
//! that sends each event to the current [`LogSink`]. A later `SellerApp.open` with another
//! sink replaces the sink (the subscriber itself can be set only once per process).
//!
//! Libraries that log through the `log` crate (rustls: handshake failures, certificate
//! problems) reach the sink too: `tracing-log`'s `LogTracer` turns their records into
//! `tracing` events with their own target (`rustls::...`), filtered like other crates'.

use std::cell::Cell;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Once, RwLock};

use tracing::field::{Field, Visit};
use tracing::level_filters::LevelFilter;
use tracing::subscriber::Interest;
use tracing::{Event, Level, Metadata, Subscriber};
use tracing_log::NormalizeEvent as _;
use tracing_subscriber::layer::{Context, Layer, SubscriberExt as _};

use crate::SellerKitError;

/// Severity of a [`LogRecord`], most severe first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, uniffi::Enum)]
pub enum LogLevel {
    /// Something failed.
    Error,
    /// Something unexpected that SellerKit handled.
    Warn,
    /// Milestones: activation, sync start and end.
    Info,
    /// Details for developers.
    Debug,
    /// Everything.
    Trace,
}

/// One log line of SellerKit.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct LogRecord {
    /// Severity.
    pub level: LogLevel,
    /// Where it comes from: the Rust module path, e.g. `sellerkit_core::sync::engine`.
    pub target: String,
    /// The message with its fields, e.g. `activated device=dev_1 shop=shop_demo`.
    pub message: String,
}

/// The shell's log, e.g. logcat on Android or os_log on iOS.
///
/// Called on SellerKit's threads (any thread); keep it quick and do not call back into
/// SellerKit from it (such calls are not logged, to avoid loops). A thrown exception is
/// ignored: the log line is lost, nothing else.
#[uniffi::export(foreign)]
pub trait LogSink: Send + Sync {
    /// Writes one record.
    fn log(&self, record: LogRecord) -> Result<(), SellerKitError>;
}

static SINK: RwLock<Option<Arc<dyn LogSink>>> = RwLock::new(None);
/// The most verbose level forwarded for SellerKit's own targets, as a [`LogLevel`] index.
static LEVEL: AtomicU8 = AtomicU8::new(LogLevel::Info as u8);
static INSTALL: Once = Once::new();

thread_local! {
    /// Set while this thread is inside the sink: events it causes are dropped, not looped.
    static IN_SINK: Cell<bool> = const { Cell::new(false) };
}

/// Installs the global subscriber (once per process) and makes `sink`, if given, the
/// destination of SellerKit's logs; `level` is the most verbose level forwarded for
/// SellerKit's own code (other crates: warnings and errors only).
pub(crate) fn install(sink: Option<Arc<dyn LogSink>>, level: LogLevel) {
    if let Some(sink) = sink {
        *SINK.write().unwrap_or_else(|p| p.into_inner()) = Some(sink);
    }
    let previous = LEVEL.swap(level as u8, Ordering::Relaxed);
    INSTALL.call_once(|| {
        // `log` records (rustls) into `tracing`; fails only when the host app set its own
        // `log` logger first, which then keeps them.
        if tracing_log::LogTracer::init().is_err() {
            eprintln!("sellerkit: a `log` logger is already installed; rustls logs go there");
        }
        let subscriber = tracing_subscriber::registry().with(SinkLayer);
        // Fails only when the host app installed its own subscriber first; then that one
        // gets SellerKit's events and the sink gets none.
        if tracing::subscriber::set_global_default(subscriber).is_err() {
            eprintln!("sellerkit: a tracing subscriber is already installed; LogSink unused");
        }
    });
    if previous != level as u8 {
        // Callsites cache whether they are enabled: ask them again.
        tracing::callsite::rebuild_interest_cache();
    }
}

fn current_level() -> LevelFilter {
    match LEVEL.load(Ordering::Relaxed) {
        0 => LevelFilter::ERROR,
        1 => LevelFilter::WARN,
        2 => LevelFilter::INFO,
        3 => LevelFilter::DEBUG,
        _ => LevelFilter::TRACE,
    }
}

/// What is forwarded: SellerKit's own events up to the chosen level, other crates' (HTTP,
/// TLS) only when they are warnings or errors, so the phone's log stays readable.
fn wanted(meta: &Metadata<'_>) -> bool {
    let level = current_level();
    if meta.target().starts_with("sellerkit") {
        *meta.level() <= level
    } else {
        *meta.level() <= level.min(LevelFilter::WARN)
    }
}

/// The `tracing` layer that hands events to the current [`LogSink`].
struct SinkLayer;

impl<S: Subscriber> Layer<S> for SinkLayer {
    fn register_callsite(&self, meta: &'static Metadata<'static>) -> Interest {
        if wanted(meta) {
            Interest::always()
        } else {
            Interest::never()
        }
    }

    fn enabled(&self, meta: &Metadata<'_>, _ctx: Context<'_, S>) -> bool {
        wanted(meta)
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        Some(current_level())
    }

    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        if IN_SINK.with(Cell::get) {
            return;
        }
        // Clone the sink out of the lock: the callback must never run under it.
        let Some(sink) = SINK.read().unwrap_or_else(|p| p.into_inner()).clone() else {
            return;
        };
        let mut text = MessageText::default();
        event.record(&mut text);
        // A `log` record's own target and level (not the bridge's generic callsite).
        let normalized = event.normalized_metadata();
        let meta = normalized.as_ref().unwrap_or_else(|| event.metadata());
        if normalized.is_some() && !wanted(meta) {
            return;
        }
        let record = LogRecord {
            level: level_of(meta.level()),
            target: meta.target().to_string(),
            message: text.finish(),
        };
        IN_SINK.with(|f| f.set(true));
        // A failing sink loses this line; reporting it would need the sink again.
        let _ = sink.log(record);
        IN_SINK.with(|f| f.set(false));
    }
}

fn level_of(level: &Level) -> LogLevel {
    match *level {
        Level::ERROR => LogLevel::Error,
        Level::WARN => LogLevel::Warn,
        Level::INFO => LogLevel::Info,
        Level::DEBUG => LogLevel::Debug,
        Level::TRACE => LogLevel::Trace,
    }
}

/// Collects an event's `message` and its other fields as ` key=value`.
#[derive(Default)]
struct MessageText {
    message: String,
    fields: String,
}

impl MessageText {
    fn finish(self) -> String {
        let mut out = self.message;
        if out.is_empty() {
            out = self.fields.trim_start().to_string();
        } else {
            out.push_str(&self.fields);
        }
        out
    }
}

impl Visit for MessageText {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name().starts_with("log.") {
            // The `log` bridge's bookkeeping (target, module, file, line): in the metadata.
        } else if field.name() == "message" {
            self.message.push_str(value);
        } else {
            let _ = write!(self.fields, " {}={}", field.name(), value);
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name().starts_with("log.") {
            // As above.
        } else if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            let _ = write!(self.fields, " {}={:?}", field.name(), value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[derive(Default)]
    struct Collect(Mutex<Vec<LogRecord>>);

    impl LogSink for Collect {
        fn log(&self, record: LogRecord) -> Result<(), SellerKitError> {
            self.0.lock().unwrap().push(record);
            Ok(())
        }
    }

    #[test]
    fn events_reach_the_sink_with_their_fields_and_levels() {
        let sink = Arc::new(Collect::default());
        install(Some(sink.clone()), LogLevel::Debug);
        tracing::info!(target: "sellerkit_ffi::test", shop = "shop_demo", count = 3, "hello");
        tracing::debug!(target: "sellerkit_ffi::test", "details");
        tracing::trace!(target: "sellerkit_ffi::test", "too verbose");
        tracing::info!(target: "hyper::client", "not SellerKit's");
        tracing::warn!(target: "hyper::client", "a warning of another crate");
        // rustls logs through the `log` crate: its warnings reach the sink, its debug not.
        log::warn!(target: "rustls::client::hs", "a rustls warning");
        log::debug!(target: "rustls::client::hs", "rustls details");
        let got: Vec<_> = sink
            .0
            .lock()
            .unwrap()
            .iter()
            .filter(|r| {
                r.target.ends_with("::test")
                    || r.target.starts_with("hyper")
                    || r.target.starts_with("rustls")
            })
            .cloned()
            .collect();
        let lines: Vec<_> = got.iter().map(|r| (r.level, r.message.as_str())).collect();
        assert_eq!(
            lines,
            vec![
                (LogLevel::Info, "hello shop=shop_demo count=3"),
                (LogLevel::Debug, "details"),
                (LogLevel::Warn, "a warning of another crate"),
                (LogLevel::Warn, "a rustls warning"),
            ]
        );
        assert!(
            got.iter().any(|r| r.target == "rustls::client::hs"),
            "{got:?}"
        );
    }
}
