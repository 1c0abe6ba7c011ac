//! The command-line contract. Names here are public: scripts depend on them.

mod tools;

pub use tools::{CompletionsArgs, ConfigCommand, DoctorArgs, ManArgs, Shell};

use clap::{Args, Parser, Subcommand};
use std::ops::RangeInclusive;
use std::path::PathBuf;

use crate::config::ClassifierMode;
use crate::domain::{Category, Priority, Status};
use crate::store::Location;
use crate::transfer::Format;

#[derive(Debug, Parser)]
#[command(name = "ticketdesk", version, about = "A support-ticket desk that lives in the terminal")]
pub struct Cli {
    /// The desk: a SQLite file, or a postgres:// URL [default: <data dir>/ticketdesk/tickets.db]
    #[arg(long, global = true, env = "TICKETDESK_DB", value_name = "DESK")]
    pub db: Option<Location>,

    /// Seconds (0 to 86400) to wait for another process's lock (a write, an import) before giving up
    /// [default: busy_timeout_secs from the config, 10]
    #[arg(
        long,
        global = true,
        env = "TICKETDESK_BUSY_TIMEOUT",
        value_name = "SECONDS",
        allow_negative_numbers = true,
        value_parser = whole::<u64>(&crate::config::limits::BUSY_TIMEOUT_SECS, "seconds")
    )]
    pub busy_timeout: Option<u64>,

    /// Who suggests categories and priorities (overrides the config file)
    #[arg(long, global = true, value_enum)]
    pub classifier: Option<ClassifierMode>,

    /// What goes into the log file (<state dir>/ticketdesk/ticketdesk.log): error, warn, info, debug,
    /// trace, or env-filter directives such as `warn,ticketdesk::store=debug` [default: warn,ticketdesk=info]
    #[arg(long, global = true, env = "TICKETDESK_LOG", value_name = "FILTER", value_parser = crate::logging::parse_filter)]
    pub log_level: Option<String>,

    /// Colour in people's output: auto (on a terminal, unless NO_COLOR is set), always (into a pipe
    /// too), never
    #[arg(long, global = true, value_name = "WHEN", default_value = "auto")]
    pub color: clap::ColorChoice,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// A whole number in `range`. Whatever was typed (a word, a sign, too many
/// digits), the message states the range.
fn whole<T: TryFrom<u64>>(
    range: &RangeInclusive<u64>,
    unit: &'static str,
) -> impl Fn(&str) -> Result<T, String> + Clone + Send + Sync + 'static {
    let (low, high) = (*range.start(), *range.end());
    move |raw: &str| {
        raw.parse::<u64>()
            .ok()
            .filter(|n| (low..=high).contains(n))
            .and_then(|n| T::try_from(n).ok())
            .ok_or_else(|| {
                let of = if unit.is_empty() { String::new() } else { format!(" of {unit}") };
                if high >= i64::MAX as u64 {
                    format!("must be a whole number{of}, {low} or more")
                } else {
                    format!("must be a whole number{of} from {low} to {high}")
                }
            })
    }
}

// Ids and versions are SQLite integers: any positive i64.
const POSITIVE_I64: RangeInclusive<u64> = 1..=i64::MAX as u64;

fn ticket_id() -> impl Fn(&str) -> Result<i64, String> + Clone + Send + Sync + 'static {
    whole(&POSITIVE_I64, "")
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a ticket
    Add(AddArgs),
    /// List tickets, newest first
    List(ListArgs),
    /// Show one ticket
    Show {
        #[arg(value_parser = ticket_id())]
        id: i64,
        #[arg(long)]
        json: bool,
    },
    /// Change a ticket's status (or, with --query … --to, every ticket a query selects)
    Status {
        #[arg(value_parser = ticket_id(), required_unless_present = "query")]
        id: Option<i64>,
        #[arg(required_unless_present = "query")]
        status: Option<Status>,
        /// Change every ticket this query selects (at most 10,000), each checked against what it was
        #[arg(long, value_name = "QUERY", allow_hyphen_values = true, conflicts_with_all = ["id", "status"], requires = "to")]
        query: Option<String>,
        /// The status to give the tickets the query selects
        #[arg(long, value_name = "STATUS", requires = "query")]
        to: Option<Status>,
        #[command(flatten)]
        check: VersionCheck,
        #[arg(long)]
        json: bool,
    },
    /// Give a ticket to an agent (an OS account), or to nobody with --none (or, with --query … --to, every ticket a query selects)
    Assign {
        #[arg(value_parser = ticket_id(), required_unless_present = "query")]
        id: Option<i64>,
        /// The account to assign
        #[arg(required_unless_present_any = ["none", "query"], conflicts_with = "none", value_parser = account_name)]
        user: Option<String>,
        /// Assign to nobody
        #[arg(long)]
        none: bool,
        /// Assign every ticket this query selects (at most 10,000), each checked against what it was
        #[arg(long, value_name = "QUERY", allow_hyphen_values = true, conflicts_with_all = ["id", "user", "none"], requires = "to")]
        query: Option<String>,
        /// The account to give the tickets the query selects: a name, me or none
        #[arg(long, value_name = "USER|me|none", requires = "query")]
        to: Option<String>,
        #[command(flatten)]
        check: VersionCheck,
        #[arg(long)]
        json: bool,
    },
    /// Assign a ticket to yourself
    Take {
        #[arg(value_parser = ticket_id())]
        id: i64,
        #[command(flatten)]
        check: VersionCheck,
        #[arg(long)]
        json: bool,
    },
    /// Add an internal note to a ticket (notes are never changed or removed)
    Note {
        #[arg(value_parser = ticket_id())]
        id: i64,
        /// The note, or - to read standard input
        #[arg(allow_hyphen_values = true, required_unless_present = "edit")]
        text: Option<String>,
        /// Write the note in $VISUAL or $EDITOR, starting from TEXT when given
        #[arg(long)]
        edit: bool,
        #[arg(long)]
        json: bool,
    },
    /// Everything that happened to a ticket: who, when, what, and where values came from
    History {
        #[arg(value_parser = ticket_id())]
        id: i64,
        #[arg(long)]
        json: bool,
    },
    /// Database operations
    // Without a command: a one-line error naming the choices, not the whole help.
    #[command(subcommand, arg_required_else_help = false)]
    Db(DbCommand),
    /// Change a ticket's title, description, category or priority
    Edit(EditArgs),
    /// Totals and breakdowns for the whole desk
    Stats {
        #[arg(long)]
        json: bool,
    },
    /// Suggest a category and priority for a text, or evaluate the offline model
    Classify(ClassifyArgs),
    /// Import tickets from a .csv (header row) or .jsonl file, all or nothing
    Import {
        /// The file to read, or - for standard input (then --format is needed)
        #[arg(required_unless_present = "samples")]
        file: Option<PathBuf>,
        /// The file's format [default: from its extension]
        #[arg(long, value_enum, conflicts_with = "samples")]
        format: Option<Format>,
        /// The 360 sample tickets built into ticketdesk, into an empty desk
        #[arg(long, conflicts_with = "file")]
        samples: bool,
    },
    /// Export every ticket in a format import reads back
    Export {
        /// The format [default: from --output's extension, else jsonl]
        #[arg(long, value_enum)]
        format: Option<Format>,
        /// Write to this file (atomically) instead of standard output; - is standard output
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Print a shell's completion script (bash, zsh, fish, elvish, powershell)
    Completions(CompletionsArgs),
    /// Print the manual page (roff), or write every page into a folder
    Man(ManArgs),
    /// See and change the configuration
    #[command(subcommand, arg_required_else_help = false)]
    Config(ConfigCommand),
    /// Check the set-up (database folder, file system, config, API key, the database itself)
    /// and say how to fix what is wrong; exits 1 if anything needs fixing
    Doctor(DoctorArgs),
}

/// Refuse the change if the ticket is no longer at the version you saw.
#[derive(Debug, Args)]
pub struct VersionCheck {
    /// Only change the ticket if it is still at this version (from `show --json`)
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = whole::<i64>(&POSITIVE_I64, ""))]
    pub if_version: Option<i64>,
}

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Check the database's integrity, schema, search index and totals; print a plain verdict
    Check {
        /// Rebuild what can be rebuilt (search index, totals, missing triggers and indexes) in one transaction
        #[arg(long)]
        repair: bool,
    },
    /// Copy the database to FILE while others keep working
    Backup { file: PathBuf },
    /// Print the database's path
    Path,
    /// On a PostgreSQL desk: create (or set afresh) the owner role that owns the schema and the
    /// agent role whose members may add and change tickets and add history, never rewrite it
    InitRoles {
        /// The role that owns the schema and runs migrations
        #[arg(long, default_value = "desk_owner", value_name = "ROLE")]
        owner: String,
        /// The group role every agent's login joins
        #[arg(long, default_value = "desk_agent", value_name = "ROLE")]
        agent: String,
    },
    /// Copy every ticket, with its history, notes and versions, between this desk and an empty one
    /// (a file or a postgres:// URL), in one transaction; then compare both and report
    #[command(group(clap::ArgGroup::new("direction").required(true)))]
    Copy {
        /// The empty desk to copy this one into
        #[arg(long, value_name = "DESK", group = "direction")]
        to: Option<Location>,
        /// The desk to copy into this one (which must be empty)
        #[arg(long, value_name = "DESK", group = "direction")]
        from: Option<Location>,
    },
}

fn account_name(raw: &str) -> Result<String, String> {
    if crate::actor::is_account_name(raw) {
        Ok(raw.to_owned())
    } else {
        Err("must be an account name: 1 to 64 letters, digits, '.', '_', '@' or '-'".into())
    }
}

/// Where a description comes from: inline or a file (`-` for stdin).
#[derive(Debug, Args)]
#[group(required = false, multiple = false)]
pub struct DescriptionSource {
    /// The description text
    #[arg(long, allow_hyphen_values = true)]
    pub description: Option<String>,
    /// Read the description from a file, or - for standard input
    #[arg(long, value_name = "FILE")]
    pub description_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct AddArgs {
    #[arg(long, allow_hyphen_values = true, required_unless_present = "edit")]
    pub title: Option<String>,
    /// Write the ticket in $VISUAL or $EDITOR (title on the first line, the description below),
    /// starting from --title and --description when given
    #[arg(long)]
    pub edit: bool,
    #[command(flatten)]
    pub description: DescriptionSource,
    #[arg(long, value_enum)]
    pub category: Option<Category>,
    #[arg(long, value_enum)]
    pub priority: Option<Priority>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub select: SelectArgs,
    /// Most tickets to print
    // A million is the working size of a desk; more than that lists everything.
    #[arg(long, default_value_t = 50, allow_negative_numbers = true, value_parser = whole::<u32>(&(1..=1_000_000), "tickets"))]
    pub limit: u32,
    #[arg(long)]
    pub json: bool,
    /// Print the field names first when the output is not a terminal (a terminal always gets them)
    #[arg(long, conflicts_with = "json")]
    pub header: bool,
}

/// Which tickets: the query language, or the same qualifiers as flags. All
/// given combine with AND.
#[derive(Debug, Args, Default)]
pub struct SelectArgs {
    /// A saved view: Open, Mine, Unassigned, Critical, All, or one named in the config's [views]
    #[arg(long, value_name = "NAME")]
    pub view: Option<String>,
    /// A query in the query language, e.g. 'cat:billing pri:>=high st:open age:<2d "card declined" -refund'
    #[arg(long, value_name = "QUERY", allow_hyphen_values = true)]
    pub query: Option<String>,
    /// billing, technical, account or general; a comma list for any of them
    #[arg(long, value_name = "CATEGORY[,…]")]
    pub category: Option<String>,
    /// low, medium, high or critical; a comma list, or a comparison such as '>=high'
    #[arg(long, value_name = "PRIORITY[,…]|>=P", allow_hyphen_values = true)]
    pub priority: Option<String>,
    /// open, in_progress, resolved or closed; a comma list for any of them
    #[arg(long, value_name = "STATUS[,…]")]
    pub status: Option<String>,
    /// Only tickets assigned to this account, to `me`, or to `none`
    #[arg(long, value_name = "USER|me|none")]
    pub assignee: Option<String>,
    /// Younger or older than an age: '<2d', '>1w', '<=36h' (units m h d w)
    #[arg(long, value_name = "<AGE|>AGE", allow_hyphen_values = true)]
    pub age: Option<String>,
    /// Created before, after or on a UTC date or time: '>=2026-11-01', '<2026-11-28T12:00Z', '2026-11-01'
    #[arg(long, value_name = "[<|>|<=|>=]DATE", allow_hyphen_values = true)]
    pub created: Option<String>,
    /// One ticket by its id
    #[arg(long, value_parser = ticket_id())]
    pub id: Option<i64>,
    /// Words that must all appear, read literally (word starts; punctuated terms as written)
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    pub search: Option<String>,
}

impl SelectArgs {
    /// Each flag given: its name, the qualifier it stands for, and its value.
    pub fn qualifiers(&self) -> Vec<(&'static str, &'static str, String)> {
        let mut terms = Vec::new();
        let pairs: [(&'static str, &'static str, &Option<String>); 6] = [
            ("--category", "cat", &self.category),
            ("--priority", "pri", &self.priority),
            ("--status", "st", &self.status),
            ("--assignee", "assignee", &self.assignee),
            ("--age", "age", &self.age),
            ("--created", "created", &self.created),
        ];
        for (flag, qualifier, value) in pairs {
            if let Some(value) = value {
                terms.push((flag, qualifier, value.clone()));
            }
        }
        if let Some(id) = self.id {
            terms.push(("--id", "id", id.to_string()));
        }
        terms
    }
}

#[derive(Debug, Args)]
pub struct EditArgs {
    #[arg(value_parser = ticket_id())]
    pub id: i64,
    #[arg(long, allow_hyphen_values = true)]
    pub title: Option<String>,
    #[command(flatten)]
    pub description: DescriptionSource,
    #[arg(long, value_enum)]
    pub category: Option<Category>,
    #[arg(long, value_enum)]
    pub priority: Option<Priority>,
    #[command(flatten)]
    pub check: VersionCheck,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ClassifyArgs {
    /// The ticket text, or - to read standard input
    #[arg(allow_hyphen_values = true, required_unless_present = "evaluate")]
    pub text: Option<String>,
    /// Print the request body that would be sent to Claude, without sending it
    #[arg(long, conflicts_with = "evaluate")]
    pub show_request: bool,
    /// Measure the offline model on this database (older tickets train, the newest 20% test)
    #[arg(long)]
    pub evaluate: bool,
    #[arg(long)]
    pub json: bool,
}
