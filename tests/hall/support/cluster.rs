//! A PostgreSQL server of a test's own, in a temporary folder on a free port, that the test
//! may stop and start again — the machine's shared server must never be stopped under the
//! other tests' feet — and, when a test needs one, a streaming replica of it.

use std::path::PathBuf;
use std::process::Command;

/// A private PostgreSQL cluster, removed when dropped.
#[derive(Debug)]
pub struct PrivateCluster {
    folder: PathBuf,
    port: u16,
    bin: PathBuf,
    /// PostgreSQL refuses to run as root: when the tests do, its programs run as `postgres`.
    as_postgres: bool,
}

/// The folder of the server's programs: `HALL_PG_BINDIR`, else the newest under
/// `/usr/lib/postgresql` (Debian's layout).
fn bindir() -> PathBuf {
    if let Ok(dir) = std::env::var("HALL_PG_BINDIR") {
        return PathBuf::from(dir);
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL's programs under /usr/lib/postgresql, or HALL_PG_BINDIR")
        .filter_map(|entry| entry.ok().map(|e| e.path().join("bin")))
        .filter(|bin| bin.join("pg_ctl").exists())
        .collect();
    versions.sort();
    versions
        .pop()
        .expect("a PostgreSQL installation with pg_ctl")
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| out.stdout.trim_ascii() == b"0")
}

impl PrivateCluster {
    /// Creates and starts a cluster with trust authentication for `postgres`.
    pub fn start() -> Self {
        let cluster = Self::folder();
        cluster.run(
            "initdb",
            &[
                "-D",
                &cluster.data().display().to_string(),
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        );
        cluster.resume();
        cluster
    }

    /// A streaming replica of `primary`: a copy of it by `pg_basebackup -R` (which writes
    /// the settings that make it follow the primary), started, read-only, replaying.
    pub fn replica_of(primary: &PrivateCluster) -> Self {
        let cluster = Self::folder();
        cluster.run(
            "pg_basebackup",
            &[
                "-h",
                "127.0.0.1",
                "-p",
                &primary.port.to_string(),
                "-U",
                "postgres",
                "-D",
                &cluster.data().display().to_string(),
                "-R",
                "-X",
                "stream",
                "--checkpoint=fast",
                "--no-sync",
            ],
        );
        cluster.resume();
        cluster
    }

    /// An empty folder of its own for a cluster, owned by whoever runs its programs.
    fn folder() -> Self {
        let folder =
            std::env::temp_dir().join(format!("hall-pg-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&folder).expect("cluster folder");
        let cluster = Self {
            port: super::free_port(),
            bin: bindir(),
            folder,
            as_postgres: is_root(),
        };
        if cluster.as_postgres {
            let status = Command::new("chown")
                .args(["postgres:postgres"])
                .arg(&cluster.folder)
                .status()
                .expect("chown");
            assert!(status.success(), "chown the cluster folder to postgres");
        }
        cluster
    }

    /// Runs SQL on its `postgres` database, over a connection of its own.
    pub fn execute(&self, sql: &str) {
        use diesel::connection::SimpleConnection;
        persistence::DatabaseUrl::parse(&self.url())
            .expect("valid URL")
            .establish()
            .unwrap_or_else(|e| panic!("cannot connect to {}: {e}", self.url()))
            .batch_execute(sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    fn data(&self) -> PathBuf {
        self.folder.join("data")
    }

    /// One of the server's programs, as `postgres` when the tests run as root.
    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(path);
            command
        } else {
            Command::new(path)
        }
    }

    fn run(&self, program: &str, args: &[&str]) {
        let out = self
            .command(program)
            .args(args)
            .current_dir(&self.folder)
            .output()
            .unwrap_or_else(|e| panic!("{program}: {e}"));
        assert!(
            out.status.success(),
            "{program} {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// The URL of its `postgres` database.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Starts the server again on the same port and data, waiting until it accepts.
    pub fn resume(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.folder.display()
        );
        let log = self.folder.join("server.log");
        self.run(
            "pg_ctl",
            &[
                "-D",
                &self.data().display().to_string(),
                "-o",
                &options,
                "-l",
                &log.display().to_string(),
                "-w",
                "start",
            ],
        );
    }

    /// Stops the server at once, cutting every connection (`-m fast`).
    pub fn stop(&self) {
        self.run(
            "pg_ctl",
            &[
                "-D",
                &self.data().display().to_string(),
                "-m",
                "fast",
                "-w",
                "stop",
            ],
        );
    }
}

impl Drop for PrivateCluster {
    fn drop(&mut self) {
        let data = self.data().display().to_string();
        let _ = self
            .command("pg_ctl")
            .args(["-D", &data, "-m", "immediate", "-w", "stop"])
            .output();
        let _ = std::fs::remove_dir_all(&self.folder);
    }
}
