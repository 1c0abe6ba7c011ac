//! `ticketdesk doctor` on a shared folder set up right and on ones set up
//! wrong, as its own agent and as another account; the config and the key
//! file; and one real round trip to a local fake of the Messages API.

mod common;

use common::Desk;
use serde_json::json;
use std::os::unix::fs::{PermissionsExt, chown};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const FAKE_KEY: &str = "sk-ant-api03-Zq9FakeKeyForTestsOnly-0000000000AA";

/// The account "nobody" has on Debian and most Linux systems.
const NOBODY: u32 = 65534;

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// A desk in `<temp>/team/tickets.db`, its folder with `mode`, and one ticket in it.
fn team_desk(mode: u32) -> (Desk, PathBuf) {
    let mut desk = Desk::new();
    let team = desk.dir.path().join("team");
    std::fs::create_dir(&team).unwrap();
    chmod(&team, mode);
    desk.move_to(team.join("tickets.db"));
    desk.add("Printer", "jammed again", "technical", "low");
    (desk, team)
}

/// Runs `doctor ARGS`; returns (exit code, stdout).
fn doctor(desk: &Desk, args: &[&str]) -> (Option<i32>, String) {
    let out = desk.cmd().arg("doctor").args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    (out.status.code(), String::from_utf8(out.stdout).unwrap())
}

fn fixes(report: &str) -> Vec<&str> {
    report.lines().filter(|l| l.starts_with("FIX") || l.trim_start().starts_with("fix:")).collect()
}

#[test]
fn a_well_set_up_shared_folder_passes() {
    let (desk, team) = team_desk(0o2770);
    let (code, report) = doctor(&desk, &[]);
    assert_eq!(code, Some(0), "{report}");
    assert!(report.contains(&format!("ok    folder {}: owner", team.display())), "{report}");
    assert!(report.contains("rwxrws--- (shared with the group)"), "{report}");
    assert!(report.contains(&format!("ok    database {}: owner", desk.db.display())), "{report}");
    assert!(report.contains("ok    file system of"), "{report}");
    assert!(
        report.contains(&format!("ok    db check: {} passed every check", desk.db.display())),
        "{report}"
    );
    assert!(report.ends_with("Nothing needs fixing.\n"), "{report}");
    assert!(fixes(&report).is_empty(), "{report}");
}

#[test]
fn a_shared_folder_without_setgid_and_files_outside_the_group_are_explained() {
    let (desk, team) = team_desk(0o770);
    chmod(&desk.db, 0o640);
    // The -wal a colleague left, in their own group.
    let wal = team.join("tickets.db-wal");
    std::fs::write(&wal, b"").unwrap();
    chmod(&wal, 0o660);
    if is_root() {
        chown(&wal, None, Some(NOBODY)).unwrap();
    }
    let (code, report) = doctor(&desk, &[]);
    assert_eq!(code, Some(1), "{report}");
    let fixes = fixes(&report);
    let has = |needle: &str| fixes.iter().any(|l| l.contains(needle));
    assert!(has("is shared with group") && has("but not setgid"), "{report}");
    assert!(has(&format!("fix: chmod g+s {}", team.display())), "{report}");
    assert!(has("is not read-write for its group (rw-r-----)"), "{report}");
    assert!(has(&format!("fix: chmod g+rw {}", desk.db.display())), "{report}");
    if is_root() {
        let nogroup = uzers::get_group_by_gid(NOBODY)
            .map_or(format!("gid-{NOBODY}"), |g| g.name().to_string_lossy().into_owned());
        let expected =
            format!("-wal {} belongs to group {nogroup}, not the folder's group root", wal.display());
        assert!(has(&expected), "{report}");
        assert!(has(&format!("fix: chgrp root {}", wal.display())), "{report}");
    }
    assert!(report.lines().last().unwrap().ends_with("things need fixing."), "{report}");
}

#[test]
fn an_agent_who_cannot_write_the_shared_folder_is_told_why() {
    if !is_root() {
        eprintln!("skipped: running the doctor as another account needs root (CI runs as root)");
        return;
    }
    // A team folder; others may reach the temp folder around it, not inside.
    let (desk, team) = team_desk(0o2770);
    chmod(desk.dir.path(), 0o755);
    let as_nobody = || {
        let out = desk.std_cmd().arg("doctor").uid(NOBODY).gid(NOBODY).output().unwrap();
        let report = String::from_utf8(out.stdout).unwrap();
        assert_eq!(out.status.code(), Some(1), "{report}{}", String::from_utf8_lossy(&out.stderr));
        report
    };
    let report = as_nobody();
    let found = fixes(&report);
    let shares = format!("you (nobody) are not in group root, which shares {}", team.display());
    assert!(found.iter().any(|l| l.contains(&shares)), "{report}");
    assert!(
        found.iter().any(|l| l.contains("fix: ask an administrator: usermod -aG root nobody")),
        "{report}"
    );
    assert_eq!(found.len(), 2, "one finding, said once: {report}");
    // A private folder others may enter but not write.
    chmod(&team, 0o755);
    let report = as_nobody();
    let found = fixes(&report);
    assert!(
        found.iter().any(|l| l.contains(&format!("cannot create files in {}", team.display()))),
        "{report}"
    );
    assert!(
        found.iter().any(|l| l.contains(&format!("cannot write database {}", desk.db.display()))),
        "{report}"
    );
}

#[test]
fn broken_config_layers_are_each_named_with_their_line() {
    let desk = Desk::new();
    let host = desk.write_file("host-config.toml", "redact = true\nmodle = \"x\"\n");
    let agent = desk.dir.path().join("config").join("ticketdesk").join("config.toml");
    std::fs::create_dir_all(agent.parent().unwrap()).unwrap();
    std::fs::write(&agent, "[claude]\ndeadline_ms = 0\n").unwrap();
    let (code, report) = doctor(&desk, &[]);
    assert_eq!(code, Some(1), "{report}");
    assert!(
        report.contains(&format!("FIX   config {}, line 2, column 1: unknown key `modle`", host.display())),
        "{report}"
    );
    assert!(
        report.contains(&format!("FIX   config {}: claude.deadline_ms must be 1 to 600000", agent.display())),
        "{report}"
    );
    assert!(report.contains("ok    folder"), "the other checks still run: {report}");
    assert!(!desk.db.exists(), "the doctor creates no desk");
}

#[test]
fn a_key_file_others_can_read_needs_fixing_and_its_key_is_never_shown() {
    let desk = Desk::new();
    let key = desk.write_file("api-key", FAKE_KEY);
    chmod(&key, 0o644);
    desk.write_file("host-config.toml", &format!("[claude]\napi_key_file = \"{}\"\n", key.display()));
    let (code, report) = doctor(&desk, &[]);
    assert_eq!(code, Some(1), "{report}");
    assert!(report.contains("readable by group or others (mode 644)"), "{report}");
    assert!(report.contains("fix: chmod 600"), "{report}");
    chmod(&key, 0o600);
    let (code, report) = doctor(&desk, &[]);
    assert_eq!(code, Some(0), "{report}");
    assert!(
        report.contains(&format!("ok    API key: from the file {} (claude.api_key_file", key.display())),
        "{report}"
    );
    assert!(report.contains("mode 600"), "{report}");
    assert!(!report.contains(FAKE_KEY));
    let out = desk.cmd().arg("doctor").env("ANTHROPIC_API_KEY", FAKE_KEY).output().unwrap();
    let report = String::from_utf8(out.stdout).unwrap();
    assert!(report.contains("ok    API key: from the environment (ANTHROPIC_API_KEY)"), "{report}");
    assert!(!report.contains(FAKE_KEY));
}

#[tokio::test(flavor = "multi_thread")]
async fn online_times_one_real_round_trip() {
    let server = MockServer::start().await;
    let answer =
        json!({ "category": "account", "priority": "high", "confidence": "high", "reason": "Login." });
    Mock::given(method("POST"))
        .and(path("/v1/messages"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "msg_01", "type": "message", "role": "assistant", "model": "m",
            "content": [{ "type": "text", "text": answer.to_string() }],
            "stop_reason": "end_turn", "usage": { "input_tokens": 30, "output_tokens": 9 }
        })))
        .expect(1)
        .mount(&server)
        .await;
    let desk = Desk::new();
    let out = desk
        .cmd()
        .env("ANTHROPIC_API_KEY", FAKE_KEY)
        .env("ANTHROPIC_BASE_URL", server.uri())
        .args(["doctor", "--online"])
        .output()
        .unwrap();
    let report = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{report}");
    let line = report.lines().find(|l| l.starts_with("ok    Claude answered in ")).expect(&report);
    assert!(line.ends_with(" ms (account / high, model claude-haiku-5-5)"), "{line}");

    let out = desk
        .cmd()
        .env("ANTHROPIC_API_KEY", FAKE_KEY)
        .env("ANTHROPIC_BASE_URL", "http://127.0.0.1:9")
        .args(["doctor", "--online"])
        .output()
        .unwrap();
    let report = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(
        report.contains("FIX   Claude did not answer (connection to 127.0.0.1:9 was refused) after"),
        "{report}"
    );
    assert!(report.contains("check the network path to http://127.0.0.1:9"), "{report}");
    assert!(!report.contains(FAKE_KEY));
}
