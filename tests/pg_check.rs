//! `db check` and `db check --repair` on a PostgreSQL desk: what a hand in
//! `psql` can break (an index dropped, a trigger switched off or dropped, the
//! totals edited) is named, and put back in one go.

mod common;

use common::Desk;

#[test]
fn damage_done_in_psql_is_named_and_repaired() {
    let Some(desk) = Desk::postgres() else { return };
    desk.ok(&["import", "--samples"]);
    assert!(desk.ok(&["db", "check"]).starts_with("ok:"));
    desk.execute(
        "DROP INDEX tickets_by_status;
         ALTER TABLE tickets DISABLE TRIGGER tickets_notify;
         DROP TRIGGER ticket_events_append_only ON ticket_events;
         UPDATE suggestion_counts SET kept = kept + 2 WHERE source = 'claude' AND field = 'category';
         UPDATE ticket_counts SET n = n + 1 WHERE category = 'billing' AND priority = 'low' AND status = 'open';",
    );
    let out = desk.cmd().args(["db", "check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stdout);
    for problem in [
        "index tickets_by_status is missing",
        "trigger tickets_notify on tickets is switched off",
        "trigger ticket_events_append_only is missing",
        "stats: 1 running totals differ",
        "stats: 1 suggestion totals differ",
    ] {
        assert!(said.contains(problem), "{problem} in {said}");
    }
    // History could be rewritten while its guard was gone; put it back.
    let repaired = desk.ok(&["db", "check", "--repair"]);
    assert!(repaired.contains("repaired: put back index tickets_by_status"), "{repaired}");
    assert!(repaired.contains("ok: "), "{repaired}");
    let err = desk.try_execute("UPDATE ticket_events SET new_value = 'rewritten'").unwrap_err();
    assert!(err.contains("append-only"), "{err}");
    assert_eq!(desk.json(&["stats"])["total_tickets"], 360);
}

#[test]
fn an_unreachable_server_is_one_line_without_the_password() {
    // Nothing listens on port 1; the password must not appear anywhere.
    let mut desk = Desk::new();
    desk.location = "postgres://ana:s3cret-pw@127.0.0.1:1/desk?connect_timeout=2".into();
    let out = desk.cmd().arg("list").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("cannot reach postgres://ana@127.0.0.1:1/desk"), "{stderr}");
    assert!(!stderr.contains("s3cret"), "{stderr}");
    desk.location = "postgres://db.example/desk?sslmode=maybe".into();
    let out = desk.cmd().arg("list").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("sslmode"));
}

/// `db init-roles` from the command line: an agent's own login then adds,
/// changes and notes through ticketdesk, and cannot rewrite history in psql.
#[test]
fn agents_set_up_by_init_roles_work_but_never_rewrite_history() {
    let Some(desk) = Desk::postgres() else { return };
    let suffix = format!("{}_{}", std::process::id(), desk.server.as_ref().unwrap().name.len());
    let (owner, agent, login) = (format!("own_{suffix}"), format!("agt_{suffix}"), format!("ana_{suffix}"));
    let said = desk.ok(&["db", "init-roles", "--owner", &owner, "--agent", &agent]);
    assert!(said.contains(&format!("created role {owner}")), "{said}");
    desk.execute(&format!("CREATE ROLE {login} LOGIN PASSWORD 'agent-pw' IN ROLE {agent}"));
    let mut ana = Desk::new();
    let (_, server_and_database) = desk.location.split_once('@').expect("the test URL names its user");
    ana.location = format!("postgres://{login}:agent-pw@{server_and_database}");
    let id = ana.add("From an agent", "their own login", "general", "low").to_string();
    ana.ok(&["status", &id, "in_progress"]);
    ana.ok(&["note", &id, "checked"]);
    assert!(ana.ok(&["db", "check"]).starts_with("ok:"));
    let psql = |sql: &str| {
        common::tool("psql")
            .args([ana.location.as_str(), "-v", "ON_ERROR_STOP=1", "-c", sql])
            .output()
            .unwrap()
    };
    for sql in
        ["DELETE FROM ticket_events", "UPDATE ticket_events SET new_value = 'x'", "DELETE FROM tickets"]
    {
        let out = psql(sql);
        assert!(!out.status.success(), "{sql} was allowed");
        assert!(String::from_utf8_lossy(&out.stderr).contains("permission denied"), "{sql}");
    }
    assert!(!psql("DROP TRIGGER tickets_notify ON tickets").status.success());
    assert_eq!(desk.json(&["history", &id]).as_array().unwrap().len(), 5);
    // A temporary table of the totals' name, made in the agent's own
    // session, must not catch the writes meant for the real totals (the
    // functions that keep them resolve names in the desk's schema only).
    let out = psql(
        "CREATE TEMP TABLE ticket_counts (category text, priority text, status text, n bigint);
         INSERT INTO tickets (title, description, category, priority) VALUES ('Raw', 'from psql', 'general', 'low');",
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(desk.ok(&["db", "check"]).starts_with("ok:"), "the totals missed a ticket");
    assert_eq!(desk.json(&["stats"])["total_tickets"], 2);
    // The duplicates lookup reads which words are common from the word
    // index's statistics, which an agent may not read directly.
    desk.execute("ANALYZE tickets");
    let scalar = |sql: &str| {
        let out = common::tool("psql").args([ana.location.as_str(), "-Atc", sql]).output().unwrap();
        assert!(out.status.success(), "{sql}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    assert_eq!(scalar("SELECT count(*) FROM pg_stats WHERE tablename = 'tickets_words'"), "0");
    assert_ne!(scalar("SELECT count(*) FROM ticket_word_shares()"), "0");
    desk.execute(&format!("DROP ROLE {login}"));
}

/// The doctor and the config on a server desk: reachable, checked, and the
/// password nowhere in what they print.
#[test]
fn doctor_and_config_show_a_server_desk_without_its_password() {
    let Some(desk) = Desk::postgres() else { return };
    desk.add("A ticket", "on the server", "general", "low");
    let out = desk.cmd().arg("doctor").output().unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{report}");
    assert!(report.contains("reachable, opened as"), "{report}");
    assert!(report.contains("passed every check"), "{report}");
    let shown = desk.ok(&["config", "show"]);
    assert!(shown.contains("postgres://desk_admin@"), "{shown}");
    for said in [report.as_ref(), shown.as_str(), desk.ok(&["db", "path"]).as_str()] {
        assert!(!said.contains("desk-admin-"), "the password shown: {said}");
    }
}

/// A server that accepts and never answers: one line, within the connect
/// timeout, and no word about other processes' locks on the way.
#[test]
fn a_silent_server_is_one_line_within_the_connect_timeout() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut desk = Desk::new();
    desk.location = format!("postgres://ana:pw@127.0.0.1:{port}/desk?connect_timeout=1&sslmode=disable");
    let started = std::time::Instant::now();
    let out = desk.cmd().arg("list").output().unwrap();
    let took = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("cannot reach postgres://ana@127.0.0.1"), "{stderr}");
    assert!(took < std::time::Duration::from_secs(3), "{took:?}");
    drop(listener);
}

/// An import into an empty server desk builds the search indexes once, at
/// the end; one that fails leaves them as they were. Either way `db check`
/// finds every index in place.
#[test]
fn an_import_into_an_empty_desk_leaves_every_index_in_place() {
    let Some(desk) = Desk::postgres() else { return };
    desk.ok(&["list"]);
    // The first row is good, so the import has begun (and set the search
    // indexes aside) when the broken second line ends it.
    let bad = desk.write_file(
        "bad.jsonl",
        &[common::jsonl("fine", "d", "billing", "low"), "{not json".into()].join("\n"),
    );
    let out = desk.cmd().args(["import", bad.to_str().unwrap()]).output().unwrap();
    assert!(!out.status.success());
    assert_eq!(desk.json(&["stats"])["total_tickets"], 0);
    assert!(desk.ok(&["db", "check"]).starts_with("ok:"));
    desk.ok(&["import", "--samples"]);
    assert!(desk.ok(&["db", "check"]).starts_with("ok:"));
    // Every index, and the totals' trigger, back in place (db check also
    // says so) and the totals counted once.
    let indexes = desk.scalar(
        "SELECT count(*) FROM pg_indexes WHERE tablename IN ('tickets', 'ticket_events') AND indexname NOT LIKE '%_pkey'",
    );
    assert_eq!(indexes, 9);
    let statistics = desk.scalar(
        "SELECT count(*) FROM pg_attribute WHERE attstattarget = 300
         AND attrelid IN ('tickets_search_title'::regclass, 'tickets_search_description'::regclass)",
    );
    assert_eq!(statistics, 2, "the search indexes keep their statistics target");
    let history_keys = "SELECT count(*) FROM pg_constraint
         WHERE conrelid = 'ticket_events'::regclass AND contype = 'f' AND confdeltype = 'c'";
    assert_eq!(desk.scalar(history_keys), 1, "history still follows its ticket");
    let enabled = desk
        .scalar("SELECT count(*) FROM pg_trigger WHERE tgname = 'ticket_counts_insert' AND tgenabled = 'O'");
    assert_eq!(enabled, 1);
    let total = desk.json(&["stats"])["total_tickets"].as_i64().unwrap();
    assert_eq!(total, desk.scalar("SELECT count(*) FROM tickets"));
    assert_eq!(desk.scalar("SELECT sum(n)::bigint FROM ticket_totals"), total);
    let found = desk.json(&["list", "--search", "invoice"]);
    assert!(!found.as_array().unwrap().is_empty());
}
