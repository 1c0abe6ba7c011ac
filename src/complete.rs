//! Shell completion and the manual page, both made from the one clap
//! definition in `cli.rs`, so a new subcommand or flag is in them at once.
//!
//! Two kinds of completion script. The default asks ticketdesk itself as the
//! agent types (`TICKETDESK_COMPLETE=<shell> ticketdesk -- <words>`, clap_complete's
//! engine), so it completes ticket ids from the desk, and view names once
//! there are views; `--static` is a self-contained script that knows every
//! subcommand, flag and value but nothing in the desk.

use clap::CommandFactory;
use clap_complete::engine::{ArgValueCandidates, CompletionCandidate};
use std::ffi::OsString;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::cli::{Cli, Shell};
use crate::config::{Config, Overrides, Sources};
use crate::domain::Filter;
use crate::store::{Location, Store};

/// The variable that turns a run into a completion request. Ours alone:
/// clap's default, `COMPLETE`, is generic enough to be set for something else,
/// and any run with it set would answer as a completion.
pub const VAR: &str = "TICKETDESK_COMPLETE";

/// The program's name in scripts and pages.
const BIN: &str = "ticketdesk";

/// Most ticket ids offered: the newest, enough for a screenful.
const MAX_IDS: usize = 100;

/// A completion request must never keep the prompt waiting on a lock.
const BUSY_TIMEOUT: Duration = Duration::from_millis(300);

/// Answers a completion request and exits, when this run is one (the shell
/// script sets [`VAR`]); otherwise returns at once. Called before anything
/// else writes to stdout.
pub fn answer_if_asked() {
    clap_complete::CompleteEnv::with_factory(command).var(VAR).bin(BIN).complete();
}

/// The CLI as completion sees it: every argument named `id` completes from
/// the desk's tickets, and every one named `view` from the configured views.
pub fn command() -> clap::Command {
    with_candidates(Cli::command())
}

fn with_candidates(cmd: clap::Command) -> clap::Command {
    cmd.mut_args(|arg| match arg.get_id().as_str() {
        "id" => arg.add(ArgValueCandidates::new(ticket_ids)),
        "view" => arg.add(ArgValueCandidates::new(views)),
        _ => arg,
    })
    .mut_subcommands(with_candidates)
}

/// Writes the script for `shell`: the one that calls back (default) or the
/// self-contained one.
pub fn write_script(shell: Shell, static_script: bool, out: &mut dyn Write) -> io::Result<()> {
    if static_script {
        clap_complete::aot::generate(shell, &mut Cli::command(), BIN, out);
        return Ok(());
    }
    let shells = clap_complete::env::Shells::builtins();
    let name = shell.to_string();
    let completer = shells
        .completer(&name)
        .ok_or_else(|| io::Error::other(format!("no completion script for {name}")))?;
    completer.write_registration(VAR, BIN, BIN, &completer_path(), out)
}

/// How the script calls ticketdesk back: as it was started now, made
/// absolute when it was started by a path (a build folder, say), else by
/// name through `PATH`.
fn completer_path() -> String {
    let started = std::env::args_os().next().map(PathBuf::from).unwrap_or_else(|| BIN.into());
    let by_path = started.components().count() > 1;
    let path = if by_path { std::path::absolute(&started).unwrap_or(started) } else { started };
    path.to_string_lossy().into_owned()
}

/// Prints the manual page of ticketdesk (roff, for `man -l -`).
pub fn write_man(out: &mut dyn Write) -> io::Result<()> {
    page(Cli::command()).render(out)
}

/// One page; every page names this version (a subcommand has none of its own).
fn page(cmd: clap::Command) -> clap_mangen::Man {
    clap_mangen::Man::new(cmd).source(concat!("ticketdesk ", env!("CARGO_PKG_VERSION")))
}

/// Writes `ticketdesk.1` and one page per subcommand into `dir`; returns the
/// pages written.
pub fn write_man_pages(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut cmd = Cli::command();
    cmd.build();
    let mut written = Vec::new();
    write_pages(&cmd, dir, &mut written)?;
    Ok(written)
}

fn write_pages(cmd: &clap::Command, dir: &Path, written: &mut Vec<PathBuf>) -> io::Result<()> {
    let man = page(cmd.clone());
    let path = dir.join(man.get_filename());
    let mut file = io::BufWriter::new(std::fs::File::create(&path)?);
    man.render(&mut file)?;
    file.flush()?;
    written.push(path);
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set() && s.get_name() != "help") {
        write_pages(sub, dir, written)?;
    }
    Ok(())
}

/// The newest tickets' ids, each with its title as the hint (zsh, fish and
/// PowerShell show it). The desk is the one the line being completed names
/// with `--db`, else the configured one; a desk that does not exist yet is
/// never created here, and any failure offers nothing.
fn ticket_ids() -> Vec<CompletionCandidate> {
    let Some(path) = desk_path(&std::env::args_os().collect::<Vec<_>>()) else { return Vec::new() };
    // A `stat`: nothing is opened, or made, unless the desk is there.
    if !path.is_file() {
        return Vec::new();
    }
    let Ok(mut store) = Store::open_with_timeout(&path, BUSY_TIMEOUT) else { return Vec::new() };
    let Ok(tickets) = store.list(&Filter::default(), MAX_IDS, None) else { return Vec::new() };
    tickets
        .iter()
        .map(|t| {
            let title = crate::domain::text::sanitize_line(&t.title).into_owned();
            CompletionCandidate::new(t.id.to_string()).help(Some(title.into()))
        })
        .collect()
}

/// The desk a completion request is about: `--db` on the line being
/// completed (after the `--` the script puts before it), else `TICKETDESK_DB`
/// and the config files.
fn desk_path(args: &[OsString]) -> Option<PathBuf> {
    let line = args.iter().skip_while(|a| *a != "--").skip(1);
    let mut typed = None;
    let mut next_is_db = false;
    for arg in line {
        let arg = arg.to_string_lossy();
        if next_is_db {
            typed = Location::parse(&arg).ok();
            next_is_db = false;
        } else if arg == "--db" {
            next_is_db = true;
        } else if let Some(value) = arg.strip_prefix("--db=") {
            typed = Location::parse(value).ok();
        }
    }
    let from_env =
        std::env::var("TICKETDESK_DB").ok().filter(|v| !v.is_empty()).and_then(|v| Location::parse(&v).ok());
    let overrides = Overrides { db: typed.or(from_env), ..Overrides::default() };
    let config = Config::load(&Sources::system(), &overrides).ok()?;
    match config.db {
        Some(Location::File(path)) => Some(path),
        // Completion never waits on a network: a server desk offers no ids.
        Some(Location::Server(_)) => None,
        None => crate::store::default_path(),
    }
}

/// View names for `--view` arguments, from the config's `[views.NAME]`
/// tables.
fn views() -> Vec<CompletionCandidate> {
    let Ok(config) = Config::load(&Sources::system(), &Overrides::default()) else { return Vec::new() };
    view_names(&config).into_iter().map(CompletionCandidate::new).collect()
}

/// The views' names: the built-in ones and the config's `[views.NAME]`.
pub fn view_names(config: &Config) -> Vec<String> {
    config.views().into_iter().map(|view| view.name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(words: &[&str]) -> Vec<OsString> {
        words.iter().map(OsString::from).collect()
    }

    #[test]
    fn the_desk_is_the_one_the_line_names() {
        let typed = desk_path(&line(&["/bin/td", "--", "ticketdesk", "--db", "/tmp/a.db", "show", ""]));
        assert_eq!(typed, Some(PathBuf::from("/tmp/a.db")));
        let typed = desk_path(&line(&["/bin/td", "--", "ticketdesk", "show", "--db=/tmp/b.db", ""]));
        assert_eq!(typed, Some(PathBuf::from("/tmp/b.db")));
    }

    #[test]
    fn every_id_argument_completes_from_the_desk() {
        let cmd = command();
        let mut with_ids = Vec::new();
        for sub in cmd.get_subcommands() {
            for arg in sub.get_arguments().filter(|a| a.get_id() == "id") {
                assert!(arg.get::<ArgValueCandidates>().is_some(), "{} id", sub.get_name());
                with_ids.push(sub.get_name().to_owned());
            }
        }
        for name in ["show", "status", "assign", "take", "note", "history", "edit"] {
            assert!(with_ids.iter().any(|n| n == name), "{name} takes a ticket id: {with_ids:?}");
        }
    }
}
