//! The ticket list: moving through it, opening a ticket, the filters. Which
//! rows are held and asked for is [`paging`](super::paging)'s job.

use super::super::effect::Effect;
use super::super::keymap::Action;
use super::super::model::{Detail, Failure, Model, Notice, Overlay};
use super::paging::{fill_window, keep_visible, load, move_selection, reload_list};
use super::ticket;
use crate::domain::{Category, Page, Priority, Status};

/// The screen's size changed: the list shows `rows` rows now.
pub(super) fn resize(model: &mut Model, rows: usize) -> Vec<Effect> {
    model.list.height = rows;
    keep_visible(&mut model.list);
    fill_window(&mut model.list)
}

pub(super) fn on_action(model: &mut Model, action: Action) -> Vec<Effect> {
    if matches!(action, Action::NextView | Action::PrevView | Action::PickView | Action::SaveView) {
        return super::views::on_list_action(model, action);
    }
    let marking = !model.list.marks.is_empty() && matches!(action, Action::PickStatus | Action::Take);
    if marking
        || matches!(
            action,
            Action::ToggleMark
                | Action::MarkAll
                | Action::ClearMarks
                | Action::AssignTo
                | Action::SetCategory
                | Action::SetPriority
        )
    {
        return super::marks::on_list_action(model, action);
    }
    let list = &mut model.list;
    let page = list.height.max(1) as isize;
    match action {
        Action::Down => move_selection(list, 1),
        Action::Up => move_selection(list, -1),
        Action::PageDown => move_selection(list, page),
        Action::PageUp => move_selection(list, -page),
        Action::Top if list.ends.newest => {
            list.selected = 0;
            keep_visible(list);
            vec![]
        }
        Action::Top => vec![reload_list(list, None)],
        Action::Bottom if list.ends.oldest => {
            list.selected = list.rows.len().saturating_sub(1);
            keep_visible(list);
            vec![]
        }
        Action::Bottom => vec![load(list, Page::Oldest, None)],
        Action::Open => match list.selected_ticket() {
            Some(ticket) => {
                let id = ticket.id;
                model.overlay = Some(Overlay::Detail(Detail::new(ticket.clone())));
                vec![Effect::LoadDetail(id)]
            }
            None => vec![],
        },
        Action::PickStatus => ticket::pick_status(model),
        Action::Take => ticket::take(model),
        Action::Search => {
            list.searching = true;
            vec![]
        }
        Action::ToggleMine => {
            list.mine = !list.mine;
            vec![reload_list(list, None)]
        }
        Action::CycleCategory => {
            list.category = cycle(Category::ALL, list.category);
            vec![reload_list(list, None)]
        }
        Action::CyclePriority => {
            list.priority = cycle(Priority::ALL, list.priority);
            vec![reload_list(list, None)]
        }
        Action::CycleStatus => {
            list.status = cycle(Status::ALL, list.status);
            vec![reload_list(list, None)]
        }
        Action::ClearFilters if list.has_filters() => {
            list.category = None;
            list.priority = None;
            list.status = None;
            list.search.clear();
            vec![reload_list(list, None)]
        }
        Action::LoadSamples => {
            model.notice = Some(Notice::ImportingSamples);
            vec![Effect::ImportSamples]
        }
        _ => vec![],
    }
}

/// The next value of a filter: each in turn, then none.
fn cycle<T: Copy + PartialEq>(all: &[T], current: Option<T>) -> Option<T> {
    match current.and_then(|c| all.iter().position(|x| *x == c)) {
        None => all.first().copied(),
        Some(i) => all.get(i + 1).copied(),
    }
}

/// The sample tickets went in: the screen's own write is not news from
/// elsewhere, so the list and the counts are read again here.
pub(super) fn on_samples(model: &mut Model, result: Result<u64, Failure>) -> Vec<Effect> {
    match result {
        Ok(count) => {
            model.notice = Some(Notice::SamplesImported { count });
            vec![reload_list(&mut model.list, None), Effect::LoadStats]
        }
        Err(why) => {
            model.notice = Some(Notice::SamplesNotImported(why));
            vec![]
        }
    }
}
