//! A CLI writer: an agent scripting the desk. It creates tickets and works
//! only on its own, so its writes to a ticket are one after another; some of
//! its commands are killed with SIGKILL, and it then finds out from the
//! database whether that write committed before going on.

use std::os::unix::process::ExitStatusExt;
use std::process::Stdio;
use std::time::{Duration, Instant};

use super::ledger::{Change, Ledger, TicketState, Via};
use super::make::{self, CATEGORIES, PEOPLE, PRIORITIES, STATUSES};
use super::site::{Clock, Site, quote};
use super::verify;

/// One command, on the ticket at `at` in the writer's list where it has one.
#[derive(Debug, Clone)]
enum Op {
    Add(TicketState),
    Status { at: usize, to: &'static str },
    Edit { at: usize, title: String, priority: &'static str },
    Assign { at: usize, user: &'static str },
    Take { at: usize },
    Note { at: usize, text: String },
}

pub struct Writer<'a> {
    site: &'a Site,
    ledger: &'a Ledger,
    name: String,
    rng: fastrand::Rng,
    /// This writer's tickets as last acknowledged (or found after a kill).
    owned: Vec<TicketState>,
    made: usize,
    /// The chance that a command is killed at a random moment.
    kill_chance: f64,
    /// How long this writer's last acknowledged command took: kills fall
    /// within a command's life on a fast build and a slow one alike.
    last_took: Duration,
}

/// Writes until the clock stops; the first thing that goes wrong ends it.
pub fn work(
    site: &Site,
    ledger: &Ledger,
    n: usize,
    seed: u64,
    clock: &Clock,
    kill_chance: f64,
) -> Result<(), String> {
    let mut writer = Writer::new(site, ledger, n, seed, kill_chance);
    while clock.running() {
        writer.step().map_err(|e| format!("writer {n}: {e}"))?;
    }
    Ok(())
}

impl<'a> Writer<'a> {
    pub fn new(site: &'a Site, ledger: &'a Ledger, n: usize, seed: u64, kill_chance: f64) -> Writer<'a> {
        let rng = fastrand::Rng::with_seed(seed);
        let name = format!("w{n}");
        let last_took = Duration::from_millis(20);
        Writer { site, ledger, name, rng, owned: Vec::new(), made: 0, kill_chance, last_took }
    }

    /// `add` a ticket and wait for it, never killed: for scripted scenarios.
    pub fn add(&mut self) -> Result<TicketState, String> {
        let op = self.new_ticket();
        self.perform(op, false)?;
        Ok(self.owned.last().cloned().expect("just added"))
    }

    /// One random command, perhaps killed.
    pub fn step(&mut self) -> Result<(), String> {
        let op = self.choose();
        let kill = self.rng.f64() < self.kill_chance;
        self.perform(op, kill)
    }

    fn perform(&mut self, op: Op, kill: bool) -> Result<(), String> {
        let args = self.args(&op);
        if let Some(at) = self.at(&op) {
            self.ledger.begin(self.owned[at].id);
        }
        let started = Instant::now();
        let mut child = self
            .site
            .command(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start ticketdesk: {e}"))?;
        if kill {
            // An arbitrary moment of the command's life: a timer picks it.
            let life = self.last_took.as_micros() as u64;
            std::thread::sleep(Duration::from_micros(self.rng.u64(0..=life)));
            let _ = child.kill();
        }
        let out = child.wait_with_output().map_err(|e| format!("waiting for ticketdesk: {e}"))?;
        let latency = started.elapsed();
        if out.status.signal() == Some(libc::SIGKILL) {
            self.ledger.killed(Via::Cli, true);
            return self.resolve(&op);
        }
        if kill {
            self.ledger.killed(Via::Cli, false);
        }
        if !out.status.success() {
            return Err(format!(
                "ticketdesk {} failed ({}): {}",
                args.join(" "),
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        let change = self.acknowledged(&op, &out.stdout).map_err(|e| format!("{}: {e}", args.join(" ")))?;
        self.ledger.ack(Via::Cli, &change, latency);
        self.last_took = latency;
        self.keep(&op, &change);
        Ok(())
    }

    fn choose(&mut self) -> Op {
        if self.owned.is_empty() || self.rng.f64() < 0.25 {
            return self.new_ticket();
        }
        let at = self.rng.usize(..self.owned.len());
        let ticket = &self.owned[at];
        let rng = &mut self.rng;
        match rng.u8(0..5) {
            0 => Op::Status { at, to: make::other(rng, &STATUSES, &ticket.status) },
            1 => {
                // The token stays first, so the title still finds the ticket.
                let token = ticket.title.split(' ').next().unwrap_or_default();
                let title = format!("{token} {} v{}", make::text(rng, 3), ticket.version + 1);
                Op::Edit { at, title, priority: make::other(rng, &PRIORITIES, &ticket.priority) }
            }
            2 => Op::Assign { at, user: make::other(rng, &PEOPLE, ticket.assignee.as_deref().unwrap_or("")) },
            3 if ticket.assignee.as_deref() != Some(self.site.me.as_str()) => Op::Take { at },
            _ => {
                self.made += 1;
                let token = make::token(&format!("{}n", self.name), self.made);
                Op::Note { at, text: format!("{token} {}", make::text(&mut self.rng, 6)) }
            }
        }
    }

    fn new_ticket(&mut self) -> Op {
        self.made += 1;
        // A token no other title starts with, so a search finds only this ticket.
        let token = make::token(&self.name, self.made);
        Op::Add(TicketState {
            id: 0,
            title: format!("{token} {}", make::text(&mut self.rng, 4)),
            description: make::text(&mut self.rng, 12),
            category: CATEGORIES[self.rng.usize(..4)].to_owned(),
            priority: PRIORITIES[self.rng.usize(..4)].to_owned(),
            status: "open".to_owned(),
            assignee: None,
            version: 1,
        })
    }

    fn args(&self, op: &Op) -> Vec<String> {
        let id = |at: &usize| self.owned[*at].id.to_string();
        let args: Vec<String> = match op {
            Op::Add(t) => ["add", "--title", &t.title, "--description", &t.description]
                .into_iter()
                .chain(["--category", &t.category, "--priority", &t.priority])
                .map(str::to_owned)
                .collect(),
            Op::Status { at, to } => vec!["status".into(), id(at), (*to).into()],
            Op::Edit { at, title, priority } => {
                let version = self.owned[*at].version.to_string();
                ["edit", &id(at), "--title", title, "--priority", priority, "--if-version", &version]
                    .map(str::to_owned)
                    .to_vec()
            }
            Op::Assign { at, user } => vec!["assign".into(), id(at), (*user).into()],
            Op::Take { at } => vec!["take".into(), id(at)],
            Op::Note { at, text } => vec!["note".into(), id(at), text.clone()],
        };
        args.into_iter().chain(["--json".to_owned()]).collect()
    }

    /// What the write leaves if it commits.
    fn expected(&self, op: &Op) -> Change {
        let change = |at: &usize, edit: &dyn Fn(&mut TicketState), events| {
            let mut ticket = self.owned[*at].clone();
            edit(&mut ticket);
            ticket.version += 1;
            Change { ticket_id: ticket.id, ticket: Some(ticket), events }
        };
        match op {
            Op::Add(t) => Change::created(t.clone()),
            Op::Status { at, to } => change(at, &|t| t.status = (*to).into(), vec![("status", (*to).into())]),
            Op::Edit { at, title, priority } => change(
                at,
                &|t| {
                    t.title = title.clone();
                    t.priority = (*priority).into();
                },
                vec![("title", title.clone()), ("priority", (*priority).into())],
            ),
            Op::Assign { at, user } => {
                change(at, &|t| t.assignee = Some((*user).into()), vec![("assignee", (*user).into())])
            }
            Op::Take { at } => {
                let me = self.site.me.clone();
                change(at, &|t| t.assignee = Some(me.clone()), vec![("assignee", self.site.me.clone())])
            }
            Op::Note { at, text } => {
                Change { ticket_id: self.owned[*at].id, ticket: None, events: vec![("note", text.clone())] }
            }
        }
    }

    /// The change a command printed, which must be the change asked for.
    fn acknowledged(&self, op: &Op, stdout: &[u8]) -> Result<Change, String> {
        let mut want = self.expected(op);
        let printed: serde_json::Value =
            serde_json::from_slice(stdout).map_err(|e| format!("printed no JSON ({e})"))?;
        if let Op::Note { .. } = op {
            let (id, text) = (printed["ticket_id"].as_i64(), printed["new_value"].as_str());
            return match (id, text) {
                (Some(id), Some(text)) if id == want.ticket_id && text == want.events[0].1 => Ok(want),
                _ => Err(format!("printed another note: {printed}")),
            };
        }
        let ticket: TicketState = serde_json::from_value(printed).map_err(|e| format!("printed: {e}"))?;
        if let Op::Add(_) = op {
            want = Change::created(TicketState { id: ticket.id, ..want.ticket.expect("a ticket") });
        }
        match &want.ticket {
            Some(t) if *t == ticket => Ok(want),
            _ => Err(format!("asked for {:?}, printed {ticket:?}", want.ticket)),
        }
    }

    /// After a kill: the write is either wholly in the database or not at all.
    fn resolve(&mut self, op: &Op) -> Result<(), String> {
        let want = self.expected(op);
        let committed = match (op, &want.ticket) {
            (Op::Note { at, text }, _) => {
                let sql = format!(
                    "SELECT count(*) FROM ticket_events WHERE ticket_id = {} AND field = 'note' AND new_value = {};",
                    self.owned[*at].id,
                    quote(text)
                );
                match self.site.sqlite3(&sql)?.trim() {
                    "0" => None,
                    "1" => Some(want.clone()),
                    n => return Err(format!("a killed note {text:?} is in the history {n} times")),
                }
            }
            (Op::Add(_), Some(ticket)) => verify::committed(self.site, None, ticket)?.map(Change::created),
            (_, Some(ticket)) => {
                let before = self.at(op).map(|at| &self.owned[at]);
                verify::committed(self.site, before, ticket)?.map(|_| want.clone())
            }
            (_, None) => unreachable!("only a note changes no ticket"),
        };
        self.ledger.resolve(self.at(op).map(|at| self.owned[at].id), committed.as_ref());
        if let Some(change) = committed {
            self.keep(op, &change);
        }
        Ok(())
    }

    fn at(&self, op: &Op) -> Option<usize> {
        match op {
            Op::Add(_) => None,
            Op::Status { at, .. }
            | Op::Edit { at, .. }
            | Op::Assign { at, .. }
            | Op::Take { at }
            | Op::Note { at, .. } => Some(*at),
        }
    }

    fn keep(&mut self, op: &Op, change: &Change) {
        let Some(ticket) = &change.ticket else { return };
        match self.at(op) {
            None => self.owned.push(ticket.clone()),
            Some(at) => self.owned[at] = ticket.clone(),
        }
    }
}
