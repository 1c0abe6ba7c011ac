//! Styles. Colour only ever repeats what the text already says (a priority is
//! written out, with "!!" or "!" in front when urgent; a status is a word; the
//! focused pane has a thick border and a reversed title; the selection a `›`),
//! so the screen reads the same with `NO_COLOR`: then only bold, reversed and
//! underline are used. Only the 16 basic ANSI colours, so a 16-colour
//! terminal shows it as meant.
//!
//! Three palettes: [`Palette::Dark`] for light text on a dark background,
//! [`Palette::Light`] for the reverse (no yellow or cyan text, which fade on
//! white), and [`Palette::HighContrast`]: text in the terminal's own colour,
//! never grey, and every signal a foreground and background set together, so
//! its contrast does not depend on the terminal's background.

use ratatui::style::{Color, Modifier, Style};
use ratatui::widgets::BorderType;

use crate::classify::chain::Health;
use crate::domain::{Priority, Status};
use crate::tui::model::ClassifierStatus;

/// The colours the screen is drawn in (`theme` in the config).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Palette {
    #[default]
    Dark,
    Light,
    HighContrast,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    /// `None`: no colour at all (`NO_COLOR`).
    palette: Option<Palette>,
}

const BOLD: Modifier = Modifier::BOLD;
const REVERSED: Modifier = Modifier::REVERSED;

/// What a colour says, whatever the palette draws it with.
#[derive(Debug, Clone, Copy)]
enum Role {
    /// Headings, keys, the focused frame.
    Accent,
    /// Hints, placeholders, what matters least.
    Dim,
    /// Something failed.
    Error,
    /// Needs attention: open tickets, high priority, a fallback.
    Attention,
    /// Went through.
    Success,
    /// Work going on.
    Progress,
    Category,
}

impl Theme {
    pub fn new(palette: Palette, color: bool) -> Theme {
        Theme { palette: color.then_some(palette) }
    }

    /// The style for a role: a colour (or a pair) in this palette, nothing
    /// without colour.
    fn role(self, role: Role) -> Style {
        let fg = |color| Style::new().fg(color);
        let pair = |fore, back| Style::new().fg(fore).bg(back);
        match (self.palette, role) {
            (None, _) => Style::new(),
            (Some(Palette::Dark), Role::Accent) => fg(Color::Cyan),
            (Some(Palette::Dark), Role::Dim) => fg(Color::DarkGray),
            (Some(Palette::Dark), Role::Error) => fg(Color::Red),
            (Some(Palette::Dark), Role::Attention) => fg(Color::Yellow),
            (Some(Palette::Dark), Role::Success) => fg(Color::Green),
            (Some(Palette::Dark), Role::Progress) => fg(Color::Cyan),
            (Some(Palette::Dark), Role::Category) => fg(Color::Magenta),
            (Some(Palette::Light), Role::Accent | Role::Progress) => fg(Color::Blue),
            (Some(Palette::Light), Role::Dim) => fg(Color::DarkGray),
            (Some(Palette::Light), Role::Error) => fg(Color::Red),
            (Some(Palette::Light), Role::Attention) => fg(Color::Magenta),
            (Some(Palette::Light), Role::Success) => fg(Color::Green),
            (Some(Palette::Light), Role::Category) => Style::new(),
            // Italic, not grey: what matters less still reads at full contrast.
            (Some(Palette::HighContrast), Role::Dim) => Style::new().add_modifier(Modifier::ITALIC),
            (Some(Palette::HighContrast), Role::Accent | Role::Category) => Style::new(),
            (Some(Palette::HighContrast), Role::Error) => pair(Color::White, Color::Red),
            (Some(Palette::HighContrast), Role::Attention) => pair(Color::Black, Color::LightYellow),
            (Some(Palette::HighContrast), Role::Success) => pair(Color::Black, Color::LightGreen),
            (Some(Palette::HighContrast), Role::Progress) => pair(Color::Black, Color::LightCyan),
        }
    }

    fn high_contrast(self) -> bool {
        self.palette == Some(Palette::HighContrast)
    }

    pub fn plain(self) -> Style {
        Style::new()
    }

    pub fn bold(self) -> Style {
        Style::new().add_modifier(BOLD)
    }

    /// Secondary text: hints, placeholders, units. Plain without colour;
    /// italic in high contrast (grey is what that palette leaves out).
    pub fn dim(self) -> Style {
        self.role(Role::Dim)
    }

    /// The app's name and other accents.
    pub fn accent(self) -> Style {
        self.role(Role::Accent).add_modifier(BOLD)
    }

    pub fn error(self) -> Style {
        self.role(Role::Error).add_modifier(BOLD)
    }

    pub fn warning(self) -> Style {
        if self.palette.is_some() { self.role(Role::Attention) } else { self.bold() }
    }

    pub fn success(self) -> Style {
        self.role(Role::Success)
    }

    /// A pane's border: the focused one is thick (visible without colour too).
    pub fn border(self, focused: bool) -> Style {
        if focused { self.role(Role::Accent).add_modifier(BOLD) } else { self.dim() }
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
        self.role(Role::Accent).add_modifier(BOLD)
    }

    /// The selected list row while the list has the keys.
    pub fn selected(self) -> Style {
        if self.high_contrast() {
            Style::new().add_modifier(REVERSED | BOLD)
        } else {
            Style::new().add_modifier(REVERSED)
        }
    }

    /// A key in the footer or the help.
    pub fn key(self) -> Style {
        let key = self.role(Role::Accent).add_modifier(BOLD);
        if self.high_contrast() { key.add_modifier(Modifier::UNDERLINED) } else { key }
    }

    /// An active filter in the header.
    pub fn chip(self) -> Style {
        match self.palette {
            Some(Palette::Dark) => Style::new().fg(Color::Black).bg(Color::Cyan),
            Some(Palette::Light) => Style::new().fg(Color::White).bg(Color::Blue),
            Some(Palette::HighContrast) | None => Style::new().add_modifier(REVERSED),
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
            Priority::High => self.role(Role::Attention).add_modifier(BOLD),
            Priority::Critical => self.role(Role::Error).add_modifier(BOLD),
        }
    }

    pub fn status(self, status: Status) -> Style {
        match status {
            Status::Open => self.role(Role::Attention).add_modifier(BOLD),
            Status::InProgress => self.role(Role::Progress),
            Status::Resolved => self.role(Role::Success),
            Status::Closed => self.dim(),
        }
    }

    pub fn category(self) -> Style {
        self.role(Role::Category)
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
        let theme = Theme::new(Palette::HighContrast, false);
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

    /// Every style the views use, in one palette.
    fn every_style(theme: Theme) -> Vec<Style> {
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
        styles
    }

    #[test]
    fn the_light_palette_writes_nothing_that_fades_on_white() {
        let faint =
            [Color::Yellow, Color::Cyan, Color::LightYellow, Color::LightCyan, Color::White, Color::Gray];
        for style in every_style(Theme::new(Palette::Light, true)) {
            if style.bg.is_none() {
                assert!(!style.fg.is_some_and(|c| faint.contains(&c)), "{style:?}");
            }
        }
    }

    #[test]
    fn high_contrast_sets_colours_in_pairs_and_never_grey() {
        let theme = Theme::new(Palette::HighContrast, true);
        for style in every_style(theme) {
            assert_eq!(style.fg.is_some(), style.bg.is_some(), "a colour without its pair: {style:?}");
            assert_ne!(style.fg, Some(Color::DarkGray), "{style:?}");
        }
        // Its signals still stand out from plain text.
        assert!(theme.status(Status::Open).bg.is_some());
        assert!(theme.priority(Priority::Critical).bg.is_some());
        assert!(theme.error().bg.is_some());
    }

    #[test]
    fn the_palettes_differ_where_it_matters() {
        let [dark, light, high] =
            [Palette::Dark, Palette::Light, Palette::HighContrast].map(|p| Theme::new(p, true));
        assert_ne!(dark.accent(), light.accent());
        assert_ne!(dark.status(Status::Open), light.status(Status::Open));
        assert_ne!(light.status(Status::Open), high.status(Status::Open));
        for palette in [Palette::Dark, Palette::Light, Palette::HighContrast] {
            assert_eq!(Theme::new(palette, false), Theme::new(Palette::Dark, false), "NO_COLOR wins");
        }
    }
}
