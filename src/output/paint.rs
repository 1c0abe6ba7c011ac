//! Colour for people's output: a few SGR codes around words that already say
//! what they mean (a priority, a status), or nothing at all. Bold, red and
//! green only, which read on light and dark terminals alike.

use crate::domain::{Priority, Status};

/// Whether to colour: `--color`, where the output goes, and `NO_COLOR`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paint {
    on: bool,
}

impl Paint {
    /// `always` colours even a pipe; `never` nothing; `auto` a terminal,
    /// unless `NO_COLOR` is set (as the full-screen view reads it).
    pub fn new(choice: clap::ColorChoice, terminal: bool, no_color: bool) -> Paint {
        let on = match choice {
            clap::ColorChoice::Always => true,
            clap::ColorChoice::Never => false,
            clap::ColorChoice::Auto => terminal && !no_color,
        };
        Paint { on }
    }

    /// No colour at all.
    pub const fn plain() -> Paint {
        Paint { on: false }
    }

    fn wrap(self, sgr: &str, text: &str) -> String {
        if self.on && !text.is_empty() { format!("\x1b[{sgr}m{text}\x1b[0m") } else { text.to_owned() }
    }

    pub fn heading(self, text: &str) -> String {
        self.wrap("1", text)
    }

    pub fn priority(self, priority: Priority, text: &str) -> String {
        match priority {
            Priority::Critical => self.wrap("1;31", text),
            Priority::High => self.wrap("1", text),
            Priority::Medium | Priority::Low => text.to_owned(),
        }
    }

    pub fn status(self, status: Status, text: &str) -> String {
        match status {
            Status::Open => self.wrap("1", text),
            Status::Resolved => self.wrap("32", text),
            Status::InProgress | Status::Closed => text.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::ColorChoice;

    #[test]
    fn colour_goes_to_terminals_unless_told_otherwise() {
        let on = |paint: Paint| paint.priority(Priority::Critical, "critical") != "critical";
        assert!(on(Paint::new(ColorChoice::Auto, true, false)));
        assert!(!on(Paint::new(ColorChoice::Auto, false, false)), "a pipe");
        assert!(!on(Paint::new(ColorChoice::Auto, true, true)), "NO_COLOR");
        assert!(on(Paint::new(ColorChoice::Always, false, true)), "asked for");
        assert!(!on(Paint::new(ColorChoice::Never, true, false)));
        assert_eq!(Paint::new(ColorChoice::Always, false, false).heading("ID"), "\x1b[1mID\x1b[0m");
    }
}
