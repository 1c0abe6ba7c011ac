//! Configuration: built-in defaults, then the host file, then the agent's
//! file, then the environment, then flags — each overriding the one before.
//! Validated once, here; everything else reads typed values.

mod key_file;
mod keys;
pub mod limits;
mod parse;
pub mod views;

use serde::Deserialize;

pub use crate::classify::claude::ApiKey;
use crate::classify::claude::{AuthStyle, ClaudeSettings, RequestMode};
use crate::store::Location;
pub use key_file::api_key;
pub use keys::{KeyList, KeysConfig};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The documented defaults, which are also the built-in defaults: a test
/// keeps this file and [`Config::default`] identical.
pub const DEFAULT_CONFIG: &str = include_str!("../assets/default-config.toml");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum ClassifierMode {
    /// Claude when a key is available, else the local model.
    Claude,
    /// The offline model only.
    Local,
    /// No suggestions.
    Off,
}

/// The screen's colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ThemeChoice {
    /// Asks the terminal for its background as the screen starts: light or dark.
    Auto,
    Dark,
    Light,
    /// The terminal's own text colour for text, strong pairs for signals.
    HighContrast,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClaudeConfig {
    pub model: String,
    pub base_url: String,
    pub api_version: String,
    /// The client's own enums, read under the names the config file uses.
    pub auth: AuthStyle,
    pub request: RequestMode,
    pub api_key_file: Option<PathBuf>,
    pub connect_timeout_ms: u64,
    pub deadline_ms: u64,
    pub max_tokens: u32,
    pub max_input_chars: usize,
    pub breaker_failures: u32,
    pub breaker_cooldown_secs: u64,
}

impl Default for ClaudeConfig {
    /// The client's defaults ([`ClaudeSettings::default`]) are the config's:
    /// each is written once, there.
    fn default() -> Self {
        let client = ClaudeSettings::default();
        ClaudeConfig {
            model: client.model,
            base_url: client.base_url,
            api_version: client.api_version,
            auth: client.auth,
            request: client.mode,
            api_key_file: None,
            connect_timeout_ms: millis(client.connect_timeout),
            deadline_ms: millis(client.deadline),
            max_tokens: client.max_tokens,
            max_input_chars: client.max_input_chars,
            breaker_failures: 3,
            breaker_cooldown_secs: 60,
        }
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LocalConfig {
    pub training_window: usize,
    pub max_vocabulary: usize,
}

impl Default for LocalConfig {
    fn default() -> Self {
        LocalConfig { training_window: 5_000, max_vocabulary: 30_000 }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub db: Option<Location>,
    pub busy_timeout_secs: u64,
    pub classifier: ClassifierMode,
    pub debounce_ms: u64,
    pub redact: bool,
    pub theme: ThemeChoice,
    pub claude: ClaudeConfig,
    pub local: LocalConfig,
    /// Offer the built-in views (Open, Mine, Unassigned, Critical, All).
    pub builtin_views: bool,
    /// Named queries: `[views.NAME] query = "…"`.
    pub views: std::collections::BTreeMap<String, views::ViewConfig>,
    /// The screen's keys, rebound by action name per context.
    pub keys: KeysConfig,
    /// Where each value came from; not a setting itself.
    #[serde(skip)]
    pub origins: Origins,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            db: None,
            busy_timeout_secs: crate::store::DEFAULT_BUSY_TIMEOUT.as_secs(),
            classifier: ClassifierMode::Claude,
            debounce_ms: 700,
            redact: ClaudeSettings::default().redact,
            theme: ThemeChoice::Auto,
            claude: ClaudeConfig::default(),
            local: LocalConfig::default(),
            builtin_views: true,
            views: std::collections::BTreeMap::new(),
            keys: KeysConfig::new(),
            origins: Origins::default(),
        }
    }
}

/// A configuration problem, naming the file or variable it came from and
/// the key, never the value: a value may be a secret put in the wrong place.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// A config file that exists but cannot be read.
    #[error("config {}: {message}", shown(path))]
    Unreadable { path: PathBuf, message: String },
    /// A line or a value that is not allowed (exit code 2).
    #[error("{origin}{}: {message}", position(at))]
    Invalid { origin: Origin, at: Option<(usize, usize)>, message: String },
    /// The file `claude.api_key_file` names cannot be used.
    #[error("{origin}: claude.api_key_file: {message}")]
    KeyFile { origin: Origin, message: String },
}

impl ConfigError {
    /// A value or a line was wrong, as opposed to a file being unreadable.
    pub fn is_invalid_value(&self) -> bool {
        matches!(self, ConfigError::Invalid { .. })
    }
}

fn position(at: &Option<(usize, usize)>) -> String {
    at.map(|(line, column)| format!(", line {line}, column {column}")).unwrap_or_default()
}

fn shown(path: &Path) -> String {
    crate::domain::text::sanitize_line(&path.display().to_string()).into_owned()
}

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Origin {
    #[default]
    Default,
    File(PathBuf),
    Env(&'static str),
    Flag(&'static str),
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Default => f.write_str("built-in config"),
            Origin::File(path) => write!(f, "config {}", shown(path)),
            Origin::Env(name) => write!(f, "environment {name}"),
            Origin::Flag(name) => f.write_str(name),
        }
    }
}

/// Which layer last set each dotted key, for messages.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Origins(Vec<(String, Origin)>);

impl Origins {
    fn set(&mut self, key: String, origin: Origin) {
        self.0.retain(|(k, _)| *k != key);
        self.0.push((key, origin));
    }

    fn set_all(&mut self, table: &toml::Table, prefix: &str, path: &Path) {
        for (key, value) in table {
            let dotted = format!("{prefix}{key}");
            match value {
                toml::Value::Table(inner) => self.set_all(inner, &format!("{dotted}."), path),
                _ => self.set(dotted, Origin::File(path.to_owned())),
            }
        }
    }

    pub fn of(&self, key: &str) -> Origin {
        self.0.iter().find(|(k, _)| k == key).map(|(_, o)| o.clone()).unwrap_or_default()
    }

    /// Where a key, or the first key inside a table, was set.
    fn within(&self, key: &str) -> Origin {
        let inside = format!("{key}.");
        self.0
            .iter()
            .find(|(k, _)| k == key || k.starts_with(&inside))
            .map(|(_, o)| o.clone())
            .unwrap_or_default()
    }
}

/// Where configuration comes from; tests point these at temp files.
#[derive(Debug, Clone)]
pub struct Sources {
    pub host_file: PathBuf,
    pub agent_file: Option<PathBuf>,
    /// Environment lookup (injected so tests need not touch the process's).
    pub env: fn(&str) -> Option<String>,
}

impl Sources {
    /// The real locations: `/etc/ticketdesk/config.toml` (or
    /// `TICKETDESK_HOST_CONFIG`) and `<config dir>/ticketdesk/config.toml` (or
    /// `TICKETDESK_CONFIG`).
    pub fn system() -> Sources {
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let host_file = env("TICKETDESK_HOST_CONFIG")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("/etc/ticketdesk/config.toml"));
        let agent_file = env("TICKETDESK_CONFIG").map(PathBuf::from).or_else(|| {
            directories::BaseDirs::new().map(|d| d.config_dir().join("ticketdesk").join("config.toml"))
        });
        Sources { host_file, agent_file, env }
    }
}

/// Command-line values that override everything else.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub db: Option<Location>,
    pub classifier: Option<ClassifierMode>,
    pub busy_timeout_secs: Option<u64>,
}

impl Config {
    /// Loads and merges every layer. A missing file is fine; an unreadable or
    /// invalid one is an error naming it.
    pub fn load(sources: &Sources, overrides: &Overrides) -> Result<Config, ConfigError> {
        let mut merged = toml::Table::new();
        let mut origins = Origins::default();
        let files = std::iter::once(&sources.host_file).chain(sources.agent_file.as_ref());
        for path in files {
            let text = match std::fs::read_to_string(path) {
                Ok(text) => text,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(ConfigError::Unreadable { path: path.clone(), message: e.to_string() }),
            };
            let table = parse::parse_layer(&text).map_err(|e| ConfigError::Invalid {
                origin: Origin::File(path.clone()),
                at: e.at,
                message: e.message,
            })?;
            origins.set_all(&table, "", path);
            merge(&mut merged, table);
        }
        // Each layer deserialized alone, so the merge of them does too.
        let mut config: Config = toml::Value::Table(merged).try_into().map_err(|_| ConfigError::Invalid {
            origin: Origin::File(sources.host_file.clone()),
            at: None,
            message: "the config files do not combine into a valid config".into(),
        })?;

        if let Some(base_url) = (sources.env)("ANTHROPIC_BASE_URL") {
            config.claude.base_url = base_url;
            origins.set("claude.base_url".into(), Origin::Env("ANTHROPIC_BASE_URL"));
        }
        if let Some(db) = overrides.db.clone() {
            config.db = Some(db);
        }
        if let Some(mode) = overrides.classifier {
            config.classifier = mode;
        }
        if let Some(secs) = overrides.busy_timeout_secs {
            config.busy_timeout_secs = secs;
            origins.set("busy_timeout_secs".into(), Origin::Flag("--busy-timeout"));
        }
        config.origins = origins;
        config.validate()?;
        Ok(config)
    }

    /// The views to offer, built-in ones first (see [`views::views`]).
    pub fn views(&self) -> Vec<views::View> {
        views::views(self.builtin_views, &self.views)
    }

    /// The one validation pass over the merged config: every number in its
    /// range, the base URL a URL. Messages name the key and where it was set.
    fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |key: &str, message: String| ConfigError::Invalid {
            origin: self.origins.of(key),
            at: None,
            message: format!("{key} {message}"),
        };
        limits::check(self).map_err(|(key, message)| invalid(key, message))?;
        for (name, view) in &self.views {
            let key = format!("views.{name}");
            if !views::is_view_name(name) {
                return Err(invalid(&key, "needs a name of 1 to 32 letters, digits, '-' or '_'".into()));
            }
            if let Err(e) =
                crate::domain::Filter::from_query(&view.query, time::OffsetDateTime::now_utc(), "me")
            {
                return Err(invalid(&format!("{key}.query"), format!("cannot be read: {}", e.message)));
            }
        }
        let url = &self.claude.base_url;
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            // Not echoed: a URL can carry credentials.
            return Err(invalid("claude.base_url", "must start with http:// or https://".into()));
        }
        crate::tui::keymap::KeyMap::from_config(&self.keys).map_err(|e| ConfigError::Invalid {
            origin: self.origins.within(&e.key),
            at: None,
            message: e.to_string(),
        })?;
        Ok(())
    }
}

/// Deep-merges `layer` into `base`: tables merge key by key, values replace.
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

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    fn sources(dir: &Path, host: Option<&str>, agent: Option<&str>) -> Sources {
        let host_file = dir.join("host.toml");
        let agent_file = dir.join("agent.toml");
        if let Some(text) = host {
            std::fs::write(&host_file, text).unwrap();
        }
        if let Some(text) = agent {
            std::fs::write(&agent_file, text).unwrap();
        }
        Sources { host_file, agent_file: Some(agent_file), env: no_env }
    }

    #[test]
    fn the_documented_defaults_are_the_defaults() {
        let documented: Config = toml::from_str(DEFAULT_CONFIG).unwrap();
        assert_eq!(documented, Config::default());
    }

    #[test]
    fn layers_override_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let src = sources(
            dir.path(),
            Some(
                "db = \"/srv/host.db\"\ndebounce_ms = 500\n[claude]\nmodel = \"host-model\"\ndeadline_ms = 5000\n",
            ),
            Some("debounce_ms = 300\n[claude]\nmodel = \"agent-model\"\n"),
        );
        let config = Config::load(&src, &Overrides::default()).unwrap();
        assert_eq!(config.db, Some(Location::File("/srv/host.db".into())));
        assert_eq!(config.debounce_ms, 300);
        assert_eq!(config.claude.model, "agent-model");
        assert_eq!(config.claude.deadline_ms, 5000, "host value kept where the agent file is silent");
        assert_eq!(config.claude.max_tokens, 200, "default kept");

        let flags = Overrides {
            db: Some(Location::File("/tmp/flag.db".into())),
            classifier: Some(ClassifierMode::Off),
            busy_timeout_secs: Some(42),
        };
        let config = Config::load(&src, &flags).unwrap();
        assert_eq!(config.db, Some(Location::File("/tmp/flag.db".into())));
        assert_eq!(config.classifier, ClassifierMode::Off);
        assert_eq!(config.busy_timeout_secs, 42);
    }

    #[test]
    fn environment_overrides_files() {
        let dir = tempfile::tempdir().unwrap();
        let mut src = sources(dir.path(), None, Some("[claude]\nbase_url = \"https://file.example\"\n"));
        src.env = |name| (name == "ANTHROPIC_BASE_URL").then(|| "http://127.0.0.1:9".to_owned());
        assert_eq!(Config::load(&src, &Overrides::default()).unwrap().claude.base_url, "http://127.0.0.1:9");
    }

    #[test]
    fn bad_files_are_named_with_the_problem() {
        let dir = tempfile::tempdir().unwrap();
        for (text, expected) in [
            ("modle = \"x\"", ", line 1, column 1: unknown key `modle`, expected one of `db`,"),
            (
                "classifier = \"gpt\"",
                ", line 1, column 14: classifier: expected one of `claude`, `local`, `off`",
            ),
            ("debounce_ms = \"soon\"", ", line 1, column 15: debounce_ms must be 0 to 60000 milliseconds"),
            ("[claude\nmodel=1", ", line 1, column 8: unclosed table, expected `]`"),
        ] {
            let src = sources(dir.path(), None, Some(text));
            let err = Config::load(&src, &Overrides::default()).unwrap_err();
            assert!(err.is_invalid_value(), "{text}: {err}");
            let err = err.to_string();
            let named = format!("config {}{expected}", dir.path().join("agent.toml").display());
            assert!(err.starts_with(&named), "{text}: {err}");
            assert!(!err.contains('\n'), "one line: {err}");
        }
    }

    #[test]
    fn a_value_out_of_range_is_named_with_the_layer_that_set_it() {
        let dir = tempfile::tempdir().unwrap();
        let src = sources(dir.path(), Some("[local]\nmax_vocabulary = 0\n"), Some("debounce_ms = 100\n"));
        let err = Config::load(&src, &Overrides::default()).unwrap_err();
        assert!(err.is_invalid_value());
        assert_eq!(
            err.to_string(),
            format!(
                "config {}: local.max_vocabulary must be 1000 to 1000000 words (got 0)",
                dir.path().join("host.toml").display()
            )
        );
        let src = sources(dir.path(), Some("busy_timeout_secs = 5\n"), None);
        let flags = Overrides { busy_timeout_secs: Some(u64::MAX), ..Overrides::default() };
        let err = Config::load(&src, &flags).unwrap_err().to_string();
        assert!(err.starts_with("--busy-timeout: busy_timeout_secs must be 0 to 86400 seconds"), "{err}");
    }

    #[test]
    fn a_base_url_that_is_not_http_is_refused_without_echoing_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut src = sources(dir.path(), None, None);
        src.env = |name| (name == "ANTHROPIC_BASE_URL").then(|| "ftp://user:sk-ant-pw@host".to_owned());
        let err = Config::load(&src, &Overrides::default()).unwrap_err().to_string();
        assert_eq!(
            err,
            "environment ANTHROPIC_BASE_URL: claude.base_url must start with http:// or https://"
        );
    }
}
