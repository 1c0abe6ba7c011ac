//! `completions SHELL` and `man`.

use anyhow::{Context, Result};
use std::io::Write;

use super::{shown, stdout};
use crate::cli::{CompletionsArgs, ManArgs};
use crate::complete;

pub fn completions(args: &CompletionsArgs) -> Result<()> {
    let mut out = stdout();
    complete::write_script(args.shell, args.static_script, &mut out)?;
    Ok(out.flush()?)
}

pub fn man(args: &ManArgs) -> Result<()> {
    let Some(dir) = &args.dir else {
        let mut out = stdout();
        complete::write_man(&mut out)?;
        return Ok(out.flush()?);
    };
    let pages =
        complete::write_man_pages(dir).with_context(|| format!("cannot write into {}", shown(dir)))?;
    eprintln!("Wrote {} manual pages into {}", pages.len(), shown(dir));
    Ok(())
}
