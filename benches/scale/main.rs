//! `cargo bench --bench scale`: the release `ticketdesk` binary at scale, run as
//! whole processes beside the same work done through the `sqlite3` shell (the
//! "floor"), in the same run, reported as ratios.
//!
//! - `TICKETDESK_BENCH_ROWS` (default 1,000,000): tickets in the big database.
//! - `TICKETDESK_BENCH_REUSE=1`: keep the databases of an earlier run instead of
//!   importing again.
//!
//! Generated files are cached in `<target dir>/bench-data/`; the report goes to
//! stdout and `<target dir>/bench-report.md`, progress to stderr.

mod data;
mod duplicates;
mod proc;
mod units;

use anyhow::{Context, Result, bail};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use data::{COMMON, Dataset, PREFIX, RARE, RARE_COUNT};
use proc::Sample;
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
    if let Err(e) = run() {
        eprintln!("[scale] failed: {e:#}");
        std::process::exit(1);
    }
}

fn run() -> Result<()> {
    let started = Instant::now();
    let load_at_start = load_average();
    let sqlite_version = match Command::new("sqlite3").arg("-version").output() {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).trim().to_string(),
        _ => {
            eprintln!(
                "scale: the sqlite3 command-line shell is not on PATH; install it to run this benchmark"
            );
            std::process::exit(1);
        }
    };
    let rows = match std::env::var("TICKETDESK_BENCH_ROWS") {
        Ok(v) => v.replace('_', "").parse().with_context(|| format!("TICKETDESK_BENCH_ROWS={v:?}"))?,
        Err(_) => DEFAULT_ROWS,
    };
    let reuse = std::env::var("TICKETDESK_BENCH_REUSE").is_ok_and(|v| v == "1");
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    let data_dir = target.join("bench-data");

    let big_set = data::ensure_dataset(&data_dir, rows)?;
    let small_set = data::ensure_dataset(&data_dir, SMALL_ROWS)?;
    let big = Desk::build(&big_set, &data_dir, reuse)?;
    let small = Desk::build(&small_set, &data_dir, reuse)?;
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
    let queries = queries();
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
    table.push(duplicates::row(&big.td, rows)?);

    let notes = Notes {
        sqlite_version,
        baseline_rss_kib: baseline,
        load_at_start,
        start_up,
        elapsed: started.elapsed(),
    };
    let report = render(&big_set, &big, &small, &notes, &table, &warnings);
    print!("{report}");
    let path = target.join("bench-report.md");
    fs::write(&path, &report).with_context(|| format!("cannot write {}", path.display()))?;
    eprintln!("[scale] done in {}; report in {}", minutes(notes.elapsed), path.display());
    Ok(())
}

/// One ticketdesk database and its floor twin, both holding the same dataset.
struct Desk {
    rows: usize,
    dir: PathBuf,
    td: PathBuf,
    floor: PathBuf,
    /// Import runs (ticketdesk, floor); `None` when reused.
    import: Option<(Sample, Sample)>,
    /// A ticketdesk import into an empty desk another process has open.
    held_import: Option<Sample>,
}

impl Desk {
    fn build(set: &Dataset, data_dir: &Path, reuse: bool) -> Result<Desk> {
        let dir = data_dir.join(format!("db-{}", set.rows));
        fs::create_dir_all(&dir)?;
        let mut desk = Desk {
            rows: set.rows,
            td: dir.join("ticketdesk.db"),
            floor: dir.join("floor.db"),
            dir,
            import: None,
            held_import: None,
        };
        if reuse
            && desk.td.exists()
            && desk.floor.exists()
            && desk.counts().ok() == Some((set.rows, set.rows))
        {
            eprintln!("[scale] reusing the {}-row databases in {}", set.rows, desk.dir.display());
            return Ok(desk);
        }
        for db in [&desk.td, &desk.floor] {
            for suffix in ["", "-wal", "-shm", "-journal"] {
                let _ = fs::remove_file(format!("{}{suffix}", db.display()));
            }
        }
        let log = desk.dir.join("stderr.log");
        eprintln!("[scale] ticketdesk import of {} rows ...", set.rows);
        let jsonl = set.jsonl.display().to_string();
        let td = proc::measure(BIN, &desk.td_args(&["import", &jsonl]), None, &log)?;
        eprintln!("[scale]   {}", seconds(td.wall));
        eprintln!("[scale] floor import (.import, 4 indexes, FTS5 rebuild) of {} rows ...", set.rows);
        let script = desk.dir.join("floor-import.sql");
        fs::write(&script, floor_script(&set.csv))?;
        let floor_args = vec!["-bail".to_string(), desk.floor.display().to_string()];
        let floor = proc::measure("sqlite3", &floor_args, Some(&script), &log)?;
        eprintln!("[scale]   {}", seconds(floor.wall));
        let counts = desk.counts()?;
        if counts != (set.rows, set.rows) {
            bail!(
                "after import: ticketdesk holds {} rows, the floor {}; expected {}",
                counts.0,
                counts.1,
                set.rows
            );
        }
        desk.import = Some((td, floor));
        desk.held_import = Some(desk.held_import(&jsonl, &log)?);
        desk.assign_some()?;
        Ok(desk)
    }

    /// Imports into a fresh empty desk while a `sqlite3` shell holds it open,
    /// as an agent's open TUI would: the import then writes through WAL.
    fn held_import(&self, jsonl: &str, log: &Path) -> Result<Sample> {
        let held = self.dir.join("held.db");
        let remove = || {
            for suffix in ["", "-wal", "-shm", "-journal"] {
                let _ = fs::remove_file(format!("{}{suffix}", held.display()));
            }
        };
        remove();
        let args = |rest: &[&str]| {
            let mut all = vec!["--db".to_string(), held.display().to_string()];
            all.extend(rest.iter().map(|s| s.to_string()));
            all
        };
        proc::capture(BIN, &args(&["stats"]))?;
        let mut reader = Command::new("sqlite3")
            .arg(&held)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .context("cannot start sqlite3")?;
        let (mut input, output) =
            (reader.stdin.take().context("stdin")?, reader.stdout.take().context("stdout")?);
        // Once the shell has answered, it holds the file open (and idle).
        writeln!(input, "SELECT count(*) FROM tickets;")?;
        let mut answer = String::new();
        BufReader::new(output).read_line(&mut answer)?;
        eprintln!("[scale] ticketdesk import of {} rows while a reader holds the desk ...", self.rows);
        let sample = proc::measure(BIN, &args(&["import", jsonl]), None, log);
        drop(input);
        reader.wait()?;
        remove();
        let sample = sample?;
        eprintln!("[scale]   {}", seconds(sample.wall));
        Ok(sample)
    }

    /// Gives every 50th ticket to the agent running the bench, in both
    /// databases, so `assignee:me` has rows to find.
    fn assign_some(&self) -> Result<()> {
        let me = ticketdesk::actor::current();
        let sql = format!("UPDATE tickets SET assignee = '{me}' WHERE id % 50 = 0;");
        for db in [&self.td, &self.floor] {
            proc::capture("sqlite3", &[db.display().to_string(), sql.clone()])?;
        }
        Ok(())
    }

    fn td_args(&self, args: &[&str]) -> Vec<String> {
        let mut all = vec!["--db".to_string(), self.td.display().to_string()];
        all.extend(args.iter().map(|a| a.to_string()));
        all
    }

    fn floor_args(&self, sql: &str) -> Vec<String> {
        vec!["-json".into(), self.floor.display().to_string(), sql.into()]
    }

    /// A query's floor runs on the desk's own file: the same schema (parsed
    /// by every process that opens it), indexes and WAL journal.
    fn same_file_args(&self, sql: &str) -> Vec<String> {
        vec!["-json".into(), self.td.display().to_string(), sql.into()]
    }

    /// What starting each program costs before it does any work (`--version`
    /// and `-version`), timed like the queries.
    fn start_up(&self) -> Result<(Timing, Timing)> {
        let log = self.dir.join("stderr.log");
        let (mut td, mut floor) = (Vec::new(), Vec::new());
        for _ in 0..=RUNS {
            td.push(proc::measure(BIN, &["--version".to_string()], None, &log)?);
            floor.push(proc::measure("sqlite3", &["-version".to_string()], None, &log)?);
        }
        Ok((Timing::of(&td), Timing::of(&floor)))
    }

    /// Tickets in (ticketdesk, floor).
    fn counts(&self) -> Result<(usize, usize)> {
        let stats: Value = serde_json::from_str(&proc::capture(BIN, &self.td_args(&["stats", "--json"]))?)?;
        let floor =
            json_rows(&proc::capture("sqlite3", &self.floor_args("SELECT count(*) AS n FROM tickets"))?)?;
        let n = |v: &Value| v.as_u64().unwrap_or(0) as usize;
        Ok((n(&stats["total_tickets"]), floor.first().map_or(0, |row| n(&row["n"]))))
    }

    /// One warm-up run, then [`RUNS`] runs of each side, alternating.
    fn time(&self, query: &Query) -> Result<(Timing, Timing)> {
        let log = self.dir.join("stderr.log");
        let td_args = self.td_args(&query.td.iter().map(String::as_str).collect::<Vec<_>>());
        let floor_args = self.same_file_args(&query.sql);
        let (mut td, mut floor) = (Vec::new(), Vec::new());
        for _ in 0..=RUNS {
            td.push(proc::measure(BIN, &td_args, None, &log)?);
            floor.push(proc::measure("sqlite3", &floor_args, None, &log)?);
        }
        let (td, floor) = (Timing::of(&td), Timing::of(&floor));
        eprintln!(
            "[scale] {} rows: {:<52} ticketdesk {:>10}  floor {:>10}",
            thousands(self.rows),
            query.label,
            millis(td.median),
            millis(floor.median)
        );
        Ok((td, floor))
    }
}

fn floor_script(csv: &Path) -> String {
    format!(
        "CREATE TABLE tickets (
    id INTEGER PRIMARY KEY, title TEXT NOT NULL, description TEXT NOT NULL, category TEXT NOT NULL,
    priority TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL
) STRICT;
.import --csv --skip 1 '{}' tickets
CREATE INDEX tickets_by_created ON tickets (created_at);
CREATE INDEX tickets_by_status ON tickets (status, created_at);
CREATE INDEX tickets_by_priority ON tickets (priority, created_at);
CREATE INDEX tickets_by_category ON tickets (category, created_at);
CREATE VIRTUAL TABLE tickets_fts USING fts5 (
    title, description, content = 'tickets', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 0', detail = none, prefix = '2 3'
);
INSERT INTO tickets_fts (tickets_fts) VALUES ('rebuild');
ALTER TABLE tickets ADD COLUMN assignee TEXT;
CREATE INDEX tickets_by_assignee ON tickets (assignee, created_at) WHERE assignee IS NOT NULL;
",
        csv.display().to_string().replace('\'', "''")
    )
}

/// Median wall time (warm-up excluded) and peak RSS (warm-up included).
struct Timing {
    median: Duration,
    peak_rss_kib: u64,
}

impl Timing {
    fn of(samples: &[Sample]) -> Timing {
        let mut walls: Vec<Duration> = samples[1..].iter().map(|s| s.wall).collect();
        walls.sort();
        Timing {
            median: walls[walls.len() / 2],
            peak_rss_kib: samples.iter().map(|s| s.rss_kib).max().unwrap_or(0),
        }
    }
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

fn queries() -> Vec<Query> {
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
            let (td, filter) = search_args(word, category);
            list.push(Query {
                label: td[..td.len() - 1].join(" "),
                td,
                sql: format!("SELECT {COLUMNS} FROM tickets WHERE {filter} {order}"),
                goal,
                memory: category.is_none() && word != PREFIX,
            });
        }
    }
    list.extend(query_language());
    list.push(Query {
        label: "stats --json".into(),
        td: words("stats --json"),
        sql: "SELECT priority, count(*), sum(status = 'open'), min(created_at) FROM tickets GROUP BY priority; \
              SELECT category, count(*), sum(status = 'open') FROM tickets GROUP BY category;"
            .into(),
        goal: Goal::FasterBy(5.0),
        memory: true,
    });
    list
}

/// The query language's terms, each against the SQL one would write by hand
/// for it (LIKE for phrases and negated words): within 1.5× where that SQL
/// walks an index, at least 5× faster where it must scan.
fn query_language() -> Vec<Query> {
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
        (
            "-st:closed -refund".into(),
            "status <> 'closed' AND NOT (title LIKE '%refund%' OR description LIKE '%refund%')".into(),
            Goal::AtMost(1.5),
        ),
        (
            "\"credit card\"".into(),
            "(title LIKE '%credit card%' OR description LIKE '%credit card%')".into(),
            Goal::AtMost(1.5),
        ),
        (
            "\"card declined\"".into(),
            "(title LIKE '%card declined%' OR description LIKE '%card declined%')".into(),
            Goal::FasterBy(5.0),
        ),
        (
            format!(
                "cat:billing pri:>=high st:open,in_progress assignee:me age:<{days}d \"credit card\" refund"
            ),
            format!(
                "category = 'billing' AND priority IN ('high', 'critical') AND status IN ('open', 'in_progress') \
                 AND assignee = '{me}' AND created_at > '{since}' \
                 AND (title LIKE '%credit card%' OR description LIKE '%credit card%') \
                 AND (title LIKE '%refund%' OR description LIKE '%refund%')"
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
fn search_args(word: &str, category: Option<&str>) -> (Vec<String>, String) {
    let mut td = words("list --search");
    td.push(word.into());
    let mut filter = format!("(title LIKE '%{word}%' OR description LIKE '%{word}%')");
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
            let (td_args, filter) = search_args(word, category);
            let label = format!("{} rows: {}", thousands(desk.rows), td_args[..td_args.len() - 1].join(" "));
            let args: Vec<&str> = td_args.iter().map(String::as_str).collect();
            let td = ids(&json_rows(&proc::capture(BIN, &desk.td_args(&args))?)?);
            let sql = format!(
                "SELECT id, title, description FROM tickets WHERE {filter} \
                 ORDER BY created_at DESC, id DESC LIMIT {WINDOW}"
            );
            let rows = json_rows(&proc::capture("sqlite3", &desk.floor_args(&sql))?)?;
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
    for query in query_language().iter().take(5) {
        let args: Vec<&str> = query.td.iter().map(String::as_str).collect();
        let td = ids(&json_rows(&proc::capture(BIN, &desk.td_args(&args))?)?);
        let floor = ids(&json_rows(&proc::capture("sqlite3", &desk.floor_args(&query.sql))?)?);
        if td != floor {
            warn(format!("{} rows: {}: ids differ from the floor's", thousands(desk.rows), query.label));
        }
    }
    let list = queries().swap_remove(0);
    let args: Vec<&str> = list.td.iter().map(String::as_str).collect();
    let td = ids(&json_rows(&proc::capture(BIN, &desk.td_args(&args))?)?);
    let floor = ids(&json_rows(&proc::capture("sqlite3", &desk.floor_args(&list.sql))?)?);
    if td != floor || td.len() != 50 {
        warn(format!("{} rows: {}: ids differ from the floor's", thousands(desk.rows), list.label));
    }
    let stats: Value = serde_json::from_str(&proc::capture(BIN, &desk.td_args(&["stats", "--json"]))?)?;
    let sql = "SELECT 'total' AS k, count(*) AS n FROM tickets UNION ALL \
               SELECT 'open', count(*) FROM tickets WHERE status = 'open' UNION ALL \
               SELECT priority, count(*) FROM tickets GROUP BY priority UNION ALL \
               SELECT category, count(*) FROM tickets GROUP BY category";
    let floor: BTreeMap<String, u64> = json_rows(&proc::capture("sqlite3", &desk.floor_args(sql))?)?
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

/// A JSON array of objects (sqlite3 -json prints nothing for no rows).
fn json_rows(text: &str) -> Result<Vec<Value>> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    Ok(serde_json::from_str(text)?)
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
    sqlite_version: String,
    baseline_rss_kib: u64,
    load_at_start: String,
    /// `--version` of (ticketdesk, sqlite3).
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
    let size = |p: &Path| fs::metadata(p).map_or(0, |m| m.len()) as f64 / f64::from(1 << 30);
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mut out = format!("# ticketdesk scale benchmark ({} tickets)\n\n", thousands(set.rows));
    out += &format!(
        "- data: {} tickets over 3 years, descriptions {:.1} words on average; \"{COMMON}\" in {} tickets ({:.1}%), \
         \"{RARE}\" in {RARE_COUNT}, prefix \"{PREFIX}\"; memory also measured at {} tickets\n",
        thousands(set.rows),
        set.avg_words,
        thousands(set.common_rows),
        100.0 * set.common_rows as f64 / set.rows as f64,
        thousands(small.rows),
    );
    out += &format!("- ticketdesk: `{BIN}`; floor: sqlite3 {}\n", notes.sqlite_version);
    out += &format!(
        "- whole processes, stdout discarded; queries: median of {RUNS} runs after one warm-up; {cpus} CPUs; \
         load average {} at start, {} at end\n",
        notes.load_at_start,
        load_average()
    );
    out += "- each query's floor is its hand-written SQL through the sqlite3 shell on the desk's own file (the \
            same schema, indexes and WAL journal); the twin floor.db serves only as the import's floor\n";
    out += &format!(
        "- start-up alone (`--version`): ticketdesk {}, sqlite3 {}; \"past start-up\" compares what each spends \
         beyond it\n",
        millis(notes.start_up.0.median),
        millis(notes.start_up.1.median)
    );
    out += &format!(
        "- peak RSS is the child's ru_maxrss, which cannot read below the {} the measuring spawner itself holds \
         (what `true` reports)\n",
        mib(notes.baseline_rss_kib)
    );
    out += &format!(
        "- database files: ticketdesk {:.2} GiB, floor {:.2} GiB\n",
        size(&big.td),
        size(&big.floor)
    );
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
