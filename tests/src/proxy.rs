//! A fault-injecting HTTP/1.1 proxy for the end-to-end tests.
//!
//! [`FaultProxy`] listens on `127.0.0.1:0` and forwards every request to an upstream base URL
//! (the dev server). Before forwarding, it takes the next [`Fault`] from its plan, a fixed
//! script or a seeded random sequence, and applies it: drop the connection, delay, cut the
//! body short, answer 503 or 429 itself, or swap the body for something malformed or huge.
//! A path prefix filter aims the faults at one endpoint (`/v1/changes`) and lets the rest pass;
//! [`FaultProxy::set_faults_enabled`] turns them off ("once the faults stop").
//!
//! The proxy runs on its own thread and tokio runtime, so sync tests (which run the CLI
//! binary against it) and async tests can both use it; dropping it stops it.
//!
//! ```no_run
//! use sellerkit_e2e::proxy::{Fault, FaultProxy};
//! let server = sellerkit_e2e::DevServerProcess::start(&[]);
//! let proxy = FaultProxy::start(&server.url);
//! proxy.script([Fault::Drop, Fault::Status(503)]);
//! // ... point the client at proxy.url(): the first request is dropped, the second gets
//! // 503, the rest pass.
//! assert!(proxy.faults_injected() <= 2);
//! ```

use std::collections::VecDeque;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use futures_util::stream;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Bytes, Frame, Incoming};
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type ProxyBody = BoxBody<Bytes, BoxError>;

/// What the proxy does to one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Forward untouched.
    Pass,
    /// Close the connection without answering (the client sees a reset / closed connection).
    Drop,
    /// Wait this long, then forward.
    Delay(Duration),
    /// Forward, keeping status and headers (the original `Content-Length` included), but cut
    /// the body after this many bytes and close the connection. Nothing is cut from a body
    /// that is shorter.
    Truncate(usize),
    /// Answer this status itself, with the protocol's JSON error body, without forwarding.
    Status(u16),
    /// Answer `429 Too Many Requests` with `Retry-After: <secs>` itself.
    RateLimit {
        /// The `Retry-After` value in seconds.
        retry_after_secs: u64,
    },
    /// Forward, keep status and headers, but replace the body with these bytes sent as-is
    /// (`Content-Length` fixed, `Content-Encoding` removed): malformed or type-confused JSON.
    ReplaceBody(Vec<u8>),
    /// Like [`Fault::ReplaceBody`] but the bytes are already gzip-compressed and are sent
    /// with `Content-Encoding: gzip` (a gzip bomb, a corrupt stream).
    ReplaceBodyGzip(Vec<u8>),
    /// Forward, keep status and headers, but replace the body with `len` filler bytes
    /// (JSON whitespace) generated as they are sent, so a 100 MB body costs the test no
    /// memory. With `chunked`, no `Content-Length` is sent (the client learns the size
    /// only by reading); without it, `Content-Length: len` is.
    FillBody {
        /// Body length in bytes.
        len: u64,
        /// Send with chunked encoding instead of a `Content-Length`.
        chunked: bool,
    },
}

/// One request the proxy saw and what it did to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProxyEvent {
    /// HTTP method.
    pub method: String,
    /// Path and query as requested.
    pub path: String,
    /// The fault applied ([`Fault::Pass`] when none).
    pub fault: Fault,
}

enum Plan {
    /// Everything passes.
    Nothing,
    /// These faults in order, then passes.
    Script(VecDeque<Fault>),
    /// Each request draws a fault from `menu` with probability `percent`/100.
    Seeded {
        rng: fastrand::Rng,
        percent: u8,
        menu: Vec<Fault>,
    },
}

impl Plan {
    fn next(&mut self) -> Fault {
        match self {
            Plan::Nothing => Fault::Pass,
            Plan::Script(faults) => faults.pop_front().unwrap_or(Fault::Pass),
            Plan::Seeded { rng, percent, menu } => {
                if menu.is_empty() || rng.u8(0..100) >= *percent {
                    Fault::Pass
                } else {
                    menu[rng.usize(0..menu.len())].clone()
                }
            }
        }
    }
}

struct Shared {
    upstream: String,
    plan: Mutex<Plan>,
    path_filter: Mutex<Option<String>>,
    enabled: AtomicBool,
    requests: AtomicU64,
    faults: AtomicU64,
    upstream_failures: AtomicU64,
    events: Mutex<Vec<ProxyEvent>>,
}

/// Locks, ignoring poisoning: a panicking test thread must not wedge the proxy.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A running fault-injecting proxy; stopped when dropped.
pub struct FaultProxy {
    url: String,
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl FaultProxy {
    /// Starts a proxy on `127.0.0.1:0` in front of `upstream` (`http://host:port`, the dev
    /// server's URL). Every request passes until a plan is set. Panics if it cannot bind
    /// (a test helper: there is nothing sensible to do but fail the test).
    pub fn start(upstream: &str) -> FaultProxy {
        let authority = upstream
            .strip_prefix("http://")
            .expect("the proxy forwards to an http:// upstream")
            .trim_end_matches('/')
            .to_string();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        listener.set_nonblocking(true).expect("non-blocking");
        let addr = listener.local_addr().expect("proxy address");
        let shared = Arc::new(Shared {
            upstream: authority,
            plan: Mutex::new(Plan::Nothing),
            path_filter: Mutex::new(None),
            enabled: AtomicBool::new(true),
            requests: AtomicU64::new(0),
            faults: AtomicU64::new(0),
            upstream_failures: AtomicU64::new(0),
            events: Mutex::new(Vec::new()),
        });
        let (stop, stopped) = tokio::sync::oneshot::channel();
        let thread_shared = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("fault-proxy".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("proxy runtime");
                runtime.block_on(serve(listener, thread_shared, stopped));
                // Dropping the runtime drops every open connection, mid-delay or not.
            })
            .expect("start the proxy thread");
        FaultProxy {
            url: format!("http://{addr}"),
            addr,
            shared,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// The proxy's base URL, `http://127.0.0.1:<port>`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The proxy's address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Applies `faults` to the next matching requests, in order; later ones pass.
    pub fn script(&self, faults: impl IntoIterator<Item = Fault>) {
        *lock(&self.shared.plan) = Plan::Script(faults.into_iter().collect());
    }

    /// Gives each matching request a fault drawn from `menu` with probability
    /// `percent`/100, from a generator seeded with `seed`: the same seed and the same
    /// sequence of requests give the same faults.
    pub fn seeded(&self, seed: u64, percent: u8, menu: Vec<Fault>) {
        *lock(&self.shared.plan) = Plan::Seeded {
            rng: fastrand::Rng::with_seed(seed),
            percent: percent.min(100),
            menu,
        };
    }

    /// Faults apply only to requests whose path starts with `prefix` (`None`: all). Other
    /// requests pass and do not consume the plan.
    pub fn set_path_filter(&self, prefix: Option<&str>) {
        *lock(&self.shared.path_filter) = prefix.map(str::to_string);
    }

    /// Turns fault injection on or off; while off every request passes and the plan waits.
    pub fn set_faults_enabled(&self, enabled: bool) {
        self.shared.enabled.store(enabled, Ordering::SeqCst);
    }

    /// Requests seen since the start (or the last [`FaultProxy::reset_counters`]).
    pub fn requests_seen(&self) -> u64 {
        self.shared.requests.load(Ordering::SeqCst)
    }

    /// Requests that got a fault other than [`Fault::Pass`].
    pub fn faults_injected(&self) -> u64 {
        self.shared.faults.load(Ordering::SeqCst)
    }

    /// Requests the proxy could not connect to the upstream for (it was down); each such
    /// request's connection is dropped, as a dead server's would be. Lets a test wait until
    /// the client has really run into a stopped server.
    pub fn upstream_failures(&self) -> u64 {
        self.shared.upstream_failures.load(Ordering::SeqCst)
    }

    /// Requests seen whose path starts with `prefix`.
    pub fn requests_seen_for(&self, prefix: &str) -> u64 {
        let events = lock(&self.shared.events);
        events.iter().filter(|e| e.path.starts_with(prefix)).count() as u64
    }

    /// Every request seen, in arrival order, with its fault.
    pub fn events(&self) -> Vec<ProxyEvent> {
        lock(&self.shared.events).clone()
    }

    /// Zeroes the counters and forgets the events (the plan stays).
    pub fn reset_counters(&self) {
        self.shared.requests.store(0, Ordering::SeqCst);
        self.shared.faults.store(0, Ordering::SeqCst);
        lock(&self.shared.events).clear();
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn serve(
    listener: std::net::TcpListener,
    shared: Arc<Shared>,
    mut stopped: tokio::sync::oneshot::Receiver<()>,
) {
    let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
    loop {
        let stream = tokio::select! {
            _ = &mut stopped => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // E.g. too many open files: keep serving the connections already open.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
        };
        let shared = Arc::clone(&shared);
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| handle(Arc::clone(&shared), req));
            // An error here is a dropped or truncated connection: what the faults are for.
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// The error that makes hyper close a connection without answering.
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by the fault proxy")
    }
}

impl std::error::Error for Dropped {}

async fn handle(
    shared: Arc<Shared>,
    req: Request<Incoming>,
) -> Result<Response<ProxyBody>, BoxError> {
    let path = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    let fault = choose_fault(&shared, &path);
    shared.requests.fetch_add(1, Ordering::SeqCst);
    if fault != Fault::Pass {
        shared.faults.fetch_add(1, Ordering::SeqCst);
    }
    lock(&shared.events).push(ProxyEvent {
        method: req.method().to_string(),
        path: path.clone(),
        fault: fault.clone(),
    });

    match fault {
        Fault::Drop => Err(Box::new(Dropped)),
        Fault::Status(status) => Ok(error_answer(status, None)),
        Fault::RateLimit { retry_after_secs } => Ok(error_answer(429, Some(retry_after_secs))),
        Fault::Pass => forward(&shared, req, &path).await.map(streamed),
        Fault::Delay(delay) => {
            tokio::time::sleep(delay).await;
            forward(&shared, req, &path).await.map(streamed)
        }
        Fault::Truncate(keep) => {
            let (parts, body) = forward(&shared, req, &path).await?.into_parts();
            let mut whole = body.collect().await?.to_bytes();
            whole.truncate(keep);
            Ok(Response::from_parts(parts, truncated_body(whole)))
        }
        Fault::ReplaceBody(bytes) => replaced(&shared, req, &path, bytes, None).await,
        Fault::ReplaceBodyGzip(bytes) => replaced(&shared, req, &path, bytes, Some("gzip")).await,
        Fault::FillBody { len, chunked } => {
            let (mut parts, _) = forward(&shared, req, &path).await?.into_parts();
            parts.headers.remove(header::CONTENT_ENCODING);
            parts.headers.remove(header::CONTENT_LENGTH);
            if !chunked {
                parts
                    .headers
                    .insert(header::CONTENT_LENGTH, HeaderValue::from(len));
            }
            Ok(Response::from_parts(parts, filler_body(len)))
        }
    }
}

fn choose_fault(shared: &Shared, path: &str) -> Fault {
    if !shared.enabled.load(Ordering::SeqCst) {
        return Fault::Pass;
    }
    let matches = match &*lock(&shared.path_filter) {
        Some(prefix) => path.starts_with(prefix.as_str()),
        None => true,
    };
    if !matches {
        return Fault::Pass;
    }
    lock(&shared.plan).next()
}

/// Sends `req` to the upstream on a fresh connection and returns its answer, streaming.
async fn forward(
    shared: &Shared,
    req: Request<Incoming>,
    path: &str,
) -> Result<Response<Incoming>, BoxError> {
    let stream = match tokio::net::TcpStream::connect(&shared.upstream).await {
        Ok(stream) => stream,
        Err(e) => {
            shared.upstream_failures.fetch_add(1, Ordering::SeqCst);
            return Err(e.into());
        }
    };
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake::<_, Incoming>(TokioIo::new(stream)).await?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    let (mut parts, body) = req.into_parts();
    parts.uri = path.parse()?;
    strip_hop_by_hop(&mut parts.headers);
    parts
        .headers
        .insert(header::HOST, HeaderValue::from_str(&shared.upstream)?);
    let mut answer = sender
        .send_request(Request::from_parts(parts, body))
        .await?;
    strip_hop_by_hop(answer.headers_mut());
    Ok(answer)
}

/// Headers that describe one connection, not the message (RFC 9110 §7.6.1).
fn strip_hop_by_hop(headers: &mut HeaderMap) {
    for name in [
        header::CONNECTION,
        header::TRANSFER_ENCODING,
        header::TE,
        header::TRAILER,
        header::UPGRADE,
        header::PROXY_AUTHORIZATION,
        header::PROXY_AUTHENTICATE,
    ] {
        headers.remove(name);
    }
    headers.remove("keep-alive");
}

async fn replaced(
    shared: &Shared,
    req: Request<Incoming>,
    path: &str,
    bytes: Vec<u8>,
    encoding: Option<&'static str>,
) -> Result<Response<ProxyBody>, BoxError> {
    let (mut parts, _) = forward(shared, req, path).await?.into_parts();
    parts.headers.remove(header::CONTENT_ENCODING);
    parts.headers.remove(header::ETAG);
    if let Some(encoding) = encoding {
        parts
            .headers
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
    }
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
    Ok(Response::from_parts(parts, full(bytes)))
}

/// The protocol's error answer (`{"error": {"code", "message"}}`), made up by the proxy.
fn error_answer(status: u16, retry_after_secs: Option<u64>) -> Response<ProxyBody> {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    let code = match status.as_u16() {
        400 => "invalid_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        408 => "request_timeout",
        413 => "payload_too_large",
        415 => "unsupported_media_type",
        429 => "rate_limited",
        _ => "unavailable",
    };
    let body = format!(
        r#"{{"error":{{"code":"{code}","message":"injected by the test proxy ({})"}}}}"#,
        status.as_u16()
    );
    let mut answer = Response::new(full(body.into_bytes()));
    *answer.status_mut() = status;
    answer.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    if let Some(secs) = retry_after_secs {
        answer
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    answer
}

/// The upstream's answer, streamed through as it arrives.
fn streamed(answer: Response<Incoming>) -> Response<ProxyBody> {
    answer.map(|body| body.map_err(BoxError::from).boxed())
}

fn full(bytes: Vec<u8>) -> ProxyBody {
    Full::new(Bytes::from(bytes))
        .map_err(|never: Infallible| match never {})
        .boxed()
}

/// `kept`, then a pause (so hyper flushes it to the socket), then an error that makes hyper
/// close the connection before the promised length.
fn truncated_body(kept: Bytes) -> ProxyBody {
    let steps = stream::unfold(0u8, move |step| {
        let kept = kept.clone();
        async move {
            match step {
                0 => Some((Ok(Frame::data(kept)), 1)),
                1 => {
                    tokio::time::sleep(Duration::from_millis(30)).await;
                    let cut: BoxError = "body cut short by the fault proxy".into();
                    Some((Err(cut), 2))
                }
                _ => None,
            }
        }
    });
    StreamBody::new(steps).boxed()
}

/// `len` bytes of JSON whitespace in 64 KiB chunks, made as they are sent.
fn filler_body(len: u64) -> ProxyBody {
    const CHUNK: usize = 64 * 1024;
    let block = Bytes::from(vec![b' '; CHUNK]);
    let chunks = stream::unfold(len, move |left| {
        let block = block.clone();
        async move {
            if left == 0 {
                return None;
            }
            let n = usize::try_from(left).map_or(CHUNK, |l| l.min(CHUNK));
            let frame: Result<Frame<Bytes>, BoxError> = Ok(Frame::data(block.slice(..n)));
            Some((frame, left - n as u64))
        }
    });
    StreamBody::new(chunks).boxed()
}
