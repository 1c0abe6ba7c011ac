//! `cargo bench --bench tui`: what an agent over SSH feels. The release
//! `ticketdesk` runs full-screen in a pseudo-terminal this bench opens (120×35,
//! `TERM=xterm-256color`, no API key); a reader thread stamps every chunk the
//! app writes, and a small terminal emulator tells what the screen shows.
//!
//! - `TICKETDESK_BENCH_ROWS` (default 1,000,000): tickets in the big database,
//!   imported from the scale bench's generated JSONL; memory is compared with
//!   a 10,000-ticket database.
//!
//! Data and databases are cached in `<target dir>/bench-data/` (databases in
//! `tui-db-<rows>/`, reused when complete); the report goes to stdout and
//! `<target dir>/tui-bench-report.md`, the bytes of the last run of each
//! database to `<target dir>/tui-bench-trace-<rows>.txt`, progress to stderr.

#[allow(dead_code)]
#[path = "../scale/data.rs"]
mod data;
mod pty;
mod report;
mod screen;
#[allow(dead_code)]
#[path = "../scale/units.rs"]
mod units;

use anyhow::{Context, Result, bail};
use regex::Regex;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use pty::{Response, Session};
use screen::Screen;

const BIN: &str = env!("CARGO_BIN_EXE_ticketdesk");
const DEFAULT_ROWS: usize = 1_000_000;
/// The small database for the memory comparison.
const SMALL_ROWS: usize = 10_000;
/// Measured sessions per database, after one warm-up session.
const RUNS: usize = 5;
const COLS: u16 = 120;
const LINES: u16 = 35;
/// A keystroke's redraw has ended when the output is quiet this long.
const KEY_QUIET: Duration = Duration::from_millis(30);
/// The screen has settled (before and after an action) when quiet this long.
const SETTLE_QUIET: Duration = Duration::from_millis(300);
/// After start-up the background work (stats, the classifier) gets longer.
const START_QUIET: Duration = Duration::from_millis(1500);
const IDLE: Duration = Duration::from_secs(5);
/// How long the app may take to exit after `q`.
const EXIT_WITHIN: Duration = Duration::from_secs(3);
/// Generous limits on waiting for anything, so a hang fails the bench.
const WAIT: Duration = Duration::from_secs(60);

static TICKET_ROW: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"#\d+ ").expect("valid regex"));

fn main() {
    if let Err(e) = run() {
        eprintln!("[tui] failed: {e:#}");
        std::process::exit(1);
    }
}

fn run() -> Result<()> {
    let started = Instant::now();
    if !Path::new(BIN).is_file() {
        bail!("the release binary {BIN} is missing; build it with `cargo build --release`");
    }
    let rows = match std::env::var("TICKETDESK_BENCH_ROWS") {
        Ok(v) => v.replace('_', "").parse().with_context(|| format!("TICKETDESK_BENCH_ROWS={v:?}"))?,
        Err(_) => DEFAULT_ROWS,
    };
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    let data_dir = target.join("bench-data");

    let big = build_desk(&data_dir, rows).context("cannot prepare the big database")?;
    let small = if rows == SMALL_ROWS {
        None
    } else {
        Some(build_desk(&data_dir, SMALL_ROWS).context("cannot prepare the 10,000-row database")?)
    };

    let load_at_start = load_average();
    let big_runs = measure_desk(&big, rows, &target)?;
    let small_runs = match &small {
        Some(db) => measure_desk(db, SMALL_ROWS, &target)?,
        None => big_runs.clone(),
    };

    let notes = report::Notes {
        bin: BIN.to_owned(),
        source: source_state(),
        rows,
        small_rows: SMALL_ROWS,
        db_bytes: fs::metadata(&big).map_or(0, |m| m.len()),
        cpus: std::thread::available_parallelism().map_or(0, |n| n.get()),
        load_at_start,
        load_at_end: load_average(),
        elapsed: started.elapsed(),
    };
    let text = report::render(&notes, &big_runs, &small_runs);
    print!("{text}");
    let path = target.join("tui-bench-report.md");
    fs::write(&path, &text).with_context(|| format!("cannot write {}", path.display()))?;
    eprintln!("[tui] done in {}; report in {}", units::minutes(notes.elapsed), path.display());
    Ok(())
}

/// The database for `rows`, imported from the scale bench's JSONL unless a
/// complete one is cached.
fn build_desk(data_dir: &Path, rows: usize) -> Result<PathBuf> {
    let dir = data_dir.join(format!("tui-db-{rows}"));
    let db = dir.join("ticketdesk.db");
    let ready = dir.join("ready");
    if db.is_file() && fs::read_to_string(&ready).is_ok_and(|t| t.trim() == rows.to_string()) {
        eprintln!("[tui] reusing the {}-row database {}", units::thousands(rows), db.display());
        return Ok(db);
    }
    let set = data::ensure_dataset(data_dir, rows)?;
    fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let _ = fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let _ = fs::remove_file(&ready);
    eprintln!("[tui] importing {} tickets into {} ...", units::thousands(rows), db.display());
    let start = Instant::now();
    let out = Command::new(BIN)
        .arg("--db")
        .arg(&db)
        .arg("import")
        .arg(&set.jsonl)
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("cannot run {BIN}"))?;
    if !out.status.success() {
        bail!("import of {} failed: {}", set.jsonl.display(), String::from_utf8_lossy(&out.stderr).trim());
    }
    eprintln!("[tui]   imported in {:.1} s", start.elapsed().as_secs_f64());
    let stats = Command::new(BIN).arg("--db").arg(&db).args(["stats", "--json"]).output()?;
    let stats: serde_json::Value =
        serde_json::from_slice(&stats.stdout).context("cannot read `stats --json` after the import")?;
    let total = stats["total_tickets"].as_u64().unwrap_or(0);
    if total != rows as u64 {
        bail!("after the import {} holds {total} tickets, expected {rows}", db.display());
    }
    fs::write(&ready, format!("{rows}\n"))?;
    Ok(db)
}

/// What one session measured.
#[derive(Clone, Default)]
pub struct RunResult {
    /// From spawn to the first complete frame (pane titles and footer shown).
    pub first_frame: Duration,
    /// From spawn to the first chunk written.
    pub first_byte: Duration,
    /// From spawn to the first ticket row on screen.
    pub rows_loaded: Duration,
    /// Bytes written from start until the screen settled.
    pub startup_bytes: usize,
    /// Each key typed in the search box.
    pub search: Vec<SearchKey>,
    /// Output that came after a search key's redraw had seemed to end.
    pub search_late_bytes: usize,
    /// (action, bytes written in response, from the key to the last chunk).
    pub actions: Vec<(&'static str, usize, Duration)>,
    pub idle_bytes: usize,
    /// CPU time and times scheduled in, over all threads, while idle.
    pub idle_cpu: Duration,
    pub idle_wakeups: u64,
    pub idle_output: Vec<u8>,
    pub peak_rss_kib: u64,
    pub exit: Exit,
    /// The output of each step, for the trace file.
    pub trace: Vec<(String, Vec<u8>)>,
}

#[derive(Clone)]
pub struct SearchKey {
    /// The query once the key is in.
    pub query: String,
    /// From sending the key to its first output (the box redrawn at once).
    pub first: Duration,
    /// From sending the key to the end of the redraw that shows the results.
    pub latency: Duration,
    pub bytes: usize,
    /// Output chunks in the response.
    pub chunks: usize,
}

#[derive(Clone, Default)]
pub struct Exit {
    /// Exit code (None: killed after [`EXIT_WITHIN`], or ended by a signal).
    pub code: Option<i32>,
    pub took: Duration,
    /// The last alternate-screen switch in the output was leaving it.
    pub left_alternate: bool,
    /// What followed that switch.
    pub trailing: Vec<u8>,
}

pub const ACTIONS: [&str; 6] = [
    "selection move (j)",
    "page scroll (PgDn)",
    "open help (?)",
    "close help (Esc)",
    "focus the form (n)",
    "typed letter in the form title",
];

/// One warm-up session, then [`RUNS`] measured ones.
fn measure_desk(db: &Path, rows: usize, target: &Path) -> Result<Vec<RunResult>> {
    let mut results = Vec::new();
    for run in 0..=RUNS {
        let label = if run == 0 { "warm-up".to_owned() } else { format!("run {run}/{RUNS}") };
        let result = session(db).with_context(|| format!("{} rows, {label}", units::thousands(rows)))?;
        let search: Vec<Duration> = result.search.iter().map(|s| s.latency).collect();
        eprintln!(
            "[tui] {} rows, {label:>8}: first frame {}, rows {}, search p50 {} max {}, j {} B, PgDn {} B, \
             idle {} B, VmHWM {}, exit {:?} in {}",
            units::thousands(rows),
            units::millis(result.first_frame),
            units::millis(result.rows_loaded),
            units::millis(report::median(&search)),
            units::millis(search.iter().max().copied().unwrap_or_default()),
            result.actions[0].1,
            result.actions[1].1,
            result.idle_bytes,
            units::mib(result.peak_rss_kib),
            result.exit.code,
            units::millis(result.exit.took),
        );
        if run > 0 {
            results.push(result);
        }
    }
    if let Some(last) = results.last() {
        let path = target.join(format!("tui-bench-trace-{rows}.txt"));
        let mut text = String::new();
        for (step, bytes) in &last.trace {
            // Terminal output is escaped; the screen dump is plain text.
            let shown = if bytes.contains(&0x1b) {
                report::escape(bytes, usize::MAX)
            } else {
                String::from_utf8_lossy(bytes).into_owned()
            };
            let _ = writeln!(text, "== {step} ({} bytes)\n{shown}\n", bytes.len());
        }
        fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(results)
}

fn command(db: &Path, home: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.arg("--db").arg(db);
    // Nothing from the bench's own environment: no API key, no colour switch, no config.
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("TERM", "xterm-256color")
        .env("LANG", "C.UTF-8")
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_STATE_HOME", home.join(".local/state"))
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("XDG_CACHE_HOME", home.join(".cache"))
        .env("TICKETDESK_HOST_CONFIG", home.join("no-host-config.toml"));
    cmd
}

fn frame_complete(screen: &Screen) -> bool {
    ["Tickets", "New ticket", "Stats", "? help"].iter().all(|t| screen.contains(t))
}

fn has_ticket_row(screen: &Screen) -> bool {
    screen.lines().any(|line| TICKET_ROW.is_match(&line))
}

fn loading(screen: &Screen) -> bool {
    screen.contains("loading…")
}

/// One whole session: start, search, actions, idle, memory, quit.
fn session(db: &Path) -> Result<RunResult> {
    // A home of its own per session: the app keeps a draft of the form in its
    // state directory, and one session's typing must not greet the next.
    let home = tempfile::Builder::new().prefix("ticketdesk-tui-bench").tempdir()?;
    let mut s = pty::spawn(command(db, home.path()), COLS, LINES)?;
    let mut r = RunResult::default();

    let first = s.wait_for(WAIT, |_| true).context("no output at all")?;
    r.first_byte = first - s.spawned;
    let complete = s.wait_for(WAIT, frame_complete).context("no first frame")?;
    r.first_frame = complete - s.spawned;
    let loaded = s.wait_for(WAIT, has_ticket_row).context("no ticket rows")?;
    r.rows_loaded = loaded - s.spawned;
    s.wait_for(WAIT, |screen| !loading(screen)).context("the list or the stats never loaded")?;
    s.settle(START_QUIET, WAIT)?;
    let startup = s.all_output();
    r.startup_bytes = startup.len();
    let chunks: Vec<String> = s
        .timings_since(0, s.spawned)
        .iter()
        .map(|(at, n)| format!("+{} {n} B", units::millis(*at)))
        .collect();
    r.trace.push((format!("start-up: chunks from spawn {}", chunks.join(", ")), startup));

    // Search: each key from sending it to the end of the redraw that shows its results.
    step(&mut s, &mut r, "/ (open the search box)", b"/", SETTLE_QUIET, |_| true)?;
    for term in [&data::COMMON[..3], &data::RARE[..4]] {
        for end in 1..=term.len() {
            let query = &term[..end];
            let chip = format!("search: {query} ");
            let mark = s.mark();
            let sent = s.send(&query.as_bytes()[end - 1..])?;
            let resp = s.respond(mark, sent, KEY_QUIET, WAIT, |screen| {
                screen.contains(&chip) && !loading(screen) && has_ticket_row(screen)
            })?;
            let latency = resp.latency.context("a search key drew nothing")?;
            let late_mark = s.mark();
            s.settle(SETTLE_QUIET, WAIT)?;
            let late = s.bytes_since(late_mark);
            r.search_late_bytes += late.len();
            r.search.push(SearchKey {
                query: query.to_owned(),
                first: resp.chunks.first().map_or(latency, |c| c.0),
                latency,
                bytes: resp.bytes,
                chunks: resp.chunks.len(),
            });
            r.trace.push((format!("search key {query:?}{}", timings(&resp)), resp.output));
            if !late.is_empty() {
                r.trace.push((format!("late output after search key {query:?}"), late));
            }
        }
        step(&mut s, &mut r, "Ctrl-U (clear the search)", b"\x15", SETTLE_QUIET, |screen| {
            !screen.contains("search:") && !loading(screen) && has_ticket_row(screen)
        })?;
    }
    step(&mut s, &mut r, "Esc (leave the search box)", b"\x1b", SETTLE_QUIET, |_| true)?;

    // Bytes per action, each from a settled screen.
    let keys: [(&str, &[u8]); 6] = [
        (ACTIONS[0], b"j"),
        (ACTIONS[1], b"\x1b[6~"),
        (ACTIONS[2], b"?"),
        (ACTIONS[3], b"\x1b"),
        (ACTIONS[4], b"n"),
        (ACTIONS[5], b"a"),
    ];
    for (name, key) in keys {
        let resp = step(&mut s, &mut r, name, key, SETTLE_QUIET, |screen| !loading(screen))?;
        r.actions.push((name, resp.bytes, resp.latency.unwrap_or_default()));
    }
    step(&mut s, &mut r, "Esc (back to the list)", b"\x1b", SETTLE_QUIET, |_| true)?;

    // Idle: nothing sent, nothing should be drawn.
    s.settle(SETTLE_QUIET, WAIT)?;
    let mark = s.mark();
    let before = s.threads()?;
    std::thread::sleep(IDLE);
    (r.idle_cpu, r.idle_wakeups) = pty::activity(&before, &s.threads()?);
    r.idle_output = s.bytes_since(mark);
    r.idle_bytes = r.idle_output.len();
    r.trace.push((format!("idle {} s", IDLE.as_secs()), r.idle_output.clone()));

    r.peak_rss_kib = s.peak_rss_kib()?;
    let shown: Vec<String> = s.screen.lines().map(|l| l.trim_end().to_owned()).collect();
    r.trace
        .push(("the screen as the bench's emulator saw it, before quitting".into(), shown.join("\n").into()));

    let mark = s.mark();
    s.send(b"q")?;
    let exited = s.wait_exit(EXIT_WITHIN)?;
    let tail = s.bytes_since(mark);
    let all = s.all_output();
    let leave = find_last(&all, b"\x1b[?1049");
    r.exit = Exit {
        code: exited.and_then(|(status, _)| status.code()),
        took: exited.map_or(EXIT_WITHIN, |(_, took)| took),
        left_alternate: leave.is_some_and(|i| all.get(i + 7) == Some(&b'l')),
        trailing: leave.map_or_else(Vec::new, |i| all[(i + 8).min(all.len())..].to_vec()),
    };
    r.trace.push(("q (quit)".into(), tail));
    Ok(r)
}

/// Sends `keys` and waits for the screen to settle; the response goes in the trace.
fn step(
    s: &mut Session,
    r: &mut RunResult,
    name: &str,
    keys: &[u8],
    quiet: Duration,
    done: impl Fn(&Screen) -> bool,
) -> Result<Response> {
    let mark = s.mark();
    let sent = s.send(keys)?;
    let resp = s.respond(mark, sent, quiet, WAIT, done).with_context(|| format!("after {name}"))?;
    r.trace.push((format!("{name}{}", timings(&resp)), resp.output.clone()));
    Ok(resp)
}

/// When the chunks of a response arrived, for the trace.
fn timings(resp: &Response) -> String {
    let chunks: Vec<String> =
        resp.chunks.iter().map(|(at, n)| format!("+{} {n} B", units::millis(*at))).collect();
    if chunks.is_empty() { String::new() } else { format!(": chunks {}", chunks.join(", ")) }
}

fn find_last(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

/// Which source the binary was built from: the commit and how many tracked
/// files differed from it (read-only git commands; none if git is missing).
fn source_state() -> String {
    let dir = env!("CARGO_MANIFEST_DIR");
    let git = |args: &[&str]| {
        Command::new("git")
            .arg("--no-optional-locks")
            .arg("-C")
            .arg(dir)
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    };
    match (git(&["rev-parse", "--short", "HEAD"]), git(&["diff-index", "--name-only", "HEAD", "--"])) {
        (Some(head), Some(changed)) => {
            // The benches are not part of the binary.
            let app = changed.lines().filter(|path| !path.starts_with("benches/")).count();
            if app == 0 {
                format!("commit {head}")
            } else {
                format!("commit {head} with {app} changed tracked files outside benches/")
            }
        }
        _ => "an unknown commit".to_owned(),
    }
}

/// The 1-minute load average: other work on the machine skews timings.
fn load_average() -> String {
    let text = fs::read_to_string("/proc/loadavg").unwrap_or_default();
    text.split_whitespace().next().unwrap_or("?").to_string()
}
