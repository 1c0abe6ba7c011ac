//! The sample tickets come with the binary: `import --samples` works where
//! no `assets/` folder exists, into an empty desk only.

mod common;

use common::Desk;

#[test]
fn samples_fill_an_empty_desk_from_any_folder() {
    let desk = Desk::new();
    let elsewhere = tempfile::tempdir().unwrap();
    let out = desk.cmd().current_dir(elsewhere.path()).args(["import", "--samples"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "Imported 360 sample tickets\n");
    assert_eq!(desk.json(&["stats"])["total_tickets"], 360);
    let stderr = desk.fails(&["import", "--samples"], 1);
    assert_eq!(
        stderr,
        "ticketdesk: nothing was imported: the desk already holds 360 tickets; \
         the sample tickets go only into an empty desk\n"
    );
    assert_eq!(desk.json(&["stats"])["total_tickets"], 360);
}

#[test]
fn samples_and_a_file_are_one_or_the_other() {
    let desk = Desk::new();
    let file = desk.write_file("t.jsonl", &common::jsonl("t", "d", "general", "low"));
    desk.fails(&["import", "--samples", file.to_str().unwrap()], 2);
    desk.fails(&["import", "--samples", "--format", "csv"], 2);
    let stderr = desk.fails(&["import"], 2);
    assert!(stderr.contains("--samples") || stderr.contains("<FILE>"), "{stderr}");
    assert!(!desk.db.exists());
}
