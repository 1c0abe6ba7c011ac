//! Changing many tickets from the screen while another agent works on one
//! of them: the rest change in one go, that one is skipped and named.

mod common;
#[path = "common/tmux.rs"]
mod tmux;

use common::Desk;
use tmux::Tmux;

#[test]
fn marked_tickets_change_at_once_and_one_another_agent_changed_is_skipped() {
    let desk = Desk::new();
    for i in 1..=4 {
        desk.add(&format!("ticket number {i}"), "d", "billing", "low");
    }
    let env = desk.screen_env(desk.dir.path());
    let tui =
        Tmux::start(desk.dir.path(), &common::bin(), &["--db", desk.db.to_str().unwrap()], &env, (120, 35));
    tui.wait_for_text("ticket number 1");
    // #4, #3 and #2, one Space each (the selection moves on).
    tui.keys(&["Space", "Space", "Space"]);
    tui.wait_for_text("3 marked");
    // Another agent moves #3 on after it was marked.
    desk.ok(&["status", "3", "in_progress"]);
    tui.wait_for("the other agent's change on screen", |s| s.contains("in_progress"));
    tui.keys(&["s"]);
    tui.wait_for_text("Status for 3 marked tickets");
    tui.keys(&["Down", "Down", "Down", "Enter"]);
    let screen = tui.wait_for_text("Changed 2");
    assert!(screen.contains("skipped 1"), "{screen}");
    assert!(screen.contains("1 marked"), "the skipped one stays marked:\n{screen}");
    let status = |id: &str| desk.json(&["show", id])["status"].as_str().unwrap().to_owned();
    assert_eq!(
        [status("4"), status("3"), status("2"), status("1")],
        ["closed", "in_progress", "closed", "open"]
    );
    let status_events = |id: &str| {
        desk.json(&["history", id]).as_array().unwrap().iter().filter(|e| e["field"] == "status").count()
    };
    assert_eq!(
        (status_events("4"), status_events("3"), status_events("2")),
        (1, 1, 1),
        "one event per ticket"
    );
    // Apart: a terminal reads Escape and a key right after it as Alt and that key.
    tui.keys(&["Escape"]);
    tui.wait_for("the marks cleared", |s| !s.contains("marked"));
    tui.keys(&["q"]);
    assert_eq!(tui.wait_for_exit(), 0);
}
