//! The log: one file a day in `<state dir>/ticketdesk/`, a week of them kept,
//! `ticketdesk.log` pointing at today's. Never the terminal: the full-screen
//! desk owns it, and scripts read stdout and stderr.
//!
//! What is logged says what happened and how long it took, never ticket text
//! or a key: Claude calls (outcome, latency, retry, breaker), waits for and
//! refusals by the store, and with `debug` the spans of a command.

use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::Mutex;

use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::FmtSpan;

/// Our own lines at `info`; other crates only when something is wrong.
pub const DEFAULT_FILTER: &str = "warn,ticketdesk=info";

/// The name that always points at the newest file.
pub const LATEST: &str = "ticketdesk.log";

/// Days of logs kept.
const KEPT_FILES: usize = 7;

/// `<state dir>/ticketdesk` (on Linux `~/.local/state/ticketdesk`), or the
/// local data dir where a system has no state dir.
pub fn directory() -> Option<PathBuf> {
    let dirs = directories::BaseDirs::new()?;
    Some(dirs.state_dir().unwrap_or_else(|| dirs.data_local_dir()).join("ticketdesk"))
}

/// Checks a `--log-level` / `TICKETDESK_LOG` value (env-filter syntax:
/// `debug`, `ticketdesk::store=trace,warn`).
pub fn parse_filter(raw: &str) -> Result<String, String> {
    EnvFilter::builder()
        .parse(raw)
        .map(|_| raw.to_owned())
        .map_err(|e| format!("must be a level (error, warn, info, debug, trace) or filter directives: {e}"))
}

/// Sends this process's log to the file. A folder that cannot be made or a
/// file that cannot be written leaves the program without a log, never
/// without its work: nothing about logging is ever an error.
pub fn init(filter: Option<&str>) {
    let Some(folder) = directory() else { return };
    let filter = EnvFilter::builder()
        .parse(filter.unwrap_or(DEFAULT_FILTER))
        .unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        // The close of a span carries its time: where a command's time went.
        .with_span_events(FmtSpan::CLOSE)
        .with_writer(Mutex::new(LazyFile { folder, file: None, failed: false }))
        // A log that cannot be written is never reported on the terminal.
        .log_internal_errors(false)
        .try_init();
}

/// The day's file, opened on the first line written: a command that logs
/// nothing creates nothing. Written synchronously: a line is a few hundred
/// bytes to a local file, and nothing is lost when a process exits or is
/// killed.
struct LazyFile {
    folder: PathBuf,
    file: Option<RollingFileAppender>,
    /// The file could not be opened: this process logs nothing more.
    failed: bool,
}

impl LazyFile {
    fn open(&mut self) -> io::Result<&mut RollingFileAppender> {
        if self.file.is_none() {
            std::fs::create_dir_all(&self.folder)?;
            let builder = || {
                RollingFileAppender::builder()
                    .rotation(Rotation::DAILY)
                    .filename_prefix("ticketdesk")
                    .filename_suffix("log")
                    .max_log_files(KEPT_FILES)
            };
            // Two processes may replace the link at the same moment; the
            // loser still logs, without moving the link.
            let appender = builder()
                .latest_symlink(LATEST)
                .build(&self.folder)
                .or_else(|_| builder().build(&self.folder))
                .map_err(io::Error::other)?;
            self.file = Some(appender);
        }
        Ok(self.file.as_mut().expect("just opened"))
    }
}

impl Write for LazyFile {
    /// Never fails: a line that cannot be logged is dropped, and after the
    /// first failure to open the file, no more are tried.
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.failed {
            return Ok(buf.len());
        }
        match self.open().and_then(|file| file.write_all(buf)) {
            Ok(()) => {}
            Err(_) => self.failed = self.file.is_none(),
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.file {
            Some(file) => file.flush(),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_use_env_filter_syntax() {
        assert!(parse_filter("debug").is_ok());
        assert!(parse_filter("warn,ticketdesk::store=trace").is_ok());
        assert!(parse_filter(DEFAULT_FILTER).is_ok());
        let err = parse_filter("ticketdesk=loud").unwrap_err();
        assert!(err.starts_with("must be a level"), "{err}");
    }

    #[test]
    fn nothing_is_created_until_a_line_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("state").join("ticketdesk");
        let mut file = LazyFile { folder: folder.clone(), file: None, failed: false };
        file.flush().unwrap();
        assert!(!folder.exists());
        file.write_all(b"one line\n").unwrap();
        let latest = std::fs::read_to_string(folder.join(LATEST)).unwrap();
        assert_eq!(latest, "one line\n");
        assert!(folder.join(LATEST).is_symlink(), "the stable name points at the day's file");
    }

    #[test]
    fn a_folder_that_cannot_be_made_drops_lines_without_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("not-a-folder");
        std::fs::write(&blocker, "").unwrap();
        let mut file = LazyFile { folder: blocker.join("ticketdesk"), file: None, failed: false };
        assert_eq!(file.write(b"a line\n").unwrap(), 7);
        assert!(file.failed);
        assert_eq!(file.write(b"another\n").unwrap(), 8);
    }
}
