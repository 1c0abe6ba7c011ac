//! Shared by the fuzz targets: how a broken invariant is reported, and an
//! in-memory database with the application's real schema.
//!
//! Two kinds of check:
//! - [`fail`]: a hard invariant. Panics (libFuzzer saves the input as a crash)
//!   unless its kind is listed in `TICKETDESK_FUZZ_TOLERATE` (comma-separated),
//!   in which case it is recorded like a finding so a long run can go on
//!   exploring past a bug that is already known.
//! - [`note`]: a report-only finding (for example the FTS5 index missing a row
//!   that the search rule accepts). Recorded, never fatal, unless
//!   `TICKETDESK_FUZZ_STRICT` is `1` (every kind) or lists its kind
//!   (comma-separated), which turns it into a panic so that `cargo fuzz tmin`
//!   can minimise it without drifting to another kind.
//!
//! A recorded finding keeps, per kind, the shortest input seen so far in
//! `<artifact prefix>finding-<kind>` (the raw input, replayable with
//! `cargo fuzz run`) and `finding-<kind>.txt` (what went wrong, with the
//! input in Rust escape form). The first occurrence of each kind, and every
//! power-of-two count after it, is also printed to stderr.

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

struct Findings {
    /// Per kind: how many times seen, and the length of the shortest input kept.
    seen: HashMap<String, (u64, usize)>,
    prefix: PathBuf,
}

fn findings() -> &'static Mutex<Findings> {
    static FINDINGS: OnceLock<Mutex<Findings>> = OnceLock::new();
    FINDINGS.get_or_init(|| {
        // cargo fuzz passes -artifact_prefix=<fuzz>/artifacts/<target>/.
        let prefix = std::env::args()
            .find_map(|a| a.strip_prefix("-artifact_prefix=").map(PathBuf::from))
            .unwrap_or_else(|| PathBuf::from("./"));
        Mutex::new(Findings { seen: HashMap::new(), prefix })
    })
}

fn env_list(name: &str) -> Vec<String> {
    std::env::var(name)
        .map(|v| v.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect())
        .unwrap_or_default()
}

fn tolerated(kind: &str) -> bool {
    static TOLERATE: OnceLock<Vec<String>> = OnceLock::new();
    TOLERATE.get_or_init(|| env_list("TICKETDESK_FUZZ_TOLERATE")).iter().any(|k| k == kind)
}

fn strict(kind: &str) -> bool {
    static STRICT: OnceLock<Vec<String>> = OnceLock::new();
    STRICT.get_or_init(|| env_list("TICKETDESK_FUZZ_STRICT")).iter().any(|k| k == "1" || k == kind)
}

fn record(kind: &str, input: &[u8], detail: &str) {
    let mut f = findings().lock().unwrap_or_else(|e| e.into_inner());
    let prefix = f.prefix.clone();
    let base = prefix.as_os_str().to_string_lossy().into_owned() + "finding-" + kind;
    // A finding kept by an earlier run stays unless this one is shorter.
    let kept = std::fs::metadata(&base).map_or(usize::MAX, |m| m.len() as usize);
    let entry = f.seen.entry(kind.to_owned()).or_insert((0, kept));
    entry.0 += 1;
    let count = entry.0;
    if input.len() < entry.1 {
        entry.1 = input.len();
        let _ = std::fs::write(&base, input);
        let text = format!(
            "kind: {kind}\ninput ({} bytes): {:?}\n{detail}\n",
            input.len(),
            String::from_utf8_lossy(input)
        );
        let _ = std::fs::write(format!("{base}.txt"), text);
    }
    if count.is_power_of_two() {
        eprintln!("FINDING #{count} {kind}: {detail} (input {:?})", String::from_utf8_lossy(input));
    }
}

/// A hard invariant failed.
pub fn fail(kind: &str, input: &[u8], detail: String) {
    if tolerated(kind) {
        record(kind, input, &detail);
    } else {
        panic!("invariant {kind} broken: {detail}");
    }
}

/// Something worth reporting that does not break the target by default.
pub fn note(kind: &str, input: &[u8], detail: String) {
    if strict(kind) {
        panic!("finding {kind}: {detail}");
    }
    record(kind, input, &detail);
}

/// The application's migrations, in the order the app applies them. V1 holds
/// the tickets table, its CHECKs and the FTS5 index; V2 adds version/assignee.
/// Add later ones here.
pub const MIGRATIONS: &[&str] =
    &[include_str!("../../migrations/V1__tickets.sql"), include_str!("../../migrations/V2__shared_desk.sql")];

/// An in-memory database with the real schema, rebuilt every so often so the
/// FTS5 index does not grow with the run.
pub struct Db {
    conn: rusqlite::Connection,
    uses: u32,
}

impl Db {
    pub fn new() -> Db {
        let conn = rusqlite::Connection::open_in_memory().expect("in-memory database");
        for migration in MIGRATIONS {
            conn.execute_batch(migration).expect("the schema applies");
        }
        Db { conn, uses: 0 }
    }

    /// The connection, replaced by a fresh one every 20,000 uses.
    pub fn conn(&mut self) -> &rusqlite::Connection {
        self.uses += 1;
        if self.uses > 20_000 {
            *self = Db::new();
            self.uses = 1;
        }
        &self.conn
    }
}
