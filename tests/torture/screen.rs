//! One full-screen desk in tmux, driven as an agent at a terminal would:
//! fill the new-ticket form and save, find a ticket by search and change its
//! status in the picker. Every acknowledgement is read off the screen.

use regex::Regex;
use std::path::PathBuf;
use std::process::Command;
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use super::common::bin;
use super::ledger::TicketState;
use super::make::{CATEGORIES, PRIORITIES, STATUSES, position};
use super::site::Site;
use super::tmux::{Tmux, selected_row};

/// The longest a screen may take to show anything, busy machine included.
const WAIT: Duration = Duration::from_secs(30);

static SAVED: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"Saved #(\d+)").expect("valid regex"));

pub struct Screen<'a> {
    site: &'a Site,
    pub name: String,
    /// Its own HOME: the tmux socket, and the state dir where its drafts live.
    home: PathBuf,
    tmux: Option<Tmux>,
    /// Programs started so far: each gets a tmux server of its own.
    starts: usize,
    /// The newest ticket this screen said it saved (ids only grow).
    last_saved: i64,
}

impl<'a> Screen<'a> {
    /// Starts screen `name` on the desk and waits for its list.
    pub fn open(site: &'a Site, name: &str) -> Result<Screen<'a>, String> {
        let home = site.path(name);
        std::fs::create_dir_all(&home).map_err(|e| format!("cannot create {}: {e}", home.display()))?;
        let mut screen = Screen { site, name: name.to_owned(), home, tmux: None, starts: 0, last_saved: 0 };
        screen.start()?;
        Ok(screen)
    }

    fn start(&mut self) -> Result<(), String> {
        self.tmux = None;
        self.starts += 1;
        // A new socket: the old server may still be on its way out.
        let server = self.home.join(format!("tmux-{}", self.starts));
        std::fs::create_dir_all(&server).map_err(|e| format!("cannot create {}: {e}", server.display()))?;
        let db = self.site.desk.db.display().to_string();
        let env = self.site.desk.screen_env(&self.home);
        let args = ["--db", db.as_str(), "--classifier", "local"];
        self.tmux = Some(Tmux::start(&server, &bin(), &args, &env, (120, 35)));
        self.wait("the list's keys", |s| s.contains("/ search").then_some(())).map(drop)
    }

    fn tmux(&self) -> &Tmux {
        self.tmux.as_ref().expect("a running screen")
    }

    fn wait<T>(&self, what: &str, found: impl Fn(&str) -> Option<T>) -> Result<(String, T), String> {
        self.tmux().poll(WAIT, &format!("{}: {what}", self.name), found)
    }

    /// Fills the new-ticket form with `ticket`, starting from the list, and
    /// waits until the form shows it. Selectors are set by hand before any
    /// text is typed, so no suggestion can fill them first.
    pub fn fill(&self, ticket: &TicketState) -> Result<(), String> {
        let tmux = self.tmux();
        // Ctrl-L drops whatever the form held, a restored draft included.
        tmux.keys(&["n", "C-l", "Tab", "Tab"]);
        let right = |n| vec!["Right"; n + 1];
        tmux.keys(&right(position(&CATEGORIES, &ticket.category)));
        tmux.keys(&["Tab"]);
        tmux.keys(&right(position(&PRIORITIES, &ticket.priority)));
        tmux.keys(&["BTab", "BTab", "BTab"]);
        tmux.type_text(&ticket.title);
        tmux.keys(&["Tab"]);
        tmux.type_text(&ticket.description);
        let selector = |s: &str, name: &str, value: &str| {
            s.lines().any(|l| l.contains(name) && l.contains(&format!("◀ {value} ▶")))
        };
        self.wait("the filled form", |s| {
            (s.contains(&ticket.title)
                && selector(s, "Category", &ticket.category)
                && selector(s, "Priority", &ticket.priority))
            .then_some(())
        })
        .map(drop)
    }

    /// Saves the filled form; the id the screen says it saved, and how long
    /// that took from Ctrl-S.
    pub fn save_filled(&mut self) -> Result<(i64, Duration), String> {
        let started = Instant::now();
        self.tmux().keys(&["C-s"]);
        let last = self.last_saved;
        let (_, outcome) = self.wait("Saved #N", |s| match SAVED.captures(s) {
            Some(c) => c[1].parse::<i64>().ok().filter(|id| *id > last).map(Ok),
            None => refusal(s).map(Err),
        })?;
        let latency = started.elapsed();
        let id = outcome?;
        self.last_saved = id;
        // Back to the list for the next action; Esc alone, then its keys.
        self.tmux().keys(&["Escape"]);
        self.wait("the list's keys", |s| s.contains("/ search").then_some(()))?;
        Ok((id, latency))
    }

    /// Files `ticket` from the form: its id and the time from Ctrl-S to `Saved #N`.
    pub fn save(&mut self, ticket: &TicketState) -> Result<(i64, Duration), String> {
        self.fill(ticket)?;
        self.save_filled()
    }

    /// Finds `ticket` by its title's unique first word and opens the status
    /// picker on it, at `to`; Enter then sets it.
    pub fn pick_status(&self, ticket: &TicketState, to: &str) -> Result<(), String> {
        let token = ticket.title.split(' ').next().unwrap_or_default();
        let tmux = self.tmux();
        tmux.keys(&["/", "C-u"]);
        tmux.type_text(token);
        let row = format!("#{}", ticket.id);
        self.wait(&format!("{row} found by {token:?}"), |s| {
            (s.contains(&format!("/ {token}")) && selected_row(s) == Some(row.as_str())).then_some(())
        })?;
        tmux.keys(&["Enter"]);
        self.wait("the list's keys", |s| s.contains("/ search").then_some(()))?;
        tmux.keys(&["s"]);
        // The screen seen above may be the last search's: the picker's
        // heading says which ticket the keys reached.
        let heading = format!("{row} {token}");
        self.wait(&format!("the status picker on {row}"), |s| {
            let picker = s.lines().skip_while(|l| !l.contains(" Set status ")).nth(1);
            (s.contains("set this status") && picker.is_some_and(|l| l.contains(&heading))).then_some(())
        })?;
        let steps = (position(&STATUSES, to) + 4 - position(&STATUSES, &ticket.status)) % 4;
        tmux.keys(&vec!["Down"; steps]);
        Ok(())
    }

    /// Changes `ticket`'s status to `to`; the time from Enter to `#N is now …`.
    pub fn set_status(&self, ticket: &TicketState, to: &str) -> Result<Duration, String> {
        self.pick_status(ticket, to)?;
        let started = Instant::now();
        self.tmux().keys(&["Enter"]);
        let done = [format!("#{} is now {to}", ticket.id), format!("#{} is yours, {to}", ticket.id)];
        let (_, outcome) = self.wait(&done[0], |s| {
            if done.iter().any(|d| s.contains(d.as_str())) { Some(Ok(())) } else { refusal(s).map(Err) }
        })?;
        outcome.map(|()| started.elapsed())
    }

    /// Starts typing a ticket and stops halfway, as an agent interrupted.
    pub fn start_typing(&self, ticket: &TicketState) -> Result<(), String> {
        let tmux = self.tmux();
        tmux.keys(&["n", "C-l"]);
        tmux.type_text(&ticket.title);
        self.wait("the half-typed title", |s| s.contains(&ticket.title).then_some(())).map(drop)
    }

    pub fn keys(&self, keys: &[&str]) {
        self.tmux().keys(keys);
    }

    /// `kill -9` of the program; true when it died of it while running.
    pub fn kill(&mut self) -> Result<bool, String> {
        let tmux = self.tmux();
        let pid = tmux.pid();
        let sent = Command::new("kill").args(["-9", &pid.to_string()]).status().map_err(|e| e.to_string())?;
        // The pane's shell records 128 + the signal that ended the program.
        Ok(sent.success() && tmux.wait_for_exit() == 128 + libc::SIGKILL)
    }

    /// A fresh screen in the killed one's place, with its HOME and drafts.
    pub fn restart(&mut self) -> Result<(), String> {
        self.start()
    }

    /// Quits with `q` from the list; the program must exit 0.
    pub fn quit(mut self) -> Result<(), String> {
        let tmux = self.tmux.take().expect("a running screen");
        tmux.keys(&["q"]);
        match tmux.wait_for_exit() {
            0 => Ok(()),
            code => Err(format!("{} exited with {code}; screen:\n{}", self.name, tmux.screen())),
        }
    }
}

/// A screen that refused a write says so: an error notice or the lost-desk
/// warning. `busy: import running` is not one: the write waits and lands.
fn refusal(screen: &str) -> Option<String> {
    let said = screen.contains("✗") || screen.contains("Not saved") || screen.contains("NOT SAVING");
    said.then(|| format!("the screen refused the write:\n{screen}"))
}
