//! Helpers for SellerKit's end-to-end tests: they run the workspace's real binaries.
//!
//! Cargo only hands `CARGO_BIN_EXE_*` to tests of the binary's own package, so this crate
//! builds the binaries it needs once (with the same cargo and profile) and runs them.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;

pub mod proxy;

/// Builds (once per test process) and returns the path of a workspace binary.
pub fn workspace_bin(package: &str, bin: &str) -> PathBuf {
    static BUILT: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let target_dir = test_target_dir();
    let path = target_dir.join(format!("{bin}{}", std::env::consts::EXE_SUFFIX));
    let mut built = BUILT.lock().unwrap_or_else(|p| p.into_inner());
    if !built.iter().any(|b| b == bin) {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.args(["build", "--quiet", "-p", package, "--bin", bin]);
        if target_dir.file_name().is_some_and(|n| n == "release") {
            cmd.arg("--release");
        }
        let status = cmd.status().expect("run cargo build");
        assert!(
            status.success(),
            "cargo build -p {package} --bin {bin} failed"
        );
        built.push(bin.to_string());
    }
    assert!(path.is_file(), "{} was not built", path.display());
    path
}

/// `target/<profile>`, found from this test executable (`target/<profile>/deps/<test>`).
fn test_target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    exe.parent()
        .and_then(|deps| deps.parent())
        .expect("test executable lives in target/<profile>/deps")
        .to_path_buf()
}

/// A dev server process on 127.0.0.1, killed when dropped.
pub struct DevServerProcess {
    child: Child,
    /// Base URL it listens on, e.g. `http://127.0.0.1:41234`.
    pub url: String,
}

impl DevServerProcess {
    /// Starts `sellerkit-devserver` with `args` on a free loopback port and waits until it
    /// prints its URL.
    pub fn start(args: &[&str]) -> DevServerProcess {
        DevServerProcess::try_start(args).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Like [`DevServerProcess::start`], but a server that ends before printing its URL
    /// (e.g. its fixed port is still taken) is an error to handle, not a panic.
    pub fn try_start(args: &[&str]) -> Result<DevServerProcess, String> {
        let bin = workspace_bin("sellerkit-devserver", "sellerkit-devserver");
        let mut cmd = Command::new(bin);
        if !args.contains(&"--addr") {
            cmd.args(["--addr", "127.0.0.1:0"]);
        }
        let mut child = cmd
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start dev server");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let url = loop {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(rest) = line.strip_prefix("listening on ") {
                        break rest.trim().to_string();
                    }
                }
                other => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(format!(
                        "dev server ended before printing its URL: {other:?}"
                    ));
                }
            }
        };
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Ok(DevServerProcess { child, url })
    }
}

impl DevServerProcess {
    /// The reusable activation code of `shop_id` for `tier`, from `GET /dev/shops`.
    pub fn activation_code(&self, shop_id: &str, tier: &str) -> String {
        let (code, body) = http_get(&self.url, "/dev/shops");
        assert_eq!(code, 200, "{body}");
        let shops: serde_json::Value = serde_json::from_str(&body).expect("shops JSON");
        shops["shops"]
            .as_array()
            .expect("shops array")
            .iter()
            .find(|s| s["shop_id"] == shop_id)
            .and_then(|s| s["activation_codes"][tier].as_str())
            .unwrap_or_else(|| panic!("no {tier} code for {shop_id} in {body}"))
            .to_string()
    }

    /// The server's digest of a shop (`GET /dev/shops/{id}/digest`).
    pub fn digest(&self, shop_id: &str) -> serde_json::Value {
        let (code, body) = http_get(&self.url, &format!("/dev/shops/{shop_id}/digest"));
        assert_eq!(code, 200, "{body}");
        serde_json::from_str(&body).expect("digest JSON")
    }

    /// Stops the server abruptly (SIGKILL) and waits for it.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for DevServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A minimal HTTP/1.1 GET over loopback, returning status code and body.
pub fn http_get(url: &str, path: &str) -> (u16, String) {
    http_request(url, "GET", path, None)
}

/// A minimal HTTP/1.1 POST of a JSON body over loopback, returning status code and body.
pub fn http_post_json(url: &str, path: &str, body: &serde_json::Value) -> (u16, String) {
    http_request(url, "POST", path, Some(body.to_string()))
}

/// A plain HTTP/1.1 request (no TLS, no compression) for the tests' own checks of the dev
/// server; the product's client is the sync transport, tested separately.
pub fn http_request(url: &str, method: &str, path: &str, body: Option<String>) -> (u16, String) {
    use std::io::{Read, Write};
    let host = url
        .strip_prefix("http://")
        .expect("loopback http URL")
        .trim_end_matches('/');
    let mut stream = std::net::TcpStream::connect(host).expect("connect");
    let body = body.unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .expect("send");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("HTTP response head");
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut body = raw[split + 4..].to_vec();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body);
    }
    let code = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .expect("status code");
    (code, String::from_utf8_lossy(&body).into_owned())
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(eol) = data.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size_text = String::from_utf8_lossy(&data[..eol]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .unwrap_or(0);
        data = &data[eol + 2..];
        if size == 0 || data.len() < size {
            return out;
        }
        out.extend_from_slice(&data[..size]);
        data = &data[(size + 2).min(data.len())..];
    }
}

/// Runs the `sellerkit` CLI with `args`, without inheriting SELLERKIT_* settings.
pub fn sellerkit(args: &[&str]) -> std::process::Output {
    Command::new(workspace_bin("sellerkit", "sellerkit"))
        .args(args)
        .env_remove("SELLERKIT_DB")
        .env_remove("SELLERKIT_NOW")
        // The assertions read the English messages (the default is the seller's zh-CN).
        .env("SELLERKIT_LANG", "en")
        .output()
        .expect("run sellerkit")
}

/// Starts the `sellerkit` CLI with `args` and kills it with SIGKILL after `after` (or when
/// it ends first): an app killed at an arbitrary point.
pub fn sellerkit_killed_after(args: &[&str], after: std::time::Duration) {
    let mut child = Command::new(workspace_bin("sellerkit", "sellerkit"))
        .args(args)
        .env_remove("SELLERKIT_DB")
        .env_remove("SELLERKIT_NOW")
        // The assertions read the English messages (the default is the seller's zh-CN).
        .env("SELLERKIT_LANG", "en")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("run sellerkit");
    std::thread::sleep(after);
    let _ = child.kill(); // SIGKILL on Unix
    let _ = child.wait();
}

/// Parses a command's stdout as JSON, with the output in the panic message otherwise.
pub fn stdout_json(o: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): stdout={} stderr={}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}
