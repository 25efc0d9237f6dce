//! How the server is run: TLS, the seeded demo shop, the binary, the OpenAPI document and
//! the loopback guard of the `/dev/` endpoints.

mod common;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::Request;
use common::{Harness, install_crypto_provider};
use reqwest::StatusCode;
use sellerkit_core::sync::digest::DigestBuilder;
use sellerkit_devserver::{
    AppState, DEMO_SHOP_ID, SeedConfig, ServerOptions, TlsFiles, document_json, router, routes,
    start,
};
use serde_json::{Value, json};
use tower::ServiceExt as _;

#[tokio::test]
async fn serves_https_with_a_certificate_for_localhost() {
    install_crypto_provider();
    let dir = tempfile::tempdir().unwrap();
    let cert =
        rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
    let cert_path = dir.path().join("cert.pem");
    let key_path = dir.path().join("key.pem");
    std::fs::write(&cert_path, cert.cert.pem()).unwrap();
    std::fs::write(&key_path, cert.signing_key.serialize_pem()).unwrap();

    let server = start(ServerOptions {
        db: dir.path().join("dev.db"),
        addr: "127.0.0.1:0".into(),
        seed: None,
        tls: Some(TlsFiles {
            cert: cert_path,
            key: key_path,
        }),
        signing_key: None,
    })
    .await
    .unwrap();
    assert!(
        server.url().starts_with("https://127.0.0.1:"),
        "{}",
        server.url()
    );

    let mut roots = rustls::RootCertStore::empty();
    roots.add(cert.cert.der().clone()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let client = reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .build()
        .unwrap();

    for host in ["127.0.0.1", "localhost"] {
        let url = format!("https://{host}:{}", server.local_addr().port());
        let health: Value = client
            .get(format!("{url}/v1/health"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(health["status"], "ok");
    }
    // The peer address survives TLS: the loopback-only endpoints answer.
    let resp = client
        .post(format!("{}/dev/shops", server.url()))
        .json(&json!({"name": "TLS shop", "shop_id": "shop_tls"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let shop: Value = resp.json().await.unwrap();
    let resp = client
        .post(format!("{}/v1/activate", server.url()))
        .json(&json!({
            "code": shop["activation_codes"]["premium"], "device_name": "iPhone",
            "platform": "ios"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);

    // Plain HTTP to the TLS port gets nowhere.
    let plain = reqwest::Client::new()
        .get(format!(
            "http://127.0.0.1:{}/v1/health",
            server.local_addr().port()
        ))
        .send()
        .await;
    assert!(plain.is_err() || !plain.unwrap().status().is_success());
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_bad_certificate_is_a_startup_error() {
    let dir = tempfile::tempdir().unwrap();
    let cert = dir.path().join("cert.pem");
    std::fs::write(&cert, "not a certificate").unwrap();
    let err = start(ServerOptions {
        tls: Some(TlsFiles {
            cert: cert.clone(),
            key: cert,
        }),
        ..ServerOptions::new(dir.path().join("dev.db"))
    })
    .await
    .unwrap_err();
    assert!(err.to_string().contains("TLS"), "{err}");
}

#[tokio::test]
async fn the_seeded_demo_shop_syncs_completely_and_is_not_seeded_twice() {
    install_crypto_provider();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("dev.db");
    let cfg = SeedConfig {
        orders: 3_000,
        rng_seed: 7,
        now_ms: 1_795_800_000_000,
    };
    let options = ServerOptions {
        seed: Some(cfg),
        ..ServerOptions::new(&db)
    };
    let server = start(options.clone()).await.unwrap();
    let codes = server.activation_codes();
    assert_eq!(codes.len(), 3);
    assert!(codes.iter().all(|c| c.shop_id == DEMO_SHOP_ID));
    let shops = server.shops();
    assert_eq!(shops.len(), 1);
    assert_eq!(shops[0].shop_id, DEMO_SHOP_ID);
    assert_eq!(shops[0].activation_codes["standard"], codes[1].code);

    let h = Harness::for_url(server.url());
    let code = &codes[1].code;
    let (status, act) = h
        .post(
            "/v1/activate",
            None,
            json!({"code": code, "device_name": "Redmi 9A", "platform": "android"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{act}");
    let token = act["token"].as_str().unwrap();
    let (changes, _) = h.pull_all(token, "", 5000).await;
    let mut builder = DigestBuilder::new();
    for c in &changes {
        builder.add(&serde_json::from_value(c.clone()).unwrap());
    }
    let pulled = builder.finish();
    assert_eq!(pulled.counts["order"], 3_000);
    assert_eq!(pulled.counts["shop_profile"], 1);
    let (_, served) = h
        .get(&format!("/dev/shops/{DEMO_SHOP_ID}/digest"), None)
        .await;
    assert_eq!(served, serde_json::to_value(&pulled).unwrap());

    // Every image in the feed can be downloaded and matches its hash.
    let image = changes.iter().find(|c| c["kind"] == "image").unwrap();
    let resp = h
        .client
        .get(format!(
            "{}/v1/media/{}",
            h.url,
            image["data"]["id"].as_str().unwrap()
        ))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let bytes = resp.bytes().await.unwrap();
    assert_eq!(image["data"]["byte_len"], bytes.len());

    // A restart on the same database keeps the shop, its codes and its devices as they were.
    server.shutdown().await.unwrap();
    let server = start(options).await.unwrap();
    assert_eq!(server.activation_codes(), codes);
    let h = Harness::for_url(server.url());
    let (_, again) = h
        .get(&format!("/dev/shops/{DEMO_SHOP_ID}/digest"), None)
        .await;
    assert_eq!(again, served);
    let (status, _) = h.get("/v1/changes?limit=1", Some(token)).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn the_served_openapi_document_is_valid_and_describes_exactly_the_routes() {
    let h = Harness::start().await;
    let (status, doc) = h.get("/openapi.json", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        doc,
        serde_json::from_str::<Value>(&document_json()).unwrap()
    );
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = doc["paths"].as_object().unwrap();
    let table = routes();
    // Every route of the router is described, with a success answer...
    for route in &table {
        let op = &paths
            .get(route.path)
            .unwrap_or_else(|| panic!("{} is not described", route.path))
            [route.method.to_lowercase()];
        assert!(
            op.is_object(),
            "{} {} is not described",
            route.method,
            route.path
        );
        let responses = op["responses"].as_object().unwrap();
        assert!(
            responses.keys().any(|s| s.starts_with('2')),
            "{} {} has no success answer",
            route.method,
            route.path
        );
        assert!(
            responses.contains_key("500"),
            "{} {}",
            route.method,
            route.path
        );
    }
    // ... and nothing the router lacks is.
    let mut described = 0;
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            described += 1;
            assert!(
                table
                    .iter()
                    .any(|r| r.path == path && r.method.eq_ignore_ascii_case(method)),
                "{method} {path} is described but not served"
            );
        }
    }
    assert_eq!(described, table.len());
    // Every reference resolves, so the document is self-contained.
    let text = doc.to_string();
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for reference in text.split("\"$ref\":\"").skip(1) {
        let target = &reference[..reference.find('"').unwrap()];
        let name = target
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("unexpected reference {target}"));
        assert!(schemas.contains_key(name), "{target} does not resolve");
    }
    // The error body, every kind of the Change union, and the wire spelling of enums.
    assert!(schemas["ErrorBody"].is_object());
    let kinds: Vec<&str> = schemas["Change"]["oneOf"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["properties"]["kind"]["enum"][0].as_str().unwrap())
        .collect();
    for kind in sellerkit_core::protocol::EntityKind::ALL {
        assert!(kinds.contains(&kind.as_str()), "{}", kind.as_str());
    }
    assert!(kinds.contains(&"deleted"));
    assert_eq!(
        schemas["Tier"]["enum"],
        serde_json::json!(["basic", "standard", "premium"])
    );
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    // The drifts of the hand-written document: `role` is required for an upload, and the
    // JSON /dev/ endpoints list their 415.
    let upload = &paths["/v1/media/{image_id}"]["put"];
    let role = upload["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "role")
        .unwrap();
    assert_eq!(role["required"], true);
    assert!(paths["/dev/shops"]["post"]["responses"]["415"].is_object());
}

#[tokio::test]
async fn dev_endpoints_refuse_peers_that_are_not_on_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let state = AppState::open(&dir.path().join("dev.db")).unwrap();
    let app = router(state);
    let get_shops = || Request::get("/dev/shops").body(Body::empty()).unwrap();

    // No peer address at all: fail closed.
    let resp = app.clone().oneshot(get_shops()).await.unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let remote: SocketAddr = "192.0.2.7:5000".parse().unwrap();
    let resp = app
        .clone()
        .layer(MockConnectInfo(remote))
        .oneshot(get_shops())
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let body = axum::body::to_bytes(resp.into_body(), 1 << 16)
        .await
        .unwrap();
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["error"]["code"], "forbidden");
    for local in ["127.0.0.1:5000", "[::1]:5000", "[::ffff:127.0.0.1]:5000"] {
        let resp = app
            .clone()
            .layer(MockConnectInfo(local.parse::<SocketAddr>().unwrap()))
            .oneshot(get_shops())
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{local}");
    }
}

#[test]
fn the_binary_prints_its_url_and_codes_and_stops_on_sigterm() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sellerkit-devserver"))
        .args(["--addr", "127.0.0.1:0", "--seed", "demo", "--orders", "50"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let url = first.strip_prefix("listening on ").unwrap().to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let mut tiers = Vec::new();
    for _ in 0..3 {
        let line = lines.next().unwrap().unwrap();
        let rest = line.strip_prefix("activation code shop_demo ").unwrap();
        let (tier, code) = rest.split_once(": ").unwrap();
        assert!(code.len() >= 8, "{line}");
        tiers.push(tier.to_string());
    }
    assert_eq!(tiers, ["basic", "standard", "premium"]);

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "{exit:?}");
}

/// Sends raw HTTP/1.1 bytes on `stream` and reads one response's head (status line and
/// headers, lower-cased) and its `content-length` body.
async fn exchange(stream: &mut tokio::net::TcpStream, request: &[u8]) -> String {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    stream.write_all(request).await.unwrap();
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        let n = stream.read(&mut byte).await.unwrap();
        assert_eq!(n, 1, "connection closed before a response: {buf:?}");
        buf.push(byte[0]);
    }
    let head = String::from_utf8(buf).unwrap().to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length: "))
        .map_or(0, |v| v.trim().parse().unwrap());
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).await.unwrap();
    head
}

#[tokio::test]
async fn an_answer_sent_before_the_body_was_read_closes_the_connection_and_says_so() {
    let h = Harness::start().await;
    let addr = h.url.trim_start_matches("http://").to_string();

    // Refused by the bearer check before the body is read: without `Connection: close` a
    // client reuses the connection and its next request gets no answer (the API fuzzer's
    // "Remote end closed connection without response").
    let body = "x".repeat(200_000);
    let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let refused = exchange(
        &mut stream,
        format!(
            "POST /v1/mutations HTTP/1.1\r\nhost: {addr}\r\nauthorization: Bearer nope\r\n\
             content-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        )
        .as_bytes(),
    )
    .await;
    assert!(refused.starts_with("http/1.1 401"), "{refused}");
    assert!(refused.contains("\r\nconnection: close\r\n"), "{refused}");

    // A request whose body was read keeps its connection for the next one.
    let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    for _ in 0..2 {
        let body = r#"{"code":"NOPE-NOPE-NOPE","device_name":"t","platform":"desktop"}"#;
        let answered = exchange(
            &mut stream,
            format!(
                "POST /v1/activate HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\n\
                 content-length: {}\r\n\r\n{body}",
                body.len()
            )
            .as_bytes(),
        )
        .await;
        assert!(!answered.contains("connection: close"), "{answered}");
        assert!(answered.starts_with("http/1.1 4"), "{answered}");
    }
}
