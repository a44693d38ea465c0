//! What the HTTP benchmarks share: timing many clients, percentiles, and reading a process's
//! memory from /proc. Included by each bench with `#[path]`.

pub mod receiver;

use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

/// Throughput and latency of one measurement.
#[derive(Debug, Clone, Copy)]
pub struct Figures {
    pub rps: f64,
    pub p50: Duration,
    pub p99: Duration,
}

impl Figures {
    /// The figures of `latencies`, all completed within `elapsed`.
    pub fn of(latencies: &mut [Duration], elapsed: Duration) -> Self {
        latencies.sort_unstable();
        Self {
            rps: latencies.len() as f64 / elapsed.as_secs_f64(),
            p50: quantile(latencies, 0.50),
            p99: quantile(latencies, 0.99),
        }
    }
}

/// The `q` quantile of `sorted` (nearest rank, rounded down); zero when empty.
pub fn quantile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 * q) as usize).min(sorted.len() - 1)]
}

/// Runs `op` from `clients` threads for `seconds` (after a warm-up of a tenth of that) and
/// measures every call. `make(i)` builds client `i`'s operation.
pub fn drive<F>(clients: usize, seconds: u64, make: impl Fn(usize) -> F + Sync) -> Figures
where
    F: FnMut(),
{
    let start = Arc::new(Barrier::new(clients));
    let latencies = Mutex::new(Vec::new());
    let measured = Duration::from_secs(seconds);
    let warm_up = measured / 10;
    let began = Mutex::new(None);
    std::thread::scope(|scope| {
        for i in 0..clients {
            let (start, latencies, make, began) = (start.clone(), &latencies, &make, &began);
            scope.spawn(move || {
                let mut op = make(i);
                start.wait();
                let t0 = Instant::now();
                while t0.elapsed() < warm_up {
                    op();
                }
                began
                    .lock()
                    .expect("clock")
                    .get_or_insert_with(Instant::now);
                let mut own = Vec::new();
                let t1 = Instant::now();
                while t1.elapsed() < measured {
                    let t = Instant::now();
                    op();
                    own.push(t.elapsed());
                }
                latencies.lock().expect("latencies").extend(own);
            });
        }
    });
    let mut all = latencies.into_inner().expect("latencies");
    Figures::of(&mut all, measured)
}

/// Milliseconds with two decimals.
pub fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

/// `VmHWM` (peak) and `VmRSS` (now) of a process, in MiB.
pub fn memory(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc status");
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

/// Resets a process's peak resident memory (`VmHWM`) to what it holds now, so that the next
/// reading tells the peak of what follows alone.
pub fn reset_peak(pid: u32) {
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").expect("reset the peak");
}

/// The query code secret the benchmarks give the hall (and their bare sides).
pub const QUERY_CODE_SECRET: &str = "a query code secret for the benchmark, 32+ bytes";

/// The environment a benchmark's `hall` runs with on top of `HallProcess::start`'s: the
/// production defaults but for the per-address rate limits, lifted since every client comes
/// from 127.0.0.1, and connections kept alive as nginx keeps them; a pool of `pool`
/// connections and request logs at `log`.
pub fn hall_env<'a>(pool: &'a str, log: &'a str) -> Vec<(&'static str, &'a str)> {
    vec![
        ("HALL_PUBLIC_RATE", "100000000"),
        ("HALL_LOGIN_RATE", "100000"),
        // The clients keep their connections, as nginx in front of the hall does.
        ("HALL_KEEP_ALIVE_SECONDS", "75"),
        ("HALL_DB_POOL_SIZE", pool),
        ("HALL_QUERY_CODE_SECRET", QUERY_CODE_SECRET),
        // The outbox's measurement delivers to a receiver on 127.0.0.1.
        ("HALL_WEBHOOK_ALLOW_PRIVATE", "true"),
        ("RUST_LOG", log),
        // The allocator's setting the Dockerfile ships with.
        ("MALLOC_ARENA_MAX", "2"),
    ]
}

/// pgbench on the database at `url` (initialised here at scale `scale`, one branch per
/// client so that `-N` clients do not queue on one row): the transactions per second of the
/// built-in script `script` (`-N`, simple update: three statements that write, one insert;
/// `-S`, select only: one indexed read) from `clients` clients for `seconds`.
pub fn pgbench(url: &str, script: &str, clients: usize, seconds: u64, scale: usize) -> f64 {
    let run = |args: &[&str]| {
        let output = std::process::Command::new("pgbench")
            .args(args)
            .arg(url)
            .output()
            .expect("pgbench (the PostgreSQL client tools)");
        let text = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(
            output.status.success(),
            "pgbench {args:?}: {text}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        text
    };
    run(&["-i", "-q", "-s", &scale.to_string()]);
    let (clients, seconds) = (clients.to_string(), seconds.to_string());
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .to_string();
    let report = run(&[script, "-n", "-c", &clients, "-j", &threads, "-T", &seconds]);
    report
        .lines()
        .find_map(|line| {
            line.strip_prefix("tps = ")
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|tps| tps.parse().ok())
        })
        .unwrap_or_else(|| panic!("no tps in pgbench's report: {report}"))
}
