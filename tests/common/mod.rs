//! Shared helpers: a temp database per test and the real binary to drive it.
#![allow(dead_code)]

pub mod sample_desk;

use assert_cmd::Command;
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

pub struct Desk {
    pub dir: TempDir,
    pub db: PathBuf,
}

impl Desk {
    /// A fresh, not yet created database in its own temp dir.
    pub fn new() -> Desk {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("tickets.db");
        Desk { dir, db }
    }

    /// The binary with `--db` set, isolated from the user's environment.
    pub fn cmd(&self) -> Command {
        let mut cmd = Command::cargo_bin("ticketdesk").expect("binary");
        cmd.arg("--db")
            .arg(&self.db)
            .env("HOME", self.dir.path())
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env("TICKETDESK_HOST_CONFIG", self.dir.path().join("host-config.toml"))
            .env_remove("TICKETDESK_DB")
            .env_remove("TICKETDESK_CONFIG")
            .env_remove("ANTHROPIC_API_KEY")
            .env_remove("ANTHROPIC_BASE_URL");
        cmd
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

    /// Every row of every table we own, as text: equal dumps mean nothing changed.
    pub fn dump(&self) -> String {
        dump(&self.db)
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
