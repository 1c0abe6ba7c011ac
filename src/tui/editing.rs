//! The agent's own editor, for a description or a note: the loop steps the
//! screen aside (see [`App`](super::app::App)), and this runs the editor
//! in the foreground, as `add --edit` and `note --edit` do from the shell.

use super::effect::EditTarget;
use super::model::Failure;
use super::msg::Msg;
use crate::domain::text::sanitize_line;

/// Runs the editor on `text` and waits for it to close. Blocks: the loop
/// runs it off its own thread, with the terminal handed over.
pub fn run(target: EditTarget, text: &str) -> Msg {
    let result = crate::editor::edit(text, &instructions(&target)).map_err(Failure::new);
    Msg::Edited { target, result }
}

/// The lines below the cut line: what the text is for and how to give up.
fn instructions(target: &EditTarget) -> String {
    let what = match target {
        EditTarget::Description { .. } => "# The description of the new ticket.".to_owned(),
        EditTarget::Note { id, title } => {
            format!("# A note on #{id}, {}. Notes are never changed or removed.", sanitize_line(title))
        }
    };
    format!(
        "{what}\n# Save and quit to take it back to the screen; empty it, or quit with an error \
         (:cq in vi), to leave the screen's text as it was."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_instructions_say_what_is_written_and_a_title_stays_one_safe_line() {
        let note = instructions(&EditTarget::Note { id: 7, title: "Refund\n\u{1b}[2Jnow".into() });
        assert!(note.starts_with("# A note on #7, Refund ␛[2Jnow."), "{note}");
        assert_eq!(note.lines().count(), 2, "{note}");
        assert!(note.lines().all(|l| l.starts_with('#')));
        let description = instructions(&EditTarget::Description { generation: 3 });
        assert!(description.starts_with("# The description of the new ticket."), "{description}");
    }
}
