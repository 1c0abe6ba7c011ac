//! Drives the real TUI in a private tmux server, as an agent at a terminal
//! would: type keys, read the screen, wait for what should appear.
#![allow(dead_code)] // Shared by several test binaries, each using a part.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

pub struct Tmux {
    socket: PathBuf,
    pub session: String,
    /// Where the shell around the program writes its exit status.
    status_file: PathBuf,
}

fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("tmux is installed");
    assert!(out.status.success(), "tmux failed: {}", String::from_utf8_lossy(&out.stderr));
    out
}

impl Tmux {
    /// Starts `program args` in a new detached session of the given size,
    /// with exactly the environment given (plus PATH and TERM).
    pub fn start(
        dir: &Path,
        program: &Path,
        args: &[&str],
        env: &[(&str, String)],
        size: (u16, u16),
    ) -> Tmux {
        // A server of its own per start: one just killed in the same folder
        // may still be shutting down, and a client reaching it fails.
        static STARTS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let start = STARTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let socket = dir.join(format!("tmux-{start}.sock"));
        let session = "td".to_owned();
        let status_file = dir.join("exit-status");
        // An earlier session in the same folder may have left its status.
        let _ = std::fs::remove_file(&status_file);
        let mut command_line = String::from("env -i");
        let mut all_env: Vec<(String, String)> = vec![
            ("PATH".into(), std::env::var("PATH").unwrap_or_default()),
            ("TERM".into(), "xterm-256color".into()),
            ("LANG".into(), "C.UTF-8".into()),
        ];
        all_env.extend(env.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
        for (key, value) in &all_env {
            command_line.push_str(&format!(" {key}={}", shell_quote(value)));
        }
        command_line.push_str(&format!(" {}", shell_quote(&program.display().to_string())));
        for arg in args {
            command_line.push_str(&format!(" {}", shell_quote(arg)));
        }
        // The pane stays open after the program ends, so its last screen and
        // the terminal's state can still be read; the status goes to a file.
        command_line.push_str(&format!("; echo $? > {}", shell_quote(&status_file.display().to_string())));
        let tmux = Tmux { socket, session, status_file };
        run(tmux
            .cmd()
            .args(["-f", "/dev/null", "new-session", "-d", "-s", &tmux.session])
            .args(["-x", &size.0.to_string(), "-y", &size.1.to_string()])
            .arg(&command_line));
        run(tmux.cmd().args(["set-option", "-t", &tmux.session, "remain-on-exit", "on"]));
        tmux
    }

    fn cmd(&self) -> Command {
        let mut cmd = super::common::tool("tmux");
        cmd.arg("-S").arg(&self.socket);
        cmd
    }

    /// Sends tmux key names ("Tab", "C-s", "Escape") or literal text.
    pub fn keys(&self, keys: &[&str]) {
        run(self.cmd().args(["send-keys", "-t", &self.session]).args(keys));
    }

    /// Types text literally (no key-name lookup).
    pub fn type_text(&self, text: &str) {
        run(self.cmd().args(["send-keys", "-t", &self.session, "-l", text]));
    }

    /// Makes the window `width` × `height`, as an agent dragging it would.
    pub fn resize(&self, width: u16, height: u16) {
        run(self.cmd().args(["resize-window", "-t", &self.session]).args([
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
        ]));
    }

    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&run(self.cmd().args(["capture-pane", "-p", "-t", &self.session])).stdout)
            .into_owned()
    }

    pub fn format(&self, format: &str) -> String {
        let out = run(self.cmd().args(["display-message", "-p", "-t", &self.session, format]));
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    /// Polls the screen until `ready` holds, or fails with the last screen.
    pub fn wait_for(&self, what: &str, ready: impl Fn(&str) -> bool) -> String {
        self.poll(Duration::from_secs(15), what, |s| ready(s).then_some(()))
            .map(|(screen, ())| screen)
            .unwrap()
    }

    /// Polls the screen until `found` reads something from it, for at most
    /// `within`; the error names what was awaited and shows the last screen.
    pub fn poll<T>(
        &self,
        within: Duration,
        what: &str,
        found: impl Fn(&str) -> Option<T>,
    ) -> Result<(String, T), String> {
        let deadline = Instant::now() + within;
        loop {
            let screen = self.screen();
            if let Some(value) = found(&screen) {
                return Ok((screen, value));
            }
            if Instant::now() >= deadline {
                return Err(format!("timed out after {within:?} waiting for {what}; screen:\n{screen}"));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn wait_for_text(&self, text: &str) -> String {
        self.wait_for(text, |s| s.contains(text))
    }

    /// Waits for the program to end; returns its exit status.
    pub fn wait_for_exit(&self) -> i32 {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(status) =
                std::fs::read_to_string(&self.status_file).ok().and_then(|s| s.trim().parse().ok())
            {
                return status;
            }
            assert!(Instant::now() < deadline, "the program did not exit; screen:\n{}", self.screen());
            std::thread::sleep(Duration::from_millis(40));
        }
    }

    /// The program's process id (the pane runs a shell, which runs it).
    pub fn pid(&self) -> i32 {
        let shell = self.format("#{pane_pid}");
        let out = super::common::tool("pgrep").args(["-P", &shell]).output().expect("pgrep");
        let text = String::from_utf8_lossy(&out.stdout);
        text.lines().next().and_then(|l| l.trim().parse().ok()).expect("the program's pid")
    }
}

/// The ticket marked as selected in the list, e.g. "#2".
pub fn selected_row(screen: &str) -> Option<&str> {
    let line = screen.lines().find(|l| l.contains('›'))?;
    let after = &line[line.find('›')? + '›'.len_utf8()..];
    after.split_whitespace().next()
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd().arg("kill-server").output();
    }
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}
