//! Every transition of the pure core, without a terminal or a runtime.

mod duplicates;
mod editing;
mod pause;
mod samples;
mod typeahead;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use time::macros::datetime;

use super::*;
use crate::classify::{Confidence, Source, Suggestion};
use crate::domain::filter::OneOf;
use crate::domain::{Category, EventSource, NewTicket, Page, Priority, Status, Ticket};
use crate::store::BulkChange;
use crate::store::StoreError;
use crate::tui::effect::{Timer, TimerKind};
use crate::tui::model::{BulkPrompt, ViewPicker};
use crate::tui::model::{Failure, Field, Origin, StatsView, Suggesting};
use crate::tui::msg::{Change, ChangeRefused};
use crate::tui::ui::notice_text;

/// A model as the app has it after its first frame: sized, loading.
fn model() -> Model {
    let mut m = Model::new("test.db".into(), datetime!(2026-11-24 12:00 UTC), false);
    update(&mut m, Msg::Resize(120, 35));
    let _ = init(&mut m);
    m
}

fn key(m: &mut Model, code: KeyCode) -> Vec<Effect> {
    update(m, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))).effects
}

fn ctrl(m: &mut Model, c: char) -> Vec<Effect> {
    update(m, Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))).effects
}

/// The notice as the status line words it.
fn notice(m: &Model) -> String {
    notice_text(m.notice.as_ref().expect("a notice"), &m.keys)
}

/// A failure as the store reports it.
fn busy() -> Failure {
    StoreError::Busy { waited: std::time::Duration::from_secs(10) }.into()
}

fn typed(m: &mut Model, text: &str) -> Vec<Effect> {
    text.chars().flat_map(|c| key(m, KeyCode::Char(c))).collect()
}

fn ticket(id: i64, status: Status) -> Ticket {
    Ticket {
        id,
        title: format!("ticket {id}"),
        description: "d".into(),
        category: Category::Billing,
        priority: Priority::Low,
        status,
        created_at: format!("2026-11-{:02}T10:00:00.000Z", 1 + (id % 28)),
        updated_at: "2026-11-24T10:00:00.000Z".into(),
        assignee: None,
        version: 1,
    }
}

fn suggestion(category: Category, priority: Priority) -> Suggestion {
    Suggestion {
        category,
        priority,
        source: Source::Claude,
        cached: false,
        confidence: Confidence::High,
        reason: "because".into(),
        fallback_reason: None,
    }
}

/// Loads `n` rows (newest id first) as the reply to the last list query.
fn load_rows(m: &mut Model, n: i64, limit: usize) {
    let rows: Vec<Ticket> = (1..=n).rev().map(|id| ticket(id, Status::Open)).collect();
    let generation = m.list.generation;
    update(m, Msg::ListLoaded { generation, page: Page::Newest, limit, reselect: None, result: Ok(rows) });
}

#[test]
fn starts_on_the_list_and_loads_after_the_first_frame() {
    let mut m = Model::new("x".into(), datetime!(2026-11-24 12:00 UTC), true);
    let effects = init(&mut m);
    assert_eq!(m.focus, Pane::List);
    assert!(matches!(&effects[0], Effect::LoadList { page: Page::Newest, .. }));
    assert_eq!(effects[1], Effect::LoadStats);
}

#[test]
fn n_opens_the_form_on_the_title_and_letters_are_text_there() {
    let mut m = model();
    key(&mut m, KeyCode::Char('n'));
    assert_eq!((m.focus, m.form.field), (Pane::Form, Field::Title));
    let effects = typed(&mut m, "q?x");
    // The draft is kept, and a pause (for possible duplicates) begins: nothing else.
    assert!(
        effects
            .iter()
            .all(|e| matches!(e, Effect::SaveDraft(Some(_)) | Effect::StartTimer(Timer::Pause { .. }))),
        "{effects:?}"
    );
    assert!(!m.quitting, "q is a letter in the form");
    assert_eq!(m.overlay, None, "? is a letter in the form");
    assert_eq!(m.form.title_text(), "q?x");
}

#[test]
fn esc_leaves_the_form_and_keeps_the_draft() {
    let mut m = model();
    key(&mut m, KeyCode::Char('n'));
    typed(&mut m, "Half typed");
    key(&mut m, KeyCode::Esc);
    assert_eq!(m.focus, Pane::List);
    key(&mut m, KeyCode::Char('n'));
    assert_eq!(m.form.title_text(), "Half typed");
}

#[test]
fn tab_walks_the_fields_then_the_panes_and_never_types_a_tab() {
    let mut m = model();
    key(&mut m, KeyCode::Char('n'));
    let mut seen = vec![m.form.field];
    for _ in 0..3 {
        key(&mut m, KeyCode::Tab);
        seen.push(m.form.field);
    }
    assert_eq!(seen, Field::ORDER);
    assert!(m.form.description.lines().iter().all(|l| !l.contains('\t')));
    key(&mut m, KeyCode::Tab);
    assert_eq!(m.focus, Pane::List, "past the last field: the next pane");
    key(&mut m, KeyCode::BackTab);
    assert_eq!((m.focus, m.form.field), (Pane::Form, Field::Priority));
    key(&mut m, KeyCode::BackTab);
    assert_eq!(m.form.field, Field::Category);
}

#[test]
fn enter_in_the_title_moves_to_the_description() {
    let mut m = model();
    key(&mut m, KeyCode::Char('n'));
    typed(&mut m, "One line");
    key(&mut m, KeyCode::Enter);
    assert_eq!(m.form.field, Field::Description);
    assert_eq!(m.form.title.lines().len(), 1);
}

#[test]
fn description_edits_start_the_pause_with_a_new_generation() {
    let mut m = model();
    key(&mut m, KeyCode::Char('n'));
    typed(&mut m, "Refund");
    key(&mut m, KeyCode::Tab);
    let before = m.form.generation;
    let effects = typed(&mut m, "ab");
    let drafts: Vec<&Effect> = effects.iter().filter(|e| matches!(e, Effect::SaveDraft(_))).collect();
    assert!(
        matches!(drafts.last(), Some(Effect::SaveDraft(Some(d))) if d.description == "ab" && d.title == "Refund"),
        "every edit keeps the draft: {drafts:?}"
    );
    let generations: Vec<u64> = effects
        .iter()
        .filter(|e| !matches!(e, Effect::SaveDraft(_)))
        .map(|e| match e {
            Effect::StartTimer(Timer::Pause { generation }) => *generation,
            other => panic!("no text leaves before the pause: {other:?}"),
        })
        .collect();
    assert_eq!(generations, [before + 1, before + 2]);
    assert!(m.form.suggesting.is_thinking());
    // The pause for the latest text sends it, with the title for context,
    // and looks for tickets like it.
    let generation = before + 2;
    let fired = update(&mut m, Msg::TimerFired(Timer::Pause { generation })).effects;
    let text = "Refund\n\nab".to_owned();
    assert_eq!(
        fired,
        [Effect::Classify { generation, text: text.clone() }, Effect::FindSimilar { generation, text }]
    );
    assert_eq!(m.form.suggesting, Suggesting::Thinking);
}

#[test]
fn a_suggestion_fills_only_what_the_agent_did_not_set() {
    let mut m = model();
    key(&mut m, KeyCode::Char('n'));
    key(&mut m, KeyCode::Tab);
    typed(&mut m, "charged twice");
    // The agent picks a priority by hand first.
    key(&mut m, KeyCode::Tab);
    key(&mut m, KeyCode::Tab);
    key(&mut m, KeyCode::Right);
    assert_eq!(m.form.priority.value, Some(Priority::Low));
    let generation = m.form.generation;
    update(&mut m, Msg::Suggested { generation, suggestion: suggestion(Category::Billing, Priority::High) });
    assert_eq!(m.form.category.value, Some(Category::Billing));
    assert!(matches!(m.form.category.origin, Origin::Suggested { source: Source::Claude, .. }));
    assert_eq!(m.form.priority.value, Some(Priority::Low), "hand choice kept");
    assert_eq!(m.form.priority.hint, Some(Priority::High), "suggestion shown as a hint");
    // A later suggestion never overrides the hand choice either.
    update(
        &mut m,
        Msg::Suggested { generation, suggestion: suggestion(Category::Billing, Priority::Critical) },
    );
    assert_eq!(m.form.priority.value, Some(Priority::Low));
}

#[test]
fn a_stale_suggestion_is_dropped() {
    let mut m = model();
    key(&mut m, KeyCode::Char('n'));
    key(&mut m, KeyCode::Tab);
    typed(&mut m, "abc");
    let stale = m.form.generation - 1;
    update(
        &mut m,
        Msg::Suggested { generation: stale, suggestion: suggestion(Category::Account, Priority::Low) },
    );
    assert_eq!(m.form.category.value, None);
    assert!(m.form.suggesting.is_thinking());
}

#[test]
fn submitting_an_incomplete_form_shows_inline_errors_and_writes_nothing() {
    let mut m = model();
    key(&mut m, KeyCode::Char('n'));
    typed(&mut m, "Title only");
    let effects = ctrl(&mut m, 's');
    assert!(effects.is_empty());
    assert!(m.form.errors.description.is_some());
    assert!(m.form.errors.category.is_some() && m.form.errors.priority.is_some());
    assert_eq!(m.form.field, Field::Description, "the first bad field gets focus");
}

#[test]
fn a_valid_form_saves_then_clears_for_the_next_ticket() {
    let mut m = model();
    key(&mut m, KeyCode::Char('n'));
    typed(&mut m, "  Printer on fire ");
    key(&mut m, KeyCode::Tab);
    typed(&mut m, "Smoke everywhere");
    key(&mut m, KeyCode::Tab);
    key(&mut m, KeyCode::Right);
    key(&mut m, KeyCode::Tab);
    key(&mut m, KeyCode::Left);
    let effects = ctrl(&mut m, 's');
    let [Effect::Save(ticket, origins)] = effects.as_slice() else { panic!("{effects:?}") };
    assert_eq!(ticket.title, "Printer on fire");
    assert_eq!(*origins, crate::domain::Origins::PERSON, "both selectors set by hand");
    assert_eq!((ticket.category, ticket.priority), (Category::Billing, Priority::Critical));
    assert!(ctrl(&mut m, 's').is_empty(), "no double submit while saving");

    let saved = ticket_from(ticket, 42);
    let effects = update(&mut m, Msg::Saved(Ok(saved.clone()))).effects;
    assert!(m.form.is_blank());
    assert_eq!((m.focus, m.form.field), (Pane::Form, Field::Title));
    assert!(matches!(&effects[0], Effect::LoadList { page: Page::Newest, .. }));
    assert_eq!(effects[1], Effect::LoadStats);
    assert_eq!(effects[2], Effect::Learn(saved));
}

fn ticket_from(new: &NewTicket, id: i64) -> Ticket {
    Ticket {
        id,
        title: new.title.clone(),
        description: new.description.clone(),
        category: new.category,
        priority: new.priority,
        status: Status::Open,
        created_at: "2026-11-24T12:00:00.000Z".into(),
        updated_at: "2026-11-24T12:00:00.000Z".into(),
        assignee: None,
        version: 1,
    }
}

#[test]
fn a_failed_save_keeps_the_form() {
    let mut m = model();
    key(&mut m, KeyCode::Char('n'));
    typed(&mut m, "Keep me");
    m.form.saving = true;
    update(&mut m, Msg::Saved(Err(busy())));
    assert_eq!(m.form.title_text(), "Keep me");
    assert!(!m.form.saving);
    assert!(m.notice.as_ref().unwrap().is_error());
    assert!(notice(&m).starts_with("Not saved: the database is busy"), "{}", notice(&m));
}

#[test]
fn ctrl_l_clears_the_form_and_outdates_pending_suggestions() {
    let mut m = model();
    key(&mut m, KeyCode::Char('n'));
    key(&mut m, KeyCode::Tab);
    typed(&mut m, "text");
    let old = m.form.generation;
    let effects = ctrl(&mut m, 'l');
    assert!(m.form.is_blank());
    assert_eq!(m.form.generation, old + 1);
    assert_eq!(
        effects,
        [Effect::StopTimer(TimerKind::Pause), Effect::CancelClassify, Effect::SaveDraft(None)]
    );
    let late_pause = update(&mut m, Msg::TimerFired(Timer::Pause { generation: old }));
    assert_eq!(late_pause, Update::unchanged());
    update(
        &mut m,
        Msg::Suggested { generation: old, suggestion: suggestion(Category::Billing, Priority::Low) },
    );
    assert_eq!(m.form.category.value, None);
}

#[test]
fn filters_cycle_compose_and_clear() {
    let mut m = model();
    let effects = key(&mut m, KeyCode::Char('c'));
    let [Effect::LoadList { filter, .. }] = effects.as_slice() else { panic!("{effects:?}") };
    assert_eq!(filter.categories, OneOf::of(&[Category::Billing]));
    key(&mut m, KeyCode::Char('c'));
    assert_eq!(m.list.category, Some(Category::Technical));
    key(&mut m, KeyCode::Char('t'));
    let effects = key(&mut m, KeyCode::Char('p'));
    let [Effect::LoadList { filter, .. }] = effects.as_slice() else { panic!() };
    assert_eq!(
        (filter.categories, filter.priorities, filter.statuses),
        (OneOf::of(&[Category::Technical]), OneOf::of(&[Priority::Low]), OneOf::of(&[Status::Open]))
    );
    for _ in 0..3 {
        key(&mut m, KeyCode::Char('c'));
    }
    assert_eq!(m.list.category, None, "cycles back to any");
    key(&mut m, KeyCode::Char('x'));
    assert!(!m.list.has_filters());
}

#[test]
fn the_search_box_speaks_the_query_language_and_keeps_the_last_good_rows_through_a_mistake() {
    let mut m = model();
    m.list.me = "alice".into();
    key(&mut m, KeyCode::Char('/'));
    let effects = typed(&mut m, "pri:>=high");
    let Some(Effect::LoadList { filter, .. }) = effects.last() else { panic!("{effects:?}") };
    assert_eq!(filter.priorities, OneOf::of(&[Priority::High, Priority::Critical]));
    load_rows(&mut m, 3, 50);
    typed(&mut m, " assignee:me st");
    load_rows(&mut m, 3, 50);
    // A qualifier being typed: each prefix that cannot be read yet is an
    // error shown under the box, and the rows on screen stay.
    let effects = typed(&mut m, ":cl");
    assert!(!effects.iter().any(|e| matches!(e, Effect::LoadList { .. })), "{effects:?}");
    let error = m.list.query_error.clone().expect("st:cl cannot be read");
    assert_eq!(&m.list.search[error.span.clone()], "cl");
    assert_eq!(m.list.rows.len(), 3, "the last good result stays");
    let effects = typed(&mut m, "osed");
    assert!(m.list.query_error.is_none());
    let Some(Effect::LoadList { filter, .. }) = effects.last() else { panic!("{effects:?}") };
    assert_eq!(filter.statuses, OneOf::of(&[Status::Closed]));
    assert_eq!(filter.assigned, [crate::domain::Assigned::To("alice".into())]);
    // A space or a word the query already meant asks nothing new.
    assert!(typed(&mut m, " ").is_empty());
}

#[test]
fn search_filters_live_and_stale_results_are_dropped() {
    let mut m = model();
    key(&mut m, KeyCode::Char('/'));
    let effects = typed(&mut m, "ref");
    assert_eq!(effects.len(), 3);
    let Effect::LoadList { generation: last, filter, .. } = effects.last().unwrap().clone() else { panic!() };
    assert!(filter.search.is_some());
    // An answer to "re" arrives after "ref" was sent: ignored.
    update(
        &mut m,
        Msg::ListLoaded {
            generation: last - 1,
            page: Page::Newest,
            limit: 50,
            reselect: None,
            result: Ok(vec![ticket(1, Status::Open)]),
        },
    );
    assert!(m.list.rows.is_empty());
    update(
        &mut m,
        Msg::ListLoaded {
            generation: last,
            page: Page::Newest,
            limit: 50,
            reselect: None,
            result: Ok(vec![ticket(2, Status::Open)]),
        },
    );
    assert_eq!(m.list.rows[0].id, 2);
    // Letters are text in the box, so 'q' does not quit; Enter leaves, keeping the search.
    typed(&mut m, "q");
    assert!(!m.quitting);
    key(&mut m, KeyCode::Enter);
    assert!(!m.list.searching);
    assert_eq!(m.list.search, "refq");
    key(&mut m, KeyCode::Char('x'));
    assert_eq!(m.list.search, "");
}

#[test]
fn the_status_picker_changes_the_selected_ticket() {
    let mut m = model();
    load_rows(&mut m, 3, 50);
    key(&mut m, KeyCode::Char('j'));
    key(&mut m, KeyCode::Char('s'));
    let Some(Overlay::StatusPicker(picker)) = &m.overlay else { panic!("{:?}", m.overlay) };
    assert_eq!((picker.ticket.id, picker.choice), (2, 0));
    key(&mut m, KeyCode::Down);
    let effects = key(&mut m, KeyCode::Enter);
    assert_eq!(effects, [Effect::SetStatus { id: 2, status: Status::InProgress, version: 1 }]);
    assert_eq!(m.overlay, None);
    let effects = update(&mut m, Msg::Changed(Ok(ticket(2, Status::InProgress)))).effects;
    assert!(matches!(&effects[0], Effect::LoadList { reselect: Some(2), .. }));
}

#[test]
fn enter_opens_the_detail_and_esc_closes_it() {
    let mut m = model();
    load_rows(&mut m, 2, 50);
    key(&mut m, KeyCode::Enter);
    assert!(matches!(&m.overlay, Some(Overlay::Detail(d)) if d.ticket.id == 2));
    key(&mut m, KeyCode::Down);
    assert!(matches!(&m.overlay, Some(Overlay::Detail(d)) if d.scroll == 1));
    key(&mut m, KeyCode::Esc);
    assert_eq!(m.overlay, None);
}

#[test]
fn q_quits_from_the_list_and_ctrl_c_from_anywhere() {
    let mut m = model();
    assert_eq!(key(&mut m, KeyCode::Char('q')), [Effect::Quit]);
    let mut m = model();
    key(&mut m, KeyCode::Char('n'));
    assert_eq!(ctrl(&mut m, 'c'), [Effect::Quit]);
    assert!(m.quitting);
}

#[test]
fn help_opens_and_closes() {
    let mut m = model();
    key(&mut m, KeyCode::Char('?'));
    assert_eq!(m.overlay, Some(Overlay::Help));
    assert!(key(&mut m, KeyCode::Char('j')).is_empty(), "keys go to the overlay");
    key(&mut m, KeyCode::Esc);
    assert_eq!(m.overlay, None);
}

#[test]
fn moving_near_the_end_of_the_window_loads_older_rows() {
    let mut m = model();
    m.list.height = 10;
    load_rows(&mut m, 30, 30);
    assert!(!m.list.ends.oldest, "a full page means there may be more");
    let effects = key(&mut m, KeyCode::PageDown);
    let effects = if effects.is_empty() { key(&mut m, KeyCode::PageDown) } else { effects };
    let [Effect::LoadList { page: Page::Older(cursor), generation, limit, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(cursor.id, 1, "after the last row held");
    let older: Vec<Ticket> = (0..5).map(|i| ticket(-i, Status::Open)).collect();
    update(
        &mut m,
        Msg::ListLoaded {
            generation: *generation,
            page: Page::Older(cursor.clone()),
            limit: *limit,
            reselect: None,
            result: Ok(older),
        },
    );
    assert_eq!(m.list.rows.len(), 35);
    assert!(m.list.ends.oldest, "a short page is the end");
    assert!(m.list.top <= m.list.selected && m.list.selected < m.list.top + 10, "selection on screen");
}

#[test]
fn narrow_screens_switch_tabs_with_numbers() {
    let mut m = model();
    update(&mut m, Msg::Resize(80, 24));
    key(&mut m, KeyCode::Char('3'));
    assert_eq!(m.focus, Pane::Stats);
    key(&mut m, KeyCode::Char('1'));
    assert_eq!(m.focus, Pane::Form);
    update(&mut m, Msg::StatsLoaded(Ok(StatsView { stats: Default::default(), per_day: vec![0; 30] })));
    assert!(matches!(m.stats, Loading::Ready(_)));
}

#[test]
fn a_background_failure_ends_the_app() {
    let mut m = model();
    assert_eq!(update(&mut m, Msg::Fatal("internal error: boom".into())).effects, [Effect::Quit]);
    assert!(m.quitting);
    assert_eq!(m.failure.as_deref(), Some("internal error: boom"));
}

#[test]
fn another_agents_commit_refreshes_in_place() {
    let mut m = model();
    m.list.height = 10;
    load_rows(&mut m, 5, 50);
    key(&mut m, KeyCode::Char('j'));
    key(&mut m, KeyCode::Char('j'));
    let (selected_id, offset) = (m.list.selected_ticket().unwrap().id, m.list.selected - m.list.top);
    let effects = update(&mut m, Msg::DatabaseChanged).effects;
    let [Effect::LoadList { generation, page: Page::Newest, reselect, limit, .. }, Effect::LoadStats] =
        effects.as_slice()
    else {
        panic!("{effects:?}")
    };
    assert_eq!(*reselect, Some(selected_id));
    // Another agent added #6 on top: the same ticket stays selected, at the same place on screen.
    let rows: Vec<Ticket> = (1..=6).rev().map(|id| ticket(id, Status::Open)).collect();
    update(
        &mut m,
        Msg::ListLoaded {
            generation: *generation,
            page: Page::Newest,
            limit: *limit,
            reselect: *reselect,
            result: Ok(rows),
        },
    );
    assert_eq!(m.list.rows.len(), 6);
    assert_eq!(m.list.selected_ticket().unwrap().id, selected_id);
    assert_eq!(m.list.selected - m.list.top, offset);
}

#[test]
fn a_conflict_says_who_and_shows_the_new_state() {
    let mut m = model();
    load_rows(&mut m, 2, 50);
    key(&mut m, KeyCode::Enter);
    let conflict = StoreError::Conflict {
        id: 2,
        by: "bob".into(),
        at: "2026-11-24T11:59:40.000Z".into(),
        current: 3,
        seen: 1,
    };
    let refused =
        ChangeRefused { change: Change::Status { id: 2, status: Status::Closed }, why: conflict.into() };
    let effects = update(&mut m, Msg::Changed(Err(refused.clone()))).effects;
    assert_eq!(m.notice, Some(Notice::NotChanged(refused)));
    assert!(m.notice.as_ref().unwrap().is_error());
    let said = notice(&m);
    assert!(said.starts_with("#2 not set to closed: #2 was changed by bob "), "{said}");
    assert!(said.ends_with("(now version 3; you had version 1)"), "{said}");
    assert!(matches!(effects[0], Effect::LoadList { .. }));
    assert_eq!(effects[1], Effect::LoadStats);
    assert_eq!(effects[2], Effect::LoadDetail(2), "the detail shows the ticket as it now is");
}

#[test]
fn take_mine_and_notes_from_the_keys() {
    let mut m = model();
    m.list.me = "alice".into();
    load_rows(&mut m, 2, 50);
    assert_eq!(
        key(&mut m, KeyCode::Char('a')),
        [Effect::Assign { id: 2, assignee: Some("alice".into()), version: 1 }]
    );
    let effects = key(&mut m, KeyCode::Char('m'));
    let [Effect::LoadList { filter, .. }] = effects.as_slice() else { panic!("{effects:?}") };
    assert_eq!(filter.assigned, [crate::domain::Assigned::To("alice".into())]);
    key(&mut m, KeyCode::Char('m'));
    load_rows(&mut m, 2, 50);
    key(&mut m, KeyCode::Enter);
    key(&mut m, KeyCode::Char('N'));
    assert_eq!(m.context(), Context::Note);
    typed(&mut m, "q called back");
    assert!(!m.quitting, "letters are text in the note box");
    let effects = key(&mut m, KeyCode::Enter);
    assert_eq!(effects, [Effect::Note { id: 2, text: "q called back".into() }]);
    assert!(key(&mut m, KeyCode::Enter).is_empty(), "no second send while the first is on its way");
    update(&mut m, Msg::Noted(Ok(note_event(2, "q called back"))));
    assert_eq!(m.context(), Context::Detail, "the box closes once the note is saved");
    assert_eq!(notice(&m), "Note added to #2");
}

fn note_event(ticket_id: i64, text: &str) -> crate::domain::Event {
    crate::domain::Event {
        id: 1,
        ticket_id,
        at: "2026-11-24T12:00:00.000Z".into(),
        actor: "alice".into(),
        field: crate::domain::EventField::Note,
        old_value: None,
        new_value: Some(text.into()),
        source: EventSource::Person,
    }
}

#[test]
fn a_refused_note_stays_in_its_box_to_send_again() {
    let mut m = model();
    load_rows(&mut m, 2, 50);
    key(&mut m, KeyCode::Enter);
    key(&mut m, KeyCode::Char('N'));
    typed(&mut m, "called back");
    key(&mut m, KeyCode::Enter);
    update(&mut m, Msg::Noted(Err(busy())));
    assert_eq!(m.context(), Context::Note);
    let Some(Overlay::Detail(detail)) = &m.overlay else { panic!("detail closed") };
    assert_eq!(detail.note.as_deref(), Some("called back"));
    assert!(m.notice.as_ref().unwrap().is_error());
    assert!(notice(&m).starts_with("Note not saved: the database is busy"));
    assert_eq!(key(&mut m, KeyCode::Enter), [Effect::Note { id: 2, text: "called back".into() }]);
}

#[test]
fn a_lost_desk_holds_every_change_on_screen() {
    let mut m = model();
    load_rows(&mut m, 2, 50);
    update(&mut m, Msg::DeskLost(Failure::new(std::io::Error::other("its write-ahead log was deleted"))));
    assert!(m.notice.as_ref().unwrap().is_error());
    // A new ticket: nothing is sent, the form keeps every word.
    key(&mut m, KeyCode::Char('n'));
    typed(&mut m, "Printer on fire");
    key(&mut m, KeyCode::Tab);
    typed(&mut m, "Smoke");
    key(&mut m, KeyCode::Tab);
    key(&mut m, KeyCode::Right);
    key(&mut m, KeyCode::Tab);
    key(&mut m, KeyCode::Right);
    let effects = ctrl(&mut m, 's');
    assert!(!effects.iter().any(Effect::writes), "{effects:?}");
    assert!(!m.form.saving);
    assert_eq!(m.form.title_text(), "Printer on fire");
    assert!(notice(&m).starts_with("Not saved: its write-ahead log"));
    // Taking a ticket and a note are held too; the note stays in its box.
    key(&mut m, KeyCode::Esc);
    assert!(key(&mut m, KeyCode::Char('a')).is_empty());
    key(&mut m, KeyCode::Enter);
    key(&mut m, KeyCode::Char('N'));
    typed(&mut m, "called back");
    assert!(key(&mut m, KeyCode::Enter).is_empty());
    let Some(Overlay::Detail(detail)) = &m.overlay else { panic!("detail closed") };
    assert_eq!((detail.note.as_deref(), detail.note_sending), (Some("called back"), false));
}

#[test]
fn only_what_changes_the_model_asks_for_a_frame() {
    let mut m = model();
    load_rows(&mut m, 3, 50);
    let release = KeyEvent::new_with_kind(KeyCode::Char('j'), KeyModifiers::NONE, KeyEventKind::Release);
    assert_eq!(update(&mut m, Msg::Key(release)), Update::unchanged(), "a key released");
    assert_eq!(
        update(&mut m, Msg::Key(KeyEvent::from(KeyCode::Char('z')))),
        Update::unchanged(),
        "an unbound key"
    );
    let stale = Msg::ListLoaded {
        generation: m.list.generation - 1,
        page: Page::Newest,
        limit: 50,
        reselect: None,
        result: Ok(vec![]),
    };
    assert_eq!(update(&mut m, stale), Update::unchanged(), "an answer nobody waits for");
    assert_eq!(update(&mut m, Msg::WriteBusy(false)), Update::unchanged(), "no news");
    let health = Msg::ClassifierHealth(m.classifier.clone());
    assert_eq!(update(&mut m, health), Update::unchanged());
    let detail = Msg::DetailLoaded { id: 2, result: Err(busy()) };
    assert_eq!(update(&mut m, detail), Update::unchanged(), "no detail open");
    assert!(update(&mut m, Msg::WriteBusy(true)).changed);
    assert!(update(&mut m, Msg::Key(KeyEvent::from(KeyCode::Char('j')))).changed);
}

fn with_views(m: &mut Model) {
    let views = crate::config::views::views(true, &Default::default());
    let now = m.now;
    super::views::set_views(&mut m.list, views, now);
}

#[test]
fn views_switch_with_brackets_and_narrow_the_list() {
    let mut m = model();
    m.list.me = "alice".into();
    with_views(&mut m);
    assert_eq!(m.list.views[m.list.view.unwrap()].name, "All", "the whole desk first, as without views");
    let effects = key(&mut m, KeyCode::Char(']'));
    let [Effect::LoadList { filter, .. }] = effects.as_slice() else { panic!("{effects:?}") };
    assert_eq!(m.list.views[m.list.view.unwrap()].name, "Open", "wraps round");
    assert_eq!(filter.statuses, OneOf::of(&[Status::Open, Status::InProgress]));
    key(&mut m, KeyCode::Char(']'));
    let effects = key(&mut m, KeyCode::Char('/'));
    assert!(effects.is_empty());
    let effects = typed(&mut m, "cat:billing");
    let Some(Effect::LoadList { filter, .. }) = effects.last() else { panic!("{effects:?}") };
    assert_eq!(
        filter.assigned,
        [crate::domain::Assigned::To("alice".into())],
        "Mine's query stays under the search"
    );
    assert_eq!(filter.categories, OneOf::of(&[Category::Billing]));
    key(&mut m, KeyCode::Esc);
    key(&mut m, KeyCode::Char('['));
    assert_eq!(m.list.views[m.list.view.unwrap()].name, "Open");
}

#[test]
fn the_view_picker_chooses_and_the_name_prompt_saves_what_is_shown() {
    let mut m = model();
    with_views(&mut m);
    key(&mut m, KeyCode::Char('v'));
    assert_eq!(m.context(), Context::Views);
    key(&mut m, KeyCode::Down);
    let effects = key(&mut m, KeyCode::Enter);
    assert!(matches!(effects.as_slice(), [Effect::LoadList { .. }]), "{effects:?}");
    assert_eq!(m.list.views[m.list.view.unwrap()].name, "Open");
    assert!(m.overlay.is_none());

    key(&mut m, KeyCode::Char('c'));
    key(&mut m, KeyCode::Char('S'));
    assert_eq!(m.context(), Context::ViewName);
    typed(&mut m, "my billing");
    assert!(key(&mut m, KeyCode::Enter).is_empty(), "a name with a space is refused");
    let Some(Overlay::Views(ViewPicker::Naming { refused: Some(_), .. })) = &m.overlay else { panic!() };
    key(&mut m, KeyCode::Backspace);
    for _ in 0.."billing".len() {
        key(&mut m, KeyCode::Backspace);
    }
    typed(&mut m, "-billing");
    let effects = key(&mut m, KeyCode::Enter);
    assert_eq!(
        effects,
        [Effect::SaveView { name: "my-billing".into(), query: "-st:resolved,closed cat:billing".into() }]
    );
    let view = crate::config::views::View {
        name: "my-billing".into(),
        query: "-st:resolved,closed cat:billing".into(),
    };
    update(&mut m, Msg::ViewSaved(Ok(view)));
    assert!(m.overlay.is_none());
    assert_eq!(m.list.views.last().unwrap().name, "my-billing");
    assert_eq!(m.list.view, Some(m.list.views.len() - 1), "the saved view is the one shown");
    assert_eq!(m.list.category, None, "its filters now live in the view");
}

#[test]
fn space_marks_and_moves_on_and_esc_clears() {
    let mut m = model();
    load_rows(&mut m, 5, 50);
    key(&mut m, KeyCode::Char(' '));
    key(&mut m, KeyCode::Char(' '));
    assert_eq!(
        m.list.marks.keys().copied().collect::<Vec<_>>(),
        [4, 5],
        "marked with their versions, moving down"
    );
    assert_eq!(m.list.selected, 2);
    key(&mut m, KeyCode::Up);
    key(&mut m, KeyCode::Char(' '));
    assert_eq!(m.list.marks.len(), 1, "a second Space unmarks");
    key(&mut m, KeyCode::Esc);
    assert!(m.list.marks.is_empty());
}

#[test]
fn with_marks_status_assign_category_and_priority_change_them_all() {
    let mut m = model();
    m.list.me = "alice".into();
    load_rows(&mut m, 5, 50);
    key(&mut m, KeyCode::Char(' '));
    key(&mut m, KeyCode::Char(' '));
    let marked = vec![(4, 1), (5, 1)];
    key(&mut m, KeyCode::Char('s'));
    assert_eq!(m.context(), Context::BulkChoice);
    key(&mut m, KeyCode::Down);
    key(&mut m, KeyCode::Down);
    let effects = key(&mut m, KeyCode::Enter);
    assert_eq!(
        effects,
        [Effect::Bulk { targets: marked.clone(), change: BulkChange::Status(Status::Resolved) }]
    );
    assert_eq!(
        key(&mut m, KeyCode::Char('a')),
        [Effect::Bulk { targets: marked.clone(), change: BulkChange::Assignee(Some("alice".into())) }]
    );
    key(&mut m, KeyCode::Char('A'));
    typed(&mut m, "not a name");
    assert!(key(&mut m, KeyCode::Enter).is_empty(), "refused, the prompt stays");
    let Some(Overlay::Bulk(BulkPrompt::AssignTo { refused: Some(_), .. })) = &m.overlay else { panic!() };
    key(&mut m, KeyCode::Esc);
    key(&mut m, KeyCode::Char('A'));
    typed(&mut m, "none");
    assert_eq!(
        key(&mut m, KeyCode::Enter),
        [Effect::Bulk { targets: marked.clone(), change: BulkChange::Assignee(None) }]
    );
    key(&mut m, KeyCode::Char('P'));
    key(&mut m, KeyCode::Up);
    assert_eq!(
        key(&mut m, KeyCode::Enter),
        [Effect::Bulk { targets: marked, change: BulkChange::Priority(Priority::Critical) }]
    );
    // `c` still cycles the category filter, marks or not.
    assert!(matches!(key(&mut m, KeyCode::Char('c')).as_slice(), [Effect::LoadList { .. }]));
}

#[test]
fn without_marks_capitals_change_the_selected_ticket() {
    let mut m = model();
    load_rows(&mut m, 3, 50);
    key(&mut m, KeyCode::Char('C'));
    key(&mut m, KeyCode::Down);
    let effects = key(&mut m, KeyCode::Enter);
    assert_eq!(
        effects,
        [Effect::Bulk { targets: vec![(3, 1)], change: BulkChange::Category(Category::Technical) }]
    );
}

#[test]
fn marking_every_row_asks_above_five_hundred_and_refuses_above_the_limit() {
    let mut m = model();
    load_rows(&mut m, 3, 50);
    let effects = key(&mut m, KeyCode::Char('V'));
    assert!(matches!(effects.as_slice(), [Effect::MarkAll(_)]), "{effects:?}");
    update(&mut m, Msg::Targets(Ok((1..=3).map(|id| (id, 1)).collect())));
    assert_eq!(m.list.marks.len(), 3, "a few are marked at once");
    key(&mut m, KeyCode::Esc);
    update(&mut m, Msg::Targets(Ok((1..=600).map(|id| (id, 1)).collect())));
    assert_eq!(m.context(), Context::ConfirmMarks);
    assert!(m.list.marks.is_empty(), "nothing marked before the yes");
    key(&mut m, KeyCode::Char('y'));
    assert_eq!(m.list.marks.len(), 600);
    key(&mut m, KeyCode::Esc);
    update(&mut m, Msg::Targets(Ok((1..=10_001).map(|id| (id, 1)).collect())));
    assert!(m.list.marks.is_empty());
    assert!(matches!(m.notice, Some(Notice::TooManyToMark { max: 10_000 })));
}

#[test]
fn after_a_change_the_skipped_tickets_stay_marked() {
    let mut m = model();
    load_rows(&mut m, 3, 50);
    key(&mut m, KeyCode::Char('V'));
    update(&mut m, Msg::Targets(Ok(vec![(1, 1), (2, 1), (3, 1)])));
    let outcome = crate::store::BulkOutcome {
        changed: vec![1],
        already: vec![3],
        skipped: vec![crate::store::Skipped::Changed {
            id: 2,
            by: "bob".into(),
            at: "2026-11-24T11:59:00.000Z".into(),
        }],
    };
    let done = update(&mut m, Msg::BulkDone(Ok(outcome)));
    assert!(done.effects.iter().any(|e| matches!(e, Effect::LoadList { .. })), "the list is read again");
    assert_eq!(m.list.marks.keys().copied().collect::<Vec<_>>(), [2]);
    let notice = m.notice.clone().unwrap();
    assert!(notice.is_error(), "a skipped ticket is worth the agent's eye");
}
