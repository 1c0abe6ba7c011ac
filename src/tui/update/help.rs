//! The help overlay: `?` opens it, its own keys close it.

use super::super::effect::Effect;
use super::super::keymap::Action;
use super::super::model::{Model, Overlay};

pub(super) fn open(model: &mut Model) -> Vec<Effect> {
    model.overlay = Some(Overlay::Help);
    vec![]
}

pub(super) fn on_action(model: &mut Model, action: Action) -> Vec<Effect> {
    if action == Action::Close {
        model.overlay = None;
    }
    vec![]
}
