//! Real nginx, configured by `deploy/nginx.conf`, in front of a `hall` process: the edge of
//! the documented deployment (`docker-compose.yml`), run as a child process.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::app::Client;

/// `NGINX_BIN`, else `nginx` on the `PATH`, else Debian's `/usr/sbin/nginx` (outside root's
/// `PATH`); `scripts/prerequisites` installs it.
fn nginx_binary() -> PathBuf {
    if let Ok(path) = std::env::var("NGINX_BIN") {
        return PathBuf::from(path);
    }
    let on_path = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .map(|dir| dir.join("nginx"))
        .find(|path| path.is_file());
    let path = on_path.unwrap_or_else(|| PathBuf::from("/usr/sbin/nginx"));
    assert!(
        path.is_file(),
        "nginx is missing: install it (Debian's `nginx`; scripts/prerequisites does) or set NGINX_BIN"
    );
    path
}

/// The `server` block of `deploy/nginx.conf` (with its `upstream`), sending to the one hall at
/// `upstream` (`host:port`) and listening on `listen` (`host:port`) instead of port 80.
fn deployed_server_block(upstream: &str, listen: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/nginx.conf");
    let deployed = std::fs::read_to_string(&path).expect("deploy/nginx.conf");
    let mut out = String::new();
    let (mut in_upstream, mut servers, mut listens) = (false, 0, 0);
    for line in deployed.lines() {
        let code = line.trim();
        if code.starts_with("upstream hall {") {
            in_upstream = true;
        } else if in_upstream && code == "}" {
            in_upstream = false;
        } else if in_upstream && code.starts_with("server ") {
            // The compose file's hall-1 and hall-2 become the test's one hall.
            servers += 1;
            if servers == 1 {
                out.push_str(&format!("    server {upstream};\n"));
            }
            continue;
        } else if code == "listen 80;" {
            listens += 1;
            out.push_str(&format!("    listen {listen};\n"));
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    assert!(
        servers > 0 && listens == 1,
        "deploy/nginx.conf no longer has `upstream hall {{ server …; }}` and one `listen 80;`:\n{deployed}"
    );
    out
}

/// A running nginx (master and one worker), stopped when dropped; its prefix, configuration
/// and logs live in a temporary folder of its own.
#[derive(Debug)]
pub struct Nginx {
    child: Child,
    dir: PathBuf,
    pub client: Client,
    /// `127.0.0.1:<port>`, for raw connections.
    pub address: String,
}

impl std::ops::Deref for Nginx {
    type Target = Client;

    fn deref(&self) -> &Client {
        &self.client
    }
}

impl Nginx {
    /// Starts nginx with `deploy/nginx.conf` in front of the hall at `upstream` (`host:port`),
    /// and waits until it answers `GET /healthz` with hall's 200.
    pub fn in_front_of(upstream: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("hall-nginx-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).expect("nginx's folder");
        let address = format!("127.0.0.1:{}", super::free_port());
        let at = |name: &str| dir.join(name).display().to_string();
        std::fs::write(
            dir.join("server.conf"),
            deployed_server_block(upstream, &address),
        )
        .expect("server.conf");
        // What the nginx image's own nginx.conf gives conf.d/default.conf: the MIME types and a
        // default type; everything else nginx writes goes into the folder.
        let main = format!(
            "daemon off;\n\
             master_process on;\n\
             worker_processes 1;\n\
             pid {pid};\n\
             error_log {error_log} info;\n\
             events {{ worker_connections 256; }}\n\
             http {{\n\
             \x20   include /etc/nginx/mime.types;\n\
             \x20   default_type application/octet-stream;\n\
             \x20   access_log {access_log};\n\
             \x20   client_body_temp_path {body};\n\
             \x20   proxy_temp_path {proxy};\n\
             \x20   fastcgi_temp_path {fastcgi};\n\
             \x20   uwsgi_temp_path {uwsgi};\n\
             \x20   scgi_temp_path {scgi};\n\
             \x20   include {server};\n\
             }}\n",
            pid = at("nginx.pid"),
            error_log = at("error.log"),
            access_log = at("access.log"),
            body = at("client_body"),
            proxy = at("proxy"),
            fastcgi = at("fastcgi"),
            uwsgi = at("uwsgi"),
            scgi = at("scgi"),
            server = at("server.conf"),
        );
        std::fs::write(dir.join("nginx.conf"), main).expect("nginx.conf");
        let output = std::fs::File::create(dir.join("output.log")).expect("output log");
        let child = Command::new(nginx_binary())
            .arg("-p")
            .arg(&dir)
            .arg("-e")
            .arg(dir.join("error.log"))
            .arg("-c")
            .arg(dir.join("nginx.conf"))
            .stdin(Stdio::null())
            .stdout(output.try_clone().expect("output log"))
            .stderr(output)
            .spawn()
            .expect("start nginx");
        let mut nginx = Self {
            child,
            dir,
            client: Client::new(&format!("http://{address}")),
            address,
        };
        nginx.wait_until_ready();
        nginx
    }

    fn wait_until_ready(&mut self) {
        let started = Instant::now();
        loop {
            if let Some(answer) = self.client.try_send("GET", "/healthz", None, &[], "")
                && answer.status == 200
            {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("nginx exited with {status}: {}", self.log());
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "nginx not answering within 30 s: {}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// What nginx wrote: its output and its error log.
    pub fn log(&self) -> String {
        let read = |name: &str| std::fs::read_to_string(self.dir.join(name)).unwrap_or_default();
        format!("{}{}", read("output.log"), read("error.log"))
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // SIGTERM: the master stops its workers, which a SIGKILL of the master would orphan.
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let started = Instant::now();
        while matches!(self.child.try_wait(), Ok(None)) {
            if started.elapsed() > Duration::from_secs(10) {
                let _ = self.child.kill();
                let _ = self.child.wait();
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
