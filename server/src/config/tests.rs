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
