//! The new-ticket form: typing, the selectors, saving, the draft kept on
//! disk, and suggestions.
//!
//! Every edit of the description bumps the form's generation and (re)starts
//! the pause timer; only when the typing has paused does the text go to the
//! classifier, once. An edit while a classification runs aborts it. A pause
//! or an answer for an older generation is dropped here, where the
//! generation is kept.

use crossterm::event::{KeyCode, KeyEvent};

use super::super::draft::Draft;
use super::super::effect::{Effect, Timer, TimerKind};
use super::super::keymap::Action;
use super::super::model::{
    Choice, Failure, Field, FieldError, Form, FormErrors, Model, Notice, Origin, Pane, Suggesting,
};
use super::{Update, focus_pane, next_pane, paging};
use crate::classify::Suggestion;
use crate::domain::ticket::{validate_description, validate_title};
use crate::domain::{
    Category, EventSource, NewTicket, Origins, Priority, Suggested, Ticket, ValidationError,
};

/// Puts a draft left by an earlier session back into the form and says so.
/// The list keeps the focus; `n` picks the draft up, Ctrl-L in the form drops it.
pub fn restore_draft(model: &mut Model, draft: Draft) -> Vec<Effect> {
    let form = &mut model.form;
    form.title.insert_str(draft.title.replace(['\n', '\r'], " "));
    form.description.insert_str(&draft.description);
    if let Some(category) = draft.category {
        form.category = Choice { value: Some(category), origin: Origin::Manual, hint: None };
    }
    if let Some(priority) = draft.priority {
        form.priority = Choice { value: Some(priority), origin: Origin::Manual, hint: None };
    }
    model.notice = Some(Notice::DraftBack { saved_at: draft.saved_at });
    form.generation += 1;
    if classification_text(form).is_empty() {
        vec![]
    } else {
        vec![Effect::StartTimer(Timer::Pause { generation: form.generation })]
    }
}

pub(super) fn on_action(model: &mut Model, action: Action) -> Vec<Effect> {
    let form = &mut model.form;
    match action {
        Action::NextField | Action::PrevField => {
            let forward = action == Action::NextField;
            match next_field(form.field, forward) {
                Some(field) => form.field = field,
                None => return focus_pane(model, next_pane(Pane::Form, forward), forward),
            }
            vec![]
        }
        Action::ChoiceNext | Action::ChoicePrev => {
            let forward = action == Action::ChoiceNext;
            match form.field {
                Field::Category => {
                    form.category.step(Category::ALL, forward);
                    form.errors.category = None;
                }
                Field::Priority => {
                    form.priority.step(Priority::ALL, forward);
                    form.errors.priority = None;
                }
                _ => {}
            }
            vec![save_draft(form)]
        }
        Action::Submit => submit(form),
        Action::ClearForm => {
            let generation = form.generation + 1;
            *form = Form { generation, ..Form::default() };
            vec![Effect::StopTimer(TimerKind::Pause), Effect::CancelClassify, Effect::SaveDraft(None)]
        }
        Action::LeaveForm => {
            model.focus = Pane::List;
            vec![]
        }
        _ => vec![],
    }
}

/// Keys typed into the title or the description.
pub(super) fn on_text(model: &mut Model, key: KeyEvent) -> Update {
    let form = &mut model.form;
    let effects = match form.field {
        // One line: Enter moves on instead of breaking it.
        Field::Title if key.code == KeyCode::Enter => {
            form.field = Field::Description;
            vec![]
        }
        Field::Title if form.title.input(key) => {
            form.errors.title = None;
            vec![save_draft(form)]
        }
        Field::Description if form.description.input(key) => {
            form.errors.description = None;
            let mut effects = description_edited(form);
            effects.push(save_draft(form));
            effects
        }
        // The cursor may have moved.
        Field::Title | Field::Description => vec![],
        Field::Category | Field::Priority => return Update::unchanged(),
    };
    Update::changed(effects)
}

/// A new generation of the description: wait for the typing to pause
/// before asking for a suggestion, and abort one asked for older text.
fn description_edited(form: &mut Form) -> Vec<Effect> {
    form.generation += 1;
    let mut effects = Vec::new();
    if form.suggesting == Suggesting::Thinking {
        effects.push(Effect::CancelClassify);
    }
    if classification_text(form).is_empty() {
        form.suggesting = Suggesting::Idle;
        effects.push(Effect::StopTimer(TimerKind::Pause));
    } else {
        form.suggesting = Suggesting::Pausing;
        effects.push(Effect::StartTimer(Timer::Pause { generation: form.generation }));
    }
    effects
}

/// The typing paused: the text goes to the classifier, if it is still the
/// text on screen.
pub(super) fn on_timer(model: &mut Model, timer: Timer) -> Update {
    let Timer::Pause { generation } = timer;
    let form = &mut model.form;
    let text = classification_text(form);
    if generation != form.generation || text.is_empty() {
        return Update::unchanged();
    }
    if form.suggesting == Suggesting::Pausing {
        form.suggesting = Suggesting::Thinking;
    }
    Update::changed(vec![Effect::Classify { generation, text }])
}

/// A suggestion for the current text fills the selectors the agent did not set.
pub(super) fn on_suggested(model: &mut Model, generation: u64, suggestion: Suggestion) -> Update {
    let form = &mut model.form;
    if generation != form.generation {
        return Update::unchanged();
    }
    let Suggestion { category, priority, source, confidence, cached, reason, .. } = suggestion;
    form.category.suggest(category, source, confidence, cached);
    form.priority.suggest(priority, source, confidence, cached);
    form.errors.category = None;
    form.errors.priority = None;
    form.suggesting = Suggesting::Done { reason };
    form.offered = Some(Suggested { source, category, priority });
    Update::changed(vec![])
}

/// What the classifier reads: the description, with the title for context.
/// Empty while the description is blank, so a title alone asks for nothing.
fn classification_text(form: &Form) -> String {
    let description = form.description_text();
    if description.trim().is_empty() {
        return String::new();
    }
    format!("{}\n\n{}", form.title_text().trim(), description)
}

fn submit(form: &mut Form) -> Vec<Effect> {
    if form.saving {
        return vec![];
    }
    let title = validate_title(&form.title_text());
    let description = validate_description(&form.description_text());
    let invalid = |e: &ValidationError| FieldError::Invalid(e.message.clone());
    form.errors = FormErrors {
        title: title.as_ref().err().map(invalid),
        description: description.as_ref().err().map(invalid),
        category: form.category.value.is_none().then_some(FieldError::Unset),
        priority: form.priority.value.is_none().then_some(FieldError::Unset),
    };
    let (Ok(title), Ok(description), Some(category), Some(priority)) =
        (title, description, form.category.value, form.priority.value)
    else {
        let errors = &form.errors;
        form.field = [
            (errors.title.is_some(), Field::Title),
            (errors.description.is_some(), Field::Description),
            (errors.category.is_some(), Field::Category),
            (errors.priority.is_some(), Field::Priority),
        ]
        .into_iter()
        .find_map(|(bad, field)| bad.then_some(field))
        .unwrap_or(form.field);
        return vec![];
    };
    form.saving = true;
    let origins = Origins {
        category: event_source(form.category.origin),
        priority: event_source(form.priority.origin),
        suggested: form.offered,
    };
    let ticket =
        NewTicket { title, description, category, priority, status: None, created_at: None, assignee: None };
    vec![Effect::Save(ticket, origins)]
}

/// How the history records a selector's value.
fn event_source(origin: Origin) -> EventSource {
    match origin {
        Origin::Suggested { source, cached, .. } => source.event_source(cached),
        Origin::Unset | Origin::Manual => EventSource::Person,
    }
}

pub(super) fn on_saved(model: &mut Model, result: Result<Ticket, Failure>) -> Update {
    match result {
        Ok(ticket) => {
            // A fresh form, title focused, ready for the next ticket; a late
            // pause or suggestion for the old text is dropped by the generation.
            let generation = model.form.generation + 1;
            model.form = Form { generation, ..Form::default() };
            model.notice = Some(Notice::Saved { id: ticket.id });
            let keep = model.list.selected_ticket().map(|t| t.id);
            Update::changed(vec![
                paging::reload_list(&mut model.list, keep),
                Effect::LoadStats,
                Effect::Learn(ticket),
                Effect::SaveDraft(None),
                Effect::StopTimer(TimerKind::Pause),
            ])
        }
        Err(why) => {
            model.form.saving = false;
            model.notice = Some(Notice::NotSaved(why));
            Update::changed(vec![])
        }
    }
}

/// The form as a draft to keep on disk (the driver stamps the time).
fn save_draft(form: &Form) -> Effect {
    if form.is_blank() {
        return Effect::SaveDraft(None);
    }
    Effect::SaveDraft(Some(Draft {
        title: form.title_text(),
        description: form.description_text(),
        category: form.category.value,
        priority: form.priority.value,
        saved_at: String::new(),
    }))
}

fn next_field(field: Field, forward: bool) -> Option<Field> {
    let i = Field::ORDER.iter().position(|f| *f == field)?;
    if forward { Field::ORDER.get(i + 1).copied() } else { i.checked_sub(1).map(|j| Field::ORDER[j]) }
}
