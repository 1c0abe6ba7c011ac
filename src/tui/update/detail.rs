//! The detail view: scrolling, a note typed and sent, and the answers that
//! fill it (the ticket with its history, a note written or refused).

use crossterm::event::{KeyCode, KeyEvent};

use super::super::effect::{EditTarget, Effect};
use super::super::keymap::{Action, Context};
use super::super::model::{Detail, Failure, Loading, Model, Notice, Overlay};
use super::{Update, editor_answer, ticket, typed_char};
use crate::domain::{Event, Ticket};

fn open(model: &mut Model) -> Option<&mut Detail> {
    match &mut model.overlay {
        Some(Overlay::Detail(detail)) => Some(detail),
        _ => None,
    }
}

pub(super) fn on_action(model: &mut Model, context: Context, action: Action) -> Vec<Effect> {
    // A page is what the list shows: the detail has no height of its own to go by.
    let page = u16::try_from(model.list.height.max(1)).unwrap_or(u16::MAX);
    match action {
        Action::PickStatus => return ticket::pick_status(model),
        Action::Take => return ticket::take(model),
        Action::Close if context == Context::Detail => {
            model.overlay = None;
            return vec![];
        }
        _ => {}
    }
    let Some(detail) = open(model) else { return vec![] };
    match action {
        Action::Down => detail.scroll = detail.scroll.saturating_add(1),
        Action::Up => detail.scroll = detail.scroll.saturating_sub(1),
        Action::PageDown => detail.scroll = detail.scroll.saturating_add(page),
        Action::PageUp => detail.scroll = detail.scroll.saturating_sub(page),
        Action::AddNote => detail.note = Some(String::new()),
        // The note box's Esc drops the note, not the detail.
        Action::Close => {
            detail.note = None;
            detail.note_sending = false;
        }
        Action::SaveNote => {
            let text = detail.note.clone().unwrap_or_default();
            if text.trim().is_empty() || detail.note_sending {
                return vec![];
            }
            detail.note_sending = true;
            return vec![Effect::Note { id: detail.ticket.id, text }];
        }
        Action::OpenEditor if !detail.note_sending => {
            if let Some(note) = &detail.note {
                let target = EditTarget::Note { id: detail.ticket.id, title: detail.ticket.title.clone() };
                return vec![Effect::Edit { target, text: note.clone() }];
            }
        }
        _ => {}
    }
    vec![]
}

/// The agent's editor gave a note back: it goes in the note box, lines and
/// all, for Enter to send. Dropped if that ticket's note box has closed.
pub(super) fn on_edited(model: &mut Model, id: i64, result: Result<Option<String>, Failure>) -> Update {
    let Some(text) = editor_answer(model, result) else { return Update::changed(vec![]) };
    match open(model) {
        Some(Detail { ticket, note: Some(note), .. }) if ticket.id == id => *note = text,
        _ => {}
    }
    Update::changed(vec![])
}

/// Typing in the note box.
pub(super) fn on_text(model: &mut Model, key: KeyEvent) -> Update {
    let Some(Detail { note: Some(note), .. }) = open(model) else { return Update::unchanged() };
    match (typed_char(&key), key.code) {
        (Some(c), _) => note.push(c),
        (None, KeyCode::Backspace) if note.pop().is_some() => {}
        _ => return Update::unchanged(),
    }
    Update::changed(vec![])
}

pub(super) fn on_loaded(model: &mut Model, id: i64, result: Result<(Ticket, Vec<Event>), Failure>) -> Update {
    let Some(detail) = open(model).filter(|d| d.ticket.id == id) else { return Update::unchanged() };
    match result {
        Ok((ticket, history)) => {
            detail.ticket = ticket;
            detail.history = Loading::Ready(history);
        }
        Err(why) => detail.history = Loading::Failed(why),
    }
    Update::changed(vec![])
}

/// A note came back written (the box closes, the history is read again) or
/// refused (it stays in its box: Enter sends it again, Esc drops it).
pub(super) fn on_noted(model: &mut Model, result: Result<Event, Failure>) -> Update {
    let sent = open(model).filter(|d| d.note_sending);
    match result {
        Ok(event) => {
            if let Some(detail) = sent.filter(|d| d.ticket.id == event.ticket_id) {
                detail.note = None;
                detail.note_sending = false;
            }
            model.notice = Some(Notice::NoteAdded { id: event.ticket_id });
            Update::changed(vec![Effect::LoadDetail(event.ticket_id)])
        }
        Err(why) => {
            if let Some(detail) = sent {
                detail.note_sending = false;
            }
            model.notice = Some(Notice::NoteNotSaved(why));
            Update::changed(vec![])
        }
    }
}
