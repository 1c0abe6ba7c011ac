//! `cargo bench --bench scale`: the release `ticketdesk` binary at scale, run as
//! whole processes beside the same work done through the engine's own shell
//! (the "floor"), in the same run, reported as ratios.
//!
//! - `-- --engine sqlite` (the default): a desk file beside the `sqlite3` shell.
//! - `-- --engine postgres`: a desk database beside `psql` on the same server:
//!   the one `TICKETDESK_BENCH_PG` (an admin URL) names, else a throwaway
//!   cluster with durable settings, stopped at the end.
//! - `TICKETDESK_BENCH_ROWS` or `-- --rows N` (default 1,000,000): tickets in
//!   the big database.
//! - `TICKETDESK_BENCH_REUSE=1`: keep the databases of an earlier run instead of
//!   importing again (on PostgreSQL, only on a named server).
//!
//! Generated files are cached in `<target dir>/bench-data/`; the report goes to
//! stdout and `<target dir>/bench-report.md` (`bench-report-postgres.md`),
//! progress to stderr.

mod data;
mod desk;
mod duplicates;
#[path = "../common/pg.rs"]
mod pg;
mod proc;
mod units;

use anyhow::{Context, Result, bail};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use data::{COMMON, Dataset, PREFIX, RARE, RARE_COUNT};
use desk::{Desk, Dialect, Timing, json_rows};
use proc::Sample;
use ticketdesk::store::Location;
use units::{mib, millis, minutes, seconds, thousands};

const BIN: &str = env!("CARGO_BIN_EXE_ticketdesk");
const DEFAULT_ROWS: usize = 1_000_000;
/// The small database: peak memory there and at full size should match.
const SMALL_ROWS: usize = 10_000;
/// Timed runs per query, after one warm-up run.
const RUNS: usize = 7;
/// Peak RSS at full size may exceed the small database's by this factor.
const RSS_GROWTH_LIMIT: f64 = 1.25;
const COLUMNS: &str = "id, title, description, category, priority, status, created_at, updated_at";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).is_some_and(|a| a == proc::SPAWN_ARG) {
        proc::spawner_main(&args[2..]);
    }
    if let Err(e) = options(&args[1..]).and_then(|(dialect, rows)| run(dialect, rows)) {
        eprintln!("[scale] failed: {e:#}");
        std::process::exit(1);
    }
}

/// `--engine sqlite|postgres` and `--rows N`; anything else (cargo adds
/// `--bench`) is left alone.
fn options(args: &[String]) -> Result<(Dialect, usize)> {
    let (mut dialect, mut rows) = (Dialect::Sqlite, None);
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--engine" => {
                dialect = match args.next().map(String::as_str) {
                    Some("sqlite") => Dialect::Sqlite,
                    Some("postgres") => Dialect::Postgres,
                    other => bail!("--engine takes sqlite or postgres, not {other:?}"),
                }
            }
            "--rows" => rows = Some(parse_rows("--rows", args.next().map_or("", String::as_str))?),
            _ => {}
        }
    }
    let rows = match (rows, std::env::var("TICKETDESK_BENCH_ROWS")) {
        (Some(rows), _) => rows,
        (None, Ok(v)) => parse_rows("TICKETDESK_BENCH_ROWS", &v)?,
        (None, Err(_)) => DEFAULT_ROWS,
    };
    Ok((dialect, rows))
}

fn parse_rows(name: &str, text: &str) -> Result<usize> {
    text.replace('_', "").parse().with_context(|| format!("{name}={text:?}"))
}

/// The floor shell's version, or the end of the run when it is missing.
fn shell_version(dialect: Dialect) -> String {
    let (program, arg) = match dialect {
        Dialect::Sqlite => ("sqlite3".to_string(), "-version"),
        Dialect::Postgres => (pg::psql_program(), "--version"),
    };
    match Command::new(program).arg(arg).output() {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).trim().to_string(),
        _ => {
            let what = match dialect {
                Dialect::Sqlite => "the sqlite3 command-line shell",
                Dialect::Postgres => "psql (PostgreSQL's client)",
            };
            eprintln!("scale: {what} is not on PATH; install it to run this benchmark");
            std::process::exit(1);
        }
    }
}

fn run(dialect: Dialect, rows: usize) -> Result<()> {
    let started = Instant::now();
    let load_at_start = load_average();
    let mut floor_version = shell_version(dialect);
    let reuse = std::env::var("TICKETDESK_BENCH_REUSE").is_ok_and(|v| v == "1");
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    let data_dir = target.join("bench-data");

    let big_set = data::ensure_dataset(&data_dir, rows)?;
    let small_set = data::ensure_dataset(&data_dir, SMALL_ROWS)?;
    // Dropped as the run ends, however it ends: a cluster started here stops.
    let server = match dialect {
        Dialect::Sqlite => None,
        Dialect::Postgres => Some(pg::Server::get()?),
    };
    if let Some(server) = &server {
        floor_version = format!("{floor_version}, server {}", server.version()?);
    }
    let big = Desk::build(&big_set, &data_dir, reuse, server.as_ref())?;
    let small = Desk::build(&small_set, &data_dir, reuse, server.as_ref())?;
    // Imports leave gigabytes for the kernel to write back; queries timed
    // while that runs would measure the disk, not the query.
    Command::new("sync").status().context("cannot run sync")?;

    // What a child that uses almost nothing reports: the spawner's own share.
    let baseline = proc::measure("true", &[], None, &big.dir.join("stderr.log"))?.rss_kib;
    let mut warnings = Vec::new();
    for desk in [&small, &big] {
        check_results(desk, &mut warnings)?;
    }

    let mut table = Vec::new();
    if let Some((td, floor)) = big.import {
        table.push(import_row(format!("import {} rows", thousands(rows)), rows, td, floor));
        if let Some(held) = big.held_import {
            let label = format!("import {} rows, desk held open by a reader (WAL)", thousands(rows));
            table.push(import_row(label, rows, held, floor));
        }
    } else {
        table.push(Row::new(format!("import {} rows", thousands(rows)), "reused", "reused", "—", "—", "—"));
    }
    let queries = queries(dialect);
    let start_up = big.start_up()?;
    let mut memory = Vec::new();
    for query in &queries {
        let (td, floor) = big.time(query)?;
        table.push(query.row(&td, &floor, &start_up));
        if query.memory {
            let (small_td, small_floor) = small.time(query)?;
            memory.push(rss_row(query, rows, (&small_td, &td), (&small_floor, &floor)));
        }
    }
    table.extend(memory);
    table.push(duplicates::row(&Location::parse(&big.td)?, rows)?);

    let notes = Notes {
        floor_version,
        baseline_rss_kib: baseline,
        load_at_start,
        start_up,
        elapsed: started.elapsed(),
    };
    let report = render(&big_set, &big, &small, &notes, &table, &warnings);
    print!("{report}");
    let name = match dialect {
        Dialect::Sqlite => "bench-report.md",
        Dialect::Postgres => "bench-report-postgres.md",
    };
    let path = target.join(name);
    fs::write(&path, &report).with_context(|| format!("cannot write {}", path.display()))?;
    eprintln!("[scale] done in {}; report in {}", minutes(notes.elapsed), path.display());
    Ok(())
}

#[derive(Clone, Copy)]
enum Goal {
    /// ticketdesk time / floor time at most this.
    AtMost(f64),
    /// floor time / ticketdesk time at least this.
    FasterBy(f64),
}

struct Query {
    label: String,
    td: Vec<String>,
    sql: String,
    goal: Goal,
    /// Also compare peak RSS on the small database.
    memory: bool,
}

impl Query {
    /// The goal is judged on whole processes; the ratio also says how the
    /// work past each program's start-up compares, where that is the goal.
    fn row(&self, td: &Timing, floor: &Timing, (td_start, floor_start): &(Timing, Timing)) -> Row {
        let ratio = td.median.as_secs_f64() / floor.median.as_secs_f64();
        let past_start_up = td.median.saturating_sub(td_start.median).as_secs_f64()
            / floor.median.saturating_sub(floor_start.median).as_secs_f64().max(1e-6);
        let (goal, ok) = match self.goal {
            Goal::AtMost(limit) => (format!("≤ {limit}×"), ratio <= limit),
            Goal::FasterBy(factor) => (format!("≥ {factor}× faster"), ratio * factor <= 1.0),
        };
        let ratio = match self.goal {
            _ if ratio < 1.0 => format!("{ratio:.2}× ({:.1}× faster)", 1.0 / ratio),
            Goal::AtMost(_) => format!("{ratio:.2}× ({past_start_up:.2}× past start-up)"),
            Goal::FasterBy(_) => format!("{ratio:.2}×"),
        };
        Row::new(&self.label, millis(td.median), millis(floor.median), ratio, goal, yes_no(ok))
    }
}

fn queries(dialect: Dialect) -> Vec<Query> {
    let order = "ORDER BY created_at DESC, id DESC LIMIT 50";
    let mut list = vec![Query {
        label: "list --category billing --status open".into(),
        td: words("list --category billing --status open --json"),
        sql: format!("SELECT {COLUMNS} FROM tickets WHERE category = 'billing' AND status = 'open' {order}"),
        goal: Goal::AtMost(1.5),
        memory: true,
    }];
    for (word, goal) in
        [(RARE, Goal::FasterBy(20.0)), (COMMON, Goal::AtMost(1.5)), (PREFIX, Goal::AtMost(1.5))]
    {
        for category in [None, Some("billing")] {
            let (td, filter) = search_args(word, category, dialect);
            list.push(Query {
                label: td[..td.len() - 1].join(" "),
                td,
                sql: format!("SELECT {COLUMNS} FROM tickets WHERE {filter} {order}"),
                goal: dialect.search_goal(goal),
                memory: category.is_none() && word != PREFIX,
            });
        }
    }
    list.extend(query_language(dialect));
    list.push(Query {
        label: "stats --json".into(),
        td: words("stats --json"),
        sql: dialect.stats_sql().into(),
        goal: Goal::FasterBy(5.0),
        memory: true,
    });
    list
}

/// The query language's terms, each against the SQL one would write by hand
/// for it (LIKE for phrases and negated words): within 1.5× where that SQL
/// walks an index, at least 5× faster where it must scan.
fn query_language(dialect: Dialect) -> Vec<Query> {
    let refund = dialect.contains("refund");
    let credit_card = dialect.contains("credit card");
    let me = ticketdesk::actor::current();
    let now = time::OffsetDateTime::now_utc();
    // The data ends on 2026-11-01: an age that reaches into it.
    let days = (now - time::macros::datetime!(2026-11-01 0:00 UTC)).whole_days() + 10;
    let since = ticketdesk::domain::timestamp::format(now - time::Duration::days(days));
    let order = "ORDER BY created_at DESC, id DESC LIMIT 50";
    let cases: Vec<(String, String, Goal)> = vec![
        (
            "cat:billing pri:>=high st:open,in_progress".into(),
            "category = 'billing' AND priority IN ('high', 'critical') AND status IN ('open', 'in_progress')"
                .into(),
            Goal::AtMost(1.5),
        ),
        (
            "assignee:me -st:closed".into(),
            format!("assignee = '{me}' AND status <> 'closed'"),
            Goal::AtMost(1.5),
        ),
        (format!("age:<{days}d"), format!("created_at > '{since}'"), Goal::AtMost(1.5)),
        (
            "created:>=2026-06-01 created:<2026-06-02T12:00Z".into(),
            "created_at >= '2026-06-01T00:00:00.000Z' AND created_at < '2026-06-02T12:00:00.000Z'".into(),
            Goal::AtMost(1.5),
        ),
        ("#500000".into(), "id = 500000".into(), Goal::AtMost(1.5)),
        ("-st:closed -refund".into(), format!("status <> 'closed' AND NOT {refund}"), Goal::AtMost(1.5)),
        ("\"credit card\"".into(), credit_card.clone(), Goal::AtMost(1.5)),
        (
            "\"card declined\"".into(),
            dialect.contains("card declined"),
            dialect.search_goal(Goal::FasterBy(5.0)),
        ),
        (
            format!(
                "cat:billing pri:>=high st:open,in_progress assignee:me age:<{days}d \"credit card\" refund"
            ),
            format!(
                "category = 'billing' AND priority IN ('high', 'critical') AND status IN ('open', 'in_progress') \
                 AND assignee = '{me}' AND created_at > '{since}' \
                 AND {credit_card} AND {refund}"
            ),
            Goal::AtMost(1.5),
        ),
    ];
    cases
        .into_iter()
        .map(|(query, filter, goal)| Query {
            label: format!("list --query '{query}'"),
            td: vec!["list".into(), "--query".into(), query, "--json".into()],
            sql: format!("SELECT {COLUMNS} FROM tickets WHERE {filter} {order}"),
            goal,
            memory: false,
        })
        .collect()
}

/// ticketdesk's arguments for a search, and the floor's LIKE filter for it.
fn search_args(word: &str, category: Option<&str>, dialect: Dialect) -> (Vec<String>, String) {
    let mut td = words("list --search");
    td.push(word.into());
    let mut filter = dialect.contains(word);
    if let Some(category) = category {
        td.extend(["--category".into(), category.into()]);
        filter.push_str(&format!(" AND category = '{category}'"));
    }
    td.push("--json".into());
    (td, filter)
}

fn words(text: &str) -> Vec<String> {
    text.split_whitespace().map(String::from).collect()
}

/// Compares ticketdesk's answers with the floor's: search ids against the
/// floor's LIKE rows kept to word-start matches, list ids, and stats totals.
fn check_results(desk: &Desk, warnings: &mut Vec<String>) -> Result<()> {
    const WINDOW: usize = 5000;
    eprintln!("[scale] checking results against the floor ({} rows) ...", thousands(desk.rows));
    let mut warn = |message: String| {
        eprintln!("[scale] WARNING: {message}");
        warnings.push(message);
    };
    for word in [RARE, COMMON, PREFIX] {
        for category in [None, Some("billing")] {
            let (td_args, filter) = search_args(word, category, desk.dialect);
            let label = format!("{} rows: {}", thousands(desk.rows), td_args[..td_args.len() - 1].join(" "));
            let args: Vec<&str> = td_args.iter().map(String::as_str).collect();
            let td = ids(&json_rows(&proc::capture(BIN, &desk.td_args(&args))?)?);
            let sql = format!(
                "SELECT id, title, description FROM tickets WHERE {filter} \
                 ORDER BY created_at DESC, id DESC LIMIT {WINDOW}"
            );
            let rows = desk.floor_rows(&sql)?;
            let text = |row: &Value, key: &str| row[key].as_str().unwrap_or_default().to_string();
            let kept: Vec<Value> = rows
                .iter()
                .filter(|r| word_start(&text(r, "title"), word) || word_start(&text(r, "description"), word))
                .take(50)
                .cloned()
                .collect();
            if kept.len() < 50 && rows.len() == WINDOW {
                warn(format!(
                    "{label}: the floor's first {WINDOW} LIKE rows hold too few word-start matches to compare"
                ));
            } else if td != ids(&kept) {
                let first_diff = td.iter().zip(ids(&kept)).position(|(a, b)| *a != b);
                warn(format!(
                    "{label}: ticketdesk returned {} ids, the floor's word-start matches are {} (first difference at {:?})",
                    td.len(),
                    kept.len(),
                    first_diff
                ));
            }
            if word == RARE && category.is_none() && td.len() != RARE_COUNT {
                warn(format!("{label}: expected the {RARE_COUNT} planted tickets, got {}", td.len()));
            }
        }
    }
    for query in query_language(desk.dialect).iter().take(5) {
        let args: Vec<&str> = query.td.iter().map(String::as_str).collect();
        let td = ids(&json_rows(&proc::capture(BIN, &desk.td_args(&args))?)?);
        let floor = ids(&desk.floor_rows(&query.sql)?);
        if td != floor {
            warn(format!("{} rows: {}: ids differ from the floor's", thousands(desk.rows), query.label));
        }
    }
    let list = queries(desk.dialect).swap_remove(0);
    let args: Vec<&str> = list.td.iter().map(String::as_str).collect();
    let td = ids(&json_rows(&proc::capture(BIN, &desk.td_args(&args))?)?);
    let floor = ids(&desk.floor_rows(&list.sql)?);
    if td != floor || td.len() != 50 {
        warn(format!("{} rows: {}: ids differ from the floor's", thousands(desk.rows), list.label));
    }
    let stats: Value = serde_json::from_str(&proc::capture(BIN, &desk.td_args(&["stats", "--json"]))?)?;
    let sql = "SELECT 'total' AS k, count(*) AS n FROM tickets UNION ALL \
               SELECT 'open', count(*) FROM tickets WHERE status = 'open' UNION ALL \
               SELECT priority, count(*) FROM tickets GROUP BY priority UNION ALL \
               SELECT category, count(*) FROM tickets GROUP BY category";
    let floor: BTreeMap<String, u64> = desk
        .floor_rows(sql)?
        .iter()
        .map(|r| (r["k"].as_str().unwrap_or_default().to_string(), r["n"].as_u64().unwrap_or(0)))
        .collect();
    for (key, floor_n) in &floor {
        let td_n = match key.as_str() {
            "total" => &stats["total_tickets"],
            "open" => &stats["open_tickets"],
            "low" | "medium" | "high" | "critical" => &stats["priority_breakdown"][key],
            _ => &stats["category_breakdown"][key],
        };
        if td_n.as_u64() != Some(*floor_n) {
            warn(format!("{} rows: stats {key}: ticketdesk {td_n}, floor {floor_n}", thousands(desk.rows)));
        }
    }
    Ok(())
}

/// The search rule for a plain term: some word starts with it, ignoring case.
fn word_start(text: &str, term: &str) -> bool {
    text.split(|c: char| !c.is_alphanumeric()).any(|w| w.to_lowercase().starts_with(term))
}

fn ids(rows: &[Value]) -> Vec<i64> {
    rows.iter().map(|r| r["id"].as_i64().unwrap_or(-1)).collect()
}

// ---- the report ----

struct Row([String; 6]);

impl Row {
    fn new(
        measure: impl Into<String>,
        td: impl Into<String>,
        floor: impl Into<String>,
        ratio: impl Into<String>,
        goal: impl Into<String>,
        ok: impl Into<String>,
    ) -> Row {
        Row([measure.into(), td.into(), floor.into(), ratio.into(), goal.into(), ok.into()])
    }
}

fn import_row(label: String, rows: usize, td: Sample, floor: Sample) -> Row {
    let cell = |s: Sample| {
        let rate = thousands((rows as f64 / s.wall.as_secs_f64()) as usize);
        format!("{} ({rate} rows/s), peak {}", seconds(s.wall), mib(s.rss_kib))
    };
    Row::new(
        label,
        cell(td),
        cell(floor),
        format!("{:.2}×", td.wall.as_secs_f64() / floor.wall.as_secs_f64()),
        "≤ 1.0× (no slower)",
        yes_no(td.wall <= floor.wall),
    )
}

fn rss_row(query: &Query, rows: usize, td: (&Timing, &Timing), floor: (&Timing, &Timing)) -> Row {
    let growth = td.1.peak_rss_kib as f64 / td.0.peak_rss_kib as f64;
    let pair =
        |(small, big): (&Timing, &Timing)| format!("{} → {}", mib(small.peak_rss_kib), mib(big.peak_rss_kib));
    Row::new(
        format!("peak RSS, {} → {} rows: {}", thousands(SMALL_ROWS), thousands(rows), query.label),
        pair(td),
        pair(floor),
        format!("{growth:.2}× growth"),
        format!("≤ {RSS_GROWTH_LIMIT}× growth"),
        yes_no(growth <= RSS_GROWTH_LIMIT),
    )
}

/// What the report says about the run besides the table.
struct Notes {
    /// The floor shell's version (and the server's).
    floor_version: String,
    baseline_rss_kib: u64,
    load_at_start: String,
    /// `--version` of (ticketdesk, the floor's shell).
    start_up: (Timing, Timing),
    elapsed: Duration,
}

/// The 1-minute load average: other work on the machine skews timings.
fn load_average() -> String {
    let text = fs::read_to_string("/proc/loadavg").unwrap_or_default();
    text.split_whitespace().next().unwrap_or("?").to_string()
}

fn render(
    set: &Dataset,
    big: &Desk,
    small: &Desk,
    notes: &Notes,
    table: &[Row],
    warnings: &[String],
) -> String {
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let (engine, shell, floor, stored) = match big.dialect {
        Dialect::Sqlite => (
            "",
            "sqlite3",
            "through the sqlite3 shell on the desk's own file (the same schema, indexes and WAL journal); the \
             twin floor.db serves only as the import's floor",
            "database files",
        ),
        Dialect::Postgres => (
            " on PostgreSQL",
            "psql",
            "through psql on the desk's own database (the same server, schema and indexes: `lower(..) LIKE` \
             for words and phrases walks the trigram indexes); the twin database serves only as the import's \
             floor, `\\copy` into a plain table, then the same indexes and ANALYZE",
            "databases",
        ),
    };
    let mut out = format!("# ticketdesk scale benchmark{engine} ({} tickets)\n\n", thousands(set.rows));
    out += &format!(
        "- data: {} tickets over 3 years, descriptions {:.1} words on average; \"{COMMON}\" in {} tickets ({:.1}%), \
         \"{RARE}\" in {RARE_COUNT}, prefix \"{PREFIX}\"; memory also measured at {} tickets\n",
        thousands(set.rows),
        set.avg_words,
        thousands(set.common_rows),
        100.0 * set.common_rows as f64 / set.rows as f64,
        thousands(small.rows),
    );
    out += &format!("- ticketdesk: `{BIN}`; floor: {}\n", notes.floor_version);
    out += &format!(
        "- whole processes, stdout discarded; queries: median of {RUNS} runs after one warm-up; {cpus} CPUs; \
         load average {} at start, {} at end\n",
        notes.load_at_start,
        load_average()
    );
    out += &format!("- each query's floor is its hand-written SQL {floor}\n");
    out += &format!(
        "- start-up alone (`--version`): ticketdesk {}, {shell} {}; \"past start-up\" compares what each spends \
         beyond it\n",
        millis(notes.start_up.0.median),
        millis(notes.start_up.1.median)
    );
    out += &format!(
        "- peak RSS is the child's ru_maxrss, which cannot read below the {} the measuring spawner itself holds \
         (what `true` reports)\n",
        mib(notes.baseline_rss_kib)
    );
    let (td_size, floor_size) = big.sizes_gib();
    out += &format!("- {stored}: ticketdesk {td_size:.2} GiB, floor {floor_size:.2} GiB\n");
    out += &format!("- bench run took {}\n\n", minutes(notes.elapsed));
    out += "| measure | ticketdesk | floor | ratio | goal | ok? |\n|---|---|---|---|---|---|\n";
    for Row(cells) in table {
        out += &format!("| {} |\n", cells.join(" | "));
    }
    if !warnings.is_empty() {
        out += "\n## Warnings\n\n";
        for warning in warnings {
            out += &format!("- {warning}\n");
        }
    }
    out
}

fn yes_no(ok: bool) -> &'static str {
    if ok { "yes" } else { "**no**" }
}
