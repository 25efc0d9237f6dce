//! The mobile storefront end to end (issue 12): the `sellerkit` CLI edits the shop and its
//! listings offline, adds photos, syncs against the real dev server on 127.0.0.1, and the
//! server's state, read back through its HTTP API, is what the seller set. Stale edits come
//! back as conflicts that both resolutions settle; refused photos queue nothing; a killed
//! sync uploads nothing twice.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use sellerkit_core::store::Store;
use sellerkit_e2e::{
    DevServerProcess, http_post_json, sellerkit, sellerkit_killed_after, stdout_json,
};
use sha2::{Digest as _, Sha256};

/// A phone: a database folder and the CLI pointed at it.
struct Phone {
    dir: tempfile::TempDir,
    db: PathBuf,
}

impl Phone {
    fn new(server: &DevServerProcess) -> Phone {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("sellerkit.db");
        let phone = Phone { dir, db };
        let code = server.activation_code("shop_demo", "standard");
        let o = phone.cli(&[
            "activate",
            "--server",
            &server.url,
            "--code",
            &code,
            "--json",
        ]);
        assert!(o.status.success(), "activate: {}", stderr(&o));
        phone
    }

    fn cli(&self, args: &[&str]) -> Output {
        let mut all = vec!["--db", self.db.to_str().unwrap()];
        all.extend_from_slice(args);
        sellerkit(&all)
    }

    /// Runs a command that must succeed and returns its `--json` output.
    fn ok(&self, args: &[&str]) -> serde_json::Value {
        let mut all = args.to_vec();
        all.push("--json");
        let o = self.cli(&all);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        stdout_json(&o)
    }

    fn sync(&self) -> serde_json::Value {
        self.ok(&["sync", "--no-media", "--digest"])
    }

    /// The oldest open conflict, as `sellerkit conflicts --json` lists it.
    fn first_conflict(&self) -> serde_json::Value {
        let open = self.ok(&["conflicts"]);
        open.as_array()
            .or_else(|| open["conflicts"].as_array())
            .and_then(|list| list.first())
            .unwrap_or_else(|| panic!("no open conflict: {open}"))
            .clone()
    }

    fn store(&self) -> Store {
        Store::open(&self.db).unwrap()
    }

    fn pending(&self) -> i64 {
        self.store().read(|db| db.sync().pending_count()).unwrap()
    }

    fn media_dir(&self) -> PathBuf {
        self.dir.path().join("media")
    }
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn server() -> (DevServerProcess, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    let server = DevServerProcess::start(&[
        "--db",
        db.to_str().unwrap(),
        "--seed",
        "demo",
        "--orders",
        "50",
    ]);
    (server, dir)
}

/// A device of its own that reads the server's state through the protocol.
struct Observer {
    url: String,
    token: String,
}

impl Observer {
    fn new(server: &DevServerProcess) -> Observer {
        let code = server.activation_code("shop_demo", "standard");
        let (status, body) = http_post_json(
            &server.url,
            "/v1/activate",
            &serde_json::json!({"code": code, "device_name": "observer", "platform": "desktop"}),
        );
        assert_eq!(status, 200, "{body}");
        let answer: serde_json::Value = serde_json::from_str(&body).unwrap();
        Observer {
            url: server.url.clone(),
            token: answer["token"].as_str().unwrap().to_string(),
        }
    }

    fn get(&self, path: &str) -> (u16, Vec<u8>) {
        let host = self
            .url
            .strip_prefix("http://")
            .unwrap()
            .trim_end_matches('/');
        let mut stream = std::net::TcpStream::connect(host).unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\
             Authorization: Bearer {}\r\n\r\n",
            self.token
        )
        .unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).unwrap();
        let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
        let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
        let mut body = raw[split + 4..].to_vec();
        if head.contains("transfer-encoding: chunked") {
            body = dechunk(&body);
        }
        (status, body)
    }

    /// The current state of every entity of the shop, by (kind, id), from `GET /v1/changes`.
    fn state(&self) -> BTreeMap<(String, String), serde_json::Value> {
        let mut state = BTreeMap::new();
        let mut cursor = String::new();
        loop {
            let (status, body) = self.get(&format!("/v1/changes?limit=5000&cursor={cursor}"));
            assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
            let page: serde_json::Value = serde_json::from_slice(&body).unwrap();
            for change in page["changes"].as_array().unwrap() {
                let kind = change["kind"].as_str().unwrap().to_string();
                let data = change["data"].clone();
                let id = data
                    .get("id")
                    .or_else(|| data.get("shop_id"))
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string();
                state.insert((kind, id), data);
            }
            cursor = page["next_cursor"].as_str().unwrap().to_string();
            if page["has_more"] != true {
                return state;
            }
        }
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = data.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&data[..eol]).trim(), 16).unwrap_or(0);
        data = &data[eol + 2..];
        if size == 0 || data.len() < size {
            break;
        }
        out.extend_from_slice(&data[..size]);
        data = &data[(size + 2).min(data.len())..];
    }
    out
}

/// Writes a `w`x`h` PNG photo (two colours) to `path`.
fn photo(path: &Path, w: u32, h: u32) {
    image::RgbImage::from_fn(w, h, |x, y| {
        if x < w / 2 {
            image::Rgb([200, 30, (y % 200) as u8])
        } else {
            image::Rgb([30, 30, 200])
        }
    })
    .save(path)
    .unwrap();
}

/// A product of the synced demo shop with a picture, and its pictures' ids in order.
fn product_with_pictures(phone: &Phone) -> (String, Vec<String>) {
    phone
        .store()
        .read(|db| {
            for p in db.catalog().products_page(None, 500)? {
                let images = db.catalog().images_of(&p.id)?;
                if !images.is_empty() {
                    return Ok::<_, sellerkit_core::store::StoreError>((
                        p.id,
                        images.into_iter().map(|i| i.id).collect(),
                    ));
                }
            }
            panic!("the demo shop has no product with a picture")
        })
        .unwrap()
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex_lower(&Sha256::digest(bytes))
}

fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn offline_storefront_edits_and_photos_sync_and_the_server_has_them() {
    let (server, _sdir) = server();
    let phone = Phone::new(&server);
    phone.sync();
    let observer = Observer::new(&server);
    let (pid, old) = product_with_pictures(&phone);
    let files = phone.dir.path().join("picked");
    std::fs::create_dir_all(&files).unwrap();
    let main_file = files.join("main.png");
    photo(&main_file, 1600, 1600);
    let banner_file = files.join("banner.png");
    photo(&banner_file, 1500, 600);

    // Offline: nothing below talks to the server.
    let p = phone.ok(&[
        "edit",
        "product",
        &pid,
        "--featured",
        "true",
        "--mobile-description",
        "手机详情：明前采摘",
        "--main-image",
        main_file.to_str().unwrap(),
    ]);
    let new_image = p["gallery"][0].as_str().unwrap().to_string();
    assert!(new_image.starts_with("img-"), "{p}");
    // Gallery order: a second new photo between the new main picture and the old one.
    let side_file = files.join("side.png");
    photo(&side_file, 900, 900);
    let order = format!("{new_image},{},{}", side_file.display(), old[0]);
    let p = phone.ok(&["edit", "product", &pid, "--gallery", &order]);
    let side = p["gallery"][1].as_str().unwrap().to_string();
    let expected_gallery: Vec<String> = [new_image.clone(), side.clone()]
        .into_iter()
        .chain(old.iter().cloned())
        .collect();
    assert_eq!(p["gallery"], serde_json::json!(expected_gallery));
    let shop = phone.ok(&[
        "edit",
        "shop",
        "--theme",
        "#1e886b",
        "--banner",
        banner_file.to_str().unwrap(),
    ]);
    let banner = shop["banner_image_id"].as_str().unwrap().to_string();
    assert_eq!(shop["theme_color"], "#1E886B");
    // The photos are files in the media folder, under the names the database records.
    let store = phone.store();
    let local = store
        .read(|db| db.catalog().image(&new_image))
        .unwrap()
        .unwrap();
    let local_bytes =
        std::fs::read(phone.media_dir().join(local.local_path.as_ref().unwrap())).unwrap();
    assert_eq!(Some(sha256_hex(&local_bytes)), local.sha256);
    // Uploaded as picked (1600 px, the most kept): the main-picture rule's 800x800 is met, so
    // the app's own lint does not flag the picture it just made.
    assert_eq!((local.width, local.height), (Some(1600), Some(1600)));
    let lint = phone.ok(&["lint"]);
    let findings = lint["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("{lint}"));
    assert!(
        !findings
            .iter()
            .any(|f| f["subject"]["id"] == pid.as_str() && f["code"] == "main_image_too_small"),
        "{lint}"
    );
    drop(store);
    // Three uploads, each before the edit that places it: three product edits (featured and
    // description, main picture, order) and two shop edits (theme, banner).
    assert_eq!(phone.pending(), 8);

    let report = phone.sync();
    assert_eq!(report["media_uploaded"], 3, "{report}");
    assert_eq!(report["pushed"], 8, "{report}");
    assert_eq!(
        report["applied"],
        5,
        "{report}\nanswers kept: {}",
        phone.ok(&["conflicts"])
    );
    assert_eq!(
        (report["rejected"].clone(), report["conflicts"].clone()),
        (0.into(), 0.into())
    );
    assert_eq!(
        report["digest"]["checksum"],
        server.digest("shop_demo")["checksum"]
    );
    assert_eq!(phone.pending(), 0);

    // The server's state, read through the protocol, is what the seller set.
    let state = observer.state();
    let product = &state[&("product".to_string(), pid.clone())];
    assert_eq!(product["featured"], true, "{product}");
    assert_eq!(product["mobile_description"], "手机详情：明前采摘");
    assert_eq!(product["gallery"], serde_json::json!(expected_gallery));
    for (i, id) in expected_gallery.iter().enumerate() {
        let img = &state[&("image".to_string(), id.clone())];
        assert_eq!(img["position"], i as i64, "{img}");
        assert_eq!(img["product_id"], pid.as_str());
    }
    let img = &state[&("image".to_string(), new_image.clone())];
    assert_eq!(img["sha256"], local.sha256.clone().unwrap());
    assert_eq!(
        (img["width"].clone(), img["height"].clone()),
        (1600.into(), 1600.into())
    );
    let (status, bytes) = observer.get(&format!("/v1/media/{new_image}"));
    assert_eq!(status, 200);
    assert_eq!(bytes, local_bytes, "the server serves the phone's bytes");
    let profile = &state[&("shop_profile".to_string(), "shop_demo".to_string())];
    assert_eq!(profile["theme_color"], "#1E886B", "{profile}");
    assert_eq!(profile["banner_image_id"], banner.as_str());
    assert_eq!(
        state[&("image".to_string(), banner.clone())]["role"],
        "banner"
    );

    // Nothing left: a second sync uploads and pushes nothing.
    let again = phone.sync();
    assert_eq!(
        (again["media_uploaded"].clone(), again["pushed"].clone()),
        (0.into(), 0.into())
    );
}

#[test]
fn a_stale_edit_of_a_new_field_is_a_conflict_and_both_resolutions_work() {
    let (server, _sdir) = server();
    let phone = Phone::new(&server);
    phone.sync();
    let observer = Observer::new(&server);
    let (pid, _) = product_with_pictures(&phone);

    // The server changes the mobile description and featured flag behind the phone's back.
    let server_side = |text: &str, featured: bool| {
        let mut p = observer.state()[&("product".to_string(), pid.clone())].clone();
        p["mobile_description"] = text.into();
        p["featured"] = featured.into();
        let (status, body) = http_post_json(
            &server.url,
            "/dev/shops/shop_demo/products",
            &serde_json::json!({ "products": [p] }),
        );
        assert_eq!(status, 200, "{body}");
    };
    server_side("服务器写的描述", true);
    phone.ok(&[
        "edit",
        "product",
        &pid,
        "--mobile-description",
        "手机写的描述",
    ]);
    let report = phone.sync();
    assert_eq!(
        report["conflicts"],
        1,
        "{report}\nanswers kept: {}",
        phone.ok(&["conflicts"])
    );
    let conflict = phone.first_conflict();
    assert!(
        conflict["reason"]
            .as_str()
            .unwrap()
            .contains("mobile_description"),
        "{conflict}"
    );
    // Keep the server's: the phone shows the server's text; nothing is queued.
    phone.ok(&["conflicts", "--keep-server", &conflict["id"].to_string()]);
    let local = phone
        .store()
        .read(|db| db.catalog().product(&pid))
        .unwrap()
        .unwrap();
    assert_eq!(local.mobile_description, "服务器写的描述");
    assert!(local.featured);
    assert_eq!(phone.pending(), 0);

    // Again, and this time the seller applies theirs again: it wins on the next sync.
    server_side("服务器又改了", true);
    phone.ok(&[
        "edit",
        "product",
        &pid,
        "--mobile-description",
        "还是我的描述",
    ]);
    assert_eq!(phone.sync()["conflicts"], 1);
    let id = phone.first_conflict()["id"].to_string();
    phone.ok(&["conflicts", "--reapply", &id]);
    let report = phone.sync();
    assert_eq!(
        (report["applied"].clone(), report["conflicts"].clone()),
        (1.into(), 0.into()),
        "{report}"
    );
    let p = &observer.state()[&("product".to_string(), pid.clone())];
    assert_eq!(p["mobile_description"], "还是我的描述");
    // The field the seller did not touch keeps the server's value.
    assert_eq!(p["featured"], true);
    assert_eq!(
        report["digest"]["checksum"],
        server.digest("shop_demo")["checksum"]
    );
}

#[test]
fn a_stale_shop_edit_from_a_second_phone_is_a_conflict_and_both_resolutions_work() {
    let (server, _sdir) = server();
    let phone = Phone::new(&server);
    phone.sync();
    // The shop's other phone (a colleague's) changes the announcement and syncs first.
    let other = Phone::new(&server);
    other.sync();
    let colleague = |text: &str| {
        other.ok(&["edit", "shop", "--announcement", text]);
        let report = other.sync();
        assert_eq!(report["applied"], 1, "{report}");
    };
    let shop_state = || {
        Observer::new(&server).state()[&("shop_profile".to_string(), "shop_demo".to_string())]
            .clone()
    };
    colleague("同事写的公告：周末休息");

    // This phone, not synced since, edits the same field.
    phone.ok(&["edit", "shop", "--announcement", "我的公告：全场包邮"]);
    let report = phone.sync();
    assert_eq!(
        report["conflicts"],
        1,
        "{report}\nanswers kept: {}",
        phone.ok(&["conflicts"])
    );
    let conflict = phone.first_conflict();
    assert!(
        conflict["reason"].as_str().unwrap().contains("description"),
        "{conflict}"
    );
    // Keep the server's: the phone shows the colleague's announcement, nothing is queued,
    // and the server never got this phone's text.
    phone.ok(&["conflicts", "--keep-server", &conflict["id"].to_string()]);
    let local = phone.store().read(|db| db.shop().get()).unwrap().unwrap();
    assert_eq!(local.description, "同事写的公告：周末休息");
    assert_eq!(phone.pending(), 0);
    assert_eq!(shop_state()["description"], "同事写的公告：周末休息");

    // Again; this time the seller applies theirs again, and it wins on the next sync.
    colleague("同事又改了公告");
    phone.ok(&["edit", "shop", "--announcement", "还是我的公告"]);
    assert_eq!(phone.sync()["conflicts"], 1);
    let id = phone.first_conflict()["id"].to_string();
    phone.ok(&["conflicts", "--reapply", &id]);
    let report = phone.sync();
    assert_eq!(
        (report["applied"].clone(), report["conflicts"].clone()),
        (1.into(), 0.into()),
        "{report}"
    );
    let shop = shop_state();
    assert_eq!(shop["description"], "还是我的公告");
    assert_eq!(
        report["digest"]["checksum"],
        server.digest("shop_demo")["checksum"]
    );
    // The colleague's phone gets the seller's announcement with its next sync.
    other.sync();
    let theirs = other.store().read(|db| db.shop().get()).unwrap().unwrap();
    assert_eq!(theirs.description, "还是我的公告");
}

#[test]
fn a_corrupt_or_gigantic_photo_is_refused_with_a_clear_error_and_nothing_is_queued() {
    let (server, _sdir) = server();
    let phone = Phone::new(&server);
    phone.sync();
    let (pid, _) = product_with_pictures(&phone);
    let dir = phone.dir.path();
    let corrupt = dir.join("broken.jpg");
    std::fs::write(&corrupt, b"\xFF\xD8\xFF\xE0 this JPEG stops here").unwrap();
    // A PNG that declares 100000 x 100000 pixels: a few dozen bytes that would need 40 GB.
    let giant = dir.join("giant.png");
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut chunk = |kind: &[u8; 4], data: &[u8]| {
        png.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        png.extend_from_slice(&body);
        png.extend_from_slice(&crc32(&body).to_be_bytes());
    };
    let mut ihdr = 100_000u32.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&100_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    chunk(b"IHDR", &ihdr);
    chunk(b"IDAT", &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
    chunk(b"IEND", &[]);
    std::fs::write(&giant, &png).unwrap();

    for (file, words) in [(&corrupt, "damaged"), (&giant, "too large")] {
        for args in [
            vec![
                "edit",
                "product",
                &pid,
                "--featured",
                "true",
                "--main-image",
                file.to_str().unwrap(),
            ],
            vec!["edit", "shop", "--logo", file.to_str().unwrap()],
        ] {
            let o = phone.cli(&args);
            assert!(!o.status.success(), "{args:?} was accepted");
            let err = stderr(&o);
            assert!(err.contains(words), "{args:?}: {err}");
            assert_eq!(phone.pending(), 0, "{args:?} queued something");
        }
    }
    let store = phone.store();
    assert_eq!(store.read(|db| db.storefront().photo_count()).unwrap(), 0);
    let product = store
        .read(|db| db.catalog().product(&pid))
        .unwrap()
        .unwrap();
    assert!(!product.featured, "the edit went ahead without its picture");
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn a_killed_sync_uploads_nothing_twice() {
    let (server, _sdir) = server();
    let phone = Phone::new(&server);
    phone.sync();
    let observer = Observer::new(&server);
    let (pid, _) = product_with_pictures(&phone);
    let version_before = observer.state()[&("product".to_string(), pid.clone())]["version"]
        .as_i64()
        .unwrap();
    let files: Vec<PathBuf> = (0..3)
        .map(|i| {
            let f = phone.dir.path().join(format!("photo{i}.png"));
            photo(&f, 900 + 100 * i, 900);
            f
        })
        .collect();
    let order = files
        .iter()
        .map(|f| f.to_str().unwrap())
        .collect::<Vec<_>>()
        .join(",");
    let p = phone.ok(&["edit", "product", &pid, "--gallery", &order]);
    let new_ids: Vec<String> = p["gallery"].as_array().unwrap()[..3]
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(phone.pending(), 4);

    // Kill the sync at several points, then let one finish.
    let db = phone.db.to_str().unwrap().to_string();
    for ms in [40, 120, 250, 400] {
        sellerkit_killed_after(
            &["--db", &db, "sync", "--no-media"],
            Duration::from_millis(ms),
        );
    }
    let finished = phone.sync();
    assert_eq!(phone.pending(), 0);
    let uploaded_at_the_end = finished["media_uploaded"].as_u64().unwrap();
    assert!(uploaded_at_the_end <= 3, "{finished}");
    assert_eq!(finished["rejected"], 0, "{finished}");
    assert_eq!(finished["conflicts"], 0, "{finished}");

    let state = observer.state();
    let product = &state[&("product".to_string(), pid.clone())];
    // The gallery edit was applied exactly once, whatever the kills interrupted.
    assert_eq!(
        product["version"].as_i64().unwrap(),
        version_before + 1,
        "{product}"
    );
    assert_eq!(
        product["gallery"].as_array().unwrap()[..3],
        new_ids
            .iter()
            .map(|s| serde_json::json!(s))
            .collect::<Vec<_>>()[..]
    );
    for id in &new_ids {
        let local = phone
            .store()
            .read(|db| db.catalog().image(id))
            .unwrap()
            .unwrap();
        assert_eq!(
            state[&("image".to_string(), id.clone())]["sha256"],
            local.sha256.unwrap()
        );
    }
    // And a later sync finds nothing to upload or push.
    let again = phone.sync();
    assert_eq!(
        (again["media_uploaded"].clone(), again["pushed"].clone()),
        (0.into(), 0.into())
    );
    assert_eq!(
        again["digest"]["checksum"],
        server.digest("shop_demo")["checksum"]
    );
}
