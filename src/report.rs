//! How an error reaches the person: one line on stderr, each cause said once,
//! made safe for a terminal (error text can quote file or ticket content).

use crate::domain::text::sanitize_line;

/// `ticketdesk: <what> : <why>`, walking the cause chain but skipping a
/// cause the text already says (many errors print their source themselves
/// and also return it as their source).
pub fn error_line(err: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        let text = text.trim();
        if text.is_empty() || line.contains(text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(text);
    }
    format!("ticketdesk: {}", one_line(&line))
}

/// clap's usage errors in one line: its message, its continuation lines (the
/// missing argument, the possible values) and its tip, without the usage
/// block. `None` for help and version, which are printed as clap wrote them.
pub fn usage_line(err: &clap::Error) -> Option<String> {
    if !err.use_stderr() {
        return None;
    }
    // Here clap prints a whole help page, whose first line says what the
    // command does, not what went wrong.
    if err.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        return Some("ticketdesk: a command is missing (see --help)".to_owned());
    }
    let rendered = err.render().to_string();
    let parts: Vec<String> = rendered
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty() && !p.starts_with("Usage:") && !p.starts_with("For more information"))
        .map(|p| one_line(p.strip_prefix("error:").unwrap_or(p)))
        .collect();
    Some(format!("ticketdesk: {} (see --help)", parts.join("; ")))
}

fn one_line(text: &str) -> String {
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    sanitize_line(&joined).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, thiserror::Error)]
    #[error("cannot use x.db: {source}")]
    struct Wrapped {
        source: std::io::Error,
    }

    #[test]
    fn a_cause_already_in_the_text_is_not_said_again() {
        let err = anyhow::Error::new(Wrapped { source: std::io::Error::other("it is a directory") });
        assert_eq!(error_line(&err), "ticketdesk: cannot use x.db: it is a directory");
        let err = anyhow::Error::new(std::io::Error::other("disk full")).context("cannot write out.csv");
        assert_eq!(error_line(&err), "ticketdesk: cannot write out.csv: disk full");
    }

    #[test]
    fn multi_line_causes_become_one_safe_line() {
        let err = anyhow::anyhow!("first\nsecond \u{1b}[2J");
        assert_eq!(error_line(&err), "ticketdesk: first second ␛[2J");
    }

    #[test]
    fn usage_errors_keep_their_detail_on_one_line() {
        let err = crate::cli::Cli::try_parse_from(["ticketdesk", "list", "--jsn"]).unwrap_err();
        assert_eq!(
            usage_line(&err).unwrap(),
            "ticketdesk: unexpected argument '--jsn' found; tip: a similar argument exists: '--json' (see --help)"
        );
        let err = crate::cli::Cli::try_parse_from(["ticketdesk", "export", "--format", "x"]).unwrap_err();
        let line = usage_line(&err).unwrap();
        assert!(line.contains("[possible values: csv, jsonl]"), "{line}");
        let err = crate::cli::Cli::try_parse_from(["ticketdesk", "--help"]).unwrap_err();
        assert_eq!(usage_line(&err), None, "help is printed as it is");
    }
}
