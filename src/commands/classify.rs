//! `classify`, and the suggestions `add` uses for a missing category or priority.

use anyhow::{Context, Result};
use serde::Serialize;
use std::io::{self, Read, Write};
use std::sync::{Arc, RwLock};

use super::stdout;
use crate::classify::chain::{Breaker, Chain, NoClaude, Remote};
use crate::classify::claude::{ApiKey, ClaudeClient, ClaudeSettings};
use crate::classify::evaluate;
use crate::classify::local::LocalModel;
use crate::classify::{Classify, Suggestion};
use crate::cli::ClassifyArgs;
use crate::config::{self, ClassifierMode, Config};
use crate::domain::text::sanitize_line;
use crate::output::json;
use crate::store::Store;

/// The classifier chain the config asks for, or `None` when suggestions are off.
/// The local model learns from the newest tickets in `store`; without them
/// (no store, or one that cannot be read just now, such as a server out of
/// reach) it starts from the samples and priors alone, and still learns
/// each ticket saved afterwards: suggestions are never lost to that.
pub fn build_chain(config: &Config, store: Option<&mut Store>) -> Result<Option<Chain>> {
    if config.classifier == ClassifierMode::Off {
        return Ok(None);
    }
    let mut local = LocalModel::seeded(config.local.max_vocabulary);
    match store.map(|store| store.recent_labelled(config.local.training_window)) {
        Some(Ok(tickets)) => {
            for (title, description, category, priority) in tickets {
                local.learn_team((&title, &description, category, priority));
            }
        }
        Some(Err(e)) => tracing::warn!(error = %e, "suggestions start without the desk's own tickets"),
        None => tracing::warn!("suggestions start without the desk's own tickets: the desk did not open"),
    }
    let remote = match config.classifier {
        ClassifierMode::Local | ClassifierMode::Off => Remote::LocalOnly,
        ClassifierMode::Claude => match config::api_key(config, |name| std::env::var(name).ok()) {
            Ok(Some(key)) => Remote::Claude(ClaudeClient::new(claude_settings(config, key))?),
            Ok(None) => Remote::Unavailable(NoClaude::NoKey),
            Err(err) => Remote::Unavailable(NoClaude::KeyFile(err)),
        },
    };
    let breaker = Breaker::new(
        config.claude.breaker_failures,
        std::time::Duration::from_secs(config.claude.breaker_cooldown_secs),
    );
    Ok(Some(Chain::new(remote, Arc::new(RwLock::new(local)), breaker)))
}

/// The client's settings from the config (the key is given separately: it
/// comes from the environment or a key file, never the config itself).
pub(crate) fn claude_settings(config: &Config, key: ApiKey) -> ClaudeSettings {
    let c = &config.claude;
    ClaudeSettings {
        api_key: key,
        base_url: c.base_url.clone(),
        model: c.model.clone(),
        api_version: c.api_version.clone(),
        auth: c.auth,
        mode: c.request,
        max_tokens: c.max_tokens,
        connect_timeout: std::time::Duration::from_millis(c.connect_timeout_ms),
        deadline: std::time::Duration::from_millis(c.deadline_ms),
        max_input_chars: c.max_input_chars,
        redact: config.redact,
    }
}

/// Runs one classification to completion on a small runtime of its own.
pub fn suggest(chain: &Chain, text: &str) -> Result<Suggestion> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the classifier's runtime")?;
    Ok(runtime.block_on(chain.classify(text)))
}

/// The `classify --json` shape: the values, then where they came from.
#[derive(Serialize)]
struct SuggestionJson<'a> {
    suggested_category: &'a str,
    suggested_priority: &'a str,
    #[serde(flatten)]
    provenance: Provenance<'a>,
}

/// Provenance of a suggestion, as `add --json` reports it.
#[derive(Serialize)]
pub struct Provenance<'a> {
    source: &'a str,
    cached: bool,
    confidence: &'a str,
    reason: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    fallback_reason: Option<&'a str>,
}

impl<'a> From<&'a Suggestion> for Provenance<'a> {
    fn from(s: &'a Suggestion) -> Self {
        Provenance {
            source: s.source.as_str(),
            cached: s.cached,
            confidence: s.confidence.as_str(),
            reason: &s.reason,
            fallback_reason: s.fallback_reason.as_deref(),
        }
    }
}

/// One line for people: "claude, high confidence: reason".
pub fn describe(s: &Suggestion) -> String {
    let mut line = format!(
        "{}{}, {} confidence: {}",
        s.source.as_str(),
        if s.cached { " (cached)" } else { "" },
        s.confidence.as_str(),
        s.reason
    );
    if let Some(reason) = &s.fallback_reason {
        line.push_str(&format!(" [Claude not used: {reason}]"));
    }
    sanitize_line(&line).into_owned()
}

pub fn classify(store: &mut Store, config: &Config, args: &ClassifyArgs) -> Result<()> {
    let mut out = stdout();
    if args.evaluate {
        let tickets = store.recent_labelled(config.local.training_window.max(evaluate::MIN_TEAM_TICKETS))?;
        let e = evaluate::evaluate(&tickets, config.local.max_vocabulary);
        if args.json {
            json::write_pretty(&mut out, &e)?;
        } else {
            writeln!(out, "{}", e.method)?;
            writeln!(out, "                      category  priority")?;
            for (name, a) in [
                ("local model", e.accuracy),
                ("samples only", e.samples_only),
                ("majority guess", e.majority_baseline),
            ] {
                writeln!(out, "{name:<20}  {:>7.1}%  {:>7.1}%", a.category * 100.0, a.priority * 100.0)?;
            }
        }
        return Ok(out.flush()?);
    }

    let text = match args.text.as_deref() {
        Some("-") => {
            let mut text = String::new();
            io::stdin().read_to_string(&mut text).context("cannot read the text from standard input")?;
            text
        }
        Some(text) => text.to_owned(),
        None => String::new(),
    };
    if text.trim().is_empty() {
        return Err(super::UsageError("classify needs a non-empty text".into()).into());
    }

    if args.show_request {
        // What would be sent, built by the same code that sends it; works without a key.
        let key = config::api_key(config, |name| std::env::var(name).ok()).ok().flatten();
        let client = ClaudeClient::new(claude_settings(config, key.unwrap_or_default()))?;
        json::write_pretty(&mut out, &client.request_body(&text))?;
        return Ok(out.flush()?);
    }

    let Some(chain) = build_chain(config, Some(store))? else {
        anyhow::bail!("suggestions are off (classifier = \"off\"); use --classifier local or claude");
    };
    let s = suggest(&chain, &text)?;
    if args.json {
        json::write_pretty(
            &mut out,
            &SuggestionJson {
                suggested_category: s.category.as_str(),
                suggested_priority: s.priority.as_str(),
                provenance: Provenance::from(&s),
            },
        )?;
    } else {
        writeln!(out, "category:  {}", s.category)?;
        writeln!(out, "priority:  {}", s.priority)?;
        writeln!(out, "from:      {}", describe(&s))?;
    }
    Ok(out.flush()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Category, Source};

    /// A desk that cannot be read when the screen starts (a server out of
    /// reach) costs the desk's own tickets, never the suggestions.
    #[test]
    fn without_a_desk_the_chain_still_suggests_from_the_samples() {
        let config = Config { classifier: ClassifierMode::Local, ..Config::default() };
        let chain = build_chain(&config, None).unwrap().expect("a chain");
        let s = suggest(&chain, "I was charged twice for my invoice, please refund the payment").unwrap();
        assert_eq!((s.source, s.category), (Source::Local, Category::Billing));
        let off = Config { classifier: ClassifierMode::Off, ..Config::default() };
        assert!(build_chain(&off, None).unwrap().is_none());
    }
}
