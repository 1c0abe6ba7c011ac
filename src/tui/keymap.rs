//! The key map: one table that both dispatches keys and writes the footer
//! and the help overlay, so what the screen says is what the keys do.
//!
//! [`BINDINGS`] and [`GLOBAL`] are the defaults, as data: a new action is a
//! line in [`actions!`] and a line in a table. The agent's config rebinds any
//! action by its name, per context ([`custom`]); the live map ([`KeyMap`])
//! is what the screen uses.

mod custom;
pub mod keys;

use std::borrow::Cow;

use crossterm::event::{KeyCode, KeyEvent};

pub use custom::KeyMapError;
use keys::{CTRL, Key, NONE, SHIFT, ch, ctrl};

/// Where the keys are going.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    List,
    Search,
    Form,
    /// The form's category or priority selector.
    Selector,
    Stats,
    Detail,
    /// Typing a note in the detail view.
    Note,
    Picker,
    /// Choosing a saved view.
    Views,
    /// Naming the query on screen, to save it as a view.
    ViewName,
    /// Choosing the status, category or priority to give the marked tickets.
    BulkChoice,
    /// Naming the account to give the marked tickets.
    AssignName,
    /// Agreeing to mark more than a few hundred tickets.
    ConfirmMarks,
    Help,
}

impl Context {
    pub fn title(self) -> &'static str {
        match self {
            Context::List => "Ticket list",
            Context::Search => "Search box",
            Context::Form => "New-ticket form",
            Context::Selector => "Category / priority selector",
            Context::Stats => "Stats",
            Context::Detail => "Ticket detail",
            Context::Note => "Note box",
            Context::Picker => "Status picker",
            Context::Views => "Views",
            Context::ViewName => "Naming a view",
            Context::BulkChoice => "Changing the marked tickets",
            Context::AssignName => "Assigning the marked tickets",
            Context::ConfirmMarks => "Marking many tickets",
            Context::Help => "Help",
        }
    }

    /// The context's table in the config: `[keys.list]`.
    pub fn name(self) -> &'static str {
        match self {
            Context::List => "list",
            Context::Search => "search",
            Context::Form => "form",
            Context::Selector => "selector",
            Context::Stats => "stats",
            Context::Detail => "detail",
            Context::Note => "note",
            Context::Picker => "picker",
            Context::Views => "views",
            Context::ViewName => "view_name",
            Context::BulkChoice => "bulk_choice",
            Context::AssignName => "assign_name",
            Context::ConfirmMarks => "confirm_marks",
            Context::Help => "help",
        }
    }

    /// Contexts in the order the help overlay lists them.
    pub const ALL: [Context; 14] = [
        Context::List,
        Context::Search,
        Context::Form,
        Context::Selector,
        Context::Detail,
        Context::Note,
        Context::Picker,
        Context::Views,
        Context::ViewName,
        Context::BulkChoice,
        Context::AssignName,
        Context::ConfirmMarks,
        Context::Stats,
        Context::Help,
    ];
}

/// Declares [`Action`] with each action's name in the config.
macro_rules! actions {
    ($($variant:ident = $name:literal,)+) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Action {
            $($variant,)+
        }

        impl Action {
            pub const ALL: &[Action] = &[$(Action::$variant,)+];

            /// The action's name in `[keys.*]` tables.
            pub fn name(self) -> &'static str {
                match self {
                    $(Action::$variant => $name,)+
                }
            }
        }
    };
}

actions! {
    Quit = "quit",
    Help = "help",
    NewTicket = "new_ticket",
    NextPane = "next_pane",
    PrevPane = "prev_pane",
    ShowForm = "show_form",
    ShowList = "show_list",
    ShowStats = "show_stats",
    Down = "move_down",
    Up = "move_up",
    PageDown = "page_down",
    PageUp = "page_up",
    Top = "move_top",
    Bottom = "move_bottom",
    Open = "open",
    PickStatus = "pick_status",
    Search = "search",
    CycleCategory = "cycle_category",
    CyclePriority = "cycle_priority",
    CycleStatus = "cycle_status",
    ClearFilters = "clear_filters",
    LoadSamples = "load_samples",
    LeaveSearch = "leave_search",
    ClearSearch = "clear_search",
    NextField = "next_field",
    PrevField = "prev_field",
    ChoiceNext = "next_choice",
    ChoicePrev = "prev_choice",
    Submit = "save_ticket",
    ClearForm = "clear_form",
    LeaveForm = "leave_form",
    Confirm = "confirm",
    Close = "close",
    Take = "take",
    ToggleMine = "toggle_mine",
    AddNote = "add_note",
    SaveNote = "save_note",
    NextView = "next_view",
    PrevView = "prev_view",
    PickView = "pick_view",
    SaveView = "save_view",
    ToggleMark = "toggle_mark",
    MarkAll = "mark_all",
    ClearMarks = "clear_marks",
    AssignTo = "assign_to",
    SetCategory = "set_category",
    SetPriority = "set_priority",
    OpenEditor = "open_editor",
    OpenDuplicate1 = "open_duplicate_1",
    OpenDuplicate2 = "open_duplicate_2",
    OpenDuplicate3 = "open_duplicate_3",
}

impl Action {
    /// For `open_duplicate_N`: which of the form's possible duplicates (0 is the first).
    pub fn duplicate_place(self) -> Option<usize> {
        match self {
            Action::OpenDuplicate1 => Some(0),
            Action::OpenDuplicate2 => Some(1),
            Action::OpenDuplicate3 => Some(2),
            _ => None,
        }
    }

    /// The action that opens the form's possible duplicate at `place`.
    pub fn open_duplicate(place: usize) -> Option<Action> {
        [Action::OpenDuplicate1, Action::OpenDuplicate2, Action::OpenDuplicate3].get(place).copied()
    }
}

/// A default binding.
pub struct Binding {
    pub context: Context,
    keys: &'static [Key],
    /// For a chord (`Ctrl-X Ctrl-E`): the second key, pressed after one of
    /// `keys`. Empty for a single key.
    then: &'static [Key],
    /// How the keys are written on screen.
    pub label: &'static str,
    pub action: Action,
    pub help: &'static str,
    /// Shown in the footer (the rest only in the help overlay).
    pub footer: bool,
    /// Shown at all: a binding whose keys another one's label already
    /// covers (`Ctrl-O 1-3`) is not listed twice.
    pub listed: bool,
}

macro_rules! bind {
    ($ctx:ident, [$($key:expr),+], $label:literal, $action:ident, $help:literal, $footer:literal) => {
        Binding {
            context: Context::$ctx,
            keys: &[$($key),+],
            then: &[],
            label: $label,
            action: Action::$action,
            help: $help,
            footer: $footer,
            listed: true,
        }
    };
}

/// A two-key chord, as bash and emacs have them: `first`, then `then`.
const fn chord(
    context: Context,
    first: &'static [Key],
    then: &'static [Key],
    label: &'static str,
    action: Action,
    help: &'static str,
    footer: bool,
) -> Binding {
    Binding { context, keys: first, then, label, action, help, footer, listed: true }
}

/// `Ctrl-O` then a digit opens the form's possible duplicates. Ctrl-O is no
/// editing key (the text area and the search box leave it alone) and, being
/// a control byte, reads the same in every terminal, unlike Alt-digit, which
/// some terminals turn into a character.
const OPEN_DUPLICATE: &[Key] = &[ctrl('o')];

/// `Ctrl-X Ctrl-E`, as in bash and zsh: `Ctrl-E` alone still moves to the end of the line.
const EDITOR: (&[Key], &[Key]) = (&[ctrl('x')], &[ctrl('e')]);

/// Every binding. Keys not found here go to the text being edited, if any.
pub static BINDINGS: &[Binding] = &[
    bind!(List, [ch('j'), Key(KeyCode::Down, NONE)], "j/↓", Down, "next ticket", false),
    bind!(List, [ch('k'), Key(KeyCode::Up, NONE)], "k/↑", Up, "previous ticket", false),
    bind!(List, [Key(KeyCode::PageDown, NONE)], "PgDn", PageDown, "page down", false),
    bind!(List, [Key(KeyCode::PageUp, NONE)], "PgUp", PageUp, "page up", false),
    bind!(List, [ch('g'), Key(KeyCode::Home, NONE)], "g", Top, "newest ticket", false),
    bind!(
        List,
        [ch('G'), Key(KeyCode::Char('G'), SHIFT), Key(KeyCode::End, NONE)],
        "G",
        Bottom,
        "oldest ticket",
        false
    ),
    bind!(List, [Key(KeyCode::Enter, NONE)], "Enter", Open, "open the ticket", true),
    bind!(List, [ch('n')], "n", NewTicket, "new ticket", true),
    bind!(List, [ch('s')], "s", PickStatus, "change status", true),
    bind!(List, [ch('/')], "/", Search, "search", true),
    bind!(List, [ch('c')], "c", CycleCategory, "filter by category", true),
    bind!(List, [ch('p')], "p", CyclePriority, "filter by priority", true),
    bind!(List, [ch('t')], "t", CycleStatus, "filter by status", true),
    bind!(List, [ch('x')], "x", ClearFilters, "clear filters and search", true),
    bind!(List, [ch('i')], "i", LoadSamples, "load the sample tickets", false),
    bind!(List, [ch('a')], "a", Take, "take the ticket (assign to me)", true),
    bind!(List, [ch('m')], "m", ToggleMine, "only my tickets", true),
    bind!(
        List,
        [ch(' ')],
        "Space",
        ToggleMark,
        "mark the ticket (s a A C P then change every marked one)",
        true
    ),
    bind!(
        List,
        [ch('V'), Key(KeyCode::Char('V'), SHIFT)],
        "V",
        MarkAll,
        "mark every ticket the list holds",
        false
    ),
    bind!(List, [Key(KeyCode::Esc, NONE)], "Esc", ClearMarks, "clear the marks", true),
    bind!(List, [ch('A'), Key(KeyCode::Char('A'), SHIFT)], "A", AssignTo, "assign to an agent…", false),
    bind!(List, [ch('C'), Key(KeyCode::Char('C'), SHIFT)], "C", SetCategory, "set the category…", false),
    bind!(List, [ch('P'), Key(KeyCode::Char('P'), SHIFT)], "P", SetPriority, "set the priority…", false),
    bind!(List, [ch(']')], "]", NextView, "next view", false),
    bind!(List, [ch('[')], "[", PrevView, "previous view", false),
    bind!(List, [ch('v')], "v", PickView, "pick a view", true),
    bind!(
        List,
        [ch('S'), Key(KeyCode::Char('S'), SHIFT)],
        "S",
        SaveView,
        "save what is shown as a view",
        false
    ),
    bind!(BulkChoice, [ch('j'), Key(KeyCode::Down, NONE)], "↓", Down, "next value", true),
    bind!(BulkChoice, [ch('k'), Key(KeyCode::Up, NONE)], "↑", Up, "previous value", true),
    bind!(BulkChoice, [Key(KeyCode::Enter, NONE)], "Enter", Confirm, "change them", true),
    bind!(BulkChoice, [Key(KeyCode::Esc, NONE)], "Esc", Close, "cancel", true),
    bind!(
        AssignName,
        [Key(KeyCode::Enter, NONE)],
        "Enter",
        Confirm,
        "assign them (me, none or a name)",
        true
    ),
    bind!(AssignName, [Key(KeyCode::Esc, NONE)], "Esc", Close, "cancel", true),
    bind!(ConfirmMarks, [ch('y'), Key(KeyCode::Enter, NONE)], "y", Confirm, "mark them all", true),
    bind!(ConfirmMarks, [ch('n'), Key(KeyCode::Esc, NONE)], "n", Close, "mark none", true),
    bind!(Views, [ch('j'), Key(KeyCode::Down, NONE)], "↓", Down, "next view", true),
    bind!(Views, [ch('k'), Key(KeyCode::Up, NONE)], "↑", Up, "previous view", true),
    bind!(Views, [Key(KeyCode::Enter, NONE)], "Enter", Confirm, "show this view", true),
    bind!(Views, [Key(KeyCode::Esc, NONE)], "Esc", Close, "cancel", true),
    bind!(ViewName, [Key(KeyCode::Enter, NONE)], "Enter", Confirm, "save the view", true),
    bind!(ViewName, [Key(KeyCode::Esc, NONE)], "Esc", Close, "cancel", true),
    bind!(
        Search,
        [Key(KeyCode::Enter, NONE), Key(KeyCode::Esc, NONE)],
        "Enter/Esc",
        LeaveSearch,
        "leave the box, keep the search",
        true
    ),
    bind!(Search, [Key(KeyCode::Char('u'), CTRL)], "Ctrl-U", ClearSearch, "clear the search", true),
    chord(
        Context::Form,
        OPEN_DUPLICATE,
        &[ch('1')],
        "Ctrl-O 1-3",
        Action::OpenDuplicate1,
        "open a possible duplicate",
        true,
    ),
    Binding {
        listed: false,
        ..chord(Context::Form, OPEN_DUPLICATE, &[ch('2')], "", Action::OpenDuplicate2, "", false)
    },
    Binding {
        listed: false,
        ..chord(Context::Form, OPEN_DUPLICATE, &[ch('3')], "", Action::OpenDuplicate3, "", false)
    },
    bind!(Form, [Key(KeyCode::Tab, NONE)], "Tab", NextField, "next field", true),
    bind!(
        Form,
        [Key(KeyCode::BackTab, SHIFT), Key(KeyCode::BackTab, NONE)],
        "Shift-Tab",
        PrevField,
        "previous field",
        false
    ),
    bind!(Form, [Key(KeyCode::Char('s'), CTRL)], "Ctrl-S", Submit, "save the ticket", true),
    chord(Context::Form, EDITOR.0, EDITOR.1, "Ctrl-X Ctrl-E", Action::OpenEditor, "edit in $EDITOR", true),
    bind!(Form, [Key(KeyCode::Char('l'), CTRL)], "Ctrl-L", ClearForm, "clear the form", true),
    bind!(Form, [Key(KeyCode::Esc, NONE)], "Esc", LeaveForm, "back to the list", true),
    bind!(Selector, [Key(KeyCode::Right, NONE), ch('l')], "→", ChoiceNext, "next value", true),
    bind!(Selector, [Key(KeyCode::Left, NONE), ch('h')], "←", ChoicePrev, "previous value", true),
    bind!(Detail, [ch('j'), Key(KeyCode::Down, NONE)], "j/↓", Down, "scroll down", false),
    bind!(Detail, [ch('k'), Key(KeyCode::Up, NONE)], "k/↑", Up, "scroll up", false),
    bind!(Detail, [Key(KeyCode::PageDown, NONE), ch(' ')], "PgDn", PageDown, "page down", false),
    bind!(Detail, [Key(KeyCode::PageUp, NONE)], "PgUp", PageUp, "page up", false),
    bind!(Detail, [ch('s')], "s", PickStatus, "change status", true),
    bind!(Detail, [ch('a')], "a", Take, "take the ticket", true),
    bind!(Detail, [ch('N'), Key(KeyCode::Char('N'), SHIFT)], "N", AddNote, "add an internal note", true),
    bind!(Note, [Key(KeyCode::Enter, NONE)], "Enter", SaveNote, "save the note", true),
    bind!(Note, [Key(KeyCode::Esc, NONE)], "Esc", Close, "drop the note", true),
    chord(
        Context::Note,
        EDITOR.0,
        EDITOR.1,
        "Ctrl-X Ctrl-E",
        Action::OpenEditor,
        "write it in $EDITOR",
        true,
    ),
    bind!(
        Detail,
        [Key(KeyCode::Esc, NONE), Key(KeyCode::Enter, NONE)],
        "Esc",
        Close,
        "back to the list",
        true
    ),
    bind!(Picker, [ch('j'), Key(KeyCode::Down, NONE)], "↓", Down, "next status", true),
    bind!(Picker, [ch('k'), Key(KeyCode::Up, NONE)], "↑", Up, "previous status", true),
    bind!(Picker, [Key(KeyCode::Enter, NONE)], "Enter", Confirm, "set this status", true),
    bind!(Picker, [Key(KeyCode::Esc, NONE)], "Esc", Close, "cancel", true),
    bind!(Stats, [ch('n')], "n", NewTicket, "new ticket", true),
    bind!(Help, [Key(KeyCode::Esc, NONE), ch('?'), ch('q')], "Esc", Close, "close help", true),
];

/// Keys that work wherever no text is being typed.
pub static GLOBAL: &[Binding] = &[
    bind!(List, [ch('?')], "?", Help, "help", true),
    bind!(List, [ch('q')], "q", Quit, "quit", true),
    bind!(List, [Key(KeyCode::Tab, NONE)], "Tab", NextPane, "next pane", false),
    bind!(
        List,
        [Key(KeyCode::BackTab, SHIFT), Key(KeyCode::BackTab, NONE)],
        "Shift-Tab",
        PrevPane,
        "previous pane",
        false
    ),
    bind!(List, [ch('1')], "1", ShowForm, "form", false),
    bind!(List, [ch('2')], "2", ShowList, "list", false),
    bind!(List, [ch('3')], "3", ShowStats, "stats", false),
];

/// Contexts in which letters are typed, not commands.
pub fn is_text_entry(context: Context) -> bool {
    matches!(
        context,
        Context::Search | Context::Form | Context::Note | Context::ViewName | Context::AssignName
    )
}

/// Where a binding applies: one context, or every context where no text is
/// typed and no overlay keeps its own keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Global,
    In(Context),
}

impl Scope {
    /// The scope's table in the config: `[keys.global]`, `[keys.list]`.
    pub fn name(self) -> &'static str {
        match self {
            Scope::Global => "global",
            Scope::In(context) => context.name(),
        }
    }
}

/// A binding in force: a default, or the agent's own keys for its action.
#[derive(Debug, Clone, PartialEq)]
pub struct Live {
    pub scope: Scope,
    pub action: Action,
    keys: Vec<Key>,
    /// For a chord: the second key (a rebound action is a single key).
    then: Vec<Key>,
    /// How the keys are written on screen.
    pub label: Cow<'static, str>,
    pub help: &'static str,
    /// Shown in the footer (the rest only in the help overlay).
    pub footer: bool,
    /// The keys come from the config, not the defaults.
    pub custom: bool,
    /// Shown at all (a chord's siblings share one label).
    pub listed: bool,
}

/// `Esc` while a chord waits: it only cancels the chord.
static CANCEL_CHORD: std::sync::LazyLock<Live> = std::sync::LazyLock::new(|| Live {
    scope: Scope::Global,
    action: Action::Close,
    keys: vec![keys::code(KeyCode::Esc)],
    then: Vec::new(),
    label: Cow::Borrowed("Esc"),
    help: "cancel",
    footer: true,
    custom: false,
    listed: true,
});

/// The key map in force: the defaults with the agent's own keys in place.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyMap {
    bindings: Vec<Live>,
}

impl Default for KeyMap {
    fn default() -> KeyMap {
        let live = |scope, b: &Binding| Live {
            scope,
            action: b.action,
            keys: b.keys.to_vec(),
            then: b.then.to_vec(),
            label: Cow::Borrowed(b.label),
            help: b.help,
            footer: b.footer,
            custom: false,
            listed: b.listed,
        };
        let own = BINDINGS.iter().map(|b| live(Scope::In(b.context), b));
        let global = GLOBAL.iter().map(|b| live(Scope::Global, b));
        KeyMap { bindings: own.chain(global).collect() }
    }
}

impl KeyMap {
    /// The bindings of one scope, in the tables' order.
    pub fn in_scope(&self, scope: Scope) -> impl Iterator<Item = &Live> {
        self.bindings.iter().filter(move |b| b.scope == scope)
    }

    /// Every binding that applies in `context`, in the order keys are looked
    /// up, each with whether the footer lists it. The one rule for both.
    fn applicable(&self, context: Context) -> impl Iterator<Item = (&Live, bool)> {
        let own = self.in_scope(Scope::In(context));
        // In a selector, the rest of the form's keys (Tab, Ctrl-S, Esc) apply too.
        let form = self.in_scope(Scope::In(Context::Form)).filter(move |_| context == Context::Selector);
        // Global keys never shadow typing, and overlays keep their own keys.
        let globals = !is_text_entry(context)
            && !matches!(
                context,
                Context::Help
                    | Context::Picker
                    | Context::Selector
                    | Context::Views
                    | Context::BulkChoice
                    | Context::ConfirmMarks
            );
        let global = self.in_scope(Scope::Global).filter(move |_| globals);
        let listed = own.chain(form).chain(global).map(|b| (b, b.footer));
        // A selector takes no letters, so `?` still opens help there; its
        // footer, full of the form's keys, does not list it.
        let help = self
            .in_scope(Scope::Global)
            .filter(move |b| context == Context::Selector && b.action == Action::Help);
        listed.chain(help.map(|b| (b, false)))
    }

    /// The action for a single key in a context, if any. Ctrl-C is handled before this.
    pub fn action(&self, context: Context, event: &KeyEvent) -> Option<Action> {
        self.applicable(context)
            .find(|(b, _)| b.then.is_empty() && b.keys.iter().any(|k| k.matches(event)))
            .map(|(b, _)| b.action)
    }

    /// Whether `event` begins a chord whose action is `offered` now: the key
    /// then waits for the next one.
    pub fn starts_chord(&self, context: Context, event: &KeyEvent, offered: impl Fn(Action) -> bool) -> bool {
        self.applicable(context)
            .any(|(b, _)| !b.then.is_empty() && offered(b.action) && b.keys.iter().any(|k| k.matches(event)))
    }

    /// The action of the chord `first`, `second`, if there is one.
    pub fn chord_action(&self, context: Context, first: &KeyEvent, second: &KeyEvent) -> Option<Action> {
        self.applicable(context)
            .find(|(b, _)| {
                b.keys.iter().any(|k| k.matches(first)) && b.then.iter().any(|k| k.matches(second))
            })
            .map(|(b, _)| b.action)
    }

    /// The footer's bindings for a context, those whose action is `offered` now.
    pub fn footer(&self, context: Context, offered: impl Fn(Action) -> bool) -> Vec<&Live> {
        self.applicable(context)
            .filter(|(b, footer)| *footer && b.listed && offered(b.action))
            .map(|(b, _)| b)
            .collect()
    }

    /// The footer while a chord waits for its second key: what it can
    /// finish as, and `Esc` to cancel it.
    pub fn chord_footer(&self, context: Context, first: &KeyEvent) -> Vec<&Live> {
        self.applicable(context)
            .filter(|(b, _)| b.listed && !b.then.is_empty() && b.keys.iter().any(|k| k.matches(first)))
            .map(|(b, _)| b)
            .chain(std::iter::once(&*CANCEL_CHORD))
            .collect()
    }

    /// How the keys for `action` in `context` are written ("n"), for views
    /// that name a key in their text.
    pub fn label(&self, context: Context, action: Action) -> Option<&str> {
        self.applicable(context).find(|(b, _)| b.action == action && b.listed).map(|(b, _)| b.label.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyModifiers;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn action(context: Context, event: &KeyEvent) -> Option<Action> {
        KeyMap::default().action(context, event)
    }

    #[test]
    fn letters_are_commands_in_the_list_and_text_in_the_form() {
        assert_eq!(action(Context::List, &key(KeyCode::Char('q'))), Some(Action::Quit));
        assert_eq!(action(Context::Form, &key(KeyCode::Char('q'))), None);
        assert_eq!(action(Context::Search, &key(KeyCode::Char('q'))), None);
        assert_eq!(action(Context::Detail, &key(KeyCode::Char('q'))), Some(Action::Quit));
    }

    #[test]
    fn form_keys_work_in_the_selectors() {
        let ctrl_s = KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL);
        assert_eq!(action(Context::Form, &ctrl_s), Some(Action::Submit));
        assert_eq!(action(Context::Selector, &ctrl_s), Some(Action::Submit));
        assert_eq!(action(Context::Selector, &key(KeyCode::Right)), Some(Action::ChoiceNext));
        assert_eq!(action(Context::Selector, &key(KeyCode::Tab)), Some(Action::NextField));
        assert_eq!(action(Context::Form, &key(KeyCode::Right)), None, "moves the text cursor");
    }

    #[test]
    fn shifted_capitals_match_either_way() {
        assert_eq!(action(Context::List, &key(KeyCode::Char('G'))), Some(Action::Bottom));
        let shifted = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(action(Context::List, &shifted), Some(Action::Bottom));
    }

    #[test]
    fn every_context_has_a_footer() {
        let keys = KeyMap::default();
        for context in Context::ALL {
            assert!(!keys.footer(context, |_| true).is_empty(), "{context:?}");
        }
    }

    #[test]
    fn ctrl_x_begins_the_editor_chord_and_ctrl_e_alone_is_no_command() {
        let keys = KeyMap::default();
        let ctrl = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL);
        for context in [Context::Form, Context::Note] {
            assert!(keys.starts_chord(context, &ctrl('x'), |_| true), "{context:?}");
            assert_eq!(keys.action(context, &ctrl('e')), None, "{context:?}: end of line, for the text");
            assert_eq!(keys.chord_action(context, &ctrl('x'), &ctrl('e')), Some(Action::OpenEditor));
            assert_eq!(keys.chord_action(context, &ctrl('x'), &key(KeyCode::Char('e'))), None);
        }
        assert!(
            !keys.starts_chord(Context::Form, &ctrl('x'), |a| a != Action::OpenEditor),
            "only when offered"
        );
        assert!(!keys.starts_chord(Context::List, &ctrl('x'), |_| true));
    }

    #[test]
    fn ctrl_o_then_a_digit_opens_that_duplicate_and_lists_once() {
        let keys = KeyMap::default();
        let ctrl_o = KeyEvent::new(KeyCode::Char('o'), KeyModifiers::CONTROL);
        for (digit, place) in [('1', 0), ('2', 1), ('3', 2)] {
            let action = keys.chord_action(Context::Selector, &ctrl_o, &key(KeyCode::Char(digit)));
            assert_eq!(action.and_then(Action::duplicate_place), Some(place));
        }
        assert_eq!(keys.chord_action(Context::Form, &ctrl_o, &key(KeyCode::Char('4'))), None);
        let listed = keys.footer(Context::Form, |_| true);
        assert_eq!(listed.iter().filter(|b| b.label.starts_with("Ctrl-O")).count(), 1);
        let hidden = keys.footer(Context::Form, |a| a.duplicate_place().is_none());
        assert!(hidden.iter().all(|b| !b.label.starts_with("Ctrl-O")));
    }

    /// No key the text fields edit with is taken by a command: the text
    /// area's own keys (ratatui-textarea's defaults) reach it in the form.
    /// The one exception is asked for: Ctrl-X (the text area's cut, with
    /// nothing selected a no-op) begins `Ctrl-X Ctrl-E` in the description.
    #[test]
    fn commands_in_the_text_fields_leave_the_editing_keys_alone() {
        let keys = KeyMap::default();
        let ctrl = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL);
        let alt = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::ALT);
        let editing = ["a", "b", "e", "f", "n", "p", "h", "d", "k", "j", "w", "u", "r", "y", "c", "v", "m"]
            .map(|c| ctrl(c.chars().next().unwrap()));
        for event in editing.iter().chain([alt('f'), alt('b'), alt('v'), alt('d')].iter()) {
            for context in [Context::Form, Context::Note] {
                assert_eq!(keys.action(context, event), None, "{context:?} {event:?}");
                assert!(!keys.starts_chord(context, event, |_| true), "{context:?} {event:?}");
            }
        }
    }

    #[test]
    fn action_names_are_snake_case_and_unique() {
        let mut names: Vec<&str> = Action::ALL.iter().map(|a| a.name()).collect();
        for name in &names {
            assert!(
                name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                "{name}"
            );
        }
        names.sort_unstable();
        let count = names.len();
        names.dedup();
        assert_eq!(names.len(), count, "two actions share a name");
    }
}
