//! The PostgreSQL schema holds a raw writer to the same rules as the SQLite
//! one: the same invalid writes, sent through each engine's own shell
//! (`sqlite3`, `psql`), are refused by both, and their valid counterparts are
//! accepted by both. Also: the running totals, versions and change
//! notifications kept by the PostgreSQL schema's triggers.

mod common;

use std::io::Write;
use std::process::{Output, Stdio};
use std::time::Duration;

use common::{Desk, tool};
use postgres::fallible_iterator::FallibleIterator;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Engine {
    Sqlite,
    Postgres,
}
use Engine::{Postgres, Sqlite};

impl Engine {
    /// The character with code point `code`, as an SQL expression.
    fn chr(self, code: u32) -> String {
        match self {
            Sqlite => format!("char({code})"),
            Postgres => format!("chr({code})"),
        }
    }

    /// What every session starts with: SQLite's foreign keys (and so the
    /// cascade from a ticket to its history) are on, as in the application's
    /// own connections; the shell leaves them off.
    fn session(self) -> &'static str {
        match self {
            Sqlite => "PRAGMA foreign_keys = ON;\n",
            Postgres => "",
        }
    }

    /// `n` copies of the letter `c`, as an SQL expression.
    fn repeat(self, c: char, n: usize) -> String {
        match self {
            Sqlite => format!("replace(hex(zeroblob({n})), '00', '{c}')"),
            Postgres => format!("repeat('{c}', {n})"),
        }
    }
}

/// Two desks, one per engine, migrated by their own code paths and given the
/// same starting rows.
struct Desks {
    sqlite: Desk,
    pg: common::postgres::Database,
}

/// What each case starts from: ticket 1 with a note and a suggestion,
/// ticket 2 with neither.
const SEED: &str = "
    INSERT INTO tickets (id, title, description, category, priority)
    VALUES (1, 'Card declined', 'Twice today', 'billing', 'high'),
           (2, 'Login loop', 'Since the update', 'account', 'low');
    INSERT INTO ticket_events (id, ticket_id, actor, field, new_value) VALUES (1, 1, 'ana', 'note', 'called back');
    INSERT INTO ticket_suggestions (ticket_id, source, category, priority) VALUES (1, 'local', 'billing', 'low');
";

impl Desks {
    fn new(pg: &common::postgres::Server) -> Desks {
        let sqlite = Desk::new();
        // The real binary makes and migrates the SQLite desk.
        sqlite.ok(&["list"]);
        let pg = pg.database();
        let mut migration = String::new();
        let mut files: Vec<_> =
            std::fs::read_dir("migrations/postgres").unwrap().map(|e| e.unwrap().path()).collect();
        files.sort();
        for file in files {
            migration.push_str(&std::fs::read_to_string(file).unwrap());
            migration.push('\n');
        }
        let desks = Desks { sqlite, pg };
        for engine in [Sqlite, Postgres] {
            let out = desks.run(engine, &migration_or_seed(engine, &migration));
            assert!(out.status.success(), "{engine:?} setup: {}", String::from_utf8_lossy(&out.stderr));
        }
        desks
    }

    /// `sql` through the engine's own shell, stopping at the first error.
    fn run(&self, engine: Engine, sql: &str) -> Output {
        let mut command = match engine {
            Sqlite => {
                let mut c = tool("sqlite3");
                c.arg("-bail").arg(&self.sqlite.db);
                c
            }
            Postgres => {
                let mut c = tool("psql");
                c.args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", &self.pg.url]);
                c
            }
        };
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn shell");
        child.stdin.take().unwrap().write_all(sql.as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    }

    /// `sql` in a transaction that is rolled back, so each case starts alike.
    fn try_write(&self, engine: Engine, sql: &str) -> Result<(), String> {
        let out = self.run(engine, &format!("{}BEGIN;\n{sql};\nROLLBACK;\n", engine.session()));
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        // psql prints notices on stderr; only a failed run is a refusal.
        if out.status.success() { Ok(()) } else { Err(stderr) }
    }

    /// The one-line answer of a query.
    fn query(&self, engine: Engine, sql: &str) -> String {
        let out = self.run(engine, sql);
        assert!(out.status.success(), "{engine:?}: {sql}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    }
}

/// The PostgreSQL migration is applied (in one transaction) before the seed;
/// the SQLite desk is already migrated.
fn migration_or_seed(engine: Engine, migration: &str) -> String {
    match engine {
        Sqlite => SEED.to_owned(),
        Postgres => format!(
            "BEGIN;\n{migration}\nCOMMIT;\n{SEED}\n\
             SELECT setval(pg_get_serial_sequence('tickets', 'id'), 2);\n\
             SELECT setval(pg_get_serial_sequence('ticket_events', 'id'), 1);\n"
        ),
    }
}

/// An invalid write, its valid counterpart, and the rule's name when both
/// engines' refusals carry it.
struct Case {
    name: &'static str,
    bad: fn(Engine) -> String,
    good: fn(Engine) -> String,
    rule: Option<&'static str>,
}

fn insert_ticket(title: &str, description: &str, category: &str, priority: &str) -> String {
    format!(
        "INSERT INTO tickets (title, description, category, priority) VALUES ({title}, {description}, {category}, {priority})"
    )
}

fn with_title(title: String) -> String {
    insert_ticket(&title, "'d'", "'billing'", "'low'")
}

fn with_description(description: String) -> String {
    insert_ticket("'t'", &description, "'billing'", "'low'")
}

fn with_column(column: &str, value: &str) -> String {
    format!(
        "INSERT INTO tickets (title, description, category, priority, {column}) VALUES ('t', 'd', 'billing', 'low', {value})"
    )
}

fn event(field: &str, new_value: &str, actor: &str, source: &str) -> String {
    format!(
        "INSERT INTO ticket_events (ticket_id, actor, field, new_value, source) VALUES (1, {actor}, {field}, {new_value}, {source})"
    )
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "empty title",
            bad: |_| with_title("''".into()),
            good: |_| with_title("'a'".into()),
            rule: Some("title_1_to_200_chars"),
        },
        Case {
            name: "201-character title",
            bad: |e| with_title(e.repeat('t', 201)),
            good: |e| with_title(e.repeat('t', 200)),
            rule: Some("title_1_to_200_chars"),
        },
        Case {
            name: "untrimmed title",
            bad: |_| with_title("' Card declined'".into()),
            good: |_| with_title("'Card declined'".into()),
            rule: Some("title_trimmed"),
        },
        Case {
            name: "title with a trailing space",
            bad: |e| with_title(format!("'Card' || {}", e.chr(32))),
            good: |e| with_title(format!("'Card' || {} || 'x'", e.chr(32))),
            rule: Some("title_trimmed"),
        },
        Case {
            name: "title with a control character",
            bad: |e| with_title(format!("'a' || {} || 'b'", e.chr(27))),
            good: |e| with_title(format!("'a' || {} || 'b'", e.chr(45))),
            rule: Some("title_no_control_chars"),
        },
        Case {
            name: "title with a C1 control",
            bad: |e| with_title(format!("'a' || {} || 'b'", e.chr(0x9b))),
            good: |e| with_title(format!("'a' || {} || 'b'", e.chr(0xa0))),
            rule: Some("title_no_control_chars"),
        },
        Case {
            name: "title with a BiDi override",
            bad: |e| with_title(format!("'a' || {} || 'b'", e.chr(0x202e))),
            good: |e| with_title(format!("'a' || {} || 'b'", e.chr(0x05d0))),
            rule: Some("title_no_invisible_chars"),
        },
        Case {
            name: "title with a zero-width space",
            bad: |e| with_title(format!("'a' || {} || 'b'", e.chr(0x200b))),
            // The joiner that builds emoji sequences is allowed.
            good: |e| with_title(format!("{} || {} || {}", e.chr(0x1f469), e.chr(0x200d), e.chr(0x1f4bb))),
            rule: Some("title_no_invisible_chars"),
        },
        Case {
            name: "title with a line separator",
            bad: |e| with_title(format!("'a' || {} || 'b'", e.chr(0x2028))),
            good: |e| with_title(format!("'a' || {} || 'b'", e.chr(0x2027))),
            rule: Some("title_no_invisible_chars"),
        },
        Case {
            name: "title with a reserved invisible character past U+FFFF",
            bad: |e| with_title(format!("'a' || {} || 'b'", e.chr(0xe0fff))),
            good: |e| with_title(format!("'a' || {} || 'b'", e.chr(0xe1000))),
            rule: Some("title_no_invisible_chars"),
        },
        Case {
            name: "title changed to hold a BiDi isolate",
            bad: |e| format!("UPDATE tickets SET title = 'a' || {} WHERE id = 1", e.chr(0x2066)),
            good: |_| "UPDATE tickets SET title = 'a' WHERE id = 1".into(),
            rule: Some("title_no_invisible_chars"),
        },
        Case {
            name: "missing title",
            bad: |_| with_title("NULL".into()),
            good: |_| with_title("'a'".into()),
            rule: Some("title"),
        },
        Case {
            name: "blank description",
            bad: |e| with_description(format!("' ' || {} || {}", e.chr(10), e.chr(9))),
            good: |e| with_description(format!("' ' || {} || 'x'", e.chr(10))),
            rule: Some("description_not_blank"),
        },
        Case {
            name: "65,537-character description",
            bad: |e| with_description(e.repeat('d', 65_537)),
            good: |e| with_description(e.repeat('d', 65_536)),
            rule: Some("description_at_most_65536_chars"),
        },
        Case {
            name: "unknown category",
            bad: |_| insert_ticket("'t'", "'d'", "'sales'", "'low'"),
            good: |_| insert_ticket("'t'", "'d'", "'general'", "'low'"),
            rule: Some("category_known"),
        },
        Case {
            name: "unknown priority",
            bad: |_| insert_ticket("'t'", "'d'", "'billing'", "'urgent'"),
            good: |_| insert_ticket("'t'", "'d'", "'billing'", "'critical'"),
            rule: Some("priority_known"),
        },
        Case {
            name: "unknown status",
            bad: |_| with_column("status", "'done'"),
            good: |_| with_column("status", "'closed'"),
            rule: Some("status_known"),
        },
        Case {
            name: "status changed to an unknown one",
            bad: |_| "UPDATE tickets SET status = 'Open' WHERE id = 1".into(),
            good: |_| "UPDATE tickets SET status = 'in_progress' WHERE id = 1".into(),
            rule: Some("status_known"),
        },
        Case {
            name: "impossible creation time",
            bad: |_| with_column("created_at", "'2026-02-30T10:00:00.000Z'"),
            good: |_| with_column("created_at", "'2026-02-28T10:00:00.000Z'"),
            // SQLite names its rule; PostgreSQL's type refuses the value.
            rule: None,
        },
        Case {
            name: "impossible update time",
            bad: |_| with_column("updated_at", "'2026-13-01T10:00:00.000Z'"),
            good: |_| with_column("updated_at", "'2026-12-01T10:00:00.000Z'"),
            rule: None,
        },
        Case {
            name: "assignee that is not an account name",
            bad: |_| with_column("assignee", "'ana smith'"),
            good: |_| with_column("assignee", "'ana.smith@desk'"),
            rule: Some("assignee_account_name"),
        },
        Case {
            name: "version below one",
            bad: |_| with_column("version", "0"),
            good: |_| with_column("version", "1"),
            rule: Some("version_positive"),
        },
        Case {
            name: "history row rewritten",
            bad: |_| "UPDATE ticket_events SET new_value = 'never said' WHERE id = 1".into(),
            good: |_| event("'note'", "'said later'", "'ana'", "'person'"),
            rule: Some("append-only"),
        },
        Case {
            name: "history row deleted while its ticket exists",
            bad: |_| "DELETE FROM ticket_events WHERE id = 1".into(),
            // Erasing the whole ticket takes its history along.
            good: |_| "DELETE FROM tickets WHERE id = 1".into(),
            rule: Some("append-only"),
        },
        Case {
            name: "blank note",
            bad: |_| event("'note'", "'   '", "'ana'", "'person'"),
            good: |_| event("'note'", "' ok '", "'ana'", "'person'"),
            rule: Some("note_not_blank"),
        },
        Case {
            name: "note without text",
            bad: |_| event("'note'", "NULL", "'ana'", "'person'"),
            good: |_| event("'status'", "NULL", "'ana'", "'person'"),
            rule: Some("note_not_blank"),
        },
        Case {
            name: "65,537-character note",
            bad: |e| event("'note'", &e.repeat('n', 65_537), "'ana'", "'person'"),
            good: |e| event("'note'", &e.repeat('n', 65_536), "'ana'", "'person'"),
            rule: Some("note_at_most_65536_chars"),
        },
        Case {
            name: "unknown history field",
            bad: |_| event("'colour'", "'red'", "'ana'", "'person'"),
            good: |_| event("'priority'", "'high'", "'ana'", "'person'"),
            rule: Some("event_field"),
        },
        Case {
            name: "history without an actor",
            bad: |_| event("'note'", "'x'", "''", "'person'"),
            good: |_| event("'note'", "'x'", "'ana'", "'person'"),
            rule: Some("event_actor"),
        },
        Case {
            name: "unknown history source",
            bad: |_| event("'category'", "'billing'", "'ana'", "'oracle'"),
            good: |_| event("'category'", "'billing'", "'ana'", "'claude-cached'"),
            rule: Some("event_source"),
        },
        Case {
            name: "history time that is not a time",
            bad: |_| {
                "INSERT INTO ticket_events (ticket_id, at, actor, field) VALUES (1, '2026-04-31T00:00:00.000Z', 'ana', 'title')".into()
            },
            good: |_| {
                "INSERT INTO ticket_events (ticket_id, at, actor, field) VALUES (1, '2026-04-30T00:00:00.000Z', 'ana', 'title')".into()
            },
            rule: None,
        },
        Case {
            name: "unknown suggestion source",
            bad: |_| "INSERT INTO ticket_suggestions VALUES (2, 'oracle', 'account', 'low')".into(),
            good: |_| "INSERT INTO ticket_suggestions VALUES (2, 'claude', 'account', 'low')".into(),
            rule: Some("suggestion_source"),
        },
        Case {
            name: "unknown suggested category",
            bad: |_| "INSERT INTO ticket_suggestions VALUES (2, 'local', 'sales', 'low')".into(),
            good: |_| "INSERT INTO ticket_suggestions VALUES (2, 'local', 'account', 'low')".into(),
            rule: Some("suggested_category_known"),
        },
        Case {
            name: "suggestion rewritten",
            bad: |_| "UPDATE ticket_suggestions SET category = 'general' WHERE ticket_id = 1".into(),
            good: |_| "INSERT INTO ticket_suggestions VALUES (2, 'local', 'general', 'low')".into(),
            rule: Some("written once"),
        },
        Case {
            name: "suggestion deleted while its ticket exists",
            bad: |_| "DELETE FROM ticket_suggestions WHERE ticket_id = 1".into(),
            good: |_| "DELETE FROM tickets WHERE id = 1".into(),
            rule: Some("written once"),
        },
        Case {
            name: "a total written by hand",
            bad: |_| "UPDATE ticket_counts SET n = -1 WHERE category = 'general'".into(),
            good: |_| "UPDATE ticket_counts SET n = n WHERE category = 'general'".into(),
            rule: None,
        },
    ]
}

#[test]
fn the_same_invalid_writes_are_refused_by_both_engines() {
    let Some(server) = common::postgres::server() else { return };
    let desks = Desks::new(&server);
    let mut failures = Vec::new();
    for case in cases() {
        for engine in [Sqlite, Postgres] {
            let bad = (case.bad)(engine);
            match desks.try_write(engine, &bad) {
                Ok(()) => failures.push(format!("{engine:?} accepted the {}", case.name)),
                Err(why) => {
                    if let Some(rule) = case.rule
                        && !why.contains(rule)
                    {
                        failures.push(format!(
                            "{engine:?} refused the {} without naming {rule}: {why}",
                            case.name
                        ));
                    }
                }
            }
            let good = (case.good)(engine);
            if let Err(why) = desks.try_write(engine, &good) {
                failures
                    .push(format!("{engine:?} refused the valid counterpart of the {}: {why}", case.name));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Raw writes of every kind, the same text for both engines.
fn mixed_writes() -> String {
    let (categories, priorities, statuses) = (
        ["billing", "technical", "account", "general"],
        ["low", "medium", "high", "critical"],
        ["open", "in_progress"],
    );
    let mut sql = String::new();
    for i in 0..40 {
        sql.push_str(&format!(
            "INSERT INTO tickets (title, description, category, priority, status) VALUES ('t{i}', 'd', '{}', '{}', '{}');\n",
            categories[i % 4],
            priorities[(i / 4) % 4],
            statuses[i % 2],
        ));
    }
    sql.push_str(
        "INSERT INTO ticket_suggestions (ticket_id, source, category, priority)
             SELECT id, CASE WHEN id % 2 = 0 THEN 'claude' ELSE 'local' END, 'billing', 'low' FROM tickets WHERE id % 3 <> 0 AND id > 1;
         UPDATE tickets SET status = 'resolved' WHERE id % 3 = 0;
         UPDATE tickets SET category = 'billing', priority = 'low' WHERE id % 7 = 1;
         UPDATE tickets SET category = 'account' WHERE id % 5 = 2;
         UPDATE tickets SET status = status WHERE id < 10;
         DELETE FROM tickets WHERE id % 6 = 4;
         UPDATE tickets SET status = 'closed', priority = 'critical' WHERE id % 4 = 0;\n",
    );
    sql
}

/// Rows where a total differs from what the tables say now.
const TOTALS_DRIFT: &str = "
    SELECT (SELECT count(*) FROM ticket_counts c
            LEFT JOIN (SELECT category, priority, status, count(*) AS n FROM tickets
                       GROUP BY category, priority, status) t
              ON t.category = c.category AND t.priority = c.priority AND t.status = c.status
            WHERE c.n <> coalesce(t.n, 0))
         + (SELECT count(*) FROM suggestion_counts c
            LEFT JOIN (SELECT source, field, sum(same) AS kept, sum(1 - same) AS changed
                       FROM (SELECT s.source, 'category' AS field,
                                    CASE WHEN s.category = t.category THEN 1 ELSE 0 END AS same
                             FROM ticket_suggestions s JOIN tickets t ON t.id = s.ticket_id
                             UNION ALL
                             SELECT s.source, 'priority', CASE WHEN s.priority = t.priority THEN 1 ELSE 0 END
                             FROM ticket_suggestions s JOIN tickets t ON t.id = s.ticket_id) AS each_field
                       GROUP BY source, field) r
              ON r.source = c.source AND r.field = c.field
            WHERE c.kept <> coalesce(r.kept, 0) OR c.changed <> coalesce(r.changed, 0));
";

#[test]
fn totals_follow_raw_writes_on_both_engines() {
    let Some(server) = common::postgres::server() else { return };
    let desks = Desks::new(&server);
    for engine in [Sqlite, Postgres] {
        let out = desks.run(engine, &format!("{}{}", engine.session(), mixed_writes()));
        assert!(out.status.success(), "{engine:?}: {}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(desks.query(engine, TOTALS_DRIFT), "0", "{engine:?}");
        let (sum, rows) = (
            desks.query(engine, "SELECT sum(n) FROM ticket_counts"),
            desks.query(engine, "SELECT count(*) FROM tickets"),
        );
        assert_eq!(sum, rows, "{engine:?}");
        let kept = desks.query(engine, "SELECT sum(kept) + sum(changed) FROM suggestion_counts");
        let suggested = desks.query(engine, "SELECT 2 * count(*) FROM ticket_suggestions");
        assert_eq!(kept, suggested, "{engine:?}");
    }
    // Both engines reach the same totals from the same writes.
    let totals = "SELECT group_concat(category || priority || status || n, ',') FROM (SELECT * FROM ticket_counts WHERE n > 0 ORDER BY 1, 2, 3)";
    let pg_totals = "SELECT string_agg(category || priority || status || n, ',' ORDER BY category, priority, status) FROM ticket_counts WHERE n > 0";
    assert_eq!(desks.query(Sqlite, totals), desks.query(Postgres, pg_totals));
}

#[test]
fn a_raw_update_moves_version_and_updated_at() {
    let Some(server) = common::postgres::server() else { return };
    let desks = Desks::new(&server);
    let state = "SELECT version || ' ' || CASE WHEN updated_at > '2021-01-01T00:00:00.000Z' THEN 'moved' ELSE 'kept' END
                 FROM tickets WHERE id = 3";
    for engine in [Sqlite, Postgres] {
        let setup = "INSERT INTO tickets (id, title, description, category, priority, created_at, updated_at)
                     VALUES (3, 't', 'd', 'billing', 'low', '2020-01-01T00:00:00.000Z', '2020-01-01T00:00:00.000Z')";
        desks.query(engine, setup);
        assert_eq!(desks.query(engine, state), "1 kept", "{engine:?}");
        desks.query(engine, "UPDATE tickets SET status = 'resolved' WHERE id = 3");
        assert_eq!(desks.query(engine, state), "2 moved", "{engine:?}");
        desks.query(engine, "UPDATE tickets SET assignee = 'ana' WHERE id = 3");
        assert_eq!(desks.query(engine, state), "3 moved", "{engine:?}");
        // A writer that sets the version itself keeps its own.
        desks.query(engine, "UPDATE tickets SET title = 'u', version = 9 WHERE id = 3");
        assert_eq!(desks.query(engine, state), "9 moved", "{engine:?}");
    }
}

#[test]
fn a_raw_insert_notifies_listening_sessions() {
    let Some(server) = common::postgres::server() else { return };
    let desks = Desks::new(&server);
    let mut listener = desks.pg.connect();
    listener.batch_execute("LISTEN ticketdesk_changes").unwrap();
    for write in [
        "INSERT INTO tickets (title, description, category, priority) VALUES ('t', 'd', 'billing', 'low')",
        "INSERT INTO ticket_events (ticket_id, actor, field, new_value) VALUES (1, 'ana', 'note', 'n')",
        "UPDATE tickets SET status = 'closed' WHERE id = 2",
    ] {
        desks.query(Postgres, write);
        let mut notifications = listener.notifications();
        let arrived = notifications.timeout_iter(Duration::from_secs(10)).next().unwrap();
        assert_eq!(arrived.map(|n| n.channel().to_owned()).as_deref(), Some("ticketdesk_changes"), "{write}");
    }
    // A write that is rolled back tells nobody: notifications come in commit
    // order, so none from its session arrives before the next commit's.
    let rolled_back: i32 = desks
        .query(
            Postgres,
            "SELECT pg_backend_pid(); BEGIN; UPDATE tickets SET status = 'open' WHERE id = 2; ROLLBACK;",
        )
        .parse()
        .unwrap();
    let committed: i32 = desks
        .query(Postgres, "SELECT pg_backend_pid(); INSERT INTO tickets (title, description, category, priority) VALUES ('u', 'd', 'billing', 'low');")
        .parse()
        .unwrap();
    let mut notifications = listener.notifications();
    let mut from = Vec::new();
    for arrived in notifications.timeout_iter(Duration::from_secs(10)).iterator() {
        let pid = arrived.unwrap().process_id();
        from.push(pid);
        if pid == committed {
            break;
        }
    }
    assert_eq!(from.last(), Some(&committed));
    assert!(!from.contains(&rolled_back), "{from:?}");
}

/// The PostgreSQL title rule refuses exactly what the application's does:
/// every refused range's ends, the characters just outside them, and a
/// stride through all of Unicode, inserted and updated.
#[test]
fn the_postgres_title_rule_matches_the_applications() {
    use ticketdesk::domain::ticket::{is_refused_in_title, title_refused_ranges};
    let Some(server) = common::postgres::server() else { return };
    let desks = Desks::new(&server);
    let mut client = desks.pg.connect();
    let mut probes: Vec<u32> = (1..0x11_0000).step_by(251).collect();
    for range in title_refused_ranges() {
        let (start, end) = (u32::from(*range.start()), u32::from(*range.end()));
        probes.extend([start.saturating_sub(1), start, end, end + 1]);
    }
    let mut tx = client.transaction().unwrap();
    let insert = tx
        .prepare(
            "INSERT INTO tickets (title, description, category, priority) VALUES ($1, 'd', 'billing', 'low')",
        )
        .unwrap();
    let update = tx.prepare("UPDATE tickets SET title = $1 WHERE id = 1").unwrap();
    for code in probes {
        // PostgreSQL text holds neither NUL nor surrogates.
        let Some(c) = char::from_u32(code).filter(|c| *c != '\0') else { continue };
        let title = format!("a{c}b");
        for statement in [&insert, &update] {
            let mut attempt = tx.transaction().unwrap();
            let refused = attempt.execute(statement, &[&title]).is_err();
            attempt.rollback().unwrap();
            assert_eq!(refused, is_refused_in_title(c), "U+{code:04X}");
        }
    }
}

/// Writers moving tickets between the same two totals in opposite
/// directions wait for each other and never deadlock: the totals' rows are
/// locked in one order whatever the direction.
#[test]
fn opposite_moves_between_totals_never_deadlock() {
    let Some(server) = common::postgres::server() else { return };
    let desks = Desks::new(&server);
    // Ticket 2 starts open; ticket 3 starts resolved, in the same category and priority.
    desks.query(
        Postgres,
        "UPDATE tickets SET category = 'account', priority = 'low' WHERE id = 2;
         INSERT INTO tickets (id, title, description, category, priority, status)
         VALUES (3, 't', 'd', 'account', 'low', 'resolved');",
    );
    let start = std::sync::Arc::new(std::sync::Barrier::new(2));
    let writers: Vec<_> = [(2_i64, ["resolved", "open"]), (3, ["open", "resolved"])]
        .into_iter()
        .map(|(id, states)| {
            let (mut client, start) = (desks.pg.connect(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                for round in 0..300 {
                    let status = states[round % 2];
                    client
                        .execute("UPDATE tickets SET status = $1 WHERE id = $2", &[&status, &id])
                        .map_err(|e| format!("round {round}: {e}"))?;
                }
                Ok::<(), String>(())
            })
        })
        .collect();
    for writer in writers {
        writer.join().unwrap().unwrap();
    }
    assert_eq!(desks.query(Postgres, TOTALS_DRIFT), "0");
}
