//! `config show`: every setting as the program will use it, and the layer
//! that set it. Built from the layers' own tables, so a key added to the
//! config appears here without a line of code.

use anyhow::Result;
use clap::parser::ValueSource;
use std::io::Write;

use super::stdout;
use crate::config::{Config, DEFAULT_CONFIG, Origin, Sources};
use crate::domain::text::sanitize_line;

/// Where the settings a flag (or its variable) can give came from on this
/// run: `Config` records the files, clap knows the rest.
#[derive(Debug, Default)]
pub struct Given {
    db: Option<Origin>,
    busy_timeout_secs: Option<Origin>,
    classifier: Option<Origin>,
}

impl Given {
    pub fn from_matches(matches: &clap::ArgMatches) -> Given {
        let source = |id: &str, flag: &'static str, variable: Option<&'static str>| match matches
            .try_get_raw(id)
            .ok()
            .flatten()
            .and(matches.value_source(id))?
        {
            ValueSource::CommandLine => Some(Origin::Flag(flag)),
            ValueSource::EnvVariable => variable.map(Origin::Env),
            _ => None,
        };
        Given {
            db: source("db", "--db", Some("TICKETDESK_DB")),
            busy_timeout_secs: source("busy_timeout", "--busy-timeout", Some("TICKETDESK_BUSY_TIMEOUT")),
            classifier: source("classifier", "--classifier", None),
        }
    }
}

/// One line of `config show`.
#[derive(Debug, PartialEq)]
pub struct Setting {
    pub key: String,
    pub value: String,
    pub origin: String,
}

/// Every setting with its value (secrets as `(set)`) and origin.
pub fn settings(config: &Config, sources: &Sources, given: &Given) -> Vec<Setting> {
    let mut merged: toml::Table = DEFAULT_CONFIG.parse().unwrap_or_default();
    for path in std::iter::once(&sources.host_file).chain(sources.agent_file.as_ref()) {
        // `Config::load` has read and checked every file already.
        if let Some(layer) = std::fs::read_to_string(path).ok().and_then(|text| text.parse().ok()) {
            merge(&mut merged, layer);
        }
    }
    let mut flat = Vec::new();
    flatten(&merged, "", &mut flat);
    let mut out: Vec<Setting> = flat
        .into_iter()
        .map(|(key, value)| {
            let origin = config.origins.of(&key);
            Setting { value: shown_value(&key, &value, config), origin: origin.to_string(), key }
        })
        .collect();
    let db = match &config.db {
        Some(location) => format!("{:?}", location.shown()),
        None => crate::store::default_path()
            .map(|p| format!("{:?} (the default location)", p.display().to_string()))
            .unwrap_or_else(|| "(no data directory: pass --db)".into()),
    };
    upsert(&mut out, "db", db, given.db.clone().unwrap_or_else(|| config.origins.of("db")));
    if let Some(origin) = &given.busy_timeout_secs {
        upsert(&mut out, "busy_timeout_secs", config.busy_timeout_secs.to_string(), origin.clone());
    }
    if let Some(origin) = &given.classifier {
        let mode = format!("{:?}", config.classifier).to_lowercase();
        upsert(&mut out, "classifier", format!("{mode:?}"), origin.clone());
    }
    if !out.iter().any(|s| s.key == "claude.api_key_file") {
        upsert(&mut out, "claude.api_key_file", "(unset)".into(), Origin::Default);
    }
    let key_from_env = std::env::var("ANTHROPIC_API_KEY").is_ok_and(|k| !k.trim().is_empty());
    let (key, origin) = match (key_from_env, &config.claude.api_key_file) {
        (true, _) => ("(set)", "environment ANTHROPIC_API_KEY".to_owned()),
        (false, Some(_)) => {
            ("(from claude.api_key_file)", config.origins.of("claude.api_key_file").to_string())
        }
        (false, None) => ("(unset)", "-".to_owned()),
    };
    // Top-level keys first, then each table's, as the config file is laid out.
    out.sort_by(|a, b| (a.key.contains('.'), &a.key).cmp(&(b.key.contains('.'), &b.key)));
    out.push(Setting { key: "api key".into(), value: key.into(), origin });
    out
}

/// A value as TOML writes it, except what could be a secret: the key file's
/// path (a key is sometimes pasted there) and a base URL carrying a password.
fn shown_value(key: &str, value: &toml::Value, config: &Config) -> String {
    match key {
        "claude.api_key_file" => "(set)".into(),
        "claude.base_url" => {
            let url = &config.claude.base_url;
            let authority = url.split("://").nth(1).unwrap_or(url).split('/').next().unwrap_or("");
            if authority.contains('@') { "(set)".into() } else { format!("{url:?}") }
        }
        _ => value.to_string(),
    }
}

fn upsert(out: &mut Vec<Setting>, key: &str, value: String, origin: Origin) {
    let setting = Setting { key: key.into(), value, origin: origin.to_string() };
    match out.iter_mut().find(|s| s.key == key) {
        Some(existing) => *existing = setting,
        None => out.push(setting),
    }
}

fn merge(base: &mut toml::Table, layer: toml::Table) {
    for (key, value) in layer {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(existing)), toml::Value::Table(inner)) => merge(existing, inner),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

fn flatten(table: &toml::Table, prefix: &str, out: &mut Vec<(String, toml::Value)>) {
    for (key, value) in table {
        let dotted = format!("{prefix}{key}");
        match value {
            toml::Value::Table(inner) => flatten(inner, &format!("{dotted}."), out),
            _ => out.push((dotted, value.clone())),
        }
    }
}

pub fn show(config: &Config, given: &Given) -> Result<()> {
    let rows = settings(config, &Sources::system(), given);
    let key_width = rows.iter().map(|s| s.key.chars().count()).max().unwrap_or(0);
    let value_width = rows.iter().map(|s| s.value.chars().count().min(48)).max().unwrap_or(0);
    let mut out = stdout();
    for s in &rows {
        let line = format!("{:key_width$}  {:value_width$}  {}", s.key, s.value, s.origin);
        writeln!(out, "{}", sanitize_line(line.trim_end()))?;
    }
    Ok(out.flush()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Overrides;

    #[test]
    fn values_name_their_layer_and_secrets_stay_hidden() {
        let dir = tempfile::tempdir().unwrap();
        let host = dir.path().join("host.toml");
        let agent = dir.path().join("agent.toml");
        std::fs::write(&host, "debounce_ms = 500\n[claude]\nmodel = \"host-model\"\n").unwrap();
        std::fs::write(&agent, "[claude]\nmodel = \"mine\"\napi_key_file = \"sk-ant-pasted\"\n").unwrap();
        let sources = Sources { host_file: host.clone(), agent_file: Some(agent.clone()), env: |_| None };
        let config = Config::load(&sources, &Overrides::default()).unwrap();
        let rows = settings(&config, &sources, &Given::default());
        let row = |key: &str| rows.iter().find(|s| s.key == key).unwrap_or_else(|| panic!("{key}: {rows:?}"));
        assert_eq!(row("debounce_ms").value, "500");
        assert_eq!(row("debounce_ms").origin, format!("config {}", host.display()));
        assert_eq!(row("claude.model").value, "\"mine\"");
        assert_eq!(row("claude.model").origin, format!("config {}", agent.display()));
        assert_eq!(row("redact").origin, "built-in config");
        assert_eq!(row("claude.api_key_file").value, "(set)");
        assert!(rows.iter().all(|s| !s.value.contains("sk-ant")), "{rows:?}");
        let given = Given { db: Some(Origin::Env("TICKETDESK_DB")), ..Given::default() };
        let config = Config::load(
            &sources,
            &Overrides { db: Some(crate::store::Location::File("/tmp/x.db".into())), ..Default::default() },
        )
        .unwrap();
        let rows = settings(&config, &sources, &given);
        let db = rows.iter().find(|s| s.key == "db").unwrap();
        assert_eq!((db.value.as_str(), db.origin.as_str()), ("\"/tmp/x.db\"", "environment TICKETDESK_DB"));
    }
}
