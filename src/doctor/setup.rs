//! The config layers, the API key (where it comes from and how its file is
//! protected, never its value) and, on request, one real call to Claude.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::time::Instant;

use super::Report;
use crate::commands::config::{FileState, file_state, layer_files};
use crate::config::{self, ClassifierMode, Config, Overrides, Sources};
use crate::domain::text::sanitize_line;

fn shown(path: &Path) -> String {
    sanitize_line(&path.display().to_string()).into_owned()
}

fn no_env(_: &str) -> Option<String> {
    None
}

/// Checks each config file on its own (so every broken one is named), then
/// all of them together. Returns the config to go on with: the real one, or
/// the defaults with the command line's values when the files are broken.
pub fn config_layers(sources: &Sources, overrides: &Overrides, report: &mut Report) -> Config {
    for (layer, file, _) in layer_files(sources) {
        let Some(file) = file else {
            report.note(format!("{layer} config: this system has no config directory"));
            continue;
        };
        match file_state(&file) {
            FileState::Missing => {
                report.ok(format!("{layer} config {}: not there (nothing to check)", shown(&file)))
            }
            FileState::Unusable(why) => report.fix(
                format!("{layer} config {}: cannot be read ({why})", shown(&file)),
                format!("chmod a+r {} (config files hold no secrets), or remove it", shown(&file)),
            ),
            FileState::Exists => {
                let alone = Sources { host_file: file.clone(), agent_file: None, env: no_env };
                match Config::load(&alone, &Overrides::default()) {
                    Ok(_) => report.ok(format!("{layer} config {}: valid", shown(&file))),
                    Err(e) => report.fix(
                        e.to_string(),
                        "correct that line (`ticketdesk config edit` for your own file; \
                         assets/default-config.toml lists every key)",
                    ),
                }
            }
        }
    }
    match Config::load(sources, overrides) {
        Ok(config) => config,
        Err(e) => {
            if !report.findings.iter().any(|f| f.message == e.to_string()) {
                report.fix(e.to_string(), "correct the value the message names");
            }
            Config { db: overrides.db.clone(), ..Config::default() }
        }
    }
}

/// Where the API key comes from, and whether its file is private.
pub fn api_key(config: &Config, report: &mut Report) {
    let from_env = std::env::var("ANTHROPIC_API_KEY").is_ok_and(|k| !k.trim().is_empty());
    if config.classifier != ClassifierMode::Claude {
        report.note(format!(
            "classifier = {:?}: Claude is not asked, whatever the key",
            format!("{:?}", config.classifier).to_lowercase()
        ));
    }
    if from_env {
        report.ok("API key: from the environment (ANTHROPIC_API_KEY)");
        return;
    }
    let Some(named) = &config.claude.api_key_file else {
        report.note(
            "no API key (neither ANTHROPIC_API_KEY nor claude.api_key_file): suggestions come from the \
             offline model",
        );
        return;
    };
    let set_in = config.origins.of("claude.api_key_file");
    match config::api_key(config, no_env) {
        Ok(_) => {
            // Read fine, so the path names a real file: showing it reveals no key.
            let path = expand_home(named);
            let mode = std::fs::metadata(&path).map(|m| (m.permissions().mode() & 0o777, m.uid()));
            let detail = match mode {
                Ok((mode, owner)) if owner == uzers::get_effective_uid() => format!("mode {mode:o}, yours"),
                Ok((mode, owner)) => format!("mode {mode:o}, owned by uid {owner}"),
                Err(_) => String::new(),
            };
            report.ok(format!(
                "API key: from the file {} (claude.api_key_file, {set_in}; {detail})",
                shown(&path)
            ));
        }
        Err(e) => report.fix(
            e.to_string(),
            "chmod 600 the key file if others can read it, or correct claude.api_key_file; \
             until then suggestions come from the offline model",
        ),
    }
}

fn expand_home(path: &Path) -> std::path::PathBuf {
    match (path.strip_prefix("~"), directories::BaseDirs::new()) {
        (Ok(rest), Some(dirs)) => dirs.home_dir().join(rest),
        _ => path.to_owned(),
    }
}

/// A made-up ticket: nothing of anyone's leaves the machine.
const PROBE: &str =
    "I cannot log in to my account since this morning; the password reset e-mail never arrives.";

/// One real classification, timed.
pub fn online(config: &Config, report: &mut Report) {
    let key = match config::api_key(config, |name| std::env::var(name).ok()) {
        Ok(Some(key)) => key,
        Ok(None) => {
            report.fix(
                "--online: no API key to ask Claude with",
                "set ANTHROPIC_API_KEY or claude.api_key_file",
            );
            return;
        }
        Err(e) => {
            report.fix(format!("--online: {e}"), "fix the key file first");
            return;
        }
    };
    let client =
        match crate::classify::claude::ClaudeClient::new(crate::commands::claude_settings(config, key)) {
            Ok(client) => client,
            Err(e) => {
                report.fix(format!("--online: {e}"), "correct claude.base_url or ANTHROPIC_BASE_URL");
                return;
            }
        };
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
        report.fix("--online: cannot start a runtime", "try again");
        return;
    };
    let started = Instant::now();
    let answer = runtime.block_on(client.classify(PROBE));
    let ms = started.elapsed().as_millis();
    // Scheme, host and port only: a URL can carry a password.
    let endpoint = reqwest::Url::parse(&config.claude.base_url)
        .ok()
        .and_then(|u| Some(format!("{}://{}:{}", u.scheme(), u.host_str()?, u.port_or_known_default()?)))
        .unwrap_or_else(|| "the API".into());
    match answer {
        Ok(answer) => report.ok(format!(
            "Claude answered in {ms} ms ({} / {}, model {})",
            answer.category,
            answer.priority,
            sanitize_line(&config.claude.model)
        )),
        Err(e) => report.fix(
            format!("Claude did not answer ({e}) after {ms} ms"),
            format!(
                "check the network path to {endpoint}, the key and claude.model; meanwhile suggestions \
                 come from the offline model"
            ),
        ),
    }
}
