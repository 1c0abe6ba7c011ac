//! One process, several connections, other processes opening and closing the
//! same file: what this process commits must reach everyone, and when its
//! file or log is taken away it must say so instead of acknowledging writes.

mod common;

use common::Desk;
use std::path::Path;
use ticketdesk::domain::{Category, NewTicket, Origins, Priority};
use ticketdesk::store::{Store, StoreError};

fn ticket(title: &str) -> NewTicket {
    NewTicket::new(title, "written by this process", Category::General, Priority::Low).unwrap()
}

/// What a brand-new `sqlite3` process sees, opening and closing the file.
fn sqlite3(db: &Path, sql: &str) -> String {
    let out = common::tool("sqlite3").arg(db).arg(sql).output().expect("sqlite3 is installed");
    assert!(out.status.success(), "sqlite3 {sql}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

fn with_suffix(db: &Path, suffix: &str) -> std::path::PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(suffix);
    name.into()
}

#[test]
fn several_stores_in_one_process_keep_their_commits_visible_to_others() {
    let desk = Desk::new();
    // The full-screen desk holds a reader, a writer and the classifier's
    // store; each used to look at the file again while the others were open.
    let mut writer = Store::open(&desk.db).unwrap();
    let _reader = Store::open(&desk.db).unwrap();
    let _learner = Store::open(&desk.db).unwrap();
    for round in 0..3 {
        // Another agent's command and a report in the shell open and close it.
        desk.ok(&["list", "--limit", "1"]);
        assert_eq!(sqlite3(&desk.db, "SELECT count(*) FROM tickets"), round.to_string());
        assert!(with_suffix(&desk.db, "-wal").exists(), "the log stays while this process has the desk open");

        let saved = writer.add(&ticket(&format!("saved in round {round}")), Origins::PERSON).unwrap();
        let seen = sqlite3(&desk.db, &format!("SELECT title FROM tickets WHERE id = {}", saved.id));
        assert_eq!(seen, format!("saved in round {round}"), "a fresh process sees the acknowledged ticket");
        // Opening again later in the life of the process is just as safe.
        drop(Store::open(&desk.db).unwrap());
    }
    drop(writer);
    assert_eq!(
        sqlite3(&desk.db, "SELECT count(*) FROM tickets"),
        "3",
        "nothing lost after this process closed"
    );
}

#[test]
fn a_symlink_to_an_open_desk_is_the_same_desk() {
    let desk = Desk::new();
    let mut store = Store::open(&desk.db).unwrap();
    let link = desk.dir.path().join("link.db");
    std::os::unix::fs::symlink(&desk.db, &link).unwrap();
    drop(Store::open(&link).unwrap());
    sqlite3(&desk.db, "SELECT 1");
    let saved = store.add(&ticket("through the link's neighbour"), Origins::PERSON).unwrap();
    assert_eq!(sqlite3(&desk.db, &format!("SELECT count(*) FROM tickets WHERE id = {}", saved.id)), "1");
}

#[test]
fn a_deleted_log_is_noticed_and_nothing_more_is_acknowledged() {
    let desk = Desk::new();
    let mut store = Store::open(&desk.db).unwrap();
    store.add(&ticket("before"), Origins::PERSON).unwrap();
    store.check_in_place().unwrap();
    // What a process that lost track of our locks does when it closes.
    std::fs::remove_file(with_suffix(&desk.db, "-wal")).unwrap();
    std::fs::remove_file(with_suffix(&desk.db, "-shm")).unwrap();
    let err = store.add(&ticket("after"), Origins::PERSON).unwrap_err();
    assert!(matches!(err, StoreError::Detached { .. }), "{err}");
    assert!(err.to_string().contains("write-ahead log"), "{err}");
    assert!(err.to_string().contains("not saved"), "{err}");
    assert!(store.check_in_place().is_err());
}

#[test]
fn a_replaced_database_file_is_noticed() {
    let desk = Desk::new();
    let mut store = Store::open(&desk.db).unwrap();
    store.add(&ticket("before"), Origins::PERSON).unwrap();
    let other = desk.dir.path().join("other.db");
    std::fs::write(&other, b"").unwrap();
    std::fs::rename(&other, &desk.db).unwrap();
    let err = store.add(&ticket("after"), Origins::PERSON).unwrap_err();
    assert!(err.to_string().contains("database file was moved, deleted or replaced"), "{err}");
}

#[test]
fn an_import_into_an_empty_desk_keeps_watching_its_new_log() {
    let desk = Desk::new();
    let mut store = Store::open(&desk.db).unwrap();
    let rows = (1..=3).map(|line| {
        Ok::<_, std::convert::Infallible>(ticketdesk::store::ImportRow {
            line,
            ticket: ticket(&format!("imported {line}")),
        })
    });
    // Alone on an empty desk, the import leaves WAL and comes back: the log
    // it returns with is the one to watch from then on.
    assert_eq!(store.import(rows).unwrap(), 3);
    store.check_in_place().unwrap();
    store.add(&ticket("after the import"), Origins::PERSON).unwrap();
    assert_eq!(sqlite3(&desk.db, "SELECT count(*) FROM tickets"), "4");
}
