//! The driver: carries out what `update` asks for, and nothing else. Each
//! effect goes to its owner: the database [`worker`](super::worker)s, the
//! [`classifier`](super::classifier), the draft keeper, or a timer. Answers
//! come back on the inbox as messages.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

use super::classifier::Classifier;
use super::draft;
use super::effect::{Effect, Timer, TimerKind};
use super::msg::Msg;
use super::worker::{self, ReadJob, Reader, WriteJob, Writer};
use crate::config::Config;
use crate::store::{Location, StoreError};

pub struct Driver {
    reader: Reader,
    writer: Writer,
    classifier: Option<Classifier>,
    drafts: draft::Keeper,
    timers: Timers,
    inbox: UnboundedSender<Msg>,
}

impl Driver {
    /// Opens the database's workers: before the terminal is touched, so a bad
    /// file is a plain one-line error. Drafts are kept at `drafts` (if
    /// anywhere). The classifier starts later ([`Driver::start_classifier`]),
    /// once the first frame is up.
    pub fn open(
        config: &Config,
        location: &Location,
        drafts: Option<PathBuf>,
        inbox: UnboundedSender<Msg>,
    ) -> Result<Driver, StoreError> {
        let busy_timeout = Duration::from_secs(config.busy_timeout_secs);
        let reader = worker::spawn_reader(location.clone(), busy_timeout, inbox.clone())?;
        let writer = worker::spawn_writer(location.clone(), inbox.clone())?;
        Ok(Driver {
            reader,
            writer,
            classifier: None,
            drafts: draft::Keeper::start(drafts),
            timers: Timers::new(Duration::from_millis(config.debounce_ms), inbox.clone()),
            inbox,
        })
    }

    /// Starts the classifier in the background (see [`Classifier::start`]).
    pub fn start_classifier(&mut self, config: &Config, location: &Location) {
        self.classifier = Some(Classifier::start(config, location, self.inbox.clone()));
    }

    pub fn run(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            self.carry_out(effect);
        }
        if self.reader.thread.is_finished() || self.writer.thread.is_finished() {
            let _ = self.inbox.send(Msg::Fatal("internal error: a database thread stopped".into()));
        }
    }

    fn carry_out(&mut self, effect: Effect) {
        match effect {
            Effect::LoadList { generation, filter, page, limit, reselect } => self
                .reader
                .send(ReadJob::List { generation, filter: Box::new(filter), page, limit, reselect }),
            Effect::LoadStats => self.reader.send(ReadJob::Stats),
            Effect::LoadDetail(id) => self.reader.send(ReadJob::Detail(id)),
            Effect::Save(ticket, origins) => self.writer.send(WriteJob::Save(ticket, origins)),
            Effect::SetStatus { id, status, version } => {
                self.writer.send(WriteJob::SetStatus { id, status, version })
            }
            Effect::Assign { id, assignee, version } => {
                self.writer.send(WriteJob::Assign { id, assignee, version })
            }
            Effect::Note { id, text } => self.writer.send(WriteJob::Note { id, text }),
            Effect::ImportSamples => self.writer.send(WriteJob::ImportSamples),
            Effect::SaveDraft(draft) => self.drafts.keep(draft),
            Effect::StartTimer(timer) => self.timers.start(timer),
            Effect::StopTimer(kind) => self.timers.stop(kind),
            Effect::Classify { generation, text } => {
                if let Some(classifier) = &self.classifier {
                    classifier.classify(generation, text);
                }
            }
            Effect::CancelClassify => self.classifier.iter().for_each(Classifier::cancel),
            Effect::Learn(ticket) => {
                if let Some(classifier) = &self.classifier {
                    classifier.learn(ticket);
                }
            }
            Effect::SaveView { name, query } => save_view(name, query, self.inbox.clone()),
            Effect::MarkAll(filter) => self.reader.send(ReadJob::Targets(Box::new(filter))),
            Effect::Bulk { targets, change } => self.writer.send(WriteJob::Bulk { targets, change }),
            Effect::FindSimilar { generation, text } => {
                self.reader.send(ReadJob::Similar { generation, text })
            }
            // The loop runs the editor itself: it owns the terminal.
            Effect::Edit { .. } => {}
            // The loop ends on `model.quitting` before effects run.
            Effect::Quit => {}
        }
    }
}

/// Writes the view into the agent's config off the loop's thread; the
/// answer comes back as `Msg::ViewSaved`.
fn save_view(name: String, query: String, inbox: UnboundedSender<Msg>) {
    std::thread::spawn(move || {
        let result = match crate::config::Sources::system().agent_file {
            Some(path) => crate::config::views::save(&path, &name, &query),
            None => Err("there is no config folder for your account to save views in".to_owned()),
        };
        let view = crate::config::views::View { name, query };
        let _ = inbox.send(Msg::ViewSaved(result.map(|()| view)));
    });
}

/// The timers the core runs: one of each kind at a time, a new one replacing
/// the old. One that runs out comes back as `Msg::TimerFired`.
struct Timers {
    pause: Duration,
    running: HashMap<TimerKind, JoinHandle<()>>,
    inbox: UnboundedSender<Msg>,
}

impl Timers {
    fn new(pause: Duration, inbox: UnboundedSender<Msg>) -> Timers {
        Timers { pause, running: HashMap::new(), inbox }
    }

    fn start(&mut self, timer: Timer) {
        let after = match timer {
            Timer::Pause { .. } => self.pause,
        };
        let inbox = self.inbox.clone();
        let task = tokio::spawn(async move {
            tokio::time::sleep(after).await;
            let _ = inbox.send(Msg::TimerFired(timer));
        });
        if let Some(old) = self.running.insert(timer.kind(), task) {
            old.abort();
        }
    }

    fn stop(&mut self, kind: TimerKind) {
        if let Some(task) = self.running.remove(&kind) {
            task.abort();
        }
    }
}
