//! The terminal: set up for the full screen and put back as it was (on quit,
//! on errors, on a panic), and frames that reach it whole.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
use ratatui::Terminal;
use ratatui::backend::{Backend, CrosstermBackend, TestBackend};
use tokio::sync::mpsc::UnboundedSender;

use super::msg::Msg;

/// The real terminal: raw mode, the alternate screen, and frames written
/// whole (see [`Screen`]).
pub struct Tty<W: Write = io::Stdout> {
    terminal: Terminal<CrosstermBackend<FrameWriter<W>>>,
    hold: Arc<AtomicBool>,
}

/// Switches the terminal to raw mode and the alternate screen.
pub fn open() -> io::Result<Tty> {
    crossterm::terminal::enable_raw_mode()?;
    let mut stdout = io::stdout();
    if let Err(e) = crossterm::execute!(stdout, crossterm::terminal::EnterAlternateScreen) {
        restore();
        return Err(e);
    }
    let (writer, hold) = FrameWriter::new(stdout);
    let terminal = Terminal::new(CrosstermBackend::new(writer)).inspect_err(|_| restore())?;
    Ok(Tty { terminal, hold })
}

/// Puts the terminal back as it was. Safe to call more than once.
pub fn restore() {
    ratatui::restore();
}

/// Where a panic on another thread is reported, so the app can end cleanly.
static PANIC_INBOX: OnceLock<Mutex<Option<UnboundedSender<Msg>>>> = OnceLock::new();

/// A panic on the main thread restores the terminal before the message
/// prints; one anywhere else (a spawned task, a database thread) is sent to
/// the inbox, and the app restores the terminal as it ends.
pub fn install_panic_hook(inbox: UnboundedSender<Msg>) {
    *PANIC_INBOX.get_or_init(Mutex::default).lock().unwrap_or_else(PoisonError::into_inner) = Some(inbox);
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let on_main = std::thread::current().name() == Some("main");
        let forwarded = !on_main
            && PANIC_INBOX.get().is_some_and(|slot| {
                let inbox = slot.lock().unwrap_or_else(PoisonError::into_inner);
                inbox
                    .as_ref()
                    .is_some_and(|tx| tx.send(Msg::Fatal(format!("internal error: {info}"))).is_ok())
            });
        if !forwarded {
            restore();
            previous(info);
        }
    }));
}

/// Where frames are drawn: the terminal, or a test backend in memory.
pub trait Screen {
    type Backend: Backend;

    fn terminal(&self) -> &Terminal<Self::Backend>;

    fn terminal_mut(&mut self) -> &mut Terminal<Self::Backend>;

    /// Marks where a frame begins, so the terminal shows it whole.
    fn begin_frame(&mut self) -> io::Result<()>;

    /// Marks where it ends, and sends it.
    fn end_frame(&mut self) -> io::Result<()>;

    /// Hands the terminal to another program (the agent's editor): the
    /// normal screen, cooked mode and the cursor, as the shell had them.
    fn suspend(&mut self) -> io::Result<()>;

    /// Takes the terminal back after [`Screen::suspend`]; the next frame is
    /// drawn whole, since the other program left its own text behind.
    fn resume(&mut self) -> io::Result<()>;
}

/// Frames go out in the terminal's synchronized-update mode (DEC private mode
/// 2026): a terminal that knows it paints the frame at once, so a slow link
/// never shows half of one; others ignore it. With the writer holding its
/// flushes meanwhile, each frame also leaves in one write.
impl<W: Write> Screen for Tty<W> {
    type Backend = CrosstermBackend<FrameWriter<W>>;

    fn terminal(&self) -> &Terminal<Self::Backend> {
        &self.terminal
    }

    fn terminal_mut(&mut self) -> &mut Terminal<Self::Backend> {
        &mut self.terminal
    }

    fn begin_frame(&mut self) -> io::Result<()> {
        self.hold.store(true, Ordering::Relaxed);
        crossterm::queue!(self.terminal.backend_mut(), BeginSynchronizedUpdate)
    }

    fn end_frame(&mut self) -> io::Result<()> {
        crossterm::queue!(self.terminal.backend_mut(), EndSynchronizedUpdate)?;
        self.hold.store(false, Ordering::Relaxed);
        Write::flush(self.terminal.backend_mut())
    }

    fn suspend(&mut self) -> io::Result<()> {
        self.terminal.show_cursor()?;
        crossterm::execute!(self.terminal.backend_mut(), crossterm::terminal::LeaveAlternateScreen)?;
        crossterm::terminal::disable_raw_mode()
    }

    fn resume(&mut self) -> io::Result<()> {
        use crossterm::terminal::{Clear, ClearType, EnterAlternateScreen};
        crossterm::terminal::enable_raw_mode()?;
        crossterm::execute!(self.terminal.backend_mut(), EnterAlternateScreen, Clear(ClearType::All))?;
        // After a frame the buffer being drawn into is blank; swapping blanks
        // the other, the last frame, so ratatui takes the screen for empty,
        // as it now is, and draws the next frame whole. (`Terminal::clear`
        // would ask the terminal where its cursor is, an answer that comes
        // back through the input the events have just stopped reading.)
        self.terminal.swap_buffers();
        Ok(())
    }
}

/// Render tests draw into memory: there is nothing to hold back.
impl Screen for Terminal<TestBackend> {
    type Backend = TestBackend;

    fn terminal(&self) -> &Terminal<TestBackend> {
        self
    }

    fn terminal_mut(&mut self) -> &mut Terminal<TestBackend> {
        self
    }

    fn begin_frame(&mut self) -> io::Result<()> {
        Ok(())
    }

    fn end_frame(&mut self) -> io::Result<()> {
        Ok(())
    }

    fn suspend(&mut self) -> io::Result<()> {
        Ok(())
    }

    fn resume(&mut self) -> io::Result<()> {
        self.clear().map_err(|never| match never {})
    }
}

/// A buffered writer whose flushes wait while a frame is being written (the
/// flag it returns is held), so the frame and the marks around it leave
/// together.
pub struct FrameWriter<W: Write> {
    out: io::BufWriter<W>,
    hold: Arc<AtomicBool>,
}

impl<W: Write> FrameWriter<W> {
    /// Over SSH, one packet per frame rather than a dozen: the buffer holds
    /// a whole frame of a large screen.
    pub fn new(out: W) -> (FrameWriter<W>, Arc<AtomicBool>) {
        let hold = Arc::new(AtomicBool::new(false));
        (FrameWriter { out: io::BufWriter::with_capacity(1 << 16, out), hold: Arc::clone(&hold) }, hold)
    }
}

impl<W: Write> Write for FrameWriter<W> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.out.write(bytes)
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.hold.load(Ordering::Relaxed) { Ok(()) } else { self.out.flush() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::model::Model;
    use time::macros::datetime;

    /// Writes remembered one by one, shared so the test can read them while
    /// the terminal owns the writer.
    #[derive(Clone, Default)]
    struct Writes(Arc<Mutex<Vec<Vec<u8>>>>);

    impl Write for Writes {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().push(bytes.to_vec());
            Ok(bytes.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn each_frame_leaves_whole_in_one_write_marked_as_one_update() {
        let writes = Writes::default();
        let (writer, hold) = FrameWriter::new(writes.clone());
        let viewport = ratatui::Viewport::Fixed(ratatui::layout::Rect::new(0, 0, 80, 24));
        let terminal =
            Terminal::with_options(CrosstermBackend::new(writer), ratatui::TerminalOptions { viewport })
                .unwrap();
        let mut tty = Tty { terminal, hold };
        let mut model = Model::new("desk.db".into(), datetime!(2026-11-24 12:00 UTC), false);
        for frame in 0..2 {
            model.db_label = format!("desk {frame}.db");
            tty.begin_frame().unwrap();
            tty.terminal.draw(|f| crate::tui::ui::draw(f, &model)).unwrap();
            tty.end_frame().unwrap();
            let writes = writes.0.lock().unwrap();
            assert_eq!(writes.len(), frame + 1, "one write per frame");
            let last = writes.last().unwrap();
            assert!(last.starts_with(b"\x1b[?2026h"), "begins the update: {:?}", &last[..12]);
            assert!(last.ends_with(b"\x1b[?2026l"), "ends it: {:?}", &last[last.len() - 12..]);
        }
    }
}
