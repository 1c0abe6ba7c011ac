//! Many tickets at once: `Space` marks the selected row, `V` every row the
//! list's query selects (asking first above a few hundred), `Esc` clears.
//! With marks, `s` `a` `A` `C` `P` change them all in one transaction, each
//! checked against the version it had when marked; without marks, `A` `C` `P`
//! change the selected ticket.

use crossterm::event::{KeyCode, KeyEvent};

use super::super::effect::Effect;
use super::super::keymap::Action;
use super::super::model::{BulkField, BulkPrompt, Failure, Model, Notice, Overlay};
use super::paging::{keep_visible, refresh_list};
use super::{Update, typed_char};
use crate::domain::{Category, Priority, Status};
use crate::store::{BULK_MAX, BulkChange, BulkOutcome};

/// Marking more than this many at once asks for a yes first.
pub const ASK_ABOVE: usize = 500;

/// The tickets a change acts on: the marked ones, else the selected one.
fn targets(model: &Model) -> Vec<(i64, i64)> {
    let list = &model.list;
    if !list.marks.is_empty() {
        return list.marks.iter().map(|(id, version)| (*id, *version)).collect();
    }
    list.selected_ticket().map(|t| vec![(t.id, t.version)]).unwrap_or_default()
}

/// The list's keys for marks and for changing many tickets.
pub(super) fn on_list_action(model: &mut Model, action: Action) -> Vec<Effect> {
    match action {
        Action::ToggleMark => {
            let list = &mut model.list;
            let Some(ticket) = list.selected_ticket() else { return vec![] };
            let (id, version) = (ticket.id, ticket.version);
            if list.marks.remove(&id).is_none() {
                list.marks.insert(id, version);
            }
            // On to the next row, so a run of tickets is marked key by key.
            if list.selected + 1 < list.rows.len() {
                list.selected += 1;
                keep_visible(list);
            }
            vec![]
        }
        Action::MarkAll => vec![Effect::MarkAll(model.list.filter())],
        Action::ClearMarks => {
            model.list.marks.clear();
            vec![]
        }
        Action::AssignTo => {
            prompt(model, |targets| BulkPrompt::AssignTo { name: String::new(), refused: None, targets })
        }
        Action::SetCategory => choose(model, BulkField::Category),
        Action::SetPriority => choose(model, BulkField::Priority),
        Action::PickStatus => choose(model, BulkField::Status),
        Action::Take => {
            let targets = targets(model);
            let me = model.list.me.clone();
            vec![Effect::Bulk { targets, change: BulkChange::Assignee(Some(me)) }]
        }
        _ => vec![],
    }
}

fn prompt(model: &mut Model, make: impl FnOnce(Vec<(i64, i64)>) -> BulkPrompt) -> Vec<Effect> {
    let targets = targets(model);
    if !targets.is_empty() {
        model.overlay = Some(Overlay::Bulk(make(targets)));
    }
    vec![]
}

fn choose(model: &mut Model, field: BulkField) -> Vec<Effect> {
    prompt(model, |targets| BulkPrompt::Choose { field, choice: 0, targets })
}

/// How many values the field has.
pub fn values(field: BulkField) -> usize {
    match field {
        BulkField::Status => Status::ALL.len(),
        BulkField::Category => Category::ALL.len(),
        BulkField::Priority => Priority::ALL.len(),
    }
}

fn change(field: BulkField, choice: usize) -> Option<BulkChange> {
    Some(match field {
        BulkField::Status => BulkChange::Status(*Status::ALL.get(choice)?),
        BulkField::Category => BulkChange::Category(*Category::ALL.get(choice)?),
        BulkField::Priority => BulkChange::Priority(*Priority::ALL.get(choice)?),
    })
}

/// Keys in the prompts.
pub(super) fn on_prompt_action(model: &mut Model, action: Action) -> Vec<Effect> {
    let Some(Overlay::Bulk(prompt)) = &mut model.overlay else { return vec![] };
    match (prompt, action) {
        (_, Action::Close) => {
            model.overlay = None;
            vec![]
        }
        (BulkPrompt::Choose { field, choice, .. }, Action::Down | Action::Up) => {
            let n = values(*field);
            *choice = if action == Action::Down { (*choice + 1) % n } else { (*choice + n - 1) % n };
            vec![]
        }
        (BulkPrompt::Choose { field, choice, targets }, Action::Confirm) => {
            let Some(change) = change(*field, *choice) else { return vec![] };
            let targets = std::mem::take(targets);
            model.overlay = None;
            vec![Effect::Bulk { targets, change }]
        }
        (BulkPrompt::AssignTo { name, refused, targets }, Action::Confirm) => {
            let who = match name.trim() {
                "none" => None,
                "me" | "" => Some(model.list.me.clone()),
                account if crate::actor::is_account_name(account) => Some(account.to_owned()),
                _ => {
                    *refused =
                        Some("an account name (letters, digits, '.', '_', '@', '-'), me or none".into());
                    return vec![];
                }
            };
            let targets = std::mem::take(targets);
            model.overlay = None;
            vec![Effect::Bulk { targets, change: BulkChange::Assignee(who) }]
        }
        (BulkPrompt::ConfirmMarks { targets }, Action::Confirm) => {
            let targets = std::mem::take(targets);
            model.overlay = None;
            mark(model, targets);
            vec![]
        }
        _ => vec![],
    }
}

pub(super) fn on_text(model: &mut Model, key: KeyEvent) -> Update {
    let Some(Overlay::Bulk(BulkPrompt::AssignTo { name, refused, .. })) = &mut model.overlay else {
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

fn mark(model: &mut Model, targets: Vec<(i64, i64)>) {
    let count = targets.len();
    model.list.marks.extend(targets);
    model.notice = Some(Notice::Marked { count });
}

/// Every ticket the list's query selects, to mark.
pub(super) fn on_targets(model: &mut Model, result: Result<Vec<(i64, i64)>, Failure>) -> Update {
    match result {
        Ok(targets) if targets.len() > BULK_MAX => {
            model.notice = Some(Notice::TooManyToMark { max: BULK_MAX })
        }
        Ok(targets) if targets.len() > ASK_ABOVE => {
            model.overlay = Some(Overlay::Bulk(BulkPrompt::ConfirmMarks { targets }));
        }
        Ok(targets) => mark(model, targets),
        Err(why) => model.notice = Some(Notice::BulkNotChanged(why)),
    }
    Update::changed(vec![])
}

/// The change went through: the tickets changed (or already so) are
/// unmarked; those someone else changed meanwhile stay marked, to look at.
pub(super) fn on_done(model: &mut Model, result: Result<BulkOutcome, Failure>) -> Update {
    match result {
        Ok(outcome) => {
            let list = &mut model.list;
            for id in outcome.changed.iter().chain(&outcome.already) {
                list.marks.remove(id);
            }
            model.notice = Some(Notice::BulkChanged {
                changed: outcome.changed.len(),
                already: outcome.already.len(),
                skipped: outcome.skipped,
            });
            Update::changed(vec![refresh_list(&mut model.list), Effect::LoadStats])
        }
        Err(why) => {
            model.notice = Some(Notice::BulkNotChanged(why));
            Update::changed(vec![])
        }
    }
}
