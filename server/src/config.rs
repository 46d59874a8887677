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
mod tests {
    use super::*;

    fn parse_env(args: &[&str], env: &[(&str, &str)]) -> Result<Command, String> {
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::parse(args.iter().map(|s| s.to_string()), move |k| {
            env.iter()
                .find(|(name, _)| name == k)
                .map(|(_, v)| v.clone())
        })
    }

    fn parse(args: &[&str]) -> Result<Command, String> {
        parse_env(args, &[])
    }

    fn run(c: Result<Command, String>) -> Config {
        match c {
            Ok(Command::Run(c)) => *c,
            other => panic!("expected run, got {other:?}"),
        }
    }

    #[test]
    fn defaults_bind_loopback_and_are_not_dev() {
        let c = run(parse(&[]));
        assert_eq!(c.listen.to_string(), "127.0.0.1:50051");
        assert!(!c.dev);
        assert!(c.allowed_origins.is_empty());
        assert_eq!(c.max_message_size, 4 << 20);
        assert!(c.auth_token.is_none() && c.tls.is_none());
        assert!(!c.interop, "the interop service is opt-in");
        assert_eq!(c.max_connections, 4096);
    }

    #[test]
    fn interop_is_opt_in_and_dev_turns_it_on() {
        assert!(run(parse(&["--interop"])).interop);
        assert!(run(parse(&["--dev"])).interop);
        assert!(run(parse_env(&[], &[("GRPC_WEB_SERVER_INTEROP", "1")])).interop);
        let c = run(parse(&[
            "--max-connections=10",
            "--idle-timeout",
            "3",
            "--write-timeout=4",
        ]));
        assert_eq!(c.max_connections, 10);
        assert_eq!(c.idle_timeout, Duration::from_secs(3));
        assert_eq!(c.write_timeout, Duration::from_secs(4));
        assert!(parse(&["--idle-timeout", "0"]).is_err());
    }

    #[test]
    fn flags_in_both_spellings() {
        let c = run(parse(&[
            "--listen",
            "127.0.0.1:0",
            "--dev",
            "--allow-origin=https://app.example.com",
            "--static-dir",
            "dist",
            "--auth-token=s3cret",
            "--max-message-size",
            "1024",
            "--tls-cert=c.pem",
            "--tls-key=k.pem",
        ]));
        assert_eq!(c.listen.port(), 0);
        assert!(c.dev);
        assert_eq!(c.allowed_origins, ["https://app.example.com"]);
        assert_eq!(c.static_dir.as_deref(), Some(std::path::Path::new("dist")));
        assert_eq!(c.auth_token.as_deref(), Some("s3cret"));
        assert_eq!(c.max_message_size, 1024);
        assert_eq!(c.tls.unwrap().key, PathBuf::from("k.pem"));
    }

    #[test]
    fn environment_fills_in_and_flags_win() {
        let env = [
            ("GRPC_WEB_SERVER_LISTEN", "127.0.0.1:7000"),
            (
                "GRPC_WEB_SERVER_ALLOW_ORIGINS",
                "https://a.example, https://b.example",
            ),
            ("GRPC_WEB_SERVER_DEV", "1"),
            ("GRPC_WEB_SERVER_REQUEST_TIMEOUT", "7"),
        ];
        let c = run(parse_env(&[], &env));
        assert_eq!(c.listen.port(), 7000);
        assert!(c.dev);
        assert_eq!(
            c.allowed_origins,
            ["https://a.example", "https://b.example"]
        );
        assert_eq!(c.request_timeout, Duration::from_secs(7));
        let c = run(parse_env(&["--listen", "127.0.0.1:0"], &env));
        assert_eq!(c.listen.port(), 0);
    }

    #[test]
    fn rejects_bad_input() {
        assert!(parse(&["--listen", "localhost"]).is_err());
        assert!(parse(&["--listen"]).is_err());
        assert!(parse(&["--allow-origin", "*"]).is_err());
        assert!(parse(&["--allow-origin", "https://a.example/path"]).is_err());
        assert!(parse(&["--bogus"]).is_err());
        assert!(parse(&["--max-message-size", "0"]).is_err());
        assert!(parse(&["--max-message-size", "lots"]).is_err());
        assert!(parse(&["--auth-token", "two words"]).is_err());
        assert!(parse(&["--tls-cert", "c.pem"]).is_err());
        assert!(parse_env(&[], &[("GRPC_WEB_SERVER_ALLOW_ORIGINS", "*")]).is_err());
        assert_eq!(parse(&["--help"]), Ok(Command::Help));
    }
}
