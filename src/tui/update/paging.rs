//! The list's window of rows: which page to ask for, where the selection
//! goes, and how an answer joins the rows held. At most a few screens of
//! tickets are ever in memory, whatever the size of the desk.

use super::super::effect::Effect;
use super::super::model::{Ends, Failure, Fetch, Join, ListView, Settling};
use crate::domain::{Cursor, Page, Ticket};

/// The list holds at most this many screens of rows.
const WINDOW_SCREENS: usize = 4;

fn max_window(list: &ListView) -> usize {
    (list.height * WINDOW_SCREENS).max(200)
}

/// A fresh query from the newest matching ticket, keeping `reselect` selected
/// if it is still in the first window.
pub(super) fn reload_list(list: &mut ListView, reselect: Option<i64>) -> Effect {
    load(list, Page::Newest, reselect)
}

/// Re-reads the rows on screen after another agent's change, keeping the
/// selected ticket where it is on screen. While a new query is on its way
/// the rows held are not the agent's any more: that query is asked again.
pub(super) fn refresh_list(list: &mut ListView) -> Effect {
    if let Some(Settling { page, reselect }) = list.settling.clone() {
        return load(list, page, reselect);
    }
    let keep = list.selected_ticket().map(|t| t.id);
    let offset = list.selected.saturating_sub(list.top);
    // As many rows as are held now, so the window keeps its size.
    let limit = list.rows.len().max(list.height * 2).max(50);
    let (page, join) = match list.rows.first() {
        // From the first row held, inclusive: newer rows arriving above would
        // push the agent's place away while they read.
        Some(first) if !list.ends.newest => (
            Page::Older(Cursor { created_at: first.created_at.clone(), id: first.id.saturating_add(1) }),
            Join::Replace { offset },
        ),
        _ => (Page::Newest, Join::KeepPlace { offset }),
    };
    load_rows(list, page, limit, keep, join)
}

pub(super) fn load(list: &mut ListView, page: Page, reselect: Option<i64>) -> Effect {
    if matches!(page, Page::Newest | Page::Oldest) {
        list.settling = Some(Settling { page: page.clone(), reselect });
    }
    let limit = match page {
        Page::Newest | Page::Oldest => (list.height * 2).max(list.rows.len().min(max_window(list))).max(50),
        Page::Older(_) | Page::Newer(_) => list.height.max(25),
    };
    load_rows(list, page, limit, reselect, Join::Page)
}

/// A new list query that supersedes any in flight.
fn load_rows(list: &mut ListView, page: Page, limit: usize, reselect: Option<i64>, join: Join) -> Effect {
    list.generation += 1;
    list.fetch = Fetch::Loading(join);
    Effect::LoadList { generation: list.generation, filter: list.filter(), page, limit, reselect }
}

pub(super) fn move_selection(list: &mut ListView, delta: isize) -> Vec<Effect> {
    if list.rows.is_empty() {
        return vec![];
    }
    let last = list.rows.len() - 1;
    list.selected = list.selected.saturating_add_signed(delta).min(last);
    keep_visible(list);
    fill_window(list)
}

/// Asks for the next rows before the selection reaches the end of the window.
pub(super) fn fill_window(list: &mut ListView) -> Vec<Effect> {
    if list.loading() || list.rows.is_empty() {
        return vec![];
    }
    let margin = list.height.max(1);
    if list.selected + margin >= list.rows.len() && !list.ends.oldest {
        let cursor = Cursor::after(&list.rows[list.rows.len() - 1]);
        return vec![load(list, Page::Older(cursor), None)];
    }
    if list.selected < margin && !list.ends.newest {
        let cursor = Cursor::after(&list.rows[0]);
        return vec![load(list, Page::Newer(cursor), None)];
    }
    vec![]
}

pub(super) fn keep_visible(list: &mut ListView) {
    let height = list.height.max(1);
    if list.selected < list.top {
        list.top = list.selected;
    } else if list.selected >= list.top + height {
        list.top = list.selected + 1 - height;
    }
    list.top = list.top.min(list.rows.len().saturating_sub(1));
}

/// The answer to the newest list query joins the rows held.
pub(super) fn on_list_loaded(
    list: &mut ListView,
    page: Page,
    limit: usize,
    reselect: Option<i64>,
    result: Result<Vec<Ticket>, Failure>,
) -> Vec<Effect> {
    list.settling = None;
    let join = match std::mem::replace(&mut list.fetch, Fetch::Done) {
        Fetch::Loading(join) => join,
        Fetch::Done | Fetch::Failed(_) => Join::Page,
    };
    let rows = match result {
        Ok(rows) => rows,
        Err(why) => {
            list.fetch = Fetch::Failed(why);
            return vec![];
        }
    };
    let full = rows.len() >= limit;
    let reselected = |rows: &[Ticket]| reselect.and_then(|id| rows.iter().position(|t| t.id == id));
    match (join, page) {
        (Join::Replace { offset }, _) => {
            list.rows = rows;
            list.ends.oldest = !full;
            list.selected = reselected(&list.rows).unwrap_or(list.selected);
            restore_place(list, offset);
            return vec![];
        }
        (join, Page::Newest) => {
            list.selected = reselected(&rows).unwrap_or(0);
            list.rows = rows;
            list.ends = Ends { newest: true, oldest: !full };
            list.top = list.top.min(list.selected);
            if let Join::KeepPlace { offset } = join {
                restore_place(list, offset);
                return vec![];
            }
        }
        (_, Page::Oldest) => {
            list.rows = rows;
            list.selected = list.rows.len().saturating_sub(1);
            list.ends = Ends { newest: !full, oldest: true };
        }
        (_, Page::Older(_)) => {
            list.rows.extend(rows);
            list.ends.oldest = !full;
            let excess = list.rows.len().saturating_sub(max_window(list));
            if excess > 0 {
                list.rows.drain(..excess);
                list.selected = list.selected.saturating_sub(excess);
                list.top = list.top.saturating_sub(excess);
                list.ends.newest = false;
            }
        }
        (_, Page::Newer(_)) => {
            let added = rows.len();
            let mut merged = rows;
            merged.append(&mut list.rows);
            list.rows = merged;
            list.selected += added;
            list.top += added;
            list.ends.newest = !full;
            let max = max_window(list);
            if list.rows.len() > max {
                list.rows.truncate(max);
                list.ends.oldest = false;
            }
        }
    }
    list.selected = list.selected.min(list.rows.len().saturating_sub(1));
    keep_visible(list);
    vec![]
}

/// Puts the selected row back `offset` rows below the top of the pane, where
/// it was before a reload.
fn restore_place(list: &mut ListView, offset: usize) {
    list.selected = list.selected.min(list.rows.len().saturating_sub(1));
    list.top = list.selected.saturating_sub(offset);
    keep_visible(list);
}
