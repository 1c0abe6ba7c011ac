//! Everything the screen shows, as plain data. Views read it; only `update`
//! changes it.

use ratatui_textarea::{TextArea, WrapMode};
use time::OffsetDateTime;

use crate::classify::chain::Health;
use crate::classify::{Confidence, Source, Suggestion};
use crate::domain::{Assigned, Category, Event, Filter, Priority, SearchQuery, Stats, Status, Ticket};

/// The three panes. In the narrow layout each is a tab.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Form,
    List,
    Stats,
}

impl Pane {
    pub const ALL: [Pane; 3] = [Pane::Form, Pane::List, Pane::Stats];

    pub fn title(self) -> &'static str {
        match self {
            Pane::Form => "New ticket",
            Pane::List => "Tickets",
            Pane::Stats => "Stats",
        }
    }
}

/// What sits on top of the panes and takes the keys.
#[derive(Debug, Clone, PartialEq)]
pub enum Overlay {
    Help,
    Detail(Detail),
    StatusPicker(StatusPicker),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Detail {
    pub ticket: Ticket,
    pub scroll: u16,
    /// Who changed what, and the notes, oldest first.
    pub history: Loading<Vec<Event>>,
    /// A note being typed (`N`), if any. It stays until the note is saved,
    /// so a refused note is still there to send again.
    pub note: Option<String>,
    /// The note was sent and its answer has not come back yet.
    pub note_sending: bool,
}

impl Detail {
    pub fn new(ticket: Ticket) -> Detail {
        Detail { ticket, scroll: 0, history: Loading::Loading, note: None, note_sending: false }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct StatusPicker {
    pub ticket: Ticket,
    pub choice: usize,
}

/// Something being loaded in the background.
#[derive(Debug, Clone, PartialEq)]
pub enum Loading<T> {
    Idle,
    Loading,
    Ready(T),
    Failed(String),
}

/// The stats pane's data.
#[derive(Debug, Clone, PartialEq)]
pub struct StatsView {
    pub stats: Stats,
    /// Tickets created per day, oldest first, the last 30 days through today.
    pub per_day: Vec<u64>,
}

/// Which end of the filtered list a window of rows touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Ends {
    pub newest: bool,
    pub oldest: bool,
}

/// The ticket list: filters, the search box, and the window of rows loaded.
/// Only a window is ever held: a million tickets never come into memory.
#[derive(Debug, Clone, PartialEq)]
pub struct ListView {
    pub category: Option<Category>,
    pub priority: Option<Priority>,
    pub status: Option<Status>,
    pub search: String,
    /// Keys go to the search box.
    pub searching: bool,
    /// Only tickets assigned to `me`.
    pub mine: bool,
    /// The OS account at the keyboard.
    pub me: String,
    pub rows: Vec<Ticket>,
    pub selected: usize,
    /// The first row on screen.
    pub top: usize,
    pub ends: Ends,
    /// Generation of the newest list query sent; older replies are dropped.
    pub generation: u64,
    pub loading: bool,
    /// The query in flight re-reads the rows on screen (another agent
    /// changed something): its rows replace the window, keeping the place.
    pub refreshing: bool,
    /// Where on screen the selected ticket should stay after a reload.
    pub keep_offset: Option<usize>,
    pub error: Option<String>,
    /// How many rows the pane shows (from the last draw's size).
    pub height: usize,
}

impl Default for ListView {
    fn default() -> Self {
        ListView {
            category: None,
            priority: None,
            status: None,
            search: String::new(),
            searching: false,
            mine: false,
            me: String::new(),
            rows: Vec::new(),
            selected: 0,
            top: 0,
            ends: Ends { newest: true, oldest: true },
            generation: 0,
            loading: true,
            refreshing: false,
            keep_offset: None,
            error: None,
            height: 20,
        }
    }
}

impl ListView {
    pub fn filter(&self) -> Filter {
        Filter {
            category: self.category,
            priority: self.priority,
            status: self.status,
            assigned: self.mine.then(|| Assigned::To(self.me.clone())),
            search: SearchQuery::parse(&self.search),
        }
    }

    pub fn selected_ticket(&self) -> Option<&Ticket> {
        self.rows.get(self.selected)
    }

    pub fn has_filters(&self) -> bool {
        self.category.is_some()
            || self.priority.is_some()
            || self.status.is_some()
            || !self.search.trim().is_empty()
    }
}

/// The form's fields, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Title,
    Description,
    Category,
    Priority,
}

impl Field {
    pub const ORDER: [Field; 4] = [Field::Title, Field::Description, Field::Category, Field::Priority];
}

/// Where a selector's value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Unset,
    Suggested { source: Source, confidence: Confidence, cached: bool },
    Manual,
}

/// A category or priority selector. Once set by hand, suggestions only hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice<T> {
    pub value: Option<T>,
    pub origin: Origin,
    /// A later suggestion that differs from a hand-set value.
    pub hint: Option<T>,
}

impl<T: Copy + PartialEq> Choice<T> {
    pub fn unset() -> Self {
        Choice { value: None, origin: Origin::Unset, hint: None }
    }

    /// Takes a suggestion unless the agent chose by hand.
    pub fn suggest(&mut self, value: T, source: Source, confidence: Confidence, cached: bool) {
        if self.origin == Origin::Manual {
            self.hint = (self.value != Some(value)).then_some(value);
        } else {
            self.value = Some(value);
            self.origin = Origin::Suggested { source, confidence, cached };
            self.hint = None;
        }
    }

    /// Steps through `all` (wrapping), as a hand choice.
    pub fn step(&mut self, all: &[T], forward: bool) {
        let next = match self.value.and_then(|v| all.iter().position(|x| *x == v)) {
            None if forward => 0,
            None => all.len() - 1,
            Some(i) if forward => (i + 1) % all.len(),
            Some(i) => (i + all.len() - 1) % all.len(),
        };
        self.value = Some(all[next]);
        self.origin = Origin::Manual;
        self.hint = None;
    }
}

/// What the classifier is doing for the form.
#[derive(Debug, Clone, PartialEq)]
pub enum Suggesting {
    Idle,
    /// Edits are waiting out the debounce or a request is in flight.
    Thinking,
    Done(Suggestion),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormErrors {
    pub title: Option<String>,
    pub description: Option<String>,
    pub category: Option<String>,
    pub priority: Option<String>,
}

impl FormErrors {
    pub fn any(&self) -> bool {
        self.title.is_some()
            || self.description.is_some()
            || self.category.is_some()
            || self.priority.is_some()
    }
}

#[derive(Debug, Clone)]
pub struct Form {
    pub title: TextArea<'static>,
    pub description: TextArea<'static>,
    pub category: Choice<Category>,
    pub priority: Choice<Priority>,
    pub field: Field,
    pub errors: FormErrors,
    /// Bumped on every description edit; a suggestion for an older one is dropped.
    pub generation: u64,
    pub suggesting: Suggesting,
    pub saving: bool,
}

impl PartialEq for Form {
    fn eq(&self, other: &Self) -> bool {
        self.title.lines() == other.title.lines()
            && self.description.lines() == other.description.lines()
            && self.category == other.category
            && self.priority == other.priority
            && self.field == other.field
            && self.errors == other.errors
            && self.generation == other.generation
            && self.suggesting == other.suggesting
            && self.saving == other.saving
    }
}

fn editor(placeholder: &str) -> TextArea<'static> {
    let mut area = TextArea::default();
    area.set_placeholder_text(placeholder);
    area.set_cursor_line_style(ratatui::style::Style::default());
    area
}

impl Default for Form {
    fn default() -> Self {
        let mut description = editor("What happened? Suggestions appear as you type.");
        description.set_wrap_mode(WrapMode::Word);
        Form {
            title: editor("A short summary"),
            description,
            category: Choice::unset(),
            priority: Choice::unset(),
            field: Field::Title,
            errors: FormErrors::default(),
            generation: 0,
            suggesting: Suggesting::Idle,
            saving: false,
        }
    }
}

impl Form {
    pub fn title_text(&self) -> String {
        self.title.lines().join(" ")
    }

    pub fn description_text(&self) -> String {
        self.description.lines().join("\n")
    }

    pub fn is_blank(&self) -> bool {
        self.title.is_empty() && self.description.is_empty()
    }
}

/// The classifier's state for the status line, as the chain reports it; the
/// status line words it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClassifierStatus {
    /// Suggestions are switched off.
    Off,
    /// Suggestions are on (local ones while the chain starts).
    On(Health),
}

/// A one-line message in the status bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub text: String,
    pub error: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub db_label: String,
    pub width: u16,
    pub height: u16,
    pub focus: Pane,
    pub overlay: Option<Overlay>,
    pub list: ListView,
    pub form: Form,
    pub stats: Loading<StatsView>,
    pub classifier: ClassifierStatus,
    pub notice: Option<Notice>,
    pub now: OffsetDateTime,
    pub color: bool,
    /// A change is waiting for another process's write lock (an import, say).
    pub busy: bool,
    /// Why this screen stopped writing (see [`Msg::DeskLost`](super::msg::Msg)).
    pub desk_lost: Option<String>,
    pub quitting: bool,
    /// Why the app is ending on an error (reported after the terminal is restored).
    pub failure: Option<String>,
}

/// At this size and above all three panes show at once.
pub const WIDE: (u16, u16) = (100, 30);

impl Model {
    pub fn new(db_label: String, now: OffsetDateTime, color: bool) -> Model {
        Model {
            db_label,
            width: 120,
            height: 35,
            focus: Pane::List,
            overlay: None,
            list: ListView::default(),
            form: Form::default(),
            stats: Loading::Loading,
            classifier: ClassifierStatus::On(Health::Local),
            notice: None,
            now,
            color,
            busy: false,
            desk_lost: None,
            quitting: false,
            failure: None,
        }
    }

    pub fn wide(&self) -> bool {
        self.width >= WIDE.0 && self.height >= WIDE.1
    }
}
