//! The new-ticket form: typing, the selectors, saving, the draft kept on
//! disk, and suggestions.
//!
//! Every edit of the title or the description bumps the form's generation
//! and (re)starts the pause timer; only when the typing has paused does the
//! text go to the classifier (once there is a description) and to the store
//! for possible duplicates, once each. An edit while a classification runs
//! aborts it. A pause or an answer for an older generation is dropped here,
//! where the generation is kept.

use crossterm::event::{KeyCode, KeyEvent};

use super::super::draft::Draft;
use super::super::effect::{EditTarget, Effect, Timer, TimerKind};
use super::super::keymap::Action;
use super::super::model::{
    Choice, Detail, Failure, Field, FieldError, Form, FormErrors, Model, Notice, Origin, Overlay, Pane,
    Suggesting,
};
use super::{Update, editor_answer, focus_pane, next_pane, paging};
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
    if similarity_text(form).is_empty() {
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
        Action::OpenEditor if !form.saving => {
            form.field = Field::Description;
            let target = EditTarget::Description { generation: form.generation };
            vec![Effect::Edit { target, text: form.description_text() }]
        }
        Action::OpenDuplicate1 | Action::OpenDuplicate2 | Action::OpenDuplicate3 => {
            match action.duplicate_place().and_then(|place| form.duplicates.get(place)) {
                Some(ticket) => {
                    let id = ticket.id;
                    model.overlay = Some(Overlay::Detail(Detail::new(ticket.clone())));
                    vec![Effect::LoadDetail(id)]
                }
                None => vec![],
            }
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
            let mut effects = text_edited(form);
            effects.push(save_draft(form));
            effects
        }
        Field::Description if form.description.input(key) => {
            form.errors.description = None;
            let mut effects = text_edited(form);
            effects.push(save_draft(form));
            effects
        }
        // The cursor may have moved.
        Field::Title | Field::Description => vec![],
        Field::Category | Field::Priority => return Update::unchanged(),
    };
    Update::changed(effects)
}

/// A new generation of the draft: wait for the typing to pause before
/// asking for a suggestion and for duplicates, and abort a suggestion asked
/// for older text. A blank draft has no duplicates.
fn text_edited(form: &mut Form) -> Vec<Effect> {
    form.generation += 1;
    let mut effects = Vec::new();
    if form.suggesting == Suggesting::Thinking {
        effects.push(Effect::CancelClassify);
    }
    form.suggesting =
        if classification_text(form).is_empty() { Suggesting::Idle } else { Suggesting::Pausing };
    if similarity_text(form).is_empty() {
        form.duplicates.clear();
        effects.push(Effect::StopTimer(TimerKind::Pause));
    } else {
        effects.push(Effect::StartTimer(Timer::Pause { generation: form.generation }));
    }
    effects
}

/// The typing paused: the text goes to the classifier (once there is a
/// description) and to the store for duplicates, if it is still the text on
/// screen.
pub(super) fn on_timer(model: &mut Model, timer: Timer) -> Update {
    let Timer::Pause { generation } = timer;
    let form = &mut model.form;
    let similar = similarity_text(form);
    if generation != form.generation || similar.is_empty() {
        return Update::unchanged();
    }
    let mut effects = Vec::new();
    let text = classification_text(form);
    if !text.is_empty() {
        if form.suggesting == Suggesting::Pausing {
            form.suggesting = Suggesting::Thinking;
        }
        effects.push(Effect::Classify { generation, text });
    }
    effects.push(Effect::FindSimilar { generation, text: similar });
    Update::changed(effects)
}

/// Possible duplicates of the current draft; an answer for older text, or
/// one that failed (the list is a hint, never in the way), changes nothing
/// on screen beyond dropping a list that no longer fits the draft.
pub(super) fn on_similar(model: &mut Model, generation: u64, result: Result<Vec<Ticket>, Failure>) -> Update {
    let form = &mut model.form;
    if generation != form.generation {
        return Update::unchanged();
    }
    let mut found = result.unwrap_or_default();
    found.truncate(super::super::model::DUPLICATES_SHOWN);
    super::set(&mut form.duplicates, found)
}

/// The agent's editor gave the description back: it replaces the text on
/// screen as an edit would (a pause, a suggestion, duplicates, the draft).
/// An answer for a form since saved or cleared is dropped.
pub(super) fn on_edited(
    model: &mut Model,
    generation: u64,
    result: Result<Option<String>, Failure>,
) -> Update {
    if generation != model.form.generation {
        return Update::unchanged();
    }
    let Some(text) = editor_answer(model, result) else { return Update::changed(vec![]) };
    let form = &mut model.form;
    form.field = Field::Description;
    if text == form.description_text() {
        return Update::changed(vec![]);
    }
    form.replace_description(&text);
    form.errors.description = None;
    let mut effects = text_edited(form);
    effects.push(save_draft(form));
    Update::changed(effects)
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

/// What duplicates are looked for with: the title and the description,
/// either alone. Empty while both are blank.
fn similarity_text(form: &Form) -> String {
    format!("{}\n\n{}", form.title_text().trim(), form.description_text().trim()).trim().to_owned()
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
