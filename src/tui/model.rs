//! Everything the screen shows, as plain data. Views read it; only `update`
//! changes it.

use crossterm::event::KeyEvent;
use ratatui_textarea::{TextArea, WrapMode};
use std::collections::VecDeque;
use std::fmt;
use std::sync::Arc;
use time::OffsetDateTime;

use super::keymap::{Action, Context, KeyMap};
use super::msg::ChangeRefused;
use super::ui::theme::Palette;
use crate::classify::chain::Health;
use crate::classify::{Confidence, Source};
use crate::config::views::View;
use crate::domain::filter::OneOf;
use crate::domain::query::QueryError;
use crate::domain::{Assigned, Category, Event, Filter, Page, Priority, Stats, Status, Suggested, Ticket};
use crate::store::StoreError;

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
    Views(ViewPicker),
    Bulk(BulkPrompt),
}

/// What a change to the marked tickets (or the selected one) is waiting for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BulkPrompt {
    /// Which status, category or priority (an index into its `ALL`).
    Choose { field: BulkField, choice: usize, targets: Vec<(i64, i64)> },
    /// Which account: a name, `me` or `none`.
    AssignTo { name: String, refused: Option<String>, targets: Vec<(i64, i64)> },
    /// Marking this many tickets needs a yes.
    ConfirmMarks { targets: Vec<(i64, i64)> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkField {
    Status,
    Category,
    Priority,
}

/// The views overlay: choosing a view, or naming the query on screen to save it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ViewPicker {
    Choosing { selected: usize },
    Naming { name: String, refused: Option<String> },
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
    Failed(Failure),
}

/// An error on its way to the screen. It stays the error it is (shared, so
/// messages stay cheap to clone) until a view words it; nothing before the
/// view turns it into text.
#[derive(Clone)]
pub struct Failure(Arc<dyn std::error::Error + Send + Sync>);

impl Failure {
    pub fn new(error: impl std::error::Error + Send + Sync + 'static) -> Failure {
        Failure(Arc::new(error))
    }
}

impl From<StoreError> for Failure {
    fn from(error: StoreError) -> Failure {
        Failure::new(error)
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Debug for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The same failure, not one that reads the same: a store error's words can
/// depend on the clock ("changed 20 s ago").
impl PartialEq for Failure {
    fn eq(&self, other: &Failure) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// The stats pane's data.
/// The database threads that lost the server and are opening a new session
/// (see [`Msg::ServerLost`](super::msg::Msg)).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Unreachable {
    pub reader: bool,
    pub writer: bool,
}

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
    /// The search box's text, in the query language.
    pub search: String,
    /// What the search box's text last meant (the last good reading: the list
    /// keeps it while the agent fixes a mistake).
    pub query: Filter,
    /// Why the text in the search box cannot be read, and where.
    pub query_error: Option<QueryError>,
    /// Marked tickets, each with the version it had when marked: a change to
    /// them all is checked against what the agent saw.
    pub marks: std::collections::BTreeMap<i64, i64>,
    /// Saved views (tabs over the list), and the one in use.
    pub views: Vec<View>,
    pub view: Option<usize>,
    /// What the view in use means: the base the search and filter keys narrow.
    pub view_query: Filter,
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
    /// The newest query: in flight, answered, or failed.
    pub fetch: Fetch,
    /// A query that replaces the rows and moves the selection (a new search
    /// or filter, a jump to either end) is on its way: the rows held are not
    /// what the agent asked for, so keys that act on them wait for it.
    pub settling: Option<Settling>,
    /// How many rows the pane shows (from the screen's size).
    pub height: usize,
}

/// Where the list's newest query is. The rows held stay on screen meanwhile.
#[derive(Debug, Clone, PartialEq)]
pub enum Fetch {
    /// In flight; its answer joins the rows held as said.
    Loading(Join),
    Done,
    /// Refused; the rows held are the last good ones.
    Failed(Failure),
}

/// The query the rows are settling on: asked again, as it is, when another
/// agent's change arrives before its answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Settling {
    pub page: Page,
    pub reselect: Option<i64>,
}

/// How the answer to a list query joins the rows held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Join {
    /// By its page: a new list, or rows added at one end of the window.
    Page,
    /// A fresh list from the newest ticket, the selection kept `offset` rows
    /// below the top of the pane (another agent changed something).
    KeepPlace { offset: usize },
    /// The rows on screen read again, replacing the window in place.
    Replace { offset: usize },
}

impl Default for ListView {
    fn default() -> Self {
        ListView {
            category: None,
            priority: None,
            status: None,
            search: String::new(),
            query: Filter::default(),
            query_error: None,
            marks: std::collections::BTreeMap::new(),
            views: Vec::new(),
            view: None,
            view_query: Filter::default(),
            searching: false,
            mine: false,
            me: String::new(),
            rows: Vec::new(),
            selected: 0,
            top: 0,
            ends: Ends { newest: true, oldest: true },
            generation: 0,
            fetch: Fetch::Loading(Join::Page),
            settling: None,
            height: 20,
        }
    }
}

impl ListView {
    /// The search box's query and the filter keys' choices, together.
    pub fn filter(&self) -> Filter {
        let picked = Filter {
            categories: OneOf::only(self.category),
            priorities: OneOf::only(self.priority),
            statuses: OneOf::only(self.status),
            assigned: if self.mine { vec![Assigned::To(self.me.clone())] } else { vec![] },
            ..Filter::default()
        };
        self.view_query.clone().and(self.query.clone()).and(picked)
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

    pub fn loading(&self) -> bool {
        matches!(self.fetch, Fetch::Loading(_))
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

/// What the classifier is doing for the form. The suggestion itself lives
/// in the selectors it filled ([`Origin::Suggested`]); only its reason is kept
/// here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Suggesting {
    Idle,
    /// The description changed: waiting for the typing to pause.
    Pausing,
    /// The text was sent; the answer has not come back.
    Thinking,
    /// The latest answer, and why the classifier chose it.
    Done {
        reason: String,
    },
}

impl Suggesting {
    /// Whether a suggestion for the text on screen is still to come.
    pub fn is_thinking(&self) -> bool {
        matches!(self, Suggesting::Pausing | Suggesting::Thinking)
    }
}

/// What keeps each field from being saved, if anything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormErrors {
    pub title: Option<FieldError>,
    pub description: Option<FieldError>,
    pub category: Option<FieldError>,
    pub priority: Option<FieldError>,
}

/// Why a field cannot be saved; the form words it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldError {
    /// The text breaks one of the ticket's rules (the rule, as the domain says it).
    Invalid(String),
    /// A selector was left unset.
    Unset,
}

impl FormErrors {
    pub fn get(&self, field: Field) -> Option<&FieldError> {
        match field {
            Field::Title => self.title.as_ref(),
            Field::Description => self.description.as_ref(),
            Field::Category => self.category.as_ref(),
            Field::Priority => self.priority.as_ref(),
        }
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
    /// Bumped on every description edit; a pause or a suggestion for an
    /// older one is dropped.
    pub generation: u64,
    pub suggesting: Suggesting,
    /// The latest suggestion offered for this text, whatever the selectors
    /// now hold: saved with the ticket so the desk can count how often
    /// suggestions are kept.
    pub offered: Option<Suggested>,
    /// Open or recent tickets that resemble the draft, closest first (at
    /// most [`DUPLICATES_SHOWN`]), found at the latest pause.
    pub duplicates: Vec<Ticket>,
    pub saving: bool,
}

/// How many possible duplicates the form lists (`Ctrl-O 1` to `3`).
pub const DUPLICATES_SHOWN: usize = 3;

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
            && self.offered == other.offered
            && self.duplicates == other.duplicates
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
        Form {
            title: editor("A short summary"),
            description: description_editor(),
            category: Choice::unset(),
            priority: Choice::unset(),
            field: Field::Title,
            errors: FormErrors::default(),
            generation: 0,
            suggesting: Suggesting::Idle,
            offered: None,
            duplicates: Vec::new(),
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

    /// Puts `text` in the description in place of what was there, the
    /// cursor at its end.
    pub fn replace_description(&mut self, text: &str) {
        self.description = description_editor();
        self.description.insert_str(text);
    }
}

fn description_editor() -> TextArea<'static> {
    let mut description = editor("What happened? Suggestions appear as you type.");
    description.set_wrap_mode(WrapMode::Word);
    description
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

/// The one-line message at the end of the status line: what happened, as
/// data. The status line words it.
#[derive(Debug, Clone, PartialEq)]
pub enum Notice {
    /// A ticket left half-typed by an earlier session is back in the form.
    DraftBack {
        saved_at: String,
    },
    Saved {
        id: i64,
    },
    NoteAdded {
        id: i64,
    },
    /// A status or assignee change went through.
    Changed {
        id: i64,
        status: Status,
        yours: bool,
    },
    AlreadyYours {
        id: i64,
    },
    /// This screen's changes no longer reach the desk (see [`Msg::DeskLost`](super::msg::Msg)).
    DeskLost(Failure),
    /// The form's ticket, or a change held because the desk is lost.
    NotSaved(Failure),
    NoteNotSaved(Failure),
    NotChanged(ChangeRefused),
    /// The query on screen is now a view of the agent's own.
    ViewSaved(String),
    Marked {
        count: usize,
    },
    /// More tickets than one change may touch.
    TooManyToMark {
        max: usize,
    },
    /// A change to many tickets went through; `skipped` were changed by
    /// someone else meanwhile and left alone.
    BulkChanged {
        changed: usize,
        already: usize,
        skipped: Vec<crate::store::Skipped>,
    },
    BulkNotChanged(Failure),
    /// The agent's editor failed or left no text: the screen's text is as it was.
    EditorLeftNothing,
    /// The agent's editor could not be run.
    EditorFailed(Failure),
    /// The sample tickets are on their way in.
    ImportingSamples,
    SamplesImported {
        count: u64,
    },
    SamplesNotImported(Failure),
}

impl Notice {
    pub fn is_error(&self) -> bool {
        matches!(
            self,
            Notice::DeskLost(_)
                | Notice::NotSaved(_)
                | Notice::NoteNotSaved(_)
                | Notice::NotChanged(_)
                | Notice::EditorFailed(_)
                | Notice::TooManyToMark { .. }
                | Notice::BulkNotChanged(_)
                | Notice::SamplesNotImported(_)
        ) || matches!(self, Notice::BulkChanged { skipped, .. } if !skipped.is_empty())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub db_label: String,
    pub focus: Pane,
    pub overlay: Option<Overlay>,
    pub list: ListView,
    pub form: Form,
    pub stats: Loading<StatsView>,
    pub classifier: ClassifierStatus,
    pub notice: Option<Notice>,
    pub now: OffsetDateTime,
    pub color: bool,
    /// The colours to draw in, when there is colour.
    pub palette: Palette,
    /// The keys in force: the defaults with the agent's own in place.
    pub keys: Arc<KeyMap>,
    /// A change is waiting for another process's write lock (an import, say).
    pub busy: bool,
    /// Why this screen stopped writing (see [`Msg::DeskLost`](super::msg::Msg)).
    pub desk_lost: Option<Failure>,
    /// Which database threads wait for a server desk's server to come back.
    pub unreachable: Unreachable,
    pub quitting: bool,
    /// Why the app is ending on an error (reported after the terminal is restored).
    pub failure: Option<String>,
    /// The first key of a chord (`Ctrl-X` of `Ctrl-X Ctrl-E`), waiting for the second.
    pub pending_chord: Option<KeyEvent>,
    /// Keys typed ahead of the list's rows, in order (see `update::typeahead`).
    pub held_keys: VecDeque<KeyEvent>,
}

impl Model {
    pub fn new(db_label: String, now: OffsetDateTime, color: bool) -> Model {
        Model {
            db_label,
            focus: Pane::List,
            overlay: None,
            list: ListView::default(),
            form: Form::default(),
            stats: Loading::Loading,
            classifier: ClassifierStatus::On(Health::Local),
            notice: None,
            now,
            color,
            palette: Palette::default(),
            keys: Arc::default(),
            busy: false,
            desk_lost: None,
            unreachable: Unreachable::default(),
            quitting: false,
            failure: None,
            pending_chord: None,
            held_keys: VecDeque::new(),
        }
    }

    /// Whether an action has something to act on now: a duplicate at that
    /// place, a text the editor can take. The footer lists only these, and
    /// a chord begins only for these.
    pub fn offers(&self, action: Action) -> bool {
        match action {
            Action::OpenDuplicate1 | Action::OpenDuplicate2 | Action::OpenDuplicate3 => {
                action.duplicate_place().is_some_and(|place| place < self.form.duplicates.len())
            }
            Action::ClearMarks => !self.list.marks.is_empty(),
            Action::OpenEditor => match self.context() {
                Context::Note => true,
                Context::Form => self.form.field == Field::Description,
                _ => false,
            },
            _ => true,
        }
    }

    /// Which keys apply now: the overlay on top, else the focused pane.
    pub fn context(&self) -> Context {
        match &self.overlay {
            Some(Overlay::Help) => return Context::Help,
            Some(Overlay::Detail(detail)) if detail.note.is_some() => return Context::Note,
            Some(Overlay::Detail(_)) => return Context::Detail,
            Some(Overlay::StatusPicker(_)) => return Context::Picker,
            Some(Overlay::Views(ViewPicker::Choosing { .. })) => return Context::Views,
            Some(Overlay::Views(ViewPicker::Naming { .. })) => return Context::ViewName,
            Some(Overlay::Bulk(BulkPrompt::Choose { .. })) => return Context::BulkChoice,
            Some(Overlay::Bulk(BulkPrompt::AssignTo { .. })) => return Context::AssignName,
            Some(Overlay::Bulk(BulkPrompt::ConfirmMarks { .. })) => return Context::ConfirmMarks,
            None => {}
        }
        match self.focus {
            Pane::Form if matches!(self.form.field, Field::Category | Field::Priority) => Context::Selector,
            Pane::Form => Context::Form,
            Pane::List if self.list.searching => Context::Search,
            Pane::List => Context::List,
            Pane::Stats => Context::Stats,
        }
    }
}
