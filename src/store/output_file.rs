//! Files a command writes for the agent (exports, backups): never onto the
//! desk or its log, never over anything but a regular file the agent may
//! write, always whole (written beside the target and renamed into place),
//! and with the permissions the desk's own file gets.

use std::fs::{self, File, Permissions};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};

use super::StoreError;

/// A file being written; [`OutputFile::finish`] puts it in place.
pub struct OutputFile {
    temp: tempfile::NamedTempFile,
    target: PathBuf,
}

impl OutputFile {
    /// Prepares to write `path` (see the module's rules); `is_desk` says
    /// whether a path is the desk's own file (or one of its companions).
    /// Symlinks are followed: the file they point at is replaced, the link
    /// stays.
    pub(crate) fn create(path: &Path, is_desk: impl Fn(&Path) -> bool) -> Result<OutputFile, StoreError> {
        let refuse = |why: String| StoreError::Output { path: path.to_owned(), why };
        let io_err = |source| StoreError::Io { path: path.to_owned(), source };
        let target = match fs::symlink_metadata(path) {
            Ok(meta) if meta.file_type().is_symlink() => fs::canonicalize(path)
                .map_err(|_| refuse("it is a symlink to nothing; refusing to write through it".into()))?,
            _ => path.to_owned(),
        };
        if is_desk(&target) {
            return Err(refuse(
                "it is this desk's database or one of its files; refusing to write over it".into(),
            ));
        }
        let folder =
            target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")).to_owned();
        let mode = match fs::metadata(&target) {
            Ok(meta) => {
                if let Some(kind) = special_kind(&meta.file_type()) {
                    return Err(refuse(format!("it is {kind}, not a regular file; refusing to replace it")));
                }
                if !writable(&target) {
                    return Err(refuse("you may not write to it; refusing to replace it".into()));
                }
                // The replacement keeps the mode of what it replaces.
                Some(meta.permissions().mode() & 0o7777)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(io_err(e)),
        };
        // Created as any new file (0666 less the umask); in a team's
        // group-writable folder the group may write it too, as the desk.
        let temp = tempfile::Builder::new()
            .prefix(".ticketdesk-")
            .permissions(Permissions::from_mode(0o666))
            .tempfile_in(&folder)
            .map_err(io_err)?;
        let mode = match mode {
            Some(mode) => mode,
            None => {
                let created = temp.as_file().metadata().map_err(io_err)?.permissions().mode() & 0o7777;
                let folder_mode = fs::metadata(&folder).map_err(io_err)?.permissions().mode();
                if folder_mode & 0o020 != 0 { created | 0o060 } else { created }
            }
        };
        temp.as_file().set_permissions(Permissions::from_mode(mode)).map_err(io_err)?;
        Ok(OutputFile { temp, target })
    }

    /// Where to write (a temporary file beside the target).
    pub fn path(&self) -> &Path {
        self.temp.path()
    }

    pub fn file(&self) -> &File {
        self.temp.as_file()
    }

    /// Flushes the file to disk and renames it over the target. Returns its size.
    pub fn finish(self) -> Result<u64, StoreError> {
        let io_err = |source| StoreError::Io { path: self.target.clone(), source };
        let size = self.temp.as_file().metadata().map_err(io_err)?.len();
        self.temp.as_file().sync_all().map_err(io_err)?;
        let target = self.target.clone();
        self.temp.persist(&target).map_err(|e| StoreError::Io { path: target.clone(), source: e.error })?;
        Ok(size)
    }
}

/// Whether this process may write `path`, by the kernel's own rules (a file
/// mode does not stop root, so neither does this).
fn writable(path: &Path) -> bool {
    let Ok(path) = std::ffi::CString::new(path.as_os_str().as_bytes()) else { return false };
    // SAFETY: `path` is a valid NUL-terminated string that outlives the call.
    unsafe { libc::access(path.as_ptr(), libc::W_OK) == 0 }
}

/// What a path holds when it is not a regular file: a directory, a named
/// pipe (opening one waits for a writer forever), a socket or a device.
pub(crate) fn special_kind(kind: &fs::FileType) -> Option<&'static str> {
    if kind.is_dir() {
        Some("a directory")
    } else if kind.is_fifo() {
        Some("a named pipe")
    } else if kind.is_socket() {
        Some("a socket")
    } else if kind.is_block_device() || kind.is_char_device() {
        Some("a device")
    } else {
        None
    }
}
