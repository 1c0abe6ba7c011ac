//! The status picker: move through the statuses, set one, or cancel.

use super::super::effect::Effect;
use super::super::keymap::Action;
use super::super::model::{Model, Overlay, StatusPicker};
use crate::domain::{Status, Ticket};

/// Opens the picker on `ticket`, its current status chosen.
pub(super) fn open(model: &mut Model, ticket: Ticket) -> Vec<Effect> {
    let choice = Status::ALL.iter().position(|s| *s == ticket.status).unwrap_or(0);
    model.overlay = Some(Overlay::StatusPicker(StatusPicker { ticket, choice }));
    vec![]
}

pub(super) fn on_action(model: &mut Model, action: Action) -> Vec<Effect> {
    match action {
        Action::Down | Action::Up => {
            if let Some(Overlay::StatusPicker(picker)) = &mut model.overlay {
                let n = Status::ALL.len();
                picker.choice = if action == Action::Down {
                    (picker.choice + 1) % n
                } else {
                    (picker.choice + n - 1) % n
                };
            }
            vec![]
        }
        Action::Confirm => {
            let Some(Overlay::StatusPicker(picker)) = model.overlay.take() else { return vec![] };
            let status = Status::ALL[picker.choice];
            if status == picker.ticket.status {
                return vec![];
            }
            vec![Effect::SetStatus { id: picker.ticket.id, status, version: picker.ticket.version }]
        }
        Action::Close => {
            model.overlay = None;
            vec![]
        }
        _ => vec![],
    }
}
