//! The commands around the desk rather than on it: shell completions, the
//! manual, the configuration and the doctor. Names here are public too.

use clap::{Args, Subcommand};
use std::path::PathBuf;

pub use clap_complete::aot::Shell;

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: Shell,
    /// A self-contained script (subcommands, flags and values) that never calls ticketdesk back;
    /// without it, the script asks ticketdesk as you type, which also completes ticket ids
    #[arg(long = "static")]
    pub static_script: bool,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write ticketdesk.1 and one page per subcommand (ticketdesk-list.1, ...) into this folder
    /// instead of printing ticketdesk.1
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Every layer's file, in the order they apply, and whether it exists
    Path,
    /// The merged settings, each with the layer it came from (secrets show as "(set)")
    Show,
    /// Write the documented default config to your own config file (never over an existing one)
    Init,
    /// Open your own config file in $VISUAL or $EDITOR, then check it
    Edit,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Also send one real classification to Claude and time it
    #[arg(long)]
    pub online: bool,
}
