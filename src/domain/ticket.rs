//! Tickets, their enumerations and the validation that gives friendly errors
//! before the database (the last word) enforces the same rules.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use super::text;

/// Defines a closed set of lowercase names shared by the CLI, JSON and SQL.
macro_rules! name_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, clap::ValueEnum)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $(#[value(name = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl super::filter::Closed for $name {
            const ALL: &'static [$name] = $name::ALL;
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = String;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err(format!(
                        "unknown {} {:?} (expected one of: {})",
                        $what,
                        text::sanitize_line(other),
                        [$($text),+].join(", ")
                    )),
                }
            }
        }
    };
}

name_enum!(
    /// What a ticket is about.
    Category, "category" {
        Billing => "billing",
        Technical => "technical",
        Account => "account",
        General => "general",
    }
);

name_enum!(
    /// How urgent a ticket is, least urgent first.
    Priority, "priority" {
        Low => "low",
        Medium => "medium",
        High => "high",
        Critical => "critical",
    }
);

name_enum!(
    /// Where a ticket is in its life; new tickets are open.
    Status, "status" {
        Open => "open",
        InProgress => "in_progress",
        Resolved => "resolved",
        Closed => "closed",
    }
);

/// A stored ticket, as the database holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ticket {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub category: Category,
    pub priority: Priority,
    pub status: Status,
    pub created_at: String,
    pub updated_at: String,
    /// The OS account working on it, if anyone.
    pub assignee: Option<String>,
    /// Bumped by every change; a change made from a view names the version it saw.
    pub version: i64,
}

/// The ticket fields a validation error can point at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Title,
    Description,
    Category,
    Priority,
    Status,
    CreatedAt,
    Note,
}

impl Field {
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Title => "title",
            Field::Description => "description",
            Field::Category => "category",
            Field::Priority => "priority",
            Field::Status => "status",
            Field::CreatedAt => "created_at",
            Field::Note => "note",
        }
    }
}

/// A rule a value broke, with the field it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {message}", field.as_str())]
pub struct ValidationError {
    pub field: Field,
    pub message: String,
}

impl ValidationError {
    pub fn new(field: Field, message: impl Into<String>) -> Self {
        ValidationError { field, message: message.into() }
    }
}

pub const TITLE_MAX_CHARS: usize = 200;

/// The longest description or note, in characters (the schema's limit too):
/// room for any customer's message and its pasted log, while one paste can
/// no longer make every later suggestion and screen slow.
pub const TEXT_MAX_CHARS: usize = 65_536;

/// Trims a title and checks it against the schema's rules.
pub fn validate_title(raw: &str) -> Result<String, ValidationError> {
    let title = raw.trim();
    let chars = title.chars().count();
    if chars == 0 {
        return Err(ValidationError::new(Field::Title, "must not be empty"));
    }
    if chars > TITLE_MAX_CHARS {
        return Err(ValidationError::new(
            Field::Title,
            format!("must be at most {TITLE_MAX_CHARS} characters (got {chars})"),
        ));
    }
    if let Some(c) = title.chars().find(|&c| is_refused_in_title(c)) {
        return Err(ValidationError::new(
            Field::Title,
            format!(
                "must be one line without control, BiDi or invisible format characters (found U+{:04X})",
                u32::from(c)
            ),
        ));
    }
    Ok(title.to_owned())
}

/// Characters a title may not hold, each one on its own (the schema's title
/// rule refuses the same set): controls and line or paragraph separators (a
/// title is one line), BiDi controls and marks (they make a title read
/// differently from what it says, and the lists around it too), and invisible
/// format characters (two titles that look alike would differ, and terminals
/// draw them at different widths). This is exactly what the sanitiser always
/// replaces. ZWJ, ZWNJ and tag characters are allowed: emoji (👩‍💻, 🏴 flags),
/// Persian and Indic text need them, and whether one is stray depends on its
/// neighbours, which a per-character rule cannot see; a stray one is shown
/// as a stand-in instead.
pub fn is_refused_in_title(c: char) -> bool {
    text::is_unsafe(c)
}

/// [`is_refused_in_title`] as a few ranges, in code point order, for a rule
/// written elsewhere (the schema's) to be checked against.
pub fn title_refused_ranges() -> Vec<std::ops::RangeInclusive<char>> {
    text::unsafe_ranges()
}

/// Trims a description and checks it is not blank. NUL is refused: SQLite's
/// text functions stop at it, so the schema would judge "\0text" blank and
/// tools reading the file would see a cut description.
pub fn validate_description(raw: &str) -> Result<String, ValidationError> {
    long_text(Field::Description, raw)
}

/// A note follows the description's rules.
pub fn validate_note(raw: &str) -> Result<String, ValidationError> {
    long_text(Field::Note, raw)
}

/// Trimmed, not blank, no NUL, at most [`TEXT_MAX_CHARS`] characters.
fn long_text(field: Field, raw: &str) -> Result<String, ValidationError> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(ValidationError::new(field, "must not be empty"));
    }
    if text.contains('\0') {
        return Err(ValidationError::new(field, "must not contain NUL characters"));
    }
    // Counting stops early: a 10 MB paste is refused without walking it all.
    if text.chars().nth(TEXT_MAX_CHARS).is_some() {
        return Err(ValidationError::new(field, format!("must be at most {TEXT_MAX_CHARS} characters")));
    }
    Ok(text.to_owned())
}

/// A ticket about to be written. Built only through [`NewTicket::new`], so its
/// text is already trimmed and valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTicket {
    pub title: String,
    pub description: String,
    pub category: Category,
    pub priority: Priority,
    /// `None` takes the database default (`open`).
    pub status: Option<Status>,
    /// `None` takes the database default (now). Always in the stored format.
    pub created_at: Option<String>,
    /// Who works on it from the start (imports carry it); usually nobody.
    pub assignee: Option<String>,
}

impl NewTicket {
    pub fn new(
        title: &str,
        description: &str,
        category: Category,
        priority: Priority,
    ) -> Result<Self, ValidationError> {
        Ok(NewTicket {
            title: validate_title(title)?,
            description: validate_description(description)?,
            category,
            priority,
            status: None,
            created_at: None,
            assignee: None,
        })
    }

    /// The status it starts in: the one given, else `open` (the schema's default).
    pub fn status(&self) -> Status {
        self.status.unwrap_or(Status::Open)
    }
}

/// A partial change to a ticket: `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TicketEdit {
    pub title: Option<String>,
    pub description: Option<String>,
    pub category: Option<Category>,
    pub priority: Option<Priority>,
    pub status: Option<Status>,
}

impl TicketEdit {
    /// Validates and trims the text fields of an edit.
    pub fn validated(self) -> Result<Self, ValidationError> {
        Ok(TicketEdit {
            title: self.title.as_deref().map(validate_title).transpose()?,
            description: self.description.as_deref().map(validate_description).transpose()?,
            ..self
        })
    }

    pub fn is_empty(&self) -> bool {
        self.title.is_none()
            && self.description.is_none()
            && self.category.is_none()
            && self.priority.is_none()
            && self.status.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_text() {
        for c in Category::ALL {
            assert_eq!(c.as_str().parse::<Category>().unwrap(), *c);
        }
        for p in Priority::ALL {
            assert_eq!(p.as_str().parse::<Priority>().unwrap(), *p);
        }
        for s in Status::ALL {
            assert_eq!(s.as_str().parse::<Status>().unwrap(), *s);
        }
        assert!("Billing".parse::<Category>().is_err());
    }

    #[test]
    fn title_counts_characters_not_bytes() {
        let accented = "é".repeat(200);
        assert_eq!(validate_title(&accented).unwrap(), accented);
        let err = validate_title(&"é".repeat(201)).unwrap_err();
        assert_eq!(err.field, Field::Title);
        assert!(err.message.contains("201"), "{err}");
    }

    #[test]
    fn title_is_trimmed_and_single_line() {
        assert_eq!(validate_title("  printer on fire \t").unwrap(), "printer on fire");
        assert!(validate_title("   ").is_err());
        assert!(validate_title("two\nlines").is_err());
        assert!(validate_title("bell\u{7}").is_err());
        assert!(validate_title("c1\u{9b}31m").is_err());
    }

    #[test]
    fn title_refuses_separators_bidi_marks_and_invisible_characters() {
        for bad in [
            "one\u{2028}two",
            "a\u{2029}b",
            "rtl\u{200f}",
            "alm\u{61c}x",
            "zw\u{200b}sp",
            "soft\u{ad}hyphen",
            "\u{3164}",
            "bom\u{feff}",
            "lang\u{e0001}",
        ] {
            let err = validate_title(bad).unwrap_err();
            assert_eq!(err.field, Field::Title);
            assert!(err.message.contains("U+"), "{err}");
        }
        assert!(validate_title("a\u{2028}\u{2028}x").unwrap_err().message.ends_with("(found U+2028)"));
        for good in [
            "👩\u{200d}💻 laptop",
            "می\u{200c}خواهم",
            "🏴\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f}",
            "❤\u{fe0f} e\u{301}",
            "10\u{202f}€",
        ] {
            assert_eq!(validate_title(good).unwrap(), good);
        }
    }

    #[test]
    fn refused_title_characters_come_as_ranges() {
        let ranges = title_refused_ranges();
        assert!(ranges.iter().any(|r| r.contains(&'\u{2028}') && r.contains(&'\u{202e}')));
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            assert_eq!(ranges.iter().any(|r| r.contains(&c)), is_refused_in_title(c), "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn description_keeps_inner_layout() {
        assert_eq!(validate_description("\n a\n\tb \n").unwrap(), "a\n\tb");
        assert!(validate_description(" \n\t ").is_err());
        // Found by fuzzing: SQLite stops at NUL, so the schema saw this as blank.
        let err = validate_description("\0\0[i\u{1c}d").unwrap_err();
        assert!(err.message.contains("NUL"), "{err}");
        assert_eq!(validate_description("bell \u{7} kept").unwrap(), "bell \u{7} kept");
    }

    #[test]
    fn edit_validates_only_given_fields() {
        let edit = TicketEdit { title: Some("  ok ".into()), ..Default::default() };
        assert_eq!(edit.validated().unwrap().title.as_deref(), Some("ok"));
        let bad = TicketEdit { description: Some("  ".into()), ..Default::default() };
        assert_eq!(bad.validated().unwrap_err().field, Field::Description);
        assert!(TicketEdit::default().is_empty());
    }
}
