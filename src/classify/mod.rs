//! Suggesting a category and priority for ticket text.
//!
//! - [`claude`]: Claude over the Messages API (what leaves the machine is
//!   redacted by [`redact`] and capped).
//! - [`local`]: an offline naive Bayes model, always available.
//! - [`chain`]: Claude first, the local model when Claude cannot answer, with
//!   a cache and a circuit breaker.
//! - [`pipeline`]: the debounced, latest-wins background service the TUI uses.

pub mod chain;
pub mod claude;
pub mod evaluate;
pub mod local;
pub mod pipeline;
pub mod redact;

use serde::Serialize;
use std::future::Future;

use crate::domain::{Category, EventSource, Priority};

/// Who produced a suggestion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Claude,
    Local,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Claude => "claude",
            Source::Local => "local",
        }
    }

    /// How the history records a value this source suggested (`cached` when
    /// it came from memory).
    pub fn event_source(self, cached: bool) -> EventSource {
        match (self, cached) {
            (Source::Claude, false) => EventSource::Claude,
            (Source::Claude, true) => EventSource::ClaudeCached,
            (Source::Local, false) => EventSource::Local,
            (Source::Local, true) => EventSource::LocalCached,
        }
    }
}

/// How sure the classifier is, in three bands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

/// A suggested category and priority, with where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub category: Category,
    pub priority: Priority,
    pub source: Source,
    /// Served from the in-memory cache (the source is the original one).
    pub cached: bool,
    pub confidence: Confidence,
    /// One short line on why.
    pub reason: String,
    /// Why Claude did not answer, when it was tried and failed (or skipped).
    pub fallback_reason: Option<String>,
}

/// Anything that can suggest a category and priority for ticket text. It
/// always answers: failures fall back inside the implementation.
pub trait Classify: Send + Sync + 'static {
    fn classify(&self, text: &str) -> impl Future<Output = Suggestion> + Send;
}
