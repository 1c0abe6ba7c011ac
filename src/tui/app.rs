//! The driver: terminal set-up and restore, the one inbox, and carrying out
//! effects. Paint first, then load; draw only when something changed, at most
//! once per frame interval.

use anyhow::{Context, Result};
use crossterm::event::{Event, EventStream};
use futures::StreamExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, RwLock};
use std::time::Duration;
use time::OffsetDateTime;
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};
use tokio::time::{Instant, MissedTickBehavior};

use super::draft::{self, Draft};
use super::effect::Effect;
use super::model::{ClassifierStatus, Model};
use super::msg::Msg;
use super::ui;
use super::update::{init, restore_draft, update};
use super::worker::{self, ReadJob, Reader, WriteJob, Writer};
use crate::classify::chain::{Chain, Health};
use crate::classify::local::LocalModel;
use crate::classify::pipeline::{Pipeline, Reply};
use crate::config::{ClassifierMode, Config};

/// Frames are drawn at most this often; over SSH fewer, larger updates win.
const FRAME: Duration = Duration::from_millis(16);
/// Ages in the list change by the minute.
const CLOCK_TICK: Duration = Duration::from_secs(60);

/// Runs the TUI until the agent quits. Returns an error (after restoring the
/// terminal) if something failed on the way.
pub fn run(config: Config, db_path: PathBuf) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(run_async(config, db_path))
}

/// Where a panic on another thread is reported, so the app can end cleanly.
static PANIC_INBOX: OnceLock<Mutex<Option<UnboundedSender<Msg>>>> = OnceLock::new();

/// A panic on the main thread restores the terminal before the message
/// prints; one anywhere else (a spawned task, a database thread) is sent to
/// the inbox, and the app restores the terminal as it ends.
fn install_panic_hook(inbox: UnboundedSender<Msg>) {
    *PANIC_INBOX.get_or_init(Mutex::default).lock().unwrap_or_else(PoisonError::into_inner) = Some(inbox);
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let on_main = std::thread::current().name() == Some("main");
        let forwarded = !on_main
            && PANIC_INBOX.get().is_some_and(|slot| {
                let inbox = slot.lock().unwrap_or_else(PoisonError::into_inner);
                inbox
                    .as_ref()
                    .is_some_and(|tx| tx.send(Msg::Fatal(format!("internal error: {info}"))).is_ok())
            });
        if !forwarded {
            ratatui::restore();
            previous(info);
        }
    }));
}

async fn run_async(config: Config, db_path: PathBuf) -> Result<()> {
    let (inbox_tx, mut inbox) = mpsc::unbounded_channel::<Msg>();
    // Open the database before touching the terminal, so a bad file is a
    // plain one-line error, not a flash of a broken screen.
    let busy_timeout = std::time::Duration::from_secs(config.busy_timeout_secs);
    let reader = worker::spawn_reader(db_path.clone(), busy_timeout, inbox_tx.clone())?;
    let writer = worker::spawn_writer(db_path.clone(), inbox_tx.clone())?;

    install_panic_hook(inbox_tx.clone());
    let mut terminal = open_terminal().context("cannot set up the terminal")?;
    let mut model =
        Model::new(shorten_home(&db_path), OffsetDateTime::now_utc(), std::env::var_os("NO_COLOR").is_none());
    if let Ok(size) = terminal.size() {
        model.width = size.width;
        model.height = size.height;
    }
    model.list.me = crate::actor::current();
    let draft_path = draft::path_for(&db_path);
    let restored = match draft_path.as_deref().and_then(draft::load) {
        Some(saved) => restore_draft(&mut model, saved),
        None => vec![],
    };
    let drafts = DraftKeeper::start(draft_path);
    model.classifier = match config.classifier {
        ClassifierMode::Off => ClassifierStatus::Off,
        _ => ClassifierStatus::On(Health::Local),
    };
    // Paint at once, then load.
    let result = async {
        terminal.draw(|frame| ui::draw(frame, &model))?;
        let classifier = Classifier::start(&config, &db_path, inbox_tx.clone());
        let mut driver = Driver { reader, writer, classifier, drafts, inbox: inbox_tx.clone() };
        let mut effects = init(&mut model);
        effects.extend(restored);
        driver.run(effects);
        event_loop(&mut terminal, &mut model, &mut driver, &mut inbox).await
    }
    .await;
    ratatui::restore();
    if let Some(failure) = model.failure.take() {
        anyhow::bail!("{failure}");
    }
    result
}

/// The terminal, written through a buffer big enough for a whole frame: each
/// frame leaves in one write (over SSH, one packet rather than a dozen).
type Screen = ratatui::Terminal<ratatui::backend::CrosstermBackend<std::io::BufWriter<std::io::Stdout>>>;

fn open_terminal() -> std::io::Result<Screen> {
    crossterm::terminal::enable_raw_mode()?;
    let mut stdout = std::io::stdout();
    if let Err(e) = crossterm::execute!(stdout, crossterm::terminal::EnterAlternateScreen) {
        ratatui::restore();
        return Err(e);
    }
    let backend = ratatui::backend::CrosstermBackend::new(std::io::BufWriter::with_capacity(1 << 16, stdout));
    ratatui::Terminal::new(backend).inspect_err(|_| ratatui::restore())
}

fn shorten_home(path: &Path) -> String {
    let shown = path.display().to_string();
    match directories::BaseDirs::new().map(|d| d.home_dir().display().to_string()) {
        Some(home) if !home.is_empty() && shown.starts_with(&home) => format!("~{}", &shown[home.len()..]),
        _ => shown,
    }
}

async fn event_loop(
    terminal: &mut Screen,
    model: &mut Model,
    driver: &mut Driver,
    inbox: &mut UnboundedReceiver<Msg>,
) -> Result<()> {
    let mut events = EventStream::new();
    let mut clock = tokio::time::interval_at(Instant::now() + CLOCK_TICK, CLOCK_TICK);
    clock.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut signals = Signals::new()?;
    let mut dirty = false;
    let mut last_draw = Instant::now();
    // After a key that asked for list rows, hold the frame a moment for them:
    // one frame with the answer beats a "loading…" frame then the answer.
    let mut hold_until: Option<Instant> = None;

    loop {
        let frame_due = (last_draw + FRAME).max(hold_until.unwrap_or(last_draw));
        let msg = tokio::select! {
            event = events.next() => match event {
                Some(Ok(Event::Key(key))) => Msg::Key(key),
                Some(Ok(Event::Resize(width, height))) => Msg::Resize(width, height),
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(e).context("cannot read the terminal"),
                None => return Ok(()), // the terminal is gone
            },
            Some(msg) = inbox.recv() => msg,
            Some(reply) = driver.classifier.next_reply() => driver.classifier.on_reply(reply),
            _ = clock.tick() => Msg::Tick(OffsetDateTime::now_utc()),
            _ = signals.recv() => return Ok(()), // SIGTERM / SIGHUP / SIGINT: restore and leave
            _ = tokio::time::sleep_until(frame_due), if dirty => {
                terminal.draw(|frame| ui::draw(frame, model))?;
                last_draw = Instant::now();
                dirty = false;
                hold_until = None;
                continue;
            }
        };
        let rows_arrived = matches!(msg, Msg::ListLoaded { .. });
        let from_key = matches!(msg, Msg::Key(_));
        let effects = update(model, msg);
        dirty = true;
        if model.quitting {
            return Ok(());
        }
        if from_key && effects.iter().any(|e| matches!(e, Effect::LoadList { .. })) {
            hold_until = Some(Instant::now() + FRAME);
        } else if rows_arrived {
            hold_until = None;
        }
        driver.run(effects);
        if last_draw.elapsed() >= FRAME && hold_until.is_none() {
            terminal.draw(|frame| ui::draw(frame, model))?;
            last_draw = Instant::now();
            dirty = false;
        }
    }
}

/// Carries out effects: the only place that talks to the workers.
struct Driver {
    reader: Reader,
    writer: Writer,
    classifier: Classifier,
    drafts: DraftKeeper,
    inbox: UnboundedSender<Msg>,
}

/// Writes the form's draft off the UI's path, on a thread of its own; when
/// the agent types faster than files are written, only the latest is kept.
struct DraftKeeper {
    jobs: Option<std::sync::mpsc::Sender<Option<Draft>>>,
}

impl DraftKeeper {
    fn start(path: Option<PathBuf>) -> DraftKeeper {
        let Some(path) = path else { return DraftKeeper { jobs: None } };
        let (jobs, queue) = std::sync::mpsc::channel::<Option<Draft>>();
        let spawned = std::thread::Builder::new().name("drafts".into()).spawn(move || {
            while let Ok(first) = queue.recv() {
                let latest = queue.try_iter().last().unwrap_or(first);
                // A draft that cannot be written is not worth interrupting the
                // agent for; the ticket itself is still on screen.
                let _ = match latest {
                    Some(mut draft) => {
                        draft.saved_at = crate::domain::timestamp::format(OffsetDateTime::now_utc());
                        draft::save(&path, &draft)
                    }
                    None => draft::discard(&path),
                };
            }
        });
        DraftKeeper { jobs: spawned.ok().map(|_| jobs) }
    }

    fn keep(&self, draft: Option<Draft>) {
        if let Some(jobs) = &self.jobs {
            let _ = jobs.send(draft);
        }
    }
}

impl Driver {
    fn run(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                Effect::LoadList { generation, filter, page, limit, reselect } => {
                    self.reader.send(ReadJob::List { generation, filter, page, limit, reselect })
                }
                Effect::LoadStats => self.reader.send(ReadJob::Stats),
                Effect::Save(ticket, origins) => self.writer.send(WriteJob::Save(ticket, origins)),
                Effect::SetStatus { id, status, version } => {
                    self.writer.send(WriteJob::SetStatus { id, status, version })
                }
                Effect::Assign { id, assignee, version } => {
                    self.writer.send(WriteJob::Assign { id, assignee, version })
                }
                Effect::Note { id, text } => self.writer.send(WriteJob::Note { id, text }),
                Effect::LoadDetail(id) => self.reader.send(ReadJob::Detail(id)),
                Effect::SaveDraft(draft) => self.drafts.keep(draft),
                Effect::Classify { generation, text } => self.classifier.edit(generation, text),
                Effect::Learn(ticket) => self.classifier.learn(&ticket),
                // The loop ends on `model.quitting` before effects run.
                Effect::Quit => {}
            }
        }
        if self.reader.thread.is_finished() || self.writer.thread.is_finished() {
            let _ = self.inbox.send(Msg::Fatal("internal error: a database thread stopped".into()));
        }
    }
}

/// The classification pipeline, started in the background: the local model
/// learns from recent tickets off the UI's path. Edits made before it is ready
/// are kept (latest only) and sent when it is.
struct Classifier {
    state: ClassifierState,
    replies: Option<mpsc::Receiver<Reply>>,
    ready: Option<tokio::sync::oneshot::Receiver<Option<Chain>>>,
    debounce: Duration,
    pending: Option<(u64, String)>,
    inbox: UnboundedSender<Msg>,
}

enum ClassifierState {
    Starting,
    Off,
    Running { pipeline: Pipeline, chain: Arc<Chain> },
}

impl Classifier {
    fn start(config: &Config, db_path: &Path, inbox: UnboundedSender<Msg>) -> Classifier {
        let debounce = Duration::from_millis(config.debounce_ms);
        if config.classifier == ClassifierMode::Off {
            return Classifier {
                state: ClassifierState::Off,
                replies: None,
                ready: None,
                debounce,
                pending: None,
                inbox,
            };
        }
        let (done, ready) = tokio::sync::oneshot::channel();
        let config = config.clone();
        let path = db_path.to_owned();
        tokio::task::spawn_blocking(move || {
            let chain = crate::store::Store::open(&path)
                .map_err(anyhow::Error::from)
                .and_then(|store| crate::commands::build_chain(&config, &store));
            let _ = done.send(chain.ok().flatten());
        });
        Classifier {
            state: ClassifierState::Starting,
            replies: None,
            ready: Some(ready),
            debounce,
            pending: None,
            inbox,
        }
    }

    /// The next suggestion, or the moment the pipeline is ready to start.
    async fn next_reply(&mut self) -> Option<Reply> {
        loop {
            if let Some(ready) = &mut self.ready {
                let chain = ready.await.ok().flatten();
                self.ready = None;
                self.started(chain);
                continue;
            }
            return match &mut self.replies {
                Some(replies) => replies.recv().await,
                None => std::future::pending().await,
            };
        }
    }

    fn started(&mut self, chain: Option<Chain>) {
        let Some(chain) = chain else {
            self.state = ClassifierState::Off;
            let _ = self.inbox.send(Msg::ClassifierHealth(ClassifierStatus::Off));
            return;
        };
        let chain = Arc::new(chain);
        let (pipeline, replies) = Pipeline::spawn(Arc::clone(&chain), self.debounce);
        let _ = self.inbox.send(Msg::ClassifierHealth(ClassifierStatus::On(chain.health())));
        if let Some((generation, text)) = self.pending.take() {
            pipeline.edit(generation, text);
        }
        self.replies = Some(replies);
        self.state = ClassifierState::Running { pipeline, chain };
    }

    fn on_reply(&mut self, reply: Reply) -> Msg {
        if let ClassifierState::Running { chain, .. } = &self.state {
            let _ = self.inbox.send(Msg::ClassifierHealth(ClassifierStatus::On(chain.health())));
        }
        match reply.suggestion {
            Ok(suggestion) => Msg::Suggested { generation: reply.generation, suggestion },
            Err(panic) => Msg::Fatal(format!("internal error: {panic}")),
        }
    }

    fn edit(&mut self, generation: u64, text: String) {
        match &self.state {
            ClassifierState::Running { pipeline, .. } => pipeline.edit(generation, text),
            ClassifierState::Starting => self.pending = Some((generation, text)),
            ClassifierState::Off => {}
        }
    }

    fn learn(&self, ticket: &crate::domain::Ticket) {
        if let ClassifierState::Running { chain, .. } = &self.state {
            let model: Arc<RwLock<LocalModel>> = chain.local_model();
            model.write().unwrap_or_else(PoisonError::into_inner).learn_team((
                &ticket.title,
                &ticket.description,
                ticket.category,
                ticket.priority,
            ));
        }
    }
}

/// The signals that end a session: SIGTERM (kill), SIGHUP (the SSH connection
/// dropped) and SIGINT (raw mode turns Ctrl-C into a key, but `kill -INT`
/// still arrives).
struct Signals {
    term: tokio::signal::unix::Signal,
    hup: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
}

impl Signals {
    fn new() -> Result<Signals> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Signals {
            term: signal(SignalKind::terminate())?,
            hup: signal(SignalKind::hangup())?,
            int: signal(SignalKind::interrupt())?,
        })
    }

    async fn recv(&mut self) {
        tokio::select! {
            _ = self.term.recv() => {}
            _ = self.hup.recv() => {}
            _ = self.int.recv() => {}
        }
    }
}
