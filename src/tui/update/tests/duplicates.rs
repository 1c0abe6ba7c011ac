//! Possible duplicates: asked for at the same pause as a suggestion, kept
//! for the current draft only, opened with `Ctrl-O` and a digit.

use super::*;

/// A form with a title typed, its pause run out.
fn titled(title: &str) -> (Model, Vec<Effect>) {
    let mut m = model();
    key(&mut m, KeyCode::Char('n'));
    typed(&mut m, title);
    let generation = m.form.generation;
    let fired = update(&mut m, Msg::TimerFired(Timer::Pause { generation })).effects;
    (m, fired)
}

fn found(m: &mut Model, tickets: Vec<Ticket>) -> Update {
    let generation = m.form.generation;
    update(m, Msg::SimilarFound { generation, result: Ok(tickets) })
}

fn ctrl_o(m: &mut Model, then: char) -> Vec<Effect> {
    let mut effects = ctrl(m, 'o');
    effects.extend(key(m, KeyCode::Char(then)));
    effects
}

#[test]
fn a_title_alone_looks_for_duplicates_but_asks_for_no_suggestion() {
    let (m, fired) = titled("Charged twice in March");
    let generation = m.form.generation;
    assert_eq!(fired, [Effect::FindSimilar { generation, text: "Charged twice in March".into() }]);
    assert_eq!(m.form.suggesting, Suggesting::Idle);
}

#[test]
fn the_closest_three_for_the_current_draft_are_kept_and_older_answers_dropped() {
    let (mut m, _) = titled("Charged twice");
    let tickets: Vec<Ticket> = (1..=4).map(|id| ticket(id, Status::Open)).collect();
    let stale = Msg::SimilarFound { generation: m.form.generation - 1, result: Ok(tickets.clone()) };
    assert_eq!(update(&mut m, stale), Update::unchanged());
    assert!(found(&mut m, tickets.clone()).changed);
    assert_eq!(m.form.duplicates, tickets[..3]);
    assert_eq!(found(&mut m, tickets), Update::unchanged(), "the same list again draws nothing");
    // A lookup that failed is no reason to bother the agent: the list just goes.
    let generation = m.form.generation;
    update(&mut m, Msg::SimilarFound { generation, result: Err(busy()) });
    assert_eq!((m.form.duplicates.len(), m.notice.clone()), (0, None));
}

#[test]
fn ctrl_o_and_a_digit_open_that_duplicate_and_esc_comes_back_to_the_draft() {
    let (mut m, _) = titled("Charged twice");
    found(&mut m, vec![ticket(41, Status::Open), ticket(17, Status::Resolved)]);
    assert_eq!(ctrl_o(&mut m, '2'), [Effect::LoadDetail(17)]);
    assert!(matches!(&m.overlay, Some(Overlay::Detail(d)) if d.ticket.id == 17));
    key(&mut m, KeyCode::Esc);
    assert_eq!((m.overlay.clone(), m.focus), (None, Pane::Form));
    assert_eq!(m.form.title_text(), "Charged twice", "the draft is as it was");
    // There is no third: the digit is typed, as without the chord.
    let effects = ctrl_o(&mut m, '3');
    assert!(!effects.contains(&Effect::LoadDetail(3)), "{effects:?}");
    assert_eq!((m.overlay.clone(), m.form.title_text()), (None, "Charged twice3".to_owned()));
}

#[test]
fn without_duplicates_ctrl_o_is_no_chord_and_the_digit_after_it_is_text() {
    let (mut m, _) = titled("Refund");
    assert!(!m.offers(crate::tui::keymap::Action::OpenDuplicate1));
    ctrl_o(&mut m, '1');
    assert_eq!(m.pending_chord, None);
    assert_eq!(m.form.title_text(), "Refund1");
}

#[test]
fn a_blank_draft_has_no_duplicates_and_a_saved_one_leaves_none() {
    let (mut m, _) = titled("ab");
    found(&mut m, vec![ticket(41, Status::Open)]);
    let effects = [key(&mut m, KeyCode::Backspace), key(&mut m, KeyCode::Backspace)].concat();
    assert!(m.form.duplicates.is_empty());
    assert!(effects.contains(&Effect::StopTimer(TimerKind::Pause)), "{effects:?}");
    let (mut m, _) = titled("Charged twice");
    found(&mut m, vec![ticket(41, Status::Open)]);
    update(&mut m, Msg::Saved(Ok(ticket(42, Status::Open))));
    assert!(m.form.duplicates.is_empty());
}
