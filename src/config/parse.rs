//! Reading one config file as a layer, with errors that say where and what
//! without quoting the file: a config line may hold a secret (a key pasted
//! where a path belongs), so messages name the key, line and column instead.

use super::Config;
use super::limits;

/// A problem in one file: where it is (1-based line and column, when known)
/// and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerError {
    pub at: Option<(usize, usize)>,
    pub message: String,
}

/// Parses one file as a layer: it must be valid TOML whose keys all exist and
/// whose values have the right type.
pub fn parse_layer(text: &str) -> Result<toml::Table, LayerError> {
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| LayerError {
        at: e.span().map(|span| line_column(text, span.start)),
        message: safe_message(e.message()),
    })?;
    // Deserializing the file alone catches unknown keys and wrong types with
    // this file's name and position on them, before it meets the others.
    if let Err(e) = toml::from_str::<Config>(text) {
        let key = e.span().and_then(|span| key_at(text, span.start));
        let message = match key.as_deref() {
            Some(key) if e.message().starts_with("unknown field") => unknown_key(key, e.message()),
            Some(key) => match limits::limit(key) {
                Some(limit) => format!("{key} {}", limit.rule()),
                None => format!("{key}: {}", safe_message(e.message())),
            },
            None => safe_message(e.message()),
        };
        return Err(LayerError { at: e.span().map(|span| line_column(text, span.start)), message });
    }
    Ok(table)
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, column)
}

/// The dotted key whose name or value covers `offset`, e.g. `claude.deadline_ms`.
fn key_at(text: &str, offset: usize) -> Option<String> {
    let document = toml::de::DeTable::parse(text).ok()?;
    let mut path = Vec::new();
    find_key(document.get_ref(), offset, &mut path).then(|| path.join("."))
}

fn find_key(table: &toml::de::DeTable<'_>, offset: usize, path: &mut Vec<String>) -> bool {
    for (key, value) in table {
        path.push(key.get_ref().to_string());
        if let Some(inner) = value.get_ref().as_table()
            && find_key(inner, offset, path)
        {
            return true;
        }
        if key.span().contains(&offset) || value.span().contains(&offset) {
            return true;
        }
        path.pop();
    }
    false
}

/// Names an unknown key only when it is shaped like one of ours (lower-case
/// letters, digits and underscores): API keys always have a dash, so a key
/// pasted in as a key name is never echoed.
fn unknown_key(key: &str, message: &str) -> String {
    let name = key.rsplit('.').next().unwrap_or(key);
    let ours =
        name.len() <= 40 && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    let expected =
        message.split_once(", expected ").map(|(_, e)| format!(", expected {e}")).unwrap_or_default();
    if ours { format!("unknown key `{key}`{expected}") } else { format!("unknown key{expected}") }
}

/// Serde's messages quote the value they could not use ("invalid type:
/// string \"sk-…\", expected u64"); keep only what was expected, which comes
/// from our own types. The TOML grammar's own messages quote nothing.
fn safe_message(message: &str) -> String {
    let quotes_a_value =
        ["invalid type:", "invalid value:", "unknown variant", "unknown field", "invalid length"]
            .iter()
            .any(|start| message.starts_with(start));
    let message = if quotes_a_value {
        match message.split_once(", expected ") {
            // "struct ClaudeConfig" is our type's name; the file calls it a table.
            Some((_, expected)) if expected.starts_with("struct ") => "expected a table".to_owned(),
            Some((_, expected)) => format!("expected {expected}"),
            None => "a value of the wrong kind".to_owned(),
        }
    } else {
        message.to_owned()
    };
    // One line, whatever the source said.
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "sk-ant-api03-abcdefghijklmnop";

    fn error(text: &str) -> LayerError {
        parse_layer(text).unwrap_err()
    }

    #[test]
    fn type_errors_name_the_key_and_its_range_but_not_the_value() {
        let e = error(&format!("redact = true\n[claude]\ndeadline_ms = \"{SECRET}\"\n"));
        assert_eq!(
            e,
            LayerError {
                at: Some((3, 15)),
                message: "claude.deadline_ms must be 1 to 600000 milliseconds".into()
            }
        );
        let e = error("[claude]\nmax_tokens = 99999999999\n");
        assert_eq!(e.message, "claude.max_tokens must be 1 to 8192 tokens");
        let e = error("debounce_ms = -1\n");
        assert_eq!(e.message, "debounce_ms must be 0 to 60000 milliseconds");
    }

    #[test]
    fn enum_and_string_errors_keep_only_what_was_expected() {
        let e = error(&format!("classifier = \"{SECRET}\""));
        assert_eq!(e.message, "classifier: expected one of `claude`, `local`, `off`");
        let e = error(&format!("[claude]\nauth = \"{SECRET}\""));
        assert!(e.message.starts_with("claude.auth: expected"), "{e:?}");
        let e = error(&format!("claude = \"{SECRET}\""));
        assert_eq!(e.message, "claude: expected a table");
        for text in [format!("classifier = \"{SECRET}\""), format!("redact = \"{SECRET}\"")] {
            assert!(!error(&text).message.contains(SECRET), "{text}");
        }
    }

    #[test]
    fn unknown_keys_are_named_only_when_they_look_like_keys() {
        let e = error("[claude]\nmodle = \"x\"\n");
        assert_eq!(e.at, Some((2, 1)));
        assert!(e.message.starts_with("unknown key `claude.modle`, expected one of"), "{e:?}");
        let e = error(&format!("{SECRET} = 1\n"));
        assert!(e.message.starts_with("unknown key, expected"), "{e:?}");
        assert!(!e.message.contains(SECRET));
    }

    #[test]
    fn syntax_errors_point_at_the_spot_without_quoting_the_line() {
        let e = error(&format!("[claude]\napi_key_file = \"{SECRET}\n"));
        assert_eq!(e.at.map(|(line, _)| line), Some(2));
        assert!(!e.message.contains(SECRET) && !e.message.contains("api_key_file"), "{e:?}");
        assert!(!e.message.contains('\n'));
        let e = error(&format!("{SECRET}\n"));
        assert!(!e.message.contains(SECRET), "{e:?}");
    }

    #[test]
    fn positions_count_characters() {
        assert_eq!(line_column("ab\ncé d", 7), (2, 4));
        assert_eq!(line_column("x", 0), (1, 1));
    }
}
