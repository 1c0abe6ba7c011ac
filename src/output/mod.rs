//! Everything the CLI prints. Ticket text passes through the sanitiser (human
//! output) or the safe JSON writer (machine output) before it reaches stdout.

pub mod json;
pub mod list_table;
pub mod view;
