//! Keys typed faster than the list answers act on the rows the agent asked
//! for, never on the rows that were on screen before.

use super::*;
use crate::tui::msg::Worker;

/// `rows` (ticket ids, newest first) as the answer to the newest list query.
fn answer(m: &mut Model, ids: &[i64]) -> Vec<Effect> {
    let rows = ids.iter().map(|id| ticket(*id, Status::Open)).collect();
    let generation = m.list.generation;
    update(m, Msg::ListLoaded { generation, page: Page::Newest, limit: 50, reselect: None, result: Ok(rows) })
        .effects
}

/// Ten tickets on screen, #10 selected; then `/quokka`, Enter, `s`, all
/// before the search answers.
fn searched_ahead() -> Model {
    let mut m = model();
    load_rows(&mut m, 10, 50);
    assert_eq!(m.list.selected_ticket().map(|t| t.id), Some(10));
    key(&mut m, KeyCode::Char('/'));
    let effects = typed(&mut m, "quokka");
    assert!(effects.iter().all(|e| matches!(e, Effect::LoadList { .. })), "typing asks at once: {effects:?}");
    key(&mut m, KeyCode::Enter);
    assert!(key(&mut m, KeyCode::Char('s')).is_empty());
    m
}

fn picker_on(m: &Model) -> Option<i64> {
    match &m.overlay {
        Some(Overlay::StatusPicker(picker)) => Some(picker.ticket.id),
        _ => None,
    }
}

#[test]
fn a_status_key_typed_before_the_search_answers_acts_on_what_it_finds() {
    let mut m = searched_ahead();
    assert_eq!(picker_on(&m), None, "the rows held are not the search's");
    assert_eq!(m.held_keys.len(), 1);

    // An answer to an older query (a letter ago) releases nothing.
    let generation = m.list.generation - 1;
    let stale = Ok(vec![ticket(9, Status::Open)]);
    update(
        &mut m,
        Msg::ListLoaded { generation, page: Page::Newest, limit: 50, reselect: None, result: stale },
    );
    assert_eq!(picker_on(&m), None);

    answer(&mut m, &[3]);
    assert_eq!(picker_on(&m), Some(3), "the picker opens on the ticket the search found");
    assert!(m.held_keys.is_empty());
}

#[test]
fn another_agents_change_before_the_answer_asks_the_search_again() {
    let mut m = searched_ahead();
    let effects = update(&mut m, Msg::DatabaseChanged).effects;
    let Some(Effect::LoadList { filter, page, reselect, .. }) = effects.first() else {
        panic!("{effects:?}")
    };
    assert_eq!((page, reselect), (&Page::Newest, &None), "the search itself, not the old rows re-read");
    assert_eq!(filter, &m.list.filter());
    assert_eq!(picker_on(&m), None, "still waiting for the search");
    answer(&mut m, &[3, 1]);
    assert_eq!(picker_on(&m), Some(3));
}

#[test]
fn keys_after_a_held_one_wait_behind_it_and_go_through_in_order() {
    let mut m = model();
    load_rows(&mut m, 10, 50);
    key(&mut m, KeyCode::Char('m')); // only mine: a new query
    key(&mut m, KeyCode::Char('j'));
    key(&mut m, KeyCode::Char('/'));
    typed(&mut m, "q");
    assert!(!m.quitting, "the q after a held key is not read as quit");
    assert_eq!(m.held_keys.len(), 3);
    // The rows arrive: `j` moves, `/` opens the box, `q` is searched for.
    let effects = answer(&mut m, &[8, 7, 6]);
    assert_eq!(m.list.selected_ticket().map(|t| t.id), Some(7));
    assert_eq!((m.context(), m.list.search.as_str()), (Context::Search, "q"));
    assert!(matches!(effects.as_slice(), [Effect::LoadList { .. }]), "{effects:?}");
}

#[test]
fn a_jump_to_the_oldest_ticket_makes_the_next_keys_wait_for_it() {
    let mut m = model();
    load_rows(&mut m, 50, 50); // a full page: older tickets exist
    let effects = key(&mut m, KeyCode::Char('G'));
    assert!(matches!(effects.as_slice(), [Effect::LoadList { page: Page::Oldest, .. }]), "{effects:?}");
    key(&mut m, KeyCode::Char('k'));
    key(&mut m, KeyCode::Char('s'));
    assert_eq!(picker_on(&m), None);
    let rows = (1..=5).rev().map(|id| ticket(id, Status::Open)).collect();
    let generation = m.list.generation;
    update(
        &mut m,
        Msg::ListLoaded { generation, page: Page::Oldest, limit: 50, reselect: None, result: Ok(rows) },
    );
    assert_eq!(picker_on(&m), Some(2), "one up from the oldest ticket");
}

#[test]
fn the_first_keys_wait_for_the_first_rows() {
    let mut m = model();
    key(&mut m, KeyCode::Char('j'));
    key(&mut m, KeyCode::Enter);
    assert!(m.overlay.is_none());
    let effects = answer(&mut m, &[4, 3, 2]);
    assert_eq!(effects, [Effect::LoadDetail(3)], "the second ticket opened");
}

#[test]
fn a_failed_query_drops_the_keys_typed_ahead() {
    let mut m = searched_ahead();
    let generation = m.list.generation;
    let failed = Err(busy());
    update(
        &mut m,
        Msg::ListLoaded { generation, page: Page::Newest, limit: 50, reselect: None, result: failed },
    );
    assert_eq!(picker_on(&m), None, "never the picker on rows the agent did not ask for");
    assert!(m.held_keys.is_empty());
}

#[test]
fn keys_are_dropped_while_the_server_is_out_of_reach() {
    let mut m = searched_ahead();
    update(&mut m, Msg::ServerLost { worker: Worker::Reader, lost: true });
    assert!(m.held_keys.is_empty(), "the keys held are dropped");
    key(&mut m, KeyCode::Char('s'));
    assert!(m.held_keys.is_empty() && picker_on(&m).is_none(), "and new ones are not kept");
    update(&mut m, Msg::ServerLost { worker: Worker::Reader, lost: false });
    answer(&mut m, &[3]);
    assert_eq!(picker_on(&m), None, "nothing acts once the server is back");
}

#[test]
fn ctrl_c_never_waits() {
    let mut m = searched_ahead();
    ctrl(&mut m, 'c');
    assert!(m.quitting);
}
