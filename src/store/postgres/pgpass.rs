//! The password file libpq reads (`~/.pgpass` or `PGPASSFILE`): lines of
//! `host:port:database:user:password`, `*` matching anything, `\` escaping
//! the next character, the first matching line winning. A file that group or
//! others may access is ignored with a warning, as libpq does.

use std::path::Path;

/// What to look for: the connection's host as libpq names it in the file
/// (`localhost` for its default socket folder), port, database and user.
pub(crate) struct Wanted<'a> {
    pub host: &'a str,
    pub port: u16,
    pub dbname: &'a str,
    pub user: &'a str,
}

/// The outcome of reading the file: a password, and a warning to show when
/// the file was there but could not be used.
#[derive(Default)]
pub(crate) struct Found {
    pub password: Option<String>,
    pub warning: Option<String>,
}

/// Reads `path` (a missing file is no password and no warning).
pub(crate) fn lookup(path: &Path, wanted: &Wanted<'_>) -> Found {
    use std::os::unix::fs::PermissionsExt;

    let Ok(meta) = std::fs::metadata(path) else { return Found::default() };
    let shown = crate::domain::text::sanitize_line(&path.display().to_string()).into_owned();
    if !meta.is_file() {
        return Found {
            password: None,
            warning: Some(format!("password file {shown} is not a plain file; ignored")),
        };
    }
    if meta.permissions().mode() & 0o077 != 0 {
        return Found {
            password: None,
            warning: Some(format!(
                "password file {shown} is ignored: group or others may read it (run `chmod 0600 {shown}`)"
            )),
        };
    }
    match std::fs::read(path) {
        Ok(bytes) => Found { password: find(&String::from_utf8_lossy(&bytes), wanted), warning: None },
        Err(e) => Found { password: None, warning: Some(format!("cannot read password file {shown}: {e}")) },
    }
}

/// The password of the first line of `text` that matches.
pub(crate) fn find(text: &str, wanted: &Wanted<'_>) -> Option<String> {
    let port = wanted.port.to_string();
    let want = [wanted.host, port.as_str(), wanted.dbname, wanted.user];
    text.lines().map(|line| line.trim_end_matches('\r')).filter(|line| !line.starts_with('#')).find_map(
        |line| {
            let (fields, password) = split(line)?;
            let matches = fields.iter().zip(want).all(|(field, want)| field.matches(want));
            matches.then_some(password)
        },
    )
}

/// One of the four fields before the password.
struct Field {
    text: String,
    /// Written as a bare `*` (an escaped `\*` is a literal star).
    wildcard: bool,
}

impl Field {
    fn matches(&self, want: &str) -> bool {
        self.wildcard || self.text == want
    }
}

/// The four fields of a line, unescaped, and the password: the rest of the
/// line (it may hold unescaped colons). `None` for a line with fewer fields.
fn split(line: &str) -> Option<([Field; 4], String)> {
    let mut fields = Vec::with_capacity(4);
    let mut text = String::new();
    let mut chars = line.char_indices();
    let mut start = 0;
    while let Some((at, c)) = chars.next() {
        match c {
            '\\' => text.push(chars.next().map_or('\\', |(_, next)| next)),
            ':' if fields.len() < 4 => {
                fields.push(Field { wildcard: &line[start..at] == "*", text: std::mem::take(&mut text) });
                start = at + 1;
            }
            _ => text.push(c),
        }
    }
    let fields: [Field; 4] = fields.try_into().ok()?;
    Some((fields, text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wanted<'a>(host: &'a str, port: u16, dbname: &'a str, user: &'a str) -> Wanted<'a> {
        Wanted { host, port, dbname, user }
    }

    #[test]
    fn the_first_matching_line_wins() {
        let text = "db.example:5432:desk:ana:first\n*:*:*:ana:second\n";
        assert_eq!(find(text, &wanted("db.example", 5432, "desk", "ana")).as_deref(), Some("first"));
        assert_eq!(find(text, &wanted("other", 5432, "desk", "ana")).as_deref(), Some("second"));
        assert_eq!(find(text, &wanted("db.example", 5432, "desk", "bo")), None);
    }

    #[test]
    fn every_field_must_match_or_be_a_wildcard() {
        let text = "h:6000:d:u:pw\n";
        assert_eq!(find(text, &wanted("h", 6000, "d", "u")).as_deref(), Some("pw"));
        assert_eq!(find(text, &wanted("h", 5432, "d", "u")), None);
        assert_eq!(find(text, &wanted("h", 6000, "e", "u")), None);
        assert_eq!(find(text, &wanted("x", 6000, "d", "u")), None);
        assert_eq!(find("*:*:*:*:any\n", &wanted("x", 1, "y", "z")).as_deref(), Some("any"));
    }

    #[test]
    fn escapes_and_colons_in_the_password() {
        let text = r"we\:ird:5432:d\\b:u:p\:a\\ss:word";
        assert_eq!(find(text, &wanted("we:ird", 5432, r"d\b", "u")).as_deref(), Some(r"p:a\ss:word"));
        // An escaped star is a literal star, not a wildcard.
        assert_eq!(find(r"\*:*:*:*:lit", &wanted("h", 5432, "d", "u")), None);
        assert_eq!(find(r"\*:*:*:*:lit", &wanted("*", 5432, "d", "u")).as_deref(), Some("lit"));
    }

    #[test]
    fn comments_short_lines_and_crlf_are_skipped() {
        let text = "# h:5432:d:u:commented\nh:5432:d\r\nh:5432:d:u:pw\r\n";
        assert_eq!(find(text, &wanted("h", 5432, "d", "u")).as_deref(), Some("pw"));
    }

    #[test]
    fn an_empty_password_field_is_an_empty_password() {
        assert_eq!(find("h:5432:d:u:\n", &wanted("h", 5432, "d", "u")).as_deref(), Some(""));
    }

    #[test]
    fn a_file_others_may_read_is_ignored_with_a_warning() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pgpass");
        std::fs::write(&path, "*:*:*:*:secret-pw\n").unwrap();
        let want = wanted("h", 5432, "d", "u");

        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        let found = lookup(&path, &want);
        assert_eq!(found.password.as_deref(), Some("secret-pw"));
        assert!(found.warning.is_none());

        for mode in [0o644, 0o640, 0o604, 0o610] {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
            let found = lookup(&path, &want);
            assert_eq!(found.password, None, "mode {mode:o}");
            let warning = found.warning.expect("a warning");
            assert!(warning.contains("group or others") && warning.contains("pgpass"), "{warning}");
        }
    }

    #[test]
    fn a_missing_file_is_silent_and_a_folder_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let want = wanted("h", 5432, "d", "u");
        let missing = lookup(&dir.path().join("none"), &want);
        assert!(missing.password.is_none() && missing.warning.is_none());
        let folder = lookup(dir.path(), &want);
        assert!(folder.password.is_none() && folder.warning.is_some());
    }
}
