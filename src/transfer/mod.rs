//! Import and export: the CSV and JSON Lines formats ([`format`]).

pub mod format;

pub use format::*;
