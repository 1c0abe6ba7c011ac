//! Import and export, in one place: the CSV and JSON Lines formats
//! ([`format`]) and the `import` and `export` commands ([`command`]). The
//! rows are written in one transaction by `Store::import` (`store/import.rs`,
//! which needs the store's own connection).

pub mod command;
pub mod format;

pub use format::*;
