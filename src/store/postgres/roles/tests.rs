use postgres::error::SqlState;

use super::super::test_server::{Database, Server, server};
use super::*;

/// A database and the roles made for it; the database goes first (roles
/// that own objects cannot be dropped), then the roles.
struct Team {
    db: Option<Database>,
    admin_url: String,
    owner: String,
    agent: String,
    logins: Vec<String>,
}

impl Team {
    fn new(pg: &Server) -> Team {
        let db = pg.database();
        let (owner, agent) = (format!("own-{}", db.name), format!("agt.{}", db.name));
        Team { db: Some(db), admin_url: pg.admin_url().to_owned(), owner, agent, logins: Vec::new() }
    }

    fn db(&self) -> &Database {
        self.db.as_ref().unwrap()
    }

    /// A LOGIN role that is a member of `group`, connected with its own password.
    fn login(&mut self, group: &str) -> Client {
        let name = format!("{}_{}", self.db().name, self.logins.len());
        let mut admin = self.db().connect();
        admin
            .batch_execute(&format!("CREATE ROLE {name} LOGIN PASSWORD 'pw-{name}' IN ROLE \"{group}\""))
            .unwrap();
        self.logins.push(name.clone());
        let mut config: postgres::Config = self.db().url.parse().unwrap();
        config.user(&name).password(format!("pw-{name}"));
        config.connect(postgres::NoTls).unwrap()
    }
}

impl Drop for Team {
    fn drop(&mut self) {
        drop(self.db.take());
        if let Ok(mut admin) = Client::connect(&self.admin_url, postgres::NoTls) {
            for role in self.logins.iter().chain([&self.agent, &self.owner]) {
                let _ = admin.batch_execute(&format!("DROP ROLE IF EXISTS \"{role}\""));
            }
        }
    }
}

fn refused_for_privilege(client: &mut Client, sql: &str) {
    let err = client.batch_execute(sql).expect_err(sql);
    assert_eq!(err.code(), Some(&SqlState::INSUFFICIENT_PRIVILEGE), "{sql}: {err}");
}

fn totals_match(client: &mut Client) {
    let drift: i64 = client
        .query_one(
            "SELECT count(*) FROM ticket_totals c
             FULL JOIN (SELECT category, priority, status, count(*) AS n FROM tickets GROUP BY 1, 2, 3) t
               USING (category, priority, status)
             WHERE coalesce(c.n, 0) <> coalesce(t.n, 0)",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(drift, 0);
}

/// Each owner of the desk's tables and functions.
fn owners(client: &mut Client) -> Vec<String> {
    let rows = client
        .query(
            "SELECT DISTINCT pg_get_userbyid(relowner)::text FROM pg_class
             WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'S')
             UNION
             SELECT DISTINCT pg_get_userbyid(proowner)::text FROM pg_proc
             WHERE pronamespace = 'public'::regnamespace
               AND prolang = (SELECT oid FROM pg_language WHERE lanname = 'plpgsql')",
            &[],
        )
        .unwrap();
    rows.iter().map(|r| r.get(0)).collect()
}

/// The agent role's privileges on tables and sequences, as "table privilege".
fn agent_grants(client: &mut Client, agent: &str) -> Vec<String> {
    let rows = client
        .query(
            "SELECT c.relname::text || ' ' || a.privilege_type FROM pg_class c, aclexplode(c.relacl) a
             WHERE c.relnamespace = 'public'::regnamespace
               AND a.grantee = (SELECT oid FROM pg_roles WHERE rolname = $1)
             ORDER BY 1",
            &[&agent],
        )
        .unwrap();
    rows.iter().map(|r| r.get(0)).collect()
}

#[test]
fn an_agent_works_but_cannot_rewrite_history_or_the_schema() {
    let Some(pg) = server() else { return };
    let mut team = Team::new(&pg);
    let report = init_roles(&mut team.db().connect(), &team.owner, &team.agent).unwrap();
    assert_eq!(report.created, [team.owner.clone(), team.agent.clone()]);
    assert!(report.migrated);
    let agent_role = team.agent.clone();
    let mut agent = team.login(&agent_role);
    // Opening an up-to-date desk needs no privilege beyond reading.
    migrate(&mut agent, "d").unwrap();

    let id: i64 = agent
        .query_one(
            "INSERT INTO tickets (title, description, category, priority) VALUES ('Card declined', 'x', 'billing', 'low')
             RETURNING id",
            &[],
        )
        .unwrap()
        .get(0);
    agent.execute("UPDATE tickets SET status = 'resolved' WHERE id = $1", &[&id]).unwrap();
    let version: i64 = agent.query_one("SELECT version FROM tickets WHERE id = $1", &[&id]).unwrap().get(0);
    assert_eq!(version, 2);
    agent
        .execute(
            "INSERT INTO ticket_events (ticket_id, actor, field, new_value) VALUES ($1, 'ana', 'note', 'called back')",
            &[&id],
        )
        .unwrap();
    agent.execute("INSERT INTO ticket_suggestions VALUES ($1, 'local', 'billing', 'high')", &[&id]).unwrap();
    let kept: i64 = agent
        .query_one("SELECT kept FROM suggestion_counts WHERE source = 'local' AND field = 'category'", &[])
        .unwrap()
        .get(0);
    assert_eq!(kept, 1);

    for sql in [
        "UPDATE ticket_events SET new_value = 'never said'",
        "DELETE FROM ticket_events",
        "TRUNCATE ticket_events",
        "DELETE FROM tickets",
        "DELETE FROM ticket_suggestions",
        "UPDATE ticket_counts SET n = n + 5",
        "INSERT INTO suggestion_counts VALUES ('claude', 'category', 1, 1)",
        "UPDATE suggestion_counts SET kept = 0",
        "DROP TRIGGER tickets_touch ON tickets",
        "ALTER TABLE tickets DROP CONSTRAINT title_trimmed",
        "ALTER TABLE ticket_events DISABLE TRIGGER ticket_events_append_only",
        "CREATE TABLE scratch (id int)",
        "DROP TABLE ticket_events",
        "CREATE TEMP TABLE fake (category text, priority text, status text);
         CREATE TRIGGER fake AFTER INSERT ON fake REFERENCING NEW TABLE AS new_rows
         FOR EACH STATEMENT EXECUTE FUNCTION public.ticket_counts_insert()",
    ] {
        refused_for_privilege(&mut agent, sql);
    }
    // A look-alike of the totals in the session's own temporary schema does
    // not divert the owner's triggers.
    agent
        .batch_execute(
            "CREATE TEMP TABLE ticket_counts (category text, priority text, status text, n bigint);
             INSERT INTO tickets (title, description, category, priority) VALUES ('b', 'c', 'account', 'high')",
        )
        .unwrap();
    let mut admin = team.db().connect();
    totals_match(&mut admin);
    let events: i64 = admin.query_one("SELECT count(*) FROM ticket_events", &[]).unwrap().get(0);
    assert_eq!(events, 1);
}

#[test]
fn the_owner_owns_everything_and_runs_migrations() {
    let Some(pg) = server() else { return };
    let mut team = Team::new(&pg);
    // A desk the superuser made first is handed over.
    migrate(&mut team.db().connect(), "d").unwrap();
    let report = init_roles(&mut team.db().connect(), &team.owner, &team.agent).unwrap();
    assert!(!report.migrated);
    assert!(report.reassigned >= 6, "{report:?}");
    let mut admin = team.db().connect();
    assert_eq!(owners(&mut admin), [team.owner.clone()]);

    let owner_role = team.owner.clone();
    let mut deployer = team.login(&owner_role);
    deployer.batch_execute(&format!("SET ROLE \"{owner_role}\"")).unwrap();
    migrate(&mut deployer, "d").unwrap();
    let mut tx = deployer.transaction().unwrap();
    tx.batch_execute("ALTER TABLE tickets ADD COLUMN later int; CREATE TABLE later (id int)").unwrap();
    tx.rollback().unwrap();
}

#[test]
fn the_agent_gets_exactly_its_grants_each_time() {
    let Some(pg) = server() else { return };
    let team = Team::new(&pg);
    let mut admin = team.db().connect();
    init_roles(&mut admin, &team.owner, &team.agent).unwrap();
    // An earlier, wider grant is taken back on the next run.
    admin.batch_execute(&format!("GRANT DELETE ON ticket_events TO \"{}\"", team.agent)).unwrap();
    let again = init_roles(&mut admin, &team.owner, &team.agent).unwrap();
    assert!(again.created.is_empty() && !again.migrated && again.reassigned == 0, "{again:?}");
    let expected = [
        "refinery_schema_history SELECT",
        "suggestion_count_changes SELECT",
        "suggestion_counts SELECT",
        "suggestion_totals SELECT",
        "ticket_count_changes SELECT",
        "ticket_counts SELECT",
        "ticket_events INSERT",
        "ticket_events SELECT",
        "ticket_events_id_seq USAGE",
        "ticket_suggestions INSERT",
        "ticket_suggestions SELECT",
        "ticket_totals SELECT",
        "tickets INSERT",
        "tickets SELECT",
        "tickets UPDATE",
        "tickets_id_seq USAGE",
    ];
    assert_eq!(agent_grants(&mut admin, &team.agent), expected);
    let public_creates: bool =
        admin.query_one("SELECT has_schema_privilege('public', 'public', 'CREATE')", &[]).unwrap().get(0);
    assert!(!public_creates);
}

#[test]
fn an_agent_cannot_create_the_schema() {
    let Some(pg) = server() else { return };
    let mut team = Team::new(&pg);
    init_roles(&mut team.db().connect(), &team.owner, &team.agent).unwrap();
    let other = pg.database();
    let agent_role = team.agent.clone();
    let agent = team.login(&agent_role);
    drop(agent);
    let mut config: postgres::Config = other.url.parse().unwrap();
    config.user(&team.logins[0]).password(format!("pw-{}", team.logins[0]));
    let mut agent = config.connect(postgres::NoTls).unwrap();
    let err = migrate(&mut agent, "d").unwrap_err();
    assert!(matches!(err, StoreError::Migration(_)), "{err:?}");
    assert!(err.to_string().contains("owner role"), "{err}");
}

#[test]
fn a_foreign_database_gets_no_roles_work() {
    let Some(pg) = server() else { return };
    let team = Team::new(&pg);
    let mut admin = team.db().connect();
    admin.batch_execute("CREATE TABLE invoices (id int)").unwrap();
    let err = init_roles(&mut admin, &team.owner, &team.agent).unwrap_err();
    assert!(matches!(err, StoreError::ForeignDatabase { .. }), "{err:?}");
    let made: i64 =
        admin.query_one("SELECT count(*) FROM pg_roles WHERE rolname = $1", &[&team.owner]).unwrap().get(0);
    assert_eq!(made, 0);
}

#[test]
fn role_names_are_checked_before_use() {
    for bad in ["", "pg_desk", "1owner", "desk owner", "desk\"; DROP TABLE tickets; --", &"a".repeat(64)] {
        let err = check_role_name(bad).unwrap_err();
        assert!(err.to_string().contains("role name"), "{err}");
    }
    for good in ["desk_owner", "desk-agents", "team.desk", "_x", &"a".repeat(63)] {
        check_role_name(good).unwrap();
    }
    let Some(pg) = server() else { return };
    let db = pg.database();
    let err = init_roles(&mut db.connect(), "desk_owner", "desk_owner").unwrap_err();
    assert!(err.to_string().contains("must differ"), "{err}");
}
