//! `unim conformance`: the behaviour suite against the embedded emulators, as
//! a matrix of cases × vendors.

use clap::{Args as ClapArgs, ValueEnum};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use unim_conformance::{report, runner, Progress, RunOptions};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    /// A table for people.
    Table,
    /// One JSON document with every result.
    Json,
    /// A Markdown table.
    Markdown,
    /// JUnit XML, for CI systems.
    Junit,
}

#[derive(Debug, ClapArgs)]
pub struct Args {
    /// Vendors to run (repeatable; default: every vendor compiled in).
    #[arg(long = "vendor")]
    vendors: Vec<String>,
    /// Case name pattern (`*` and `?` wildcards, or an area such as `login`); repeatable.
    #[arg(long = "case")]
    cases: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

pub async fn run(args: Args) -> Result<ExitCode, String> {
    let known = unim_conformance::vendors::factories();
    let vendors: Vec<_> = if args.vendors.is_empty() {
        known
    } else {
        let mut chosen = Vec::new();
        for name in &args.vendors {
            let found = known.iter().find(|(v, _)| v.eq_ignore_ascii_case(name)).ok_or_else(|| {
                let names: Vec<&str> = known.iter().map(|(v, _)| *v).collect();
                format!("unknown vendor {name:?}; this build has: {}", names.join(", "))
            })?;
            chosen.push(found.clone());
        }
        chosen
    };
    let cases = unim_conformance::all();
    if !args.cases.is_empty() && runner::filter_cases(cases.clone(), &args.cases).is_empty() {
        return Err(format!("no case matches {}", args.cases.join(", ")));
    }
    let options = RunOptions { filters: args.cases, ..RunOptions::default() };
    let live = std::io::stderr().is_terminal();
    let mut progress = |p: Progress<'_>| {
        if let (true, Progress::Started { case, vendor, index, total }) = (live, p) {
            let mut err = std::io::stderr();
            let _ = write!(err, "\r\x1b[2K[{}/{total}] {vendor} {case}", index + 1);
            let _ = err.flush();
        }
    };
    let results = unim_conformance::run(&cases, &vendors, &options, &mut progress).await;
    if live {
        eprint!("\r\x1b[2K");
    }
    let out = match args.format {
        Format::Table => report::table(&results),
        Format::Json => report::json(&results),
        Format::Markdown => report::markdown(&results),
        Format::Junit => report::junit(&results),
    };
    println!("{out}");
    let ok = report::Summary::of(&results).ok();
    Ok(if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
