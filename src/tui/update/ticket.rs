//! What the list and the detail view both do to the ticket in front of the
//! agent: take it, pick its status, and hear how the change went.

use super::super::effect::Effect;
use super::super::model::{Model, Notice, Overlay};
use super::super::msg::ChangeRefused;
use super::{Update, paging, picker};
use crate::domain::Ticket;

/// The ticket the keys act on: the one open in the detail view, else the
/// list's selection.
fn in_view(model: &Model) -> Option<&Ticket> {
    match &model.overlay {
        Some(Overlay::Detail(detail)) => Some(&detail.ticket),
        _ => model.list.selected_ticket(),
    }
}

pub(super) fn pick_status(model: &mut Model) -> Vec<Effect> {
    match in_view(model).cloned() {
        Some(ticket) => picker::open(model, ticket),
        None => vec![],
    }
}

/// Assigns the ticket to the agent at the keyboard, unless it is theirs already.
pub(super) fn take(model: &mut Model) -> Vec<Effect> {
    let me = &model.list.me;
    match in_view(model) {
        Some(t) if t.assignee.as_deref() == Some(me.as_str()) => {
            model.notice = Some(Notice::AlreadyYours { id: t.id });
            vec![]
        }
        Some(t) => vec![Effect::Assign { id: t.id, assignee: Some(me.clone()), version: t.version }],
        None => vec![],
    }
}

/// A status or assignee change came back: the list, the stats and an open
/// detail are read again either way. A refusal (most likely another agent
/// changed the ticket first) says who, and the screen shows the ticket as
/// it now is rather than overwrite it.
pub(super) fn on_changed(model: &mut Model, result: Result<Ticket, ChangeRefused>) -> Update {
    let mut effects = vec![paging::refresh_list(&mut model.list), Effect::LoadStats];
    model.notice = Some(match result {
        Ok(ticket) => Notice::Changed {
            id: ticket.id,
            status: ticket.status,
            yours: ticket.assignee.as_deref() == Some(model.list.me.as_str()),
        },
        Err(refused) => Notice::NotChanged(refused),
    });
    if let Some(Overlay::Detail(detail)) = &model.overlay {
        effects.push(Effect::LoadDetail(detail.ticket.id));
    }
    Update::changed(effects)
}
