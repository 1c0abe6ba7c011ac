//! The empty desk's sample tickets, and keys the agent rebound driving the core.

use super::*;
use crate::config::{KeyList, KeysConfig};
use crate::tui::keymap::KeyMap;

#[test]
fn one_key_loads_the_samples_through_the_writer_and_the_list_reads_again() {
    let mut m = model();
    load_rows(&mut m, 0, 40);
    let effects = key(&mut m, KeyCode::Char('i'));
    assert_eq!(effects, vec![Effect::ImportSamples]);
    assert!(Effect::ImportSamples.writes(), "held like any write once the desk is lost");
    assert_eq!(notice(&m), "Loading the sample tickets…");
    let generation = m.list.generation;
    let effects = update(&mut m, Msg::SamplesImported(Ok(360))).effects;
    assert_eq!(notice(&m), "Loaded 360 sample tickets");
    assert!(m.list.generation > generation, "a new list query");
    assert!(matches!(effects[0], Effect::LoadList { generation: g, .. } if g == m.list.generation));
    assert_eq!(effects[1], Effect::LoadStats);
}

#[test]
fn a_refused_import_says_why() {
    let mut m = model();
    let refused = crate::samples::SamplesError::NotEmpty(12);
    let effects = update(&mut m, Msg::SamplesImported(Err(Failure::new(refused)))).effects;
    assert!(effects.is_empty());
    assert!(m.notice.as_ref().is_some_and(Notice::is_error));
    assert_eq!(
        notice(&m),
        "Sample tickets not loaded: the desk already holds 12 tickets; the sample tickets go only into an empty desk"
    );
}

#[test]
fn a_lost_desk_takes_no_samples() {
    let mut m = model();
    update(&mut m, Msg::DeskLost(Failure::new(std::io::Error::other("its write-ahead log was deleted"))));
    let effects = key(&mut m, KeyCode::Char('i'));
    assert!(effects.is_empty(), "{effects:?}");
    assert!(notice(&m).starts_with("Not saved"), "{}", notice(&m));
}

#[test]
fn rebound_keys_drive_the_core_and_the_old_ones_type_nothing() {
    let mut m = model();
    let mut config = KeysConfig::new();
    config.entry("list".into()).or_default().insert("new_ticket".into(), KeyList(vec!["ctrl-n".into()]));
    m.keys = std::sync::Arc::new(KeyMap::from_config(&config).unwrap());
    key(&mut m, KeyCode::Char('n'));
    assert_eq!(m.focus, Pane::List, "n no longer opens the form");
    ctrl(&mut m, 'n');
    assert_eq!((m.focus, m.form.field), (Pane::Form, Field::Title));
}
