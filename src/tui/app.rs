//! The loop, and only the loop: the next message, `update`, the effects to
//! the driver, and a frame when something changed. Paint first, then load;
//! draw at most once per frame interval. One effect stays here: the agent's
//! editor needs the terminal, which the loop owns.

use crate::store::Location;
use std::time::Duration;

use anyhow::Result;
use ratatui::Terminal;
use ratatui::backend::Backend;
use tokio::time::Instant;

use super::driver::Driver;
use super::editing;
use super::effect::{EditTarget, Effect};
use super::event::Events;
use super::model::Model;
use super::msg::Msg;
use super::terminal::Screen;
use super::ui;
use super::update::{Update, init, update};
use crate::config::Config;

/// Frames are drawn at most this often; over SSH fewer, larger updates win.
const FRAME: Duration = Duration::from_millis(16);

/// The model, the screen it is drawn on and the driver that carries out its
/// effects, with the loop that joins them.
pub struct App<S: Screen> {
    pub model: Model,
    screen: S,
    driver: Driver,
    /// The model changed since the last frame.
    dirty: bool,
    last_frame: Instant,
    /// After a key that asked for list rows, the frame waits this long for
    /// them: one frame with the answer beats a "loading…" frame then the answer.
    hold_until: Option<Instant>,
    frames: u64,
    /// The editor to open once the message that asked for it is handled.
    editor: Option<(EditTarget, String)>,
}

impl<S: Screen> App<S>
where
    <S::Backend as Backend>::Error: Send + Sync + 'static,
{
    pub fn new(model: Model, screen: S, driver: Driver) -> App<S> {
        App {
            model,
            screen,
            driver,
            dirty: true,
            last_frame: Instant::now(),
            hold_until: None,
            frames: 0,
            editor: None,
        }
    }

    /// Paints the first frame at once, then starts loading (and the
    /// classifier), with `effects` from before (a draft put back).
    pub fn start(&mut self, config: &Config, location: &Location, effects: Vec<Effect>) -> Result<()> {
        if let Ok(size) = self.screen.terminal().size() {
            update(&mut self.model, Msg::Resize(size.width, size.height));
        }
        self.draw()?;
        self.driver.start_classifier(config, location);
        let effects = [init(&mut self.model), effects].concat();
        self.driver.run(effects);
        Ok(())
    }

    /// Runs until the agent quits or the events end. A frame still owed when
    /// the events end is drawn (a scripted session shows where it ended);
    /// its failure is ignored, since the terminal may be gone.
    pub async fn run(&mut self, events: &mut impl Events) -> Result<()> {
        loop {
            let due = self.frame_due();
            if self.dirty && Instant::now() >= due {
                self.draw()?;
                continue;
            }
            let msg = tokio::select! {
                msg = events.next() => msg,
                () = tokio::time::sleep_until(due), if self.dirty => continue,
            };
            let Some(msg) = msg else {
                if self.dirty {
                    let _ = self.draw();
                }
                return Ok(());
            };
            if !self.handle(msg) {
                return Ok(());
            }
            if let Some((target, text)) = self.editor.take()
                && !self.edit(events, target, text).await?
            {
                return Ok(());
            }
        }
    }

    /// Hands the terminal to the agent's editor and takes it back: the
    /// events stop reading it, the screen steps aside, the editor runs in
    /// the foreground (off this thread, so the runtime's other tasks go on;
    /// their messages wait in the inbox), then the screen comes back whole
    /// and the editor's text goes through `update`. `false` once quitting.
    async fn edit(&mut self, events: &mut impl Events, target: EditTarget, text: String) -> Result<bool> {
        events.pause();
        let suspended = self.screen.suspend();
        let answer = match suspended {
            Ok(()) => tokio::task::spawn_blocking(move || editing::run(target, &text))
                .await
                .unwrap_or_else(|e| Msg::Fatal(format!("internal error: the editor's thread: {e}"))),
            Err(e) => Msg::Fatal(format!("cannot hand the terminal to the editor: {e}")),
        };
        let resumed = self.screen.resume();
        events.resume();
        self.dirty = true;
        resumed.map_err(|e| anyhow::anyhow!("cannot take the terminal back from the editor: {e}"))?;
        Ok(self.handle(answer))
    }

    /// One message through the core; `false` once the app is quitting.
    fn handle(&mut self, msg: Msg) -> bool {
        let rows_arrived = matches!(msg, Msg::ListLoaded { .. });
        let from_key = matches!(msg, Msg::Key(_));
        let Update { effects, changed } = update(&mut self.model, msg);
        self.dirty |= changed;
        if self.model.quitting {
            return false;
        }
        let (edits, effects): (Vec<Effect>, Vec<Effect>) =
            effects.into_iter().partition(|e| matches!(e, Effect::Edit { .. }));
        // One editor at a time: the keys that asked for it are all one chord.
        if let Some(Effect::Edit { target, text }) = edits.into_iter().last() {
            self.editor = Some((target, text));
        }
        if from_key && effects.iter().any(|e| matches!(e, Effect::LoadList { .. })) {
            self.hold_until = Some(Instant::now() + FRAME);
        } else if rows_arrived {
            self.hold_until = None;
        }
        self.driver.run(effects);
        true
    }

    fn frame_due(&self) -> Instant {
        let next = self.last_frame + FRAME;
        self.hold_until.map_or(next, |hold| hold.max(next))
    }

    /// The one place a frame is drawn: the whole screen, as one update.
    fn draw(&mut self) -> Result<()> {
        let model = &self.model;
        self.screen.begin_frame()?;
        self.screen.terminal_mut().draw(|frame| ui::draw(frame, model))?;
        self.screen.end_frame()?;
        self.frames += 1;
        self.last_frame = Instant::now();
        self.dirty = false;
        self.hold_until = None;
        Ok(())
    }

    /// Frames drawn so far.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    pub fn terminal(&self) -> &Terminal<S::Backend> {
        self.screen.terminal()
    }
}
