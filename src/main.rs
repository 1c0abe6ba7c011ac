use anyhow::Context;
use clap::{CommandFactory, FromArgMatches};
use std::process::ExitCode;
use std::time::Duration;

use ticketdesk::cli::{Cli, Command, ConfigCommand};
use ticketdesk::commands::{self, UsageError};
use ticketdesk::config::{Config, ConfigError, Overrides, Sources};
use ticketdesk::domain::ValidationError;
use ticketdesk::domain::text::sanitize;
use ticketdesk::report;
use ticketdesk::store::{self, Location, StoreError};

fn main() -> ExitCode {
    // A shell asking for completions gets them and nothing else.
    ticketdesk::complete::answer_if_asked();
    let parsed = Cli::command().try_get_matches().and_then(|m| Ok((Cli::from_arg_matches(&m)?, m)));
    let (cli, matches) = match parsed {
        Ok(parsed) => parsed,
        Err(err) => {
            match report::usage_line(&err) {
                Some(line) => eprintln!("{line}"),
                // Help and version, as clap wrote them (made safe: clap quotes what was typed).
                None => print!("{}", sanitize(&err.render().to_string())),
            }
            return ExitCode::from(u8::try_from(err.exit_code()).unwrap_or(2));
        }
    };
    ticketdesk::logging::init(cli.log_level.as_deref());
    match run(cli, &matches) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("{}", report::error_line(&err));
            ExitCode::from(exit_code(&err))
        }
    }
}

/// 2 for an invalid argument or value, 1 for anything else.
fn exit_code(err: &anyhow::Error) -> u8 {
    let invalid = err.downcast_ref::<ValidationError>().is_some()
        || err.downcast_ref::<UsageError>().is_some()
        || matches!(err.downcast_ref::<StoreError>(), Some(StoreError::Invalid(_)))
        || err.downcast_ref::<ConfigError>().is_some_and(ConfigError::is_invalid_value);
    if invalid { 2 } else { 1 }
}

/// Where the desk is. Folders are made only for the default location: a
/// mistyped `--db` path is an error, not a new tree of folders.
fn db_location(config: &Config) -> anyhow::Result<Location> {
    if let Some(location) = &config.db {
        return Ok(location.clone());
    }
    let path = store::default_path().ok_or_else(|| {
        anyhow::anyhow!("cannot find a data directory for the default database; pass --db PATH")
    })?;
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder).with_context(|| {
            format!(
                "cannot create the folder for the default database, {}",
                ticketdesk::domain::text::sanitize_line(&folder.display().to_string())
            )
        })?;
    }
    Ok(Location::File(path))
}

fn run(cli: Cli, matches: &clap::ArgMatches) -> anyhow::Result<()> {
    let overrides =
        Overrides { db: cli.db.clone(), classifier: cli.classifier, busy_timeout_secs: cli.busy_timeout };
    // These work without a desk, and with a broken config: they are how one is found and fixed.
    match &cli.command {
        Some(Command::Completions(args)) => return commands::completions(args),
        Some(Command::Man(args)) => return commands::man(args),
        Some(Command::Doctor(args)) => return commands::doctor(&overrides, args),
        Some(Command::Config(ConfigCommand::Path)) => return commands::config::path(),
        Some(Command::Config(ConfigCommand::Init)) => return commands::config::init(),
        Some(Command::Config(ConfigCommand::Edit)) => return commands::config::edit(),
        _ => {}
    }
    let config = Config::load(&Sources::system(), &overrides)?;
    if let Some(Command::Config(ConfigCommand::Show)) = &cli.command {
        return commands::config_show(&config, &commands::Given::from_matches(matches));
    }
    let Some(command) = &cli.command else {
        use std::io::IsTerminal;
        if !(std::io::stdin().is_terminal() && std::io::stdout().is_terminal()) {
            Cli::command().print_help()?;
            anyhow::bail!("the full-screen view needs a terminal; the commands above work from scripts");
        }
        let location = db_location(&config)?;
        return ticketdesk::tui::run(config, location);
    };
    let location = db_location(&config)?;
    let busy_timeout = Duration::from_secs(config.busy_timeout_secs);
    if let Command::Import { file: Some(file), format, .. } = command {
        // The desk is opened once the file has given a first good row: an
        // empty or unreadable file leaves no trace, not even a new desk.
        return commands::import(|| commands::open_store(&location, busy_timeout), file, *format);
    }
    // What a command selects is read before the desk is opened: a mistake
    // in it is a usage error that leaves no trace.
    let now = time::OffsetDateTime::now_utc();
    let me = ticketdesk::actor::current();
    let selected = match command {
        Command::List(args) => commands::select::filter(&args.select, &config.views(), &me, now)?,
        Command::Status { query: Some(query), .. } | Command::Assign { query: Some(query), .. } => {
            commands::select::read("--query", query, &me, now)?
        }
        _ => ticketdesk::domain::Filter::default(),
    };
    if let Command::Assign { to: Some(to), .. } = command {
        commands::bulk_assignee(to, &me)?;
    }
    let mut store = {
        let _open = tracing::debug_span!("open").entered();
        commands::open_store(&location, busy_timeout)?
    };
    match command {
        Command::Add(args) => commands::add(&mut store, &config, args),
        Command::List(args) => commands::list(&mut store, &selected, args, cli.color),
        Command::Show { id, json } => commands::show(&mut store, *id, *json),
        Command::Status { to: Some(status), json, .. } => {
            commands::bulk(&mut store, &selected, store::BulkChange::Status(*status), *json)
        }
        Command::Status { id: Some(id), status: Some(status), check, json, .. } => {
            commands::set_status(&mut store, *id, *status, check, *json)
        }
        Command::Assign { to: Some(to), json, .. } => {
            let change = store::BulkChange::Assignee(commands::bulk_assignee(to, store.actor())?);
            commands::bulk(&mut store, &selected, change, *json)
        }
        Command::Assign { id: Some(id), user, check, json, .. } => {
            commands::assign(&mut store, *id, user.as_deref(), check, *json)
        }
        Command::Status { .. } | Command::Assign { .. } => {
            unreachable!("the argument parser requires an id or --query with --to")
        }
        Command::Take { id, check, json } => {
            let me = store.actor().to_owned();
            commands::assign(&mut store, *id, Some(&me), check, *json)
        }
        Command::Note { id, text, edit, json } => {
            commands::note(&mut store, *id, text.as_deref(), *edit, *json)
        }
        Command::History { id, json } => commands::history(&mut store, *id, *json),
        Command::Db(command) => commands::db(&mut store, command, busy_timeout),
        Command::Edit(args) => commands::edit(&mut store, args),
        Command::Stats { json } => commands::stats(&mut store, *json),
        Command::Classify(args) => commands::classify(&mut store, &config, args),
        Command::Import { .. } => commands::import_samples(&mut store),
        Command::Export { format, output } => commands::export(&mut store, *format, output.as_ref()),
        Command::Completions(_) | Command::Man(_) | Command::Doctor(_) | Command::Config(_) => {
            unreachable!("handled before the desk is opened")
        }
    }
}
