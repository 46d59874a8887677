//! The demo UI's static files served beside the API: compressed, cached by name, and
//! never in the way of a gRPC method.

use std::io::Read;
use std::path::PathBuf;

use crate::common::{Server, GRPC_WEB};
use crate::get_user;

#[test]
fn serves_static_files_beside_the_api() {
    let dir: PathBuf =
        std::env::temp_dir().join(format!("grpc-web-wasm-static-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), "<h1>demo</h1>").unwrap();
    let server = Server::start(&["--static-dir", dir.to_str().unwrap()]);
    let page = server.request("GET", "/", &[], b"");
    assert_eq!(page.status, 200);
    assert_eq!(page.body, b"<h1>demo</h1>");
    assert_eq!(server.request("GET", "/missing.js", &[], b"").status, 404);
    let api = get_user(&server, 2, &[]);
    assert!(String::from_utf8_lossy(&api.body).contains("Alan Turing"));
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The UI's files come gzipped to browsers that accept it, and cached by what they are:
/// trunk's content-hashed assets for a year without revalidation, `index.html` revalidated
/// on every load (so a new build shows at once).
#[test]
fn static_files_are_compressed_and_cached_by_name() {
    let dir: PathBuf =
        std::env::temp_dir().join(format!("grpc-web-wasm-assets-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let wasm: Vec<u8> = (0..64 * 1024).map(|i| (i % 251) as u8 / 4).collect();
    let wasm_name = "demo-app-0123456789abcdef_bg.wasm";
    std::fs::write(dir.join(wasm_name), &wasm).unwrap();
    let html = "<!doctype html><title>demo</title>".repeat(8);
    std::fs::write(dir.join("index.html"), &html).unwrap();
    let server = Server::start(&["--static-dir", dir.to_str().unwrap()]);
    let gzip = [("accept-encoding", "gzip, deflate, br")];

    let module = server.request("GET", &format!("/{wasm_name}"), &gzip, b"");
    assert_eq!(module.status, 200);
    assert_eq!(module.header("content-type"), Some("application/wasm"));
    assert_eq!(module.header("content-encoding"), Some("gzip"));
    assert!(
        module
            .header("vary")
            .unwrap_or("")
            .contains("accept-encoding"),
        "{:?}",
        module.header("vary")
    );
    assert_eq!(
        module.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    assert!(
        module.body.len() < wasm.len() / 2,
        "{} bytes",
        module.body.len()
    );
    let mut unzipped = Vec::new();
    flate2::read::GzDecoder::new(&module.body[..])
        .read_to_end(&mut unzipped)
        .unwrap();
    assert_eq!(unzipped, wasm);

    for path in ["/", "/index.html"] {
        let page = server.request("GET", path, &gzip, b"");
        assert_eq!(page.status, 200, "{path}");
        assert_eq!(page.header("cache-control"), Some("no-cache"), "{path}");
        assert_eq!(page.header("content-encoding"), Some("gzip"), "{path}");
    }
    // A client that accepts no encoding gets the bytes as they are.
    let plain = server.request("GET", &format!("/{wasm_name}"), &[], b"");
    assert_eq!(plain.header("content-encoding"), None);
    assert_eq!(plain.body, wasm);
    // A method no route serves is UNIMPLEMENTED, not the file server's 405.
    let unknown = server.request(
        "POST",
        "/grpc.testing.UnimplementedService/UnimplementedCall",
        GRPC_WEB,
        &[0, 0, 0, 0, 0],
    );
    assert_eq!(unknown.status, 200);
    assert_eq!(
        unknown.header("content-type"),
        Some("application/grpc-web+proto")
    );
    assert_eq!(unknown.header("grpc-status"), Some("12"));
    assert_eq!(
        unknown.header("grpc-message"),
        Some("unknown%20method%20/grpc.testing.UnimplementedService/UnimplementedCall")
    );
    // gRPC-Web replies are never compressed by HTTP: that would hold a stream's messages back.
    let api = get_user(&server, 2, &gzip);
    assert_eq!(api.header("content-encoding"), None);
    assert!(String::from_utf8_lossy(&api.body).contains("Alan Turing"));
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
