//! A minimal terminal: just enough of a VT to follow what ratatui's crossterm
//! backend writes (cursor moves, colours, clears, the alternate screen), so the
//! bench can ask what the screen shows instead of guessing from raw bytes.

use unicode_width::UnicodeWidthChar;

pub struct Screen {
    width: usize,
    height: usize,
    cells: Vec<String>,
    row: usize,
    col: usize,
    /// Whether the alternate screen is active.
    pub alternate: bool,
    state: State,
    /// The bytes of an unfinished UTF-8 character.
    utf8: Vec<u8>,
}

enum State {
    Ground,
    Escape,
    /// A control sequence: its parameter and intermediate bytes so far.
    Csi(Vec<u8>),
    /// An operating-system command, skipped up to BEL or ST.
    Osc {
        escape: bool,
    },
}

impl Screen {
    pub fn new(width: u16, height: u16) -> Screen {
        let (width, height) = (usize::from(width), usize::from(height));
        Screen {
            width,
            height,
            cells: vec![" ".to_owned(); width * height],
            row: 0,
            col: 0,
            alternate: false,
            state: State::Ground,
            utf8: Vec::new(),
        }
    }

    pub fn feed(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.byte(byte);
        }
    }

    /// One row of the screen as text.
    pub fn line(&self, y: usize) -> String {
        self.cells[y * self.width..(y + 1) * self.width].concat()
    }

    pub fn lines(&self) -> impl Iterator<Item = String> + '_ {
        (0..self.height).map(|y| self.line(y))
    }

    pub fn contains(&self, text: &str) -> bool {
        self.lines().any(|line| line.contains(text))
    }

    fn byte(&mut self, byte: u8) {
        match &mut self.state {
            State::Ground => self.ground(byte),
            State::Escape => {
                self.state = match byte {
                    b'[' => State::Csi(Vec::new()),
                    b']' => State::Osc { escape: false },
                    _ => State::Ground, // two-byte sequences (ESC 7, ESC =, ...) change nothing shown
                };
            }
            State::Csi(params) => {
                if (0x40..=0x7e).contains(&byte) {
                    let params = std::mem::take(params);
                    self.state = State::Ground;
                    self.csi(&params, byte);
                } else {
                    params.push(byte);
                }
            }
            State::Osc { escape } => {
                if byte == 0x07 || (*escape && byte == b'\\') {
                    self.state = State::Ground;
                } else {
                    *escape = byte == 0x1b;
                }
            }
        }
    }

    fn ground(&mut self, byte: u8) {
        if !self.utf8.is_empty() || byte >= 0x80 {
            self.utf8.push(byte);
            match std::str::from_utf8(&self.utf8) {
                Ok(text) => {
                    let c = text.chars().next().unwrap_or('\u{fffd}');
                    self.utf8.clear();
                    self.print(c);
                }
                Err(e) if e.error_len().is_some() || self.utf8.len() >= 4 => {
                    self.utf8.clear();
                    self.print('\u{fffd}');
                }
                Err(_) => {} // more bytes to come
            }
            return;
        }
        match byte {
            0x1b => self.state = State::Escape,
            b'\r' => self.col = 0,
            b'\n' => self.row = (self.row + 1).min(self.height - 1),
            0x08 => self.col = self.col.saturating_sub(1),
            0x00..=0x1f | 0x7f => {}
            _ => self.print(char::from(byte)),
        }
    }

    fn print(&mut self, c: char) {
        let width = c.width().unwrap_or(0);
        if width == 0 {
            // A combining mark joins the cell before it.
            if self.col > 0 {
                let at = self.row * self.width + self.col - 1;
                self.cells[at].push(c);
            }
            return;
        }
        if self.col + width > self.width {
            self.col = 0;
            self.row = (self.row + 1).min(self.height - 1);
        }
        let at = self.row * self.width + self.col;
        self.cells[at] = c.to_string();
        if width == 2 && self.col + 1 < self.width {
            self.cells[at + 1] = String::new();
        }
        self.col += width;
    }

    fn csi(&mut self, params: &[u8], last: u8) {
        let text = String::from_utf8_lossy(params);
        let private = text.starts_with('?');
        let numbers: Vec<usize> =
            text.trim_start_matches('?').split([';', ':']).map(|p| p.parse().unwrap_or(0)).collect();
        let n = |i: usize, default: usize| numbers.get(i).copied().filter(|&v| v != 0).unwrap_or(default);
        match last {
            b'H' | b'f' => {
                self.row = (n(0, 1) - 1).min(self.height - 1);
                self.col = (n(1, 1) - 1).min(self.width - 1);
            }
            b'A' => self.row = self.row.saturating_sub(n(0, 1)),
            b'B' => self.row = (self.row + n(0, 1)).min(self.height - 1),
            b'C' => self.col = (self.col + n(0, 1)).min(self.width - 1),
            b'D' => self.col = self.col.saturating_sub(n(0, 1)),
            b'G' => self.col = (n(0, 1) - 1).min(self.width - 1),
            b'J' => {
                let at = self.row * self.width + self.col;
                let range = match numbers.first().copied().unwrap_or(0) {
                    0 => at..self.cells.len(),
                    1 => 0..at + 1,
                    _ => 0..self.cells.len(),
                };
                self.blank(range);
            }
            b'K' => {
                let start = self.row * self.width;
                let at = start + self.col;
                let range = match numbers.first().copied().unwrap_or(0) {
                    0 => at..start + self.width,
                    1 => start..at + 1,
                    _ => start..start + self.width,
                };
                self.blank(range);
            }
            b'h' | b'l' if private && numbers.contains(&1049) => {
                self.alternate = last == b'h';
                self.blank(0..self.cells.len());
            }
            _ => {} // colours, attributes, cursor visibility: nothing to read
        }
    }

    fn blank(&mut self, range: std::ops::Range<usize>) {
        for cell in &mut self.cells[range] {
            " ".clone_into(cell);
        }
    }
}
