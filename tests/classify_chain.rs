//! The chain over real HTTP: the cache saves calls, the breaker stops paying
//! for failures, and every path still answers.

use serde_json::json;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use ticketdesk::classify::chain::{Breaker, Chain, Health, Remote};
use ticketdesk::classify::claude::{ApiKey, ClaudeClient, ClaudeSettings};
use ticketdesk::classify::local::LocalModel;
use ticketdesk::classify::{Classify, Source};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

fn chain(server: &MockServer, breaker: Breaker) -> Chain {
    let settings = ClaudeSettings {
        api_key: ApiKey::new("sk-ant-test"),
        base_url: server.uri(),
        deadline: Duration::from_secs(3),
        ..ClaudeSettings::default()
    };
    Chain::new(
        Remote::Claude(ClaudeClient::new(settings).unwrap()),
        Arc::new(RwLock::new(LocalModel::seeded(30_000))),
        breaker,
    )
}

fn good_reply() -> ResponseTemplate {
    let answer =
        json!({ "category": "billing", "priority": "high", "confidence": "medium", "reason": "Charge." });
    ResponseTemplate::new(200).set_body_json(json!({
        "id": "msg", "type": "message", "role": "assistant", "model": "m", "stop_reason": "end_turn",
        "content": [{ "type": "text", "text": answer.to_string() }], "usage": {"input_tokens": 1, "output_tokens": 1}
    }))
}

async fn calls(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().len()
}

#[tokio::test]
async fn an_identical_description_never_costs_a_second_call() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(good_reply()).mount(&server).await;
    let chain = chain(&server, Breaker::new(3, Duration::from_secs(60)));
    let first = chain.classify("Charged twice for March").await;
    assert_eq!((first.source, first.cached), (Source::Claude, false));
    let again = chain.classify("  charged   TWICE for march ").await;
    assert_eq!((again.source, again.cached), (Source::Claude, true), "keeps its source, says cached");
    assert_eq!(calls(&server).await, 1);
    chain.classify("Something else entirely").await;
    assert_eq!(calls(&server).await, 2);
}

#[tokio::test]
async fn the_breaker_stops_calls_until_the_cool_down_ends() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(400).set_body_string("bad"))
        .mount(&server)
        .await;
    let cooldown = Duration::from_millis(400);
    let chain = chain(&server, Breaker::new(2, cooldown));
    for text in ["one", "two"] {
        let s = chain.classify(text).await;
        assert_eq!(s.source, Source::Local);
        assert!(s.fallback_reason.as_deref().unwrap().contains("400"), "{s:?}");
    }
    assert_eq!(calls(&server).await, 2);
    let opened = Instant::now();
    let skipped = chain.classify("three").await;
    assert_eq!(skipped.source, Source::Local);
    assert!(skipped.fallback_reason.unwrap().contains("skipped"));
    assert_eq!(calls(&server).await, 2, "breaker open: no HTTP call");
    assert!(matches!(chain.health(), Health::CoolingDown(_)));

    // Poll until the breaker lets a call through; it must not before the cool-down.
    let mut n = 0;
    while calls(&server).await == 2 {
        assert!(opened.elapsed() < Duration::from_secs(5), "breaker never closed");
        n += 1;
        chain.classify(&format!("probe {n}")).await;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(opened.elapsed() >= cooldown - Duration::from_millis(50), "called after {:?}", opened.elapsed());
    assert_eq!(calls(&server).await, 3, "exactly one trial call");
}

#[tokio::test]
async fn a_refused_key_stops_claude_until_restart() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(403)
                .set_body_json(json!({"type":"error","error":{"type":"permission_error","message":"no"}})),
        )
        .mount(&server)
        .await;
    let chain = chain(&server, Breaker::new(5, Duration::from_secs(60)));
    for text in ["a", "b", "c"] {
        assert_eq!(chain.classify(text).await.source, Source::Local);
    }
    assert_eq!(calls(&server).await, 1);
    assert!(matches!(chain.health(), Health::Refused(_)));
}

#[tokio::test]
async fn fallbacks_are_not_cached_so_claude_is_asked_again_once_back() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(529))
        .up_to_n_times(2)
        .mount(&server)
        .await;
    Mock::given(method("POST")).respond_with(good_reply()).mount(&server).await;
    let chain = chain(&server, Breaker::new(5, Duration::from_secs(60)));
    assert_eq!(chain.classify("same text").await.source, Source::Local);
    let later = chain.classify("same text").await;
    assert_eq!((later.source, later.cached), (Source::Claude, false));
}
