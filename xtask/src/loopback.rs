//! A plain HTTP peer on a free loopback port, served by a background thread until dropped:
//! the misbehaving peer of the error-path tests and the fleet's control endpoint.

use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// A running peer; stops accepting when dropped.
pub struct Peer {
    /// Its base URL, `http://127.0.0.1:PORT`.
    pub url: String,
    stop: Arc<AtomicBool>,
}

impl Peer {
    /// Binds a free loopback port and hands each connection to `serve`, on a thread of its
    /// own so that a slow one holds up no other.
    pub fn start(serve: impl Fn(TcpStream) + Send + Sync + 'static) -> crate::Result<Peer> {
        let serve = Arc::new(serve);
        let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
        listener.set_nonblocking(true).map_err(|e| e.to_string())?;
        let url = format!(
            "http://{}",
            listener.local_addr().map_err(|e| e.to_string())?
        );
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        std::thread::spawn(move || {
            while !stopped.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let serve = serve.clone();
                        std::thread::spawn(move || serve(stream));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(20)),
                }
            }
        });
        Ok(Peer { url, stop })
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}
