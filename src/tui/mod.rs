//! The full-screen terminal UI: one inbox of messages, a pure `update`, effects
//! carried out by a thin driver, and views that are pure functions of the model.
//!
//! - [`run`] (here) puts the parts together and runs them.
//! - [`app`]: the loop only: inbox → update → effects → draw if changed.
//! - [`background`]: which palette, asking the terminal for `theme = "auto"`.
//! - [`terminal`]: setting the terminal up and putting it back (panics too),
//!   and frames written whole.
//! - [`event`]: terminal events, the clock, signals and the workers' replies
//!   as one stream of [`msg::Msg`] (scriptable in tests).
//! - [`driver`]: carries [`effect::Effect`]s out: the database [`worker`]s,
//!   the [`classifier`], [`draft`]s and timers; the loop runs the agent's
//!   editor ([`editing`]) itself, as it owns the terminal.
//! - [`model`], [`msg`], [`effect`], [`update`]: the pure core; [`keymap`]
//!   says which key does what; [`layout`] where each pane goes.
//! - [`ui`]: one view per pane and overlay.

pub mod app;
pub mod background;
pub mod classifier;
pub mod draft;
pub mod driver;
pub mod editing;
pub mod effect;
pub mod event;
pub mod keymap;
pub mod layout;
pub mod model;
pub mod msg;
pub mod reconnect;
pub mod terminal;
pub mod ui;
pub mod update;
pub mod worker;

use anyhow::{Context, Result};
use time::OffsetDateTime;
use tokio::sync::mpsc;

use crate::classify::chain::Health;
use crate::config::{ClassifierMode, Config};
use crate::store::Location;
use app::App;
use driver::Driver;
use event::TerminalEvents;
use keymap::KeyMap;
use model::{ClassifierStatus, Model};
use msg::Msg;
use update::restore_draft;

/// Runs the TUI until the agent quits. Returns an error (after restoring the
/// terminal) if something failed on the way.
pub fn run(config: Config, location: Location) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(run_async(config, location))
}

async fn run_async(config: Config, location: Location) -> Result<()> {
    let (inbox_tx, inbox) = mpsc::unbounded_channel::<Msg>();
    let drafts = draft::path_for(&location);
    let restored = drafts.as_deref().and_then(draft::load);
    let driver = Driver::open(&config, &location, drafts, inbox_tx.clone())?;
    let model = first_model(&config, &location)?;
    terminal::install_panic_hook(inbox_tx);
    let screen = terminal::open().context("cannot set up the terminal")?;
    let mut app = App::new(model, screen, driver);
    let result = async {
        let effects = match restored {
            Some(saved) => restore_draft(&mut app.model, saved),
            None => vec![],
        };
        app.start(&config, &location, effects)?;
        app.run(&mut TerminalEvents::new(inbox)?).await
    }
    .await;
    terminal::restore();
    if let Some(failure) = app.model.failure.take() {
        anyhow::bail!("{failure}");
    }
    result
}

/// The model before anything is loaded.
fn first_model(config: &Config, location: &Location) -> Result<Model> {
    let color = std::env::var_os("NO_COLOR").is_none();
    let mut model = Model::new(shorten_home(location), OffsetDateTime::now_utc(), color);
    // Asked before the screen is set up and before any key is read.
    model.palette = background::palette(config.theme, color);
    // Checked with the rest of the config already; this cannot fail here.
    model.keys = std::sync::Arc::new(KeyMap::from_config(&config.keys)?);
    model.list.me = crate::actor::current();
    let now = model.now;
    update::views::set_views(&mut model.list, config.views(), now);
    model.classifier = match config.classifier {
        ClassifierMode::Off => ClassifierStatus::Off,
        _ => ClassifierStatus::On(Health::Local),
    };
    Ok(model)
}

/// The desk's location for the header, a path under the home folder as `~/…`.
fn shorten_home(location: &Location) -> String {
    let shown = location.shown();
    match directories::BaseDirs::new().map(|d| d.home_dir().display().to_string()) {
        Some(home) if !home.is_empty() && shown.starts_with(&home) => format!("~{}", &shown[home.len()..]),
        _ => shown,
    }
}
