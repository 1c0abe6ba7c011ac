//! The new-ticket form: title (with a live length counter), description,
//! and the category and priority selectors with where their values came from.
//!
//! ```text
//! ▸ Title       Refund for a double charge             27/200
//!   Description I was charged twice for my subscription
//!               this month; please refund one of them.
//!   Category    ◀ billing ▶    claude · high · cached
//!   Priority    ◀ high ▶       (suggested: medium)
//! Possible duplicates · Ctrl-O 1-3 opens one
//!  1 #41 open billing "Charged twice in March"
//! ```

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};
use ratatui_textarea::{CursorMove, TextArea, WrapMode};

use super::theme::Theme;
use super::{fit, pane_block};
use crate::domain::Ticket;
use crate::domain::text::sanitize_line;
use crate::domain::ticket::TITLE_MAX_CHARS;
use crate::tui::keymap::{Action, Context};
use crate::tui::model::{Choice, Field, FieldError, Form, Model, Origin, Pane, Suggesting};

/// Cells for the labels column ("▸ Description" and a space).
const LABEL_WIDTH: u16 = 14;
/// Cells for a selector's value, so the notes after it line up.
const VALUE_WIDTH: usize = 14;

pub fn render(frame: &mut Frame, area: Rect, model: &Model, theme: Theme) {
    if area.is_empty() {
        return;
    }
    let form = &model.form;
    let focused = model.focus == Pane::Form;
    let extra = if form.saving { vec![Span::styled("saving… ", theme.accent())] } else { vec![] };
    let block = pane_block("New ticket", extra, focused, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.is_empty() {
        return;
    }
    let open_duplicate = model.keys.label(Context::Form, Action::OpenDuplicate1);
    let view =
        FormView { form, open_duplicate, focused, theme, label_width: LABEL_WIDTH.min(inner.width / 3) };
    view.render(frame.buffer_mut(), inner);
}

struct FormView<'a> {
    form: &'a Form,
    /// The key that opens a possible duplicate, as the key map in force writes it.
    open_duplicate: Option<&'a str>,
    focused: bool,
    theme: Theme,
    label_width: u16,
}

/// One band of the form, top to bottom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Band {
    Title,
    Description,
    Category,
    Priority,
    Error(Field),
    Info,
    /// "Possible duplicates", then one row per ticket.
    Duplicates,
    Duplicate(usize),
}

impl FormView<'_> {
    fn render(&self, buf: &mut Buffer, area: Rect) {
        let bands = self.bands(area.height);
        let fixed =
            u16::try_from(bands.iter().filter(|b| **b != Band::Description).count()).unwrap_or(u16::MAX);
        let description_height = area.height.saturating_sub(fixed).max(1);
        let mut y = area.y;
        for band in bands {
            let height = if band == Band::Description { description_height } else { 1 };
            if y >= area.bottom() {
                break;
            }
            let band_area = Rect { y, height: height.min(area.bottom() - y), ..area };
            match band {
                Band::Title => self.title(buf, band_area),
                Band::Description => self.description(buf, band_area),
                Band::Category => self.selector(
                    buf,
                    band_area,
                    Field::Category,
                    &self.form.category,
                    |c| c.as_str(),
                    |_| self.theme.category(),
                ),
                Band::Priority => self.selector(
                    buf,
                    band_area,
                    Field::Priority,
                    &self.form.priority,
                    |p| p.as_str(),
                    |p| self.theme.priority(p),
                ),
                Band::Error(field) => self.error(buf, band_area, field),
                Band::Info => self.info(buf, band_area),
                Band::Duplicates => self.duplicates_heading(buf, band_area),
                Band::Duplicate(place) => self.duplicate(buf, band_area, place),
            }
            y = y.saturating_add(height);
        }
    }

    /// The bands that fit in `height` rows: the fields always; then, if the
    /// description keeps two rows, the inline errors, the possible
    /// duplicates and the info line, in that order of need.
    fn bands(&self, height: u16) -> Vec<Band> {
        let height = usize::from(height);
        let error_rows = Field::ORDER.iter().filter(|f| self.has_error(**f)).count();
        // Three selector and title rows, and two for the description.
        let mut needed = 3 + 2 + error_rows;
        let with_errors = height >= needed;
        let duplicates = self.form.duplicates.len();
        let with_duplicates = duplicates > 0 && with_errors && height >= needed + 1 + duplicates;
        if with_duplicates {
            needed += 1 + duplicates;
        }
        let with_info = self.info_line().is_some() && height > needed;
        let mut bands = Vec::new();
        for field in Field::ORDER {
            bands.push(match field {
                Field::Title => Band::Title,
                Field::Description => Band::Description,
                Field::Category => Band::Category,
                Field::Priority => Band::Priority,
            });
            if with_errors && self.has_error(field) {
                bands.push(Band::Error(field));
            }
        }
        if with_info {
            bands.push(Band::Info);
        }
        if with_duplicates {
            bands.push(Band::Duplicates);
            bands.extend((0..duplicates).map(Band::Duplicate));
        }
        bands
    }

    fn has_error(&self, field: Field) -> bool {
        self.form.errors.get(field).is_some()
    }

    /// The label column: "▸ Title" for the field with the keys.
    fn label(&self, buf: &mut Buffer, area: Rect, field: Field, name: &str) {
        let current = self.form.field == field;
        let marker = if current { "▸ " } else { "  " };
        let style = if self.has_error(field) {
            self.theme.error()
        } else {
            self.theme.field_label(current && self.focused)
        };
        let text = fit::truncate(&format!("{marker}{name}"), usize::from(self.label_width.saturating_sub(1)))
            .into_owned();
        fit::put(buf, fit::columns(area, 0, self.label_width), &Line::styled(text, style));
    }

    fn value_area(&self, area: Rect) -> Rect {
        fit::columns(area, self.label_width, area.width)
    }

    fn title(&self, buf: &mut Buffer, area: Rect) {
        self.label(buf, area, Field::Title, "Title");
        let value = self.value_area(area);
        let count = self.form.title_text().trim().chars().count();
        let counter = format!("{count}/{TITLE_MAX_CHARS}");
        let counter_width = u16::try_from(fit::width(&counter)).unwrap_or(u16::MAX);
        let style = if count > TITLE_MAX_CHARS { self.theme.error() } else { self.theme.dim() };
        let field = if value.width > counter_width + 8 {
            let x = value.width - counter_width;
            fit::put(buf, fit::columns(value, x, counter_width), &Line::styled(counter, style));
            fit::columns(value, 0, value.width - counter_width - 1)
        } else {
            value
        };
        let editing = self.focused && self.form.field == Field::Title;
        self.text_field(buf, field, &self.form.title, editing);
    }

    fn description(&self, buf: &mut Buffer, area: Rect) {
        self.label(buf, Rect { height: 1, ..area }, Field::Description, "Description");
        let value = self.value_area(area);
        let editing = self.focused && self.form.field == Field::Description;
        self.text_field(buf, value, &self.form.description, editing);
    }

    /// A text field; empty and not being edited, its placeholder, wrapped.
    fn text_field(&self, buf: &mut Buffer, area: Rect, source: &TextArea<'static>, editing: bool) {
        if area.is_empty() {
            return;
        }
        if editing {
            (&display_copy(source, true, self.theme)).render(area, buf);
        } else if source.is_empty() {
            let placeholder = Line::styled(source.placeholder_text().to_owned(), self.theme.dim());
            Paragraph::new(placeholder).wrap(Wrap { trim: true }).render(area, buf);
        } else if source.wrap_mode() == WrapMode::None {
            // One line, not being edited: its start, and "…" if it goes on.
            let text = sanitize_line(&source.lines().join(" ")).into_owned();
            fit::put(buf, area, &Line::raw(fit::truncate(&text, usize::from(area.width)).into_owned()));
        } else {
            (&display_copy(source, false, self.theme)).render(area, buf);
        }
    }

    fn selector<T: Copy + PartialEq>(
        &self,
        buf: &mut Buffer,
        area: Rect,
        field: Field,
        choice: &Choice<T>,
        name: impl Fn(T) -> &'static str,
        style: impl Fn(T) -> Style,
    ) {
        let label = if field == Field::Category { "Category" } else { "Priority" };
        self.label(buf, area, field, label);
        let current = self.focused && self.form.field == field;
        let arrows = if current { self.theme.key() } else { self.theme.dim() };
        let mut spans = match choice.value {
            Some(value) => vec![
                Span::styled("◀ ", arrows),
                Span::styled(name(value), style(value)),
                Span::styled(" ▶", arrows),
            ],
            None if current => vec![Span::styled("◀ ", arrows), Span::raw("—"), Span::styled(" ▶", arrows)],
            None => vec![Span::raw("—")],
        };
        let used: usize = spans.iter().map(|s| fit::width(&s.content)).sum();
        spans.push(Span::raw(" ".repeat(VALUE_WIDTH.saturating_sub(used))));
        spans.extend(self.origin_note(choice, &name));
        fit::put(buf, self.value_area(area), &Line::from(spans));
    }

    /// Where a selector's value came from, or what a suggestion would change.
    fn origin_note<T: Copy>(
        &self,
        choice: &Choice<T>,
        name: &impl Fn(T) -> &'static str,
    ) -> Vec<Span<'static>> {
        let theme = self.theme;
        let thinking = self.form.suggesting.is_thinking();
        match choice.origin {
            Origin::Manual => match choice.hint {
                Some(hint) => vec![Span::styled(format!("(suggested: {})", name(hint)), theme.dim())],
                None => vec![],
            },
            _ if thinking => vec![Span::styled("thinking…", theme.accent())],
            Origin::Suggested { source, confidence, cached } => {
                let mut note = vec![Span::raw(format!("{} · {}", source.as_str(), confidence.as_str()))];
                if cached {
                    note.push(Span::styled(" · cached", theme.dim()));
                }
                note
            }
            Origin::Unset => vec![],
        }
    }

    fn error(&self, buf: &mut Buffer, area: Rect, field: Field) {
        let message = match (self.form.errors.get(field), field) {
            (None, _) => return,
            (Some(FieldError::Invalid(rule)), _) => sanitize_line(rule).into_owned(),
            (Some(FieldError::Unset), Field::Category) => "choose a category (← →)".to_owned(),
            (Some(FieldError::Unset), _) => "choose a priority (← →)".to_owned(),
        };
        let value = self.value_area(area);
        let text = fit::truncate(&format!("✗ {message}"), usize::from(value.width)).into_owned();
        fit::put(buf, value, &Line::styled(text, self.theme.error()));
    }

    /// The last line: saving, or why the classifier suggested what it did.
    fn info_line(&self) -> Option<Line<'static>> {
        if self.form.saving {
            return Some(Line::styled("saving…", self.theme.accent()));
        }
        match &self.form.suggesting {
            Suggesting::Done { reason } if !reason.trim().is_empty() => {
                Some(Line::styled(format!("why: {}", sanitize_line(reason.trim())), self.theme.dim()))
            }
            _ => None,
        }
    }

    fn info(&self, buf: &mut Buffer, area: Rect) {
        if let Some(line) = self.info_line() {
            let value = self.value_area(area);
            let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
            let cut = fit::truncate(&text, usize::from(value.width)).into_owned();
            fit::put(buf, value, &Line::styled(cut, line.style));
        }
    }
}

impl FormView<'_> {
    fn duplicates_heading(&self, buf: &mut Buffer, area: Rect) {
        let mut spans = vec![Span::styled("Possible duplicates", self.theme.heading())];
        if let Some(keys) = self.open_duplicate {
            spans.push(Span::styled(" · ", self.theme.dim()));
            spans.push(Span::styled(keys, self.theme.key()));
            spans.push(Span::styled(" opens one", self.theme.dim()));
        }
        fit::put(buf, area, &Line::from(spans));
    }

    /// ` 1 #41 open billing "Charged twice in March"`
    fn duplicate(&self, buf: &mut Buffer, area: Rect, place: usize) {
        let Some(ticket) = self.form.duplicates.get(place) else { return };
        let Ticket { id, status, category, title, .. } = ticket;
        let line = Line::from(vec![
            Span::styled(format!(" {} ", place + 1), self.theme.key()),
            Span::styled(format!("#{id} "), self.theme.accent()),
            Span::styled(status.as_str(), self.theme.status(*status)),
            Span::raw(" "),
            Span::styled(category.as_str(), self.theme.category()),
            Span::raw(format!(" \"{}\"", sanitize_line(title))),
        ]);
        fit::put(buf, area, &line);
    }
}

/// A copy of a text field to draw: its text made terminal-safe char for char
/// (so the cursor stays put), the cursor shown only while it is being edited.
/// A copy starts unscrolled: the view keeps no state between frames.
fn display_copy(source: &TextArea<'static>, editing: bool, theme: Theme) -> TextArea<'static> {
    let lines: Vec<String> = source.lines().iter().map(|l| sanitize_line(l).into_owned()).collect();
    let mut copy = TextArea::new(lines);
    copy.set_wrap_mode(source.wrap_mode());
    copy.set_placeholder_text(source.placeholder_text());
    copy.set_placeholder_style(theme.dim());
    copy.set_cursor_line_style(Style::new());
    copy.set_cursor_style(if editing { theme.selected() } else { Style::new() });
    // Scrolled to keep the cursor in view while editing; from the top otherwise.
    if editing {
        let cursor = source.cursor();
        let clamp = |n: usize| u16::try_from(n).unwrap_or(u16::MAX);
        copy.move_cursor(CursorMove::Jump(clamp(cursor.0), clamp(cursor.1)));
    }
    copy
}
