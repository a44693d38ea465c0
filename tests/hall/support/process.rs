//! The `hall` binary run as its own process, configured by environment only, as in
//! production — so that a test can kill it with SIGKILL or stop it with SIGTERM.

use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use super::app::{ADMIN_PASSWORD, Client, DATA_KEY, JWT_SECRET};

/// A running `hall serve`, killed when dropped.
#[derive(Debug)]
pub struct HallProcess {
    child: Child,
    log: PathBuf,
    pub client: Client,
}

impl std::ops::Deref for HallProcess {
    type Target = Client;

    fn deref(&self) -> &Client {
        &self.client
    }
}

/// `HALL_BIN`, else the `hall` beside the test binary (`target/<profile>/hall`), which the
/// test command builds first.
pub fn hall_binary() -> PathBuf {
    if let Ok(path) = std::env::var("HALL_BIN") {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().expect("the test binary's path");
    let profile = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>/deps");
    let path = profile.join("hall");
    assert!(
        path.exists(),
        "{} is missing: build it first with `cargo build --bin hall` (scripts/test does)",
        path.display()
    );
    path
}

impl HallProcess {
    /// Starts `hall serve` over `database_url` with `env` added, and waits until it is ready.
    pub fn start(database_url: &str, env: &[(&str, &str)]) -> Self {
        let port = super::free_port();
        let bind = format!("127.0.0.1:{port}");
        let mut all = vec![
            ("HALL_DATABASE_URL", database_url),
            ("HALL_BIND", bind.as_str()),
            ("HALL_JWT_SECRET", JWT_SECRET),
            ("HALL_DATA_KEY", DATA_KEY),
            ("HALL_ADMIN_PASSWORD", ADMIN_PASSWORD),
            ("HALL_WORKERS", "2"),
            ("HALL_DB_TIMEOUT_SECONDS", "2"),
            ("RUST_LOG", "warn"),
        ];
        all.extend_from_slice(env);
        Self::start_with_exactly(port, &all)
    }

    /// Starts `hall serve` with exactly the environment `env` (later entries win), which
    /// must bind it to `port` on loopback, and waits until it is ready.
    pub fn start_with_exactly(port: u16, env: &[(&str, &str)]) -> Self {
        let log = std::env::temp_dir().join(format!("hall-{}.log", uuid::Uuid::now_v7().simple()));
        let log_file = std::fs::File::create(&log).expect("log file");
        let child = Command::new(hall_binary())
            .arg("serve")
            .env_clear()
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().expect("log file"))
            .stderr(log_file)
            .spawn()
            .expect("start hall");
        let mut process = Self {
            child,
            log,
            client: Client::new(&format!("http://127.0.0.1:{port}")),
        };
        process.wait_until_ready();
        process
    }

    fn wait_until_ready(&mut self) {
        let started = Instant::now();
        loop {
            if let Some(answer) = self.client.try_send("GET", "/readyz", None, &[], "")
                && answer.status == 200
            {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("hall exited with {status}: {}", self.log());
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "hall not ready within a minute: {}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// What the process wrote to stdout and stderr.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGKILL: no chance to finish anything.
    pub fn kill(&mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reap");
    }

    /// SIGTERM, then waits for the exit.
    pub fn terminate(&mut self) -> ExitStatus {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill -TERM");
        assert!(status.success());
        self.child.wait().expect("wait for hall")
    }

    /// The process id, for reading its memory from /proc.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for HallProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}
