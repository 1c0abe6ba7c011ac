//! Running a program as a whole process: wall time and peak RSS.
//!
//! A child's `ru_maxrss` includes the memory of the process that spawned it
//! (it starts as a copy, or a vfork share, of its parent), so a bench that has
//! touched a lot of memory would inflate every peak it measured. Each measured
//! process is therefore started by a fresh copy of this executable (the
//! spawner), which touches almost nothing, waits with `wait4` and reports back.

use anyhow::{Context, Result, bail};
use std::fs::File;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// First argument that turns this executable into the spawner.
pub const SPAWN_ARG: &str = "__scale_spawn";

/// One measured run.
#[derive(Clone, Copy)]
pub struct Sample {
    pub wall: Duration,
    pub rss_kib: u64,
}

/// Runs `program args` once, stdout discarded, stdin from `stdin` (or none),
/// stderr kept in `log`; fails with that stderr when the program fails.
pub fn measure(program: &str, args: &[String], stdin: Option<&Path>, log: &Path) -> Result<Sample> {
    let exe = std::env::current_exe().context("cannot find the bench executable")?;
    let stdin_arg = stdin.map_or_else(|| "-".into(), |p| p.display().to_string());
    let out = Command::new(exe)
        .arg(SPAWN_ARG)
        .arg(stdin_arg)
        .arg(log)
        .arg(program)
        .args(args)
        .stderr(Stdio::inherit())
        .output()
        .context("cannot start the spawner")?;
    let report = String::from_utf8_lossy(&out.stdout);
    let fields: Vec<u64> = report.split_whitespace().filter_map(|f| f.parse().ok()).collect();
    let [nanos, rss_kib, code] = fields[..] else {
        bail!("spawner failed for {program}: {report:?}");
    };
    if code != 0 {
        let stderr = std::fs::read_to_string(log).unwrap_or_default();
        let tail: Vec<&str> = stderr.lines().rev().take(5).collect();
        bail!("{program} {} exited with {code}: {}", args.join(" "), tail.join(" | "));
    }
    Ok(Sample { wall: Duration::from_nanos(nanos), rss_kib })
}

/// Runs a program to completion and returns its stdout; for checks, not timings.
pub fn capture(program: &str, args: &[String]) -> Result<String> {
    let out = Command::new(program).args(args).output().with_context(|| format!("cannot run {program}"))?;
    if !out.status.success() {
        bail!("{program} {} failed: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).trim());
    }
    String::from_utf8(out.stdout).context("output is not UTF-8")
}

/// The spawner's whole life: `SPAWN_ARG stdin log program args...` prints
/// `<wall ns> <ru_maxrss KiB> <exit code>`.
pub fn spawner_main(args: &[String]) -> ! {
    match spawn_and_wait(args) {
        Ok((wall, rss_kib, code)) => {
            println!("{} {rss_kib} {code}", wall.as_nanos());
            std::process::exit(0)
        }
        Err(e) => {
            eprintln!("[scale] spawner: {e}");
            std::process::exit(1)
        }
    }
}

fn spawn_and_wait(args: &[String]) -> std::io::Result<(Duration, i64, i32)> {
    let [stdin, log, program, rest @ ..] = args else {
        return Err(std::io::Error::other("usage: SPAWN stdin log program args..."));
    };
    let mut cmd = Command::new(program);
    cmd.args(rest).stdout(Stdio::null()).stderr(File::create(log)?);
    cmd.stdin(if stdin == "-" { Stdio::null() } else { File::open(stdin)?.into() });
    let start = Instant::now();
    let child = cmd.spawn()?;
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: rusage is plain old data, valid when zeroed.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: both pointers are to live locals; pid is our own child.
        let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if reaped == pid {
            break;
        }
        let err = std::io::Error::last_os_error();
        if err.kind() != std::io::ErrorKind::Interrupted {
            return Err(err);
        }
    }
    let wall = start.elapsed();
    let code = if libc::WIFEXITED(status) { libc::WEXITSTATUS(status) } else { 128 + libc::WTERMSIG(status) };
    Ok((wall, usage.ru_maxrss, code))
}
