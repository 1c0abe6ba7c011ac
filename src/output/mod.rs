//! Everything the CLI prints. Ticket text passes through the sanitiser (human
//! output) or the safe JSON writer (machine output) before it reaches stdout.
//!
//! - [`json`]: machine output, lossless and terminal-safe.
//! - [`list_table`]: the `list` command's table for people, and its rows for pipes.
//! - [`paint`]: colour for people's output, when wanted.
//! - [`human`]: one ticket, the stats and a history, for people (the screen's
//!   detail view shows histories the same way).

pub mod human;
pub mod json;
pub mod list_table;
pub mod paint;
