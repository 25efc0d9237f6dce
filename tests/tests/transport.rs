//! The sync transport against the real dev server on 127.0.0.1, through the fault proxy:
//! retries, `Retry-After`, final errors, malformed and oversized answers, cancellation,
//! timeouts, the loopback-only rule for plain HTTP, and TLS with a throwaway CA.

use std::io::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use sellerkit_core::sync::SyncError;
use sellerkit_core::sync::backoff::BackoffPolicy;
use sellerkit_core::sync::transport::{RetryMode, Transport, TransportConfig};
use sellerkit_e2e::DevServerProcess;
use sellerkit_e2e::proxy::{Fault, FaultProxy};
use serde::Deserialize;
use tokio_util::sync::CancellationToken;

/// What `GET /v1/health` answers (only the fields this test needs).
#[derive(Debug, Deserialize)]
struct Health {
    status: String,
}

/// Fast, reproducible retries: the tests check counts and types, not real-world waits.
fn config() -> TransportConfig {
    TransportConfig {
        max_attempts: 8,
        backoff: BackoffPolicy {
            base: Duration::from_millis(5),
            cap: Duration::from_millis(50),
            seed: Some(7),
            ..BackoffPolicy::default()
        },
        ..TransportConfig::default()
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// A dev server, a proxy in front of it and a transport pointed at the proxy.
struct Rig {
    proxy: FaultProxy,
    transport: Transport,
    // Declared last: dropped after the proxy that forwards to it.
    _server: DevServerProcess,
}

fn rig(config: TransportConfig) -> Rig {
    let server = DevServerProcess::start(&[]);
    let proxy = FaultProxy::start(&server.url);
    let transport = Transport::new(proxy.url(), config).unwrap();
    Rig {
        proxy,
        transport,
        _server: server,
    }
}

async fn health(t: &Transport) -> Result<Health, SyncError> {
    t.get_json::<Health>("/v1/health", None, &CancellationToken::new())
        .await
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

#[test]
fn each_kind_of_fault_is_retried_until_the_call_succeeds() {
    let rig = rig(config());
    rig.proxy.script([
        Fault::Drop,
        Fault::Truncate(5),
        Fault::Status(503),
        Fault::RateLimit {
            retry_after_secs: 0,
        },
        Fault::Status(408),
        Fault::Delay(Duration::from_millis(200)),
    ]);
    let got = runtime().block_on(health(&rig.transport)).unwrap();
    assert_eq!(got.status, "ok");
    let stats = rig.transport.stats();
    // Five failed attempts, then the delayed one passed.
    assert_eq!(stats.requests, 6, "{stats:?}");
    assert_eq!(stats.retries, 5, "{stats:?}");
    assert_eq!(rig.proxy.requests_seen(), 6);
    assert_eq!(rig.proxy.faults_injected(), 6);
}

#[test]
fn a_seeded_fault_plan_is_survived_and_every_fault_is_one_retry() {
    let rig = rig(TransportConfig {
        max_attempts: 30,
        ..config()
    });
    rig.proxy.seeded(
        42,
        50,
        vec![
            Fault::Drop,
            Fault::Truncate(3),
            Fault::Status(502),
            Fault::Status(503),
            Fault::RateLimit {
                retry_after_secs: 0,
            },
        ],
    );
    runtime().block_on(async {
        for _ in 0..12 {
            assert_eq!(health(&rig.transport).await.unwrap().status, "ok");
        }
    });
    let stats = rig.transport.stats();
    assert!(rig.proxy.faults_injected() > 0);
    assert_eq!(stats.retries, rig.proxy.faults_injected(), "{stats:?}");
    assert_eq!(stats.requests, rig.proxy.requests_seen());

    // Once the faults stop, nothing is retried.
    rig.proxy.set_faults_enabled(false);
    let before = rig.transport.stats();
    runtime().block_on(health(&rig.transport)).unwrap();
    assert_eq!(rig.transport.stats().retries, before.retries);
}

#[test]
fn faults_aimed_at_one_path_leave_the_others_alone() {
    let rig = rig(config());
    rig.proxy.set_path_filter(Some("/v1/changes"));
    rig.proxy.script([Fault::Status(503)]);
    runtime().block_on(health(&rig.transport)).unwrap();
    assert_eq!(rig.proxy.faults_injected(), 0);
    assert_eq!(rig.transport.stats().retries, 0);
}

#[test]
fn retry_after_one_second_is_really_waited() {
    let rig = rig(config());
    rig.proxy.script([Fault::RateLimit {
        retry_after_secs: 1,
    }]);
    let started = Instant::now();
    runtime().block_on(health(&rig.transport)).unwrap();
    let waited = started.elapsed();
    assert!(waited >= Duration::from_secs(1), "{waited:?}");
    assert!(waited < Duration::from_secs(5), "{waited:?}");
    assert_eq!(rig.transport.stats().retries, 1);
}

#[test]
fn final_client_errors_are_not_retried() {
    let rig = rig(config());
    let rt = runtime();
    for (status, expected_code) in [
        (400, "invalid_request"),
        (403, "forbidden"),
        (404, "not_found"),
        (413, "payload_too_large"),
        (415, "unsupported_media_type"),
    ] {
        rig.proxy.reset_counters();
        rig.proxy.script([Fault::Status(status)]);
        match rt.block_on(health(&rig.transport)) {
            Err(SyncError::Refused {
                status: got,
                code,
                message,
            }) => {
                assert_eq!(got, status);
                assert_eq!(code, expected_code);
                assert!(message.contains("injected"), "{message}");
            }
            other => panic!("{status}: {other:?}"),
        }
        assert_eq!(rig.proxy.requests_seen(), 1, "{status} was retried");
    }

    rig.proxy.reset_counters();
    rig.proxy.script([Fault::Status(401)]);
    let got = rt.block_on(health(&rig.transport));
    assert!(
        matches!(got, Err(SyncError::ActivateAgain { .. })),
        "{got:?}"
    );
    assert_eq!(rig.proxy.requests_seen(), 1);

    // The real server's own 4xx (whatever its body) is final too.
    rig.proxy.reset_counters();
    let got = rt.block_on(rig.transport.get_json::<Health>(
        "/v1/no-such-endpoint",
        Some("skt_not_a_token"),
        &CancellationToken::new(),
    ));
    assert!(
        matches!(
            got,
            Err(SyncError::Refused {
                status: 400..=499,
                ..
            } | SyncError::ActivateAgain { .. })
        ),
        "{got:?}"
    );
    assert_eq!(rig.proxy.requests_seen(), 1);
}

#[test]
fn server_trouble_is_reported_when_the_retries_run_out() {
    let rig = rig(TransportConfig {
        max_attempts: 3,
        ..config()
    });
    rig.proxy.script(vec![Fault::Status(503); 5]);
    let got = runtime().block_on(health(&rig.transport));
    assert!(
        matches!(got, Err(SyncError::ServerTrouble { status: 503 })),
        "{got:?}"
    );
    assert_eq!(rig.proxy.requests_seen(), 3);

    rig.proxy.reset_counters();
    rig.proxy.script(vec![Fault::Drop; 5]);
    let got = runtime().block_on(health(&rig.transport));
    assert!(matches!(got, Err(SyncError::Network { .. })), "{got:?}");
    assert_eq!(rig.proxy.requests_seen(), 3);
}

#[test]
fn only_if_not_sent_retries_connect_errors_and_nothing_else() {
    let rig = rig(config());
    let rt = runtime();
    let cancel = CancellationToken::new();
    let body = serde_json::json!({"code": "STD-0000-0000"});
    for fault in [Fault::Status(503), Fault::Drop] {
        rig.proxy.reset_counters();
        rig.proxy.script([fault.clone()]);
        let got = rt.block_on(rig.transport.post_json::<_, serde_json::Value>(
            "/v1/health",
            &body,
            None,
            RetryMode::OnlyIfNotSent,
            &cancel,
        ));
        assert!(
            matches!(
                got,
                Err(SyncError::ServerTrouble { .. } | SyncError::Network { .. })
            ),
            "{fault:?}: {got:?}"
        );
        assert_eq!(rig.proxy.requests_seen(), 1, "{fault:?} was retried");
    }

    // A port nobody listens on: the request never left, so it is retried.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let t = Transport::new(
        &url,
        TransportConfig {
            max_attempts: 3,
            ..config()
        },
    )
    .unwrap();
    let got = rt.block_on(t.post_json::<_, serde_json::Value>(
        "/v1/activate",
        &body,
        None,
        RetryMode::OnlyIfNotSent,
        &cancel,
    ));
    assert!(matches!(got, Err(SyncError::Network { .. })), "{got:?}");
    assert_eq!(t.stats().requests, 3);
}

#[test]
fn malformed_answers_are_typed_errors_and_not_retried() {
    let rig = rig(config());
    let rt = runtime();
    let mut corrupt_gzip = gzip(br#"{"status":"ok"}"#);
    let middle = corrupt_gzip.len() / 2;
    corrupt_gzip[middle..].iter_mut().for_each(|b| *b = !*b);
    let whole = gzip(br#"{"status":"ok","version":"cut"}"#);
    let cut_gzip = whole[..whole.len() - 6].to_vec();
    for fault in [
        Fault::ReplaceBody(b"{not json".to_vec()),
        Fault::ReplaceBody(br#"{"status": 5, "version": []}"#.to_vec()),
        Fault::ReplaceBody(br#"["status", "ok"]"#.to_vec()),
        Fault::ReplaceBody(Vec::new()),
        Fault::ReplaceBody(vec![0xff, 0xfe, 0x00]),
        Fault::ReplaceBodyGzip(corrupt_gzip),
        // Whole by its Content-Length, so a short gzip stream is the server's fault.
        Fault::ReplaceBodyGzip(cut_gzip),
    ] {
        rig.proxy.reset_counters();
        rig.proxy.script([fault.clone()]);
        let got = rt.block_on(health(&rig.transport));
        assert!(
            matches!(got, Err(SyncError::MalformedResponse { .. })),
            "{fault:?}: {got:?}"
        );
        assert_eq!(rig.proxy.requests_seen(), 1, "{fault:?} was retried");
    }
}

/// A server whose first answer has no length and ends with its connection, cut short;
/// later answers are whole. Only the gzip trailer or the JSON's end can reveal the cut.
async fn unframed_server(gzipped: bool) -> (String, Arc<AtomicUsize>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let json = br#"{"status":"ok","version":"unframed"}"#;
    let whole = if gzipped { gzip(json) } else { json.to_vec() };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let served = Arc::new(AtomicUsize::new(0));
    let count = Arc::clone(&served);
    tokio::spawn(async move {
        while let Ok((mut tcp, _)) = listener.accept().await {
            let n = count.fetch_add(1, Ordering::SeqCst);
            let whole = whole.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    match tcp.read(&mut byte).await {
                        Ok(1) => head.push(byte[0]),
                        _ => return,
                    }
                }
                let body = if n == 0 {
                    &whole[..whole.len() - 6]
                } else {
                    &whole[..]
                };
                let encoding = if gzipped {
                    "Content-Encoding: gzip\r\n"
                } else {
                    ""
                };
                let head = format!("HTTP/1.1 200 OK\r\n{encoding}Connection: close\r\n\r\n");
                let _ = tcp.write_all(head.as_bytes()).await;
                let _ = tcp.write_all(body).await;
                let _ = tcp.shutdown().await;
            });
        }
    });
    (url, served)
}

#[test]
fn a_body_cut_short_without_framing_is_retried() {
    runtime().block_on(async {
        for gzipped in [true, false] {
            let (url, served) = unframed_server(gzipped).await;
            let t = Transport::new(&url, config()).unwrap();
            assert_eq!(health(&t).await.unwrap().status, "ok", "gzip: {gzipped}");
            assert_eq!(t.stats().retries, 1, "gzip: {gzipped}");
            assert_eq!(served.load(Ordering::SeqCst), 2);
        }
    });
}

#[test]
fn oversized_answers_and_gzip_bombs_stop_at_the_limit() {
    const MB: u64 = 1024 * 1024;
    let rig = rig(config());
    let rt = runtime();
    let limit = rig.transport.config().max_body_bytes;
    assert_eq!(limit, 32 * MB);

    // 100 MB with a Content-Length: refused before reading.
    rig.proxy.script([Fault::FillBody {
        len: 100 * MB,
        chunked: false,
    }]);
    let got = rt.block_on(health(&rig.transport));
    assert!(
        matches!(got, Err(SyncError::ResponseTooLarge { limit: l }) if l == limit),
        "{got:?}"
    );
    assert_eq!(rig.proxy.requests_seen(), 1);
    assert!(rig.transport.stats().wire_bytes_received < MB);

    // 100 MB chunked: read up to the limit, then refused, never buffered whole.
    rig.proxy.reset_counters();
    let before = rig.transport.stats().wire_bytes_received;
    rig.proxy.script([Fault::FillBody {
        len: 100 * MB,
        chunked: true,
    }]);
    let got = rt.block_on(health(&rig.transport));
    assert!(
        matches!(got, Err(SyncError::ResponseTooLarge { .. })),
        "{got:?}"
    );
    assert_eq!(rig.proxy.requests_seen(), 1);
    let read = rig.transport.stats().wire_bytes_received - before;
    assert!(read <= limit + MB, "read {read} bytes");

    // 256 MiB of zeros in a few hundred KB of gzip: stopped at the decompressed limit.
    let mut bomb = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; MB as usize];
    for _ in 0..256 {
        bomb.write_all(&zeros).unwrap();
    }
    let bomb = bomb.finish().unwrap();
    rig.proxy.reset_counters();
    let before = rig.transport.stats();
    rig.proxy.script([Fault::ReplaceBodyGzip(bomb)]);
    let got = rt.block_on(health(&rig.transport));
    assert!(
        matches!(got, Err(SyncError::ResponseTooLarge { .. })),
        "{got:?}"
    );
    assert_eq!(rig.proxy.requests_seen(), 1);
    let after = rig.transport.stats();
    assert_eq!(after.body_bytes_received, before.body_bytes_received);
}

#[test]
fn wire_bytes_are_counted_before_decompression() {
    let rig = rig(config());
    let json = format!(r#"{{"status":"ok","version":"{}"}}"#, "a".repeat(20_000));
    let compressed = gzip(json.as_bytes());
    assert!(compressed.len() < 1_000);
    rig.proxy
        .script([Fault::ReplaceBodyGzip(compressed.clone())]);
    runtime().block_on(health(&rig.transport)).unwrap();
    let stats = rig.transport.stats();
    assert_eq!(stats.wire_bytes_received, compressed.len() as u64);
    assert_eq!(stats.body_bytes_received, json.len() as u64);
}

#[test]
fn cancellation_stops_a_long_delay_and_a_long_backoff_promptly() {
    let rig = rig(config());
    let rt = runtime();
    for fault in [
        Fault::Delay(Duration::from_secs(30)),
        Fault::RateLimit {
            retry_after_secs: 30,
        },
    ] {
        rig.proxy.script([fault.clone()]);
        let cancel = CancellationToken::new();
        let trigger = cancel.clone();
        let injected = rig.proxy.faults_injected();
        let started = Instant::now();
        let got = std::thread::scope(|s| {
            s.spawn(|| {
                // Cancel once the fault is in effect (the proxy holds the answer back, or
                // the 429 is answered and the client waits): a signal, not a guessed delay,
                // so the cancellation provably lands inside the long wait.
                let deadline = Instant::now() + Duration::from_secs(10);
                while rig.proxy.faults_injected() == injected && Instant::now() < deadline {
                    std::thread::sleep(Duration::from_millis(2));
                }
                trigger.cancel();
            });
            rt.block_on(
                rig.transport
                    .get_json::<Health>("/v1/health", None, &cancel),
            )
        });
        assert!(
            rig.proxy.faults_injected() > injected,
            "{fault:?}: the fault was never injected"
        );
        assert!(
            matches!(got, Err(SyncError::Cancelled)),
            "{fault:?}: {got:?}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{fault:?}: {:?}",
            started.elapsed()
        );
    }
}

#[test]
fn a_slow_answer_times_out_after_its_attempts() {
    let rig = rig(TransportConfig {
        request_timeout: Duration::from_millis(300),
        max_attempts: 2,
        ..config()
    });
    rig.proxy
        .script(vec![Fault::Delay(Duration::from_secs(5)); 2]);
    let started = Instant::now();
    let got = runtime().block_on(health(&rig.transport));
    assert!(matches!(got, Err(SyncError::Timeout)), "{got:?}");
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(rig.transport.stats().requests, 2);
}

#[test]
fn plain_http_is_refused_unless_the_host_is_this_device() {
    for url in [
        "http://example.com",
        "http://sync.sellerkit.example:8080/api",
        "http://10.0.0.2:8080",
        "http://[2001:db8::1]",
    ] {
        let got = Transport::new(url, TransportConfig::default());
        assert!(
            matches!(got, Err(SyncError::BadServerUrl { .. })),
            "{url}: {got:?}"
        );
    }
    for url in ["http://127.0.0.1:1", "http://localhost:1", "http://[::1]:1"] {
        Transport::new(url, TransportConfig::default()).unwrap();
    }
}

/// A throwaway CA and an HTTPS server on 127.0.0.1 with a leaf certificate it signed.
struct TlsServer {
    port: u16,
    ca_pem: String,
    connections: Arc<AtomicUsize>,
    stop: CancellationToken,
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

fn throwaway_ca(name: &str) -> rcgen::CertifiedIssuer<'static, rcgen::KeyPair> {
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, name);
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    rcgen::CertifiedIssuer::self_signed(params, rcgen::KeyPair::generate().unwrap()).unwrap()
}

async fn tls_server() -> TlsServer {
    use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

    let ca = throwaway_ca("SellerKit test CA");
    let leaf_key = rcgen::KeyPair::generate().unwrap();
    let leaf_params =
        rcgen::CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
            .unwrap();
    let leaf = leaf_params.signed_by(&leaf_key, &ca).unwrap();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    let mut server_config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![leaf.der().clone(), ca.der().clone()], key)
    .unwrap();
    server_config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(server_config));

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let connections = Arc::new(AtomicUsize::new(0));
    let stop = CancellationToken::new();
    let (count, stopped) = (Arc::clone(&connections), stop.clone());
    tokio::spawn(async move {
        loop {
            let (tcp, _) = tokio::select! {
                () = stopped.cancelled() => return,
                accepted = listener.accept() => match accepted {
                    Ok(accepted) => accepted,
                    Err(_) => continue,
                },
            };
            count.fetch_add(1, Ordering::SeqCst);
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let service = hyper::service::service_fn(|_req| async {
                    let body = http_body_util::Full::new(hyper::body::Bytes::from_static(
                        br#"{"status":"ok","version":"tls"}"#,
                    ));
                    Ok::<_, std::convert::Infallible>(hyper::Response::new(body))
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(tls), service)
                    .await;
            });
        }
    });
    TlsServer {
        port,
        ca_pem: ca.pem(),
        connections,
        stop,
    }
}

#[test]
fn tls_trusts_an_extra_root_and_refuses_unknown_issuers() {
    runtime().block_on(async {
        let server = tls_server().await;
        let with_roots = |roots: Vec<Vec<u8>>| TransportConfig {
            extra_root_certs_pem: roots,
            ..config()
        };

        for host in ["localhost", "127.0.0.1"] {
            let url = format!("https://{host}:{}", server.port);
            let t =
                Transport::new(&url, with_roots(vec![server.ca_pem.clone().into_bytes()])).unwrap();
            assert_eq!(health(&t).await.unwrap().status, "ok", "{url}");
        }

        let url = format!("https://localhost:{}", server.port);
        let stranger = throwaway_ca("someone else").pem().into_bytes();
        for roots in [Vec::new(), vec![stranger]] {
            let t = Transport::new(&url, with_roots(roots)).unwrap();
            let before = server.connections.load(Ordering::SeqCst);
            let got = health(&t).await;
            match got {
                Err(SyncError::Tls { detail }) => {
                    assert!(detail.to_lowercase().contains("certificate"), "{detail}");
                }
                other => panic!("{other:?}"),
            }
            // A certificate problem is final: one connection, no retries.
            assert_eq!(server.connections.load(Ordering::SeqCst) - before, 1);
            assert_eq!(t.stats().retries, 0);
        }
    });
}
