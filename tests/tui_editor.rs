//! `Ctrl-X Ctrl-E` in the real screen, in tmux: the description and a note
//! written in the agent's own editor (a script standing in for vi), the
//! terminal handed over and taken back, and an editor that fails changing
//! nothing.

mod common;
#[path = "common/tmux.rs"]
mod tmux;

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use common::Desk;
use tmux::Tmux;

/// What the scripted editor leaves behind for the test to read.
struct Editor {
    script: PathBuf,
    /// The file as the screen gave it.
    saw: PathBuf,
    /// `stty -a` while it ran: the terminal's modes.
    modes: PathBuf,
    /// The line it read from the terminal, when it asks for one.
    heard: PathBuf,
}

/// An editor that records what it was given and the terminal's modes,
/// optionally reads a line typed at the terminal, then writes `writes` into
/// its file and exits with `status`.
fn scripted_editor(desk: &Desk, writes: &str, status: i32, asks: bool) -> Editor {
    let path = |name: &str| desk.dir.path().join(name);
    let (saw, modes, heard) = (path("editor-saw.txt"), path("editor-stty.txt"), path("editor-heard.txt"));
    let reply = desk.write_file("editor-reply.txt", writes);
    let ask = if asks {
        format!(
            "printf 'scripted editor: type a line\\n'\nread -r line\nprintf '%s' \"$line\" > '{}'\n",
            heard.display()
        )
    } else {
        String::new()
    };
    let script = desk.write_file(
        "scripted-editor",
        &format!(
            "#!/bin/sh\ncat \"$1\" > '{}'\nstty -a > '{}' 2>&1\n{ask}cat '{}' > \"$1\"\nexit {status}\n",
            saw.display(),
            modes.display(),
            reply.display()
        ),
    );
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    Editor { script, saw, modes, heard }
}

fn open_tui(desk: &Desk, editor: &Editor) -> Tmux {
    let config_dir = desk.dir.path().join("config/ticketdesk");
    std::fs::create_dir_all(&config_dir).unwrap();
    std::fs::write(config_dir.join("config.toml"), "debounce_ms = 150\n").unwrap();
    let mut env = desk.screen_env(desk.dir.path());
    env.push(("EDITOR", editor.script.display().to_string()));
    Tmux::start(desk.dir.path(), &common::bin(), &["--db", desk.db.to_str().unwrap()], &env, (100, 30))
}

fn read(path: &PathBuf) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_description_goes_to_the_editor_and_comes_back_to_be_saved() {
    let desk = Desk::new();
    let reply = "Smoke everywhere.\nSecond floor, by the big printer.\n";
    let editor = scripted_editor(&desk, reply, 0, true);
    let tui = open_tui(&desk, &editor);
    tui.wait_for_text("Tickets");
    tui.keys(&["n"]);
    tui.type_text("Printer on fire");
    tui.keys(&["Tab"]);
    tui.type_text("smoke");
    tui.wait_for_text("smoke");
    tui.keys(&["C-x", "C-e"]);

    // The editor has the terminal: the normal screen, cooked mode, and
    // every key typed reaches it, not the desk waiting behind it.
    tui.wait_for_text("scripted editor: type a line");
    assert_eq!(tui.format("#{alternate_on}"), "0", "the screen stepped aside");
    tui.type_text("typed at the editor");
    tui.keys(&["Enter"]);
    tui.wait_for("the desk back with the editor's text", |s| s.contains("by the big printer"));
    assert_eq!(tui.format("#{alternate_on}"), "1", "and came back");
    assert_eq!(read(&editor.heard), "typed at the editor");
    let saw = read(&editor.saw);
    assert!(saw.starts_with("smoke\n"), "the editor starts from the description: {saw:?}");
    assert!(saw.contains(ticketdesk::editor::CUT_LINE) && saw.contains("# The description"), "{saw:?}");
    let modes = read(&editor.modes);
    for mode in [" icanon", " echo", " icrnl"] {
        assert!(modes.contains(mode), "raw mode left for the editor: {mode} in {modes}");
    }
    let screen = tui.screen();
    assert!(
        !screen.contains("typed at the editor"),
        "no key meant for the editor reached the desk:\n{screen}"
    );
    assert!(screen.contains("Printer on fire"), "{screen}");

    // Keys work again, and the text is saved as the editor left it.
    tui.keys(&["Tab", "Right", "Tab", "Right", "C-s"]);
    tui.wait_for_text("Saved #1");
    let description: String =
        desk.conn().query_row("SELECT description FROM tickets WHERE id = 1", [], |r| r.get(0)).unwrap();
    assert_eq!(description, "Smoke everywhere.\nSecond floor, by the big printer.");
    tui.keys(&["C-c"]);
    assert_eq!(tui.wait_for_exit(), 0);
    assert_eq!(tui.format("#{alternate_on}"), "0");
}

#[test]
fn a_note_of_several_lines_comes_back_to_its_box_and_is_saved_as_written() {
    let desk = Desk::new();
    let id = desk.add("Refund for a double charge", "Charged twice in March", "billing", "high");
    let editor = scripted_editor(&desk, "Called back.\nThey will send the invoice.", 0, false);
    let tui = open_tui(&desk, &editor);
    tui.wait_for_text("Refund for a double charge");
    tui.keys(&["Enter"]);
    tui.wait_for_text("N adds a note");
    tui.keys(&["N"]);
    tui.type_text("Called");
    tui.wait_for_text("Note: Called");
    tui.keys(&["C-x", "C-e"]);
    let screen = tui.wait_for_text("They will send the invoice.");
    assert!(screen.contains("Note: Called back."), "{screen}");
    assert!(read(&editor.saw).contains(&format!("# A note on #{id}, Refund for a double charge.")));
    tui.keys(&["Enter"]);
    tui.wait_for_text(&format!("Note added to #{id}"));
    let history = desk.json(&["history", &id.to_string()]);
    let note = history.as_array().unwrap().iter().find(|e| e["field"] == "note").unwrap();
    assert_eq!(note["new_value"], "Called back.\nThey will send the invoice.");
    tui.keys(&["C-c"]);
    assert_eq!(tui.wait_for_exit(), 0);
}

#[test]
fn an_editor_that_exits_with_an_error_leaves_the_text_as_it_was() {
    let desk = Desk::new();
    let editor = scripted_editor(&desk, "REPLACED BY A FAILING EDITOR", 1, false);
    let tui = open_tui(&desk, &editor);
    tui.wait_for_text("Tickets");
    tui.keys(&["n"]);
    tui.type_text("Keep me");
    tui.keys(&["Tab"]);
    tui.type_text("the words typed before");
    tui.wait_for_text("the words typed before");
    tui.keys(&["C-x", "C-e"]);
    let screen = tui.wait_for_text("The editor failed or left no text: nothing changed");
    assert!(screen.contains("the words typed before"), "{screen}");
    assert!(!screen.contains("REPLACED"), "{screen}");
    assert_eq!(read(&editor.saw).lines().next(), Some("the words typed before"), "the editor did run");
    // Ctrl-E alone is still the end of the line, not the editor.
    tui.keys(&["Home", "C-e"]);
    tui.type_text("!");
    tui.wait_for_text("the words typed before!");
    tui.keys(&["C-c"]);
    assert_eq!(tui.wait_for_exit(), 0);
}

/// Ctrl-C in an editor that leaves the terminal's signals on interrupts the
/// whole foreground group, this process too: it was meant for the editor,
/// and the session goes on (as git does while its editor runs).
#[test]
fn a_ctrl_c_meant_for_the_editor_does_not_end_the_session() {
    let desk = Desk::new();
    let editor = scripted_editor(&desk, "never written", 0, false);
    // The script interrupts its process group, as Ctrl-C at a cooked terminal would, and dies of it.
    let script = std::fs::read_to_string(&editor.script).unwrap();
    let script = script.replacen("#!/bin/sh\n", "#!/bin/sh\nkill -INT 0\nsleep 5\n", 1);
    std::fs::write(&editor.script, script).unwrap();
    let tui = open_tui(&desk, &editor);
    tui.wait_for_text("Tickets");
    tui.keys(&["n"]);
    tui.type_text("Still here");
    tui.keys(&["Tab"]);
    tui.type_text("after the interrupt");
    tui.wait_for_text("after the interrupt");
    tui.keys(&["C-x", "C-e"]);
    tui.wait_for_text("The editor failed or left no text: nothing changed");
    tui.keys(&["End"]);
    tui.type_text(", typing on");
    let screen = tui.wait_for_text("after the interrupt, typing on");
    assert!(screen.contains("Still here"), "{screen}");
    tui.keys(&["C-c"]);
    assert_eq!(tui.wait_for_exit(), 0);
}
