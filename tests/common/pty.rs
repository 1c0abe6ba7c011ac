//! Runs the real binary with its standard output on a pseudo-terminal, as when
//! an agent types a command at a shell, and collects every byte it writes.

use std::fs::File;
use std::io::Read;
use std::os::fd::{FromRawFd, OwnedFd};
use std::process::{Command, Output, Stdio};

/// Runs `cmd` with stdout on a fresh terminal (raw mode, so the bytes arrive
/// exactly as written), stdin empty and stderr piped. The returned output's
/// stdout holds what reached the terminal.
pub fn run_on_terminal(mut cmd: Command) -> Output {
    let (mut master, slave) = open_raw_pty();
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
    let (mut master, mut slave) = (-1, -1);
    // SAFETY: openpty writes two descriptors we then own; the null pointers
    // ask for no name, default settings and size.
    unsafe {
        let opened =
            libc::openpty(&mut master, &mut slave, std::ptr::null_mut(), std::ptr::null(), std::ptr::null());
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
