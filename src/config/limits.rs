//! The allowed range of every numeric setting, in one table: the config's
//! validation pass, its TOML error messages and the command-line flags all
//! read it, so a range is written once.

use std::ops::RangeInclusive;

use super::Config;

/// `busy_timeout_secs` and `--busy-timeout`. 0 means "do not wait"; a day is
/// longer than any import, and SQLite counts the wait in 32-bit milliseconds
/// (at most 24.8 days), so anything past that cannot be honoured anyway.
pub const BUSY_TIMEOUT_SECS: RangeInclusive<u64> = 0..=86_400;

/// One numeric setting: its dotted key, what it counts and how far it may go.
#[derive(Debug)]
pub struct Limit {
    pub key: &'static str,
    pub range: RangeInclusive<u64>,
    /// What the number counts, for messages ("seconds", "words").
    pub unit: &'static str,
    get: fn(&Config) -> u64,
}

impl Limit {
    /// "must be 1 to 8192 tokens"
    pub fn rule(&self) -> String {
        format!("must be {} to {} {}", self.range.start(), self.range.end(), self.unit)
    }
}

fn wide(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// Every numeric key of `assets/default-config.toml`; a test checks none is missing.
pub const LIMITS: &[Limit] = &[
    Limit {
        key: "busy_timeout_secs",
        range: BUSY_TIMEOUT_SECS,
        unit: "seconds",
        get: |c| c.busy_timeout_secs,
    },
    // A suggestion that arrives a minute after the typing stopped helps nobody.
    Limit { key: "debounce_ms", range: 0..=60_000, unit: "milliseconds", get: |c| c.debounce_ms },
    // 0 would fail every connection; a minute is far past any healthy handshake.
    Limit {
        key: "claude.connect_timeout_ms",
        range: 1..=60_000,
        unit: "milliseconds",
        get: |c| c.claude.connect_timeout_ms,
    },
    // `add` waits this long for a suggestion; ten minutes is already a stuck command.
    Limit {
        key: "claude.deadline_ms",
        range: 1..=600_000,
        unit: "milliseconds",
        get: |c| c.claude.deadline_ms,
    },
    // The answer is a few short fields; 8192 leaves room for any model's wordiness.
    Limit {
        key: "claude.max_tokens",
        range: 1..=8_192,
        unit: "tokens",
        get: |c| u64::from(c.claude.max_tokens),
    },
    // A ticket's gist is in its first few thousand characters; 100,000 is a
    // whole log pasted in, and still well inside a request's size.
    Limit {
        key: "claude.max_input_chars",
        range: 1..=100_000,
        unit: "characters",
        get: |c| wide(c.claude.max_input_chars),
    },
    // 0 failures cannot open a breaker; past 1000 it never opens in practice.
    Limit {
        key: "claude.breaker_failures",
        range: 1..=1_000,
        unit: "failures",
        get: |c| u64::from(c.claude.breaker_failures),
    },
    // 0 retries at once; a day is the longest an offline desk needs to stop asking.
    Limit {
        key: "claude.breaker_cooldown_secs",
        range: 0..=86_400,
        unit: "seconds",
        get: |c| c.claude.breaker_cooldown_secs,
    },
    // 0 learns from the samples only; a million tickets is the working size of
    // a desk, and they are all read at every start.
    Limit {
        key: "local.training_window",
        range: 0..=1_000_000,
        unit: "tickets",
        get: |c| wide(c.local.training_window),
    },
    // Under a thousand words the model forgets most of its samples; a million
    // words is already a few hundred MB of memory.
    Limit {
        key: "local.max_vocabulary",
        range: 1_000..=1_000_000,
        unit: "words",
        get: |c| wide(c.local.max_vocabulary),
    },
];

/// The limit for a dotted key, if the key is numeric.
pub fn limit(key: &str) -> Option<&'static Limit> {
    LIMITS.iter().find(|l| l.key == key)
}

/// The first setting outside its range, with the rule and the value it has.
pub fn check(config: &Config) -> Result<(), (&'static str, String)> {
    for limit in LIMITS {
        let value = (limit.get)(config);
        if !limit.range.contains(&value) {
            return Err((limit.key, format!("{} (got {value})", limit.rule())));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_numeric_key_of_the_documented_config_has_a_limit() {
        fn numeric_keys(table: &toml::Table, prefix: &str, out: &mut Vec<String>) {
            for (key, value) in table {
                match value {
                    toml::Value::Table(inner) => numeric_keys(inner, &format!("{prefix}{key}."), out),
                    toml::Value::Integer(_) | toml::Value::Float(_) => out.push(format!("{prefix}{key}")),
                    _ => {}
                }
            }
        }
        let documented: toml::Table = super::super::DEFAULT_CONFIG.parse().unwrap();
        let mut keys = Vec::new();
        numeric_keys(&documented, "", &mut keys);
        keys.sort();
        let mut limited: Vec<String> = LIMITS.iter().map(|l| l.key.to_owned()).collect();
        limited.sort();
        assert_eq!(keys, limited);
    }

    #[test]
    fn the_defaults_are_inside_every_range() {
        assert_eq!(check(&Config::default()), Ok(()));
    }

    #[test]
    fn a_value_outside_its_range_is_named_with_the_range() {
        let mut config = Config::default();
        config.local.max_vocabulary = 0;
        assert_eq!(
            check(&config),
            Err(("local.max_vocabulary", "must be 1000 to 1000000 words (got 0)".to_owned()))
        );
        let mut config = Config::default();
        config.claude.breaker_cooldown_secs = u64::MAX;
        let (key, message) = check(&config).unwrap_err();
        assert_eq!(key, "claude.breaker_cooldown_secs");
        assert!(message.starts_with("must be 0 to 86400 seconds"), "{message}");
    }
}
