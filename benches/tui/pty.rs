//! The app in a pseudo-terminal of our own: a reader thread stamps every chunk
//! the app writes with the moment it arrived; the bench writes keys and asks
//! the emulated screen what it shows.

use anyhow::{Context, Result, bail};
use std::ffi::CStr;
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, ExitStatus};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::screen::Screen;

/// Thread id → (nanoseconds on a CPU, times scheduled in).
pub type Threads = std::collections::HashMap<String, (u64, u64)>;

/// What the threads did between two looks: CPU time and times scheduled in.
/// Threads that ended in between are left out (their last moments are lost).
pub fn activity(before: &Threads, after: &Threads) -> (Duration, u64) {
    let mut total = (Duration::ZERO, 0);
    for (tid, (cpu, slices)) in after {
        let (cpu0, slices0) = before.get(tid).copied().unwrap_or((0, 0));
        total.0 += Duration::from_nanos(cpu.saturating_sub(cpu0));
        total.1 += slices.saturating_sub(slices0);
    }
    total
}

/// One read from the terminal: when it arrived and what it held.
pub struct Chunk {
    pub at: Instant,
    pub bytes: Vec<u8>,
}

#[derive(Default)]
struct Output {
    chunks: Vec<Chunk>,
    /// The app closed its side (it exited).
    closed: bool,
}

#[derive(Default)]
struct Shared {
    output: Mutex<Output>,
    arrived: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Output> {
        self.output.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn wait<'a>(&self, guard: MutexGuard<'a, Output>, timeout: Duration) -> MutexGuard<'a, Output> {
        match self.arrived.wait_timeout(guard, timeout) {
            Ok((guard, _)) => guard,
            Err(poisoned) => poisoned.into_inner().0,
        }
    }
}

/// What the app wrote in answer to something, from the moment it was sent.
pub struct Response {
    /// From sending to the last chunk before the quiet window (none: no output).
    pub latency: Option<Duration>,
    pub bytes: usize,
    /// When each chunk arrived (from sending) and its size.
    pub chunks: Vec<(Duration, usize)>,
    /// The chunks, in order (for the trace).
    pub output: Vec<u8>,
}

pub struct Session {
    child: Child,
    master: File,
    shared: Arc<Shared>,
    reader: Option<JoinHandle<()>>,
    pub spawned: Instant,
    pub screen: Screen,
    /// Chunks already fed to `screen`.
    fed: usize,
}

/// Opens a pty of `cols`×`rows` and starts `cmd` on it as a session leader
/// with the pty as its controlling terminal and stdin, stdout and stderr.
pub fn spawn(mut cmd: Command, cols: u16, rows: u16) -> Result<Session> {
    let (master, slave) = open_pty(cols, rows)?;
    cmd.stdin(slave.try_clone()?).stdout(slave.try_clone()?).stderr(slave);
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let shared = Arc::new(Shared::default());
    let mut reader_side = master.try_clone()?;
    let mut answer_side = master.try_clone()?;
    let spawned = Instant::now();
    let child = cmd.spawn().context("cannot start ticketdesk in the pty")?;
    // Our copies of the slave go with `cmd`, so the app's exit closes the pty.
    drop(cmd);
    let sink = Arc::clone(&shared);
    let reader = std::thread::Builder::new().name("pty-reader".into()).spawn(move || {
        let mut buf = vec![0u8; 1 << 16];
        loop {
            match reader_side.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    let at = Instant::now();
                    let bytes = buf[..n].to_vec();
                    // A terminal answers a cursor-position query; so does this one.
                    if bytes.windows(4).any(|w| w == b"\x1b[6n") {
                        let _ = answer_side.write_all(b"\x1b[1;1R");
                    }
                    // And device attributes, asked behind the background colour query
                    // (`theme = "auto"`): without an answer the app would wait out its 100 ms.
                    if bytes.windows(3).any(|w| w == b"\x1b[c") {
                        let _ = answer_side.write_all(b"\x1b[?62;22c");
                    }
                    sink.lock().chunks.push(Chunk { at, bytes });
                    sink.arrived.notify_all();
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => break, // EIO: the app's side is closed
            }
        }
        sink.lock().closed = true;
        sink.arrived.notify_all();
    })?;
    Ok(Session {
        child,
        master,
        shared,
        reader: Some(reader),
        spawned,
        screen: Screen::new(cols, rows),
        fed: 0,
    })
}

fn open_pty(cols: u16, rows: u16) -> Result<(File, File)> {
    // SAFETY: plain libc calls on a descriptor we own; the name buffer outlives its use.
    unsafe {
        let fd = libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC);
        if fd < 0 {
            return Err(std::io::Error::last_os_error()).context("posix_openpt");
        }
        let master = File::from(OwnedFd::from_raw_fd(fd));
        if libc::grantpt(fd) != 0 || libc::unlockpt(fd) != 0 {
            return Err(std::io::Error::last_os_error()).context("grantpt/unlockpt");
        }
        let mut name = [0 as libc::c_char; 128];
        if libc::ptsname_r(fd, name.as_mut_ptr(), name.len()) != 0 {
            return Err(std::io::Error::last_os_error()).context("ptsname_r");
        }
        let size = libc::winsize { ws_row: rows, ws_col: cols, ws_xpixel: 0, ws_ypixel: 0 };
        if libc::ioctl(fd, libc::TIOCSWINSZ, &size) != 0 {
            return Err(std::io::Error::last_os_error()).context("TIOCSWINSZ");
        }
        let path = CStr::from_ptr(name.as_ptr()).to_string_lossy().into_owned();
        let slave = OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_NOCTTY)
            .open(Path::new(&path))
            .with_context(|| format!("cannot open {path}"))?;
        Ok((master, slave))
    }
}

impl Session {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Chunks received so far.
    pub fn mark(&self) -> usize {
        self.shared.lock().chunks.len()
    }

    pub fn bytes_since(&self, mark: usize) -> Vec<u8> {
        self.shared.lock().chunks[mark..].iter().flat_map(|c| c.bytes.iter().copied()).collect()
    }

    /// When each chunk from `mark` on arrived, counted from `since`, and its size.
    pub fn timings_since(&self, mark: usize, since: Instant) -> Vec<(Duration, usize)> {
        let output = self.shared.lock();
        output.chunks[mark..].iter().map(|c| (c.at.saturating_duration_since(since), c.bytes.len())).collect()
    }

    /// Everything the app has written.
    pub fn all_output(&self) -> Vec<u8> {
        self.bytes_since(0)
    }

    pub fn send(&mut self, keys: &[u8]) -> Result<Instant> {
        let at = Instant::now();
        self.master.write_all(keys).context("cannot write to the pty")?;
        Ok(at)
    }

    /// Feeds new chunks to the screen one at a time until `done` holds;
    /// returns the arrival time of the chunk that made it hold.
    pub fn wait_for(&mut self, timeout: Duration, done: impl Fn(&Screen) -> bool) -> Result<Instant> {
        let deadline = Instant::now() + timeout;
        let mut output = self.shared.lock();
        if self.fed > 0 && done(&self.screen) {
            return Ok(output.chunks[self.fed - 1].at);
        }
        loop {
            while self.fed < output.chunks.len() {
                let chunk = &output.chunks[self.fed];
                self.screen.feed(&chunk.bytes);
                self.fed += 1;
                if done(&self.screen) {
                    return Ok(chunk.at);
                }
            }
            if output.closed {
                bail!("the app exited before the screen showed what was expected");
            }
            let now = Instant::now();
            if now >= deadline {
                bail!("timed out after {timeout:?} waiting for the screen");
            }
            output = self.shared.wait(output, deadline - now);
        }
    }

    /// Waits until `done` holds on the screen and nothing has arrived for
    /// `quiet`, counting from `since` (when something was sent, say). Output
    /// from chunk `mark` on is the response.
    pub fn respond(
        &mut self,
        mark: usize,
        since: Instant,
        quiet: Duration,
        timeout: Duration,
        done: impl Fn(&Screen) -> bool,
    ) -> Result<Response> {
        let deadline = since + timeout;
        let mut output = self.shared.lock();
        loop {
            while self.fed < output.chunks.len() {
                self.screen.feed(&output.chunks[self.fed].bytes);
                self.fed += 1;
            }
            let last = output.chunks[mark.min(output.chunks.len())..].last().map(|c| c.at);
            let now = Instant::now();
            let quiet_since = last.unwrap_or(since).max(since);
            if done(&self.screen) && now >= quiet_since + quiet {
                let chunks = &output.chunks[mark..];
                let bytes: Vec<u8> = chunks.iter().flat_map(|c| c.bytes.iter().copied()).collect();
                return Ok(Response {
                    latency: last.map(|at| at.saturating_duration_since(since)),
                    bytes: bytes.len(),
                    chunks: chunks
                        .iter()
                        .map(|c| (c.at.saturating_duration_since(since), c.bytes.len()))
                        .collect(),
                    output: bytes,
                });
            }
            if output.closed {
                bail!("the app exited while an answer was awaited");
            }
            if now >= deadline {
                bail!("timed out after {timeout:?} waiting for the screen to settle");
            }
            let wake = (quiet_since + quiet).max(now + Duration::from_millis(1)).min(deadline);
            output = self.shared.wait(output, wake - now);
        }
    }

    /// Waits until nothing has arrived for `quiet`.
    pub fn settle(&mut self, quiet: Duration, timeout: Duration) -> Result<()> {
        let mark = self.mark();
        self.respond(mark, Instant::now(), quiet, timeout, |_| true).map(|_| ())
    }

    /// The app's VmHWM (peak resident set) from /proc, in KiB.
    pub fn peak_rss_kib(&self) -> Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()))?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .context("no VmHWM in /proc/<pid>/status")
    }

    /// Per thread of the app: CPU time so far and how many times it was
    /// scheduled in (about how often it woke up), from /proc schedstat.
    pub fn threads(&self) -> Result<Threads> {
        let mut threads = Threads::new();
        for task in std::fs::read_dir(format!("/proc/{}/task", self.pid()))? {
            let task = task?;
            // A thread may end between listing and reading: skip it.
            let Ok(text) = std::fs::read_to_string(task.path().join("schedstat")) else { continue };
            let fields: Vec<u64> = text.split_whitespace().filter_map(|f| f.parse().ok()).collect();
            if let [on_cpu, _, slices] = fields[..] {
                threads.insert(task.file_name().to_string_lossy().into_owned(), (on_cpu, slices));
            }
        }
        Ok(threads)
    }

    /// Waits up to `timeout` for the app to exit; kills it if it does not.
    pub fn wait_exit(&mut self, timeout: Duration) -> Result<Option<(ExitStatus, Duration)>> {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait()? {
                self.join_reader();
                return Ok(Some((status, start.elapsed())));
            }
            if start.elapsed() >= timeout {
                self.kill();
                return Ok(None);
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    fn join_reader(&mut self) {
        // The reader ends once the pty reports the other side closed.
        if let Some(reader) = self.reader.take() {
            let deadline = Instant::now() + Duration::from_secs(2);
            while !reader.is_finished() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(2));
            }
            if reader.is_finished() {
                let _ = reader.join();
            }
        }
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.join_reader();
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            self.kill();
        }
    }
}
