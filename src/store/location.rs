//! Where a desk lives: a SQLite file on this host (the default), or a
//! database on a server for teams on several hosts.

use std::path::{Path, PathBuf};

use crate::domain::text::sanitize_line;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// A SQLite desk file.
    File(PathBuf),
}

impl Location {
    /// Reads a desk location as the agent wrote it (`--db`, `TICKETDESK_DB`,
    /// `db =` in the config): a path.
    pub fn parse(text: &str) -> Location {
        Location::File(PathBuf::from(text))
    }

    /// The file, for a desk that is one.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Location::File(path) => Some(path),
        }
    }

    /// The location for people (terminal-safe; never a password).
    pub fn shown(&self) -> String {
        match self {
            Location::File(path) => sanitize_line(&path.display().to_string()).into_owned(),
        }
    }
}

impl std::str::FromStr for Location {
    type Err = String;

    /// As [`Location::parse`], refusing an empty location.
    fn from_str(text: &str) -> Result<Location, String> {
        if text.is_empty() { Err("must not be empty".into()) } else { Ok(Location::parse(text)) }
    }
}

impl<'de> serde::Deserialize<'de> for Location {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Location, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}
