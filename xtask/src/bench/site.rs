//! The harness's web server: serves the assembled harness (HTML, JS, wasm) from one
//! directory, prints the page's progress lines, and hands back the results it posts.
//!
//! Every response carries [`ISOLATION`], so the page is cross-origin isolated: only then does
//! Chromium give `performance.now()` a fine resolution (5 µs) instead of 100 µs, which is
//! coarser than a tenth of a unary call's latency.

use std::io::{BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::Duration;

use super::http::{self, Side};

/// The headers that make the page cross-origin isolated (`self.crossOriginIsolated`).
///
/// COEP is `require-corp`, the stricter of the two values that isolate, and it is enough:
/// everything the page loads from this origin (harness, contenders' JS and wasm) is
/// same-origin, and its calls to the tonic and replay servers are CORS-mode `fetch`es, which
/// COEP admits whenever the CORS check passes (both servers answer the loopback origin, the
/// replay server with the tonic server's recorded headers), so no
/// `Cross-Origin-Resource-Policy` is needed anywhere. The headers go on every response, not
/// only the page's, so that nothing depends on which response a browser consults.
const ISOLATION: &str =
    "cross-origin-opener-policy: same-origin\r\ncross-origin-embedder-policy: require-corp\r\n";

/// What the page reported at the end.
pub enum Outcome {
    /// The results, as the page's tab-separated rows.
    Results(String),
    /// The page failed, with its message.
    Failed(String),
}

/// The running server (its threads end with the process).
pub struct Site {
    /// Its base URL.
    pub url: String,
    outcomes: Receiver<Outcome>,
}

impl Site {
    /// Serves `dir` on a free loopback port.
    pub fn start(dir: &Path) -> crate::Result<Site> {
        let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("site: {e}"))?;
        let url = format!(
            "http://{}",
            listener.local_addr().map_err(|e| e.to_string())?
        );
        let (tx, rx) = mpsc::channel();
        let dir = dir.to_path_buf();
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let (dir, tx) = (dir.clone(), tx.clone());
                std::thread::spawn(move || {
                    let _ = serve(conn, &dir, &tx);
                });
            }
        });
        Ok(Site { url, outcomes: rx })
    }

    /// Waits for the page's results, up to `limit`.
    pub fn wait(&self, limit: Duration) -> crate::Result<String> {
        match self.outcomes.recv_timeout(limit) {
            Ok(Outcome::Results(rows)) => Ok(rows),
            Ok(Outcome::Failed(why)) => Err(format!("the benchmark page failed: {why}")),
            Err(_) => Err(format!(
                "the benchmark page sent no results within {} s",
                limit.as_secs()
            )),
        }
    }
}

fn serve(conn: TcpStream, dir: &Path, outcomes: &Sender<Outcome>) -> std::io::Result<()> {
    let mut reader = BufReader::new(conn.try_clone()?);
    let mut writer = conn;
    while let Some(request) = http::read(&mut reader, Side::Request)? {
        let (method, path) = request.method_path();
        let path = path.split('?').next().unwrap_or("/");
        let body = String::from_utf8_lossy(request.body()).into_owned();
        let (status, kind, content) = match (method, path) {
            ("POST", "/log") => {
                crate::ui::note(format!("[page] {body}"));
                (200, "text/plain", Vec::new())
            }
            ("POST", "/results") => {
                let _ = outcomes.send(Outcome::Results(body));
                (200, "text/plain", Vec::new())
            }
            ("POST", "/error") => {
                let _ = outcomes.send(Outcome::Failed(body));
                (200, "text/plain", Vec::new())
            }
            ("GET", _) => match file(dir, path) {
                Some(file) => match std::fs::read(&file) {
                    Ok(bytes) => (200, content_type(&file), bytes),
                    Err(_) => (404, "text/plain", b"not found".to_vec()),
                },
                None => (404, "text/plain", b"not found".to_vec()),
            },
            _ => (405, "text/plain", Vec::new()),
        };
        write!(
            writer,
            "HTTP/1.1 {status} X\r\ncontent-type: {kind}\r\ncontent-length: {}\r\ncache-control: no-store\r\n{ISOLATION}\r\n",
            content.len()
        )?;
        writer.write_all(&content)?;
    }
    Ok(())
}

/// The file `path` names inside `dir`; never outside it.
fn file(dir: &Path, path: &str) -> Option<PathBuf> {
    let rel = path.trim_start_matches('/');
    let rel = if rel.is_empty() { "index.html" } else { rel };
    if rel.split('/').any(|part| part == ".." || part.is_empty()) {
        return None;
    }
    Some(dir.join(rel))
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript",
        Some("wasm") => "application/wasm",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    }
}
