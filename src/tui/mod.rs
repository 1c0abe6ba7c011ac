//! The full-screen terminal UI: one inbox of messages, a pure `update`, effects
//! carried out by a thin driver, and views that are pure functions of the model.

pub mod app;
pub mod draft;
pub mod effect;
pub mod keymap;
pub mod model;
pub mod msg;
pub mod ui;
pub mod update;
pub mod window;
pub mod worker;
