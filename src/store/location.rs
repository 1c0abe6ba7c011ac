//! Where a desk lives: a SQLite file on this host (the default), or a
//! PostgreSQL database for teams on several hosts.

use std::path::{Path, PathBuf};

use super::StoreError;
use super::postgres::{PgEnv, PgTarget, is_postgres_url};
use crate::domain::text::sanitize_line;

#[derive(Clone, Debug)]
pub enum Location {
    /// A SQLite desk file.
    File(PathBuf),
    /// A PostgreSQL database, read as libpq reads a connection string.
    Server(Box<PgTarget>),
}

impl Location {
    /// Reads a desk location as the agent wrote it (`--db`, `TICKETDESK_DB`,
    /// `db =` in the config): a `postgres://` or `postgresql://` URL (filled
    /// in from the `PG*` variables as psql would), or else a path.
    pub fn parse(text: &str) -> Result<Location, StoreError> {
        if text.is_empty() {
            return Err(StoreError::BadLocation("it must not be empty".into()));
        }
        if is_postgres_url(text) {
            return Ok(Location::Server(Box::new(PgTarget::parse(text, &PgEnv::process())?)));
        }
        Ok(Location::File(PathBuf::from(text)))
    }

    /// The file, for a desk that is one.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Location::File(path) => Some(path),
            Location::Server(_) => None,
        }
    }

    /// The location for people (terminal-safe; never a password).
    pub fn shown(&self) -> String {
        let shown = match self {
            Location::File(path) => path.display().to_string(),
            Location::Server(target) => target.shown(),
        };
        sanitize_line(&shown).into_owned()
    }
}

/// Two locations are one desk when they name the same file or the same
/// database (passwords aside).
impl PartialEq for Location {
    fn eq(&self, other: &Location) -> bool {
        match (self, other) {
            (Location::File(a), Location::File(b)) => a == b,
            (Location::Server(a), Location::Server(b)) => a.shown() == b.shown(),
            _ => false,
        }
    }
}

impl Eq for Location {}

impl std::str::FromStr for Location {
    type Err = String;

    fn from_str(text: &str) -> Result<Location, String> {
        Location::parse(text).map_err(|e| match e {
            StoreError::BadLocation(why) => why,
            other => other.to_string(),
        })
    }
}

impl<'de> serde::Deserialize<'de> for Location {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Location, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_servers_and_anything_else_is_a_file() {
        assert_eq!(Location::parse("desk.db").unwrap(), Location::File("desk.db".into()));
        assert_eq!(Location::parse("./postgres:/x").unwrap(), Location::File("./postgres:/x".into()));
        let server = Location::parse("postgres://ana:secret@db.example:5433/desk").unwrap();
        assert!(matches!(server, Location::Server(_)));
        assert_eq!(server.path(), None);
        assert!(!server.shown().contains("secret"), "{}", server.shown());
        assert!(!format!("{server:?}").contains("secret"));
        let same = Location::parse("postgresql://ana:other@db.example:5433/desk").unwrap();
        assert_eq!(server, same, "one database whatever the password");
        assert!(Location::parse("postgres://db.example/desk?sslmode=maybe").is_err());
        assert!(Location::parse("").is_err());
    }
}
