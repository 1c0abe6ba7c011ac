//! The agent's own editor for long text, as `git commit` does it: `$VISUAL`,
//! else `$EDITOR`, else `vi`, run through the shell (so `code --wait` or
//! `emacsclient -t` work) on a private temporary file. The editor's answer
//! counts only if it exits with success and leaves some text.

use std::io::Write;
use std::process::Command;

/// Lines from this one down are instructions for the agent, never text.
pub const CUT_LINE: &str = "# ------------------------ >8 ------------------------";

#[derive(Debug, thiserror::Error)]
pub enum EditorError {
    #[error("cannot prepare the text for the editor: {0}")]
    File(std::io::Error),
    #[error("cannot start the editor `{editor}`: {source}")]
    Start { editor: String, source: std::io::Error },
}

/// The editor command the agent chose.
pub fn command() -> String {
    ["VISUAL", "EDITOR"]
        .into_iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|value| !value.trim().is_empty())
        .unwrap_or_else(|| "vi".to_owned())
}

/// Opens `text` (with `instructions` below the cut line) in the editor and
/// returns what the agent left above the cut line, trimmed; `None` when the
/// editor failed or the agent emptied the text (nothing should change).
pub fn edit(text: &str, instructions: &str) -> Result<Option<String>, EditorError> {
    let mut file = tempfile::Builder::new()
        .prefix("ticketdesk-")
        .suffix(".txt")
        .tempfile()
        .map_err(EditorError::File)?;
    write!(file, "{text}\n{CUT_LINE}\n{instructions}\n").map_err(EditorError::File)?;
    file.flush().map_err(EditorError::File)?;
    if !open(file.path())?.success() {
        return Ok(None);
    }
    let written = std::fs::read_to_string(file.path()).map_err(EditorError::File)?;
    let kept = written.split_once(CUT_LINE).map_or(written.as_str(), |(above, _)| above).trim();
    Ok((!kept.is_empty()).then(|| kept.to_owned()))
}

/// Runs the agent's editor on `path` and waits for it.
pub fn open(path: &std::path::Path) -> Result<std::process::ExitStatus, EditorError> {
    use std::os::unix::process::CommandExt;
    let editor = command();
    // The shell splits the command as the agent wrote it; the file is passed
    // as an argument, never spliced into the command line.
    let mut shell = Command::new("sh");
    shell.arg("-c").arg(format!("{editor} \"$@\"")).arg(&editor).arg(path);
    let _interrupts = InterruptsIgnored::now();
    // SAFETY: `signal` is async-signal-safe, and nothing else runs between
    // fork and exec. An ignored signal would stay ignored across exec: the
    // editor gets the default back, so Ctrl-C works in it as anywhere.
    unsafe {
        shell.pre_exec(|| {
            libc::signal(libc::SIGINT, libc::SIG_DFL);
            libc::signal(libc::SIGQUIT, libc::SIG_DFL);
            Ok(())
        });
    }
    shell.status().map_err(|source| EditorError::Start { editor, source })
}

/// While the editor runs, Ctrl-C and Ctrl-\ at the terminal reach its whole
/// process group, this process included; they are meant for the editor, so
/// this process ignores them (as git does) and takes its own handling back
/// when the editor is done. Ignoring, rather than catching and discarding,
/// leaves nothing pending to end the session once the screen is back.
struct InterruptsIgnored {
    saved: [(libc::c_int, libc::sigaction); 2],
}

impl InterruptsIgnored {
    fn now() -> InterruptsIgnored {
        let ignore = |signal: libc::c_int| {
            // SAFETY: plain sigaction calls on zeroed structs; the previous
            // action is kept to be put back whole, handler and flags alike.
            unsafe {
                let mut ignored: libc::sigaction = std::mem::zeroed();
                ignored.sa_sigaction = libc::SIG_IGN;
                let mut previous: libc::sigaction = std::mem::zeroed();
                libc::sigaction(signal, &ignored, &mut previous);
                (signal, previous)
            }
        };
        InterruptsIgnored { saved: [ignore(libc::SIGINT), ignore(libc::SIGQUIT)] }
    }
}

impl Drop for InterruptsIgnored {
    fn drop(&mut self) {
        for (signal, previous) in &self.saved {
            // SAFETY: puts back the action read in `now`.
            unsafe {
                libc::sigaction(*signal, previous, std::ptr::null_mut());
            }
        }
    }
}

/// A new ticket from the editor: the title on the first line, the
/// description after it.
pub fn split_ticket(text: &str) -> (String, String) {
    match text.split_once('\n') {
        Some((title, description)) => (title.trim().to_owned(), description.trim().to_owned()),
        None => (text.trim().to_owned(), String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_line_is_the_title() {
        assert_eq!(
            split_ticket("Refund\n\nCharged twice\nin March"),
            ("Refund".into(), "Charged twice\nin March".into())
        );
        assert_eq!(split_ticket("Just a title"), ("Just a title".into(), String::new()));
    }
}
