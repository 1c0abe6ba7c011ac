//! `db copy`: a whole desk, history, notes, versions and suggestions included,
//! into an empty one in one transaction, compared afterwards.

mod common;

use common::Desk;
use serde_json::Value;

/// A desk with some of everything: imported tickets, tickets saved with a
/// suggestion (one kept, one changed later), notes, status changes, an
/// assignment and an edit.
fn lived_in(desk: &Desk) {
    desk.ok(&["import", "--samples"]);
    let suggested = |title: &str, description: &str| {
        desk.json(&["--classifier", "local", "add", "--title", title, "--description", description])["id"]
            .as_i64()
            .unwrap()
    };
    let kept = suggested("Charged twice", "My card was charged twice for the March invoice");
    let changed = suggested("Cannot log in", "The login page says my password is wrong since yesterday");
    desk.ok(&["edit", &changed.to_string(), "--priority", "critical"]);
    desk.ok(&["note", &kept.to_string(), "Refund sent;\nsecond line"]);
    desk.ok(&["status", "3", "resolved"]);
    desk.ok(&["assign", "5", "alice"]);
    desk.ok(&["edit", "7", "--title", "A title written again"]);
}

/// What a person can read of a desk: every ticket, the totals, and the
/// history of every ticket `lived_in` changed plus a spread of others.
fn everything(desk: &Desk) -> (String, Vec<Value>, Value) {
    let tickets = desk.ok(&["export", "--format", "jsonl"]);
    let ids: Vec<i64> =
        tickets.lines().map(|l| serde_json::from_str::<Value>(l).unwrap()["id"].as_i64().unwrap()).collect();
    assert!(ids.len() > 300, "the export holds the desk: {} tickets", ids.len());
    let histories = ids
        .iter()
        .filter(|id| **id <= 10 || **id > 360 || *id % 50 == 0)
        .map(|id| desk.json(&["history", &id.to_string()]))
        .collect();
    (tickets, histories, desk.json(&["stats"]))
}

#[test]
fn a_copy_holds_every_ticket_with_its_history_versions_and_totals() {
    let source = Desk::new();
    lived_in(&source);
    let target = Desk::new();
    let said = source.ok(&["db", "copy", "--to", &target.location]);
    assert!(said.contains("Copied 362 tickets"), "{said}");
    assert!(said.contains("Checked: both hold the same counts"), "{said}");
    assert_eq!(everything(&target), everything(&source));
    // The copy is a working desk: its ids go on from the last one.
    let next = target.add("After the move", "Written into the copy", "general", "low");
    assert_eq!(next, 363);

    // And back the other way, into another empty desk.
    let back = Desk::new();
    back.ok(&["db", "copy", "--from", &target.location]);
    assert_eq!(everything(&back), everything(&target));
}

/// A SQLite desk moves to the server and comes back whole: what teams do
/// when they outgrow one host (and to keep a file copy).
#[test]
fn a_desk_moves_to_the_server_and_back_whole() {
    let Some(server) = Desk::postgres() else { return };
    let source = Desk::new();
    lived_in(&source);
    let said = source.ok(&["db", "copy", "--to", &server.location]);
    assert!(said.contains("Copied 362 tickets"), "{said}");
    assert!(!said.contains("desk-admin-"), "no password in what is said: {said}");
    assert_eq!(everything(&server), everything(&source));
    // The server desk goes on from the copied ids, tickets and history alike.
    assert_eq!(server.add("After the move", "Written on the server", "general", "low"), 363);
    server.ok(&["note", "363", "first note on the server"]);

    let back = Desk::new();
    back.ok(&["db", "copy", "--from", &server.location]);
    assert_eq!(everything(&back), everything(&server));
    // A backup of a server desk is a SQLite desk holding the same.
    let file = server.dir.path().join("backup.db");
    server.ok(&["db", "backup", file.to_str().unwrap()]);
    let mut restored = Desk::new();
    restored.move_to(file);
    assert_eq!(everything(&restored), everything(&server));
}

fn a_desk_with_tickets_is_never_copied_into(source: &Desk) {
    source.ok(&["import", "--samples"]);
    let target = source.another();
    target.add("Already here", "A ticket of the target's own", "general", "low");
    let before = target.dump();
    let said = source.fails(&["db", "copy", "--to", &target.location], 1);
    assert!(said.contains("already holds 1 ticket(s)"), "{said}");
    assert_eq!(target.dump(), before);
    let said = source.fails(&["db", "copy", "--to", &source.location], 1);
    assert!(said.contains("is this desk itself"), "{said}");
    source.fails(&["db", "copy"], 2);
}

fn a_copy_that_fails_part_way_leaves_the_target_empty(source: &Desk) {
    source.ok(&["import", "--samples"]);
    let target = source.another();
    target.ok(&["list"]);
    // A rule of the target's own refuses one ticket in the middle.
    target.execute(if target.on_server() {
        "CREATE FUNCTION refuse_200() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN IF NEW.id = 200 THEN RAISE EXCEPTION 'not this one'; END IF; RETURN NEW; END $$;
         CREATE TRIGGER refuse_200 BEFORE INSERT ON tickets FOR EACH ROW EXECUTE FUNCTION refuse_200();"
    } else {
        "CREATE TRIGGER refuse_200 BEFORE INSERT ON tickets WHEN NEW.id = 200
         BEGIN SELECT RAISE(ABORT, 'not this one'); END;"
    });
    let said = source.fails(&["db", "copy", "--to", &target.location], 1);
    assert!(said.contains("not this one"), "{said}");
    assert_eq!(target.json(&["stats"])["total_tickets"], 0);
    assert_eq!(target.ok(&["export", "--format", "jsonl"]), "");
}

on_each_engine!(a_desk_with_tickets_is_never_copied_into, a_copy_that_fails_part_way_leaves_the_target_empty);
