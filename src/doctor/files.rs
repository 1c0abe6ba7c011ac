//! The database's folder and files: who owns them, who may write them, and
//! whether a shared folder is set up so every agent's files stay usable by
//! the rest. Only `stat` and `access(2)`: nothing here opens the database.

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use super::Report;
use crate::domain::text::sanitize_line;

fn shown(path: &Path) -> String {
    sanitize_line(&path.display().to_string()).into_owned()
}

/// `rwxrws---` from a mode, setgid shown as `ls` does.
pub fn mode_string(mode: u32) -> String {
    let mut out = String::with_capacity(9);
    for (shift, special, special_char) in [(6, 0o4000, 's'), (3, 0o2000, 's'), (0, 0o1000, 't')] {
        let bits = (mode >> shift) & 0o7;
        out.push(if bits & 4 != 0 { 'r' } else { '-' });
        out.push(if bits & 2 != 0 { 'w' } else { '-' });
        out.push(match (bits & 1 != 0, mode & special != 0) {
            (true, true) => special_char,
            (false, true) => special_char.to_ascii_uppercase(),
            (true, false) => 'x',
            (false, false) => '-',
        });
    }
    out
}

fn group_name(gid: u32) -> String {
    uzers::get_group_by_gid(gid)
        .map(|g| g.name().to_string_lossy().into_owned())
        .unwrap_or_else(|| format!("gid-{gid}"))
}

fn user_name(uid: u32) -> String {
    uzers::get_user_by_uid(uid)
        .map(|u| u.name().to_string_lossy().into_owned())
        .unwrap_or_else(|| format!("uid-{uid}"))
}

/// Whether this process may do `mode` (`libc::W_OK` ...) to `path`, as the
/// kernel would decide it. Opens nothing.
fn allowed(path: &Path, mode: libc::c_int) -> bool {
    let Ok(c_path) = CString::new(path.as_os_str().as_bytes()) else { return false };
    // SAFETY: a valid NUL-terminated path; access(2) only reads it.
    unsafe { libc::access(c_path.as_ptr(), mode) == 0 }
}

/// The groups this process acts with.
fn my_groups() -> Vec<u32> {
    // SAFETY: the first call asks for the count, the second fills a buffer of that size.
    unsafe {
        let count = libc::getgroups(0, std::ptr::null_mut());
        let mut groups = vec![0 as libc::gid_t; usize::try_from(count).unwrap_or(0)];
        let filled = libc::getgroups(count.max(0), groups.as_mut_ptr());
        groups.truncate(usize::try_from(filled).unwrap_or(0));
        groups.push(libc::getegid());
        groups
    }
}

/// Checks the folder, the database and its `-wal` and `-shm`. Returns whether
/// the database file exists (and is a file), so it can be checked next.
pub fn check(db: &Path, default_location: bool, report: &mut Report) -> bool {
    let folder = match db.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let folder_meta = match std::fs::metadata(folder) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && default_location => {
            report.note(format!("database {}: not created yet; the first command creates it", shown(db)));
            return false;
        }
        Err(e) => {
            report.fix(
                format!("the database's folder {}: {}", shown(folder), e.kind()),
                "create it (install -d -m 2770 -g GROUP FOLDER for a team) or point db at another folder",
            );
            return false;
        }
    };
    let shared = folder_meta.permissions().mode() & 0o020 != 0;
    report.describe(describe_folder(folder, &folder_meta), folder_problems(folder, &folder_meta));
    if !allowed(folder, libc::X_OK) {
        // Nothing inside can be looked at; the finding above says why.
        return false;
    }
    let exists = desk_file(db, "database", folder_meta.gid(), shared, report);
    for suffix in ["-wal", "-shm"] {
        let mut companion = db.as_os_str().to_owned();
        companion.push(suffix);
        desk_file(Path::new(&companion), suffix, folder_meta.gid(), shared, report);
    }
    if !exists && std::fs::symlink_metadata(db).is_err() {
        report.note(format!("database {}: not created yet; the first command creates it", shown(db)));
    }
    exists
}

fn describe_folder(folder: &Path, meta: &std::fs::Metadata) -> String {
    let mode = meta.permissions().mode();
    format!(
        "folder {}: owner {}, group {}, {}{}",
        shown(folder),
        user_name(meta.uid()),
        group_name(meta.gid()),
        mode_string(mode),
        if mode & 0o020 != 0 { " (shared with the group)" } else { " (private)" }
    )
}

/// A folder shared with a group (group-writable) must be setgid, so every
/// file made in it takes the group, and every agent must be in that group.
fn folder_problems(folder: &Path, meta: &std::fs::Metadata) -> Report {
    let mut problems = Report::default();
    let me = user_name(uzers::get_effective_uid());
    let mode = meta.permissions().mode();
    let group = group_name(meta.gid());
    let shared = mode & 0o020 != 0;
    let outsider = shared && !my_groups().contains(&meta.gid()) && uzers::get_effective_uid() != meta.uid();
    if outsider {
        problems.fix(
            format!(
                "you ({me}) are not in group {group}, which shares {}: you cannot open or create the desk's files",
                shown(folder)
            ),
            format!("ask an administrator: usermod -aG {group} {me}, then log in again"),
        );
    } else if !allowed(folder, libc::W_OK | libc::X_OK) {
        problems.fix(
            format!(
                "you ({me}) cannot create files in {}: SQLite needs to make -wal and -shm there",
                shown(folder)
            ),
            format!(
                "chmod u+w {} if it is yours, or put the database in a folder you can write",
                shown(folder)
            ),
        );
    }
    if shared && mode & 0o2000 == 0 {
        problems.fix(
            format!(
                "folder {} is shared with group {group} but not setgid: files an agent creates there \
                 (the database, its -wal and -shm) get that agent's own group, and the others cannot open them",
                shown(folder)
            ),
            format!("chmod g+s {}, then chgrp {group} the files already in it", shown(folder)),
        );
    }
    problems
}

/// One of the desk's files: there or not, a regular file, writable by me,
/// and in a shared folder, group read-write in the folder's group.
fn desk_file(path: &Path, what: &str, folder_gid: u32, shared: bool, report: &mut Report) -> bool {
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return false,
        Err(e) => {
            report.fix(format!("{what} {}: {}", shown(path), e.kind()), "check the folder's permissions");
            return false;
        }
    };
    if !meta.is_file() {
        report.fix(
            format!("{what} {} is not a regular file", shown(path)),
            "move it away; the database and its -wal and -shm must be plain files",
        );
        return false;
    }
    let mode = meta.permissions().mode();
    let group = group_name(meta.gid());
    let mut problems = Report::default();
    if !allowed(path, libc::R_OK | libc::W_OK) {
        problems.fix(
            format!("you ({}) cannot write {what} {}", user_name(uzers::get_effective_uid()), shown(path)),
            if shared {
                format!("chmod g+rw {} and make sure you are in its group", shown(path))
            } else {
                "ask its owner to share it (a group-writable setgid folder, see the README)".to_owned()
            },
        );
    }
    if shared && meta.gid() != folder_gid {
        problems.fix(
            format!(
                "{what} {} belongs to group {group}, not the folder's group {}",
                shown(path),
                group_name(folder_gid)
            ),
            format!("chgrp {} {}", group_name(folder_gid), shown(path)),
        );
    }
    if shared && mode & 0o060 != 0o060 {
        problems.fix(
            format!("{what} {} is not read-write for its group ({})", shown(path), mode_string(mode)),
            format!("chmod g+rw {}", shown(path)),
        );
    }
    report.describe(
        format!(
            "{what} {}: owner {}, group {group}, {}",
            shown(path),
            user_name(meta.uid()),
            mode_string(mode)
        ),
        problems,
    );
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_read_as_ls_shows_them() {
        assert_eq!(mode_string(0o2770), "rwxrws---");
        assert_eq!(mode_string(0o2760), "rwxrwS---");
        assert_eq!(mode_string(0o644), "rw-r--r--");
        assert_eq!(mode_string(0o1777), "rwxrwxrwt");
    }
}
