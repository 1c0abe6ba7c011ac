//! One ticketdesk desk and its floor twin holding the same dataset, on either
//! engine: a SQLite file beside a plain `sqlite3` database, or a PostgreSQL
//! database beside a plain one on the same server. Each query's floor runs
//! through the engine's own shell (`sqlite3`, `psql`) on the desk itself.

use anyhow::{Context, Result, bail};
use serde_json::Value;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::data::Dataset;
use crate::pg::{self, Server};
use crate::proc::{self, Sample};
use crate::units::{millis, seconds, thousands};
use crate::{BIN, Goal, Query, RUNS};

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// The hand-written filter for "the title or the description holds
    /// `text`, in any case": SQLite's LIKE ignores ASCII case; on
    /// PostgreSQL, `lower(..) LIKE` is what the desk's trigram indexes answer.
    pub fn contains(self, text: &str) -> String {
        match self {
            Dialect::Sqlite => format!("(title LIKE '%{text}%' OR description LIKE '%{text}%')"),
            Dialect::Postgres => {
                format!(
                    "(lower(title COLLATE \"C\") LIKE '%{text}%' OR lower(description COLLATE \"C\") LIKE '%{text}%')"
                )
            }
        }
    }

    /// What `stats` shows, counted from the tickets by hand.
    pub fn stats_sql(self) -> &'static str {
        match self {
            Dialect::Sqlite => {
                "SELECT priority, count(*), sum(status = 'open'), min(created_at) FROM tickets GROUP BY priority; \
                 SELECT category, count(*), sum(status = 'open') FROM tickets GROUP BY category;"
            }
            Dialect::Postgres => {
                "SELECT priority, count(*), count(*) FILTER (WHERE status = 'open'), min(created_at) \
                 FROM tickets GROUP BY priority; \
                 SELECT category, count(*), count(*) FILTER (WHERE status = 'open') FROM tickets GROUP BY category;"
            }
        }
    }

    /// A search's goal: against a scan (SQLite's LIKE) ticketdesk must win
    /// by `goal`; where the floor's SQL walks the same trigram indexes
    /// (PostgreSQL), it must stay within 1.5× of it.
    pub fn search_goal(self, goal: Goal) -> Goal {
        match (self, goal) {
            (Dialect::Postgres, Goal::FasterBy(_)) => Goal::AtMost(1.5),
            _ => goal,
        }
    }
}

pub struct Desk {
    pub rows: usize,
    /// Scratch files: logs and scripts.
    pub dir: PathBuf,
    pub dialect: Dialect,
    /// The desk's location, as `--db` takes it.
    pub td: String,
    /// The floor twin: a file or a database URL.
    floor: String,
    /// Import runs (ticketdesk, floor); `None` when reused.
    pub import: Option<(Sample, Sample)>,
    /// A ticketdesk import into an empty desk another process has open.
    pub held_import: Option<Sample>,
}

impl Desk {
    pub fn build(set: &Dataset, data_dir: &Path, reuse: bool, server: Option<&Server>) -> Result<Desk> {
        match server {
            None => Desk::build_sqlite(set, data_dir, reuse),
            Some(server) => Desk::build_postgres(set, data_dir, reuse, server),
        }
    }

    fn build_sqlite(set: &Dataset, data_dir: &Path, reuse: bool) -> Result<Desk> {
        let dir = data_dir.join(format!("db-{}", set.rows));
        fs::create_dir_all(&dir)?;
        let mut desk = Desk {
            rows: set.rows,
            td: dir.join("ticketdesk.db").display().to_string(),
            floor: dir.join("floor.db").display().to_string(),
            dir,
            dialect: Dialect::Sqlite,
            import: None,
            held_import: None,
        };
        if reuse
            && Path::new(&desk.td).exists()
            && Path::new(&desk.floor).exists()
            && desk.counts().ok() == Some((set.rows, set.rows))
        {
            eprintln!("[scale] reusing the {}-row databases in {}", set.rows, desk.dir.display());
            return Ok(desk);
        }
        for db in [&desk.td, &desk.floor] {
            for suffix in ["", "-wal", "-shm", "-journal"] {
                let _ = fs::remove_file(format!("{db}{suffix}"));
            }
        }
        let script = desk.dir.join("floor-import.sql");
        fs::write(&script, sqlite_floor_script(&set.csv))?;
        let floor_args = vec!["-bail".to_string(), desk.floor.clone()];
        desk.import_both(set, ("sqlite3", floor_args), &script, "(.import, 4 indexes, FTS5 rebuild)")?;
        let log = desk.dir.join("stderr.log");
        desk.held_import = Some(desk.held_import(&set.jsonl.display().to_string(), &log)?);
        desk.assign_some()?;
        Ok(desk)
    }

    fn build_postgres(set: &Dataset, data_dir: &Path, reuse: bool, server: &Server) -> Result<Desk> {
        let dir = data_dir.join(format!("pg-{}", set.rows));
        fs::create_dir_all(&dir)?;
        let (td_name, floor_name) = (format!("bench_desk_{}", set.rows), format!("bench_floor_{}", set.rows));
        let mut desk = Desk {
            rows: set.rows,
            td: server.url(&td_name),
            floor: server.url(&floor_name),
            dir,
            dialect: Dialect::Postgres,
            import: None,
            held_import: None,
        };
        if reuse
            && server.has_database(&td_name)?
            && server.has_database(&floor_name)?
            && desk.counts().ok() == Some((set.rows, set.rows))
        {
            eprintln!("[scale] reusing the {}-row databases {td_name} and {floor_name}", set.rows);
            return Ok(desk);
        }
        server.fresh_database(&td_name)?;
        server.fresh_database(&floor_name)?;
        let script = desk.dir.join("floor-import.sql");
        fs::write(&script, postgres_floor_script(&set.csv))?;
        let mut floor_args = pg::psql_args(&desk.floor);
        floor_args.extend(["-f".to_string(), script.display().to_string()]);
        desk.import_both(
            set,
            (&pg::psql_program(), floor_args),
            &script,
            "(\\copy, 4 indexes, 2 trigram indexes, the word index)",
        )?;
        desk.assign_some()?;
        // The assignments leave a dead row version behind each: clean up and
        // write everything out, so no query is timed during that work.
        for db in [&desk.td, &desk.floor] {
            pg::psql(db, "VACUUM ANALYZE tickets")?;
            pg::psql(db, "CHECKPOINT")?;
        }
        Ok(desk)
    }

    /// Times ticketdesk's import, then the floor's (`program args`, which
    /// reads `script`), and checks both hold every row.
    fn import_both(
        &mut self,
        set: &Dataset,
        (program, args): (&str, Vec<String>),
        script: &Path,
        floor_work: &str,
    ) -> Result<()> {
        let log = self.dir.join("stderr.log");
        eprintln!("[scale] ticketdesk import of {} rows ...", set.rows);
        let jsonl = set.jsonl.display().to_string();
        let td = proc::measure(BIN, &self.td_args(&["import", &jsonl]), None, &log)?;
        eprintln!("[scale]   {}", seconds(td.wall));
        // sqlite3 reads its script on stdin; psql names it with -f.
        let stdin = (self.dialect == Dialect::Sqlite).then_some(script);
        eprintln!("[scale] floor import {floor_work} of {} rows ...", set.rows);
        let floor = proc::measure(program, &args, stdin, &log)?;
        eprintln!("[scale]   {}", seconds(floor.wall));
        let counts = self.counts()?;
        if counts != (set.rows, set.rows) {
            bail!(
                "after import: ticketdesk holds {} rows, the floor {}; expected {}",
                counts.0,
                counts.1,
                set.rows
            );
        }
        self.import = Some((td, floor));
        Ok(())
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
            match self.dialect {
                Dialect::Sqlite => drop(proc::capture("sqlite3", &[db.clone(), sql.clone()])?),
                Dialect::Postgres => drop(pg::psql(db, &sql)?),
            }
        }
        Ok(())
    }

    pub fn td_args(&self, args: &[&str]) -> Vec<String> {
        let mut all = vec!["--db".to_string(), self.td.clone()];
        all.extend(args.iter().map(|a| a.to_string()));
        all
    }

    /// The rows `sql` selects from the floor twin, as JSON objects.
    pub fn floor_rows(&self, sql: &str) -> Result<Vec<Value>> {
        match self.dialect {
            Dialect::Sqlite => {
                json_rows(&proc::capture("sqlite3", &["-json".into(), self.floor.clone(), sql.into()])?)
            }
            Dialect::Postgres => {
                let wrapped = format!("SELECT coalesce(json_agg(q), '[]'::json) FROM ({sql}) AS q");
                json_rows(&pg::psql(&self.floor, &wrapped)?)
            }
        }
    }

    /// A query's floor runs on the desk itself: the same schema (parsed by
    /// every process that opens a SQLite file), indexes and journal.
    fn same_desk(&self, sql: &str) -> (String, Vec<String>) {
        match self.dialect {
            Dialect::Sqlite => ("sqlite3".into(), vec!["-json".into(), self.td.clone(), sql.into()]),
            Dialect::Postgres => {
                let mut args = pg::psql_args(&self.td);
                args.extend(["-c".to_string(), sql.to_string()]);
                (pg::psql_program(), args)
            }
        }
    }

    /// The floor's shell, asked for its version only.
    fn floor_version_args(&self) -> (String, Vec<String>) {
        match self.dialect {
            Dialect::Sqlite => ("sqlite3".into(), vec!["-version".into()]),
            Dialect::Postgres => (pg::psql_program(), vec!["--version".into()]),
        }
    }

    /// What starting each program costs before it does any work (`--version`
    /// and the shell's own), timed like the queries.
    pub fn start_up(&self) -> Result<(Timing, Timing)> {
        let log = self.dir.join("stderr.log");
        let (program, args) = self.floor_version_args();
        let (mut td, mut floor) = (Vec::new(), Vec::new());
        for _ in 0..=RUNS {
            td.push(proc::measure(BIN, &["--version".to_string()], None, &log)?);
            floor.push(proc::measure(&program, &args, None, &log)?);
        }
        Ok((Timing::of(&td), Timing::of(&floor)))
    }

    /// Tickets in (ticketdesk, floor).
    fn counts(&self) -> Result<(usize, usize)> {
        let stats: Value = serde_json::from_str(&proc::capture(BIN, &self.td_args(&["stats", "--json"]))?)?;
        let floor = self.floor_rows("SELECT count(*) AS n FROM tickets")?;
        let n = |v: &Value| v.as_u64().unwrap_or(0) as usize;
        Ok((n(&stats["total_tickets"]), floor.first().map_or(0, |row| n(&row["n"]))))
    }

    /// One warm-up run, then [`RUNS`] runs of each side, alternating.
    pub fn time(&self, query: &Query) -> Result<(Timing, Timing)> {
        let log = self.dir.join("stderr.log");
        let td_args = self.td_args(&query.td.iter().map(String::as_str).collect::<Vec<_>>());
        let (program, floor_args) = self.same_desk(&query.sql);
        let (mut td, mut floor) = (Vec::new(), Vec::new());
        for _ in 0..=RUNS {
            td.push(proc::measure(BIN, &td_args, None, &log)?);
            floor.push(proc::measure(&program, &floor_args, None, &log)?);
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

    /// The sizes of (ticketdesk, floor) in GiB: files, or databases.
    pub fn sizes_gib(&self) -> (f64, f64) {
        let size = |db: &String| match self.dialect {
            Dialect::Sqlite => fs::metadata(db).map_or(0, |m| m.len()),
            Dialect::Postgres => pg::psql(db, "SELECT pg_database_size(current_database())")
                .ok()
                .and_then(|text| text.trim().parse().ok())
                .unwrap_or(0),
        } as f64
            / f64::from(1 << 30);
        (size(&self.td), size(&self.floor))
    }
}

fn sqlite_floor_script(csv: &Path) -> String {
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

/// A plain table loaded by `\copy`, then the desk's indexes (the keyset ones,
/// the two trigram ones and the word index) and fresh planner statistics, as
/// ticketdesk's import leaves its desk.
fn postgres_floor_script(csv: &Path) -> String {
    format!(
        "CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE TABLE tickets (
    id bigint PRIMARY KEY, title text NOT NULL, description text NOT NULL, category text NOT NULL,
    priority text NOT NULL, status text NOT NULL, created_at timestamptz(3) NOT NULL,
    updated_at timestamptz(3) NOT NULL
);
\\copy tickets FROM '{}' WITH (FORMAT csv, HEADER true)
CREATE INDEX tickets_by_created ON tickets (created_at, id);
CREATE INDEX tickets_by_status ON tickets (status, created_at, id);
CREATE INDEX tickets_by_priority ON tickets (priority, created_at, id);
CREATE INDEX tickets_by_category ON tickets (category, created_at, id);
CREATE INDEX tickets_search_title ON tickets USING gin (lower(title COLLATE \"C\") gin_trgm_ops);
CREATE INDEX tickets_search_description ON tickets USING gin (lower(description COLLATE \"C\") gin_trgm_ops);
CREATE INDEX tickets_words ON tickets USING gin (to_tsvector('simple', title || ' ' || description));
ALTER TABLE tickets ADD COLUMN assignee text;
CREATE INDEX tickets_by_assignee ON tickets (assignee, created_at, id) WHERE assignee IS NOT NULL;
ANALYZE tickets;
",
        csv.display().to_string().replace('\'', "''")
    )
}

/// A JSON array of objects (sqlite3 -json prints nothing for no rows).
pub fn json_rows(text: &str) -> Result<Vec<Value>> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    Ok(serde_json::from_str(text)?)
}

/// Median wall time (warm-up excluded) and peak RSS (warm-up included).
pub struct Timing {
    pub median: Duration,
    pub peak_rss_kib: u64,
}

impl Timing {
    pub fn of(samples: &[Sample]) -> Timing {
        let mut walls: Vec<Duration> = samples[1..].iter().map(|s| s.wall).collect();
        walls.sort();
        Timing {
            median: walls[walls.len() / 2],
            peak_rss_kib: samples.iter().map(|s| s.rss_kib).max().unwrap_or(0),
        }
    }
}
