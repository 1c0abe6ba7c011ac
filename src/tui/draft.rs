//! The half-typed new ticket, kept safe in the agent's own state directory
//! (never the shared database: every write there would wake every other
//! agent's screen). Offered back on the next start after a dropped SSH
//! connection, a kill or a crash; removed once the ticket is saved or cleared.

use crate::store::Location;
use serde::{Deserialize, Serialize};
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::domain::{Category, Priority};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    pub title: String,
    pub description: String,
    pub category: Option<Category>,
    pub priority: Option<Priority>,
    /// When it was written (stored timestamp format).
    pub saved_at: String,
}

impl Draft {
    pub fn is_blank(&self) -> bool {
        self.title.trim().is_empty() && self.description.trim().is_empty()
    }
}

/// Where the draft for the desk at `location` lives:
/// `<state dir>/ticketdesk/drafts/`, one file per desk so two desks never mix
/// their drafts.
pub fn path_for(location: &Location) -> Option<PathBuf> {
    let dirs = directories::BaseDirs::new()?;
    let base = dirs.state_dir().unwrap_or_else(|| dirs.data_local_dir());
    let key = match location {
        Location::File(path) => {
            std::path::absolute(path).unwrap_or_else(|_| path.to_owned()).into_os_string()
        }
        Location::Server(_) => location.shown().into(),
    };
    Some(base.join("ticketdesk").join("drafts").join(format!("{:016x}.json", fnv1a(key.as_encoded_bytes()))))
}

/// A stable 64-bit hash (FNV-1a): the same database gets the same file name
/// across runs and builds.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(0xcbf2_9ce4_8422_2325, |hash, byte| (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3))
}

/// The saved draft, if there is a readable, non-blank one.
pub fn load(path: &Path) -> Option<Draft> {
    let text = fs::read_to_string(path).ok()?;
    serde_json::from_str::<Draft>(&text).ok().filter(|d| !d.is_blank())
}

/// Writes the draft atomically (beside, then renamed), readable by the agent only.
pub fn save(path: &Path, draft: &Draft) -> io::Result<()> {
    let dir = path.parent().ok_or_else(|| io::Error::other("draft path has no folder"))?;
    fs::create_dir_all(dir)?;
    let temp = path.with_extension("json.tmp");
    {
        let mut options = fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&temp)?;
        // No fsync: a killed process or a dropped connection leaves the page
        // cache intact, and a sync per keystroke would be felt.
        file.write_all(serde_json::to_string(draft).map_err(io::Error::other)?.as_bytes())?;
    }
    fs::rename(&temp, path)
}

/// Writes the form's draft off the UI's path, on a thread of its own; when
/// the agent types faster than files are written, only the latest is kept.
pub struct Keeper {
    jobs: Option<std::sync::mpsc::Sender<Option<Draft>>>,
}

impl Keeper {
    /// Keeps drafts at `path`; without one (no state directory), nowhere.
    pub fn start(path: Option<PathBuf>) -> Keeper {
        let Some(path) = path else { return Keeper { jobs: None } };
        let (jobs, queue) = std::sync::mpsc::channel::<Option<Draft>>();
        let spawned = std::thread::Builder::new().name("drafts".into()).spawn(move || {
            while let Ok(first) = queue.recv() {
                let latest = queue.try_iter().last().unwrap_or(first);
                // A draft that cannot be written is not worth interrupting the
                // agent for; the ticket itself is still on screen.
                let _ = match latest {
                    Some(mut draft) => {
                        draft.saved_at = crate::domain::timestamp::format(time::OffsetDateTime::now_utc());
                        save(&path, &draft)
                    }
                    None => discard(&path),
                };
            }
        });
        Keeper { jobs: spawned.ok().map(|_| jobs) }
    }

    /// Keeps `draft` (`None`: forgets the one kept).
    pub fn keep(&self, draft: Option<Draft>) {
        if let Some(jobs) = &self.jobs {
            let _ = jobs.send(draft);
        }
    }
}

/// Forgets the draft (saved or cleared). A missing file is fine.
pub fn discard(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> Draft {
        Draft {
            title: "Half".into(),
            description: "typed\nover two lines".into(),
            category: Some(Category::Billing),
            priority: None,
            saved_at: "2026-11-24T12:00:00.000Z".into(),
        }
    }

    #[test]
    fn a_draft_round_trips_and_only_its_owner_can_read_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/draft.json");
        save(&path, &draft()).unwrap();
        assert_eq!(load(&path), Some(draft()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        discard(&path).unwrap();
        assert_eq!(load(&path), None);
        discard(&path).unwrap();
    }

    #[test]
    fn blank_or_broken_drafts_are_not_offered() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("draft.json");
        save(&path, &Draft { title: " ".into(), description: String::new(), ..draft() }).unwrap();
        assert_eq!(load(&path), None);
        fs::write(&path, "{not json").unwrap();
        assert_eq!(load(&path), None);
    }

    #[test]
    fn each_database_has_its_own_draft() {
        let a = path_for(&Location::File("/srv/a.db".into())).unwrap();
        assert_eq!(a, path_for(&Location::File("/srv/a.db".into())).unwrap());
        assert_ne!(a, path_for(&Location::File("/srv/b.db".into())).unwrap());
    }
}
