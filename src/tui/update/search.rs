//! The list's search box: every letter typed asks for the list again.

use crossterm::event::{KeyCode, KeyEvent};

use super::super::effect::Effect;
use super::super::keymap::Action;
use super::super::model::Model;
use super::paging::reload_list;
use super::{Update, typed_char};

pub(super) fn on_action(model: &mut Model, action: Action) -> Vec<Effect> {
    let list = &mut model.list;
    match action {
        Action::LeaveSearch => {
            list.searching = false;
            vec![]
        }
        Action::ClearSearch => {
            list.search.clear();
            vec![reload_list(list, None)]
        }
        _ => vec![],
    }
}

pub(super) fn on_text(model: &mut Model, key: KeyEvent) -> Update {
    let list = &mut model.list;
    match (typed_char(&key), key.code) {
        (Some(c), _) => list.search.push(c),
        (None, KeyCode::Backspace) if list.search.pop().is_some() => {}
        _ => return Update::unchanged(),
    }
    Update::changed(vec![reload_list(list, None)])
}
