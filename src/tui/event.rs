//! Everything that happens, as one stream of messages: keys and resizes from
//! the terminal, the clock, signals, and what the driver's workers send to
//! the inbox (database answers, suggestions, timers). The loop reads only
//! this stream, so a test can script it instead.

use std::future::Future;
use std::time::Duration;

use crossterm::event::{Event, EventStream};
use futures::StreamExt;
use time::OffsetDateTime;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::time::{Instant, Interval, MissedTickBehavior};

use super::msg::Msg;

/// Ages in the list change by the minute.
const CLOCK_TICK: Duration = Duration::from_secs(60);

/// A stream of messages for the loop.
pub trait Events {
    /// The next message; `None` once there are no more (the terminal is gone).
    /// Must be cancel-safe: the loop drops it when a frame is due first.
    fn next(&mut self) -> impl Future<Output = Option<Msg>>;

    /// Stops reading the terminal until [`Events::resume`]: another program
    /// (the agent's editor) reads it meanwhile, and every key must reach it.
    fn pause(&mut self) {}

    fn resume(&mut self) {}
}

/// The real sources: the terminal, the clock, signals and the inbox.
pub struct TerminalEvents {
    inbox: UnboundedReceiver<Msg>,
    /// `None` while paused.
    terminal: Option<EventStream>,
    clock: Interval,
    signals: Signals,
}

impl TerminalEvents {
    pub fn new(inbox: UnboundedReceiver<Msg>) -> std::io::Result<TerminalEvents> {
        let mut clock = tokio::time::interval_at(Instant::now() + CLOCK_TICK, CLOCK_TICK);
        clock.set_missed_tick_behavior(MissedTickBehavior::Delay);
        Ok(TerminalEvents { inbox, terminal: Some(EventStream::new()), clock, signals: Signals::new()? })
    }
}

/// The next terminal event; never, while paused.
async fn terminal_event(terminal: &mut Option<EventStream>) -> Option<std::io::Result<Event>> {
    match terminal {
        Some(stream) => stream.next().await,
        None => std::future::pending().await,
    }
}

impl Events for TerminalEvents {
    async fn next(&mut self) -> Option<Msg> {
        loop {
            return tokio::select! {
                event = terminal_event(&mut self.terminal) => match event {
                    Some(Ok(Event::Key(key))) => Some(Msg::Key(key)),
                    Some(Ok(Event::Resize(width, height))) => Some(Msg::Resize(width, height)),
                    Some(Ok(_)) => continue,
                    Some(Err(e)) => Some(Msg::Fatal(format!("cannot read the terminal: {e}"))),
                    None => None,
                },
                Some(msg) = self.inbox.recv() => Some(msg),
                _ = self.clock.tick() => Some(Msg::Tick(OffsetDateTime::now_utc())),
                () = self.signals.recv() => Some(Msg::Stop),
            };
        }
    }

    /// Dropping the stream ends crossterm's reading thread (the drop wakes
    /// it out of its wait and it stops), so no key meant for the editor is
    /// taken from the terminal.
    fn pause(&mut self) {
        self.terminal = None;
    }

    /// A new stream reads the terminal again. Interrupts are ignored while
    /// the editor runs (see `editor::open`); one that arrived in the instant
    /// before was meant for the editor too, so it is dropped, not obeyed.
    fn resume(&mut self) {
        use futures::FutureExt;
        while let Some(Some(())) = self.signals.int.recv().now_or_never() {}
        self.terminal = Some(EventStream::new());
    }
}

/// The signals that end a session: SIGTERM (kill), SIGHUP (the SSH connection
/// dropped) and SIGINT (raw mode turns Ctrl-C into a key, but `kill -INT`
/// still arrives).
struct Signals {
    term: tokio::signal::unix::Signal,
    hup: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
}

impl Signals {
    fn new() -> std::io::Result<Signals> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Signals {
            term: signal(SignalKind::terminate())?,
            hup: signal(SignalKind::hangup())?,
            int: signal(SignalKind::interrupt())?,
        })
    }

    async fn recv(&mut self) {
        tokio::select! {
            _ = self.term.recv() => {}
            _ = self.hup.recv() => {}
            _ = self.int.recv() => {}
        }
    }
}
