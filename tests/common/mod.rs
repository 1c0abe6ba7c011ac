//! Shared helpers: a temp database per test and the real binary to drive it.
#![allow(dead_code)]

pub mod postgres;
pub mod pty;
pub mod sample_desk;

use assert_cmd::Command;
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// Programs some tests need from the system, and the package that brings each.
const TOOLS: &[(&str, &str)] =
    &[("sqlite3", "sqlite3"), ("tmux", "tmux"), ("pgrep", "procps"), ("psql", "postgresql-client")];

/// `program` from the system, ready to run. When it is not installed the
/// test fails at once, naming the package to install, instead of failing
/// later with an error that does not say why.
pub fn tool(program: &str) -> std::process::Command {
    if !on_path(program) {
        let package = TOOLS.iter().find(|(p, _)| *p == program).map_or(program, |(_, package)| package);
        panic!(
            "this test needs `{program}`, which is not installed: install the `{package}` package \
             (Debian/Ubuntu: apt-get install {package}), or run .ci/run, which installs it"
        );
    }
    std::process::Command::new(program)
}

/// Whether an executable named `program` is on `PATH`.
pub fn on_path(program: &str) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::env::var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path).any(|dir| {
            std::fs::metadata(dir.join(program))
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
    })
}

/// The binary built for this test or bench (a bench gets the release build).
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_ticketdesk"))
}

pub struct Desk {
    pub dir: TempDir,
    /// The SQLite desk's file (for a server desk, a file that is never made).
    pub db: PathBuf,
    /// What `--db` says: the file, or the server desk's URL.
    pub location: String,
    /// The server desk's database, dropped with the desk.
    pub server: Option<postgres::Database>,
}

impl Desk {
    /// A fresh, not yet created database in its own temp dir.
    pub fn new() -> Desk {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("tickets.db");
        Desk { location: db.display().to_string(), dir, db, server: None }
    }

    /// A fresh, empty desk on the test PostgreSQL server (see
    /// [`postgres::server`]: `None` only outside CI, when there is none).
    pub fn postgres() -> Option<Desk> {
        let database = postgres::server()?.database();
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("not-used.db");
        Some(Desk { location: database.url.clone(), dir, db, server: Some(database) })
    }

    /// Points this SQLite desk at another file.
    pub fn move_to(&mut self, db: PathBuf) {
        self.location = db.display().to_string();
        self.db = db;
    }

    /// Whether this desk lives on the server.
    pub fn on_server(&self) -> bool {
        self.server.is_some()
    }

    /// A second fresh desk on the same engine as this one.
    pub fn another(&self) -> Desk {
        if self.on_server() { Desk::postgres().expect("the server this desk is on") } else { Desk::new() }
    }

    /// Runs `sql` (one statement both engines speak) past the application.
    pub fn execute(&self, sql: &str) {
        match &self.server {
            Some(database) => {
                database.connect().batch_execute(sql).expect(sql);
            }
            None => {
                self.conn().execute_batch(sql).expect(sql);
            }
        }
    }

    /// Runs `sql` past the application; the engine's refusal as text.
    pub fn try_execute(&self, sql: &str) -> Result<(), String> {
        match &self.server {
            Some(database) => database
                .connect()
                .batch_execute(sql)
                .map_err(|e| e.as_db_error().map_or_else(|| e.to_string(), |db| db.message().to_owned())),
            None => self.conn().execute_batch(sql).map_err(|e| e.to_string()),
        }
    }

    /// One whole number from `sql` (a count, say), on either engine.
    pub fn scalar(&self, sql: &str) -> i64 {
        match &self.server {
            Some(database) => database.connect().query_one(sql, &[]).expect(sql).get(0),
            None => self.conn().query_row(sql, [], |row| row.get(0)).expect(sql),
        }
    }

    /// The binary with `--db` set, isolated from the user's environment.
    pub fn cmd(&self) -> Command {
        Command::from_std(self.std_cmd())
    }

    /// The same, as a plain `std::process::Command`: to wire its streams by
    /// hand, spawn, time and kill.
    pub fn std_cmd(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(bin());
        cmd.arg("--db")
            .arg(&self.location)
            .env("HOME", self.dir.path())
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env("XDG_STATE_HOME", self.dir.path().join("state"))
            .env("TICKETDESK_HOST_CONFIG", self.dir.path().join("host-config.toml"))
            .env_remove("TICKETDESK_DB")
            .env_remove("TICKETDESK_CONFIG")
            .env_remove("ANTHROPIC_API_KEY")
            .env_remove("ANTHROPIC_BASE_URL")
            .env_remove("TICKETDESK_LOG");
        cmd
    }

    /// What a full-screen desk needs besides PATH and TERM: `home` of its own
    /// (its drafts are per agent, kept in its state dir) and this desk's config.
    pub fn screen_env(&self, home: &Path) -> Vec<(&'static str, String)> {
        vec![
            ("HOME", home.display().to_string()),
            ("XDG_CONFIG_HOME", self.dir.path().join("config").display().to_string()),
            ("XDG_STATE_HOME", home.join("state").display().to_string()),
            ("TICKETDESK_HOST_CONFIG", self.dir.path().join("none.toml").display().to_string()),
        ]
    }

    /// Runs a command that must succeed and returns its stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.cmd().args(args).output().expect("run");
        assert!(out.status.success(), "ticketdesk {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).expect("utf-8 stdout")
    }

    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut all = args.to_vec();
        all.push("--json");
        serde_json::from_str(&self.ok(&all)).expect("json")
    }

    /// Runs a command that must fail with `code`; returns its stderr.
    pub fn fails(&self, args: &[&str], code: i32) -> String {
        let out = self.cmd().args(args).output().expect("run");
        assert_eq!(
            out.status.code(),
            Some(code),
            "ticketdesk {args:?}: stdout {} stderr {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let stderr = String::from_utf8(out.stderr).expect("utf-8 stderr");
        assert!(!stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"), "{stderr}");
        stderr
    }

    pub fn add(&self, title: &str, description: &str, category: &str, priority: &str) -> i64 {
        let v = self.json(&[
            "add",
            "--title",
            title,
            "--description",
            description,
            "--category",
            category,
            "--priority",
            priority,
        ]);
        v["id"].as_i64().expect("id")
    }

    pub fn conn(&self) -> Connection {
        Connection::open(&self.db).expect("open raw")
    }

    /// A connection that keeps everyone else out, readers too, until it
    /// commits: the lock the first import into an empty desk holds.
    pub fn hold_exclusive_lock(&self) -> Connection {
        let holder = self.conn();
        holder.pragma_update(None, "journal_mode", "DELETE").expect("leave WAL");
        holder.execute_batch("BEGIN EXCLUSIVE").expect("exclusive lock");
        holder
    }

    /// Sets a title as a tool that ignores the title rule would (a desk from
    /// before the rule, say), for tests of how such text is shown.
    pub fn set_title_past_the_rules(&self, id: i64, title: &str) {
        let conn = self.conn();
        let rule: String = conn
            .query_row("SELECT sql FROM sqlite_schema WHERE name = 'tickets_rules_update'", [], |r| r.get(0))
            .expect("the title rule");
        conn.execute_batch("BEGIN; DROP TRIGGER tickets_rules_update;").expect("set the rule aside");
        conn.execute("UPDATE tickets SET title = ?1 WHERE id = ?2", rusqlite::params![title, id])
            .expect("update");
        conn.execute_batch(&rule).expect("put the rule back");
        conn.execute_batch("COMMIT").expect("commit");
    }

    /// Every ticket and running total, as text: equal dumps mean nothing
    /// changed.
    pub fn dump(&self) -> String {
        match &self.server {
            Some(database) => postgres::dump(database),
            None => dump(&self.db),
        }
    }

    pub fn write_file(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, contents).expect("write");
        path
    }
}

pub fn dump(db: &Path) -> String {
    let conn = Connection::open(db).expect("open raw");
    let mut out = String::new();
    for table in ["tickets", "ticket_counts"] {
        let mut stmt = conn.prepare(&format!("SELECT * FROM {table} ORDER BY 1, 2, 3")).expect("select");
        let columns = stmt.column_count();
        let mut rows = stmt.query([]).expect("query");
        while let Some(row) = rows.next().expect("row") {
            for i in 0..columns {
                let value: rusqlite::types::Value = row.get(i).expect("value");
                out.push_str(&format!("{value:?}|"));
            }
            out.push('\n');
        }
    }
    out
}

/// A JSONL import line.
pub fn jsonl(title: &str, description: &str, category: &str, priority: &str) -> String {
    serde_json::json!({"title": title, "description": description, "category": category, "priority": priority})
        .to_string()
}

/// Runs each named test body (`fn name(desk: &Desk)`) on a fresh SQLite desk
/// and on a fresh PostgreSQL desk, as `sqlite::name` and `postgres::name`.
#[macro_export]
macro_rules! on_each_engine {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(#[test]
            fn $name() {
                super::$name(&$crate::common::Desk::new());
            })+
        }
        mod postgres {
            $(#[test]
            fn $name() {
                if let Some(desk) = $crate::common::Desk::postgres() {
                    super::$name(&desk);
                }
            })+
        }
    };
}
