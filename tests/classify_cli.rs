//! Classification through the real binary: a local fake Messages API, the
//! config layers, the fallbacks, and what leaves the machine.

mod common;

use common::Desk;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn structured_reply(category: &str, priority: &str) -> ResponseTemplate {
    let answer = json!({ "category": category, "priority": priority, "confidence": "high", "reason": "Looks like it." });
    ResponseTemplate::new(200).set_body_json(json!({
        "id": "msg_01", "type": "message", "role": "assistant", "model": "m",
        "content": [{ "type": "text", "text": answer.to_string() }],
        "stop_reason": "end_turn", "usage": { "input_tokens": 300, "output_tokens": 30 }
    }))
}

/// The binary pointed at the fake server with a key.
fn with_claude(desk: &Desk, server: &MockServer) -> assert_cmd::Command {
    let mut cmd = desk.cmd();
    cmd.env("ANTHROPIC_API_KEY", "sk-ant-test-key-000").env("ANTHROPIC_BASE_URL", server.uri());
    cmd
}

fn json_out(cmd: &mut assert_cmd::Command, args: &[&str]) -> Value {
    let out = cmd.args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

async fn received_bodies(server: &MockServer) -> Vec<Value> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn classify_asks_claude_and_says_so() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/messages"))
        .respond_with(structured_reply("technical", "critical"))
        .mount(&server)
        .await;
    let desk = Desk::new();
    let v = json_out(
        &mut with_claude(&desk, &server),
        &["classify", "Checkout returns 500 for everyone", "--json"],
    );
    assert_eq!(v["suggested_category"], "technical");
    assert_eq!(v["suggested_priority"], "critical");
    assert_eq!(v["source"], "claude");
    assert_eq!(v["confidence"], "high");
    assert!(v.get("fallback_reason").is_none());
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(&keys[..5], ["suggested_category", "suggested_priority", "source", "cached", "confidence"]);
    assert!(!v.to_string().contains("sk-ant-test-key-000"));
}

#[tokio::test(flavor = "multi_thread")]
async fn add_fills_only_the_missing_fields_from_claude() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/messages"))
        .respond_with(structured_reply("billing", "high"))
        .mount(&server)
        .await;
    let desk = Desk::new();
    let v = json_out(
        &mut with_claude(&desk, &server),
        &["add", "--title", "Charged twice", "--description", "Refund please", "--priority", "low", "--json"],
    );
    assert_eq!(v["category"], "billing");
    assert_eq!(v["priority"], "low", "given by hand, kept");
    assert_eq!(v["suggestion"]["source"], "claude");
    assert_eq!(v["suggestion"]["confidence"], "high");
    // The key never reaches the database.
    let conn = desk.conn();
    let dump = common::dump(&desk.db);
    assert!(!dump.contains("sk-ant-test-key-000"));
    drop(conn);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_service_falls_back_to_the_local_model_with_the_reason() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500).set_body_string("oops"))
        .mount(&server)
        .await;
    let desk = Desk::new();
    let started = std::time::Instant::now();
    let v = json_out(
        &mut with_claude(&desk, &server),
        &["classify", "I was charged twice, refund please", "--json"],
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(9), "within the deadline");
    assert_eq!(v["source"], "local");
    assert_eq!(v["suggested_category"], "billing");
    assert!(v["fallback_reason"].as_str().unwrap().contains("500"), "{v}");
    assert_eq!(server.received_requests().await.unwrap().len(), 2, "one retry, no more");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_key_is_named_without_showing_it() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(401).set_body_json(
            json!({"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}),
        ))
        .mount(&server)
        .await;
    let desk = Desk::new();
    let v = json_out(&mut with_claude(&desk, &server), &["classify", "password reset please", "--json"]);
    assert_eq!(v["source"], "local");
    let reason = v["fallback_reason"].as_str().unwrap();
    assert!(reason.contains("401"), "{reason}");
    assert!(!reason.contains("sk-ant-test-key-000"));
}

#[tokio::test(flavor = "multi_thread")]
async fn what_is_sent_is_redacted_and_matches_show_request() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(structured_reply("billing", "medium")).mount(&server).await;
    let desk = Desk::new();
    let text = "Card 4111 1111 1111 1111 was charged twice. Reach me at jane.doe@example.com, token sk-live-abcdefghijklmnopqrstuvwxyz123456";
    json_out(&mut with_claude(&desk, &server), &["classify", text, "--json"]);
    let sent = received_bodies(&server).await.pop().unwrap();
    let shown = json_out(&mut with_claude(&desk, &server), &["classify", "--show-request", text]);
    assert_eq!(sent, shown, "--show-request prints exactly what is sent");
    assert_eq!(server.received_requests().await.unwrap().len(), 1, "--show-request sends nothing");
    let wire = sent.to_string();
    for secret in ["4111 1111 1111 1111", "jane.doe@example.com", "sk-live-abcdefghijklmnopqrstuvwxyz123456"]
    {
        assert!(!wire.contains(secret), "{secret} left the machine: {wire}");
    }
    assert!(wire.contains("[CARD]") && wire.contains("[EMAIL]"), "{wire}");
    assert!(sent.get("temperature").is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn redaction_can_be_switched_off_in_the_agent_config() {
    let desk = Desk::new();
    let config_dir = desk.dir.path().join("config/ticketdesk");
    std::fs::create_dir_all(&config_dir).unwrap();
    std::fs::write(config_dir.join("config.toml"), "redact = false\n").unwrap();
    let shown = json_out(&mut desk.cmd(), &["classify", "--show-request", "mail jane@example.com"]);
    assert!(shown.to_string().contains("jane@example.com"));
}

#[tokio::test(flavor = "multi_thread")]
async fn local_mode_never_calls_out_even_with_a_key() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(structured_reply("billing", "low")).mount(&server).await;
    let desk = Desk::new();
    let config_dir = desk.dir.path().join("config/ticketdesk");
    std::fs::create_dir_all(&config_dir).unwrap();
    std::fs::write(config_dir.join("config.toml"), "classifier = \"local\"\n").unwrap();
    let v = json_out(
        &mut with_claude(&desk, &server),
        &["classify", "the app crashes with a 500 error", "--json"],
    );
    assert_eq!(v["source"], "local");
    assert_eq!(v["suggested_category"], "technical");
    assert!(v.get("fallback_reason").is_none());
    // The flag beats the file.
    let v = json_out(
        &mut with_claude(&desk, &server),
        &["--classifier", "claude", "classify", "x y z", "--json"],
    );
    assert_eq!(v["source"], "claude");
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[test]
fn without_a_key_suggestions_are_local_and_say_why() {
    let desk = Desk::new();
    let v = desk.json(&["classify", "my account is locked after a password reset"]);
    assert_eq!(v["source"], "local");
    assert_eq!(v["suggested_category"], "account");
    assert!(v["fallback_reason"].as_str().unwrap().contains("no API key"));
}

#[test]
fn a_key_file_others_can_read_is_refused() {
    let desk = Desk::new();
    let key_file = desk.write_file("api-key", "sk-ant-from-file-999\n");
    std::fs::set_permissions(&key_file, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    let config_dir = desk.dir.path().join("config/ticketdesk");
    std::fs::create_dir_all(&config_dir).unwrap();
    std::fs::write(config_dir.join("config.toml"), format!("[claude]\napi_key_file = {:?}\n", key_file))
        .unwrap();
    let v = desk.json(&["classify", "refund please"]);
    assert_eq!(v["source"], "local");
    let reason = v["fallback_reason"].as_str().unwrap();
    assert!(reason.contains("chmod 600"), "{reason}");
    assert!(!v.to_string().contains("sk-ant-from-file-999"));
}

#[test]
fn a_broken_config_file_is_named() {
    let desk = Desk::new();
    let config_dir = desk.dir.path().join("config/ticketdesk");
    std::fs::create_dir_all(&config_dir).unwrap();
    std::fs::write(config_dir.join("config.toml"), "classifer = \"local\"\n").unwrap();
    // A wrong line in a config file is an invalid value, like an unknown flag.
    let stderr = desk.fails(&["list"], 2);
    assert!(stderr.contains("config.toml") && stderr.contains("classifer"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1);
}

#[test]
fn the_config_file_can_name_the_database() {
    let desk = Desk::new();
    let shared = desk.dir.path().join("shared.db");
    std::fs::write(desk.dir.path().join("host-config.toml"), format!("db = {:?}\n", shared)).unwrap();
    let mut cmd = assert_cmd::Command::cargo_bin("ticketdesk").unwrap();
    cmd.env("HOME", desk.dir.path())
        .env("XDG_CONFIG_HOME", desk.dir.path().join("config"))
        .env("TICKETDESK_HOST_CONFIG", desk.dir.path().join("host-config.toml"))
        .env_remove("TICKETDESK_DB")
        .args(["add", "--title", "t", "--description", "d", "--category", "general", "--priority", "low"])
        .assert()
        .success();
    assert!(shared.exists(), "the host file's db was used");
}

#[test]
fn empty_text_is_a_usage_error() {
    let desk = Desk::new();
    desk.fails(&["classify", "   "], 2);
    desk.fails(&["classify"], 2);
}

#[test]
fn evaluate_reports_accuracy_against_baselines() {
    let desk = Desk::new();
    let v = desk.json(&["classify", "--evaluate"]);
    assert!(v["method"].as_str().unwrap().contains("cross-validation"), "{v}");
    let accuracy = v["accuracy"]["category"].as_f64().unwrap();
    assert!(accuracy > v["majority_baseline"]["category"].as_f64().unwrap());
    // With a desk of its own, it trains on older tickets and tests on the newest.
    let samples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/sample-tickets.jsonl");
    desk.ok(&["import", samples.to_str().unwrap()]);
    let v = desk.json(&["classify", "--evaluate"]);
    assert_eq!(v["test_size"], 72, "{v}");
    let human = desk.ok(&["classify", "--evaluate"]);
    assert!(human.contains("local model") && human.contains('%'), "{human}");
}
