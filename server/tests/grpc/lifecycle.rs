//! How the process serves and stops: graceful shutdown ending open streams, and TLS.

use std::time::{Duration, Instant};

use proto::demo::v1::score_service_client::ScoreServiceClient;
use proto::demo::v1::user_service_client::UserServiceClient;
use proto::demo::v1::WatchScoresRequest;
use tonic::transport::Channel;
use tonic::Code;

use crate::common::Server;

#[tokio::test]
async fn shutdown_ends_open_streams_with_unavailable() {
    let mut server = Server::start(&["--shutdown-grace", "5"]);
    let mut scores = ScoreServiceClient::new(server.channel().await);
    let mut stream = scores
        .watch_scores(WatchScoresRequest {
            interval_ms: 50,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    stream.message().await.unwrap().unwrap();
    let pid = server.child.id().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    let end = loop {
        match stream.message().await {
            Ok(Some(_)) => continue,
            other => break other,
        }
    };
    let end = end.unwrap_err();
    assert_eq!(end.code(), Code::Unavailable, "{end:?}");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(started.elapsed() < Duration::from_secs(4), "did not exit");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(status.success(), "{status:?}");
}

#[tokio::test]
async fn serves_tls_when_given_a_certificate() {
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let dir = std::env::temp_dir().join(format!("grpc-web-wasm-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (cert_path, key_path) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert_path, cert.cert.pem()).unwrap();
    std::fs::write(&key_path, cert.key_pair.serialize_pem()).unwrap();
    let server = Server::start(&[
        "--tls-cert",
        cert_path.to_str().unwrap(),
        "--tls-key",
        key_path.to_str().unwrap(),
    ]);
    let port = server.addr.rsplit(':').next().unwrap();
    let tls = tonic::transport::ClientTlsConfig::new()
        .ca_certificate(tonic::transport::Certificate::from_pem(cert.cert.pem()))
        .domain_name("localhost");
    let channel = Channel::from_shared(format!("https://localhost:{port}"))
        .unwrap()
        .tls_config(tls)
        .unwrap()
        .connect()
        .await
        .expect("TLS handshake");
    let mut users = UserServiceClient::new(channel);
    let user = users
        .get_user(proto::demo::v1::UserRequest { user_id: 1 })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(user.name, "Ada Lovelace");
    // Plain h2c is refused on the TLS port.
    let plain = Channel::from_shared(server.url()).unwrap().connect().await;
    let refused = match plain {
        Err(_) => true,
        Ok(ch) => UserServiceClient::new(ch)
            .get_user(proto::demo::v1::UserRequest { user_id: 1 })
            .await
            .is_err(),
    };
    assert!(refused);
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
