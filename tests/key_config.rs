//! Keys and the theme from the config file: a mistake stops the program at
//! start (exit 2) with one line naming the file, the key and, for a key bound
//! twice, both bindings. No value is ever repeated.

mod common;

use common::Desk;

const FAKE_KEY: &str = "sk-ant-api03-Zq9FakeKeyForTestsOnly-0000000000AA";

/// Writes the agent's config and runs `args`: (exit code, stderr).
fn with_agent_config(desk: &Desk, text: &str, args: &[&str]) -> (Option<i32>, String, String) {
    let dir = desk.dir.path().join("config/ticketdesk");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("config.toml");
    std::fs::write(&path, text).unwrap();
    let out = desk.cmd().args(args).output().unwrap();
    (out.status.code(), String::from_utf8(out.stderr).unwrap(), path.display().to_string())
}

#[test]
fn a_bad_key_binding_stops_the_start_naming_the_file_and_the_key() {
    let cases = [
        (
            "[keys.list]\nnew_ticket = \"q\"\n",
            "keys.list.new_ticket: q already does quit in the ticket list (keys.global.quit, a default); \
             a key does one thing in a context",
        ),
        (
            "[keys.list]\nsearch = \"ctrl-f\"\ntake = \"ctrl-f\"\n",
            "keys.list.search: Ctrl-F already does take in the ticket list (keys.list.take); \
             a key does one thing in a context",
        ),
        (
            "[keys.form]\nsave_ticket = \"ctrl-a\"\n",
            "keys.form.save_ticket: Ctrl-A edits text in the new-ticket form",
        ),
        ("[keys.search]\nleave_search = \"j\"\n", "keys.search.leave_search: j edits text in the search box"),
        ("[keys.picker]\nopen = \"o\"\n", "keys.picker.open: no such action in the status picker"),
        ("[keys.lists]\nopen = \"o\"\n", "keys.lists: no such set of keys; the sets are global, list,"),
        ("[keys.list]\nopen = \"ctrl-enter-x\"\n", "keys.list.open: not a key (the value is not repeated)"),
        // The wrong kind of value is caught while the file is read, with its place.
        ("[keys.list]\nopen = 5\n", ", line 2, column 8: keys.list.open: expected a key such as \"ctrl-n\""),
        (
            "theme = \"sepia\"\n",
            ", line 1, column 9: theme: expected one of `auto`, `dark`, `light`, `high-contrast`",
        ),
    ];
    for (text, expected) in cases {
        let desk = Desk::new();
        for args in [&["list"][..], &[][..]] {
            let (code, stderr, path) = with_agent_config(&desk, text, args);
            assert_eq!(code, Some(2), "{text}: {stderr}");
            assert_eq!(stderr.lines().count(), 1, "{text}: {stderr}");
            let named = format!("ticketdesk: config {path}");
            assert!(stderr.starts_with(&named), "{text}: {stderr}");
            assert!(stderr.contains(expected), "{text}:\n{stderr}\nwanted {expected}");
        }
        assert!(!desk.db.exists(), "{text}: no desk made for a bad config");
    }
}

#[test]
fn a_clash_across_layers_is_blamed_on_the_layer_that_made_it() {
    let desk = Desk::new();
    desk.write_file("host-config.toml", "[keys.global]\nhelp = \"h\"\n");
    let (code, stderr, path) = with_agent_config(&desk, "[keys.list]\ntake = \"h\"\n", &["list"]);
    assert_eq!(code, Some(2), "{stderr}");
    // Both were chosen; the message names both, under the file of the one it blames.
    assert!(
        stderr.starts_with(&format!("ticketdesk: config {path}: keys.list.take: h already does help")),
        "{stderr}"
    );
    assert!(stderr.contains("(keys.global.help)"), "{stderr}");
}

#[test]
fn values_in_key_tables_are_never_repeated() {
    for text in [
        format!("[keys.list]\nopen = \"{FAKE_KEY}\"\n"),
        format!("[keys.list]\nopen = [\"o\", \"{FAKE_KEY}\"]\n"),
        format!("[keys.list]\n\"{FAKE_KEY}\" = \"o\"\n"),
        format!("[keys.\"{FAKE_KEY}\"]\nopen = \"o\"\n"),
        format!("theme = \"{FAKE_KEY}\"\n"),
    ] {
        let desk = Desk::new();
        let (code, stderr, _) = with_agent_config(&desk, &text, &["list"]);
        assert_eq!(code, Some(2), "{text}: {stderr}");
        assert!(!stderr.contains("Zq9Fake"), "{text}: {stderr}");
    }
}

#[test]
fn good_keys_and_a_theme_pass_and_show_in_config_show() {
    let desk = Desk::new();
    let text =
        "theme = \"high-contrast\"\n[keys.list]\nnew_ticket = \"ctrl-n\"\nmove_down = [\"j\", \"down\"]\n";
    let (code, stderr, path) = with_agent_config(&desk, text, &["config", "show"]);
    assert_eq!(code, Some(0), "{stderr}");
    let out = desk.ok(&["config", "show"]);
    let line =
        |key: &str| out.lines().find(|l| l.starts_with(key)).unwrap_or_else(|| panic!("{key}:\n{out}"));
    assert!(line("theme ").contains("\"high-contrast\"") && line("theme ").contains(&path), "{out}");
    assert!(line("keys.list.new_ticket ").contains("\"ctrl-n\""), "{out}");
    assert!(line("keys.list.move_down ").contains("[\"j\", \"down\"]"), "{out}");
}
