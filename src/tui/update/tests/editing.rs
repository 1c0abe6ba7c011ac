//! `Ctrl-X Ctrl-E`: the description or the note in the agent's own editor,
//! as a chord, an effect and the message that brings the text back.

use super::*;
use crate::tui::effect::EditTarget;

/// A form with "Printer on fire" typed in the description.
fn describing() -> Model {
    let mut m = model();
    key(&mut m, KeyCode::Char('n'));
    typed(&mut m, "Printer");
    key(&mut m, KeyCode::Tab);
    typed(&mut m, "Smoke everywhere");
    m
}

fn edited(m: &mut Model, generation: u64, result: Result<Option<String>, Failure>) -> Update {
    update(m, Msg::Edited { target: EditTarget::Description { generation }, result })
}

#[test]
fn ctrl_x_then_ctrl_e_in_the_description_opens_the_editor_on_its_text() {
    let mut m = describing();
    assert_eq!(ctrl(&mut m, 'x'), [], "the chord waits for its second key");
    assert!(m.pending_chord.is_some());
    assert_eq!(m.form.description_text(), "Smoke everywhere", "Ctrl-X cut nothing");
    let generation = m.form.generation;
    assert_eq!(
        ctrl(&mut m, 'e'),
        [Effect::Edit { target: EditTarget::Description { generation }, text: "Smoke everywhere".into() }]
    );
    assert_eq!(m.pending_chord, None);
}

#[test]
fn ctrl_e_alone_still_moves_to_the_end_of_the_line() {
    let mut m = describing();
    key(&mut m, KeyCode::Home);
    assert_eq!(m.form.description.cursor(), (0, 0));
    let effects = ctrl(&mut m, 'e');
    assert!(!effects.iter().any(|e| matches!(e, Effect::Edit { .. })), "{effects:?}");
    assert_eq!(m.form.description.cursor(), (0, "Smoke everywhere".len()));
}

#[test]
fn a_chord_left_unfinished_gives_the_next_key_its_usual_meaning_and_esc_only_drops_it() {
    let mut m = describing();
    ctrl(&mut m, 'x');
    typed(&mut m, "!");
    assert_eq!(m.form.description_text(), "Smoke everywhere!", "typed as usual");
    assert_eq!(m.pending_chord, None);
    ctrl(&mut m, 'x');
    key(&mut m, KeyCode::Esc);
    assert_eq!((m.focus, m.pending_chord), (Pane::Form, None), "Esc dropped the chord, not the form");
    key(&mut m, KeyCode::Esc);
    assert_eq!(m.focus, Pane::List);
}

#[test]
fn the_chord_is_the_descriptions_and_the_footer_says_so_there() {
    let mut m = model();
    key(&mut m, KeyCode::Char('n'));
    typed(&mut m, "Title");
    ctrl(&mut m, 'x');
    assert_eq!(m.pending_chord, None, "no chord in the title: its keys stay the text area's");
    assert!(!m.offers(crate::tui::keymap::Action::OpenEditor));
    key(&mut m, KeyCode::Tab);
    assert!(m.offers(crate::tui::keymap::Action::OpenEditor));
}

#[test]
fn the_editors_text_replaces_the_description_as_an_edit_would() {
    let mut m = describing();
    let generation = m.form.generation;
    let text = "Smoke everywhere.\nSecond floor, by the printer.";
    let effects = edited(&mut m, generation, Ok(Some(text.into()))).effects;
    assert_eq!(m.form.description_text(), text);
    assert_eq!(m.form.field, Field::Description);
    assert_eq!(m.form.generation, generation + 1);
    assert!(
        effects.contains(&Effect::StartTimer(Timer::Pause { generation: generation + 1 })),
        "{effects:?}"
    );
    assert!(
        matches!(effects.last(), Some(Effect::SaveDraft(Some(d))) if d.description == text),
        "the draft keeps it: {effects:?}"
    );
    assert_eq!(m.form.description.cursor(), (1, "Second floor, by the printer.".len()), "at its end");
}

#[test]
fn an_editor_that_fails_or_leaves_nothing_changes_nothing_and_says_so() {
    let mut m = describing();
    let generation = m.form.generation;
    let update = edited(&mut m, generation, Ok(None));
    assert_eq!(update.effects, []);
    assert_eq!((m.form.description_text().as_str(), m.form.generation), ("Smoke everywhere", generation));
    assert_eq!(notice(&m), "The editor failed or left no text: nothing changed");
    assert!(!m.notice.as_ref().unwrap().is_error());
    let why = Failure::new(std::io::Error::other("cannot start the editor `nano`: not found"));
    edited(&mut m, generation, Err(why));
    assert_eq!(m.form.description_text(), "Smoke everywhere");
    assert!(m.notice.as_ref().unwrap().is_error());
    assert_eq!(notice(&m), "cannot start the editor `nano`: not found");
}

#[test]
fn an_answer_for_a_form_since_saved_is_dropped_and_no_editor_opens_while_saving() {
    let mut m = describing();
    let generation = m.form.generation;
    m.form.saving = true;
    ctrl(&mut m, 'x');
    assert_eq!(ctrl(&mut m, 'e'), [], "the text is on its way to the desk");
    let saved = ticket(9, Status::Open);
    update(&mut m, Msg::Saved(Ok(saved)));
    assert_eq!(edited(&mut m, generation, Ok(Some("late".into()))), Update::unchanged());
    assert!(m.form.is_blank());
}

#[test]
fn a_note_goes_to_the_editor_and_comes_back_with_its_lines_for_enter_to_send() {
    let mut m = model();
    load_rows(&mut m, 2, 50);
    key(&mut m, KeyCode::Enter);
    ctrl(&mut m, 'x');
    assert_eq!(m.pending_chord, None, "no note box yet: nothing to edit");
    key(&mut m, KeyCode::Char('N'));
    typed(&mut m, "Called");
    ctrl(&mut m, 'x');
    let target = EditTarget::Note { id: 2, title: "ticket 2".into() };
    assert_eq!(ctrl(&mut m, 'e'), [Effect::Edit { target: target.clone(), text: "Called".into() }]);
    let text = "Called back.\nThey will send the invoice.";
    update(&mut m, Msg::Edited { target: target.clone(), result: Ok(Some(text.into())) });
    assert_eq!(m.context(), Context::Note);
    assert_eq!(key(&mut m, KeyCode::Enter), [Effect::Note { id: 2, text: text.into() }]);
    // An editor that leaves nothing keeps the box as it was.
    update(&mut m, Msg::Edited { target, result: Ok(None) });
    let Some(Overlay::Detail(detail)) = &m.overlay else { panic!("detail closed") };
    assert_eq!(detail.note.as_deref(), Some(text));
}
