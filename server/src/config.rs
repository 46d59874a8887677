//! Command-line flags, each with an environment fallback. `--listen` and `--dev` are relied
//! on by tools (xtask, CI): keep their spelling and meaning stable.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use checks::{number, validate_origin, validate_token};

mod checks;

/// How the server was asked to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Address to bind; port 0 picks a free port (the chosen one is printed).
    pub listen: SocketAddr,
    /// Development mode: CORS also admits any `http://localhost:*` / `http://127.0.0.1:*`
    /// origin, and the interop service is on.
    pub dev: bool,
    /// Serve `grpc.testing.TestService`: it builds replies as large as the message limit on
    /// request, so a production deployment turns it on only when it wants it.
    pub interop: bool,
    /// Origins admitted by CORS in every mode, exactly as browsers send them.
    pub allowed_origins: Vec<String>,
    /// A directory of static files (the built demo UI) served for non-gRPC paths.
    pub static_dir: Option<PathBuf>,
    /// PEM certificate chain and private key: serve TLS instead of plain TCP.
    pub tls: Option<TlsFiles>,
    /// Bearer token `CreateUser` demands; `None` leaves it open.
    pub auth_token: Option<String>,
    /// Largest message accepted or sent, in bytes (after decompression).
    pub max_message_size: usize,
    /// Calls being worked on at once over all connections (until each reply's headers);
    /// more wait their turn, within their deadlines. A call waiting for its request body
    /// holds no slot, and open streams hold none ([`crate::admission`]).
    pub max_concurrent_calls: usize,
    /// How long a call may take to produce its response headers: the whole of a unary
    /// call, but only the start of a stream, so long streams are not cut.
    pub request_timeout: Duration,
    /// How long shutdown waits for calls to finish before the process exits anyway.
    pub shutdown_grace: Duration,
    /// Connections open at once; past it the server stops accepting until one closes.
    pub max_connections: usize,
    /// A connection with no call open for this long is closed.
    pub idle_timeout: Duration,
    /// A connection whose peer takes no data for this long while a write or a reply
    /// waits on it (the peer stopped reading) is closed, and what it had buffered is
    /// freed.
    pub write_timeout: Duration,
    /// Where users and chat live: this process, or Redis for a fleet.
    pub store: crate::store::StoreChoice,
}

/// Paths of a TLS identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    /// PEM certificate chain.
    pub cert: PathBuf,
    /// PEM private key.
    pub key: PathBuf,
}

/// Usage text printed for `--help` and after a flag error.
pub const USAGE: &str = include_str!("config/usage.txt");

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 50051)),
            dev: false,
            allowed_origins: Vec::new(),
            static_dir: None,
            tls: None,
            auth_token: None,
            max_message_size: 4 * 1024 * 1024,
            max_concurrent_calls: 1024,
            request_timeout: Duration::from_secs(30),
            shutdown_grace: Duration::from_secs(5),
            interop: false,
            max_connections: 4096,
            idle_timeout: Duration::from_secs(120),
            write_timeout: Duration::from_secs(30),
            store: crate::store::StoreChoice::Memory,
        }
    }
}

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    /// Run the server.
    Run(Box<Config>),
    /// Print [`USAGE`] and exit.
    Help,
}

/// Flags that take a value, with their environment variables.
const VALUED: &[(&str, &str)] = &[
    ("--listen", "GRPC_WEB_SERVER_LISTEN"),
    ("--allow-origin", "GRPC_WEB_SERVER_ALLOW_ORIGINS"),
    ("--static-dir", "GRPC_WEB_SERVER_STATIC_DIR"),
    ("--tls-cert", "GRPC_WEB_SERVER_TLS_CERT"),
    ("--tls-key", "GRPC_WEB_SERVER_TLS_KEY"),
    ("--auth-token", "GRPC_WEB_SERVER_AUTH_TOKEN"),
    ("--max-message-size", "GRPC_WEB_SERVER_MAX_MESSAGE_SIZE"),
    (
        "--max-concurrent-calls",
        "GRPC_WEB_SERVER_MAX_CONCURRENT_CALLS",
    ),
    ("--request-timeout", "GRPC_WEB_SERVER_REQUEST_TIMEOUT"),
    ("--shutdown-grace", "GRPC_WEB_SERVER_SHUTDOWN_GRACE"),
    ("--max-connections", "GRPC_WEB_SERVER_MAX_CONNECTIONS"),
    ("--idle-timeout", "GRPC_WEB_SERVER_IDLE_TIMEOUT"),
    ("--write-timeout", "GRPC_WEB_SERVER_WRITE_TIMEOUT"),
    ("--store", "GRPC_WEB_SERVER_STORE"),
];

impl Config {
    /// Parses the arguments that follow the program name, with `env` (a variable lookup,
    /// e.g. `|k| std::env::var(k).ok()`) filling in flags that were not given.
    pub fn parse<I, E>(args: I, env: E) -> Result<Command, String>
    where
        I: IntoIterator<Item = String>,
        E: Fn(&str) -> Option<String>,
    {
        let mut given: Vec<(String, String)> = Vec::new();
        let mut dev = false;
        let mut interop = false;
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let (flag, inline) = match arg.split_once('=') {
                Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
                _ => (arg, None),
            };
            match flag.as_str() {
                "--dev" => dev = true,
                "--interop" => interop = true,
                "-h" | "--help" => return Ok(Command::Help),
                f if VALUED.iter().any(|(name, _)| *name == f) => {
                    let v = inline
                        .or_else(|| args.next())
                        .ok_or_else(|| format!("{f} needs a value"))?;
                    given.push((flag, v));
                }
                other => return Err(format!("unknown argument {other:?}")),
            }
        }
        // Environment fallbacks for flags not given at all.
        for (flag, var) in VALUED {
            if given.iter().any(|(f, _)| f == flag) {
                continue;
            }
            if let Some(v) = env(var).filter(|v| !v.is_empty()) {
                if *flag == "--allow-origin" {
                    for origin in v.split(',').map(str::trim).filter(|o| !o.is_empty()) {
                        given.push((flag.to_string(), origin.to_string()));
                    }
                } else {
                    given.push((flag.to_string(), v));
                }
            }
        }
        let on = |var: &str| matches!(env(var).as_deref(), Some("1" | "true"));
        dev = dev || on("GRPC_WEB_SERVER_DEV");
        interop = interop || dev || on("GRPC_WEB_SERVER_INTEROP");

        let mut config = Config {
            dev,
            interop,
            ..Config::default()
        };
        let (mut cert, mut key) = (None, None);
        for (flag, v) in given {
            match flag.as_str() {
                "--listen" => {
                    config.listen = v
                        .parse()
                        .map_err(|e| format!("--listen {v:?}: {e} (want IP:PORT)"))?;
                }
                "--allow-origin" => {
                    validate_origin(&v)?;
                    config.allowed_origins.push(v);
                }
                "--static-dir" => config.static_dir = Some(PathBuf::from(v)),
                "--tls-cert" => cert = Some(PathBuf::from(v)),
                "--tls-key" => key = Some(PathBuf::from(v)),
                "--auth-token" => {
                    validate_token(&v)?;
                    config.auth_token = Some(v);
                }
                "--max-message-size" => {
                    config.max_message_size = number(&flag, &v, 1..=(1 << 30))?;
                }
                "--max-concurrent-calls" => {
                    config.max_concurrent_calls = number(&flag, &v, 1..=1_000_000)?;
                }
                "--request-timeout" => {
                    config.request_timeout = Duration::from_secs(number(&flag, &v, 1..=86_400)?)
                }
                "--shutdown-grace" => {
                    config.shutdown_grace = Duration::from_secs(number(&flag, &v, 0..=3_600)?)
                }
                "--max-connections" => {
                    config.max_connections = number(&flag, &v, 1..=1_000_000)?;
                }
                "--idle-timeout" => {
                    config.idle_timeout = Duration::from_secs(number(&flag, &v, 1..=86_400)?)
                }
                "--write-timeout" => {
                    config.write_timeout = Duration::from_secs(number(&flag, &v, 1..=86_400)?)
                }
                "--store" => config.store = crate::store::StoreChoice::parse(&v)?,
                _ => unreachable!("every valued flag is handled"),
            }
        }
        config.tls = match (cert, key) {
            (Some(cert), Some(key)) => Some(TlsFiles { cert, key }),
            (None, None) => None,
            _ => return Err("--tls-cert and --tls-key go together".into()),
        };
        Ok(Command::Run(Box::new(config)))
    }
}

#[cfg(test)]
mod tests;
