//! The agent's own keys: `[keys.<context>]` tables from the config put onto
//! the defaults, and checked. Each action named must be one of that
//! context's, each key a key; a key may do only one thing in a context, and
//! never one the text fields need (typing, moving the cursor, deleting).

use std::borrow::Cow;

use super::keys::{self, Key};
use super::{Context, KeyMap, Live, Scope, is_text_entry};
use crate::config::KeysConfig;

/// What is wrong with a `[keys.*]` entry: the dotted key at fault and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{key}: {message}")]
pub struct KeyMapError {
    /// `keys.list.new_ticket`, as `config show` names it.
    pub key: String,
    pub message: String,
}

fn error(key: String, message: String) -> KeyMapError {
    KeyMapError { key, message }
}

const HOW_KEYS_ARE_WRITTEN: &str =
    "write keys as j, G, /, ctrl-n, alt-x, shift-tab, enter, esc, space, up, pgdn or f5";

/// Names are echoed only when shaped like ours: a value pasted where a
/// name belongs (an API key, say) is never repeated.
fn ours(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 40
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn scopes() -> impl Iterator<Item = Scope> {
    std::iter::once(Scope::Global).chain(Context::ALL.into_iter().map(Scope::In))
}

fn describe(scope: Scope) -> String {
    match scope {
        Scope::Global => "anywhere".into(),
        Scope::In(context) => format!("in the {}", context.title().to_lowercase()),
    }
}

fn dotted(binding: &Live) -> String {
    format!("keys.{}.{}", binding.scope.name(), binding.action.name())
}

/// The key two bindings would both answer to, if any. Chords that begin
/// alike but end differently (`Ctrl-O 1`, `Ctrl-O 2`) do not clash; a single
/// key that begins another binding's chord does.
fn clash(a: &Live, b: &Live) -> Option<Key> {
    let first = a.keys.iter().find(|k| b.keys.iter().any(|o| o.same(**k))).copied()?;
    match (a.then.is_empty(), b.then.is_empty()) {
        (false, false) => a.then.iter().any(|k| b.then.iter().any(|o| o.same(*k))).then_some(first),
        _ => Some(first),
    }
}

impl KeyMap {
    /// The defaults with the config's keys in place of theirs, checked.
    pub fn from_config(config: &KeysConfig) -> Result<KeyMap, KeyMapError> {
        let mut map = KeyMap::default();
        for (scope_name, table) in config {
            let scope = scopes().find(|s| s.name() == scope_name).ok_or_else(|| {
                let names: Vec<&str> = scopes().map(Scope::name).collect();
                let shown = if ours(scope_name) { format!("keys.{scope_name}") } else { "keys".into() };
                error(shown, format!("no such set of keys; the sets are {}", names.join(", ")))
            })?;
            for (action_name, written) in table {
                map.rebind(scope, action_name, &written.0)?;
            }
        }
        map.check()?;
        Ok(map)
    }

    fn rebind(&mut self, scope: Scope, action_name: &str, written: &[String]) -> Result<(), KeyMapError> {
        let here = |b: &Live| b.scope == scope && b.action.name() == action_name;
        let Some(first) = self.bindings.iter().position(here) else {
            let names: Vec<&str> = self.in_scope(scope).map(|b| b.action.name()).collect();
            let (key, what) = if ours(action_name) {
                (format!("keys.{}.{action_name}", scope.name()), "no such action")
            } else {
                (format!("keys.{}", scope.name()), "a name that is not an action")
            };
            return Err(error(
                key,
                format!("{what} {}; the actions are {}", describe(scope), names.join(", ")),
            ));
        };
        let key = format!("keys.{}.{action_name}", scope.name());
        let mut keys: Vec<Key> = Vec::new();
        for text in written {
            let parsed = Key::parse(text).ok_or_else(|| {
                error(key.clone(), format!("not a key (the value is not repeated); {HOW_KEYS_ARE_WRITTEN}"))
            })?;
            if !keys.iter().any(|k| k.same(parsed)) {
                keys.push(parsed);
            }
        }
        if keys.is_empty() {
            return Err(error(key, format!("names no key; {HOW_KEYS_ARE_WRITTEN}")));
        }
        // One binding per action and scope carries the new keys.
        let mut seen = 0;
        self.bindings.retain(|b| {
            let keep = !here(b) || seen == 0;
            seen += usize::from(here(b));
            keep
        });
        let binding = &mut self.bindings[first];
        binding.label = Cow::Owned(keys::labels(&keys));
        binding.keys = keys;
        // The agent's keys are single keys, even for an action whose default
        // is a chord; and each is listed under its own label.
        binding.then = Vec::new();
        binding.listed = true;
        binding.custom = true;
        Ok(())
    }

    /// In every context: no key does two things, and the text fields keep
    /// their editing keys (those the defaults give them are theirs to keep).
    fn check(&self) -> Result<(), KeyMapError> {
        for context in Context::ALL {
            let live: Vec<&Live> = self.applicable(context).map(|(b, _)| b).collect();
            for (i, a) in live.iter().enumerate() {
                for b in &live[i + 1..] {
                    if let Some(key) = clash(a, b) {
                        let (blamed, other) = if b.custom && !a.custom { (b, a) } else { (a, b) };
                        let default = if other.custom { "" } else { ", a default" };
                        return Err(error(
                            dotted(blamed),
                            format!(
                                "{} already does {} {} ({}{default}); a key does one thing in a context",
                                key.label(),
                                other.action.name(),
                                describe(Scope::In(context)),
                                dotted(other),
                            ),
                        ));
                    }
                }
            }
            if is_text_entry(context) {
                self.check_text_keys(context, &live)?;
            }
        }
        Ok(())
    }

    fn check_text_keys(&self, context: Context, live: &[&Live]) -> Result<(), KeyMapError> {
        let defaults: Vec<Key> =
            KeyMap::default().applicable(context).flat_map(|(b, _)| b.keys.clone()).collect();
        for binding in live.iter().filter(|b| b.custom) {
            let taken = binding.keys.iter().find(|k| k.edits_text() && !defaults.iter().any(|d| d.same(**k)));
            if let Some(key) = taken {
                return Err(error(
                    dotted(binding),
                    format!(
                        "{} edits text {} (typing, moving the cursor, deleting); choose a key such as ctrl-g, \
                         ctrl-o or f2",
                        key.label(),
                        describe(Scope::In(context)),
                    ),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::Action;
    use super::*;
    use crate::config::KeyList;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    fn config(entries: &[(&str, &str, &[&str])]) -> KeysConfig {
        let mut config = KeysConfig::new();
        for (scope, action, keys) in entries {
            config
                .entry((*scope).to_owned())
                .or_default()
                .insert((*action).to_owned(), KeyList(keys.iter().map(|k| (*k).to_owned()).collect()));
        }
        config
    }

    fn map(entries: &[(&str, &str, &[&str])]) -> Result<KeyMap, KeyMapError> {
        KeyMap::from_config(&config(entries))
    }

    fn press(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn the_defaults_pass_their_own_checks() {
        assert_eq!(map(&[]), Ok(KeyMap::default()));
    }

    #[test]
    fn a_binding_replaces_the_actions_default_keys() {
        let keys =
            map(&[("list", "new_ticket", &["ctrl-n"]), ("list", "move_down", &["j", "down", "J"])]).unwrap();
        let ctrl_n = press(KeyCode::Char('n'), KeyModifiers::CONTROL);
        assert_eq!(keys.action(Context::List, &ctrl_n), Some(Action::NewTicket));
        assert_eq!(keys.action(Context::List, &press(KeyCode::Char('n'), KeyModifiers::NONE)), None);
        assert_eq!(
            keys.action(Context::List, &press(KeyCode::Char('J'), KeyModifiers::SHIFT)),
            Some(Action::Down)
        );
        // Only the list's: the stats pane keeps `n`.
        assert_eq!(
            keys.action(Context::Stats, &press(KeyCode::Char('n'), KeyModifiers::NONE)),
            Some(Action::NewTicket)
        );
        assert_eq!(keys.label(Context::List, Action::NewTicket), Some("Ctrl-N"));
        assert_eq!(keys.label(Context::List, Action::Down), Some("j/↓/J"));
        let footer: Vec<&str> =
            keys.footer(Context::List, |_| true).iter().map(|b| b.label.as_ref()).collect();
        assert!(footer.contains(&"Ctrl-N") && !footer.contains(&"n"), "{footer:?}");
    }

    #[test]
    fn global_keys_rebind_everywhere_they_apply() {
        let keys = map(&[("global", "quit", &["ctrl-q"])]).unwrap();
        let ctrl_q = press(KeyCode::Char('q'), KeyModifiers::CONTROL);
        for context in [Context::List, Context::Detail, Context::Stats] {
            assert_eq!(keys.action(context, &ctrl_q), Some(Action::Quit), "{context:?}");
        }
        assert_eq!(keys.action(Context::List, &press(KeyCode::Char('q'), KeyModifiers::NONE)), None);
    }

    #[test]
    fn a_key_bound_twice_in_a_context_names_both() {
        let err = map(&[("list", "new_ticket", &["q"])]).unwrap_err();
        assert_eq!(err.key, "keys.list.new_ticket");
        assert_eq!(
            err.message,
            "q already does quit in the ticket list (keys.global.quit, a default); a key does one thing in a context"
        );
        // The agent's key clashing with a default the agent set elsewhere is blamed on the one it set.
        let err = map(&[("global", "help", &["n"])]).unwrap_err();
        assert_eq!(err.key, "keys.global.help");
        assert!(err.message.contains("(keys.list.new_ticket, a default)"), "{err}");
        let err = map(&[("list", "search", &["ctrl-f"]), ("list", "take", &["ctrl-f"])]).unwrap_err();
        assert!(err.to_string().contains("Ctrl-F already does"), "{err}");
        assert!(err.key == "keys.list.search" || err.key == "keys.list.take");
        assert!(!err.message.contains("a default"), "{err}");
        // A form key clashes with the selector's own.
        let err = map(&[("form", "clear_form", &["right"])]).unwrap_err();
        assert!(err.to_string().starts_with("keys.form.clear_form: → "), "{err}");
    }

    #[test]
    fn a_key_the_text_fields_use_is_refused_there() {
        for (scope, action, key, label) in [
            ("form", "save_ticket", "ctrl-a", "Ctrl-A"),
            ("form", "leave_form", "x", "x"),
            ("search", "clear_search", "ctrl-w", "Ctrl-W"),
            ("note", "save_note", "backspace", "Backspace"),
            ("form", "next_field", "down", "↓"),
        ] {
            let err = map(&[(scope, action, &[key])]).unwrap_err();
            assert_eq!(err.key, format!("keys.{scope}.{action}"));
            assert!(err.message.starts_with(&format!("{label} edits text in the ")), "{err}");
        }
        // Keys the fields do not use, and the defaults the fields already give up, are fine.
        map(&[("form", "save_ticket", &["ctrl-g", "f2"]), ("search", "clear_search", &["ctrl-u"])]).unwrap();
        map(&[("note", "save_note", &["enter", "ctrl-o"])]).unwrap();
        assert!(
            map(&[("note", "save_note", &["alt-enter"])]).is_err(),
            "the fields break lines with any Enter"
        );
        // Outside text, letters are commands.
        map(&[("list", "search", &["f"])]).unwrap();
    }

    #[test]
    fn unknown_sets_actions_and_keys_are_named() {
        let err = map(&[("lst", "search", &["f"])]).unwrap_err();
        assert_eq!(err.key, "keys.lst");
        assert!(err.message.starts_with("no such set of keys; the sets are global, list, search,"), "{err}");
        let err = map(&[("picker", "open", &["o"])]).unwrap_err();
        assert_eq!(err.key, "keys.picker.open");
        assert_eq!(
            err.message,
            "no such action in the status picker; the actions are move_down, move_up, confirm, close"
        );
        let err = map(&[("list", "sk-ant-api03-secret", &["f"])]).unwrap_err();
        assert!(!err.to_string().contains("sk-ant"), "{err}");
        let err = map(&[("list", "search", &["ctrl-nope"])]).unwrap_err();
        assert_eq!(err.key, "keys.list.search");
        assert!(err.message.starts_with("not a key") && !err.message.contains("nope"), "{err}");
        let err = map(&[("list", "search", &[])]).unwrap_err();
        assert!(err.message.starts_with("names no key"), "{err}");
    }

    /// The documented defaults list every action of every context, as the
    /// key map has them: a new action cannot go undocumented.
    #[test]
    fn the_documented_config_names_every_action() {
        let mut documented: Vec<(String, Vec<String>)> = Vec::new();
        let text = crate::config::DEFAULT_CONFIG;
        let list = &text[text.find("# The actions, by context").expect("the list of actions")..];
        for line in list.lines() {
            let Some(rest) = line.strip_prefix("#   ") else { continue };
            let names = |text: &str| -> Vec<String> {
                text.split(',').map(|n| n.trim().to_owned()).filter(|n| !n.is_empty()).collect()
            };
            match rest.trim_start().strip_prefix("[keys.") {
                Some(entry) if rest.starts_with('[') => {
                    let (scope, actions) = entry.split_once(']').unwrap();
                    documented.push((scope.to_owned(), names(actions)));
                }
                _ if rest.starts_with("  ") => documented.last_mut().unwrap().1.extend(names(rest)),
                _ => {}
            }
        }
        let keys = KeyMap::default();
        let actual: Vec<(String, Vec<String>)> = scopes()
            .map(|scope| {
                let mut names: Vec<String> =
                    keys.in_scope(scope).map(|b| b.action.name().to_owned()).collect();
                names.dedup();
                (scope.name().to_owned(), names)
            })
            .collect();
        let sorted = |mut list: Vec<(String, Vec<String>)>| {
            list.iter_mut().for_each(|(_, names)| names.sort());
            list.sort();
            list
        };
        assert_eq!(sorted(documented), sorted(actual));
    }
}
