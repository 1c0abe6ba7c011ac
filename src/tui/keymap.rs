//! The key map: one table that both dispatches keys and writes the footer
//! and the help overlay, so what the screen says is what the keys do.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

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
            Context::Help => "Help",
        }
    }

    /// Contexts in the order the help overlay lists them.
    pub const ALL: [Context; 11] = [
        Context::List,
        Context::Search,
        Context::Form,
        Context::Selector,
        Context::Detail,
        Context::Note,
        Context::Picker,
        Context::Views,
        Context::ViewName,
        Context::Stats,
        Context::Help,
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Quit,
    Help,
    NewTicket,
    NextPane,
    PrevPane,
    ShowForm,
    ShowList,
    ShowStats,
    Down,
    Up,
    PageDown,
    PageUp,
    Top,
    Bottom,
    Open,
    PickStatus,
    Search,
    CycleCategory,
    CyclePriority,
    CycleStatus,
    ClearFilters,
    LeaveSearch,
    ClearSearch,
    NextField,
    PrevField,
    ChoiceNext,
    ChoicePrev,
    Submit,
    ClearForm,
    LeaveForm,
    Confirm,
    Close,
    Take,
    ToggleMine,
    AddNote,
    SaveNote,
    NextView,
    PrevView,
    PickView,
    SaveView,
}

/// A key pattern: a code and the modifiers that must be held.
#[derive(Debug, Clone, Copy)]
struct Key(KeyCode, KeyModifiers);

const NONE: KeyModifiers = KeyModifiers::NONE;
const CTRL: KeyModifiers = KeyModifiers::CONTROL;
const SHIFT: KeyModifiers = KeyModifiers::SHIFT;

const fn ch(c: char) -> Key {
    Key(KeyCode::Char(c), NONE)
}

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
    bind!(List, [ch('a')], "a", Take, "take the ticket (assign to me)", true),
    bind!(List, [ch('m')], "m", ToggleMine, "only my tickets", true),
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
    matches!(context, Context::Search | Context::Form | Context::Note | Context::ViewName)
}

fn matches(key: &Key, event: &KeyEvent) -> bool {
    let wanted = key.1;
    let held = event.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
    match (key.0, event.code) {
        // Terminals differ on whether an upper-case letter also reports SHIFT.
        (KeyCode::Char(a), KeyCode::Char(b)) if wanted == NONE => {
            a == b && !held.intersects(CTRL | KeyModifiers::ALT)
        }
        (a, b) => a == b && held == wanted,
    }
}

/// Every binding that applies in `context`, in the order keys are looked up,
/// each with whether the footer lists it. The one rule for both.
fn applicable(context: Context) -> impl Iterator<Item = (&'static Binding, bool)> {
    let own = BINDINGS.iter().filter(move |b| b.context == context);
    // In a selector, the rest of the form's keys (Tab, Ctrl-S, Esc) apply too.
    let form = BINDINGS.iter().filter(move |b| context == Context::Selector && b.context == Context::Form);
    // Global keys never shadow typing, and overlays keep their own keys.
    let globals = !is_text_entry(context)
        && !matches!(context, Context::Help | Context::Picker | Context::Selector | Context::Views);
    let global = GLOBAL.iter().filter(move |_| globals);
    let listed = own.chain(form).chain(global).map(|b| (b, b.footer));
    // A selector takes no letters, so `?` still opens help there; its
    // footer, full of the form's keys, does not list it.
    let help = GLOBAL.iter().filter(move |b| context == Context::Selector && b.action == Action::Help);
    listed.chain(help.map(|b| (b, false)))
}

/// The action for a key in a context, if any. Ctrl-C is handled before this.
pub fn action(context: Context, event: &KeyEvent) -> Option<Action> {
    applicable(context).find(|(b, _)| b.keys.iter().any(|k| matches(k, event))).map(|(b, _)| b.action)
}

/// The footer's bindings for a context.
pub fn footer(context: Context) -> Vec<(&'static str, &'static str)> {
    applicable(context).filter(|(_, listed)| *listed).map(|(b, _)| (b.label, b.help)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
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
        for context in Context::ALL {
            assert!(!footer(context).is_empty(), "{context:?}");
        }
    }
}
