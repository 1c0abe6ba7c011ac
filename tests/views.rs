//! Saved views: from the config into `list --view`, as tabs on the screen,
//! and saved from the screen into the agent's config file.

mod common;
#[path = "common/tmux.rs"]
mod tmux;

use common::Desk;
use tmux::Tmux;

fn agent_config(desk: &Desk) -> std::path::PathBuf {
    let dir = desk.dir.path().join("config/ticketdesk");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("config.toml")
}

fn ids(desk: &Desk, args: &[&str]) -> Vec<i64> {
    desk.json(args).as_array().unwrap().iter().map(|t| t["id"].as_i64().unwrap()).collect()
}

fn sample(desk: &Desk) {
    desk.add("Refund", "charged twice", "billing", "critical");
    desk.add("Printer", "jammed", "technical", "critical");
    desk.add("Login", "loop", "account", "low");
    desk.ok(&["status", "2", "closed"]);
}

fn list_uses_built_in_and_configured_views(desk: &Desk) {
    sample(desk);
    std::fs::write(agent_config(desk), "# my views\n[views.billing]\nquery = \"cat:billing\"\n").unwrap();
    assert_eq!(ids(desk, &["list", "--view", "critical"]), [1], "built-in, any case");
    assert_eq!(ids(desk, &["list", "--view", "billing"]), [1]);
    assert_eq!(ids(desk, &["list", "--view", "Open", "--priority", "low"]), [3], "flags narrow a view");
    let stderr = desk.fails(&["list", "--view", "nope"], 2);
    assert!(
        stderr.contains("no view named \"nope\" (views: Open, Mine, Unassigned, Critical, All, billing)"),
        "{stderr}"
    );
}

fn views_in_the_config_are_checked_and_built_ins_can_be_switched_off(desk: &Desk) {
    std::fs::write(agent_config(desk), "builtin_views = false\n[views.broken]\nquery = \"pri:>=urgent\"\n")
        .unwrap();
    let stderr = desk.fails(&["list"], 2);
    assert!(stderr.contains("views.broken.query cannot be read: priority must be one of"), "{stderr}");
    std::fs::write(agent_config(desk), "builtin_views = false\n").unwrap();
    let stderr = desk.fails(&["list", "--view", "Open"], 2);
    assert!(stderr.contains("none are set up"), "{stderr}");
}

#[test]
fn views_are_tabs_on_the_screen_and_one_is_saved_into_the_config() {
    let desk = Desk::new();
    sample(&desk);
    let config = agent_config(&desk);
    std::fs::write(&config, "# kept as written\ndebounce_ms = 150\n").unwrap();
    let env = desk.screen_env(desk.dir.path());
    let tui =
        Tmux::start(desk.dir.path(), &common::bin(), &["--db", desk.db.to_str().unwrap()], &env, (120, 35));
    let screen = tui.wait_for("the tabs", |s| s.contains("[All]") && s.contains("Login"));
    assert!(screen.contains("Open Mine Unassigned Critical [All]"), "{screen}");
    // Critical is four tabs round from All.
    tui.keys(&["]", "]", "]", "]"]);
    let screen = tui.wait_for("the Critical view", |s| s.contains("[Critical]") && !s.contains("Login"));
    assert!(
        screen.contains("Refund") && !screen.contains("Printer"),
        "closed tickets are not critical work:\n{screen}"
    );
    // Narrowed with a filter key, then saved under a name of the agent's own.
    tui.keys(&["c"]);
    tui.keys(&["S"]);
    tui.wait_for_text("Save as a view");
    tui.type_text("urgent-billing");
    tui.keys(&["Enter"]);
    tui.wait_for("the new tab", |s| s.contains("[urgent-billing]"));
    let written = std::fs::read_to_string(&config).unwrap();
    assert!(written.starts_with("# kept as written\ndebounce_ms = 150\n"), "{written}");
    assert!(written.contains("[views.urgent-billing]"), "{written}");
    tui.keys(&["q"]);
    assert_eq!(tui.wait_for_exit(), 0);
    assert_eq!(
        ids(&desk, &["list", "--view", "urgent-billing"]),
        [1],
        "the saved view works from scripts too"
    );
}

on_each_engine!(
    list_uses_built_in_and_configured_views,
    views_in_the_config_are_checked_and_built_ins_can_be_switched_off,
);
