//! Completion scripts and the manual page, for every shell and every
//! subcommand, made from the same clap definition the program parses with.

mod common;

use clap::CommandFactory;
use common::Desk;
use std::process::Command;

const SHELLS: [&str; 5] = ["bash", "zsh", "fish", "elvish", "powershell"];

/// Every public subcommand's name.
fn subcommands() -> Vec<String> {
    let names: Vec<String> = ticketdesk::cli::Cli::command()
        .get_subcommands()
        .filter(|s| !s.is_hide_set())
        .map(|s| s.get_name().to_owned())
        .collect();
    for expected in ["list", "completions", "man", "config", "doctor", "import"] {
        assert!(names.iter().any(|n| n == expected), "{expected} missing from {names:?}");
    }
    names
}

#[test]
fn every_subcommand_is_in_each_static_script_and_the_man_page() {
    let desk = Desk::new();
    for shell in SHELLS {
        let script = desk.ok(&["completions", shell, "--static"]);
        for name in subcommands() {
            assert!(script.contains(&name), "{shell}: no {name}");
        }
        for nested in ["backup", "check", "path", "show", "init", "edit"] {
            assert!(script.contains(nested), "{shell}: no {nested}");
        }
    }
    let page = desk.ok(&["man"]);
    assert!(page.starts_with(".ie") || page.contains(".TH ticketdesk 1"), "roff: {}", &page[..80]);
    for name in subcommands() {
        assert!(page.contains(&format!("ticketdesk\\-{}(1)", name.replace('-', "\\-"))), "man: no {name}");
    }
}

#[test]
fn man_dir_writes_a_page_per_subcommand() {
    let desk = Desk::new();
    let dir = desk.dir.path().join("man1");
    std::fs::create_dir(&dir).unwrap();
    desk.ok(&["man", "--dir", dir.to_str().unwrap()]);
    assert!(dir.join("ticketdesk.1").is_file());
    for name in subcommands() {
        let page = std::fs::read_to_string(dir.join(format!("ticketdesk-{name}.1"))).expect(&name);
        assert!(page.contains(&format!(".TH ticketdesk-{name} 1")), "{name}: {}", &page[..120]);
    }
    assert!(dir.join("ticketdesk-db-backup.1").is_file(), "nested subcommands get pages too");
}

/// What the shell script gets back when it asks, as each shell's script asks.
fn ask(desk: &Desk, shell: &str, words: &[&str]) -> Vec<String> {
    let mut cmd = desk.std_cmd();
    // The script runs the plain binary: no --db of the harness's.
    let mut plain = Command::new(common::bin());
    for (key, value) in cmd.get_envs() {
        match value {
            Some(value) => plain.env(key, value),
            None => plain.env_remove(key),
        };
    }
    cmd = plain;
    let out = cmd
        .env(ticketdesk::complete::VAR, shell)
        .env("_CLAP_COMPLETE_INDEX", (words.len() - 1).to_string())
        .env("_CLAP_IFS", "\n")
        .arg("--")
        .args(words)
        .output()
        .unwrap();
    assert!(out.status.success(), "{shell}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        // zsh reads `value:hint`, the others `value<TAB>hint`.
        .map(|line| line.split(if shell == "zsh" { ':' } else { '\t' }).next().unwrap_or_default().to_owned())
        // An empty word is offered flags too; these tests are about the rest.
        .filter(|v| !v.is_empty() && !v.starts_with('-'))
        .collect()
}

#[test]
fn the_calling_back_script_completes_every_subcommand_and_ticket_ids_in_every_shell() {
    let desk = Desk::new();
    let first = desk.add("Printer on fire", "smoke everywhere", "technical", "critical");
    let second = desk.add("Refund", "charged twice", "billing", "high");
    let db = desk.db.to_str().unwrap();
    for shell in SHELLS {
        let offered = ask(&desk, shell, &["ticketdesk", ""]);
        for name in subcommands() {
            assert!(offered.contains(&name), "{shell}: {name} not in {offered:?}");
        }
        let ids = ask(&desk, shell, &["ticketdesk", "--db", db, "show", ""]);
        assert_eq!(ids, vec![second.to_string(), first.to_string()], "{shell}: newest first");
        let ids = ask(&desk, shell, &["ticketdesk", "status", "--db", db, ""]);
        assert!(ids.contains(&first.to_string()), "{shell}: {ids:?}");
    }
}

#[test]
fn completing_ids_never_creates_a_desk() {
    let desk = Desk::new();
    let db = desk.db.to_str().unwrap();
    assert!(ask(&desk, "bash", &["ticketdesk", "--db", db, "show", ""]).is_empty());
    assert!(!desk.db.exists());
}

/// Runs `script` in a non-interactive bash and returns (success, stdout, stderr).
fn bash(script: &str) -> (bool, String, String) {
    let out = Command::new("bash").arg("-c").arg(script).output().expect("bash");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn bash_sources_both_scripts_and_completes_from_the_desk() {
    let desk = Desk::new();
    let id = desk.add("Login loop", "cannot sign in", "account", "medium");
    for flags in [vec!["completions", "bash", "--static"], vec!["completions", "bash"]] {
        let script = desk.dir.path().join("completion.bash");
        std::fs::write(&script, desk.ok(&flags)).unwrap();
        let (ok, _, stderr) = bash(&format!("source {} && complete -p ticketdesk", script.display()));
        assert!(ok && stderr.is_empty(), "{flags:?}: {stderr}");
    }
    // The calling-back script, driven as bash's completion would drive it.
    let script = desk.dir.path().join("completion.bash");
    let complete = |words: &str| {
        let (ok, stdout, stderr) = bash(&format!(
            "export HOME={home} XDG_CONFIG_HOME={home}/config TICKETDESK_HOST_CONFIG={home}/none.toml
             source {script}
             COMP_WORDS=({words}); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)); COMP_TYPE=9
             _clap_complete_ticketdesk ticketdesk \"${{COMP_WORDS[COMP_CWORD]}}\"
             printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            home = desk.dir.path().display(),
            script = script.display(),
        ));
        assert!(ok, "{stderr}");
        stdout.lines().filter(|w| !w.starts_with('-')).map(str::to_owned).collect::<Vec<_>>()
    };
    let offered = complete("ticketdesk ''");
    for name in subcommands() {
        assert!(offered.contains(&name), "{name} not in {offered:?}");
    }
    assert_eq!(complete(&format!("ticketdesk --db {} take ''", desk.db.display())), vec![id.to_string()]);
    assert_eq!(complete("ticketdesk completions fi"), vec!["fish".to_owned()]);
}

#[test]
fn a_generic_complete_variable_in_the_environment_changes_nothing() {
    let desk = Desk::new();
    for value in ["bash", "1"] {
        let out = desk.cmd().env("COMPLETE", value).args(["stats", "--json"]).output().unwrap();
        assert!(out.status.success(), "{value}: {}", String::from_utf8_lossy(&out.stderr));
        let stats: serde_json::Value = serde_json::from_slice(&out.stdout).expect("the command's own output");
        assert_eq!(stats["total_tickets"], 0);
    }
}
