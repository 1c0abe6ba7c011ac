//! Keys typed ahead of the list's rows. An agent who knows the desk types
//! `/ quokka Enter s` in one go, faster than the search answers; the `s`
//! must open the picker on what the search finds, not on the ticket selected
//! before it. So a key that acts on the rows (moves the selection, opens,
//! changes or marks a ticket) waits while a new query or a jump is on its
//! way, and every key after it waits behind it, since what they mean depends
//! on it. They go through in order once the rows arrive. Typing in the
//! search box never waits, and Ctrl-C never does.

use crossterm::event::KeyEvent;

use super::super::effect::Effect;
use super::super::keymap::{Action, Context};
use super::super::model::Model;
use super::{Update, hold_writes_if_lost, is_ctrl_c, on_key};

/// More keys than anyone types ahead: beyond this they are dropped.
const MOST_HELD: usize = 256;

/// Whether `key` waits for the list's rows instead of acting now.
pub(super) fn holds(model: &Model, key: &KeyEvent) -> bool {
    if is_ctrl_c(key) {
        return false;
    }
    !model.held_keys.is_empty() || waits_for_rows(model, key)
}

/// Keeps `key` for later. It is dropped past [`MOST_HELD`], and while the
/// server is out of reach (the status line says so): rows may be minutes
/// away, and keys acting then would surprise the agent who typed them.
pub(super) fn hold(model: &mut Model, key: KeyEvent) {
    if model.held_keys.len() < MOST_HELD && !model.unreachable.reader {
        model.held_keys.push_back(key);
    }
}

/// The list's rows arrived: the keys held go through, in order, until one
/// asks for rows again (a held `/` and the letters after it, say).
pub(super) fn release(model: &mut Model) -> Vec<Effect> {
    let mut effects = Vec::new();
    while let Some(key) = model.held_keys.front() {
        if model.quitting || waits_for_rows(model, key) {
            break;
        }
        let Some(key) = model.held_keys.pop_front() else { break };
        let Update { effects: more, .. } = on_key(model, key);
        effects.extend(hold_writes_if_lost(model, more));
    }
    effects
}

/// The rows the keys were waiting for will not come as asked (the query
/// failed, the server went away): the keys are dropped rather than acting on
/// rows the agent did not ask for.
pub(super) fn drop_held(model: &mut Model) {
    model.held_keys.clear();
}

fn waits_for_rows(model: &Model, key: &KeyEvent) -> bool {
    let context = model.context();
    model.list.settling.is_some()
        && context == Context::List
        && model.keys.action(context, key).is_some_and(acts_on_rows)
}

/// List actions whose target or outcome depends on the rows held.
fn acts_on_rows(action: Action) -> bool {
    matches!(
        action,
        Action::Down
            | Action::Up
            | Action::PageDown
            | Action::PageUp
            | Action::Top
            | Action::Bottom
            | Action::Open
            | Action::PickStatus
            | Action::Take
            | Action::ToggleMark
            | Action::AssignTo
            | Action::SetCategory
            | Action::SetPriority
    )
}
