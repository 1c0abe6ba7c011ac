//! The status line: the classifier's state and what is pending on the left,
//! the latest notice on the right. The words for both are written here, from
//! the typed states the model keeps.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::fit;
use super::theme::Theme;
use crate::classify::chain::{Health, NoClaude};
use crate::domain::text::sanitize_line;
use crate::tui::keymap::{Action, Context, KeyMap};
use crate::tui::model::{ClassifierStatus, Model, Notice};
use crate::tui::msg::Change;

pub fn render(frame: &mut Frame, area: Rect, model: &Model, theme: Theme) {
    if !area.is_empty() {
        render_status(frame.buffer_mut(), area, model, theme);
    }
}

fn render_status(buf: &mut ratatui::buffer::Buffer, area: Rect, model: &Model, theme: Theme) {
    let width = usize::from(area.width);
    let notice = model.notice.as_ref().map(|n| {
        let text = sanitize_line(&notice_text(n, &model.keys)).into_owned();
        if n.is_error() { (format!("✗ {text}"), theme.error()) } else { (text, theme.success()) }
    });
    let notice_width = notice.as_ref().map_or(0, |(text, _)| fit::width(text) + 1);

    let label = classifier_label(&model.classifier);
    let mut left = vec![(label, theme.classifier(&model.classifier))];
    if model.desk_lost.is_some() {
        // First, so it is the last thing a narrow screen drops.
        left.insert(0, ("NOT SAVING: quit and reopen".to_owned(), theme.error()));
    }
    if model.unreachable.reader || model.unreachable.writer {
        // Ahead of the rest: nothing reaches the desk until it is back.
        left.insert(0, ("server unreachable: retrying…".to_owned(), theme.error()));
    }
    if model.form.suggesting.is_thinking() {
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

/// A notice in words. Text that came from elsewhere (an error's) is made
/// safe where the line is drawn.
pub fn notice_text(notice: &Notice, keys: &KeyMap) -> String {
    match notice {
        Notice::DraftBack { saved_at } => {
            let when = saved_at.get(11..16).unwrap_or("earlier");
            let finish = keys.label(Context::List, Action::NewTicket).unwrap_or("Tab");
            let clear = keys.label(Context::Form, Action::ClearForm).unwrap_or("");
            format!(
                "Your unsent ticket from {when} UTC is back in the form: {finish} to finish it, {clear} there to drop it"
            )
        }
        Notice::Saved { id } => format!("Saved #{id}"),
        Notice::NoteAdded { id } => format!("Note added to #{id}"),
        Notice::Changed { id, status, yours: true } => format!("#{id} is yours, {status}"),
        Notice::Changed { id, status, yours: false } => format!("#{id} is now {status}"),
        Notice::AlreadyYours { id } => format!("#{id} is already yours"),
        Notice::DeskLost(why) => why.to_string(),
        Notice::NotSaved(why) => format!("Not saved: {why}"),
        Notice::NoteNotSaved(why) => format!("Note not saved: {why}"),
        Notice::EditorLeftNothing => "The editor failed or left no text: nothing changed".to_owned(),
        Notice::EditorFailed(why) => why.to_string(),
        Notice::NotChanged(refused) => match refused.change {
            Change::Status { id, status } => format!("#{id} not set to {status}: {}", refused.why),
            Change::Assign { id } => format!("#{id} not assigned: {}", refused.why),
        },
        Notice::ViewSaved(name) => format!("Saved the view \"{name}\" in your config"),
        Notice::Marked { count } => format!("Marked {count} tickets: s a A C P change them all, Esc clears"),
        Notice::TooManyToMark { max } => {
            format!("More than {max} tickets: narrow the list to change them at once")
        }
        Notice::BulkChanged { changed, already, skipped } => {
            let mut text = format!("Changed {changed}");
            if *already > 0 {
                text.push_str(&format!(" ({already} already so)"));
            }
            if !skipped.is_empty() {
                let names: Vec<String> = skipped.iter().take(3).map(ToString::to_string).collect();
                let more =
                    if skipped.len() > 3 { format!("; {} more", skipped.len() - 3) } else { String::new() };
                text.push_str(&format!(
                    " · skipped {} changed meanwhile (still marked): {}{more}",
                    skipped.len(),
                    names.join("; ")
                ));
            }
            text
        }
        Notice::BulkNotChanged(why) => format!("Nothing changed: {why}"),
        Notice::ImportingSamples => "Loading the sample tickets…".into(),
        Notice::SamplesImported { count } => format!("Loaded {count} sample tickets"),
        Notice::SamplesNotImported(why) => format!("Sample tickets not loaded: {why}"),
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
