//! Statistics at the scale of a province, on PostgreSQL: loads synthetic cases (default 10
//! million: 300 centres, 2,000 windows, 500 items, five years) with their statistics
//! deltas, then times summaries and breakdowns for periods from a day to five years, both
//! from the deltas (what `hall` serves) and by scanning the cases on each request (the naive
//! way), checks that both give the same figures, and prints a Markdown table.
//!
//! cargo bench -p tests --bench stats
//! BENCH_CASES=1000000 BENCH_RUNS=20 HALL_BENCH_URL=postgres://postgres@127.0.0.1/test cargo bench -p tests --bench stats

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Text};
use domain::ids::CenterId;
use domain::repository::{CenterRepository, StatsGroup, StatsQuery, StatsRepository};
use domain::stats::Counters;
use persistence::{AnyConnection, DatabaseUrl, Store, StoreOptions};

const FIRST_DAY: &str = "2021-01-01";
const DAYS: i64 = 1826;
/// The counters the synthetic events change; every other counter stays 0.
const SIMULATED: [&str; 7] = [
    "received",
    "immediate",
    "committed",
    "completed",
    "completed_on_time",
    "withdrawn",
    "overdue_open",
];

fn env<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn uuid_sql(kind: u32, expr: &str) -> String {
    // Valid UUID v7-shaped ids, so the repositories read them back.
    format!("'0000000{kind}-0000-7000-8000-' || lpad(({expr})::text, 12, '0')")
}

fn load(conn: &mut AnyConnection, cases: i64) {
    let center = |e: &str| uuid_sql(1, e);
    let window = |e: &str| uuid_sql(2, e);
    let item = |e: &str| uuid_sql(3, e);
    let department = |e: &str| uuid_sql(4, e);
    let user = |e: &str| uuid_sql(5, e);
    let case = |e: &str| uuid_sql(6, e);
    let sql = format!(
        r#"
        SET synchronous_commit = off;
        INSERT INTO centers SELECT {c}, 'P' || g, 'centre ' || g,
            CASE WHEN g = 0 THEN NULL WHEN g <= 14 THEN {c0} ELSE {cparent} END, true, now(), now()
          FROM generate_series(0, 299) g;
        INSERT INTO departments SELECT {d}, 'D' || g, 'department ' || g, true, now(), now() FROM generate_series(0, 49) g;
        INSERT INTO service_items SELECT {i}, 'I' || g, 'item ' || g, {idept},
            CASE WHEN g % 2 = 0 THEN 'licensing' ELSE 'non_licensing' END,
            CASE WHEN g % 5 = 0 THEN 'committed' ELSE 'immediate' END,
            20, CASE WHEN g % 5 = 0 THEN 10 ELSE 0 END, '', '[]', '[]', 0, '', '', '', '', '', '', '', 1, true, now(), now()
          FROM generate_series(0, 499) g;
        INSERT INTO windows SELECT {w}, {wcenter}, 1 + g / 285, 'window ' || g, 'permanent', true, now(), now()
          FROM generate_series(0, 1999) g;
        INSERT INTO users SELECT {u}, 'clerk' || g, 'clerk ' || g, 'x', 'clerk', {w}, true, 0, now(), now()
          FROM generate_series(0, 1999) g;
        INSERT INTO cases (id, case_no, region, center_id, window_id, item_id, department_id, handling, statutory_days,
                           status, applicant_kind, applicant_name, applicant_id_type, applicant_id_number, applicant_phone,
                           note, received_at, received_on, clock, deadline, completed_at, completed_on, on_time, outcome,
                           query_code_hash, accepted_by, version, updated_at, received_window_id, received_center_id, item_version)
        SELECT {k}, 'B-' || g, 'P' || (15 + w % 285), {kcenter}, {kwindow}, {kitem}, {kdept},
               CASE WHEN committed THEN 'committed' ELSE 'immediate' END, 20,
               CASE WHEN NOT committed THEN 'completed'
                    WHEN r < 10 THEN 'withdrawn'
                    WHEN day + 25 > date '{first}' + {days} THEN 'in_progress'
                    ELSE 'completed' END,
               'person', 'applicant', 'other', 'ID' || g, '13800000000', '',
               day + time '01:00', day,
               '{{"start":"' || day || '","promised_days":' || CASE WHEN committed THEN 10 ELSE 0 END || ',"pauses":[],"extensions":[]}}',
               CASE WHEN committed THEN day + 14 ELSE day END,
               CASE WHEN NOT committed THEN day + time '02:00'
                    WHEN r < 10 OR day + 25 > date '{first}' + {days} THEN NULL
                    ELSE day + (g % 20)::int + time '02:00' END,
               CASE WHEN NOT committed THEN day
                    WHEN r < 10 OR day + 25 > date '{first}' + {days} THEN NULL
                    ELSE day + (g % 20)::int END,
               CASE WHEN NOT committed THEN true
                    WHEN r < 10 OR day + 25 > date '{first}' + {days} THEN NULL
                    ELSE g % 20 <= 14 END,
               NULL, 'x', {kuser}, 2, day + (CASE WHEN r < 10 THEN 3 ELSE 0 END) + time '03:00', {kwindow}, {kcenter}, 1
          FROM (SELECT g, g % 2000 AS w, (g * 7) % 500 AS i, (g * 7) % 500 % 5 = 0 AS committed, (g * 7919) % 1000 AS r,
                       date '{first}' + (g % {days})::int AS day
                  FROM generate_series(0::bigint, {last}) g) s;
        "#,
        c = center("g"),
        c0 = center("0"),
        cparent = center("1 + g % 14"),
        d = department("g"),
        i = item("g"),
        idept = department("g % 50"),
        w = window("g"),
        wcenter = center("15 + g % 285"),
        u = user("g"),
        k = case("g"),
        kcenter = center("15 + w % 285"),
        kwindow = window("w"),
        kitem = item("i"),
        kdept = department("i % 50"),
        kuser = user("w"),
        first = FIRST_DAY,
        days = DAYS,
        last = cases - 1,
    );
    conn.batch_execute(&sql).expect("load cases");
    // The deltas of each case's events, as the live path adds them (domain::stats).
    let counters = Counters::COLUMNS.join(", ");
    let sums = |simulated_only: bool| {
        Counters::COLUMNS
            .map(|c| {
                if simulated_only && !SIMULATED.contains(&c) {
                    "0".to_owned()
                } else {
                    format!("sum({c})")
                }
            })
            .join(", ")
    };
    let deltas = format!(
        r#"
        CREATE TEMP TABLE deltas AS
          SELECT received_on, received_on AS effective_on, received_center_id AS c, received_window_id AS w, item_id AS i,
                 department_id AS d, accepted_by AS u, 1 AS received, (handling = 'immediate')::int AS immediate,
                 (handling = 'committed')::int AS committed, 0 AS completed, 0 AS completed_on_time, 0 AS withdrawn,
                 0 AS overdue_open, region AS rg FROM cases
          UNION ALL SELECT received_on, completed_on, {key_r}, 0, 0, 0, 1, on_time::int, 0, 0, region FROM cases WHERE completed_on IS NOT NULL
          UNION ALL SELECT received_on, (updated_at)::date, {key_r}, 0, 0, 0, 0, 0, 1, 0, region FROM cases WHERE status = 'withdrawn'
          UNION ALL SELECT received_on, deadline + 1, {key_r}, 0, 0, 0, 0, 0, 0, 1, region FROM cases
                     WHERE handling = 'committed' AND status <> 'withdrawn' AND (completed_on IS NULL OR completed_on > deadline)
          UNION ALL SELECT received_on, completed_on, {key_r}, 0, 0, 0, 0, 0, 0, -1, region FROM cases
                     WHERE handling = 'committed' AND completed_on > deadline;
        -- Keyed by region first, as the live path writes them.
        INSERT INTO case_stats (received_on, effective_on, center_id, window_id, item_id, department_id, clerk_id, {counters}, region)
          SELECT received_on, effective_on, c, w, i, d, u, {simulated}, rg
            FROM deltas GROUP BY 1, 2, 3, 4, 5, 6, 7, rg;
        DROP TABLE deltas;
        {rollups}
        INSERT INTO stats_month (dim, dim_id, received_month, effective_month, {counters}, region)
          SELECT dim, dim_id, date_trunc('month', received_on)::date, date_trunc('month', effective_on)::date, {sums}, region
            FROM stats_day GROUP BY 1, 2, 3, 4, region;
        INSERT INTO stats_year (dim, dim_id, received_year, effective_year, {counters}, region)
          SELECT dim, dim_id, date_trunc('year', received_month)::date, date_trunc('year', effective_month)::date, {sums}, region
            FROM stats_month GROUP BY 1, 2, 3, 4, region;
        ANALYZE;
        "#,
        key_r = "received_center_id, received_window_id, item_id, department_id, accepted_by",
        rollups = [("all", "''"), ("center", "center_id"), ("window", "window_id"), ("item", "item_id"), ("department", "department_id"), ("clerk", "clerk_id")]
            .iter()
            .map(|(dim, column)| format!(
                "INSERT INTO stats_day (dim, dim_id, received_on, effective_on, {counters}, region) \
                 SELECT '{dim}', {column}, received_on, effective_on, {sums}, region FROM case_stats GROUP BY 2, 3, 4, region;",
                sums = sums(false),
            ))
            .collect::<Vec<_>>()
            .join("\n"),
        simulated = sums(true),
        sums = sums(false),
    );
    conn.batch_execute(&deltas).expect("load deltas");
}

#[derive(QueryableByName)]
struct ScanRow {
    #[diesel(sql_type = Text)]
    grp: String,
    #[diesel(sql_type = BigInt)]
    received: i64,
    #[diesel(sql_type = BigInt)]
    immediate: i64,
    #[diesel(sql_type = BigInt)]
    committed: i64,
    #[diesel(sql_type = BigInt)]
    completed: i64,
    #[diesel(sql_type = BigInt)]
    on_time: i64,
    #[diesel(sql_type = BigInt)]
    withdrawn: i64,
    #[diesel(sql_type = BigInt)]
    overdue: i64,
}

/// The same figures by scanning the cases: the naive way.
fn scan(
    conn: &mut AnyConnection,
    query: &StatsQuery,
    group: Option<StatsGroup>,
) -> Vec<(String, Counters)> {
    let grp = match group {
        None => "''",
        Some(StatsGroup::Center) => "received_center_id",
        Some(StatsGroup::Item) => "item_id",
        Some(StatsGroup::Clerk) => "accepted_by",
        Some(StatsGroup::Month) | Some(StatsGroup::Day) => "CAST(received_on AS TEXT)",
        Some(other) => panic!("not measured: {other:?}"),
    };
    let centers = match &query.center_ids {
        Some(ids) => format!(
            " AND received_center_id IN ({})",
            ids.iter()
                .map(|c| format!("'{c}'"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        None => String::new(),
    };
    let sql = format!(
        "SELECT {grp} AS grp, count(*) AS received,
                count(*) FILTER (WHERE handling = 'immediate') AS immediate,
                count(*) FILTER (WHERE handling = 'committed') AS committed,
                count(*) FILTER (WHERE completed_on <= $3) AS completed,
                count(*) FILTER (WHERE completed_on <= $3 AND on_time) AS on_time,
                count(*) FILTER (WHERE status = 'withdrawn' AND updated_at::date <= $3) AS withdrawn,
                count(*) FILTER (WHERE handling = 'committed' AND deadline < $3
                                   AND (completed_on IS NULL OR completed_on > $3)
                                   AND NOT (status = 'withdrawn' AND updated_at::date <= $3)) AS overdue
           FROM cases WHERE received_on >= $1 AND received_on <= $2{centers}{group_by}",
        group_by = if group.is_some() { format!(" GROUP BY {grp}") } else { String::new() }
    );
    let rows: Vec<ScanRow> = diesel::sql_query(sql)
        .bind::<Date, _>(query.from)
        .bind::<Date, _>(query.to)
        .bind::<Date, _>(query.as_of)
        .load(conn)
        .expect("scan");
    rows.into_iter()
        .map(|r| {
            let counters = Counters {
                received: r.received,
                immediate: r.immediate,
                committed: r.committed,
                completed: r.completed,
                completed_on_time: r.on_time,
                withdrawn: r.withdrawn,
                overdue_open: r.overdue,
                ..Counters::default()
            };
            (r.grp, counters)
        })
        .collect()
}

fn normalised(
    mut rows: Vec<(String, Counters)>,
    group: Option<StatsGroup>,
) -> Vec<(String, Counters)> {
    if group == Some(StatsGroup::Month) {
        let mut months: std::collections::BTreeMap<String, Counters> = Default::default();
        for (key, counters) in rows {
            *months.entry(key.chars().take(7).collect()).or_default() += counters;
        }
        return months.into_iter().collect();
    }
    rows.retain(|(_, c)| *c != Counters::default());
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    rows
}

fn p95(mut times: Vec<Duration>) -> (Duration, Duration) {
    times.sort();
    let at = |q: f64| {
        times[((times.len() as f64 * q).ceil() as usize)
            .saturating_sub(1)
            .min(times.len() - 1)]
    };
    (at(0.5), at(0.95))
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

fn main() {
    let cases: i64 = env("BENCH_CASES", 10_000_000);
    let runs: usize = env("BENCH_RUNS", 20);
    let scan_runs: usize = env("BENCH_SCAN_RUNS", 5);
    let admin_url: String = env(
        "HALL_BENCH_URL",
        "postgres://postgres@127.0.0.1:5432/test".to_owned(),
    );
    let name = format!("hall_bench_{cases}");
    let base = &admin_url[..admin_url.rfind('/').expect("a database URL")];
    let url = format!("{base}/{name}");
    let mut admin = DatabaseUrl::parse(&admin_url)
        .expect("url")
        .establish()
        .expect("PostgreSQL");
    let exists = diesel::sql_query(format!(
        "SELECT 1 AS one FROM pg_database WHERE datname = '{name}'"
    ))
    .execute(&mut admin)
    .expect("look up")
        > 0;
    let store = Store::open(
        DatabaseUrl::parse(&url).expect("url"),
        &StoreOptions::default(),
    );
    if !exists || env("BENCH_RELOAD", false) {
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .expect("drop");
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create");
        store.migrate().expect("migrate");
        let started = Instant::now();
        store
            .read(|conn| {
                load(conn, cases);
                Ok::<_, domain::repository::RepositoryError>(())
            })
            .expect("load");
        eprintln!(
            "loaded {cases} cases in {:.0} s",
            started.elapsed().as_secs_f64()
        );
    } else {
        eprintln!("reusing {name} (BENCH_RELOAD=true to load anew)");
    }
    let day = |offset: i64| {
        NaiveDate::parse_from_str(FIRST_DAY, "%Y-%m-%d").expect("date")
            + chrono::Duration::days(offset)
    };
    let end = day(DAYS - 1);
    // Each ends on the last day of the data, a month's end, but one: a dashboard's default is
    // the year to today, and a period that ends mid-month reads its last days from the daily
    // rows.
    let periods: [(&str, NaiveDate, NaiveDate); 7] = [
        ("1 day", end, end),
        ("1 week", day(DAYS - 7), end),
        ("half a month, to the 15th", day(DAYS - 31), day(DAYS - 17)),
        ("1 month", day(DAYS - 31), end),
        ("1 quarter", day(DAYS - 92), end),
        ("1 year", day(DAYS - 365), end),
        ("5 years", day(0), end),
    ];
    let city: Vec<CenterId> = {
        let tree = store.read(|conn| conn.center_tree()).expect("tree");
        let root = tree
            .iter()
            .find(|(_, p)| p.is_none())
            .map(|(c, _)| *c)
            .expect("root");
        let first_city = tree
            .iter()
            .find(|(_, p)| *p == Some(root))
            .map(|(c, _)| *c)
            .expect("a city");
        domain::catalogue::subtree(first_city, &tree)
    };
    let shapes: [(&str, Option<StatsGroup>, bool); 6] = [
        ("summary", None, false),
        ("summary, one city", None, true),
        ("by centre", Some(StatsGroup::Center), false),
        ("by item", Some(StatsGroup::Item), false),
        ("by clerk", Some(StatsGroup::Clerk), false),
        ("by month", Some(StatsGroup::Month), false),
    ];
    println!(
        "| period | query | as of | deltas p50 ms | deltas p95 ms | scan p50 ms | scan p95 ms | scan / deltas (p95) |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    let mut worst = Duration::ZERO;
    for (period, from, to) in periods {
        for (shape, group, filtered) in shapes {
            for (as_of_name, as_of) in [
                ("period end", to),
                ("a month later", to + chrono::Duration::days(31)),
            ] {
                let query = StatsQuery {
                    from,
                    to,
                    as_of,
                    center_ids: filtered.then(|| city.clone()),
                    window_id: None,
                    department_id: None,
                    item_id: None,
                    basis: domain::stats::StatsBasis::Received,
                };
                let mut fast = Vec::with_capacity(runs);
                let mut answer = Vec::new();
                for _ in 0..runs {
                    let started = Instant::now();
                    answer = store.read(|conn| conn.stats(&query, group)).expect("stats");
                    fast.push(started.elapsed());
                }
                let mut slow = Vec::with_capacity(scan_runs);
                let mut scanned = Vec::new();
                for _ in 0..scan_runs {
                    let started = Instant::now();
                    scanned = store
                        .read(|conn| {
                            Ok::<_, domain::repository::RepositoryError>(scan(conn, &query, group))
                        })
                        .expect("scan");
                    slow.push(started.elapsed());
                }
                assert_eq!(
                    normalised(answer, group),
                    normalised(scanned, group),
                    "{period} {shape} {as_of_name}: the deltas and the scan disagree"
                );
                let (fast50, fast95) = p95(fast);
                let (slow50, slow95) = p95(slow);
                worst = worst.max(fast95);
                println!(
                    "| {period} | {shape} | {as_of_name} | {} | {} | {} | {} | {:.1}× |",
                    ms(fast50),
                    ms(fast95),
                    ms(slow50),
                    ms(slow95),
                    slow95.as_secs_f64() / fast95.as_secs_f64().max(1e-9)
                );
            }
        }
    }
    println!(
        "\nworst p95 from the deltas: {} ms ({cases} cases; every figure equal to the scan's)",
        ms(worst)
    );
}
