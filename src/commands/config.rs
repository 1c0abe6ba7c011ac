//! `config path`, `config init` and `config edit` (`config show` is in
//! `config_show.rs`). They work with a broken config too: finding and fixing
//! it is what they are for.

use anyhow::{Context, Result, anyhow, bail};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::{shown, stdout};
use crate::config::{Config, ConfigError, DEFAULT_CONFIG, Origin, Overrides, Sources};

/// What is at a config path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileState {
    Missing,
    Exists,
    /// There, but not usable as a config file; the reason is short.
    Unusable(String),
}

impl std::fmt::Display for FileState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FileState::Missing => f.write_str("missing"),
            FileState::Exists => f.write_str("exists"),
            FileState::Unusable(why) => write!(f, "unusable: {why}"),
        }
    }
}

/// Whether `path` holds a file this process can read, by `stat` and a read.
pub fn file_state(path: &Path) -> FileState {
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => FileState::Missing,
        Err(e) => FileState::Unusable(e.kind().to_string()),
        Ok(meta) if !meta.is_file() => FileState::Unusable("not a regular file".into()),
        Ok(_) => match std::fs::File::open(path) {
            Ok(_) => FileState::Exists,
            Err(e) => FileState::Unusable(e.kind().to_string()),
        },
    }
}

/// The config files in the order they apply, each with the variable that
/// moved it, if one did.
pub fn layer_files(sources: &Sources) -> Vec<(&'static str, Option<PathBuf>, Option<&'static str>)> {
    let moved = |name: &'static str| std::env::var_os(name).filter(|v| !v.is_empty()).map(|_| name);
    vec![
        ("host", Some(sources.host_file.clone()), moved("TICKETDESK_HOST_CONFIG")),
        ("agent", sources.agent_file.clone(), moved("TICKETDESK_CONFIG")),
    ]
}

pub fn path() -> Result<()> {
    let sources = Sources::system();
    let mut out = stdout();
    writeln!(out, "built-in  defaults, compiled in (`ticketdesk config init` writes a copy)")?;
    for (layer, file, moved) in layer_files(&sources) {
        let Some(file) = file else {
            writeln!(out, "{layer:<8}  (no config directory on this system; set TICKETDESK_CONFIG)")?;
            continue;
        };
        let by = moved.map(|name| format!(", from {name}")).unwrap_or_default();
        writeln!(out, "{layer:<8}  {}  ({}{by})", shown(&file), file_state(&file))?;
    }
    let set =
        |name: &str| if std::env::var_os(name).is_some_and(|v| !v.is_empty()) { "set" } else { "unset" };
    for name in ["TICKETDESK_DB", "TICKETDESK_BUSY_TIMEOUT", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL"] {
        writeln!(out, "env       {name} ({})", set(name))?;
    }
    writeln!(out, "flags     --db, --busy-timeout, --classifier")?;
    Ok(out.flush()?)
}

/// The agent's own config file, where `init` and `edit` work.
fn agent_file() -> Result<PathBuf> {
    Sources::system().agent_file.ok_or_else(|| {
        anyhow!("cannot find a config directory on this system; set TICKETDESK_CONFIG to a file path")
    })
}

/// Writes the documented defaults to `path`, refusing to replace anything.
fn write_defaults(path: &Path) -> Result<()> {
    if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder).with_context(|| format!("cannot create {}", shown(folder)))?;
    }
    let mut file = match std::fs::OpenOptions::new().write(true).create_new(true).open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            bail!("{} already exists; not replaced (`ticketdesk config edit` opens it)", shown(path))
        }
        Err(e) => return Err(e).with_context(|| format!("cannot create {}", shown(path))),
    };
    file.write_all(DEFAULT_CONFIG.as_bytes()).with_context(|| format!("cannot write {}", shown(path)))?;
    Ok(())
}

pub fn init() -> Result<()> {
    let path = agent_file()?;
    write_defaults(&path)?;
    println!("Wrote the default config to {}", shown(&path));
    Ok(())
}

pub fn edit() -> Result<()> {
    let path = agent_file()?;
    if file_state(&path) == FileState::Missing {
        write_defaults(&path)?;
        eprintln!("ticketdesk: {} did not exist; starting from the defaults", shown(&path));
    }
    let status = crate::editor::open(&path)?;
    if !status.success() {
        bail!("the editor `{}` failed ({status}); {} not checked", crate::editor::command(), shown(&path));
    }
    check_files()?;
    println!("{}: ok", shown(&path));
    Ok(())
}

/// Loads every layer; the first problem comes back with its file and, when
/// the loader could not say, the line of the key it names.
pub fn check_files() -> Result<Config, ConfigError> {
    Config::load(&Sources::system(), &Overrides::default()).map_err(with_line)
}

/// A range error knows its file and key but not its line: find the key.
fn with_line(err: ConfigError) -> ConfigError {
    match err {
        ConfigError::Invalid { origin: Origin::File(path), at: None, message } => {
            // "claude.deadline_ms must be …", "keys.list.open: …"
            let key = message.split_whitespace().next().unwrap_or_default().trim_end_matches(':');
            let at = std::fs::read_to_string(&path).ok().and_then(|text| key_position(&text, key));
            ConfigError::Invalid { origin: Origin::File(path), at, message }
        }
        other => other,
    }
}

/// 1-based line and column of dotted `key` (`claude.deadline_ms`) in `text`.
pub fn key_position(text: &str, key: &str) -> Option<(usize, usize)> {
    let document = toml::de::DeTable::parse(text).ok()?;
    let mut table = document.get_ref();
    let mut parts = key.split('.').peekable();
    while let Some(part) = parts.next() {
        let (name, value) = table.iter().find(|(name, _)| name.get_ref().as_ref() == part)?;
        if parts.peek().is_none() {
            let offset = name.span().start;
            let before = &text[..offset];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
            return Some((line, column));
        }
        table = value.get_ref().as_table()?;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_found_in_their_tables() {
        let text =
            "debounce_ms = 5\n\n[claude]\nmodel = \"x\"\n  deadline_ms = 0\n[local]\ndeadline_ms = 1\n";
        assert_eq!(key_position(text, "debounce_ms"), Some((1, 1)));
        assert_eq!(key_position(text, "claude.deadline_ms"), Some((5, 3)));
        assert_eq!(key_position(text, "local.deadline_ms"), Some((7, 1)));
        assert_eq!(key_position(text, "claude.max_tokens"), None);
        assert_eq!(key_position("[claude", "claude.model"), None);
    }

    #[test]
    fn defaults_are_written_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a").join("config.toml");
        write_defaults(&path).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), DEFAULT_CONFIG);
        std::fs::write(&path, "debounce_ms = 1\n").unwrap();
        let err = write_defaults(&path).unwrap_err().to_string();
        assert!(err.contains("already exists; not replaced"), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "debounce_ms = 1\n");
    }
}
