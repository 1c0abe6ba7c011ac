//! Views: pure functions from the model to a frame. No IO, no waiting.

pub mod layout;
