//! Finding the API key. Errors name the setting and the config file that set
//! it, never the path itself: a key pasted where the path belongs would
//! otherwise be printed in every fallback reason.

use std::path::{Path, PathBuf};

use super::{ApiKey, Config, ConfigError};

/// Finds the API key: `ANTHROPIC_API_KEY`, else the configured key file.
/// `Ok(None)` means there is no key; an error means a key file is set but is
/// unsafe or unreadable, and is not used.
pub fn api_key(config: &Config, env: fn(&str) -> Option<String>) -> Result<Option<ApiKey>, ConfigError> {
    if let Some(key) = env("ANTHROPIC_API_KEY").map(|k| k.trim().to_owned()).filter(|k| !k.is_empty()) {
        return Ok(Some(ApiKey::new(key)));
    }
    let Some(path) = &config.claude.api_key_file else {
        return Ok(None);
    };
    let path = expand_home(path);
    let file_error =
        |message: String| ConfigError::KeyFile { origin: config.origins.of("claude.api_key_file"), message };
    let metadata =
        std::fs::metadata(&path).map_err(|e| file_error(format!("cannot read the file it names: {e}")))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = metadata.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(file_error(format!(
                "the file it names is readable by group or others (mode {mode:o}); not using it: run chmod 600 on it"
            )));
        }
    }
    let key = std::fs::read_to_string(&path)
        .map_err(|e| file_error(format!("cannot read the file it names: {e}")))?;
    let key = key.trim();
    if key.is_empty() {
        return Err(file_error("the file it names is empty".into()));
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
    use crate::config::{Origin, Overrides, Sources};
    use std::io::Write;

    fn no_env(_: &str) -> Option<String> {
        None
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

    #[test]
    fn a_key_put_where_the_path_belongs_is_not_repeated() {
        let dir = tempfile::tempdir().unwrap();
        let agent_file = dir.path().join("agent.toml");
        std::fs::write(&agent_file, "[claude]\napi_key_file = \"sk-ant-api03-pasted-by-mistake\"\n").unwrap();
        let sources = Sources {
            host_file: dir.path().join("host.toml"),
            agent_file: Some(agent_file.clone()),
            env: no_env,
        };
        let config = Config::load(&sources, &Overrides::default()).unwrap();
        assert_eq!(config.origins.of("claude.api_key_file"), Origin::File(agent_file.clone()));
        let err = api_key(&config, no_env).unwrap_err().to_string();
        assert!(!err.contains("sk-ant"), "{err}");
        assert_eq!(
            err,
            format!(
                "config {}: claude.api_key_file: cannot read the file it names: No such file or directory (os error 2)",
                agent_file.display()
            )
        );
    }
}
