//! `cargo xtask bench --profile`: a CPU profile of the benchmark page, taken over the Chrome
//! DevTools protocol while the harness runs, and a summary of where each contender's time
//! went.
//!
//! Chromium is started with `--remote-debugging-port=0`; it writes the port it chose to
//! `DevToolsActivePort` in its profile directory. The page's target is found through
//! `/json/list`, and its V8 sampling profiler runs from just after the page loads until the
//! results arrive. The raw profile is written as `profile.cpuprofile` (DevTools' Performance
//! panel opens it); `profile.md` attributes every sample to the contender whose code is the
//! outermost on its stack (the JS glue or module a call entered through), so native time a
//! contender causes, such as `fetch` or a stream read, counts as its own.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{BufReader, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tungstenite::protocol::WebSocketConfig;
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

use super::http::{self, Side};
use crate::Result;

/// How often V8 samples the stack, in µs: fine enough to see a 1 ms call's parts, coarse
/// enough that a full run's profile stays in the tens of megabytes.
const SAMPLE_INTERVAL_US: u64 = 200;

/// Which contender a script URL belongs to, by the directory or file the harness serves it
/// from; the first match wins.
const OWNERS: &[(&str, &str)] = &[
    ("/ours/", "ours"),
    ("/tonic-web/", "tonic-web-wasm-client"),
    ("/connect.js", "connect-web"),
    ("/npm-bytes.js", super::npm::BYTES),
    ("/npm-connect.js", super::npm::CONNECT),
    ("/npm-batches.js", super::npm::BATCHES),
    ("/raw.js", "raw fetch (both readers)"),
    ("/harness.js", HARNESS),
];

/// The harness's own code: a sample counts for it only when no contender is on the stack.
const HARNESS: &str = "harness";

/// A running profile of the page.
pub struct Profiler {
    socket: WebSocket<MaybeTlsStream<TcpStream>>,
    next_id: u64,
}

impl Profiler {
    /// Finds the page whose URL contains `page` in the Chromium whose profile directory is
    /// `user_data_dir`, and starts its profiler; waits up to `limit` for both to appear.
    pub fn start(user_data_dir: &Path, page: &str, limit: Duration) -> Result<Profiler> {
        let deadline = Instant::now() + limit;
        let ws_url = loop {
            if let Some(url) = page_socket(user_data_dir, page) {
                break url;
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "profile: no DevTools page matching {page:?} within {} s",
                    limit.as_secs()
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let config = WebSocketConfig::default()
            .max_message_size(None)
            .max_frame_size(None);
        let (socket, _) =
            tungstenite::client::connect_with_config(ws_url.as_str(), Some(config), 0)
                .map_err(|e| format!("profile: DevTools socket {ws_url}: {e}"))?;
        let mut profiler = Profiler { socket, next_id: 0 };
        profiler.call("Profiler.enable", json!({}))?;
        profiler.call(
            "Profiler.setSamplingInterval",
            json!({ "interval": SAMPLE_INTERVAL_US }),
        )?;
        profiler.call("Profiler.start", json!({}))?;
        Ok(profiler)
    }

    /// Stops the profiler: the profile, as DevTools' `Profiler.Profile` JSON.
    pub fn stop(mut self) -> Result<Value> {
        let mut result = self.call("Profiler.stop", json!({}))?;
        Ok(result["profile"].take())
    }

    /// Sends one command and waits for its answer, skipping the events in between.
    fn call(&mut self, method: &str, params: Value) -> Result<Value> {
        self.next_id += 1;
        let id = self.next_id;
        let command = json!({ "id": id, "method": method, "params": params }).to_string();
        self.socket
            .send(Message::text(command))
            .map_err(|e| format!("profile: {method}: {e}"))?;
        loop {
            let message = self
                .socket
                .read()
                .map_err(|e| format!("profile: {method}: {e}"))?;
            let Message::Text(text) = message else {
                continue;
            };
            let mut answer: Value = serde_json::from_str(text.as_str())
                .map_err(|e| format!("profile: {method}: {e}"))?;
            if answer["id"].as_u64() != Some(id) {
                continue;
            }
            if let Some(error) = answer.get("error") {
                return Err(format!("profile: {method}: {error}"));
            }
            return Ok(answer["result"].take());
        }
    }
}

/// The DevTools WebSocket URL of the page matching `page`, once Chromium has written its port
/// and opened the page.
fn page_socket(user_data_dir: &Path, page: &str) -> Option<String> {
    let port = std::fs::read_to_string(user_data_dir.join("DevToolsActivePort")).ok()?;
    let port: u16 = port.lines().next()?.trim().parse().ok()?;
    let mut conn = TcpStream::connect(("127.0.0.1", port)).ok()?;
    conn.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    // Chromium keeps the connection open whatever the request says: read by the length.
    write!(
        conn,
        "GET /json/list HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"
    )
    .ok()?;
    let reply = http::read(&mut BufReader::new(conn), Side::Response).ok()??;
    let body = std::str::from_utf8(reply.body()).ok()?;
    let targets: Value = serde_json::from_str(body).ok()?;
    targets.as_array()?.iter().find_map(|t| {
        let url = t["url"].as_str()?;
        (t["type"] == "page" && url.contains(page))
            .then(|| t["webSocketDebuggerUrl"].as_str().map(String::from))
            .flatten()
    })
}

/// The owner of a script URL, if it is one of the harness's.
fn owner(url: &str) -> Option<&'static str> {
    OWNERS
        .iter()
        .find(|(part, _)| url.contains(part))
        .map(|&(_, who)| who)
}

/// One sampled function: its name and where it lives.
fn frame_name(frame: &Value) -> String {
    let name = frame["functionName"].as_str().unwrap_or("");
    let name = if name.is_empty() { "(anonymous)" } else { name };
    let url = frame["url"].as_str().unwrap_or("");
    let file = url.rsplit('/').next().unwrap_or("");
    if file.is_empty() {
        name.to_string()
    } else {
        format!("{name} ({file})")
    }
}

/// Where the profile's time went, as markdown: the total per contender, then each contender's
/// functions by self time (the time a sample's innermost frame was that function).
pub fn summary(profile: &Value, top: usize) -> Result<String> {
    let nodes = profile["nodes"].as_array().ok_or("profile without nodes")?;
    let samples = profile["samples"]
        .as_array()
        .ok_or("profile without samples")?;
    let deltas = profile["timeDeltas"]
        .as_array()
        .ok_or("profile without timeDeltas")?;
    // id -> (frame name, owner of this frame, parent id)
    let mut by_id: HashMap<u64, (String, Option<&'static str>, Option<u64>)> = HashMap::new();
    for node in nodes {
        let id = node["id"].as_u64().ok_or("profile node without id")?;
        let frame = &node["callFrame"];
        let entry = by_id
            .entry(id)
            .or_insert_with(|| (String::new(), None, None));
        entry.0 = frame_name(frame);
        entry.1 = owner(frame["url"].as_str().unwrap_or(""));
        for child in node["children"].as_array().into_iter().flatten() {
            if let Some(child) = child.as_u64() {
                by_id
                    .entry(child)
                    .or_insert_with(|| (String::new(), None, None))
                    .2 = Some(id);
            }
        }
    }
    // The outermost contender frame on each node's stack, else the harness if it is on it;
    // memoised per node.
    let mut owner_of: HashMap<u64, &'static str> = HashMap::new();
    let mut resolve = |leaf: u64| -> &'static str {
        if let Some(&who) = owner_of.get(&leaf) {
            return who;
        }
        let (mut contender, mut harness) = (None, false);
        let mut at = Some(leaf);
        while let Some(id) = at {
            let Some((_, own, parent)) = by_id.get(&id) else {
                break;
            };
            match own {
                Some(HARNESS) => harness = true,
                Some(o) => contender = Some(*o),
                None => {}
            }
            at = *parent;
        }
        let who = match (contender, harness) {
            (Some(c), _) => c,
            (None, true) => HARNESS,
            (None, false) => "other (idle, GC, browser)",
        };
        owner_of.insert(leaf, who);
        who
    };
    let mut total_us = 0f64;
    let mut per_owner: HashMap<&'static str, f64> = HashMap::new();
    let mut per_fn: HashMap<(&'static str, String), f64> = HashMap::new();
    for (sample, delta) in samples.iter().zip(deltas) {
        let (Some(id), Some(us)) = (sample.as_u64(), delta.as_f64()) else {
            continue;
        };
        let us = us.max(0.0);
        total_us += us;
        let who = resolve(id);
        *per_owner.entry(who).or_default() += us;
        let name = by_id.get(&id).map(|n| n.0.clone()).unwrap_or_default();
        *per_fn.entry((who, name)).or_default() += us;
    }
    let ms = |us: f64| us / 1000.0;
    let mut out = format!(
        "# CPU profile of the benchmark page\n\n{} samples every {SAMPLE_INTERVAL_US} µs, {:.1} s in all. Each sample counts for the contender whose code is outermost on its stack, so native work it started (`fetch`, stream reads) is its own. The figures of a profiled run are slower than an unprofiled one's.\n\n| contender | ms | share |\n|---|---:|---:|\n",
        samples.len(),
        ms(total_us) / 1000.0
    );
    let mut owners: Vec<(&str, f64)> = per_owner.into_iter().collect();
    owners.sort_by(|a, b| b.1.total_cmp(&a.1));
    for (who, us) in &owners {
        let _ = writeln!(
            out,
            "| {who} | {:.1} | {:.1}% |",
            ms(*us),
            100.0 * us / total_us.max(1.0)
        );
    }
    for (who, _) in &owners {
        let mut fns: Vec<(&String, f64)> = per_fn
            .iter()
            .filter(|((w, _), _)| w == who)
            .map(|((_, name), us)| (name, *us))
            .collect();
        fns.sort_by(|a, b| b.1.total_cmp(&a.1));
        let _ = write!(
            out,
            "\n## {who}: functions by self time\n\n| function | ms |\n|---|---:|\n"
        );
        for (name, us) in fns.into_iter().take(top) {
            let _ = writeln!(out, "| `{}` | {:.1} |", name.replace('|', "\\|"), ms(us));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A root with two stacks: the harness calling into our glue, which calls `fetch`
    /// (native), and a bare GC node.
    fn profile() -> Value {
        json!({
            "nodes": [
                {"id": 1, "callFrame": {"functionName": "(root)", "url": ""}, "children": [2, 5]},
                {"id": 2, "callFrame": {"functionName": "run", "url": "http://h/harness.js"}, "children": [3]},
                {"id": 3, "callFrame": {"functionName": "unary_seq", "url": "http://h/ours/bench_ours.js"}, "children": [4]},
                {"id": 4, "callFrame": {"functionName": "fetch", "url": ""}},
                {"id": 5, "callFrame": {"functionName": "(garbage collector)", "url": ""}}
            ],
            "samples": [4, 4, 3, 5, 2],
            "timeDeltas": [1000, 1000, 500, 250, 250]
        })
    }

    #[test]
    fn samples_count_for_the_outermost_owned_frame() {
        let md = summary(&profile(), 10).unwrap();
        assert!(md.contains("| ours | 2.5 | 83.3% |"), "{md}");
        assert!(
            md.contains("| other (idle, GC, browser) | 0.2 | 8.3% |"),
            "{md}"
        );
        assert!(md.contains("| `fetch` | 2.0 |"), "{md}");
        assert!(md.contains("| `unary_seq (bench_ours.js)` | 0.5 |"), "{md}");
        assert!(md.contains("| `run (harness.js)` | 0.2 |"), "{md}");
    }

    #[test]
    fn a_profile_without_samples_is_an_error() {
        assert!(summary(&json!({"nodes": []}), 10).is_err());
    }
}
