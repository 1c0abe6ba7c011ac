//! Every error is one line on stderr and says each thing once: usage
//! mistakes clap catches, files that are not what they should be, and files
//! another account may not read.

mod common;

use assert_cmd::Command;
use common::Desk;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// The binary isolated like `Desk::cmd`, but with no `--db` of its own.
fn bare(desk: &Desk) -> Command {
    Command::from_std(bare_std(desk))
}

fn bare_std(desk: &Desk) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_ticketdesk"));
    cmd.env("HOME", desk.dir.path())
        .env("XDG_CONFIG_HOME", desk.dir.path().join("config"))
        .env("TICKETDESK_HOST_CONFIG", desk.dir.path().join("host-config.toml"))
        .env_remove("TICKETDESK_DB")
        .env_remove("TICKETDESK_CONFIG")
        .env_remove("ANTHROPIC_API_KEY")
        .env_remove("ANTHROPIC_BASE_URL");
    cmd
}

/// Asserts the run failed with `code` and wrote exactly one line to stderr
/// in which no clause (a part between ": ") occurs twice; returns the line.
fn one_line_error(what: &str, cmd: &mut Command, code: i32) -> String {
    let out = cmd.output().expect("run");
    let stderr = String::from_utf8(out.stderr).expect("utf-8");
    assert_eq!(out.status.code(), Some(code), "{what}: {stderr}");
    assert!(out.stdout.is_empty(), "{what}: stdout {}", String::from_utf8_lossy(&out.stdout));
    assert!(stderr.ends_with('\n') && stderr.lines().count() == 1, "{what}: not one line:\n{stderr}");
    let line = stderr.trim_end();
    let body = line.strip_prefix("ticketdesk: ").unwrap_or_else(|| panic!("{what}: {line}"));
    for clause in body.split(": ").map(str::trim).filter(|c| c.len() >= 6) {
        assert_eq!(body.matches(clause).count(), 1, "{what}: {clause:?} said twice in {line:?}");
    }
    line.to_owned()
}

#[test]
fn usage_mistakes_are_one_line_with_exit_2() {
    let desk = Desk::new();
    let cases: &[&[&str]] = &[
        &["--bogus"],
        &["list", "--jsn"],
        &["list", "--status", "done"],
        &["list", "--limit", "many"],
        &["show"],
        &["show", "abc"],
        &["show", "1", "2"],
        &["import"],
        &["assign", "1"],
        &["assign", "1", "bob", "--none"],
        &["add", "--title", "t", "--description", "d", "--description-file", "f"],
        &["classify", "--show-request", "--evaluate"],
        &["export", "--format", "xml"],
        &["db"],
        &["frobnicate"],
        &["list", "--db"],
    ];
    for args in cases {
        let line = one_line_error(&format!("{args:?}"), desk.cmd().args(*args), 2);
        assert!(line.ends_with("(see --help)"), "{args:?}: {line}");
    }
    let line = one_line_error("list --status done", desk.cmd().args(["list", "--status", "done"]), 2);
    assert!(line.contains("open, in_progress, resolved, closed"), "the choices are kept: {line}");
    let line = one_line_error("list --jsn", desk.cmd().args(["list", "--jsn"]), 2);
    assert!(line.contains("'--json'"), "the tip is kept: {line}");
    assert!(!desk.db.exists());
}

#[test]
fn help_and_version_are_printed_as_before() {
    let desk = Desk::new();
    let out = desk.cmd().arg("--help").output().unwrap();
    assert!(out.status.success() && out.stderr.is_empty());
    assert!(String::from_utf8_lossy(&out.stdout).lines().count() > 10);
    let out = desk.cmd().arg("--version").output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), format!("ticketdesk {}\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn files_that_cannot_be_used_are_named_once() {
    let desk = Desk::new();
    let dir = desk.dir.path().display().to_string();
    let line = one_line_error("a directory as --db", bare(&desk).args(["--db", &dir, "list"]), 1);
    assert_eq!(line, format!("ticketdesk: {dir} is a directory, not a database file; refusing to touch it"));

    let text = desk.write_file("not-a-db.txt", "plain text, not a database\n");
    let line = one_line_error("a text file as --db", bare(&desk).arg("--db").arg(&text).arg("list"), 1);
    assert!(line.contains("is not a SQLite database"), "{line}");

    let missing = desk.dir.path().join("missing.txt");
    let args = ["add", "--title", "t", "--description-file", missing.to_str().unwrap()];
    let line = one_line_error("a missing description file", desk.cmd().args(args), 1);
    assert!(line.contains("missing.txt") && line.contains("No such file"), "{line}");
}

/// Root reads any file whatever its mode, so the refusal is tested as
/// another account (`nobody`), the way a colleague on the host would meet it.
fn as_nobody(desk: &Desk) -> Command {
    let mut cmd = bare_std(desk);
    std::os::unix::process::CommandExt::uid(&mut cmd, 65534);
    Command::from_std(cmd)
}

fn private_file(path: &Path, contents: &str) {
    std::fs::write(path, contents).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
}

#[test]
fn files_another_account_may_not_read_are_named_once() {
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("skipped: switching to another account needs root (CI runs as root)");
        return;
    }
    let desk = Desk::new();
    // The folder itself is open to everyone; only the files are private.
    std::fs::set_permissions(desk.dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    desk.ok(&["add", "--title", "t", "--description", "d", "--category", "general", "--priority", "low"]);
    std::fs::set_permissions(&desk.db, std::fs::Permissions::from_mode(0o600)).unwrap();
    let db = desk.db.display().to_string();

    let line = one_line_error("an unreadable database", as_nobody(&desk).args(["--db", &db, "list"]), 1);
    assert_eq!(line, format!("ticketdesk: cannot use {db}: Permission denied (os error 13)"));

    let config = desk.dir.path().join("private-config.toml");
    private_file(&config, "debounce_ms = 100\n");
    let mut cmd = as_nobody(&desk);
    cmd.env("TICKETDESK_CONFIG", &config).args(["--db", &db, "list"]);
    let line = one_line_error("an unreadable config file", &mut cmd, 1);
    assert_eq!(line, format!("ticketdesk: config {}: Permission denied (os error 13)", config.display()));

    let description = desk.dir.path().join("private-description.txt");
    private_file(&description, "secret details\n");
    let open_db = desk.dir.path().join("open.db");
    let mut cmd = as_nobody(&desk);
    cmd.arg("--db").arg(&open_db).args(["add", "--title", "t", "--description-file"]).arg(&description);
    let line = one_line_error("an unreadable description file", &mut cmd, 1);
    assert!(line.ends_with(": Permission denied (os error 13)"), "{line}");
}
