//! The HTTP client of the sync protocol: JSON over HTTPS with gzip, bearer tokens, bounded
//! bodies, timeouts, retries with backoff, cancellation and typed errors.
//!
//! The contract is `docs/sync-protocol.md` (Transport, Retries). Design notes:
//!
//! - **Wire bytes.** reqwest's own gzip support decompresses before the caller sees a byte,
//!   so the transport turns it off, asks for gzip itself and inflates with flate2 while it
//!   streams. [`TransportStats::wire_bytes_received`] therefore counts response *body* bytes
//!   as they crossed the network (compressed), which is what 3G sellers pay for; headers and
//!   TLS framing are not counted.
//! - **Bounded memory.** Bodies are read chunk by chunk against a hard cap on both the
//!   compressed and the decompressed size, so neither a huge answer nor a gzip bomb can take
//!   the phone's 1 GB of RAM.
//! - **Truncation.** A body cut short (connection closed before its `Content-Length` or its
//!   last chunk; for a body that simply ends with the connection, before the end of its gzip
//!   stream or JSON document) is a network fault and is retried; a body the HTTP framing
//!   shows complete but that is not valid gzip or the promised JSON is a
//!   [`SyncError::MalformedResponse`] and is not.

mod body;
mod classify;
mod retry;
mod tls;

use std::io::Write as _;
use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use flate2::write::GzEncoder;
use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::{Method, Url};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio_util::sync::CancellationToken;

use crate::sync::SyncError;
use crate::sync::backoff::BackoffPolicy;

use body::decode_json;
#[cfg(test)]
use classify::parse_error_body;
use classify::{classify_reqwest, error_chain};
use retry::AttemptError;

/// `Accept` of the JSON calls.
const JSON: &str = "application/json";
/// Default cap of a response body (compressed and decompressed), as the protocol promises.
pub const DEFAULT_MAX_BODY_BYTES: u64 = 32 * 1024 * 1024;

/// Settings of a [`Transport`].
#[derive(Clone, Debug)]
pub struct TransportConfig {
    /// Longest wait for a TCP + TLS connection.
    pub connect_timeout: Duration,
    /// Longest time of one attempt of a JSON call, answer body included.
    pub request_timeout: Duration,
    /// Longest time of one attempt of a media download or upload.
    pub media_timeout: Duration,
    /// Attempts of one call, the first included (at least 1 is made).
    pub max_attempts: u32,
    /// Sleeps between attempts.
    pub backoff: BackoffPolicy,
    /// Largest JSON answer accepted, compressed and decompressed.
    pub max_body_bytes: u64,
    /// Root certificates trusted besides the platform's (PEM, one or more per entry, or
    /// DER): a test CA, or a company CA on a QA laptop.
    pub extra_root_certs_pem: Vec<Vec<u8>>,
    /// `User-Agent` of every request.
    pub user_agent: String,
    /// JSON request bodies at least this long are sent gzip-compressed
    /// (`Content-Encoding: gzip`, which the protocol allows); `None` never compresses.
    pub gzip_request_min_bytes: Option<usize>,
}

impl Default for TransportConfig {
    fn default() -> Self {
        TransportConfig {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            media_timeout: Duration::from_secs(120),
            max_attempts: 8,
            backoff: BackoffPolicy::default(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            extra_root_certs_pem: Vec::new(),
            user_agent: format!("sellerkit-core/{}", env!("CARGO_PKG_VERSION")),
            // Below about a kilobyte gzip's header and CPU cost outweigh the saving.
            gzip_request_min_bytes: Some(1024),
        }
    }
}

/// Which failures of a call may be repeated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetryMode {
    /// The call is safe to repeat: retry network errors, timeouts, 408, 429 and 5xx.
    Idempotent,
    /// Repeat only when the request certainly did not reach the server (connect errors):
    /// activation, which would otherwise use up a code twice.
    OnlyIfNotSent,
}

/// A downloaded body with the headers the media sync needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fetched {
    /// The body, decompressed.
    pub bytes: Vec<u8>,
    /// `ETag` as sent (with its quotes).
    pub etag: Option<String>,
    /// `Content-Type` as sent.
    pub content_type: Option<String>,
}

/// Counters of a [`Transport`] since it was made (shared by its clones).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TransportStats {
    /// HTTP requests sent, retries included.
    pub requests: u64,
    /// Requests that were retries of an earlier failed attempt.
    pub retries: u64,
    /// Response body bytes received on the wire, before decompression (headers excluded).
    pub wire_bytes_received: u64,
    /// Response body bytes after decompression.
    pub body_bytes_received: u64,
    /// Request body bytes sent on the wire, after compression, retries included.
    pub wire_bytes_sent: u64,
}

#[derive(Debug, Default)]
struct Counters {
    requests: AtomicU64,
    retries: AtomicU64,
    wire_bytes_received: AtomicU64,
    body_bytes_received: AtomicU64,
    wire_bytes_sent: AtomicU64,
}

impl Counters {
    fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }
}

/// The protocol's HTTP client. Cheap to clone (clones share connections and counters).
#[derive(Clone, Debug)]
pub struct Transport {
    client: reqwest::Client,
    base: String,
    host: Option<String>,
    config: Arc<TransportConfig>,
    counters: Arc<Counters>,
}

impl Transport {
    /// A client for the server at `server_url` (scheme, host, port and an optional path
    /// prefix). `https://` always; `http://` only to this device (127.0.0.0/8, `::1`,
    /// `localhost`), as the dev server and the tests use; anything else is
    /// [`SyncError::BadServerUrl`]. A bad extra root certificate is [`SyncError::Tls`].
    pub fn new(server_url: &str, config: TransportConfig) -> Result<Transport, SyncError> {
        let refuse = |reason: &str| SyncError::BadServerUrl {
            url: server_url.to_string(),
            reason: reason.to_string(),
        };
        let url = Url::parse(server_url.trim()).map_err(|e| refuse(&format!("not a URL: {e}")))?;
        let https = match url.scheme() {
            "https" => true,
            "http" if is_loopback(&url) => false,
            "http" => {
                return Err(refuse(
                    "plain http:// is only allowed to this device (127.0.0.1, ::1, localhost); use https://",
                ));
            }
            _ => return Err(refuse("only https:// server URLs are supported")),
        };
        if url.host().is_none() {
            return Err(refuse("the URL has no host"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(refuse("the URL must not contain a user name or password"));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(refuse("the URL must not have a query or fragment"));
        }

        let tls = tls::client_config(&config.extra_root_certs_pem, https)?;
        let mut builder = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .connect_timeout(config.connect_timeout)
            // Gzip is done here, not by reqwest, so wire bytes can be counted and the
            // decompressed size capped (module docs).
            .no_gzip()
            // The protocol has no redirects; following one could leave HTTPS or the server.
            .redirect(reqwest::redirect::Policy::none())
            .https_only(https);
        if let Ok(agent) = HeaderValue::from_str(&config.user_agent) {
            builder = builder.user_agent(agent);
        }
        if !https {
            // A proxy from the environment cannot reach this device's loopback.
            builder = builder.no_proxy();
        }
        let client = builder.build().map_err(|e| SyncError::Tls {
            detail: format!("cannot set up the HTTP client: {}", error_chain(&e)),
        })?;
        Ok(Transport {
            client,
            base: url.as_str().trim_end_matches('/').to_string(),
            host: url.host_str().map(str::to_string),
            config: Arc::new(config),
            counters: Arc::new(Counters::default()),
        })
    }

    /// The server URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// The settings this transport was made with.
    pub fn config(&self) -> &TransportConfig {
        &self.config
    }

    /// `GET` a JSON document, retried per the policy.
    pub async fn get_json<T: DeserializeOwned>(
        &self,
        path_and_query: &str,
        token: Option<&str>,
        cancel: &CancellationToken,
    ) -> Result<T, SyncError> {
        let call = Call {
            method: Method::GET,
            accept: JSON,
            path: path_and_query,
            token,
            body: None,
            timeout: self.config.request_timeout,
            limit: self.config.max_body_bytes,
            mode: RetryMode::Idempotent,
        };
        self.run(&call, cancel, decode_json).await
    }

    /// `POST` a JSON body and read a JSON answer. `retry` says whether failures after the
    /// request may have reached the server can be repeated.
    pub async fn post_json<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
        token: Option<&str>,
        retry: RetryMode,
        cancel: &CancellationToken,
    ) -> Result<T, SyncError> {
        let json = serde_json::to_vec(body).map_err(|e| SyncError::Io {
            what: "the request".into(),
            detail: format!("cannot encode it as JSON: {e}"),
        })?;
        let mut body = Body {
            bytes: json.into(),
            content_type: HeaderValue::from_static("application/json; charset=utf-8"),
            gzip: false,
        };
        if self
            .config
            .gzip_request_min_bytes
            .is_some_and(|min| body.bytes.len() >= min)
        {
            // Compressed once, sent as often as the retries need.
            if let Ok(compressed) = gzip(&body.bytes) {
                body.bytes = compressed.into();
                body.gzip = true;
            }
        }
        let call = Call {
            method: Method::POST,
            accept: JSON,
            path,
            token,
            body: Some(body),
            timeout: self.config.request_timeout,
            limit: self.config.max_body_bytes,
            mode: retry,
        };
        self.run(&call, cancel, decode_json).await
    }

    /// `GET` raw bytes (media), at most `limit` of them (compressed and decompressed).
    pub async fn get_bytes(
        &self,
        path: &str,
        token: Option<&str>,
        limit: u64,
        cancel: &CancellationToken,
    ) -> Result<Fetched, SyncError> {
        let call = Call {
            method: Method::GET,
            accept: "*/*",
            path,
            token,
            body: None,
            timeout: self.config.media_timeout,
            limit,
            mode: RetryMode::Idempotent,
        };
        self.run(&call, cancel, |answer| {
            let text = |name| {
                answer
                    .headers
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
            };
            Ok(Fetched {
                etag: text(header::ETAG),
                content_type: text(header::CONTENT_TYPE),
                bytes: answer.body,
            })
        })
        .await
    }

    /// `PUT` raw bytes (a media upload, idempotent by the protocol) and read a JSON answer.
    pub async fn put_bytes<T: DeserializeOwned>(
        &self,
        path_and_query: &str,
        bytes: Vec<u8>,
        content_type: &str,
        token: Option<&str>,
        cancel: &CancellationToken,
    ) -> Result<T, SyncError> {
        // An unusable type (a caller's bug) goes out as octet-stream for the server to refuse.
        let content_type = HeaderValue::from_str(content_type)
            .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
        let call = Call {
            method: Method::PUT,
            accept: JSON,
            path: path_and_query,
            token,
            // Images are compressed already: gzip would only cost CPU.
            body: Some(Body {
                bytes: bytes.into(),
                content_type,
                gzip: false,
            }),
            timeout: self.config.media_timeout,
            limit: self.config.max_body_bytes,
            mode: RetryMode::Idempotent,
        };
        self.run(&call, cancel, decode_json).await
    }

    /// The counters so far.
    pub fn stats(&self) -> TransportStats {
        let c = &self.counters;
        TransportStats {
            requests: c.requests.load(Ordering::Relaxed),
            retries: c.retries.load(Ordering::Relaxed),
            wire_bytes_received: c.wire_bytes_received.load(Ordering::Relaxed),
            body_bytes_received: c.body_bytes_received.load(Ordering::Relaxed),
            wire_bytes_sent: c.wire_bytes_sent.load(Ordering::Relaxed),
        }
    }

    /// The absolute URL of `path`, which must stay on the server.
    fn url(&self, path: &str) -> Result<Url, SyncError> {
        let joined = if path.starts_with('/') {
            format!("{}{path}", self.base)
        } else {
            format!("{}/{path}", self.base)
        };
        let refuse = |reason: &str| SyncError::BadServerUrl {
            url: joined.clone(),
            reason: reason.to_string(),
        };
        let url = Url::parse(&joined).map_err(|e| refuse(&e.to_string()))?;
        if url.host_str().map(str::to_string) != self.host {
            return Err(refuse("the path leaves the server"));
        }
        Ok(url)
    }

    /// One HTTP exchange, up to a complete body (2xx) or a classified failure.
    async fn attempt(&self, url: &Url, call: &Call<'_>) -> Result<Answer, AttemptError> {
        let mut request = self
            .client
            .request(call.method.clone(), url.clone())
            .header(header::ACCEPT_ENCODING, "gzip")
            .header(header::ACCEPT, call.accept);
        if let Some(token) = call.token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = &call.body {
            request = request
                .header(header::CONTENT_TYPE, body.content_type.clone())
                .body(body.bytes.clone());
            if body.gzip {
                request = request.header(header::CONTENT_ENCODING, "gzip");
            }
            Counters::add(&self.counters.wire_bytes_sent, body.bytes.len() as u64);
        }
        let mut response = request.send().await.map_err(classify_reqwest)?;
        let status = response.status().as_u16();
        if (200..300).contains(&status) {
            let complete = self.read_body(&mut response, call.limit).await?;
            return Ok(Answer {
                headers: response.headers().clone(),
                body: complete.bytes,
                complete: complete.verified,
            });
        }
        Err(self.refusal(response, status).await)
    }
}

/// One call as [`Transport::run`] repeats it.
struct Call<'a> {
    method: Method,
    accept: &'static str,
    path: &'a str,
    token: Option<&'a str>,
    body: Option<Body>,
    timeout: Duration,
    limit: u64,
    mode: RetryMode,
}

struct Body {
    bytes: bytes::Bytes,
    content_type: HeaderValue,
    gzip: bool,
}

/// A complete 2xx answer.
struct Answer {
    headers: HeaderMap,
    body: Vec<u8>,
    /// The body is known to be whole (length, chunked end, HTTP/2 end of stream or gzip
    /// trailer), so a JSON document ending early is the server's fault, not the network's.
    complete: bool,
}

fn gzip(data: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = GzEncoder::new(
        Vec::with_capacity(data.len() / 4),
        flate2::Compression::default(),
    );
    encoder.write_all(data)?;
    encoder.finish()
}

/// Whether the URL names this device: 127.0.0.0/8, `::1` (also IPv4-mapped) or `localhost`.
fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    // IPv6 hosts come bracketed; the url crate has already normalised both IP forms.
    let ip = host.trim_start_matches('[').trim_end_matches(']');
    ip.parse::<IpAddr>()
        .is_ok_and(|ip| ip.to_canonical().is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(url: &str) -> Result<Transport, SyncError> {
        Transport::new(url, TransportConfig::default())
    }

    #[test]
    fn server_urls_must_be_https_unless_loopback() {
        for ok in [
            "https://sync.example.com",
            "https://sync.example.com:8443/api/",
            "http://127.0.0.1:8080",
            "http://127.9.9.9",
            "http://localhost:3000/",
            "http://LOCALHOST",
            "http://[::1]:8080",
            "http://[::ffff:127.0.0.1]:8080",
        ] {
            let t = new(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
            assert!(!t.base_url().ends_with('/'), "{}", t.base_url());
        }
        for bad in [
            "http://example.com",
            "http://10.0.0.1",
            "http://192.168.1.1:8080",
            "http://[::2]",
            "http://localhost.example.com",
            "http://127.0.0.1.example.com",
            "ftp://127.0.0.1",
            "file:///etc/passwd",
            "not a url",
            "",
            "https://user:pw@example.com",
            "https://example.com/?q=1",
        ] {
            assert!(
                matches!(new(bad), Err(SyncError::BadServerUrl { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn paths_join_onto_the_base_and_stay_on_the_server() {
        let t = new("https://sync.example.com/api/").unwrap();
        assert_eq!(
            t.url("/v1/changes?cursor=3").unwrap().as_str(),
            "https://sync.example.com/api/v1/changes?cursor=3"
        );
        assert_eq!(
            t.url("v1/health").unwrap().as_str(),
            "https://sync.example.com/api/v1/health"
        );
        let t = new("https://sync.example.com").unwrap();
        assert!(
            t.url("@evil.example/x")
                .is_ok_and(|u| u.host_str() == Some("sync.example.com"))
        );
    }

    #[test]
    fn error_bodies_parse_or_fall_back() {
        assert_eq!(
            parse_error_body(br#"{"error":{"code":"forbidden","message":"not yours"}}"#),
            ("forbidden".to_string(), "not yours".to_string())
        );
        assert_eq!(
            parse_error_body(b"<html>oops</html>"),
            ("unknown".to_string(), "<html>oops</html>".to_string())
        );
        assert_eq!(parse_error_body(&[0xff, 0xfe]).0, "unknown".to_string());
    }

    #[test]
    fn bad_extra_roots_are_a_tls_error() {
        let config = TransportConfig {
            extra_root_certs_pem: vec![b"-----BEGIN CERTIFICATE-----\nnope\n".to_vec()],
            ..TransportConfig::default()
        };
        assert!(matches!(
            Transport::new("https://sync.example.com", config),
            Err(SyncError::Tls { .. })
        ));
    }

    #[tokio::test]
    async fn a_cancelled_token_stops_before_sending() {
        let t = new("http://127.0.0.1:9").unwrap();
        let cancel = CancellationToken::new();
        cancel.cancel();
        let got = t
            .get_json::<serde_json::Value>("/v1/health", None, &cancel)
            .await;
        assert!(matches!(got, Err(SyncError::Cancelled)));
        assert_eq!(t.stats().requests, 0);
    }
}
