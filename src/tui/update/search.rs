//! The list's search box: every letter typed asks for the list again.

use crossterm::event::{KeyCode, KeyEvent};

use super::super::effect::Effect;
use super::super::keymap::Action;
use super::super::model::Model;
use super::paging::reload_list;
use super::{Update, typed_char};
use crate::domain::Filter;

pub(super) fn on_action(model: &mut Model, action: Action) -> Vec<Effect> {
    let list = &mut model.list;
    match action {
        Action::LeaveSearch => {
            list.searching = false;
            vec![]
        }
        Action::ClearSearch => {
            list.search.clear();
            list.query = Filter::default();
            list.query_error = None;
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
    match Filter::from_query(&list.search, model.now, &list.me) {
        Ok(query) => {
            list.query_error = None;
            if query == list.query {
                // More of a word the query already had (`cat:bi` → no
                // change yet), or spaces: the rows on screen still hold.
                return Update::changed(vec![]);
            }
            list.query = query;
            Update::changed(vec![reload_list(list, None)])
        }
        // The list keeps its last good result while the agent fixes the query.
        Err(error) => {
            list.query_error = Some(error);
            Update::changed(vec![])
        }
    }
}
