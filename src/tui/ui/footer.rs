//! The two footer lines: the keys that work now (from the key map itself),
//! then the classifier's state with the latest notice at the right.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::fit;
use super::theme::Theme;
use crate::classify::chain::{Health, NoClaude};
use crate::domain::text::sanitize_line;
use crate::tui::keymap;
use crate::tui::model::{ClassifierStatus, Model, Suggesting};
use crate::tui::update;

const GAP: &str = "  ";

pub fn render(frame: &mut Frame, keys: Rect, status: Rect, model: &Model, theme: Theme) {
    let buf = frame.buffer_mut();
    if !keys.is_empty() {
        let pairs = keymap::footer(update::context(model));
        fit::put(buf, keys, &key_line(&pairs, usize::from(keys.width), theme));
    }
    if !status.is_empty() {
        render_status(buf, status, model, theme);
    }
}

/// `key label` pairs that fit in `width`; when some must go, "? help" stays.
fn key_line(pairs: &[(&str, &str)], width: usize, theme: Theme) -> Line<'static> {
    let cells = |(key, label): &(&str, &str)| fit::width(key) + 1 + fit::width(label);
    let total: usize = 1 + pairs.iter().map(|p| cells(p) + GAP.len()).sum::<usize>();
    let help = pairs.iter().position(|(key, _)| *key == "?");
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
        let (key, label) = pairs[i];
        if n > 0 {
            spans.push(Span::raw(GAP));
        }
        spans.push(Span::styled(key.to_owned(), theme.key()));
        spans.push(Span::raw(format!(" {label}")));
    }
    Line::from(spans)
}

fn render_status(buf: &mut ratatui::buffer::Buffer, area: Rect, model: &Model, theme: Theme) {
    let width = usize::from(area.width);
    let notice = model.notice.as_ref().map(|n| {
        let text = sanitize_line(&n.text);
        let style = if n.error { theme.error() } else { theme.success() };
        let text = if n.error { format!("✗ {text}") } else { text.into_owned() };
        (text, style)
    });
    let notice_width = notice.as_ref().map_or(0, |(text, _)| fit::width(text) + 1);

    let label = classifier_label(&model.classifier);
    let mut left = vec![(label, theme.classifier(&model.classifier))];
    if model.desk_lost.is_some() {
        // First, so it is the last thing a narrow screen drops.
        left.insert(0, ("NOT SAVING: quit and reopen".to_owned(), theme.error()));
    }
    if model.form.suggesting == Suggesting::Thinking {
        left.push(("thinking…".to_owned(), theme.accent()));
    }
    if model.form.saving {
        left.push(("saving…".to_owned(), theme.accent()));
    }
    if model.busy {
        left.push(("busy: import running — your change is queued".to_owned(), theme.accent()));
    }
    // The notice wins the space; the classifier state gets the rest.
    let room = width.saturating_sub(notice_width + 2);
    let mut spans = vec![Span::raw(" ")];
    let mut used = 1;
    for (i, (text, style)) in left.into_iter().enumerate() {
        let sep = if i == 0 { "" } else { " · " };
        let cells = fit::width(sep) + fit::width(&text);
        if used + cells > room {
            if i == 0 && room > used + 4 {
                spans.push(Span::styled(fit::truncate(&text, room - used).into_owned(), style));
            }
            break;
        }
        used += cells;
        spans.push(Span::styled(sep, theme.dim()));
        spans.push(Span::styled(text, style));
    }
    fit::put(buf, area, &Line::from(spans));

    if let Some((text, style)) = notice {
        let text = fit::truncate(&text, width.saturating_sub(2)).into_owned();
        let cells = u16::try_from(fit::width(&text) + 1).unwrap_or(u16::MAX);
        let x = area.width.saturating_sub(cells);
        fit::put(buf, fit::columns(area, x, cells), &Line::from(Span::styled(text, style)));
    }
}

/// The status line's words for the classifier.
fn classifier_label(status: &ClassifierStatus) -> String {
    let ClassifierStatus::On(health) = status else { return "suggestions off".into() };
    match health {
        Health::Claude => "Claude".into(),
        Health::Local => "local suggestions".into(),
        // Without a key nothing is offline: the desk simply has no Claude.
        Health::Unavailable(NoClaude::NoKey) => "local suggestions — no API key".into(),
        Health::Unavailable(NoClaude::KeyFile(_)) | Health::CoolingDown(_) => {
            "offline — local suggestions".into()
        }
        Health::Refused(err) => format!("Claude unavailable: {}", err.short()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::claude::ClaudeError;

    #[test]
    fn the_classifier_is_worded_from_its_state_not_from_prose() {
        let on = |health| classifier_label(&ClassifierStatus::On(health));
        assert_eq!(classifier_label(&ClassifierStatus::Off), "suggestions off");
        assert_eq!(on(Health::Claude), "Claude");
        assert_eq!(on(Health::Local), "local suggestions");
        assert_eq!(on(Health::Unavailable(NoClaude::NoKey)), "local suggestions — no API key");
        assert_eq!(on(Health::CoolingDown(std::time::Duration::from_secs(9))), "offline — local suggestions");
        // A server message with numbers of its own never changes the code shown.
        let revoked = ClaudeError::Unauthorized { message: Some("key 123 revoked at 500 req/min".into()) };
        assert_eq!(on(Health::Refused(revoked)), "Claude unavailable: 401");
        let forbidden = ClaudeError::Forbidden { message: None };
        assert_eq!(on(Health::Refused(forbidden)), "Claude unavailable: 403");
    }
}
