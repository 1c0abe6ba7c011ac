//! The full-screen terminal UI: one inbox of messages, a pure `update`, effects
//! carried out by a thin driver, and views that are pure functions of the model.
//!
//! - [`app`]: the loop only: inbox → update → effects → draw if changed.
//! - [`terminal`]: setting the terminal up and putting it back (panics too),
//!   and frames written whole.
//! - [`event`]: terminal events, the clock, signals and the workers' replies
//!   as one stream of [`msg::Msg`] (scriptable in tests).
//! - [`driver`]: carries [`effect::Effect`]s out: the database [`worker`]s,
//!   the [`classifier`], [`draft`]s and timers.
//! - [`model`], [`msg`], [`effect`], [`update`]: the pure core; [`keymap`]
//!   says which key does what; [`layout`] where each pane goes.
//! - [`ui`]: one view per pane and overlay.

pub mod app;
pub mod classifier;
pub mod draft;
pub mod driver;
pub mod effect;
pub mod event;
pub mod keymap;
pub mod layout;
pub mod model;
pub mod msg;
pub mod terminal;
pub mod ui;
pub mod update;
pub mod worker;
