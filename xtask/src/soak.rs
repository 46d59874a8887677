//! `cargo xtask soak [--secs N] [--streams N]`: a release server under steady mixed load
//! for a while — N server streams at once, each reopened when it ends, plus a paced mix
//! of unary calls (a user lookup, a chat message, a 64 KiB interop reply) — printing its
//! memory, descriptors and the calls' outcomes every second, then its memory once the
//! load is gone. Fails if any call failed.
//!
//! Calls are gRPC-Web over HTTP/1.1, one per connection, so connections churn as a
//! browser's would; every reply is checked (status, message count and sizes).

mod client;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use crate::server::Server;
use crate::setup::{self, Needs};
use crate::ui::{note, step};
use crate::{process, Result};

const USAGE: &str = "usage: cargo xtask soak [--secs N] [--streams N]";
/// Most unary calls per second over all unary workers (each pauses between calls).
const UNARY_PER_SEC: u64 = 100;
const UNARY_WORKERS: u64 = 2;
/// Most updates per score stream, and the time between them: a stream lives about a second.
const STREAM_UPDATES: u64 = 50;
const STREAM_INTERVAL_MS: u64 = 20;
/// Size of the interop reply in the unary mix.
const LARGE_REPLY: u64 = 64 * 1024;
/// Longest any one call may take.
const CALL_LIMIT: Duration = Duration::from_secs(10);

/// Outcomes so far, shared by the workers and the monitor.
#[derive(Default)]
struct Tally {
    unary_ok: AtomicU64,
    streams_ok: AtomicU64,
    messages: AtomicU64,
    errors: AtomicU64,
    first_error: Mutex<Option<String>>,
}

impl Tally {
    fn fail(&self, what: &str, why: String) {
        self.errors.fetch_add(1, Ordering::Relaxed);
        let mut first = self.first_error.lock().expect("not poisoned");
        first.get_or_insert_with(|| format!("{what}: {why}"));
    }
}

/// Runs the command.
pub fn run(args: &[String]) -> Result {
    let (mut secs, mut streams) = (60u64, 50u64);
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let value = |v: Option<&String>| -> Result<u64> {
            v.and_then(|v| v.parse().ok())
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("{arg} wants a positive number\n{USAGE}"))
        };
        match arg.as_str() {
            "--secs" => secs = value(args.next())?,
            "--streams" => streams = value(args.next())?,
            _ => return Err(USAGE.into()),
        }
    }
    // The same build as `bench`'s (same toolchain and flags), so CI builds it once.
    let env = setup::ensure(Needs::default())?;
    let binary = step("build the server (release)", || {
        process::run(
            env.cargo_host()
                .args(["build", "--release", "--package", "server"]),
        )?;
        Ok(crate::host_target_dir().join("release").join("server"))
    })?;
    step(
        &format!("soak: {streams} streams and {UNARY_PER_SEC} unary calls/s for {secs} s"),
        || soak(&binary, secs, streams),
    )
}

fn soak(binary: &std::path::Path, secs: u64, streams: u64) -> Result {
    let server = Server::start(binary, &["--listen", "127.0.0.1:0", "--interop"])?;
    let pid = server.pid();
    let addr: Arc<str> = server.url.trim_start_matches("http://").into();
    let tally = Arc::new(Tally::default());
    let stop = Arc::new(AtomicBool::new(false));
    let rss_start = rss_mib(pid)?;

    let mut workers = Vec::new();
    for _ in 0..streams {
        let (addr, tally, stop) = (addr.clone(), tally.clone(), stop.clone());
        workers.push(thread::spawn(move || stream_worker(&addr, &tally, &stop)));
    }
    for n in 0..UNARY_WORKERS {
        let (addr, tally, stop) = (addr.clone(), tally.clone(), stop.clone());
        workers.push(thread::spawn(move || unary_worker(n, &addr, &tally, &stop)));
    }

    let started = Instant::now();
    let mut peak = rss_start;
    for t in 1..=secs {
        thread::sleep((started + Duration::from_secs(t)).saturating_duration_since(Instant::now()));
        let rss = rss_mib(pid)?;
        peak = peak.max(rss);
        note(format!(
            "t={t:>4}s  rss {rss:>7.1} MiB  fds {:>5}  unary ok {:>7}  streams ok {:>6}  \
             messages {:>8}  errors {}",
            open_fds(pid),
            tally.unary_ok.load(Ordering::Relaxed),
            tally.streams_ok.load(Ordering::Relaxed),
            tally.messages.load(Ordering::Relaxed),
            tally.errors.load(Ordering::Relaxed),
        ));
    }
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        let _ = w.join();
    }
    let rss_end = rss_mib(pid)?;
    thread::sleep(Duration::from_secs(2));
    let rss_rest = rss_mib(pid)?;
    note(format!(
        "RSS: {rss_start:.1} MiB at start, peak {peak:.1} MiB, {rss_end:.1} MiB when the load \
         stopped, {rss_rest:.1} MiB 2 s later"
    ));
    let errors = tally.errors.load(Ordering::Relaxed);
    note(format!(
        "{} unary calls and {} streams ({} messages) succeeded; {errors} failed",
        tally.unary_ok.load(Ordering::Relaxed),
        tally.streams_ok.load(Ordering::Relaxed),
        tally.messages.load(Ordering::Relaxed),
    ));
    let first = tally.first_error.lock().expect("not poisoned").take();
    match first {
        Some(first) => Err(format!("{errors} calls failed; the first: {first}")),
        None => Ok(()),
    }
}

/// Opens score streams one after the other until told to stop.
fn stream_worker(addr: &str, tally: &Tally, stop: &AtomicBool) {
    let mut request = Vec::new();
    client::varint_field(2, STREAM_UPDATES, &mut request);
    client::varint_field(3, STREAM_INTERVAL_MS, &mut request);
    while !stop.load(Ordering::Relaxed) {
        match client::call(
            addr,
            "/demo.v1.ScoreService/WatchScores",
            &request,
            CALL_LIMIT,
        ) {
            // A stream also ends early, with OK, once all its matches are over.
            Ok(r)
                if r.status == Some(0)
                    && (1..=STREAM_UPDATES).contains(&(r.messages.len() as u64)) =>
            {
                tally.streams_ok.fetch_add(1, Ordering::Relaxed);
                tally
                    .messages
                    .fetch_add(r.messages.len() as u64, Ordering::Relaxed);
            }
            Ok(r) => tally.fail(
                "WatchScores",
                format!("status {:?} after {} messages", r.status, r.messages.len()),
            ),
            Err(e) => tally.fail("WatchScores", e),
        }
    }
}

/// Makes paced unary calls, rotating through the mix, until told to stop.
fn unary_worker(n: u64, addr: &str, tally: &Tally, stop: &AtomicBool) {
    let pause = Duration::from_millis(1000 * UNARY_WORKERS / UNARY_PER_SEC);
    let mut get_user = Vec::new();
    client::varint_field(1, 1, &mut get_user);
    let mut send = Vec::new();
    client::string_field(1, "soak", &mut send);
    client::string_field(2, &format!("worker {n}"), &mut send);
    client::string_field(3, "hello", &mut send);
    let mut large = Vec::new();
    client::varint_field(2, LARGE_REPLY, &mut large);
    let mix: [(&str, &[u8], usize); 3] = [
        ("/demo.v1.UserService/GetUser", &get_user, 1),
        // A reply may be empty: nobody listening, sequence 0.
        ("/demo.v1.ChatService/Send", &send, 0),
        (
            "/grpc.testing.TestService/UnaryCall",
            &large,
            LARGE_REPLY as usize,
        ),
    ];
    for (path, message, min_len) in mix.iter().cycle() {
        if stop.load(Ordering::Relaxed) {
            return;
        }
        match client::call(addr, path, message, CALL_LIMIT) {
            Ok(r)
                if r.status == Some(0)
                    && r.messages.len() == 1
                    && r.messages[0].len() >= *min_len =>
            {
                tally.unary_ok.fetch_add(1, Ordering::Relaxed);
            }
            Ok(r) => tally.fail(
                path,
                format!("status {:?}, {} messages", r.status, r.messages.len()),
            ),
            Err(e) => tally.fail(path, e),
        }
        thread::sleep(pause);
    }
}

/// Resident memory of process `pid`, in MiB.
fn rss_mib(pid: u32) -> Result<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map_err(|e| format!("reading the server's memory (/proc, Linux only): {e}"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map(|kib| kib / 1024.0)
        .ok_or_else(|| "no VmRSS in /proc status".into())
}

/// Descriptors process `pid` has open (0 if unreadable).
fn open_fds(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, |d| d.count())
}
