//! Where `export --output` and `db backup` may write: never onto the desk or
//! its log, never over a device, a folder or a file the agent may not write;
//! always whole, with the permissions the desk's own file gets.

mod common;

use common::Desk;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::Path;

/// A desk with tickets, history and a note, plus a screen-like second
/// connection holding it open (so its -wal and -shm exist).
fn busy_desk() -> (Desk, rusqlite::Connection) {
    let desk = Desk::new();
    desk.add("Refund", "charged twice", "billing", "high");
    desk.ok(&["note", "1", "called back"]);
    let holder = desk.conn();
    holder.query_row("SELECT count(*) FROM tickets", [], |r| r.get::<_, i64>(0)).unwrap();
    (desk, holder)
}

fn with_suffix(path: &Path, suffix: &str) -> std::path::PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    name.into()
}

#[test]
fn the_desk_and_its_log_are_never_an_output() {
    let (desk, _holder) = busy_desk();
    let link = desk.dir.path().join("link.db");
    std::os::unix::fs::symlink(&desk.db, &link).unwrap();
    let inode = std::fs::metadata(&desk.db).unwrap().ino();
    let before = desk.dump();
    for target in [desk.db.clone(), link, with_suffix(&desk.db, "-wal"), with_suffix(&desk.db, "-shm")] {
        let target = target.to_str().unwrap();
        for args in [&["export", "--output", target][..], &["db", "backup", target]] {
            let stderr = desk.fails(args, 1);
            assert!(stderr.contains("this desk's database or one of its files"), "{args:?}: {stderr}");
        }
    }
    // A name SQLite would take for the desk's log, though no such file exists yet.
    let journal = with_suffix(&desk.db, "-journal");
    desk.fails(&["export", "--output", journal.to_str().unwrap()], 1);
    assert!(!journal.exists());
    assert_eq!(std::fs::metadata(&desk.db).unwrap().ino(), inode, "the desk's file was replaced");
    assert_eq!(desk.dump(), before);
    assert_eq!(desk.json(&["history", "1"]).as_array().unwrap().len(), 4, "history and the note survive");
}

#[test]
fn only_regular_files_are_replaced() {
    let (desk, _holder) = busy_desk();
    let folder = desk.dir.path().join("a-folder");
    std::fs::create_dir(&folder).unwrap();
    let fifo = desk.dir.path().join("pipe");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let dangling = desk.dir.path().join("dangling");
    std::os::unix::fs::symlink(desk.dir.path().join("nowhere"), &dangling).unwrap();
    for (target, says) in
        [(&folder, "a directory"), (&fifo, "a named pipe"), (&dangling, "a symlink to nothing")]
    {
        let stderr = desk.fails(&["db", "backup", target.to_str().unwrap()], 1);
        assert!(stderr.contains(says), "{stderr}");
        assert_eq!(stderr.lines().count(), 1);
    }
    assert!(std::fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo(), "the pipe is still a pipe");
}

#[test]
fn a_dash_means_standard_output() {
    let (desk, _holder) = busy_desk();
    let out = desk.ok(&["export", "--output", "-"]);
    assert!(out.contains("\"Refund\""), "{out}");
    assert!(!desk.dir.path().join("-").exists());
}

#[test]
fn a_symlinked_target_is_written_through_and_keeps_its_mode() {
    let (desk, _holder) = busy_desk();
    let real = desk.dir.path().join("real.jsonl");
    std::fs::write(&real, "old").unwrap();
    std::fs::set_permissions(&real, PermissionsExt::from_mode(0o640)).unwrap();
    let link = desk.dir.path().join("export.jsonl");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    desk.ok(&["export", "--output", link.to_str().unwrap()]);
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link stays a link");
    assert!(std::fs::read_to_string(&real).unwrap().contains("Refund"));
    assert_eq!(std::fs::metadata(&real).unwrap().permissions().mode() & 0o777, 0o640);
}

#[test]
fn outputs_in_a_team_folder_are_group_writable_like_the_desk() {
    let desk = Desk::new();
    let team = desk.dir.path().join("support");
    std::fs::create_dir(&team).unwrap();
    std::fs::set_permissions(&team, PermissionsExt::from_mode(0o2770)).unwrap();
    let db = team.join("tickets.db");
    // A command of its own: `desk.cmd()` already names another database.
    let bin = assert_cmd::cargo::cargo_bin!("ticketdesk");
    let ticketdesk = |args: &[&str]| {
        let out = std::process::Command::new(bin)
            .env("HOME", desk.dir.path())
            .arg("--db")
            .arg(&db)
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    ticketdesk(&["add", "--title", "t", "--description", "d", "--category", "billing", "--priority", "low"]);
    let backup = team.join("backup.db");
    let export = team.join("export.csv");
    ticketdesk(&["db", "backup", backup.to_str().unwrap()]);
    ticketdesk(&["export", "--output", export.to_str().unwrap()]);
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o070;
    assert_eq!(mode(&db), 0o060);
    assert_eq!(mode(&backup), 0o060, "the backup is the team's like the desk");
    assert_eq!(mode(&export), 0o060, "the export is the team's like the desk");
}

/// Run as another account: root may write anything, an agent may not.
#[test]
fn a_file_the_agent_may_not_write_is_not_replaced() {
    use std::os::unix::process::CommandExt;
    let is_root = std::process::Command::new("id").arg("-u").output().unwrap().stdout.trim_ascii() == b"0";
    if !is_root {
        eprintln!("skipped: needs root to run as another account");
        return;
    }
    let desk = Desk::new();
    desk.add("Refund", "charged twice", "billing", "high");
    let dir = desk.dir.path();
    for path in [dir.to_path_buf(), desk.db.clone()] {
        std::fs::set_permissions(&path, PermissionsExt::from_mode(0o777)).unwrap();
    }
    let locked = dir.join("locked.jsonl");
    std::fs::write(&locked, "keep me").unwrap();
    std::fs::set_permissions(&locked, PermissionsExt::from_mode(0o444)).unwrap();
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin!("ticketdesk"))
        .env_clear()
        .env("HOME", dir)
        .arg("--db")
        .arg(&desk.db)
        .args(["export", "--output", locked.to_str().unwrap()])
        .uid(65534)
        .gid(65534)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("you may not write to it"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&locked).unwrap(), "keep me");
    assert_eq!(std::fs::metadata(&locked).unwrap().permissions().mode() & 0o777, 0o444);
}
