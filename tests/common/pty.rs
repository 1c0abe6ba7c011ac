//! Runs the real binary with its standard output on a pseudo-terminal, as when
//! an agent types a command at a shell, and collects every byte it writes.

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Runs `cmd` with stdout on a fresh terminal (raw mode, so the bytes arrive
/// exactly as written), stdin empty and stderr piped. The returned output's
/// stdout holds what reached the terminal.
pub fn run_on_terminal(cmd: Command) -> Output {
    run_on(cmd, open_raw_pty())
}

/// The same, on a terminal `cols` wide.
pub fn run_on_terminal_of_width(cmd: Command, cols: u16) -> Output {
    run_on(cmd, open_pty(Some((cols, 24))))
}

fn run_on(mut cmd: Command, (mut master, slave): (File, OwnedFd)) -> Output {
    cmd.stdin(Stdio::null()).stdout(Stdio::from(slave)).stderr(Stdio::piped());
    let child = cmd.spawn().expect("spawn");
    // The command holds the parent's copy of the terminal's far end: without
    // dropping it, reading would never see the end.
    drop(cmd);
    let reader = std::thread::spawn(move || {
        let mut seen = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            match master.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => seen.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => break, // EIO: every writer has closed the terminal
            }
        }
        seen
    });
    let mut output = child.wait_with_output().expect("wait");
    output.stdout = reader.join().expect("reader");
    output
}

fn open_raw_pty() -> (File, OwnedFd) {
    open_pty(None)
}

fn open_pty(size: Option<(u16, u16)>) -> (File, OwnedFd) {
    let (mut master, mut slave) = (-1, -1);
    let mut window =
        size.map(|(cols, rows)| libc::winsize { ws_row: rows, ws_col: cols, ws_xpixel: 0, ws_ypixel: 0 });
    let window_ptr = window.as_mut().map_or(std::ptr::null_mut(), |w| w as *mut libc::winsize);
    // SAFETY: openpty writes two descriptors we then own; the null pointers
    // ask for no name and default settings (and size, when none is given),
    // and the settings are then made raw.
    unsafe {
        let opened =
            libc::openpty(&mut master, &mut slave, std::ptr::null_mut(), std::ptr::null(), window_ptr);
        assert_eq!(opened, 0, "openpty: {}", std::io::Error::last_os_error());
        // Only the child's stdout should hold the far end, never a process
        // spawned meanwhile by another test, or the end would come late.
        for fd in [master, slave] {
            assert_eq!(libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC), 0, "FD_CLOEXEC");
        }
        let mut settings: libc::termios = std::mem::zeroed();
        assert_eq!(libc::tcgetattr(slave, &mut settings), 0, "tcgetattr");
        libc::cfmakeraw(&mut settings);
        assert_eq!(libc::tcsetattr(slave, libc::TCSANOW, &settings), 0, "tcsetattr");
        (File::from_raw_fd(master), OwnedFd::from_raw_fd(slave))
    }
}

/// A program running on a terminal of its own (its controlling terminal and
/// all three standard streams), which the test plays: it reads every byte
/// written and types or answers through [`Screen::send`].
pub struct Screen {
    master: File,
    output: Arc<Mutex<Vec<u8>>>,
    child: Child,
}

impl Screen {
    /// Starts `cmd` on a fresh `cols`×`rows` terminal (in raw mode, as the program will want it).
    pub fn start(mut cmd: Command, cols: u16, rows: u16) -> Screen {
        let (master, slave) = open_pty(Some((cols, rows)));
        let slave = File::from(slave);
        cmd.stdin(slave.try_clone().expect("dup")).stdout(slave.try_clone().expect("dup")).stderr(slave);
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = cmd.spawn().expect("spawn");
        drop(cmd);
        let output = Arc::new(Mutex::new(Vec::new()));
        let mut reader = master.try_clone().expect("dup");
        let sink = Arc::clone(&output);
        std::thread::spawn(move || {
            let mut chunk = [0u8; 4096];
            loop {
                match reader.read(&mut chunk) {
                    Ok(0) => break,
                    Ok(n) => sink.lock().unwrap().extend_from_slice(&chunk[..n]),
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(_) => break,
                }
            }
        });
        Screen { master, output, child }
    }

    /// Every byte the program has written so far.
    pub fn output(&self) -> Vec<u8> {
        self.output.lock().unwrap().clone()
    }

    /// Waits until the output holds `bytes`; returns when that was seen.
    pub fn wait_for(&self, bytes: &[u8], within: Duration) -> Instant {
        let deadline = Instant::now() + within;
        loop {
            if self.output().windows(bytes.len()).any(|w| w == bytes) {
                return Instant::now();
            }
            assert!(
                Instant::now() < deadline,
                "no {:?} within {within:?}; output so far: {:?}",
                String::from_utf8_lossy(bytes),
                String::from_utf8_lossy(&self.output())
            );
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// Types, or answers, as the terminal would.
    pub fn send(&mut self, bytes: &[u8]) {
        self.master.write_all(bytes).expect("write to the terminal");
    }

    /// Waits for the program to end; its exit code.
    pub fn wait_for_exit(&mut self, within: Duration) -> Option<i32> {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status.code();
            }
            assert!(Instant::now() < deadline, "still running after {within:?}");
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
