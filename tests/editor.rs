//! Long text in the agent's own editor: `add --edit` and `note --edit`, with
//! a scripted editor standing in for vi.

mod common;

use common::Desk;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

/// An editor that records what it was given and writes `writes` back, then
/// exits with `status`.
fn scripted_editor(desk: &Desk, writes: &str, status: i32) -> (PathBuf, PathBuf) {
    let saw = desk.dir.path().join("editor-saw.txt");
    let reply = desk.write_file("editor-reply.txt", writes);
    let script = desk.write_file(
        "fake-editor",
        &format!(
            "#!/bin/sh\ncat \"$1\" > '{}'\ncat '{}' > \"$1\"\nexit {status}\n",
            saw.display(),
            reply.display()
        ),
    );
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    (script, saw)
}

fn add_edit_takes_the_title_and_description_from_the_editor(desk: &Desk) {
    let (editor, saw) = scripted_editor(desk, "Printer on fire\n\nSmoke everywhere.\nSecond floor.\n", 0);
    let out = desk
        .cmd()
        .env("VISUAL", &editor)
        .env("EDITOR", "false")
        .args([
            "add",
            "--edit",
            "--title",
            "Printer",
            "--category",
            "technical",
            "--priority",
            "high",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let ticket: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(ticket["title"], "Printer on fire");
    assert_eq!(ticket["description"], "Smoke everywhere.\nSecond floor.");
    let given = std::fs::read_to_string(saw).unwrap();
    assert!(given.starts_with("Printer\n"), "the editor starts from --title: {given:?}");
    assert!(given.contains(ticketdesk::editor::CUT_LINE), "{given:?}");
}

#[test]
fn a_failed_or_emptied_editor_adds_nothing() {
    for (writes, status) in [("Title\n\nBody", 1), ("   \n", 0)] {
        let desk = Desk::new();
        let (editor, _) = scripted_editor(&desk, writes, status);
        let out =
            desk.cmd().env("EDITOR", &editor).env_remove("VISUAL").args(["add", "--edit"]).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stderr).contains("no ticket added"));
        assert_eq!(desk.json(&["list"]).as_array().unwrap().len(), 0);
    }
}

fn note_edit_keeps_several_lines_and_ignores_the_instructions(desk: &Desk) {
    let id = desk.add("Refund", "charged twice", "billing", "high").to_string();
    let reply = format!(
        "Called back.\nThey will send the invoice.\n{}\n# anything here is dropped",
        ticketdesk::editor::CUT_LINE
    );
    let (editor, saw) = scripted_editor(desk, &reply, 0);
    let out = desk
        .cmd()
        .env("EDITOR", &editor)
        .env_remove("VISUAL")
        .args(["note", &id, "--edit"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let history = desk.json(&["history", &id]);
    let note = history.as_array().unwrap().iter().find(|e| e["field"] == "note").unwrap();
    assert_eq!(note["new_value"], "Called back.\nThey will send the invoice.");
    assert!(std::fs::read_to_string(saw).unwrap().contains("A note on #1, Refund"));
}

on_each_engine!(
    add_edit_takes_the_title_and_description_from_the_editor,
    note_edit_keeps_several_lines_and_ignores_the_instructions,
);
