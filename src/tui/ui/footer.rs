//! The key line: the keys that work now, from the key map itself.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::fit;
use super::theme::Theme;
use crate::tui::keymap::{Action, Live};
use crate::tui::model::Model;

const GAP: &str = "  ";

pub fn render(frame: &mut Frame, area: Rect, model: &Model, theme: Theme) {
    if !area.is_empty() {
        let context = model.context();
        let pairs: Vec<&Live> = match &model.pending_chord {
            Some(first) => model.keys.chord_footer(context, first),
            None => model.keys.footer(context, |action| model.offers(action)),
        };
        fit::put(frame.buffer_mut(), area, &key_line(&pairs, usize::from(area.width), theme));
    }
}

/// `key label` pairs that fit in `width`; when some must go, the help key stays.
fn key_line(pairs: &[&Live], width: usize, theme: Theme) -> Line<'static> {
    let cells = |b: &&Live| fit::width(&b.label) + 1 + fit::width(b.help);
    let total: usize = 1 + pairs.iter().map(|p| cells(p) + GAP.len()).sum::<usize>();
    let help = pairs.iter().position(|b| b.action == Action::Help);
    let mut shown: Vec<usize> = (0..pairs.len()).collect();
    if total > width {
        let reserve = help.map_or(0, |i| cells(&pairs[i]) + GAP.len());
        let mut used = 1 + reserve;
        shown = Vec::new();
        for (i, pair) in pairs.iter().enumerate() {
            if Some(i) == help {
                continue;
            }
            if used + cells(pair) + GAP.len() > width {
                break;
            }
            used += cells(pair) + GAP.len();
            shown.push(i);
        }
        shown.extend(help.filter(|_| reserve < width));
    }
    if shown.is_empty() && !pairs.is_empty() {
        // Not even one pair fits: the first, cut short, beats nothing.
        shown.push(0);
    }
    let mut spans = vec![Span::raw(" ")];
    for (n, i) in shown.into_iter().enumerate() {
        let binding = pairs[i];
        if n > 0 {
            spans.push(Span::raw(GAP));
        }
        spans.push(Span::styled(binding.label.to_string(), theme.key()));
        spans.push(Span::raw(format!(" {}", binding.help)));
    }
    Line::from(spans)
}
