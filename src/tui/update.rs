//! The pure core: `update(model, msg)` changes the model and returns what the
//! driver must do. No IO, no clock, no terminal: every transition is testable.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::draft::Draft;
use super::effect::Effect;
use super::keymap::{self, Action, Context};
use super::model::{
    Choice, Detail, Field, Form, FormErrors, Loading, Model, Notice, Origin, Overlay, Pane, StatusPicker,
    Suggesting,
};
use super::msg::Msg;
use super::ui::layout;
use super::window::{
    fill_window, keep_visible, load, move_selection, on_list_loaded, refresh_list, reload_list,
};
use crate::domain::ticket::{validate_description, validate_title};
use crate::domain::{Category, EventSource, NewTicket, Origins, Page, Priority, Status, Ticket};

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
    let when = draft.saved_at.get(11..16).unwrap_or("earlier");
    model.notice = Some(Notice {
        text: format!(
            "Your unsent ticket from {when} UTC is back in the form: n to finish it, Ctrl-L there to drop it"
        ),
        error: false,
    });
    form.generation += 1;
    let text = classification_text(form);
    if text.is_empty() { vec![] } else { vec![Effect::Classify { generation: form.generation, text }] }
}

/// The effects to run at start-up (after the first frame is painted).
pub fn init(model: &mut Model) -> Vec<Effect> {
    model.list.height = layout::list_rows(model.width, model.height);
    vec![reload_list(&mut model.list, None), Effect::LoadStats]
}

pub fn update(model: &mut Model, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(key) if key.kind == KeyEventKind::Release => vec![],
        Msg::Key(key) => {
            let effects = on_key(model, key);
            hold_writes_if_lost(model, effects)
        }
        Msg::Resize(width, height) => {
            model.width = width;
            model.height = height;
            model.list.height = layout::list_rows(width, height);
            keep_visible(&mut model.list);
            fill_window(&mut model.list)
        }
        Msg::Tick(now) => {
            model.now = now;
            vec![]
        }
        Msg::ListLoaded { generation, page, limit, reselect, result } => {
            if generation != model.list.generation {
                return vec![]; // superseded by a newer query
            }
            on_list_loaded(&mut model.list, page, limit, reselect, result)
        }
        Msg::StatsLoaded(result) => {
            model.stats = match result {
                Ok(stats) => Loading::Ready(stats),
                Err(e) => Loading::Failed(e),
            };
            vec![]
        }
        Msg::Saved(result) => on_saved(model, result),
        Msg::Changed(result) => on_changed(model, result),
        Msg::Noted(result) => {
            let sent = match &mut model.overlay {
                Some(Overlay::Detail(detail)) if detail.note_sending => Some(detail),
                _ => None,
            };
            match result {
                Ok(event) => {
                    if let Some(detail) = sent.filter(|d| d.ticket.id == event.ticket_id) {
                        detail.note = None;
                        detail.note_sending = false;
                    }
                    model.notice =
                        Some(Notice { text: format!("Note added to #{}", event.ticket_id), error: false });
                    vec![Effect::LoadDetail(event.ticket_id)]
                }
                // The note stays in its box: Enter sends it again, Esc drops it.
                Err(message) => {
                    if let Some(detail) = sent {
                        detail.note_sending = false;
                    }
                    model.notice = Some(Notice { text: format!("Note not saved: {message}"), error: true });
                    vec![]
                }
            }
        }
        Msg::DetailLoaded { id, result } => {
            if let Some(Overlay::Detail(detail)) = &mut model.overlay
                && detail.ticket.id == id
            {
                match result {
                    Ok((ticket, history)) => {
                        detail.ticket = ticket;
                        detail.history = Loading::Ready(history);
                    }
                    Err(message) => detail.history = Loading::Failed(message),
                }
            }
            vec![]
        }
        Msg::DatabaseChanged => {
            // Another agent committed: re-read what is on screen, keeping the
            // selection, its place on screen, the filters and the form.
            let mut effects = vec![refresh_list(&mut model.list), Effect::LoadStats];
            if let Some(Overlay::Detail(detail)) = &model.overlay {
                effects.push(Effect::LoadDetail(detail.ticket.id));
            }
            effects
        }
        Msg::DeskLost(reason) => {
            model.notice = Some(Notice { text: reason.clone(), error: true });
            model.desk_lost = Some(reason);
            vec![]
        }
        Msg::WriteBusy(busy) => {
            model.busy = busy;
            vec![]
        }
        Msg::Suggested { generation, suggestion } => {
            let form = &mut model.form;
            if generation == form.generation {
                form.category.suggest(
                    suggestion.category,
                    suggestion.source,
                    suggestion.confidence,
                    suggestion.cached,
                );
                form.priority.suggest(
                    suggestion.priority,
                    suggestion.source,
                    suggestion.confidence,
                    suggestion.cached,
                );
                form.errors.category = None;
                form.errors.priority = None;
                form.suggesting = Suggesting::Done(suggestion);
            }
            vec![]
        }
        Msg::ClassifierHealth(status) => {
            model.classifier = status;
            vec![]
        }
        Msg::Fatal(message) => {
            model.quitting = true;
            model.failure = Some(message);
            vec![Effect::Quit]
        }
    }
}

/// Which keys apply now.
pub fn context(model: &Model) -> Context {
    match &model.overlay {
        Some(Overlay::Help) => return Context::Help,
        Some(Overlay::Detail(detail)) if detail.note.is_some() => return Context::Note,
        Some(Overlay::Detail(_)) => return Context::Detail,
        Some(Overlay::StatusPicker(_)) => return Context::Picker,
        None => {}
    }
    match model.focus {
        Pane::Form if matches!(model.form.field, Field::Category | Field::Priority) => Context::Selector,
        Pane::Form => Context::Form,
        Pane::List if model.list.searching => Context::Search,
        Pane::List => Context::List,
        Pane::Stats => Context::Stats,
    }
}

fn on_key(model: &mut Model, key: KeyEvent) -> Vec<Effect> {
    if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
        model.quitting = true;
        return vec![Effect::Quit];
    }
    let context = context(model);
    match keymap::action(context, &key) {
        Some(action) => on_action(model, context, action),
        None => on_text(model, context, key),
    }
}

fn on_action(model: &mut Model, context: Context, action: Action) -> Vec<Effect> {
    model.notice = None;
    match action {
        Action::Quit => {
            model.quitting = true;
            vec![Effect::Quit]
        }
        Action::Help => {
            model.overlay = Some(Overlay::Help);
            vec![]
        }
        Action::Close if context == Context::Note => {
            if let Some(Overlay::Detail(detail)) = &mut model.overlay {
                detail.note = None;
                detail.note_sending = false;
            }
            vec![]
        }
        Action::Close => {
            model.overlay = None;
            vec![]
        }
        Action::NewTicket => {
            model.focus = Pane::Form;
            model.form.field = Field::Title;
            vec![]
        }
        Action::NextPane => {
            focus_pane(model, next_pane(model.focus, true), true);
            vec![]
        }
        Action::PrevPane => {
            focus_pane(model, next_pane(model.focus, false), false);
            vec![]
        }
        Action::ShowForm => {
            focus_pane(model, Pane::Form, true);
            vec![]
        }
        Action::ShowList => {
            focus_pane(model, Pane::List, true);
            vec![]
        }
        Action::ShowStats => {
            focus_pane(model, Pane::Stats, true);
            vec![]
        }
        Action::Down | Action::Up | Action::PageDown | Action::PageUp if context == Context::Detail => {
            scroll_detail(model, action);
            vec![]
        }
        Action::Down | Action::Up if context == Context::Picker => {
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
        Action::Down => move_selection(&mut model.list, 1),
        Action::Up => move_selection(&mut model.list, -1),
        Action::PageDown => {
            let step = model.list.height.max(1) as isize;
            move_selection(&mut model.list, step)
        }
        Action::PageUp => {
            let step = model.list.height.max(1) as isize;
            move_selection(&mut model.list, -step)
        }
        Action::Top => {
            if model.list.ends.newest {
                model.list.selected = 0;
                keep_visible(&mut model.list);
                vec![]
            } else {
                vec![reload_list(&mut model.list, None)]
            }
        }
        Action::Bottom => {
            if model.list.ends.oldest {
                model.list.selected = model.list.rows.len().saturating_sub(1);
                keep_visible(&mut model.list);
                vec![]
            } else {
                vec![load(&mut model.list, Page::Oldest, None)]
            }
        }
        Action::Open => match model.list.selected_ticket() {
            Some(ticket) => {
                let id = ticket.id;
                model.overlay = Some(Overlay::Detail(Detail::new(ticket.clone())));
                vec![Effect::LoadDetail(id)]
            }
            None => vec![],
        },
        Action::PickStatus => {
            let ticket = match &model.overlay {
                Some(Overlay::Detail(detail)) => Some(detail.ticket.clone()),
                _ => model.list.selected_ticket().cloned(),
            };
            if let Some(ticket) = ticket {
                let choice = Status::ALL.iter().position(|s| *s == ticket.status).unwrap_or(0);
                model.overlay = Some(Overlay::StatusPicker(StatusPicker { ticket, choice }));
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
        Action::Search => {
            model.list.searching = true;
            vec![]
        }
        Action::Take => {
            let ticket = match &model.overlay {
                Some(Overlay::Detail(detail)) => Some(&detail.ticket),
                _ => model.list.selected_ticket(),
            };
            match ticket {
                Some(t) if t.assignee.as_deref() == Some(model.list.me.as_str()) => {
                    model.notice = Some(Notice { text: format!("#{} is already yours", t.id), error: false });
                    vec![]
                }
                Some(t) => vec![Effect::Assign {
                    id: t.id,
                    assignee: Some(model.list.me.clone()),
                    version: t.version,
                }],
                None => vec![],
            }
        }
        Action::ToggleMine => {
            model.list.mine = !model.list.mine;
            vec![reload_list(&mut model.list, None)]
        }
        Action::AddNote => {
            if let Some(Overlay::Detail(detail)) = &mut model.overlay {
                detail.note = Some(String::new());
            }
            vec![]
        }
        Action::SaveNote => {
            let Some(Overlay::Detail(detail)) = &mut model.overlay else { return vec![] };
            let text = detail.note.clone().unwrap_or_default();
            if text.trim().is_empty() || detail.note_sending {
                return vec![];
            }
            detail.note_sending = true;
            vec![Effect::Note { id: detail.ticket.id, text }]
        }
        Action::LeaveSearch => {
            model.list.searching = false;
            vec![]
        }
        Action::ClearSearch => {
            model.list.search.clear();
            vec![reload_list(&mut model.list, None)]
        }
        Action::CycleCategory => {
            model.list.category = cycle(Category::ALL, model.list.category);
            vec![reload_list(&mut model.list, None)]
        }
        Action::CyclePriority => {
            model.list.priority = cycle(Priority::ALL, model.list.priority);
            vec![reload_list(&mut model.list, None)]
        }
        Action::CycleStatus => {
            model.list.status = cycle(Status::ALL, model.list.status);
            vec![reload_list(&mut model.list, None)]
        }
        Action::ClearFilters => {
            let list = &mut model.list;
            if !list.has_filters() {
                return vec![];
            }
            list.category = None;
            list.priority = None;
            list.status = None;
            list.search.clear();
            vec![reload_list(list, None)]
        }
        Action::NextField => {
            match next_field(model.form.field, true) {
                Some(field) => model.form.field = field,
                None => focus_pane(model, next_pane(Pane::Form, true), true),
            }
            vec![]
        }
        Action::PrevField => {
            match next_field(model.form.field, false) {
                Some(field) => model.form.field = field,
                None => focus_pane(model, next_pane(Pane::Form, false), false),
            }
            vec![]
        }
        Action::ChoiceNext | Action::ChoicePrev => {
            let forward = action == Action::ChoiceNext;
            let form = &mut model.form;
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
        Action::Submit => submit(&mut model.form),
        Action::ClearForm => {
            let generation = model.form.generation + 1;
            model.form = Form { generation, ..Form::default() };
            vec![Effect::Classify { generation, text: String::new() }, Effect::SaveDraft(None)]
        }
        Action::LeaveForm => {
            model.focus = Pane::List;
            vec![]
        }
    }
}

/// Once the desk is lost, no change leaves this screen (it would reach a file
/// nobody else sees): the form and a typed note stay as they are, and the
/// agent is told the change was not saved.
fn hold_writes_if_lost(model: &mut Model, effects: Vec<Effect>) -> Vec<Effect> {
    let Some(reason) = &model.desk_lost else { return effects };
    let (held, effects): (Vec<Effect>, Vec<Effect>) = effects.into_iter().partition(Effect::writes);
    if !held.is_empty() {
        model.form.saving = false;
        if let Some(Overlay::Detail(detail)) = &mut model.overlay {
            detail.note_sending = false;
        }
        model.notice = Some(Notice { text: format!("Not saved: {reason}"), error: true });
    }
    effects
}

/// Keys that are not commands: typing in the form or the search box.
fn on_text(model: &mut Model, context: Context, key: KeyEvent) -> Vec<Effect> {
    match context {
        Context::Note => {
            if let Some(Overlay::Detail(Detail { note: Some(note), .. })) = &mut model.overlay {
                match key.code {
                    KeyCode::Char(c)
                        if !key.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
                    {
                        note.push(c)
                    }
                    KeyCode::Backspace => {
                        note.pop();
                    }
                    _ => {}
                }
            }
            vec![]
        }
        Context::Search => {
            let list = &mut model.list;
            match key.code {
                KeyCode::Char(c) if !key.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) => {
                    list.search.push(c)
                }
                KeyCode::Backspace if list.search.pop().is_some() => {}
                _ => return vec![],
            }
            vec![reload_list(list, None)]
        }
        Context::Form => {
            let form = &mut model.form;
            match form.field {
                Field::Title => {
                    // One line: Enter moves on instead of breaking it.
                    if key.code == KeyCode::Enter {
                        form.field = Field::Description;
                        return vec![];
                    }
                    if form.title.input(key) {
                        form.errors.title = None;
                        return vec![save_draft(form)];
                    }
                    vec![]
                }
                Field::Description => {
                    if !form.description.input(key) {
                        return vec![];
                    }
                    form.errors.description = None;
                    form.generation += 1;
                    let text = classification_text(form);
                    form.suggesting =
                        if text.trim().is_empty() { Suggesting::Idle } else { Suggesting::Thinking };
                    vec![Effect::Classify { generation: form.generation, text }, save_draft(form)]
                }
                Field::Category | Field::Priority => vec![],
            }
        }
        _ => vec![],
    }
}

/// What the classifier reads: the description, with the title for context.
/// Empty while the description is, so a title alone asks for nothing.
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
    form.errors = FormErrors {
        title: title.as_ref().err().map(|e| e.message.clone()),
        description: description.as_ref().err().map(|e| e.message.clone()),
        category: form.category.value.is_none().then(|| "choose a category (← →)".to_owned()),
        priority: form.priority.value.is_none().then(|| "choose a priority (← →)".to_owned()),
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
    };
    let ticket =
        NewTicket { title, description, category, priority, status: None, created_at: None, assignee: None };
    vec![Effect::Save(ticket, origins)]
}

fn on_saved(model: &mut Model, result: Result<Ticket, String>) -> Vec<Effect> {
    match result {
        Ok(ticket) => {
            // A fresh form, title focused, ready for the next ticket; a late
            // suggestion for the old text is dropped by the generation.
            let generation = model.form.generation + 1;
            model.form = Form { generation, ..Form::default() };
            model.notice = Some(Notice { text: format!("Saved #{}", ticket.id), error: false });
            let keep = model.list.selected_ticket().map(|t| t.id);
            vec![
                reload_list(&mut model.list, keep),
                Effect::LoadStats,
                Effect::Learn(ticket),
                Effect::SaveDraft(None),
            ]
        }
        Err(message) => {
            model.form.saving = false;
            model.notice = Some(Notice { text: format!("Not saved: {message}"), error: true });
            vec![]
        }
    }
}

fn on_changed(model: &mut Model, result: Result<Ticket, String>) -> Vec<Effect> {
    let mut effects = vec![refresh_list(&mut model.list), Effect::LoadStats];
    match result {
        Ok(ticket) => {
            let text = match (&ticket.assignee, ticket.status) {
                (Some(who), _) if who == &model.list.me => {
                    format!("#{} is yours, {}", ticket.id, ticket.status)
                }
                _ => format!("#{} is now {}", ticket.id, ticket.status),
            };
            model.notice = Some(Notice { text, error: false });
        }
        // Refused, most likely because another agent changed the ticket first:
        // say who, and show the ticket as it now is rather than overwrite it.
        Err(message) => model.notice = Some(Notice { text: message, error: true }),
    }
    if let Some(Overlay::Detail(detail)) = &model.overlay {
        effects.push(Effect::LoadDetail(detail.ticket.id));
    }
    effects
}

/// How the history records a selector's value.
fn event_source(origin: Origin) -> EventSource {
    match origin {
        Origin::Suggested { source, cached, .. } => source.event_source(cached),
        Origin::Unset | Origin::Manual => EventSource::Person,
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

fn focus_pane(model: &mut Model, pane: Pane, forward: bool) {
    model.focus = pane;
    model.list.searching = false;
    if pane == Pane::Form {
        model.form.field = if forward { Field::Title } else { Field::Priority };
    }
}

fn next_pane(pane: Pane, forward: bool) -> Pane {
    let i = Pane::ALL.iter().position(|p| *p == pane).unwrap_or(0);
    let n = Pane::ALL.len();
    Pane::ALL[if forward { (i + 1) % n } else { (i + n - 1) % n }]
}

fn next_field(field: Field, forward: bool) -> Option<Field> {
    let i = Field::ORDER.iter().position(|f| *f == field)?;
    if forward { Field::ORDER.get(i + 1).copied() } else { i.checked_sub(1).map(|j| Field::ORDER[j]) }
}

fn cycle<T: Copy + PartialEq>(all: &[T], current: Option<T>) -> Option<T> {
    match current.and_then(|c| all.iter().position(|x| *x == c)) {
        None => all.first().copied(),
        Some(i) => all.get(i + 1).copied(),
    }
}

fn scroll_detail(model: &mut Model, action: Action) {
    let page = layout::list_rows(model.width, model.height).max(1) as u16;
    if let Some(Overlay::Detail(detail)) = &mut model.overlay {
        detail.scroll = match action {
            Action::Down => detail.scroll.saturating_add(1),
            Action::Up => detail.scroll.saturating_sub(1),
            Action::PageDown => detail.scroll.saturating_add(page),
            _ => detail.scroll.saturating_sub(page),
        };
    }
}

#[cfg(test)]
#[path = "update_tests.rs"]
mod tests;
