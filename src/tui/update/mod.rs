//! The pure core: `update(model, msg)` changes the model and says what the
//! driver must do and whether the screen needs drawing. No IO, no clock, no
//! terminal: every transition is testable.
//!
//! This module is the one dispatcher. A key goes to the handler of the
//! context it was pressed in, a reply to the handler of what asked for it:
//! [`list`] (and its [`paging`]), [`search`], [`form`], [`detail`],
//! [`picker`], [`help`], and [`ticket`] for what the list and the detail
//! both do to one ticket. Wording is the views' job: the model keeps
//! outcomes as data ([`Notice`], [`Failure`](super::model::Failure)).

mod detail;
mod form;
mod help;
mod list;
mod marks;
mod paging;
mod picker;
mod search;
mod ticket;
mod typeahead;
pub mod views;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::effect::{EditTarget, Effect};
use super::keymap::{Action, Context};
use super::layout;
use super::model::{Failure, Field, Loading, Model, Notice, Overlay, Pane};
use super::msg::{Msg, Worker};

pub use form::restore_draft;

/// What one message did: the effects to carry out, and whether the model
/// changed (so the screen needs drawing).
#[derive(Debug, Clone, PartialEq)]
pub struct Update {
    pub effects: Vec<Effect>,
    pub changed: bool,
}

impl Update {
    /// The model changed; `effects` are to be carried out.
    pub fn changed(effects: Vec<Effect>) -> Update {
        Update { effects, changed: true }
    }

    /// Nothing happened: a key released, an answer to a question nobody asks any more.
    pub fn unchanged() -> Update {
        Update { effects: Vec::new(), changed: false }
    }
}

/// The effects to run at start-up (after the first frame is painted).
pub fn init(model: &mut Model) -> Vec<Effect> {
    vec![paging::reload_list(&mut model.list, None), Effect::LoadStats]
}

pub fn update(model: &mut Model, msg: Msg) -> Update {
    match msg {
        Msg::Key(key) if key.kind == KeyEventKind::Release => Update::unchanged(),
        Msg::Key(key) if typeahead::holds(model, &key) => {
            typeahead::hold(model, key);
            Update::unchanged()
        }
        Msg::Key(key) => {
            let Update { effects, changed } = on_key(model, key);
            Update { effects: hold_writes_if_lost(model, effects), changed }
        }
        Msg::Resize(width, height) => Update::changed(list::resize(model, layout::list_rows(width, height))),
        Msg::Tick(now) => {
            model.now = now;
            views::on_tick(&mut model.list, now);
            Update::changed(vec![])
        }
        Msg::TimerFired(timer) => form::on_timer(model, timer),
        Msg::ListLoaded { generation, page, limit, reselect, result } => {
            if generation != model.list.generation {
                return Update::unchanged(); // superseded by a newer query
            }
            if result.is_err() {
                typeahead::drop_held(model);
            }
            let mut effects = paging::on_list_loaded(&mut model.list, page, limit, reselect, result);
            effects.extend(typeahead::release(model));
            Update::changed(effects)
        }
        Msg::StatsLoaded(result) => {
            model.stats = match result {
                Ok(stats) => Loading::Ready(stats),
                Err(why) => Loading::Failed(why),
            };
            Update::changed(vec![])
        }
        Msg::Saved(result) => form::on_saved(model, result),
        Msg::Changed(result) => ticket::on_changed(model, result),
        Msg::Noted(result) => detail::on_noted(model, result),
        Msg::SamplesImported(result) => Update::changed(list::on_samples(model, result)),
        Msg::DetailLoaded { id, result } => detail::on_loaded(model, id, result),
        Msg::DatabaseChanged => Update::changed(refresh(model)),
        Msg::DeskLost(why) => {
            model.notice = Some(Notice::DeskLost(why.clone()));
            model.desk_lost = Some(why);
            Update::changed(vec![])
        }
        Msg::WriteBusy(busy) => set(&mut model.busy, busy),
        Msg::ServerLost { worker, lost } => {
            let mut now = model.unreachable;
            match worker {
                Worker::Reader => {
                    now.reader = lost;
                    if lost {
                        typeahead::drop_held(model);
                    }
                }
                Worker::Writer => now.writer = lost,
            }
            set(&mut model.unreachable, now)
        }
        Msg::Suggested { generation, suggestion } => form::on_suggested(model, generation, suggestion),
        Msg::SimilarFound { generation, result } => form::on_similar(model, generation, result),
        Msg::Edited { target, result } => match target {
            EditTarget::Description { generation } => form::on_edited(model, generation, result),
            EditTarget::Note { id, .. } => detail::on_edited(model, id, result),
        },
        Msg::ClassifierHealth(status) => set(&mut model.classifier, status),
        Msg::ViewSaved(result) => views::on_saved(model, result),
        Msg::Targets(result) => marks::on_targets(model, result),
        Msg::BulkDone(result) => marks::on_done(model, result),
        Msg::Stop => Update::changed(quit(model)),
        Msg::Fatal(message) => {
            model.failure = Some(message);
            Update::changed(quit(model))
        }
    }
}

/// Another agent committed: re-read what is on screen, keeping the
/// selection, its place on screen, the filters and the form.
fn refresh(model: &mut Model) -> Vec<Effect> {
    let mut effects = vec![paging::refresh_list(&mut model.list), Effect::LoadStats];
    if let Some(Overlay::Detail(detail)) = &model.overlay {
        effects.push(Effect::LoadDetail(detail.ticket.id));
    }
    effects
}

/// Sets a field, saying whether that changed it.
fn set<T: PartialEq>(field: &mut T, value: T) -> Update {
    if *field == value {
        return Update::unchanged();
    }
    *field = value;
    Update::changed(vec![])
}

fn quit(model: &mut Model) -> Vec<Effect> {
    model.quitting = true;
    vec![Effect::Quit]
}

fn on_key(model: &mut Model, key: KeyEvent) -> Update {
    if is_ctrl_c(&key) {
        return Update::changed(quit(model));
    }
    let context = model.context();
    if let Some(first) = model.pending_chord.take() {
        return finish_chord(model, context, &first, key);
    }
    if model.keys.starts_chord(context, &key, |action| model.offers(action)) {
        model.pending_chord = Some(key);
        return Update::changed(vec![]);
    }
    match model.keys.action(context, &key) {
        Some(action) => {
            model.notice = None;
            Update::changed(on_action(model, context, action))
        }
        None => on_text(model, context, key),
    }
}

/// The second key of a chord. One that finishes no chord drops it: `Esc`
/// only that, any other key then does what it always does.
fn finish_chord(model: &mut Model, context: Context, first: &KeyEvent, key: KeyEvent) -> Update {
    match model.keys.chord_action(context, first, &key).filter(|action| model.offers(*action)) {
        Some(action) => {
            model.notice = None;
            Update::changed(on_action(model, context, action))
        }
        None if key.code == KeyCode::Esc => Update::changed(vec![]),
        None => Update { changed: true, ..on_key(model, key) },
    }
}

/// What the agent's editor left: the text, or `None` after saying why
/// nothing changes (it failed to start, failed, or left no text).
fn editor_answer(model: &mut Model, result: Result<Option<String>, Failure>) -> Option<String> {
    match result {
        Ok(Some(text)) => Some(text),
        Ok(None) => {
            model.notice = Some(Notice::EditorLeftNothing);
            None
        }
        Err(why) => {
            model.notice = Some(Notice::EditorFailed(why));
            None
        }
    }
}

/// Keys that mean the same everywhere go here; the rest to their context.
fn on_action(model: &mut Model, context: Context, action: Action) -> Vec<Effect> {
    match action {
        Action::Quit => quit(model),
        Action::Help => help::open(model),
        Action::NextPane => focus_pane(model, next_pane(model.focus, true), true),
        Action::PrevPane => focus_pane(model, next_pane(model.focus, false), false),
        Action::ShowForm => focus_pane(model, Pane::Form, true),
        Action::ShowList => focus_pane(model, Pane::List, true),
        Action::ShowStats => focus_pane(model, Pane::Stats, true),
        Action::NewTicket => {
            model.focus = Pane::Form;
            model.form.field = Field::Title;
            vec![]
        }
        _ => match context {
            Context::List => list::on_action(model, action),
            Context::Search => search::on_action(model, action),
            Context::Form | Context::Selector => form::on_action(model, action),
            Context::Detail | Context::Note => detail::on_action(model, context, action),
            Context::Picker => picker::on_action(model, action),
            Context::Views | Context::ViewName => views::on_overlay_action(model, action),
            Context::BulkChoice | Context::AssignName | Context::ConfirmMarks => {
                marks::on_prompt_action(model, action)
            }
            Context::Help => help::on_action(model, action),
            Context::Stats => vec![],
        },
    }
}

/// Keys that are not commands: typing in the form, the search box or a note.
fn on_text(model: &mut Model, context: Context, key: KeyEvent) -> Update {
    match context {
        Context::Form => form::on_text(model, key),
        Context::Search => search::on_text(model, key),
        Context::Note => detail::on_text(model, key),
        Context::ViewName => views::on_text(model, key),
        Context::AssignName => marks::on_text(model, key),
        _ => Update::unchanged(),
    }
}

/// Once the desk is lost, no change leaves this screen (it would reach a file
/// nobody else sees): the form and a typed note stay as they are, and the
/// agent is told the change was not saved.
fn hold_writes_if_lost(model: &mut Model, effects: Vec<Effect>) -> Vec<Effect> {
    let Some(why) = &model.desk_lost else { return effects };
    let (held, effects): (Vec<Effect>, Vec<Effect>) = effects.into_iter().partition(Effect::writes);
    if !held.is_empty() {
        model.form.saving = false;
        if let Some(Overlay::Detail(detail)) = &mut model.overlay {
            detail.note_sending = false;
        }
        model.notice = Some(Notice::NotSaved(why.clone()));
    }
    effects
}

/// Ctrl-C quits from anywhere, ahead of any binding and of keys typed ahead.
fn is_ctrl_c(key: &KeyEvent) -> bool {
    key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL)
}

/// A letter typed into text, not a command.
fn typed_char(key: &KeyEvent) -> Option<char> {
    match key.code {
        KeyCode::Char(c) if !key.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) => Some(c),
        _ => None,
    }
}

fn focus_pane(model: &mut Model, pane: Pane, forward: bool) -> Vec<Effect> {
    model.focus = pane;
    model.list.searching = false;
    if pane == Pane::Form {
        model.form.field = if forward { Field::Title } else { Field::Priority };
    }
    vec![]
}

fn next_pane(pane: Pane, forward: bool) -> Pane {
    let i = Pane::ALL.iter().position(|p| *p == pane).unwrap_or(0);
    let n = Pane::ALL.len();
    Pane::ALL[if forward { (i + 1) % n } else { (i + n - 1) % n }]
}

#[cfg(test)]
mod tests;
