//! Saved views: tabs over the list (`[` `]`), a picker (`v`), and saving the
//! query on screen as a view of the agent's own (`S`, then a name).

use crossterm::event::{KeyCode, KeyEvent};
use time::OffsetDateTime;

use super::super::effect::Effect;
use super::super::keymap::Action;
use super::super::model::{ListView, Model, Notice, Overlay, ViewPicker};
use super::paging::reload_list;
use super::{Update, typed_char};
use crate::config::views::{View, is_view_name};
use crate::domain::Filter;

/// Starts the list on `views`: the "All" view when there is one (the whole
/// desk, as without views), else the first.
pub fn set_views(list: &mut ListView, views: Vec<View>, now: OffsetDateTime) {
    let start = views.iter().position(|v| v.name == "All").or(if views.is_empty() { None } else { Some(0) });
    list.views = views;
    if let Some(index) = start {
        select(list, index, now);
    }
}

/// Makes view `index` the list's base query.
fn select(list: &mut ListView, index: usize, now: OffsetDateTime) {
    let Some(view) = list.views.get(index) else { return };
    // Views were checked when the config was read; one that no longer reads
    // (an age far in the past?) shows everything rather than nothing.
    list.view_query = Filter::from_query(&view.query, now, &list.me).unwrap_or_default();
    list.view = Some(index);
}

fn switch(model: &mut Model, index: usize) -> Vec<Effect> {
    let now = model.now;
    if model.list.view == Some(index) {
        return vec![];
    }
    select(&mut model.list, index, now);
    vec![reload_list(&mut model.list, None)]
}

/// `[`, `]`, `v` and `S` in the list.
pub(super) fn on_list_action(model: &mut Model, action: Action) -> Vec<Effect> {
    let n = model.list.views.len();
    if n == 0 {
        return vec![];
    }
    let current = model.list.view.unwrap_or(0);
    match action {
        Action::NextView => switch(model, (current + 1) % n),
        Action::PrevView => switch(model, (current + n - 1) % n),
        Action::PickView => {
            model.overlay = Some(Overlay::Views(ViewPicker::Choosing { selected: current }));
            vec![]
        }
        Action::SaveView => {
            model.overlay = Some(Overlay::Views(ViewPicker::Naming { name: String::new(), refused: None }));
            vec![]
        }
        _ => vec![],
    }
}

/// Keys in the picker and in the name prompt.
pub(super) fn on_overlay_action(model: &mut Model, action: Action) -> Vec<Effect> {
    let Some(Overlay::Views(picker)) = &mut model.overlay else { return vec![] };
    let n = model.list.views.len().max(1);
    match (picker, action) {
        (_, Action::Close) => {
            model.overlay = None;
            vec![]
        }
        (ViewPicker::Choosing { selected }, Action::Down) => {
            *selected = (*selected + 1) % n;
            vec![]
        }
        (ViewPicker::Choosing { selected }, Action::Up) => {
            *selected = (*selected + n - 1) % n;
            vec![]
        }
        (ViewPicker::Choosing { selected }, Action::Confirm) => {
            let index = *selected;
            model.overlay = None;
            switch(model, index)
        }
        (ViewPicker::Naming { name, refused }, Action::Confirm) => {
            let name = name.trim().to_owned();
            if !is_view_name(&name) {
                *refused = Some("a name is 1 to 32 letters, digits, '-' or '_'".into());
                return vec![];
            }
            let query = query_on_screen(&model.list);
            vec![Effect::SaveView { name, query }]
        }
        _ => vec![],
    }
}

pub(super) fn on_text(model: &mut Model, key: KeyEvent) -> Update {
    let Some(Overlay::Views(ViewPicker::Naming { name, refused })) = &mut model.overlay else {
        return Update::unchanged();
    };
    match (typed_char(&key), key.code) {
        (Some(c), _) => name.push(c),
        (None, KeyCode::Backspace) if name.pop().is_some() => {}
        _ => return Update::unchanged(),
    }
    *refused = None;
    Update::changed(vec![])
}

/// The view was written to the agent's config: it becomes a tab, chosen.
pub(super) fn on_saved(model: &mut Model, result: Result<View, String>) -> Update {
    match result {
        Ok(view) => {
            model.overlay = None;
            let list = &mut model.list;
            let index = match list.views.iter().position(|v| v.name.eq_ignore_ascii_case(&view.name)) {
                Some(index) => {
                    list.views[index] = view.clone();
                    index
                }
                None => {
                    list.views.push(view.clone());
                    list.views.len() - 1
                }
            };
            // What the list shows now is the view itself: the search box and
            // filter keys start afresh over it.
            list.search.clear();
            list.query = Filter::default();
            list.query_error = None;
            list.category = None;
            list.priority = None;
            list.status = None;
            list.mine = false;
            list.view = None;
            model.notice = Some(Notice::ViewSaved(view.name));
            Update::changed(switch(model, index))
        }
        Err(why) => {
            if let Some(Overlay::Views(ViewPicker::Naming { refused, .. })) = &mut model.overlay {
                *refused = Some(why);
            }
            Update::changed(vec![])
        }
    }
}

/// Everything that decides the rows on screen, as one query: the view's,
/// the search box's, and the filter keys'.
pub fn query_on_screen(list: &ListView) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(view) = list.view.and_then(|i| list.views.get(i)) {
        parts.push(view.query.clone());
    }
    parts.push(list.search.clone());
    if let Some(category) = list.category {
        parts.push(format!("cat:{category}"));
    }
    if let Some(priority) = list.priority {
        parts.push(format!("pri:{priority}"));
    }
    if let Some(status) = list.status {
        parts.push(format!("st:{status}"));
    }
    if list.mine {
        parts.push("assignee:me".into());
    }
    parts.iter().map(|p| p.trim()).filter(|p| !p.is_empty()).collect::<Vec<_>>().join(" ")
}

/// A minute passed: ages in the view and the search move with the clock.
pub(super) fn on_tick(list: &mut ListView, now: OffsetDateTime) {
    if let Some(index) = list.view {
        select(list, index, now);
    }
    if let Ok(query) = Filter::from_query(&list.search, now, &list.me) {
        list.query = query;
    }
}
