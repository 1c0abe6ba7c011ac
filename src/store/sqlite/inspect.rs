//! Looking at a file before this process opens it as a desk: is anything
//! there, is it a regular file, is it SQLite, is it ours, is it whole, is its
//! schema one this build knows. Called only while no connection to the file
//! is open in this process (see [`super::desk`]), and it changes nothing: no
//! journal-mode switch, no `-wal` or `-shm` left behind, whatever the verdict.

use rusqlite::{Connection, OpenFlags};
use std::ffi::OsString;
use std::fs;
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::time::Duration;

use super::StoreError;
use super::open::{APPLICATION_ID, LATEST_VERSION, applied_version};

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";
const HEADER_BYTES: usize = 100;

pub(super) enum FileState {
    Missing,
    Empty,
    /// A whole SQLite file that is ours (at a schema this build knows) or
    /// holds nothing yet.
    Usable,
}

pub(super) fn inspect(path: &Path) -> Result<FileState, StoreError> {
    let io_err = |source| StoreError::Io { path: path.to_owned(), source };
    // `stat` first: opening a FIFO would wait for a writer forever.
    let meta = match fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(FileState::Missing),
        Err(e) => return Err(io_err(e)),
    };
    let special = crate::store::output_file::special_kind(&meta.file_type());
    if let Some(kind) = special {
        return Err(StoreError::NotAFile { path: path.to_owned(), kind });
    }
    if meta.len() == 0 {
        return Ok(FileState::Empty);
    }
    let header = read_header(path).map_err(io_err)?;
    if header.len() < HEADER_BYTES || &header[..16] != SQLITE_MAGIC {
        return Err(StoreError::NotSqlite { path: path.to_owned() });
    }
    if let Some((size, promised)) = cut_short(path).map_err(io_err)? {
        return Err(StoreError::Corrupt {
            path: path.to_owned(),
            detail: format!("it is cut short ({size} of the {promised} bytes its header promises)"),
        });
    }
    let id = u32::from_be_bytes([header[68], header[69], header[70], header[71]]);
    match id {
        // Ours (the id is written before anything else, outside any log): the
        // first connection checks the schema's version before it writes.
        APPLICATION_ID => Ok(FileState::Usable),
        0 => {
            check_read_only(path)?;
            Ok(FileState::Usable)
        }
        _ => Err(StoreError::Foreign { path: path.to_owned(), id }),
    }
}

/// The first 100 bytes, or fewer if the file is shorter.
fn read_header(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut header = Vec::with_capacity(HEADER_BYTES);
    fs::File::open(path)?.take(HEADER_BYTES as u64).read_to_end(&mut header)?;
    Ok(header)
}

/// The file's size and the size its header promises, when the file is
/// shorter than promised. Judged only while no `-wal` sits beside it: with
/// one, another process may be checkpointing, which writes the first page
/// (and its new size) before the pages that grow the file. A shortfall seen
/// twice with no log before or after is real.
fn cut_short(path: &Path) -> std::io::Result<Option<(u64, u64)>> {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    let wal = Path::new(&wal);
    let mut seen = None;
    for _ in 0..2 {
        if wal.exists() {
            return Ok(None);
        }
        let size = fs::metadata(path)?.len();
        let header = read_header(path)?;
        let short = match (header.len() >= HEADER_BYTES).then(|| promised_size(&header)).flatten() {
            Some(promised) if size < promised => Some((size, promised)),
            _ => None,
        };
        if short.is_none() || wal.exists() {
            return Ok(None);
        }
        seen = short;
    }
    Ok(seen)
}

/// The size the header says the file has, when it says so reliably (its
/// "version valid for" number matches the change counter).
fn promised_size(header: &[u8]) -> Option<u64> {
    let word = |at: usize| u32::from_be_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]]);
    let page_size = match u16::from_be_bytes([header[16], header[17]]) {
        1 => 65_536,
        n => u64::from(n),
    };
    let pages = u64::from(word(28));
    (pages > 0 && word(92) == word(24)).then_some(pages * page_size)
}

/// Asks SQLite, read-only, what the file holds. With no `-wal` beside the
/// file, the connection is `immutable` so that SQLite makes no `-wal` or
/// `-shm` of its own (a read-only connection to a WAL-mode file otherwise
/// leaves both behind). Safe here and only here: an immutable connection
/// takes no locks, and closing it would drop this process's locks on the
/// file, of which there are none before the first connection.
fn check_read_only(path: &Path) -> Result<(), StoreError> {
    let fail = |e| StoreError::from_sqlite(e, path, Duration::ZERO);
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    let conn = if Path::new(&wal).exists() {
        Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
    } else {
        Connection::open_with_flags(
            immutable_uri(path),
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
    }
    .map_err(fail)?;
    conn.busy_timeout(Duration::from_secs(2)).map_err(fail)?;
    let id: i64 = conn.pragma_query_value(None, "application_id", |row| row.get(0)).map_err(fail)?;
    let id = id as u32;
    if id == APPLICATION_ID {
        return match applied_version(&conn).map_err(fail)? {
            Some(found) if found > LATEST_VERSION => {
                Err(StoreError::TooNew { path: path.to_owned(), found, known: LATEST_VERSION })
            }
            _ => Ok(()),
        };
    }
    if id != 0 {
        return Err(StoreError::Foreign { path: path.to_owned(), id });
    }
    let objects: i64 =
        conn.query_row("SELECT count(*) FROM sqlite_schema", [], |row| row.get(0)).map_err(fail)?;
    if objects == 0 { Ok(()) } else { Err(StoreError::ForeignTables { path: path.to_owned() }) }
}

/// `file:` URI for `path`, read-only and immutable; every byte outside the
/// unreserved set is percent-encoded, so no file name reads as a parameter.
fn immutable_uri(path: &Path) -> OsString {
    let mut uri = String::from(if path.is_absolute() { "file://" } else { "file:" });
    for &byte in path.as_os_str().as_bytes() {
        if byte.is_ascii_alphanumeric() || b"/._-~".contains(&byte) {
            uri.push(char::from(byte));
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri.push_str("?mode=ro&immutable=1");
    OsString::from(uri)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_escape_what_could_read_as_syntax() {
        assert_eq!(immutable_uri(Path::new("/srv/desk.db")), "file:///srv/desk.db?mode=ro&immutable=1");
        assert_eq!(immutable_uri(Path::new("a?b#c%d e.db")), "file:a%3Fb%23c%25d%20e.db?mode=ro&immutable=1");
    }

    #[test]
    fn the_promised_size_needs_a_valid_header() {
        let mut header = vec![0u8; HEADER_BYTES];
        header[16..18].copy_from_slice(&4096u16.to_be_bytes());
        header[28..32].copy_from_slice(&3u32.to_be_bytes());
        assert_eq!(promised_size(&header), Some(3 * 4096));
        header[92..96].copy_from_slice(&7u32.to_be_bytes());
        assert_eq!(promised_size(&header), None, "written by a version that did not keep the size");
        header[16..18].copy_from_slice(&1u16.to_be_bytes());
        header[24..28].copy_from_slice(&7u32.to_be_bytes());
        assert_eq!(promised_size(&header), Some(3 * 65_536));
    }
}
