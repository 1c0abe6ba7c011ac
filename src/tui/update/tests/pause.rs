//! The pause before a suggestion, on a clock of the tests' own: the core
//! starts and stops a timer, and sends the text only when it runs out.

use super::*;

/// How long the driver lets a pause run in these tests (any length will do:
/// the core only starts, stops and hears timers).
const PAUSE: std::time::Duration = std::time::Duration::from_millis(700);

/// The driver's timers and classifier, simulated on a clock of our own: one
/// pause at a time, a new one replacing it; what is sent to the classifier
/// is written down with the moment it was sent.
#[derive(Default)]
struct Clock {
    now: std::time::Duration,
    pause: Option<(std::time::Duration, Timer)>,
    asked: Vec<(std::time::Duration, u64, String)>,
    cancels: usize,
}

impl Clock {
    fn carry_out(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                Effect::StartTimer(timer) => self.pause = Some((self.now + PAUSE, timer)),
                Effect::StopTimer(TimerKind::Pause) => self.pause = None,
                Effect::Classify { generation, text } => self.asked.push((self.now, generation, text)),
                Effect::CancelClassify => self.cancels += 1,
                _ => {}
            }
        }
    }

    fn key(&mut self, m: &mut Model, code: KeyCode) {
        let effects = key(m, code);
        self.carry_out(effects);
    }

    /// Lets `span` pass, firing the pause if it runs out meanwhile.
    fn wait(&mut self, m: &mut Model, span: std::time::Duration) {
        let until = self.now + span;
        if let Some((due, timer)) = self.pause.filter(|(due, _)| *due <= until) {
            self.now = due;
            self.pause = None;
            let effects = update(m, Msg::TimerFired(timer)).effects;
            self.carry_out(effects);
        }
        self.now = until;
    }
}

/// A form with the description focused.
fn describing() -> Model {
    let mut m = model();
    key(&mut m, KeyCode::Char('n'));
    key(&mut m, KeyCode::Tab);
    m
}

#[test]
fn a_burst_of_edits_asks_once_a_pause_after_the_last() {
    let mut m = describing();
    let mut clock = Clock::default();
    for c in "refund me".chars() {
        clock.key(&mut m, KeyCode::Char(c));
        clock.wait(&mut m, std::time::Duration::from_millis(100));
    }
    let last_edit = clock.now - std::time::Duration::from_millis(100);
    clock.wait(&mut m, std::time::Duration::from_secs(60));
    assert_eq!(clock.asked, [(last_edit + PAUSE, m.form.generation, "\n\nrefund me".to_owned())]);
    assert_eq!(m.form.suggesting, Suggesting::Thinking);
}

/// What typing costs: three sentences at 5 keys a second (about 60 words a
/// minute), a 1.5 s pause to think after each, ask for one suggestion per
/// pause rather than one per key, and the text crosses once per pause.
#[test]
fn typing_at_human_speed_asks_once_per_pause() {
    let mut m = describing();
    let mut clock = Clock::default();
    let sentences = [
        "My card was charged twice for the March invoice. ",
        "The second charge shows as pending on my bank statement. ",
        "Please refund one of them before the weekend.",
    ];
    let mut keys = 0;
    for sentence in sentences {
        for c in sentence.chars() {
            clock.key(&mut m, KeyCode::Char(c));
            keys += 1;
            clock.wait(&mut m, std::time::Duration::from_millis(200));
        }
        clock.wait(&mut m, std::time::Duration::from_millis(1_500));
    }
    assert_eq!(keys, 151);
    assert_eq!(clock.asked.len(), 3, "one request per pause, not per key: {:?}", clock.asked);
    let (_, generation, text) = clock.asked.last().unwrap();
    assert_eq!(*generation, m.form.generation, "the last request is for the whole text");
    assert_eq!(text.trim(), sentences.concat().trim());
}

#[test]
fn edits_further_apart_than_the_pause_each_ask() {
    let mut m = describing();
    let mut clock = Clock::default();
    for c in ['a', 'b', 'c'] {
        clock.key(&mut m, KeyCode::Char(c));
        clock.wait(&mut m, PAUSE + std::time::Duration::from_millis(300));
    }
    let texts: Vec<&str> = clock.asked.iter().map(|(_, _, text)| text.trim()).collect();
    assert_eq!(texts, ["a", "ab", "abc"]);
}

#[test]
fn an_edit_while_the_classifier_works_aborts_it_and_waits_for_the_next_pause() {
    let mut m = describing();
    let mut clock = Clock::default();
    clock.key(&mut m, KeyCode::Char('a'));
    clock.wait(&mut m, PAUSE);
    assert_eq!((clock.asked.len(), m.form.suggesting.clone()), (1, Suggesting::Thinking));
    clock.key(&mut m, KeyCode::Char('b'));
    assert_eq!(clock.cancels, 1, "the text it was working on is gone");
    assert_eq!(m.form.suggesting, Suggesting::Pausing);
    clock.key(&mut m, KeyCode::Char('c'));
    assert_eq!(clock.cancels, 1, "nothing more to abort");
    // Its late answer is for text no longer on screen.
    let (_, old, _) = clock.asked[0].clone();
    let late = Msg::Suggested { generation: old, suggestion: suggestion(Category::Account, Priority::Low) };
    assert_eq!(update(&mut m, late), Update::unchanged());
    clock.wait(&mut m, PAUSE);
    assert_eq!(clock.asked.last().unwrap().2.trim(), "abc");
}

#[test]
fn clearing_the_description_stops_the_pause_and_asks_nothing() {
    let mut m = describing();
    let mut clock = Clock::default();
    clock.key(&mut m, KeyCode::Char('a'));
    clock.key(&mut m, KeyCode::Backspace);
    assert_eq!(clock.pause, None);
    assert_eq!(m.form.suggesting, Suggesting::Idle);
    clock.wait(&mut m, PAUSE * 2);
    assert_eq!(clock.asked, []);
    // A pause started before, firing late anyway, asks nothing either.
    let stale = Msg::TimerFired(Timer::Pause { generation: m.form.generation - 1 });
    assert_eq!(update(&mut m, stale), Update::unchanged());
}

#[test]
fn a_draft_put_back_is_classified_after_a_pause() {
    let mut m = model();
    let draft = crate::tui::draft::Draft {
        title: "Printer".into(),
        description: "on fire".into(),
        category: None,
        priority: Some(Priority::High),
        saved_at: "2026-11-24T09:41:00.000Z".into(),
    };
    let effects = restore_draft(&mut m, draft);
    let generation = m.form.generation;
    assert_eq!(effects, [Effect::StartTimer(Timer::Pause { generation })]);
    assert!(
        notice(&m).starts_with("Your unsent ticket from 09:41 UTC is back in the form"),
        "{}",
        notice(&m)
    );
    let fired = update(&mut m, Msg::TimerFired(Timer::Pause { generation })).effects;
    let text = "Printer\n\non fire".to_owned();
    assert_eq!(
        fired,
        [Effect::Classify { generation, text: text.clone() }, Effect::FindSimilar { generation, text }]
    );
}
