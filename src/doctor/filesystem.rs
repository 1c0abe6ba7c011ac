//! Whether the database sits on a local file system. SQLite's locks, and the
//! shared memory its WAL mode depends on, do not work reliably over NFS, SMB
//! and other network file systems: two hosts writing one file there corrupt
//! it (SQLite's FAQ and "How To Corrupt An SQLite Database File").

use std::path::Path;

use super::Report;
use crate::domain::text::sanitize_line;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FsKind {
    Local,
    /// A network or cluster file system, by name.
    Network(&'static str),
    /// FUSE: local for some (encfs), network for others (sshfs, s3fs).
    Fuse,
}

/// The kind of file system from `statfs`'s `f_type` (Linux magic numbers,
/// from `linux/magic.h` and the file systems' own headers).
pub fn fs_kind(f_type: u64) -> FsKind {
    match f_type & 0xFFFF_FFFF {
        0x6969 => FsKind::Network("NFS"),
        0x517B => FsKind::Network("SMB"),
        0xFF53_4D42 => FsKind::Network("CIFS"),
        0xFE53_4D42 => FsKind::Network("SMB2"),
        0x7375_7245 => FsKind::Network("Coda"),
        0x5346_414F | 0x6B41_4653 => FsKind::Network("AFS"),
        0x0102_1997 => FsKind::Network("9P"),
        0x00C3_6400 => FsKind::Network("CephFS"),
        0x564C => FsKind::Network("NCP"),
        0x7461_636F => FsKind::Network("OCFS2"),
        0x0116_1970 => FsKind::Network("GFS2"),
        0x0BD0_0BD0 => FsKind::Network("Lustre"),
        0x786F_4256 => FsKind::Network("a VirtualBox shared folder"),
        0x6573_5546 => FsKind::Fuse,
        _ => FsKind::Local,
    }
}

/// The nearest folder that exists at or above `folder`: statfs needs one.
fn existing_ancestor(folder: &Path) -> Option<&Path> {
    folder
        .ancestors()
        .find(|p| std::fs::metadata(if p.as_os_str().is_empty() { Path::new(".") } else { p }).is_ok())
}

#[cfg(target_os = "linux")]
fn statfs_type(path: &Path) -> std::io::Result<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c_path = std::ffi::CString::new(path.as_os_str().as_bytes()).map_err(std::io::Error::other)?;
    let mut buf = std::mem::MaybeUninit::<libc::statfs>::uninit();
    // SAFETY: a valid NUL-terminated path and a buffer of the right type.
    if unsafe { libc::statfs(c_path.as_ptr(), buf.as_mut_ptr()) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: statfs succeeded and filled the buffer.
    let f_type = unsafe { buf.assume_init() }.f_type;
    // The field's width and sign vary by architecture; the magic is 32 bits.
    #[allow(clippy::unnecessary_cast)]
    Ok(f_type as i64 as u64)
}

#[cfg(not(target_os = "linux"))]
fn statfs_type(_path: &Path) -> std::io::Result<u64> {
    Err(std::io::Error::other("not known on this system"))
}

pub fn check(folder: &Path, report: &mut Report) {
    let Some(found) = existing_ancestor(folder) else { return };
    let found = if found.as_os_str().is_empty() { Path::new(".") } else { found };
    let shown = sanitize_line(&found.display().to_string()).into_owned();
    match statfs_type(found).map(fs_kind) {
        Ok(FsKind::Local) => report.ok(format!("file system of {shown}: local")),
        Ok(FsKind::Network(name)) => report.fix(
            format!(
                "{shown} is on {name}, a network file system: SQLite's locks are not reliable there, \
                 and two hosts writing one database corrupt it"
            ),
            "keep the database on a disk local to the host everyone logs in to (e.g. /srv/support); \
             teams on several hosts need a server engine",
        ),
        Ok(FsKind::Fuse) => report.note(format!(
            "{shown} is on a FUSE file system: fine if it is local (encfs, gocryptfs), \
             unsafe for SQLite if it reaches over the network (sshfs, s3fs)"
        )),
        Err(e) => report.note(format!("cannot tell which file system {shown} is on: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn network_file_systems_are_named() {
        assert_eq!(fs_kind(0x6969), FsKind::Network("NFS"));
        assert_eq!(fs_kind(0xFF53_4D42), FsKind::Network("CIFS"));
        // As a signed 32-bit `f_type` arrives, sign-extended.
        assert_eq!(fs_kind(0xFF53_4D42_u32 as i32 as i64 as u64), FsKind::Network("CIFS"));
        assert_eq!(fs_kind(0xFE53_4D42), FsKind::Network("SMB2"));
        assert_eq!(fs_kind(0x6573_5546), FsKind::Fuse);
        assert_eq!(fs_kind(0xEF53), FsKind::Local, "ext4");
        assert_eq!(fs_kind(0x0102_1994), FsKind::Local, "tmpfs");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_temp_folder_is_local() {
        let dir = tempfile::tempdir().unwrap();
        let kind = fs_kind(statfs_type(dir.path()).unwrap());
        assert_eq!(kind, FsKind::Local);
    }
}
