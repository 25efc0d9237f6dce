//! Helpers for SellerKit's end-to-end tests: they run the workspace's real binaries.
//!
//! Cargo only hands `CARGO_BIN_EXE_*` to tests of the binary's own package, so this crate
//! builds the binaries it needs once (with the same cargo and profile) and runs them.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;

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
        let bin = workspace_bin("sellerkit-devserver", "sellerkit-devserver");
        let mut child = Command::new(bin)
            .args(["--addr", "127.0.0.1:0"])
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
                    panic!("dev server ended before printing its URL: {other:?}");
                }
            }
        };
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        DevServerProcess { child, url }
    }
}

impl Drop for DevServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A minimal HTTP/1.1 GET over loopback (until the sync client exists), returning
/// status code and body.
pub fn http_get(url: &str, path: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let host = url
        .strip_prefix("http://")
        .expect("loopback http URL")
        .trim_end_matches('/');
    let mut stream = std::net::TcpStream::connect(host).expect("connect");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut raw = String::new();
    stream.read_to_string(&mut raw).expect("read");
    let (head, body) = raw.split_once("\r\n\r\n").expect("HTTP response");
    let code = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .expect("status code");
    (code, body.to_string())
}
