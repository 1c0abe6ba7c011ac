//! Claude first, the local model when Claude cannot answer: with a cache so an
//! identical description never costs a second call, and a circuit breaker so
//! an offline agent does not pay a timeout per edit. Both live in memory, per
//! process.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;
use tokio::time::Instant;

use super::claude::{ClaudeClient, ClaudeError};
use super::local::LocalModel;
use super::{Classify, Source, Suggestion};
use crate::config::ConfigError;

/// Whether and how Claude takes part.
pub enum Remote {
    /// Claude is asked first.
    Claude(ClaudeClient),
    /// Claude was wanted but cannot be used: the reason is reported with
    /// every local answer.
    Unavailable(NoClaude),
    /// The local model was chosen; nothing leaves the machine.
    LocalOnly,
}

/// Why Claude was wanted but is not asked at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoClaude {
    #[error("no API key: set ANTHROPIC_API_KEY or claude.api_key_file in the config")]
    NoKey,
    /// The configured key file cannot be used (others can read it, say).
    #[error(transparent)]
    KeyFile(ConfigError),
}

/// What the classifier is doing, for a status line: typed, so whoever shows
/// it words it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Health {
    /// Claude is being asked.
    Claude,
    /// Local suggestions by choice.
    Local,
    /// Claude cannot be used; local suggestions.
    Unavailable(NoClaude),
    /// Claude refused the key (401/403); not retried until restart.
    Refused(ClaudeError),
    /// Failures opened the breaker; Claude is retried after the cool-down.
    CoolingDown(Duration),
}

/// Why one classification did without Claude, worded where an answer
/// reports it (`fallback_reason`).
#[derive(Debug, thiserror::Error)]
enum Skipped {
    #[error("{0}; not retried until restart")]
    Refused(ClaudeError),
    #[error("Claude skipped after repeated failures; next try in {}s", .0.as_secs().max(1))]
    CoolingDown(Duration),
    #[error(transparent)]
    Failed(ClaudeError),
}

/// Opens after `threshold` failures in a row; after `cooldown` lets one try
/// through, which closes it on success or re-opens it on failure.
#[derive(Debug, Clone)]
pub struct Breaker {
    threshold: u32,
    cooldown: Duration,
    failures: u32,
    open_until: Option<Instant>,
}

/// The config allows a day; anything longer is clamped so `now + cooldown`
/// can never overflow an `Instant`.
const LONGEST_COOLDOWN: Duration = Duration::from_secs(86_400);

impl Breaker {
    pub fn new(threshold: u32, cooldown: Duration) -> Breaker {
        Breaker {
            threshold: threshold.max(1),
            cooldown: cooldown.min(LONGEST_COOLDOWN),
            failures: 0,
            open_until: None,
        }
    }

    /// `None` when a call may go ahead, else how long until it may.
    pub fn wait(&self, now: Instant) -> Option<Duration> {
        self.open_until.filter(|until| *until > now).map(|until| until - now)
    }

    pub fn record_success(&mut self) {
        self.failures = 0;
        self.open_until = None;
    }

    pub fn record_failure(&mut self, now: Instant) {
        self.failures = self.failures.saturating_add(1);
        if self.failures >= self.threshold {
            self.open_until = Some(now + self.cooldown);
        }
    }
}

/// A bounded map from normalised text to the answer it got; the oldest entry
/// goes first when full.
#[derive(Debug, Default)]
struct Cache {
    entries: HashMap<String, Suggestion>,
    order: VecDeque<String>,
}

const CACHE_CAPACITY: usize = 512;

impl Cache {
    fn get(&self, key: &str) -> Option<Suggestion> {
        self.entries.get(key).map(|s| Suggestion { cached: true, ..s.clone() })
    }

    fn put(&mut self, key: String, suggestion: Suggestion) {
        if self.entries.insert(key.clone(), suggestion).is_none() {
            self.order.push_back(key);
        }
        while self.order.len() > CACHE_CAPACITY {
            if let Some(oldest) = self.order.pop_front() {
                self.entries.remove(&oldest);
            }
        }
    }
}

/// The cache key: case and spacing do not make a description different.
pub fn normalise(text: &str) -> String {
    text.split_whitespace().map(str::to_lowercase).collect::<Vec<_>>().join(" ")
}

pub struct Chain {
    remote: Remote,
    local: Arc<RwLock<LocalModel>>,
    cache: Mutex<Cache>,
    breaker: Mutex<Breaker>,
    /// A 401/403, kept until restart.
    refused: Mutex<Option<ClaudeError>>,
}

impl Chain {
    pub fn new(remote: Remote, local: Arc<RwLock<LocalModel>>, breaker: Breaker) -> Chain {
        Chain {
            remote,
            local,
            cache: Mutex::default(),
            breaker: Mutex::new(breaker),
            refused: Mutex::new(None),
        }
    }

    /// The local model, shared so the app can teach it new tickets.
    pub fn local_model(&self) -> Arc<RwLock<LocalModel>> {
        Arc::clone(&self.local)
    }

    pub fn health(&self) -> Health {
        match &self.remote {
            Remote::LocalOnly => Health::Local,
            Remote::Unavailable(reason) => Health::Unavailable(reason.clone()),
            Remote::Claude(_) => {
                if let Some(err) = lock(&self.refused).clone() {
                    return Health::Refused(err);
                }
                match lock(&self.breaker).wait(Instant::now()) {
                    Some(wait) => Health::CoolingDown(wait),
                    None => Health::Claude,
                }
            }
        }
    }

    fn local_answer(&self, text: &str, fallback_reason: Option<String>) -> Suggestion {
        let prediction = self.local.read().unwrap_or_else(PoisonError::into_inner).predict(text);
        Suggestion {
            category: prediction.category,
            priority: prediction.priority,
            source: Source::Local,
            cached: false,
            confidence: prediction.confidence,
            reason: prediction.reason,
            fallback_reason,
        }
    }

    async fn ask_claude(&self, client: &ClaudeClient, text: &str) -> Result<Suggestion, Skipped> {
        if let Some(err) = lock(&self.refused).clone() {
            return Err(Skipped::Refused(err));
        }
        if let Some(wait) = lock(&self.breaker).wait(Instant::now()) {
            tracing::info!(
                outcome = "skipped",
                breaker = "open",
                retry_in_s = wait.as_secs(),
                "claude not asked"
            );
            return Err(Skipped::CoolingDown(wait));
        }
        let started = Instant::now();
        match client.classify(text).await {
            Ok(answer) => {
                lock(&self.breaker).record_success();
                let latency_ms = started.elapsed().as_millis() as u64;
                tracing::info!(outcome = "ok", latency_ms, breaker = "closed", "claude answered");
                Ok(Suggestion {
                    category: answer.category,
                    priority: answer.priority,
                    source: Source::Claude,
                    cached: false,
                    confidence: answer.confidence,
                    reason: answer.reason,
                    fallback_reason: None,
                })
            }
            Err(err) => {
                let latency_ms = started.elapsed().as_millis() as u64;
                tracing::warn!(outcome = "failed", latency_ms, error = %err, "claude failed");
                Err(self.record_failure(err))
            }
        }
    }

    fn record_failure(&self, err: ClaudeError) -> Skipped {
        if err.is_permanent() {
            *lock(&self.refused) = Some(err.clone());
            tracing::warn!(breaker = "refused", "claude stopped until restart");
            return Skipped::Refused(err);
        }
        lock(&self.breaker).record_failure(Instant::now());
        let breaker = lock(&self.breaker);
        let state = if breaker.wait(Instant::now()).is_some() { "open" } else { "closed" };
        tracing::info!(breaker = state, failures = breaker.failures, "claude breaker");
        Skipped::Failed(err)
    }
}

/// Poisoning only means another thread panicked mid-update of plain data;
/// the data is still usable.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Classify for Chain {
    async fn classify(&self, text: &str) -> Suggestion {
        let key = normalise(text);
        if let Some(hit) = lock(&self.cache).get(&key) {
            return hit;
        }
        let (suggestion, cacheable) = match &self.remote {
            Remote::LocalOnly => (self.local_answer(text, None), true),
            Remote::Unavailable(reason) => {
                tracing::info!(fallback_reason = %reason, "suggestion from the local model: claude unavailable");
                (self.local_answer(text, Some(reason.to_string())), true)
            }
            Remote::Claude(client) => match self.ask_claude(client, text).await {
                Ok(answer) => (answer, true),
                // A fallback is not cached: Claude gets this text again once it is back.
                Err(skipped) => {
                    tracing::warn!(fallback_reason = %skipped, "suggestion from the local model instead of claude");
                    (self.local_answer(text, Some(skipped.to_string())), false)
                }
            },
        };
        if cacheable {
            lock(&self.cache).put(key, suggestion.clone());
        }
        suggestion
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breaker_opens_after_the_threshold_and_closes_on_success() {
        let start = Instant::now();
        let mut breaker = Breaker::new(3, Duration::from_secs(60));
        breaker.record_failure(start);
        breaker.record_failure(start);
        assert_eq!(breaker.wait(start), None, "two failures: still closed");
        breaker.record_failure(start);
        assert_eq!(breaker.wait(start), Some(Duration::from_secs(60)));
        assert_eq!(breaker.wait(start + Duration::from_secs(59)), Some(Duration::from_secs(1)));
        assert_eq!(breaker.wait(start + Duration::from_secs(60)), None, "cool-down over: one try");
        breaker.record_failure(start + Duration::from_secs(60));
        assert!(breaker.wait(start + Duration::from_secs(61)).is_some(), "a failed try re-opens it");
        breaker.record_success();
        assert_eq!(breaker.wait(start + Duration::from_secs(61)), None);
    }

    #[test]
    fn a_huge_cooldown_opens_the_breaker_without_overflowing() {
        let start = Instant::now();
        let mut breaker = Breaker::new(1, Duration::MAX);
        breaker.record_failure(start);
        assert_eq!(breaker.wait(start), Some(LONGEST_COOLDOWN));
        let mut breaker = Breaker { failures: u32::MAX, ..Breaker::new(u32::MAX, Duration::from_secs(1)) };
        breaker.record_failure(start);
        assert!(breaker.wait(start).is_some(), "the count saturates and the breaker opens");
    }

    #[test]
    fn cache_keys_ignore_case_and_spacing_and_stay_bounded() {
        assert_eq!(normalise("  Refund\n\tPLEASE  "), "refund please");
        let mut cache = Cache::default();
        let local = LocalModel::empty(100).predict("refund");
        for i in 0..(CACHE_CAPACITY + 10) {
            cache.put(
                format!("text {i}"),
                Suggestion {
                    category: local.category,
                    priority: local.priority,
                    source: Source::Local,
                    cached: false,
                    confidence: local.confidence,
                    reason: String::new(),
                    fallback_reason: None,
                },
            );
        }
        assert_eq!(cache.entries.len(), CACHE_CAPACITY);
        assert!(cache.get("text 0").is_none(), "oldest evicted");
        assert!(cache.get(&format!("text {}", CACHE_CAPACITY + 9)).unwrap().cached);
    }

    #[tokio::test]
    async fn local_only_answers_and_caches_without_a_fallback_reason() {
        let chain = Chain::new(
            Remote::LocalOnly,
            Arc::new(RwLock::new(LocalModel::seeded(30_000))),
            Breaker::new(3, Duration::from_secs(60)),
        );
        let first = chain.classify("I was charged twice, refund please").await;
        assert_eq!(first.source, Source::Local);
        assert!(!first.cached && first.fallback_reason.is_none());
        let second = chain.classify("  i was CHARGED twice,\n refund please ").await;
        assert_eq!(second.source, Source::Local, "keeps its original source");
        assert!(second.cached, "same text but for case and spacing");
        assert_eq!(Suggestion { cached: false, ..second }, first);
        assert!(!chain.classify("a different text").await.cached);
        assert_eq!(chain.health(), Health::Local);
    }

    #[tokio::test]
    async fn unavailable_claude_falls_back_with_the_reason() {
        let chain = Chain::new(
            Remote::Unavailable(NoClaude::NoKey),
            Arc::new(RwLock::new(LocalModel::seeded(30_000))),
            Breaker::new(3, Duration::from_secs(60)),
        );
        let s = chain.classify("the app crashes with a 500 error").await;
        assert_eq!(s.source, Source::Local);
        assert_eq!(
            s.fallback_reason.as_deref(),
            Some("no API key: set ANTHROPIC_API_KEY or claude.api_key_file in the config")
        );
        assert_eq!(chain.health(), Health::Unavailable(NoClaude::NoKey));
    }
}
