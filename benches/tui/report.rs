//! The report: one markdown table of measures against goals, the same
//! measures on the small database for reference, and the evidence for anything
//! unexpected.

use std::fmt::Write as _;
use std::time::Duration;

use crate::units::{mib, millis, minutes, thousands};
use crate::{ACTIONS, COLS, EXIT_WITHIN, IDLE, KEY_QUIET, LINES, RUNS, RunResult, SETTLE_QUIET, SearchKey};

/// First frame and each search key's redraw within this.
const LATENCY_GOAL: Duration = Duration::from_millis(50);
const SELECTION_GOAL: usize = 500;
const PAGE_GOAL: usize = 5_000;
const MEMORY_GOAL: u64 = 50_000_000;
/// Peak memory at full size may exceed the small database's by this factor.
const MEMORY_GROWTH: f64 = 1.25;

pub struct Notes {
    pub bin: String,
    /// The commit the binary was built from.
    pub source: String,
    pub rows: usize,
    pub small_rows: usize,
    pub db_bytes: u64,
    pub cpus: usize,
    pub load_at_start: String,
    pub load_at_end: String,
    pub elapsed: Duration,
}

struct Row {
    measure: String,
    value: String,
    goal: String,
    ok: Option<bool>,
}

fn row(
    measure: impl Into<String>,
    value: impl Into<String>,
    goal: impl Into<String>,
    ok: Option<bool>,
) -> Row {
    Row { measure: measure.into(), value: value.into(), goal: goal.into(), ok }
}

/// A timing over runs: the median, with the range, flagged when the spread is wide.
fn timing(samples: &[Duration]) -> String {
    let (min, max) = (samples.iter().min().copied(), samples.iter().max().copied());
    let median = median(samples);
    let (Some(min), Some(max)) = (min, max) else { return "—".into() };
    let noisy = max > median * 3 / 2 + Duration::from_millis(5);
    format!(
        "{} ({} samples: {}–{}){}",
        millis(median),
        samples.len(),
        millis(min),
        millis(max),
        if noisy { ", noisy" } else { "" }
    )
}

/// A byte count over runs: the median, with the range when they differ.
fn byte_counts(samples: &[usize]) -> String {
    counts(samples, " B")
}

/// Counts over samples: the median, with the range when they differ.
fn counts(samples: &[usize], unit: &str) -> String {
    let mut sorted = samples.to_vec();
    sorted.sort_unstable();
    match (sorted.first(), sorted.last()) {
        (Some(min), Some(max)) if min == max => format!("{}{unit}", thousands(*min)),
        (Some(min), Some(max)) => format!(
            "{}{unit} (samples: {}–{})",
            thousands(sorted[sorted.len() / 2]),
            thousands(*min),
            thousands(*max)
        ),
        _ => "—".into(),
    }
}

fn rows_for(runs: &[RunResult], rows: usize) -> Vec<Row> {
    let mut table = Vec::new();
    let of = |f: fn(&RunResult) -> Duration| runs.iter().map(f).collect::<Vec<_>>();
    let first = of(|r| r.first_frame);
    table.push(row(
        "start → first complete frame (warm)",
        timing(&first),
        format!("< {} ms", LATENCY_GOAL.as_millis()),
        Some(median(&first) < LATENCY_GOAL),
    ));
    table.push(row("start → first byte written", timing(&of(|r| r.first_byte)), "report only", None));
    table.push(row(
        format!("start → first ticket row on screen ({} tickets)", thousands(rows)),
        timing(&of(|r| r.rows_loaded)),
        "report only",
        None,
    ));

    let keys: Vec<&SearchKey> = runs.iter().flat_map(|r| &r.search).collect();
    let all: Vec<Duration> = keys.iter().map(|k| k.latency).collect();
    let typed: Vec<String> = runs.first().map_or_else(Vec::new, |r| {
        let mut words: Vec<String> = Vec::new();
        for SearchKey { query, .. } in &r.search {
            match words.last_mut() {
                Some(last) if query.starts_with(last.as_str()) && query.len() == last.len() + 1 => {
                    *last = query.clone()
                }
                _ => words.push(query.clone()),
            }
        }
        words
    });
    let max = all.iter().max().copied().unwrap_or_default();
    table.push(row(
        format!("search key → list redrawn, p50 ({} keys: \"{}\")", all.len(), typed.join("\", \"")),
        millis(median(&all)),
        format!("< {} ms", LATENCY_GOAL.as_millis()),
        Some(median(&all) < LATENCY_GOAL),
    ));
    table.push(row(
        "search key → list redrawn, max",
        millis(max),
        format!("< {} ms", LATENCY_GOAL.as_millis()),
        Some(max < LATENCY_GOAL),
    ));
    let first: Vec<Duration> = keys.iter().map(|k| k.first).collect();
    table.push(row(
        "search key → first output (the box redrawn, before the results)",
        timing(&first),
        "report only",
        None,
    ));
    for word in &typed {
        for end in 1..=word.len() {
            let query = &word[..end];
            let these: Vec<&&SearchKey> = keys.iter().filter(|k| k.query == query).collect();
            let latency: Vec<Duration> = these.iter().map(|k| k.latency).collect();
            let first: Vec<Duration> = these.iter().map(|k| k.first).collect();
            let bytes: Vec<usize> = these.iter().map(|k| k.bytes).collect();
            let chunks: Vec<usize> = these.iter().map(|k| k.chunks).collect();
            table.push(row(
                format!("… typing \"{query}\": redrawn; first output (median); bytes; output chunks"),
                format!(
                    "{}; {}; {}; {}",
                    timing(&latency),
                    millis(median(&first)),
                    byte_counts(&bytes),
                    counts(&chunks, "")
                ),
                "report only",
                None,
            ));
        }
    }

    for (i, name) in ACTIONS.iter().enumerate() {
        let bytes: Vec<usize> = runs.iter().map(|r| r.actions[i].1).collect();
        let drawn: Vec<Duration> = runs.iter().map(|r| r.actions[i].2).collect();
        let (goal, ok) = match i {
            0 => (format!("≤ {} B", thousands(SELECTION_GOAL)), Some(max_of(&bytes) <= SELECTION_GOAL)),
            1 => (format!("≤ {} B", thousands(PAGE_GOAL)), Some(max_of(&bytes) <= PAGE_GOAL)),
            _ => ("report only".to_owned(), None),
        };
        table.push(row(
            format!("bytes written: {name}; key → last byte"),
            format!("{}; {}", byte_counts(&bytes), timing(&drawn)),
            goal,
            ok,
        ));
    }
    let startup: Vec<usize> = runs.iter().map(|r| r.startup_bytes).collect();
    table.push(row("bytes written: start-up until settled", byte_counts(&startup), "report only", None));
    let idle: Vec<usize> = runs.iter().map(|r| r.idle_bytes).collect();
    table.push(row(
        format!("bytes written while idle for {} s (each run)", IDLE.as_secs()),
        byte_counts(&idle),
        "0 B",
        Some(max_of(&idle) == 0),
    ));
    let cpu: Vec<Duration> = runs.iter().map(|r| r.idle_cpu).collect();
    let wakeups: Vec<usize> = runs.iter().map(|r| r.idle_wakeups as usize).collect();
    table.push(row(
        format!("while idle for {} s: CPU time; thread wake-ups (times scheduled in)", IDLE.as_secs()),
        format!("{}; {}", timing(&cpu), counts(&wakeups, "")),
        "report only",
        None,
    ));
    let late: Vec<usize> = runs.iter().map(|r| r.search_late_bytes).collect();
    table.push(row(
        format!("bytes after a search key's redraw ended (> {} ms quiet), per run", KEY_QUIET.as_millis()),
        byte_counts(&late),
        "0 B",
        Some(max_of(&late) == 0),
    ));
    table
}

fn peak(runs: &[RunResult]) -> u64 {
    runs.iter().map(|r| r.peak_rss_kib).max().unwrap_or(0)
}

fn exit_rows(runs: &[RunResult]) -> Vec<Row> {
    let clean = runs.iter().filter(|r| r.exit.code == Some(0)).count();
    let slowest = runs.iter().map(|r| r.exit.took).max().unwrap_or_default();
    let left = runs.iter().filter(|r| r.exit.left_alternate).count();
    vec![
        row(
            "`q` → process exits 0",
            format!("{clean}/{} runs; slowest {}", runs.len(), millis(slowest)),
            format!("every run, within {} s", EXIT_WITHIN.as_secs()),
            Some(clean == runs.len() && slowest < EXIT_WITHIN),
        ),
        row(
            "output ends by leaving the alternate screen (`ESC[?1049l`)",
            format!("{left}/{} runs", runs.len()),
            "every run",
            Some(left == runs.len()),
        ),
    ]
}

pub fn render(notes: &Notes, big: &[RunResult], small: &[RunResult]) -> String {
    let mut table = rows_for(big, notes.rows);
    let (small_peak, big_peak) = (peak(small), peak(big));
    let growth = big_peak as f64 / small_peak.max(1) as f64;
    table.push(row(
        format!("peak memory (VmHWM before quitting), {} tickets", thousands(notes.small_rows)),
        megabytes(small_peak),
        "< 50 MB",
        Some(small_peak * 1024 < MEMORY_GOAL),
    ));
    table.push(row(
        format!("peak memory (VmHWM before quitting), {} tickets", thousands(notes.rows)),
        megabytes(big_peak),
        "< 50 MB",
        Some(big_peak * 1024 < MEMORY_GOAL),
    ));
    table.push(row(
        format!("peak memory growth, {} → {} tickets", thousands(notes.small_rows), thousands(notes.rows)),
        format!("{growth:.2}×"),
        format!("≤ {MEMORY_GROWTH}× (flat)"),
        Some(growth <= MEMORY_GROWTH),
    ));
    table.extend(exit_rows(big));

    let mut out = format!("# ticketdesk TUI benchmark ({} tickets)\n\n", thousands(notes.rows));
    out += &format!(
        "- the release binary `{}` in a {COLS}×{LINES} pseudo-terminal, `TERM=xterm-256color`, no API key \
         (local suggestions), a fresh HOME/XDG dirs per session; built from {}; database {} ({:.2} GB)\n",
        notes.bin,
        notes.source,
        thousands(notes.rows),
        notes.db_bytes as f64 / 1e9
    );
    out += &format!(
        "- {RUNS} measured sessions per database after one warm-up session; timings are medians with \
         the range over all samples (\"noisy\" when the slowest is over 1.5× the median + 5 ms); byte \
         counts are medians over runs\n"
    );
    out += &format!(
        "- a search key's time runs from writing the byte to the last chunk of the redraw that shows its \
         results (search chip, no \"loading…\", rows), once output has been quiet {} ms (not counted); \
         other actions are counted from a settled screen until {} ms quiet\n",
        KEY_QUIET.as_millis(),
        SETTLE_QUIET.as_millis()
    );
    out += "- times are when the bench's reader thread got the bytes from the pty, so they include the \
            pty's own delay; KB = 1,000 B, MB = 1,000,000 B\n";
    out += &format!(
        "- {} CPUs; load average {} at start, {} at end{}\n",
        notes.cpus,
        notes.load_at_start,
        notes.load_at_end,
        if busy(&notes.load_at_start, notes.cpus) || busy(&notes.load_at_end, notes.cpus) {
            " — the machine was busy with other work, so timings are likely inflated and noisier"
        } else {
            ""
        }
    );
    out += &format!("- bench run took {}\n\n", minutes(notes.elapsed));
    out += &markdown(&table);

    if notes.rows != notes.small_rows {
        out += &format!("\n## The same measures at {} tickets (reference)\n\n", thousands(notes.small_rows));
        let mut small_table = rows_for(small, notes.small_rows);
        small_table.extend(exit_rows(small));
        out += &markdown(&small_table);
    }

    // The same finding in many runs is listed once, with where it was seen.
    let mut findings: Vec<(String, Vec<String>)> = Vec::new();
    let sets: &[(usize, &[RunResult])] = if notes.rows == notes.small_rows {
        &[(notes.rows, big)]
    } else {
        &[(notes.rows, big), (notes.small_rows, small)]
    };
    for (rows, runs) in sets {
        for (i, r) in runs.iter().enumerate() {
            let mut found = Vec::new();
            if r.idle_bytes > 0 {
                found.push(format!(
                    "{} B written while idle: `{}`",
                    r.idle_bytes,
                    escape(&r.idle_output, 400)
                ));
            }
            if !r.exit.trailing.is_empty() {
                found.push(format!(
                    "after leaving the alternate screen the app wrote `{}`",
                    escape(&r.exit.trailing, 200)
                ));
            }
            for text in found {
                let at = format!("{} tickets run {}", thousands(*rows), i + 1);
                match findings.iter_mut().find(|(t, _)| *t == text) {
                    Some((_, seen)) => seen.push(at),
                    None => findings.push((text, vec![at])),
                }
            }
        }
    }
    let mut evidence = String::new();
    for (text, seen) in findings {
        let _ = writeln!(evidence, "- {text} ({})", seen.join(", "));
    }
    if !evidence.is_empty() {
        out += "\n## Evidence\n\n";
        out += &evidence;
    }
    out
}

fn busy(load: &str, cpus: usize) -> bool {
    load.parse::<f64>().is_ok_and(|l| l > 0.5 * cpus.max(1) as f64)
}

fn markdown(table: &[Row]) -> String {
    let mut out = "| measure | value | goal | ok? |\n|---|---|---|---|\n".to_owned();
    for r in table {
        let ok = match r.ok {
            Some(true) => "yes",
            Some(false) => "**no**",
            None => "—",
        };
        let _ = writeln!(out, "| {} | {} | {} | {ok} |", r.measure, r.value, r.goal);
    }
    out
}

fn max_of(samples: &[usize]) -> usize {
    samples.iter().max().copied().unwrap_or(0)
}

pub fn median(samples: &[Duration]) -> Duration {
    let mut sorted = samples.to_vec();
    sorted.sort_unstable();
    sorted.get(sorted.len() / 2).copied().unwrap_or_default()
}

/// Bytes as text a reader can follow: ESC as `␛`, other controls as `\xNN`.
pub fn escape(bytes: &[u8], max_chars: usize) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::new();
    for (n, c) in text.chars().enumerate() {
        if n >= max_chars {
            out.push('…');
            break;
        }
        match c {
            '\x1b' => out.push('␛'),
            '`' => out.push('\''),
            c if c.is_control() => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

fn megabytes(kib: u64) -> String {
    format!("{:.1} MB ({})", (kib * 1024) as f64 / 1e6, mib(kib))
}
