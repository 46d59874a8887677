//! Command-line flags. `--listen` and `--dev` are relied on by tools (xtask, CI):
//! keep their spelling and meaning stable.

use std::net::SocketAddr;
use std::path::PathBuf;

/// How the server was asked to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Address to bind; port 0 picks a free port (the chosen one is printed).
    pub listen: SocketAddr,
    /// Development mode: CORS also admits any `http://localhost:*` / `http://127.0.0.1:*` origin.
    pub dev: bool,
    /// Origins admitted by CORS in every mode, exactly as browsers send them.
    pub allowed_origins: Vec<String>,
    /// A directory of static files (the built demo UI) served for non-gRPC paths.
    pub static_dir: Option<PathBuf>,
}

/// Usage text printed for `--help` and after a flag error.
pub const USAGE: &str = "\
usage: server [--listen ADDR] [--dev] [--allow-origin ORIGIN]... [--static-dir DIR]

  --listen ADDR          address to bind (default 127.0.0.1:50051; port 0 = any free port)
  --dev                  admit http://localhost:* and http://127.0.0.1:* origins (CORS)
  --allow-origin ORIGIN  admit this exact origin (CORS), e.g. https://app.example.com
  --static-dir DIR       serve files from DIR for paths that are not gRPC methods";

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 50051)),
            dev: false,
            allowed_origins: Vec::new(),
            static_dir: None,
        }
    }
}

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    /// Run the server.
    Run(Config),
    /// Print [`USAGE`] and exit.
    Help,
}

impl Config {
    /// Parses the arguments that follow the program name.
    pub fn parse<I: IntoIterator<Item = String>>(args: I) -> Result<Command, String> {
        let mut config = Config::default();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let (flag, inline) = match arg.split_once('=') {
                Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
                _ => (arg, None),
            };
            let mut value = |name: &str| {
                inline
                    .clone()
                    .or_else(|| args.next())
                    .ok_or_else(|| format!("{name} needs a value"))
            };
            match flag.as_str() {
                "--listen" => {
                    let v = value("--listen")?;
                    config.listen = v
                        .parse()
                        .map_err(|e| format!("--listen {v:?}: {e} (want IP:PORT)"))?;
                }
                "--dev" => config.dev = true,
                "--allow-origin" => {
                    let v = value("--allow-origin")?;
                    validate_origin(&v)?;
                    config.allowed_origins.push(v);
                }
                "--static-dir" => config.static_dir = Some(PathBuf::from(value("--static-dir")?)),
                "-h" | "--help" => return Ok(Command::Help),
                other => return Err(format!("unknown argument {other:?}")),
            }
        }
        Ok(Command::Run(config))
    }
}

/// An origin is `scheme://host[:port]` with nothing after it; browsers never send more,
/// so anything else here is a configuration mistake that would silently never match.
fn validate_origin(origin: &str) -> Result<(), String> {
    let rest = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
        .ok_or_else(|| format!("--allow-origin {origin:?}: must start with http:// or https://"))?;
    let ok = !rest.is_empty()
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "--allow-origin {origin:?}: want scheme://host[:port], with no path or wildcard"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Command, String> {
        Config::parse(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn defaults_bind_loopback_and_are_not_dev() {
        let Command::Run(c) = parse(&[]).unwrap() else {
            panic!("expected run")
        };
        assert_eq!(c.listen.to_string(), "127.0.0.1:50051");
        assert!(!c.dev);
        assert!(c.allowed_origins.is_empty());
    }

    #[test]
    fn flags_in_both_spellings() {
        let Command::Run(c) = parse(&[
            "--listen",
            "127.0.0.1:0",
            "--dev",
            "--allow-origin=https://app.example.com",
            "--static-dir",
            "dist",
        ])
        .unwrap() else {
            panic!("expected run")
        };
        assert_eq!(c.listen.port(), 0);
        assert!(c.dev);
        assert_eq!(c.allowed_origins, ["https://app.example.com"]);
        assert_eq!(c.static_dir.as_deref(), Some(std::path::Path::new("dist")));
    }

    #[test]
    fn rejects_bad_input() {
        assert!(parse(&["--listen", "localhost"]).is_err());
        assert!(parse(&["--listen"]).is_err());
        assert!(parse(&["--allow-origin", "*"]).is_err());
        assert!(parse(&["--allow-origin", "https://a.example/path"]).is_err());
        assert!(parse(&["--bogus"]).is_err());
        assert_eq!(parse(&["--help"]), Ok(Command::Help));
    }
}
