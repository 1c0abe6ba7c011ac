//! The shared desk every actor works on: one database file, the binary under
//! test, and fresh `sqlite3` processes that read it as a report would.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use super::common::Desk;

pub struct Site {
    pub desk: Desk,
    /// The account every process here runs as (what `take` assigns).
    pub me: String,
}

impl Site {
    /// A new desk, created once as a host's set-up would.
    pub fn new() -> Site {
        let site = Site { desk: Desk::new(), me: ticketdesk::actor::current() };
        site.run(&["stats"]).expect("create the desk");
        site
    }

    /// `ticketdesk --db <desk> args…`, not started.
    pub fn command<S: AsRef<std::ffi::OsStr>>(&self, args: &[S]) -> Command {
        let mut cmd = self.desk.std_cmd();
        cmd.args(args).stdin(Stdio::null());
        cmd
    }

    /// Runs a command to its end; its stdout when it exits 0, else one line
    /// naming the command and what it said.
    pub fn run<S: AsRef<std::ffi::OsStr>>(&self, args: &[S]) -> Result<String, String> {
        let out = self.command(args).output().map_err(|e| format!("cannot start ticketdesk: {e}"))?;
        success(&out, &format!("ticketdesk {}", shown(args)))
    }

    /// Runs `sql` in a `sqlite3` process started now (so it sees only what
    /// was committed where every other process can see it).
    pub fn sqlite3(&self, sql: &str) -> Result<String, String> {
        self.sqlite3_on(&self.desk.db, sql)
    }

    pub fn sqlite3_on(&self, db: &std::path::Path, sql: &str) -> Result<String, String> {
        let mut child = super::common::tool("sqlite3")
            .args(["-bail", "-batch"])
            .arg(db)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start sqlite3: {e}"))?;
        let mut stdin = child.stdin.take().expect("piped stdin");
        // A writer may hold the lock for a moment: wait as the desk's own commands do.
        stdin
            .write_all(format!(".timeout 10000\n{sql}\n").as_bytes())
            .map_err(|e| format!("cannot write to sqlite3: {e}"))?;
        drop(stdin);
        let out = child.wait_with_output().map_err(|e| format!("sqlite3: {e}"))?;
        success(&out, &format!("sqlite3 {}", first_line(sql)))
    }

    /// A folder of the desk's own temp dir (screens, backups, import files).
    pub fn path(&self, name: &str) -> PathBuf {
        self.desk.dir.path().join(name)
    }
}

fn success(out: &Output, what: &str) -> Result<String, String> {
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!("{what}: {}: {}", out.status, first_line(&String::from_utf8_lossy(&out.stderr))))
    }
}

fn first_line(text: &str) -> &str {
    text.trim().lines().next().unwrap_or("")
}

fn shown<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> String {
    args.iter().map(|a| a.as_ref().to_string_lossy()).collect::<Vec<_>>().join(" ")
}

/// `text` as an SQL string literal.
pub fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// A duration's milliseconds, for reports.
pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Time left until `deadline`, or `None` once it passed.
pub fn left(deadline: Instant) -> Option<Duration> {
    deadline.checked_duration_since(Instant::now()).filter(|d| !d.is_zero())
}

/// When the run ends: at its deadline, or at once when something failed.
pub struct Clock {
    pub until: Instant,
    stopped: std::sync::atomic::AtomicBool,
}

impl Clock {
    pub fn new(run_for: Duration) -> Clock {
        Clock { until: Instant::now() + run_for, stopped: false.into() }
    }

    pub fn running(&self) -> bool {
        !self.stopped.load(std::sync::atomic::Ordering::SeqCst) && Instant::now() < self.until
    }

    pub fn stop(&self) {
        self.stopped.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}
