//! `list` fits where it goes: on a terminal a table as wide as the terminal,
//! titles cut with `…`, colour unless NO_COLOR or `--color=never`; into a
//! pipe one whole ticket per line, tab-separated, no header and no colour
//! unless asked (`--header`, `--color=always`); `--json` as ever.

mod common;

use common::Desk;
use common::pty::run_on_terminal_of_width;

const LONG: &str = "Checkout page times out for every customer paying with a saved card since the release";

fn desk() -> Desk {
    let desk = Desk::new();
    desk.add(LONG, "d", "technical", "critical");
    desk.add("Invoice total is wrong", "d", "billing", "low");
    desk
}

fn stripped(text: &str) -> String {
    regex::Regex::new("\x1b\\[[0-9;]*m").unwrap().replace_all(text, "").into_owned()
}

fn on_terminal(desk: &Desk, args: &[&str], env: &[(&str, &str)], cols: u16) -> String {
    let mut cmd = desk.std_cmd();
    cmd.args(args).env_remove("NO_COLOR").env_remove("COLUMNS");
    for (name, value) in env {
        cmd.env(name, value);
    }
    let out = run_on_terminal_of_width(cmd, cols);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn piped_rows_are_whole_tab_separated_and_plain() {
    let desk = desk();
    let out = desk.ok(&["list"]);
    let lines: Vec<Vec<&str>> = out.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(lines.len(), 2, "the rows and nothing else:\n{out}");
    assert_eq!(lines[0][..6], ["2", "open", "low", "billing", "-", lines[0][5]]);
    assert_eq!(lines[1][0], "1");
    assert_eq!(lines[1][6], LONG, "nothing cut");
    assert!(lines.iter().all(|l| l.len() == 7), "{out}");
    assert!(!out.contains('\x1b'), "no colour: {out:?}");

    let with_header = desk.ok(&["list", "--header"]);
    assert_eq!(
        with_header.lines().next(),
        Some("id\tstatus\tpriority\tcategory\tassignee\tcreated_at\ttitle")
    );
    assert_eq!(with_header.lines().skip(1).collect::<Vec<_>>(), out.lines().collect::<Vec<_>>());

    let coloured = desk.ok(&["--color=always", "list"]);
    assert!(coloured.contains("\x1b[1;31mcritical\x1b[0m"), "{coloured:?}");
    assert_eq!(stripped(&coloured), out, "the same rows, coloured");

    let none = desk.ok(&["list", "--status", "closed"]);
    assert_eq!(none, "", "no rows, no words: a script reads nothing");
    let json: serde_json::Value = serde_json::from_str(&desk.ok(&["list", "--json"])).unwrap();
    assert_eq!(json.as_array().map(Vec::len), Some(2));
    desk.fails(&["list", "--json", "--header"], 2);
}

#[test]
fn a_terminal_gets_a_table_that_fits_it() {
    let desk = desk();
    for cols in [160u16, 72, 50] {
        let out = on_terminal(&desk, &["list"], &[], cols);
        let plain = stripped(&out);
        let lines: Vec<&str> = plain.lines().collect();
        assert!(lines[0].starts_with("ID"), "a header: {plain}");
        assert_eq!(lines.len(), 3, "{plain}");
        for line in &lines {
            assert!(line.chars().count() <= usize::from(cols), "{cols}: {line:?}");
        }
        let row = lines.iter().find(|l| l.starts_with("#1 ")).unwrap();
        if cols < 160 {
            assert!(row.ends_with('…') && !row.contains(LONG), "{cols}: {row:?}");
        } else {
            assert!(row.ends_with(LONG), "{cols}: {row:?}");
        }
        assert!(out.contains("\x1b[1;31mcritical\x1b[0m"), "colour on a terminal: {out:?}");
    }
    let narrow = stripped(&on_terminal(&desk, &["list"], &[], 50));
    assert!(!narrow.contains("ASSIGNEE"), "the least needed column goes first:\n{narrow}");
}

#[test]
fn no_colour_when_asked_on_a_terminal_and_words_when_nothing_matches() {
    let desk = desk();
    for (args, env) in [(&["list"][..], &[("NO_COLOR", "1")][..]), (&["--color=never", "list"][..], &[][..])]
    {
        let out = on_terminal(&desk, args, env, 100);
        assert!(!out.contains('\x1b'), "{args:?} {env:?}: {out:?}");
        assert!(out.starts_with("ID"), "{out}");
    }
    let none = on_terminal(&desk, &["list", "--status", "closed"], &[], 100);
    assert_eq!(none.trim(), "No tickets match.");
}
