//! Saved views: named queries of the query language, shown as tabs in the
//! list and used from scripts with `list --view NAME`. The built-in ones come
//! first unless the config sets `builtin_views = false`; a view of the same
//! name in the config replaces a built-in one.

use serde::Deserialize;
use std::collections::BTreeMap;

/// One `[views.NAME]` table.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ViewConfig {
    pub query: String,
}

/// A view as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    pub name: String,
    pub query: String,
}

/// Work still to do, mine, nobody's, urgent, and everything.
const BUILT_IN: [(&str, &str); 5] = [
    ("Open", "-st:resolved,closed"),
    ("Mine", "assignee:me -st:resolved,closed"),
    ("Unassigned", "assignee:none -st:resolved,closed"),
    ("Critical", "pri:critical -st:resolved,closed"),
    ("All", ""),
];

/// The views to offer, in order: the built-in ones (unless switched off),
/// then the config's own by name. Names match ignoring case.
pub fn views(builtin: bool, configured: &BTreeMap<String, ViewConfig>) -> Vec<View> {
    let mut views: Vec<View> = Vec::new();
    if builtin {
        views.extend(
            BUILT_IN.iter().map(|(name, query)| View { name: (*name).into(), query: (*query).into() }),
        );
    }
    for (name, view) in configured {
        match views.iter_mut().find(|v| v.name.eq_ignore_ascii_case(name)) {
            Some(existing) => existing.query = view.query.clone(),
            None => views.push(View { name: name.clone(), query: view.query.clone() }),
        }
    }
    views
}

/// The view called `name` (ignoring case).
pub fn find<'a>(views: &'a [View], name: &str) -> Option<&'a View> {
    views.iter().find(|v| v.name.eq_ignore_ascii_case(name))
}

/// Whether `name` can name a view: a TOML key and a tab label at once.
pub fn is_view_name(name: &str) -> bool {
    (1..=32).contains(&name.chars().count())
        && name.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_ins_come_first_and_the_config_can_replace_one() {
        let mut configured = BTreeMap::new();
        configured.insert("mine".to_owned(), ViewConfig { query: "assignee:me".into() });
        configured.insert("billing".to_owned(), ViewConfig { query: "cat:billing".into() });
        let all = views(true, &configured);
        let names: Vec<&str> = all.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names, ["Open", "Mine", "Unassigned", "Critical", "All", "billing"]);
        assert_eq!(find(&all, "MINE").unwrap().query, "assignee:me");
        assert_eq!(views(false, &configured).len(), 2);
        for (_, query) in BUILT_IN {
            crate::domain::Filter::from_query(query, time::OffsetDateTime::now_utc(), "me").unwrap();
        }
    }

    #[test]
    fn names_are_short_words() {
        assert!(is_view_name("my-queue_2") && is_view_name("Ärger"));
        assert!(
            !is_view_name("")
                && !is_view_name("a b")
                && !is_view_name("x]")
                && !is_view_name(&"x".repeat(33))
        );
    }
}

/// Writes `[views.NAME] query = "…"` into the agent's config file at
/// `path`, keeping everything else in it (comments included) as it was; a
/// view of the same name is replaced. The file is written beside and
/// renamed into place, so a failure leaves it as it was.
pub fn save(path: &std::path::Path, name: &str, query: &str) -> Result<(), String> {
    if !is_view_name(name) {
        return Err("a view's name is 1 to 32 letters, digits, '-' or '_'".into());
    }
    let shown = crate::domain::text::sanitize_line(&path.display().to_string()).into_owned();
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(format!("cannot read {shown}: {e}")),
    };
    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .map_err(|_| format!("{shown} is not valid TOML; fix it with `ticketdesk config edit`"))?;
    let views = doc.entry("views").or_insert_with(|| {
        let mut table = toml_edit::Table::new();
        // Only the [views.NAME] headers, no bare [views] line.
        table.set_implicit(true);
        toml_edit::Item::Table(table)
    });
    let Some(views) = views.as_table_mut() else {
        return Err(format!("{shown}: `views` is not a table"));
    };
    let mut view = toml_edit::Table::new();
    view.insert("query", toml_edit::value(query));
    views.insert(name, toml_edit::Item::Table(view));
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    std::fs::create_dir_all(folder).map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
    let mut temp = tempfile::NamedTempFile::new_in(folder)
        .map_err(|e| format!("cannot write in {shown}'s folder: {e}"))?;
    std::io::Write::write_all(&mut temp, doc.to_string().as_bytes())
        .map_err(|e| format!("cannot write {shown}: {e}"))?;
    if let Ok(meta) = std::fs::metadata(path) {
        let _ = temp.as_file().set_permissions(meta.permissions());
    }
    temp.persist(path).map_err(|e| format!("cannot write {shown}: {}", e.error))?;
    Ok(())
}

#[cfg(test)]
mod save_tests {
    use super::*;

    #[test]
    fn a_saved_view_keeps_the_rest_of_the_file_and_its_comments() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ticketdesk").join("config.toml");
        save(&path, "billing", "cat:billing").unwrap();
        std::fs::write(
            &path,
            "# my settings\ndebounce_ms = 300 # quicker\n\n".to_owned()
                + &std::fs::read_to_string(&path).unwrap(),
        )
        .unwrap();
        save(&path, "mine", "assignee:me \"quoted\" -st:closed").unwrap();
        save(&path, "billing", "cat:billing pri:>=high").unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("# my settings\ndebounce_ms = 300 # quicker\n"), "{text}");
        let parsed: toml::Table = text.parse().unwrap();
        assert_eq!(parsed["views"]["billing"]["query"].as_str(), Some("cat:billing pri:>=high"));
        assert_eq!(parsed["views"]["mine"]["query"].as_str(), Some("assignee:me \"quoted\" -st:closed"));
        assert!(!text.contains("[views]\n"), "only the views' own headers: {text}");
        assert!(save(&path, "bad name", "x").is_err());
    }
}
