//! `config path`, `config show`, `config init` and `config edit`, on temp
//! layers: where each file is, what each setting is and which layer set it,
//! a default config written once, and an edit checked as it is saved.

mod common;

use common::Desk;
use std::path::PathBuf;

const FAKE_KEY: &str = "sk-ant-api03-Zq9FakeKeyForTestsOnly-0000000000AA";

fn agent_file(desk: &Desk) -> PathBuf {
    desk.dir.path().join("config").join("ticketdesk").join("config.toml")
}

fn host_file(desk: &Desk) -> PathBuf {
    desk.dir.path().join("host-config.toml")
}

/// Runs `args`; returns (exit code, stdout, stderr).
fn run(desk: &Desk, args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String, String) {
    let mut cmd = desk.cmd();
    for (name, value) in env {
        cmd.env(name, value);
    }
    let out = cmd.args(args).output().unwrap();
    (out.status.code(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn path_lists_every_layer_and_whether_its_file_exists() {
    let desk = Desk::new();
    std::fs::write(host_file(&desk), "debounce_ms = 500\n").unwrap();
    let (code, out, _) = run(&desk, &["config", "path"], &[]);
    assert_eq!(code, Some(0));
    let line =
        |layer: &str| out.lines().find(|l| l.starts_with(layer)).unwrap_or_else(|| panic!("{layer}: {out}"));
    assert_eq!(
        line("host"),
        format!("host      {}  (exists, from TICKETDESK_HOST_CONFIG)", host_file(&desk).display())
    );
    assert_eq!(line("agent"), format!("agent     {}  (missing)", agent_file(&desk).display()));
    assert!(line("built-in").contains("defaults"));
    assert!(out.contains("env       ANTHROPIC_API_KEY (unset)"), "{out}");
}

#[test]
fn show_names_the_layer_of_every_value_and_hides_secrets() {
    let desk = Desk::new();
    std::fs::write(host_file(&desk), "debounce_ms = 500\n[claude]\nmodel = \"host-model\"\n").unwrap();
    std::fs::create_dir_all(agent_file(&desk).parent().unwrap()).unwrap();
    std::fs::write(agent_file(&desk), "[claude]\nmodel = \"agent-model\"\napi_key_file = \"~/key\"\n")
        .unwrap();
    let env = [
        ("ANTHROPIC_API_KEY", FAKE_KEY),
        ("ANTHROPIC_BASE_URL", "https://user:hunter2@gateway.example"),
        ("TICKETDESK_BUSY_TIMEOUT", "3"),
    ];
    let (code, out, stderr) = run(&desk, &["config", "show", "--classifier", "local"], &env);
    assert_eq!(code, Some(0), "{stderr}");
    let row = |key: &str| {
        let line = out
            .lines()
            .find(|l| l.split_whitespace().next() == Some(key))
            .unwrap_or_else(|| panic!("{key}: {out}"));
        line.split_whitespace().skip(1).collect::<Vec<_>>().join(" ")
    };
    let host = host_file(&desk).display().to_string();
    let agent = agent_file(&desk).display().to_string();
    assert_eq!(row("debounce_ms"), format!("500 config {host}"));
    assert_eq!(row("claude.model"), format!("\"agent-model\" config {agent}"));
    assert_eq!(row("redact"), "true built-in config");
    assert_eq!(row("busy_timeout_secs"), "3 environment TICKETDESK_BUSY_TIMEOUT");
    assert_eq!(row("classifier"), "\"local\" --classifier");
    assert_eq!(row("db"), format!("\"{}\" --db", desk.db.display()));
    assert_eq!(row("claude.api_key_file"), format!("(set) config {agent}"));
    assert_eq!(row("claude.base_url"), "(set) environment ANTHROPIC_BASE_URL");
    let key = out.lines().find(|l| l.starts_with("api key")).unwrap();
    assert_eq!(
        key.split_whitespace().collect::<Vec<_>>(),
        ["api", "key", "(set)", "environment", "ANTHROPIC_API_KEY"]
    );
    for secret in [FAKE_KEY, "hunter2", "~/key"] {
        assert!(!out.contains(secret), "{secret} shown: {out}");
    }
    assert!(!desk.db.exists(), "showing the config opens no desk");
}

#[test]
fn init_writes_the_documented_defaults_once() {
    let desk = Desk::new();
    let (code, out, _) = run(&desk, &["config", "init"], &[]);
    assert_eq!(code, Some(0));
    assert_eq!(out, format!("Wrote the default config to {}\n", agent_file(&desk).display()));
    let written = std::fs::read_to_string(agent_file(&desk)).unwrap();
    assert_eq!(written, ticketdesk::config::DEFAULT_CONFIG);
    std::fs::write(agent_file(&desk), "debounce_ms = 100\n").unwrap();
    let (code, _, stderr) = run(&desk, &["config", "init"], &[]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("already exists; not replaced"), "{stderr}");
    assert_eq!(std::fs::read_to_string(agent_file(&desk)).unwrap(), "debounce_ms = 100\n");
}

/// An "editor" that replaces the file with `text`.
fn editor_writing(desk: &Desk, text: &str) -> String {
    let body = desk.write_file("new-config.toml", text);
    let script = desk.write_file("editor.sh", &format!("#!/bin/sh\ncp '{}' \"$1\"\n", body.display()));
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    script.display().to_string()
}

#[test]
fn edit_checks_the_file_and_names_the_first_problem_with_its_line() {
    let desk = Desk::new();
    let agent = agent_file(&desk).display().to_string();
    let cases = [
        ("redact = true\n[claude]\nmodle = \"x\"\n", ", line 3, column 1: unknown key `claude.modle`"),
        // A number out of range is found after the file is read: its line is looked up.
        (
            "redact = true\n\n[claude]\n  deadline_ms = 0\n",
            ", line 4, column 3: claude.deadline_ms must be 1 to 600000",
        ),
        (
            &format!("[claude]\nbase_url = \"{FAKE_KEY}\"\n"),
            ", line 2, column 1: claude.base_url must start with http:// or https://",
        ),
        // A key bound twice is found once every layer is read: its line too.
        (
            "[keys.list]\n\nnew_ticket = \"q\"\n",
            ", line 3, column 1: keys.list.new_ticket: q already does quit",
        ),
    ];
    for (text, expected) in cases {
        let _ = std::fs::remove_file(agent_file(&desk));
        let editor = editor_writing(&desk, text);
        let (code, _, stderr) = run(&desk, &["config", "edit"], &[("VISUAL", &editor)]);
        assert_eq!(code, Some(2), "{text}: {stderr}");
        assert!(stderr.contains(&format!("ticketdesk: config {agent}{expected}")), "{text}: {stderr}");
        assert!(!stderr.contains(FAKE_KEY));
        assert_eq!(std::fs::read_to_string(agent_file(&desk)).unwrap(), text, "the file stays as edited");
    }
    let editor = editor_writing(&desk, "debounce_ms = 250\n");
    let (code, out, stderr) = run(&desk, &["config", "edit"], &[("VISUAL", &editor)]);
    assert_eq!((code, out), (Some(0), format!("{agent}: ok\n")), "{stderr}");
}

#[test]
fn edit_starts_a_missing_file_from_the_defaults_and_reports_a_failed_editor() {
    let desk = Desk::new();
    let (code, _, stderr) = run(&desk, &["config", "edit"], &[("VISUAL", "true")]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("did not exist; starting from the defaults"), "{stderr}");
    assert_eq!(std::fs::read_to_string(agent_file(&desk)).unwrap(), ticketdesk::config::DEFAULT_CONFIG);
    let (code, _, stderr) = run(&desk, &["config", "edit"], &[("VISUAL", "false")]);
    assert_eq!(code, Some(1));
    assert!(stderr.starts_with("ticketdesk: the editor `false` failed"), "{stderr}");
}

#[test]
fn the_config_commands_work_while_the_config_is_broken() {
    let desk = Desk::new();
    std::fs::write(host_file(&desk), "modle = 1\n").unwrap();
    let (code, _, stderr) = run(&desk, &["list"], &[]);
    assert_eq!(code, Some(2), "{stderr}");
    let (code, out, _) = run(&desk, &["config", "path"], &[]);
    assert_eq!(code, Some(0));
    assert!(out.contains("(exists, from TICKETDESK_HOST_CONFIG)"));
    let (code, _, _) = run(&desk, &["config", "init"], &[]);
    assert_eq!(code, Some(0));
}
