//! Styles. Colour only ever repeats what the text already says (a priority is
//! written out, with "!!" or "!" in front when urgent), so the screen reads the
//! same with `NO_COLOR`: then only bold, reversed and underline are used. Only
//! the 16 basic ANSI colours, so a 16-colour terminal shows it as meant.

use ratatui::style::{Color, Modifier, Style};
use ratatui::widgets::BorderType;

use crate::classify::chain::Health;
use crate::domain::{Priority, Status};
use crate::tui::model::ClassifierStatus;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    color: bool,
}

const BOLD: Modifier = Modifier::BOLD;
const REVERSED: Modifier = Modifier::REVERSED;

impl Theme {
    pub fn new(color: bool) -> Theme {
        Theme { color }
    }

    /// A foreground colour, or nothing at all without colour.
    fn fg(self, color: Color) -> Style {
        if self.color { Style::new().fg(color) } else { Style::new() }
    }

    pub fn plain(self) -> Style {
        Style::new()
    }

    pub fn bold(self) -> Style {
        Style::new().add_modifier(BOLD)
    }

    /// Secondary text: hints, placeholders, units. Plain without colour.
    pub fn dim(self) -> Style {
        self.fg(Color::DarkGray)
    }

    /// The app's name and other accents.
    pub fn accent(self) -> Style {
        self.fg(Color::Cyan).add_modifier(BOLD)
    }

    pub fn error(self) -> Style {
        self.fg(Color::Red).add_modifier(BOLD)
    }

    pub fn warning(self) -> Style {
        if self.color { self.fg(Color::Yellow) } else { self.bold() }
    }

    pub fn success(self) -> Style {
        self.fg(Color::Green)
    }

    /// A pane's border: the focused one is thick (visible without colour too).
    pub fn border(self, focused: bool) -> Style {
        if focused { self.fg(Color::Cyan).add_modifier(BOLD) } else { self.dim() }
    }

    pub fn border_type(self, focused: bool) -> BorderType {
        if focused { BorderType::Thick } else { BorderType::Plain }
    }

    /// A pane's title; the focused one also reversed.
    pub fn pane_title(self, focused: bool) -> Style {
        if focused { self.accent().add_modifier(REVERSED) } else { self.bold() }
    }

    /// Overlays float above the panes with a double border.
    pub fn overlay_border(self) -> Style {
        self.fg(Color::Cyan).add_modifier(BOLD)
    }

    /// The selected list row while the list has the keys.
    pub fn selected(self) -> Style {
        Style::new().add_modifier(REVERSED)
    }

    /// A key in the footer or the help.
    pub fn key(self) -> Style {
        self.fg(Color::Cyan).add_modifier(BOLD)
    }

    /// An active filter in the header.
    pub fn chip(self) -> Style {
        if self.color {
            Style::new().fg(Color::Black).bg(Color::Cyan)
        } else {
            Style::new().add_modifier(REVERSED)
        }
    }

    /// The tab bar's tab for the focused pane.
    pub fn tab(self, active: bool) -> Style {
        if active { self.accent().add_modifier(REVERSED) } else { self.dim() }
    }

    /// A column heading.
    pub fn heading(self) -> Style {
        self.bold().add_modifier(Modifier::UNDERLINED)
    }

    /// The label of the focused form field.
    pub fn field_label(self, focused: bool) -> Style {
        if focused { self.accent() } else { self.plain() }
    }

    pub fn priority(self, priority: Priority) -> Style {
        match priority {
            Priority::Low => self.dim(),
            Priority::Medium => self.plain(),
            Priority::High => self.fg(Color::Yellow).add_modifier(BOLD),
            Priority::Critical => self.fg(Color::Red).add_modifier(BOLD),
        }
    }

    pub fn status(self, status: Status) -> Style {
        match status {
            Status::Open => self.fg(Color::Yellow).add_modifier(BOLD),
            Status::InProgress => self.fg(Color::Cyan),
            Status::Resolved => self.fg(Color::Green),
            Status::Closed => self.dim(),
        }
    }

    pub fn category(self) -> Style {
        self.fg(Color::Magenta)
    }

    pub fn classifier(self, status: &ClassifierStatus) -> Style {
        match status {
            ClassifierStatus::Off => self.dim(),
            ClassifierStatus::On(Health::Claude) => self.success(),
            ClassifierStatus::On(Health::Local) => self.plain(),
            ClassifierStatus::On(Health::Unavailable(_) | Health::CoolingDown(_)) => self.warning(),
            ClassifierStatus::On(Health::Refused(_)) => self.error(),
        }
    }
}

/// A priority as text that needs no colour: urgent ones are flagged.
pub fn priority_label(priority: Priority) -> String {
    format!("{}{}", priority_marker(priority), priority.as_str())
}

/// A priority as text without column padding: "!! critical", "! high", "low".
pub fn priority_text(priority: Priority) -> String {
    let marker = priority_marker(priority).trim_end();
    if marker.is_empty() { priority.as_str().to_owned() } else { format!("{marker} {priority}") }
}

/// A three-cell flag so priority names line up in a column.
pub fn priority_marker(priority: Priority) -> &'static str {
    match priority {
        Priority::Critical => "!! ",
        Priority::High => "!  ",
        Priority::Medium | Priority::Low => "   ",
    }
}

/// Cells the widest priority label takes.
pub const PRIORITY_WIDTH: usize = 11;
/// Cells the widest status name ("in_progress") takes.
pub const STATUS_WIDTH: usize = 11;
/// Cells the widest category name ("technical") takes.
pub const CATEGORY_WIDTH: usize = 9;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Category;

    #[test]
    fn no_colour_means_no_colour() {
        let theme = Theme::new(false);
        let mut styles = vec![
            theme.dim(),
            theme.accent(),
            theme.error(),
            theme.warning(),
            theme.success(),
            theme.border(true),
            theme.border(false),
            theme.pane_title(true),
            theme.overlay_border(),
            theme.selected(),
            theme.key(),
            theme.chip(),
            theme.tab(true),
            theme.tab(false),
            theme.category(),
        ];
        styles.extend(Priority::ALL.iter().map(|p| theme.priority(*p)));
        styles.extend(Status::ALL.iter().map(|s| theme.status(*s)));
        for style in styles {
            assert_eq!((style.fg, style.bg), (None, None), "{style:?}");
        }
    }

    #[test]
    fn labels_fit_their_columns() {
        for p in Priority::ALL {
            assert!(priority_label(*p).chars().count() <= PRIORITY_WIDTH);
        }
        for s in Status::ALL {
            assert!(s.as_str().len() <= STATUS_WIDTH);
        }
        for c in Category::ALL {
            assert!(c.as_str().len() <= CATEGORY_WIDTH);
        }
        assert_eq!(priority_label(Priority::Critical), "!! critical");
        assert_eq!(priority_text(Priority::High), "! high");
        assert_eq!(priority_text(Priority::Low), "low");
    }
}
