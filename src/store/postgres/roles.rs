//! The roles of a team's desk: an owner that owns the schema (migrations run
//! as it) and an agent group whose members may add and change tickets and add
//! history and notes, but never rewrite or remove history, delete tickets,
//! write the totals or change the schema. Even a colleague with `psql` and an
//! agent's login cannot rewrite what happened.
//!
//! Run as a superuser (or the database's owner with CREATEROLE), connected to
//! the desk's database. Safe to run again: roles that exist are kept, and the
//! grants are set afresh to exactly the list below.

use postgres::Client;

use super::PgDesk;
use super::migrate::{DeskState, desk_state, migrate};
use crate::store::StoreError;

/// What [`init_roles`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RolesReport {
    pub owner: String,
    pub agent: String,
    /// The roles that did not exist before (owner first).
    pub created: Vec<String>,
    /// Tables and functions whose owner became the owner role.
    pub reassigned: usize,
    /// Whether the schema was created (as the owner role) by this call.
    pub migrated: bool,
}

/// The privileges of the agent role, after every earlier grant to it is
/// revoked. `{schema}` and `{agent}` are quoted identifiers. Identity columns
/// draw from their sequences without a grant; the USAGE grant covers any
/// sequence a later migration adds as a plain default.
const AGENT_GRANTS: &str = "
    REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {agent};
    REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {agent};
    REVOKE ALL ON SCHEMA {schema} FROM {agent};
    GRANT USAGE ON SCHEMA {schema} TO {agent};
    GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {agent};
    GRANT INSERT, UPDATE ON {schema}.tickets TO {agent};
    GRANT INSERT ON {schema}.ticket_events, {schema}.ticket_suggestions TO {agent};
    GRANT USAGE ON ALL SEQUENCES IN SCHEMA {schema} TO {agent};
    ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {schema} GRANT SELECT ON TABLES TO {agent};
    ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {schema} GRANT USAGE ON SEQUENCES TO {agent};
";

/// Who may create in the schema: the owner only (PostgreSQL 14 and older let
/// everyone create in `public`).
const SCHEMA_GRANTS: &str = "
    REVOKE CREATE ON SCHEMA {schema} FROM PUBLIC;
    GRANT USAGE, CREATE ON SCHEMA {schema} TO {owner};
    GRANT CONNECT ON DATABASE {database} TO {owner}, {agent};
";

impl PgDesk {
    /// Sets up the desk's owner and agent roles (see [`init_roles`]).
    pub fn init_roles(&mut self, owner: &str, agent: &str) -> Result<RolesReport, StoreError> {
        init_roles(&mut self.client, owner, agent)
    }
}

/// Creates the owner and agent roles if missing, hands the desk's objects to
/// the owner (creating the schema as the owner when the database is empty),
/// and grants the agent role exactly its privileges.
pub(crate) fn init_roles(client: &mut Client, owner: &str, agent: &str) -> Result<RolesReport, StoreError> {
    check_role_name(owner)?;
    check_role_name(agent)?;
    if owner == agent {
        return Err(StoreError::Postgres("the owner and agent roles must differ".to_owned()));
    }
    let shown = client
        .query_one("SELECT current_database()::text", &[])
        .map(|row| row.get::<_, String>(0))
        .map_err(|e| fail(e, "the database"))?;
    let state = desk_state(client).map_err(|e| fail(e, &shown))?;
    if state == DeskState::Foreign {
        return Err(StoreError::ForeignDatabase { shown });
    }
    let mut report = RolesReport {
        owner: owner.to_owned(),
        agent: agent.to_owned(),
        created: Vec::new(),
        reassigned: 0,
        migrated: false,
    };
    let names = Names::read(client, owner, agent).map_err(|e| fail(e, &shown))?;
    prepare(client, &names, &mut report).map_err(|e| fail(e, &shown))?;
    if state != DeskState::Ours(Some(super::migrate::LATEST_VERSION)) {
        // Objects made by the migration belong to whoever makes them.
        client.batch_execute(&format!("SET ROLE {}", names.owner)).map_err(|e| fail(e, &shown))?;
        let migrated = migrate(client, &shown);
        client.batch_execute("RESET ROLE").map_err(|e| fail(e, &shown))?;
        migrated?;
        report.migrated = true;
    }
    client.batch_execute(&names.fill(AGENT_GRANTS)).map_err(|e| fail(e, &shown))?;
    Ok(report)
}

/// The quoted identifiers the statements need.
struct Names {
    owner: String,
    agent: String,
    schema: String,
    database: String,
}

impl Names {
    fn read(client: &mut Client, owner: &str, agent: &str) -> Result<Names, postgres::Error> {
        let row = client.query_one(
            "SELECT quote_ident($1), quote_ident($2), quote_ident(current_schema()), quote_ident(current_database())",
            &[&owner, &agent],
        )?;
        Ok(Names { owner: row.get(0), agent: row.get(1), schema: row.get(2), database: row.get(3) })
    }

    fn fill(&self, template: &str) -> String {
        template
            .replace("{owner}", &self.owner)
            .replace("{agent}", &self.agent)
            .replace("{schema}", &self.schema)
            .replace("{database}", &self.database)
    }
}

/// Roles, the search extension and the schema's grants, and ownership of
/// what exists already, in one transaction.
fn prepare(client: &mut Client, names: &Names, report: &mut RolesReport) -> Result<(), postgres::Error> {
    let mut tx = client.transaction()?;
    for (name, quoted) in [(&report.owner, &names.owner), (&report.agent, &names.agent)] {
        let exists: bool =
            tx.query_one("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)", &[name])?.get(0);
        if !exists {
            // NOLOGIN: people log in as themselves and are members.
            tx.batch_execute(&format!("CREATE ROLE {quoted} NOLOGIN"))?;
            report.created.push(name.clone());
        }
    }
    // Created here, so the owner needs no CREATE on the database for it.
    tx.batch_execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")?;
    tx.batch_execute(&names.fill(SCHEMA_GRANTS))?;
    report.reassigned = reassign(&mut tx, &report.owner, &names.owner)?;
    tx.commit()
}

/// Hands the desk's tables (their sequences and indexes follow) and
/// functions in the current schema to the owner; the database holds nothing
/// else, as [`desk_state`] made sure.
fn reassign(tx: &mut postgres::Transaction, owner: &str, quoted: &str) -> Result<usize, postgres::Error> {
    let objects = tx.query(
        "SELECT 'TABLE ' || c.oid::regclass::text FROM pg_class c
         WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p', 'v')
           AND pg_get_userbyid(c.relowner) <> $1
         UNION ALL
         SELECT 'FUNCTION ' || p.oid::regprocedure::text FROM pg_proc p
         WHERE p.pronamespace = current_schema()::regnamespace
           AND p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'plpgsql')
           AND pg_get_userbyid(p.proowner) <> $1",
        &[&owner],
    )?;
    for object in &objects {
        tx.batch_execute(&format!("ALTER {} OWNER TO {quoted}", object.get::<_, String>(0)))?;
    }
    Ok(objects.len())
}

/// A role name this command will create: 1 to 63 characters (PostgreSQL's
/// limit), letters, digits, `_`, `-` and `.`, starting with a letter or `_`,
/// and not in the server's reserved `pg_` namespace. It is quoted anyway.
fn check_role_name(name: &str) -> Result<(), StoreError> {
    let shown = crate::domain::text::sanitize_line(name);
    let valid_chars = name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    let valid_start = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    let why = if name.is_empty() || name.len() > 63 {
        "must be 1 to 63 characters"
    } else if !valid_chars || !valid_start {
        "must start with a letter or '_' and hold only letters, digits, '_', '-' and '.'"
    } else if name.to_ascii_lowercase().starts_with("pg_") {
        "must not start with pg_ (reserved by PostgreSQL)"
    } else {
        return Ok(());
    };
    Err(StoreError::Postgres(format!("role name \"{shown}\" {why}")))
}

fn fail(err: postgres::Error, shown: &str) -> StoreError {
    super::from_postgres(err, shown, std::time::Duration::ZERO)
}

#[cfg(test)]
mod tests;
