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
use keys::{CTRL, Key, NONE, SHIFT, ch};

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
            Context::Help => "help",
        }
    }

    /// Contexts in the order the help overlay lists them.
    pub const ALL: [Context; 9] = [
        Context::List,
        Context::Search,
        Context::Form,
        Context::Selector,
        Context::Detail,
        Context::Note,
        Context::Picker,
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
}

/// A default binding.
pub struct Binding {
    pub context: Context,
    keys: &'static [Key],
    /// How the keys are written on screen.
    pub label: &'static str,
    pub action: Action,
    pub help: &'static str,
    /// Shown in the footer (the rest only in the help overlay).
    pub footer: bool,
}

macro_rules! bind {
    ($ctx:ident, [$($key:expr),+], $label:literal, $action:ident, $help:literal, $footer:literal) => {
        Binding { context: Context::$ctx, keys: &[$($key),+], label: $label, action: Action::$action, help: $help, footer: $footer }
    };
}

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
        Search,
        [Key(KeyCode::Enter, NONE), Key(KeyCode::Esc, NONE)],
        "Enter/Esc",
        LeaveSearch,
        "leave the box, keep the search",
        true
    ),
    bind!(Search, [Key(KeyCode::Char('u'), CTRL)], "Ctrl-U", ClearSearch, "clear the search", true),
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
    bind!(Form, [Key(KeyCode::Char('l'), CTRL)], "Ctrl-L", ClearForm, "clear the form", true),
    bind!(Form, [Key(KeyCode::Esc, NONE)], "Esc", LeaveForm, "back to the list (keeps the draft)", true),
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
    matches!(context, Context::Search | Context::Form | Context::Note)
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
    /// How the keys are written on screen.
    pub label: Cow<'static, str>,
    pub help: &'static str,
    /// Shown in the footer (the rest only in the help overlay).
    pub footer: bool,
    /// The keys come from the config, not the defaults.
    pub custom: bool,
}

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
            label: Cow::Borrowed(b.label),
            help: b.help,
            footer: b.footer,
            custom: false,
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
            && !matches!(context, Context::Help | Context::Picker | Context::Selector);
        let global = self.in_scope(Scope::Global).filter(move |_| globals);
        let listed = own.chain(form).chain(global).map(|b| (b, b.footer));
        // A selector takes no letters, so `?` still opens help there; its
        // footer, full of the form's keys, does not list it.
        let help = self
            .in_scope(Scope::Global)
            .filter(move |b| context == Context::Selector && b.action == Action::Help);
        listed.chain(help.map(|b| (b, false)))
    }

    /// The action for a key in a context, if any. Ctrl-C is handled before this.
    pub fn action(&self, context: Context, event: &KeyEvent) -> Option<Action> {
        self.applicable(context).find(|(b, _)| b.keys.iter().any(|k| k.matches(event))).map(|(b, _)| b.action)
    }

    /// The footer's bindings for a context.
    pub fn footer(&self, context: Context) -> Vec<&Live> {
        self.applicable(context).filter(|(_, listed)| *listed).map(|(b, _)| b).collect()
    }

    /// How the keys for `action` in `context` are written ("n"), for views
    /// that name a key in their text.
    pub fn label(&self, context: Context, action: Action) -> Option<&str> {
        self.applicable(context).find(|(b, _)| b.action == action).map(|(b, _)| b.label.as_ref())
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
            assert!(!keys.footer(context).is_empty(), "{context:?}");
        }
    }

    #[test]
    fn action_names_are_snake_case_and_unique() {
        let mut names: Vec<&str> = Action::ALL.iter().map(|a| a.name()).collect();
        for name in &names {
            assert!(name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "{name}");
        }
        names.sort_unstable();
        let count = names.len();
        names.dedup();
        assert_eq!(names.len(), count, "two actions share a name");
    }
}
