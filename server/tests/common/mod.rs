//! Helpers shared by the dev server's integration tests: a server on 127.0.0.1 with its own
//! temporary database, and small JSON request helpers.

#![allow(dead_code)] // Each test binary uses its own subset.

use reqwest::{Method, StatusCode};
use sellerkit_devserver::{RunningServer, ServerOptions, start};
use serde_json::{Value, json};

/// A running server over a temporary database, and a client for it.
pub struct Harness {
    pub server: Option<RunningServer>,
    pub client: reqwest::Client,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

impl Harness {
    /// A fresh server with no shop.
    pub async fn start() -> Harness {
        install_crypto_provider();
        let dir = tempfile::tempdir().unwrap();
        let server = start(ServerOptions::new(dir.path().join("dev.db")))
            .await
            .unwrap();
        let url = server.url().to_string();
        Harness {
            server: Some(server),
            client: reqwest::Client::new(),
            url,
            _dir: Some(dir),
        }
    }

    /// Helpers for a server started elsewhere.
    pub fn for_url(url: &str) -> Harness {
        install_crypto_provider();
        Harness {
            server: None,
            client: reqwest::Client::new(),
            url: url.to_string(),
            _dir: None,
        }
    }

    /// Sends a request with an optional bearer token and JSON body; returns the status and
    /// the body parsed as JSON (`Value::Null` for an empty body).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.client.request(method, format!("{}{path}", self.url));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let bytes = resp.bytes().await.unwrap();
        let value = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|e| {
                panic!(
                    "{path}: body is not JSON ({e}): {}",
                    String::from_utf8_lossy(&bytes)
                )
            })
        };
        (status, value)
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        self.call(Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, token, Some(body)).await
    }

    /// Creates a shop through `/dev/shops`; returns its info (with activation codes).
    pub async fn create_shop(&self, shop_id: &str, name: &str) -> Value {
        let (status, body) = self
            .post(
                "/dev/shops",
                None,
                json!({ "name": name, "shop_id": shop_id }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body
    }

    /// Activates a device with the shop's standard code; returns the activation answer.
    pub async fn activate(&self, shop: &Value) -> Device {
        let code = shop["activation_codes"]["standard"].as_str().unwrap();
        let (status, body) = self
            .post(
                "/v1/activate",
                None,
                json!({ "code": code, "device_name": "Redmi 9A", "platform": "android" }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        Device {
            device_id: body["device_id"].as_str().unwrap().to_string(),
            token: body["token"].as_str().unwrap().to_string(),
            shop_id: body["shop_id"].as_str().unwrap().to_string(),
        }
    }

    /// A shop with `products` products (`p_1`…) and one activated device.
    pub async fn shop_with_device(&self, shop_id: &str, products: usize) -> Device {
        let shop = self.create_shop(shop_id, &format!("Shop {shop_id}")).await;
        if products > 0 {
            let list: Vec<Value> = (1..=products)
                .map(|i| product(&format!("p_{i}"), 1))
                .collect();
            let (status, body) = self
                .post(
                    &format!("/dev/shops/{shop_id}/products"),
                    None,
                    json!({ "products": list }),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
        self.activate(&shop).await
    }

    /// Pulls the whole feed after `cursor` in pages of `limit`; returns the changes and the
    /// final cursor.
    pub async fn pull_all(&self, token: &str, cursor: &str, limit: u32) -> (Vec<Value>, String) {
        let mut cursor = cursor.to_string();
        let mut all = Vec::new();
        for _ in 0..100_000 {
            let (status, page) = self
                .get(
                    &format!("/v1/changes?cursor={cursor}&limit={limit}"),
                    Some(token),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{page}");
            let changes = page["changes"].as_array().unwrap();
            assert!(changes.len() <= limit as usize);
            all.extend(changes.iter().cloned());
            cursor = page["next_cursor"].as_str().unwrap().to_string();
            if !page["has_more"].as_bool().unwrap() {
                return (all, cursor);
            }
            assert!(!changes.is_empty(), "has_more with an empty page");
        }
        panic!("the feed never ended");
    }

    /// Pushes mutations for a device.
    pub async fn push(&self, device: &Device, mutations: Value) -> (StatusCode, Value) {
        self.post(
            "/v1/mutations",
            Some(&device.token),
            json!({ "device_id": device.device_id, "mutations": mutations }),
        )
        .await
    }
}

/// reqwest is built without a default rustls provider (the phone uses ring): install it
/// once per test process before building a client.
pub fn install_crypto_provider() {
    // An error only means another test installed it first.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// An activated device.
#[derive(Clone, Debug)]
pub struct Device {
    pub device_id: String,
    pub token: String,
    pub shop_id: String,
}

/// A product's JSON.
pub fn product(id: &str, version: i64) -> Value {
    json!({
        "id": id, "title": format!("Tea {id}"), "description": "", "category": "tea",
        "price": 12800, "stock": 5, "status": "active", "version": version, "updated_ms": 1
    })
}

/// An order's JSON.
pub fn order(id: &str, created_ms: i64) -> Value {
    json!({
        "id": id, "channel": "mobile", "status": "paid", "customer_id": "c1",
        "created_ms": created_ms, "paid_ms": created_ms, "refunded_ms": null,
        "subtotal": 12800, "discount": 0, "total": 12800, "refund": 0, "coupon_id": null,
        "lines": [{"product_id": "p_1", "title": "Tea", "quantity": 1,
                   "unit_price": 12800, "total": 12800}],
        "updated_ms": created_ms
    })
}

/// A mutation's JSON.
pub fn mutation(id: i64, kind: &str, entity: &str, base: Option<i64>, payload: Value) -> Value {
    json!({
        "mutation_id": id, "kind": kind, "entity_id": entity, "base_version": base,
        "payload": payload, "created_ms": 1_795_800_000_000_i64
    })
}

/// Asserts the protocol's error body with this status and code.
pub fn assert_error(status: StatusCode, body: &Value, want_status: StatusCode, want_code: &str) {
    assert_eq!(status, want_status, "{body}");
    assert_eq!(body["error"]["code"], want_code, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{body}"
    );
}

/// A small valid PNG.
pub fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// `data` gzip-compressed.
pub fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

/// `data` gzip-decompressed.
pub fn gunzip(data: &[u8]) -> Vec<u8> {
    use std::io::Read as _;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(data)
        .read_to_end(&mut out)
        .unwrap();
    out
}
