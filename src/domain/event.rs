//! The history of a ticket: who changed what, when, and where the value came from.

use super::ticket::{Category, Priority};
use serde::Serialize;

/// What an event changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventField {
    Created,
    Title,
    Description,
    Category,
    Priority,
    Status,
    Assignee,
    Note,
}

impl EventField {
    pub const ALL: [EventField; 8] = [
        EventField::Created,
        EventField::Title,
        EventField::Description,
        EventField::Category,
        EventField::Priority,
        EventField::Status,
        EventField::Assignee,
        EventField::Note,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventField::Created => "created",
            EventField::Title => "title",
            EventField::Description => "description",
            EventField::Category => "category",
            EventField::Priority => "priority",
            EventField::Status => "status",
            EventField::Assignee => "assignee",
            EventField::Note => "note",
        }
    }

    /// The field a stored name stands for.
    pub fn named(name: &str) -> Option<EventField> {
        EventField::ALL.into_iter().find(|f| f.as_str() == name)
    }
}

/// Where a new value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum EventSource {
    #[serde(rename = "person")]
    Person,
    #[serde(rename = "claude")]
    Claude,
    #[serde(rename = "local")]
    Local,
    #[serde(rename = "claude-cached")]
    ClaudeCached,
    #[serde(rename = "local-cached")]
    LocalCached,
    #[serde(rename = "import")]
    Import,
}

impl EventSource {
    pub const ALL: [EventSource; 6] = [
        EventSource::Person,
        EventSource::Claude,
        EventSource::Local,
        EventSource::ClaudeCached,
        EventSource::LocalCached,
        EventSource::Import,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventSource::Person => "person",
            EventSource::Claude => "claude",
            EventSource::Local => "local",
            EventSource::ClaudeCached => "claude-cached",
            EventSource::LocalCached => "local-cached",
            EventSource::Import => "import",
        }
    }

    /// The source a stored name stands for.
    pub fn named(name: &str) -> Option<EventSource> {
        EventSource::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// One row of `ticket_events`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    pub id: i64,
    pub ticket_id: i64,
    pub at: String,
    pub actor: String,
    pub field: EventField,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub source: EventSource,
}

/// Who produced a suggestion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Claude,
    Local,
}

impl Source {
    pub const ALL: [Source; 2] = [Source::Claude, Source::Local];

    pub fn as_str(self) -> &'static str {
        match self {
            Source::Claude => "claude",
            Source::Local => "local",
        }
    }

    /// How the history records a value this source suggested (`cached` when
    /// it came from memory).
    pub fn event_source(self, cached: bool) -> EventSource {
        match (self, cached) {
            (Source::Claude, false) => EventSource::Claude,
            (Source::Claude, true) => EventSource::ClaudeCached,
            (Source::Local, false) => EventSource::Local,
            (Source::Local, true) => EventSource::LocalCached,
        }
    }
}

/// What was suggested for a new ticket, whatever the agent then chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Suggested {
    pub source: Source,
    pub category: Category,
    pub priority: Priority,
}

/// Where the category and priority of a new ticket came from, and what was
/// suggested for it (kept or not), so the desk can count how often
/// suggestions are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origins {
    pub category: EventSource,
    pub priority: EventSource,
    pub suggested: Option<Suggested>,
}

impl Origins {
    pub const PERSON: Origins =
        Origins { category: EventSource::Person, priority: EventSource::Person, suggested: None };
}
