//! A fleet of demo servers: N replicas on loopback ports behind nginx (Debian's), configured
//! from `xtask/fleet/nginx.conf`, sharing users and chat through a redis-server of their
//! own (`--store redis://...`). Replicas can be killed (SIGKILL) and restarted (SIGTERM,
//! then started again on the same port) while it runs, directly or through a small control
//! endpoint that the browser tests call. Everything stops when the fleet is dropped.

mod control;

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::redis::RedisServer;
use crate::server::Server;
use crate::ui::note;

pub use control::Control;

/// One replica: its port (kept across restarts, since nginx names it) and its process.
struct Replica {
    port: u16,
    server: Option<Server>,
}

/// The replicas, shared with the control endpoint.
#[derive(Clone)]
pub struct Replicas {
    binary: PathBuf,
    /// The shared store every replica uses (`--store`).
    store: String,
    all: Arc<Mutex<Vec<Replica>>>,
    /// Restarts still under way, joined when the fleet stops.
    restarts: Arc<Mutex<Vec<std::thread::JoinHandle<()>>>>,
    /// Set once the fleet stops: a restart that ends after it stops its replica again.
    stopped: Arc<std::sync::atomic::AtomicBool>,
}

impl Replicas {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Replica>> {
        self.all.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Kills replica `i` with SIGKILL, as a crash would.
    pub fn kill(&self, i: usize) -> crate::Result {
        let server = self
            .lock()
            .get_mut(i)
            .ok_or("no such replica")?
            .server
            .take();
        drop(server.ok_or("that replica is not running")?);
        note(format!("fleet: replica {i} killed"));
        Ok(())
    }

    /// Restarts replica `i` on a thread of its own, which the fleet joins when it stops.
    pub fn restart_in_background(&self, i: usize) {
        if self.stopped.load(std::sync::atomic::Ordering::SeqCst) {
            return;
        }
        let replicas = self.clone();
        let handle = std::thread::spawn(move || {
            if let Err(e) = replicas.restart(i) {
                note(format!("fleet: restart of replica {i} failed: {e}"));
            }
        });
        self.restarts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(handle);
    }

    /// Stops every replica, after any restart under way.
    fn stop(&self) {
        self.stopped
            .store(true, std::sync::atomic::Ordering::SeqCst);
        let restarts =
            std::mem::take(&mut *self.restarts.lock().unwrap_or_else(|e| e.into_inner()));
        for handle in restarts {
            let _ = handle.join();
        }
        let servers: Vec<Option<Server>> =
            self.lock().iter_mut().map(|r| r.server.take()).collect();
        drop(servers);
    }

    /// Whether replica `i` runs.
    pub fn running(&self, i: usize) -> bool {
        self.lock().get(i).is_some_and(|r| r.server.is_some())
    }

    /// Stops replica `i` with SIGTERM (it drains), then starts it again on its port.
    pub fn restart(&self, i: usize) -> crate::Result {
        let (port, server) = {
            let mut all = self.lock();
            let r = all.get_mut(i).ok_or("no such replica")?;
            (r.port, r.server.take())
        };
        if let Some(mut server) = server {
            server.terminate(Duration::from_secs(15))?;
        }
        let started = start_replica(&self.binary, port, &self.store)?;
        if self.stopped.load(std::sync::atomic::Ordering::SeqCst) {
            return Ok(()); // dropping `started` stops it
        }
        self.lock()[i].server = Some(started);
        note(format!("fleet: replica {i} restarted on port {port}"));
        Ok(())
    }
}

fn start_replica(binary: &Path, port: u16, store: &str) -> crate::Result<Server> {
    let listen = format!("127.0.0.1:{port}");
    Server::start(binary, &["--listen", &listen, "--dev", "--store", store])
}

/// nginx, its replicas, and their Redis.
pub struct Fleet {
    /// The load balancer's base URL.
    pub url: String,
    /// Each replica's own base URL, in order.
    pub replica_urls: Vec<String>,
    /// The replicas, to kill and restart.
    pub replicas: Replicas,
    nginx: Child,
    /// Stopped last, after the replicas.
    _redis: RedisServer,
}

impl Fleet {
    /// Starts `count` replicas of the server `binary` and nginx in front of them.
    pub fn start(binary: &Path, count: usize) -> crate::Result<Fleet> {
        let redis = RedisServer::start()?;
        let mut all = Vec::new();
        for _ in 0..count {
            let server = start_replica(binary, 0, &redis.url)?;
            let port = port_of(&server.url)?;
            all.push(Replica {
                port,
                server: Some(server),
            });
        }
        let replicas = Replicas {
            binary: binary.to_owned(),
            store: redis.url.clone(),
            all: Arc::new(Mutex::new(all)),
            restarts: Arc::default(),
            stopped: Arc::default(),
        };
        let ports: Vec<u16> = replicas.lock().iter().map(|r| r.port).collect();
        let listen = free_port()?;
        // A directory per fleet, so two (a test run and `cargo xtask fleet`) can coexist.
        let prefix = crate::root().join(format!("target/xtask/fleet/{listen}"));
        std::fs::create_dir_all(&prefix).map_err(|e| format!("{}: {e}", prefix.display()))?;
        let conf = prefix.join("nginx.conf");
        std::fs::write(&conf, nginx_conf(&prefix, listen, &ports)?)
            .map_err(|e| format!("{}: {e}", conf.display()))?;
        let nginx = tools_nginx()?;
        let mut cmd = Command::new(&nginx);
        cmd.arg("-p")
            .arg(&prefix)
            .arg("-c")
            .arg(&conf)
            .stdout(Stdio::null());
        note(format!("$ {}", crate::process::show(&cmd)));
        let child = cmd
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", nginx.display()))?;
        let fleet = Fleet {
            url: format!("http://127.0.0.1:{listen}"),
            replica_urls: ports
                .iter()
                .map(|p| format!("http://127.0.0.1:{p}"))
                .collect(),
            replicas,
            nginx: child,
            _redis: redis,
        };
        wait_listening(listen, Duration::from_secs(10))?;
        note(format!(
            "fleet: nginx on {} over ports {ports:?}",
            fleet.url
        ));
        Ok(fleet)
    }
}

impl Drop for Fleet {
    fn drop(&mut self) {
        let _ = self.nginx.kill();
        let _ = self.nginx.wait();
        // Not left to the last clone of `replicas`: the control endpoint's thread may hold
        // one until after xtask exits.
        self.replicas.stop();
    }
}

/// The config from the template in the repo, for nginx on `listen` over `ports`.
fn nginx_conf(prefix: &Path, listen: u16, ports: &[u16]) -> crate::Result<String> {
    let template = crate::root().join("xtask/fleet/nginx.conf");
    let text =
        std::fs::read_to_string(&template).map_err(|e| format!("{}: {e}", template.display()))?;
    let upstreams: String = ports
        .iter()
        .map(|p| format!("        server 127.0.0.1:{p} max_fails=1 fail_timeout=2s;\n"))
        .collect();
    Ok(text
        .replace("{{PREFIX}}", &prefix.to_string_lossy())
        .replace("{{LISTEN}}", &format!("127.0.0.1:{listen}"))
        .replace("{{UPSTREAMS}}\n", &upstreams))
}

/// Debian's nginx, installed if missing.
fn tools_nginx() -> crate::Result<PathBuf> {
    let find = || {
        crate::tools::which("nginx").or_else(|| {
            let sbin = PathBuf::from("/usr/sbin/nginx");
            sbin.exists().then_some(sbin)
        })
    };
    if let Some(path) = find() {
        return Ok(path);
    }
    crate::tools::apt_install(&["nginx-light"])?;
    find().ok_or_else(|| "nginx is not installed after apt-get install nginx-light".into())
}

fn port_of(url: &str) -> crate::Result<u16> {
    url.rsplit(':')
        .next()
        .and_then(|p| p.trim_end_matches('/').parse().ok())
        .ok_or_else(|| format!("no port in {url}"))
}

/// A port the OS just handed out, closed again for nginx to bind.
fn free_port() -> crate::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(listener.local_addr().map_err(|e| e.to_string())?.port())
}

fn wait_listening(port: u16, limit: Duration) -> crate::Result {
    let start = Instant::now();
    while start.elapsed() < limit {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(format!(
        "nginx did not listen on port {port} within {limit:?}"
    ))
}

/// `cargo xtask fleet [--replicas N]`: runs a fleet until Enter is pressed (or stdin ends).
pub fn run(args: &[String]) -> crate::Result {
    let count = match args {
        [] => 3,
        [flag, n] if flag == "--replicas" => n
            .parse()
            .ok()
            .filter(|n| (1..=16).contains(n))
            .ok_or("--replicas takes 1 to 16")?,
        _ => return Err("usage: cargo xtask fleet [--replicas N]".into()),
    };
    let env = crate::setup::ensure(crate::setup::Needs::default())?;
    crate::process::run(env.cargo_host().args(["build", "--package", "server"]))?;
    let binary = crate::host_target_dir().join("debug").join("server");
    let fleet = Fleet::start(&binary, count)?;
    let control = Control::start(fleet.replicas.clone())?;
    println!("fleet: {count} replicas behind nginx at {}", fleet.url);
    println!("replicas: {}", fleet.replica_urls.join(" "));
    println!(
        "control: GET {}/kill/N or {}/restart/N",
        control.url, control.url
    );
    println!("press Enter to stop");
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line);
    Ok(())
}
