//! Every number in the config and on the command line has a range: a value
//! outside it is refused up front (exit 2, one line naming the key, where it
//! was set and the range) instead of crashing later. And no config message
//! ever repeats a value that could be a secret.

mod common;

use common::Desk;

/// Shaped like a real key, so any place that echoes a value would show it.
const FAKE_KEY: &str = "sk-ant-api03-Zq9FakeKeyForTestsOnly-0000000000AA";

fn host_config(desk: &Desk, text: &str) -> String {
    desk.write_file("host-config.toml", text).display().to_string()
}

/// Runs `args` and returns (exit code, stdout, stderr).
fn run(desk: &Desk, args: &[&str], env: Env) -> (Option<i32>, String, String) {
    let mut cmd = desk.cmd();
    for (name, value) in env {
        cmd.env(name, value);
    }
    let out = cmd.args(args).output().expect("run");
    let text = |bytes: Vec<u8>| String::from_utf8(bytes).expect("utf-8");
    (out.status.code(), text(out.stdout), text(out.stderr))
}

#[test]
fn out_of_range_config_numbers_exit_2_naming_the_key_the_file_and_the_range() {
    let cases = [
        ("busy_timeout_secs = 2147484", "busy_timeout_secs must be 0 to 86400 seconds (got 2147484)"),
        ("debounce_ms = 60001", "debounce_ms must be 0 to 60000 milliseconds (got 60001)"),
        (
            "[claude]\nconnect_timeout_ms = 0",
            "claude.connect_timeout_ms must be 1 to 60000 milliseconds (got 0)",
        ),
        (
            "[claude]\ndeadline_ms = 600001",
            "claude.deadline_ms must be 1 to 600000 milliseconds (got 600001)",
        ),
        ("[claude]\nmax_tokens = 0", "claude.max_tokens must be 1 to 8192 tokens (got 0)"),
        ("[claude]\nmax_input_chars = 0", "claude.max_input_chars must be 1 to 100000 characters (got 0)"),
        ("[claude]\nbreaker_failures = 0", "claude.breaker_failures must be 1 to 1000 failures (got 0)"),
        (
            "[claude]\nbreaker_failures = 1\nbreaker_cooldown_secs = 9223372036854775807",
            "claude.breaker_cooldown_secs must be 0 to 86400 seconds (got 9223372036854775807)",
        ),
        (
            "[local]\ntraining_window = 1000001",
            "local.training_window must be 0 to 1000000 tickets (got 1000001)",
        ),
        ("[local]\nmax_vocabulary = 0", "local.max_vocabulary must be 1000 to 1000000 words (got 0)"),
        // Past what the type holds: caught while reading the file, with its position.
        (
            "[claude]\nmax_tokens = 4294967296",
            ", line 2, column 14: claude.max_tokens must be 1 to 8192 tokens",
        ),
        (
            "[local]\nmax_vocabulary = -1",
            ", line 2, column 18: local.max_vocabulary must be 1000 to 1000000 words",
        ),
    ];
    for (text, expected) in cases {
        let desk = Desk::new();
        let path = host_config(&desk, text);
        // A key and an unreachable Claude: with the old code, a huge cool-down
        // overflowed once the first failure opened the breaker.
        let env = [("ANTHROPIC_API_KEY", "sk-test"), ("ANTHROPIC_BASE_URL", "http://127.0.0.1:9")];
        let (code, _, stderr) = run(&desk, &["add", "--title", "t", "--description", "refund please"], &env);
        assert_eq!(code, Some(2), "{text}: {stderr}");
        let separator = if expected.starts_with(',') { "" } else { ": " };
        assert_eq!(stderr, format!("ticketdesk: config {path}{separator}{expected}\n"), "{text}");
        assert!(!desk.db.exists(), "{text}: nothing is opened with a bad config");
    }
}

#[test]
fn the_edges_of_each_range_are_accepted() {
    let desk = Desk::new();
    host_config(
        &desk,
        "busy_timeout_secs = 0\ndebounce_ms = 60000\n[claude]\nmax_tokens = 8192\nbreaker_cooldown_secs = 86400\n\
         [local]\ntraining_window = 0\nmax_vocabulary = 1000\n",
    );
    let v = desk.json(&["add", "--title", "t", "--description", "refund please", "--classifier", "local"]);
    assert_eq!(v["suggestion"]["source"], "local");
    desk.ok(&["--busy-timeout", "86400", "list"]);
}

type Env<'a> = &'a [(&'a str, &'a str)];

#[test]
fn out_of_range_flags_exit_2_stating_the_range() {
    let desk = Desk::new();
    let cases: [(&[&str], Env, &str); 6] = [
        (&["--busy-timeout", "2147484", "list"], &[], "must be a whole number of seconds from 0 to 86400"),
        (&["--busy-timeout", "-1", "list"], &[], "must be a whole number of seconds from 0 to 86400"),
        (&["list"], &[("TICKETDESK_BUSY_TIMEOUT", "99999999999999999999")], "from 0 to 86400"),
        (&["list", "--limit", "0"], &[], "must be a whole number of tickets from 1 to 1000000"),
        (&["list", "--limit", "-5"], &[], "from 1 to 1000000"),
        (&["show", "0"], &[], "must be a whole number, 1 or more"),
    ];
    for (args, env, expected) in cases {
        let (code, _, stderr) = run(&desk, args, env);
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
    }
    assert!(!desk.db.exists());
}

#[test]
fn a_key_pasted_as_the_key_file_path_never_appears() {
    let desk = Desk::new();
    let path = host_config(&desk, &format!("[claude]\napi_key_file = \"{FAKE_KEY}\"\n"));
    let runs = [
        run(&desk, &["classify", "--json", "I was charged twice"], &[]),
        run(&desk, &["add", "--json", "--title", "Refund", "--description", "charged twice"], &[]),
        run(&desk, &["classify", "I was charged twice"], &[]),
    ];
    for (code, stdout, stderr) in &runs {
        assert_eq!(*code, Some(0), "{stderr}");
        assert!(!stdout.contains("Zq9Fake") && !stderr.contains("Zq9Fake"), "{stdout}{stderr}");
    }
    let v: serde_json::Value = serde_json::from_str(&runs[0].1).unwrap();
    assert_eq!(
        v["fallback_reason"],
        format!(
            "config {path}: claude.api_key_file: cannot read the file it names: No such file or directory (os error 2)"
        )
    );
}

#[test]
fn config_errors_name_the_spot_but_never_quote_the_file() {
    let cases = [
        format!("[claude]\napi_key_file = \"{FAKE_KEY}\n"),
        format!("{FAKE_KEY}\n"),
        format!("{FAKE_KEY} = 1\n"),
        format!("debounce_ms = \"{FAKE_KEY}\"\n"),
        format!("classifier = \"{FAKE_KEY}\"\n"),
        format!("redact = \"{FAKE_KEY}\"\n"),
        format!("claude = \"{FAKE_KEY}\"\n"),
        format!("[claude]\nauth = \"{FAKE_KEY}\"\n"),
        format!("[claude]\nbase_url = \"{FAKE_KEY}\"\n"),
        format!("[claude]\nbase_url = \"ftp://agent:{FAKE_KEY}@example.com\"\n"),
    ];
    for text in cases {
        let desk = Desk::new();
        let path = host_config(&desk, &text);
        let (code, stdout, stderr) = run(&desk, &["list"], &[]);
        assert_eq!(code, Some(2), "{text}: {stderr}");
        assert!(stdout.is_empty());
        assert!(!stderr.contains("Zq9Fake"), "{text}: {stderr}");
        assert!(stderr.starts_with(&format!("ticketdesk: config {path}")), "{text}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{text}: {stderr}");
    }
}

#[test]
fn a_bad_base_url_from_the_environment_is_named_not_echoed() {
    let desk = Desk::new();
    let url = format!("ftp://{FAKE_KEY}@example.com");
    let (code, _, stderr) = run(&desk, &["list"], &[("ANTHROPIC_BASE_URL", &url)]);
    assert_eq!(code, Some(2));
    assert_eq!(
        stderr,
        "ticketdesk: environment ANTHROPIC_BASE_URL: claude.base_url must start with http:// or https://\n"
    );
}
