//! Configuration: built-in defaults, then the host file, then the agent's
//! file, then the environment, then flags — each overriding the one before.
//! Validated once, here; everything else reads typed values.

use serde::Deserialize;

pub use crate::classify::claude::ApiKey;
use std::path::{Path, PathBuf};

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum AuthHeader {
    #[serde(rename = "bearer")]
    Bearer,
    #[serde(rename = "x-api-key")]
    XApiKey,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RequestShape {
    Structured,
    Tool,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClaudeConfig {
    pub model: String,
    pub base_url: String,
    pub api_version: String,
    pub auth: AuthHeader,
    pub request: RequestShape,
    pub api_key_file: Option<PathBuf>,
    pub connect_timeout_ms: u64,
    pub deadline_ms: u64,
    pub max_tokens: u32,
    pub max_input_chars: usize,
    pub breaker_failures: u32,
    pub breaker_cooldown_secs: u64,
}

impl Default for ClaudeConfig {
    fn default() -> Self {
        ClaudeConfig {
            model: crate::classify::claude::DEFAULT_MODEL.into(),
            base_url: crate::classify::claude::DEFAULT_BASE_URL.into(),
            api_version: crate::classify::claude::DEFAULT_API_VERSION.into(),
            auth: AuthHeader::Bearer,
            request: RequestShape::Structured,
            api_key_file: None,
            connect_timeout_ms: 2_000,
            deadline_ms: 8_000,
            max_tokens: 200,
            max_input_chars: 4_000,
            breaker_failures: 3,
            breaker_cooldown_secs: 60,
        }
    }
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
    pub db: Option<PathBuf>,
    pub busy_timeout_secs: u64,
    pub classifier: ClassifierMode,
    pub debounce_ms: u64,
    pub redact: bool,
    pub claude: ClaudeConfig,
    pub local: LocalConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            db: None,
            busy_timeout_secs: 10,
            classifier: ClassifierMode::Claude,
            debounce_ms: 700,
            redact: true,
            claude: ClaudeConfig::default(),
            local: LocalConfig::default(),
        }
    }
}

/// A configuration problem, naming the file or variable it came from.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("config {}: {message}", shown(path))]
    File { path: PathBuf, message: String },
    #[error("{name}: {message}")]
    Env { name: &'static str, message: String },
}

fn shown(path: &Path) -> String {
    crate::domain::text::sanitize_line(&path.display().to_string()).into_owned()
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
    pub db: Option<PathBuf>,
    pub classifier: Option<ClassifierMode>,
    pub busy_timeout_secs: Option<u64>,
}

impl Config {
    /// Loads and merges every layer. A missing file is fine; an unreadable or
    /// invalid one is an error naming it.
    pub fn load(sources: &Sources, overrides: &Overrides) -> Result<Config, ConfigError> {
        let mut merged = toml::Table::new();
        let files = std::iter::once(&sources.host_file).chain(sources.agent_file.as_ref());
        for path in files {
            let text = match std::fs::read_to_string(path) {
                Ok(text) => text,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(ConfigError::File { path: path.clone(), message: e.to_string() }),
            };
            let table =
                parse_layer(&text).map_err(|message| ConfigError::File { path: path.clone(), message })?;
            merge(&mut merged, table);
        }
        let mut config: Config = toml::Value::Table(merged).try_into().map_err(|e: toml::de::Error| {
            ConfigError::File { path: sources.host_file.clone(), message: e.to_string() }
        })?;

        if let Some(base_url) = (sources.env)("ANTHROPIC_BASE_URL") {
            config.claude.base_url = base_url;
        }
        if let Some(db) = overrides.db.clone() {
            config.db = Some(db);
        }
        if let Some(mode) = overrides.classifier {
            config.classifier = mode;
        }
        if let Some(secs) = overrides.busy_timeout_secs {
            config.busy_timeout_secs = secs;
        }
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let url = &self.claude.base_url;
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(ConfigError::Env {
                name: "claude.base_url",
                message: format!(
                    "must start with http:// or https:// (got {:?})",
                    crate::domain::text::sanitize_line(url)
                ),
            });
        }
        Ok(())
    }
}

/// Parses one file as a layer: it must be valid TOML whose keys all exist.
fn parse_layer(text: &str) -> Result<toml::Table, String> {
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| one_line(&e.to_string()))?;
    // Deserializing the layer alone catches unknown keys and wrong types with
    // this file's name on them, before it is merged with the others.
    toml::Value::Table(table.clone()).try_into::<Config>().map_err(|e| one_line(&e.to_string()))?;
    Ok(table)
}

fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
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

/// Finds the API key: `ANTHROPIC_API_KEY`, else the configured key file.
/// `Ok(None)` means there is no key; an error means a key file exists but is
/// unsafe or unreadable, and is not used.
pub fn api_key(config: &Config, env: fn(&str) -> Option<String>) -> Result<Option<ApiKey>, ConfigError> {
    if let Some(key) = env("ANTHROPIC_API_KEY").map(|k| k.trim().to_owned()).filter(|k| !k.is_empty()) {
        return Ok(Some(ApiKey::new(key)));
    }
    let Some(path) = &config.claude.api_key_file else {
        return Ok(None);
    };
    let path = expand_home(path);
    let file_error = |message: String| ConfigError::File { path: path.clone(), message };
    let metadata =
        std::fs::metadata(&path).map_err(|e| file_error(format!("cannot read the API key file: {e}")))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = metadata.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(file_error(format!(
                "the API key file is readable by group or others (mode {mode:o}); not using it: run chmod 600 on it"
            )));
        }
    }
    let key = std::fs::read_to_string(&path)
        .map_err(|e| file_error(format!("cannot read the API key file: {e}")))?;
    let key = key.trim();
    if key.is_empty() {
        return Err(file_error("the API key file is empty".into()));
    }
    Ok(Some(ApiKey::new(key)))
}

fn expand_home(path: &Path) -> PathBuf {
    match (path.strip_prefix("~"), directories::BaseDirs::new()) {
        (Ok(rest), Some(dirs)) => dirs.home_dir().join(rest),
        _ => path.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

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
        assert_eq!(config.db.as_deref(), Some(Path::new("/srv/host.db")));
        assert_eq!(config.debounce_ms, 300);
        assert_eq!(config.claude.model, "agent-model");
        assert_eq!(config.claude.deadline_ms, 5000, "host value kept where the agent file is silent");
        assert_eq!(config.claude.max_tokens, 200, "default kept");

        let flags = Overrides {
            db: Some("/tmp/flag.db".into()),
            classifier: Some(ClassifierMode::Off),
            busy_timeout_secs: Some(42),
        };
        let config = Config::load(&src, &flags).unwrap();
        assert_eq!(config.db.as_deref(), Some(Path::new("/tmp/flag.db")));
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
            ("modle = \"x\"", "unknown field"),
            ("classifier = \"gpt\"", "classifier"),
            ("debounce_ms = \"soon\"", "debounce_ms"),
            ("[claude\nmodel=1", "TOML"),
        ] {
            let src = sources(dir.path(), None, Some(text));
            let err = Config::load(&src, &Overrides::default()).unwrap_err().to_string();
            assert!(err.contains("agent.toml"), "{err}");
            assert!(
                err.to_lowercase().contains(&expected.to_lowercase()) || err.contains("expected"),
                "{text}: {err}"
            );
            assert!(!err.contains('\n'), "one line: {err}");
        }
    }

    #[test]
    fn key_comes_from_env_before_the_key_file() {
        let dir = tempfile::tempdir().unwrap();
        let key_file = dir.path().join("key");
        std::fs::write(&key_file, "sk-from-file\n").unwrap();
        std::fs::set_permissions(&key_file, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
        let mut config = Config::default();
        config.claude.api_key_file = Some(key_file.clone());
        assert_eq!(api_key(&config, no_env).unwrap().unwrap().expose(), "sk-from-file");
        let from_env = api_key(&config, |n| (n == "ANTHROPIC_API_KEY").then(|| "sk-env".into())).unwrap();
        assert_eq!(from_env.unwrap().expose(), "sk-env");
        assert_eq!(api_key(&Config::default(), no_env).unwrap(), None);
    }

    #[test]
    fn a_key_file_others_can_read_is_refused_without_showing_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let key_file = dir.path().join("key");
        let mut file = std::fs::File::create(&key_file).unwrap();
        writeln!(file, "sk-secret-value").unwrap();
        std::fs::set_permissions(&key_file, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
        let mut config = Config::default();
        config.claude.api_key_file = Some(key_file);
        let err = api_key(&config, no_env).unwrap_err().to_string();
        assert!(err.contains("readable by group or others") && err.contains("chmod 600"), "{err}");
        assert!(!err.contains("sk-secret-value"));
        assert!(!format!("{:?}", ApiKey::new("sk-secret-value")).contains("sk-secret"));
    }
}
