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

#[test]
fn a_desk_with_tickets_is_never_copied_into() {
    let source = Desk::new();
    source.ok(&["import", "--samples"]);
    let target = Desk::new();
    target.add("Already here", "A ticket of the target's own", "general", "low");
    let before = target.dump();
    let said = source.fails(&["db", "copy", "--to", &target.location], 1);
    assert!(said.contains("already holds 1 ticket(s)"), "{said}");
    assert_eq!(target.dump(), before);
    let said = source.fails(&["db", "copy", "--to", &source.location], 1);
    assert!(said.contains("is this desk itself"), "{said}");
    source.fails(&["db", "copy"], 2);
}

#[test]
fn a_copy_that_fails_part_way_leaves_the_target_empty() {
    let source = Desk::new();
    source.ok(&["import", "--samples"]);
    let target = Desk::new();
    target.ok(&["list"]);
    // A rule of the target's own refuses one ticket in the middle.
    target
        .conn()
        .execute_batch(
            "CREATE TRIGGER refuse_200 BEFORE INSERT ON tickets WHEN NEW.id = 200
             BEGIN SELECT RAISE(ABORT, 'not this one'); END;",
        )
        .unwrap();
    let said = source.fails(&["db", "copy", "--to", &target.location], 1);
    assert!(said.contains("not this one"), "{said}");
    assert_eq!(target.json(&["stats"])["total_tickets"], 0);
    assert_eq!(target.ok(&["export", "--format", "jsonl"]), "");
}
