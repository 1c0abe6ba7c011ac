//! `doctor`: the checks are in `crate::doctor`; this prints them.

use anyhow::{Result, bail};
use std::io::Write;

use super::stdout;
use crate::cli::DoctorArgs;
use crate::config::{Overrides, Sources};
use crate::doctor::{Request, examine};

pub fn doctor(overrides: &Overrides, args: &DoctorArgs) -> Result<()> {
    let sources = Sources::system();
    let report = examine(&Request { sources: &sources, overrides, online: args.online });
    let mut out = stdout();
    report.write(&mut out)?;
    out.flush()?;
    match report.problems() {
        0 => Ok(()),
        n => bail!("doctor: {n} thing(s) need fixing (see above)"),
    }
}
