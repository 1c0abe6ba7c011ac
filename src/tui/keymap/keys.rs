//! One key: a code and the modifiers held. How the config writes it (`j`,
//! `G`, `ctrl-n`, `shift-tab`, `pgdn`), how the screen shows it (`Ctrl-N`,
//! `↓`, `PgDn`), whether a key press is it, and whether the text fields use
//! it themselves.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

pub const NONE: KeyModifiers = KeyModifiers::NONE;
pub const CTRL: KeyModifiers = KeyModifiers::CONTROL;
pub const SHIFT: KeyModifiers = KeyModifiers::SHIFT;
const ALT: KeyModifiers = KeyModifiers::ALT;

/// A key pattern: a code and the modifiers that must be held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key(pub KeyCode, pub KeyModifiers);

pub const fn ch(c: char) -> Key {
    Key(KeyCode::Char(c), NONE)
}

pub const fn ctrl(c: char) -> Key {
    Key(KeyCode::Char(c), CTRL)
}

pub const fn code(code: KeyCode) -> Key {
    Key(code, NONE)
}

impl Key {
    /// The form keys are compared in. A character carries its own case, so
    /// SHIFT says nothing more (terminals differ on whether `G` reports it);
    /// Shift-Tab arrives as BackTab with or without it.
    fn normal(self) -> Key {
        let held = self.1 & (CTRL | ALT | SHIFT);
        match self.0 {
            KeyCode::Char(_) | KeyCode::BackTab => Key(self.0, held - SHIFT),
            _ => Key(self.0, held),
        }
    }

    /// The same key, however it was written.
    pub fn same(self, other: Key) -> bool {
        self.normal() == other.normal()
    }

    /// Whether a key press is this key.
    pub fn matches(self, event: &KeyEvent) -> bool {
        self.same(Key(event.code, event.modifiers))
    }

    /// Reads a key as the config writes it: modifiers `ctrl-`, `alt-`,
    /// `shift-` (any case) before a single character (`j`, `G`, `/`) or a
    /// name (`enter`, `esc`, `tab`, `space`, `backspace`, `delete`, `up`,
    /// `down`, `left`, `right`, `home`, `end`, `pgup`, `pgdn`, `insert`,
    /// `f1`…`f24`). `None` if it is none of these.
    pub fn parse(text: &str) -> Option<Key> {
        let mut rest = text.trim();
        let mut held = NONE;
        loop {
            let lower = rest.to_ascii_lowercase();
            let (modifier, len) = if lower.starts_with("ctrl-") && rest.len() > 5 {
                (CTRL, 5)
            } else if lower.starts_with("alt-") && rest.len() > 4 {
                (ALT, 4)
            } else if lower.starts_with("shift-") && rest.len() > 6 {
                (SHIFT, 6)
            } else {
                break;
            };
            held |= modifier;
            rest = &rest[len..];
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) if !c.is_control() => KeyCode::Char(c),
            _ => named(&rest.to_ascii_lowercase())?,
        };
        Some(Key::written(code, held))
    }

    /// A parsed key in the form terminals send it.
    fn written(code: KeyCode, held: KeyModifiers) -> Key {
        match code {
            // Terminals send Ctrl with the letter's lower case.
            KeyCode::Char(c) if held.contains(CTRL) && !held.contains(SHIFT) => {
                Key(KeyCode::Char(c.to_ascii_lowercase()), held)
            }
            KeyCode::Char(c) if held.contains(SHIFT) => {
                Key(KeyCode::Char(c.to_ascii_uppercase()), held - SHIFT)
            }
            KeyCode::Tab if held.contains(SHIFT) => Key(KeyCode::BackTab, held - SHIFT),
            _ => Key(code, held),
        }
        .normal()
    }

    /// How the screen shows the key: `Ctrl-N`, `G`, `↓`, `PgDn`, `Shift-Tab`.
    pub fn label(self) -> String {
        let Key(code, held) = self.normal();
        let mut out = String::new();
        if held.contains(CTRL) {
            out.push_str("Ctrl-");
        }
        if held.contains(ALT) {
            out.push_str("Alt-");
        }
        if held.contains(SHIFT) {
            out.push_str("Shift-");
        }
        let name = match code {
            KeyCode::Char(' ') => "Space".to_owned(),
            KeyCode::Char(c) if held.contains(CTRL) => c.to_uppercase().to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::BackTab => "Shift-Tab".into(),
            KeyCode::Delete => "Del".into(),
            KeyCode::Insert => "Ins".into(),
            KeyCode::F(n) => format!("F{n}"),
            other => format!("{other:?}"),
        };
        out.push_str(&name);
        out
    }

    /// Whether the text fields (the form's, the search box, a note) use this
    /// key themselves: typing, moving the cursor, deleting, and the
    /// editor's Ctrl and Alt keys.
    pub fn edits_text(self) -> bool {
        let Key(code, held) = self.normal();
        let (ctrl, alt) = (held.contains(CTRL), held.contains(ALT));
        match code {
            KeyCode::Char(_) if !ctrl => true,
            // Line start and end, word and line deletes, moves, undo, redo, paste.
            KeyCode::Char(c) if !alt => "abdefhjkmnpruvwy".contains(c),
            KeyCode::Char(_) => false,
            KeyCode::Backspace
            | KeyCode::Delete
            | KeyCode::Enter
            | KeyCode::Left
            | KeyCode::Right
            | KeyCode::Up
            | KeyCode::Down
            | KeyCode::Home
            | KeyCode::End
            | KeyCode::PageUp
            | KeyCode::PageDown => true,
            _ => false,
        }
    }
}

fn named(name: &str) -> Option<KeyCode> {
    Some(match name {
        "esc" | "escape" => KeyCode::Esc,
        "enter" | "return" => KeyCode::Enter,
        "tab" => KeyCode::Tab,
        "backtab" => KeyCode::BackTab,
        "space" => KeyCode::Char(' '),
        "minus" | "hyphen" => KeyCode::Char('-'),
        "backspace" => KeyCode::Backspace,
        "delete" | "del" => KeyCode::Delete,
        "insert" | "ins" => KeyCode::Insert,
        "up" => KeyCode::Up,
        "down" => KeyCode::Down,
        "left" => KeyCode::Left,
        "right" => KeyCode::Right,
        "home" => KeyCode::Home,
        "end" => KeyCode::End,
        "pageup" | "pgup" => KeyCode::PageUp,
        "pagedown" | "pgdn" => KeyCode::PageDown,
        f => KeyCode::F(f.strip_prefix('f')?.parse().ok().filter(|n| (1..=24).contains(n))?),
    })
}

/// Several keys as one label: `j/↓`.
pub fn labels(keys: &[Key]) -> String {
    keys.iter().map(|k| k.label()).collect::<Vec<_>>().join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Key {
        Key::parse(text).unwrap_or_else(|| panic!("{text:?} should parse"))
    }

    #[test]
    fn keys_are_read_as_terminals_send_them() {
        assert_eq!(parsed("j"), ch('j'));
        assert_eq!(parsed("G"), ch('G'));
        assert_eq!(parsed("shift-g"), ch('G'));
        assert_eq!(parsed("ctrl-n"), ctrl('n'));
        assert_eq!(parsed("Ctrl-N"), ctrl('n'), "Ctrl with a capital is the same key");
        assert_eq!(parsed("alt-x"), Key(KeyCode::Char('x'), ALT));
        assert_eq!(parsed("shift-tab"), code(KeyCode::BackTab));
        assert_eq!(parsed("backtab"), code(KeyCode::BackTab));
        assert_eq!(parsed("down"), code(KeyCode::Down));
        assert_eq!(parsed("PgDn"), code(KeyCode::PageDown));
        assert_eq!(parsed("pagedown"), code(KeyCode::PageDown));
        assert_eq!(parsed("space"), ch(' '));
        assert_eq!(parsed("-"), ch('-'));
        assert_eq!(parsed("ctrl--"), ctrl('-'));
        assert_eq!(parsed("F5"), code(KeyCode::F(5)));
        assert_eq!(parsed("ctrl-alt-delete"), Key(KeyCode::Delete, CTRL | ALT));
        assert_eq!(parsed("é"), ch('é'));
    }

    #[test]
    fn anything_else_is_not_a_key() {
        for text in ["", "ctrl-", "ctrl-nn", "jk", "f25", "f0", "hyper-x", "\u{1b}", "down arrow", "ctrl"] {
            assert_eq!(Key::parse(text), None, "{text:?}");
        }
    }

    #[test]
    fn a_capital_matches_with_or_without_shift_reported() {
        let g = parsed("G");
        assert!(g.matches(&KeyEvent::new(KeyCode::Char('G'), NONE)));
        assert!(g.matches(&KeyEvent::new(KeyCode::Char('G'), SHIFT)));
        assert!(!g.matches(&KeyEvent::new(KeyCode::Char('g'), NONE)));
        assert!(!g.matches(&KeyEvent::new(KeyCode::Char('G'), CTRL)));
        let back = parsed("shift-tab");
        assert!(back.matches(&KeyEvent::new(KeyCode::BackTab, SHIFT)));
        assert!(back.matches(&KeyEvent::new(KeyCode::BackTab, NONE)));
        assert!(!parsed("ctrl-n").matches(&KeyEvent::new(KeyCode::Char('n'), NONE)));
    }

    #[test]
    fn labels_read_as_the_keyboard_does() {
        assert_eq!(parsed("ctrl-n").label(), "Ctrl-N");
        assert_eq!(parsed("G").label(), "G");
        assert_eq!(parsed("down").label(), "↓");
        assert_eq!(parsed("pgup").label(), "PgUp");
        assert_eq!(parsed("shift-tab").label(), "Shift-Tab");
        assert_eq!(parsed("alt-enter").label(), "Alt-Enter");
        assert_eq!(parsed("space").label(), "Space");
        assert_eq!(labels(&[parsed("j"), parsed("down")]), "j/↓");
    }

    #[test]
    fn the_text_fields_keep_their_editing_keys() {
        for text in ["a", "Z", "5", "space", "/", "backspace", "delete", "left", "home", "end", "enter"] {
            assert!(parsed(text).edits_text(), "{text}");
        }
        for text in ["ctrl-a", "ctrl-e", "ctrl-k", "ctrl-u", "ctrl-w", "ctrl-left", "alt-b", "alt-backspace"]
        {
            assert!(parsed(text).edits_text(), "{text}");
        }
        for text in ["ctrl-s", "ctrl-l", "ctrl-g", "esc", "tab", "shift-tab", "f2", "ctrl-alt-x"] {
            assert!(!parsed(text).edits_text(), "{text}");
        }
    }
}
