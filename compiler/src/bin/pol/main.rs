//! The `pol` command line: parses arguments and hands each subcommand to its
//! module. Everything that touches files or the terminal lives in this
//! binary; the `pol_compiler` and `pol_runtime` libraries do no IO.

mod build;
mod caseload;
mod check;
mod common;
mod diff;
mod due;
mod eval;
mod explain;
mod fmt;
mod forecast;
mod report;
mod sarif;
mod test;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use common::CliError;

const LONG_ABOUT: &str = "\
Check, format, test, compile and run `.pol` employment-strategy policies.

Exit codes:
  0  success
  1  diagnostics with errors, failed tests, files `fmt --check` would change,
     rejected case rows, or targets not attained
  2  usage error (unknown option, bad date, missing argument)
  3  unreadable input: a missing file, a damaged or foreign artifact,
     a caseload that cannot be opened, a case id not in the caseload

Dates are `YYYY-MM-DD`; `--as-of` fixes the evaluation date (default: today),
so runs can be reproduced.";

#[derive(Debug, Parser)]
#[command(name = "pol", version, about = "The .pol policy toolchain", long_about = LONG_ABOUT)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Report every diagnostic of `.pol` files (directories are searched recursively)
    Check(check::Args),
    /// Rewrite `.pol` files in the canonical layout
    Fmt(fmt::Args),
    /// Run the inline `test` blocks of policies
    Test(test::Args),
    /// Compile a policy into a verified bytecode artifact (`.polc`)
    Build(build::Args),
    /// Evaluate a caseload: per-case statuses and an aggregate report
    Eval(eval::Args),
    /// Explain one case's statuses, or a diagnostic code (`pol explain E0312`)
    Explain(explain::Args),
    /// The events (and staff time) the policy will require per week
    Forecast(forecast::Args),
    /// The due list: each obligation overdue, due soon, or open, in date order
    Due(due::Args),
    /// What changes for a caseload between two versions of a policy
    Diff(diff::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(a) => check::run(a),
        Command::Fmt(a) => fmt::run(a),
        Command::Test(a) => test::run(a),
        Command::Build(a) => build::run(a),
        Command::Eval(a) => eval::run(a),
        Command::Explain(a) => explain::run(a),
        Command::Forecast(a) => forecast::run(a),
        Command::Due(a) => due::run(a),
        Command::Diff(a) => diff::run(a),
    };
    let exit = match result {
        Ok(exit) => exit,
        Err(CliError { exit, message }) => {
            eprintln!("error: {message}");
            exit
        }
    };
    ExitCode::from(exit as u8)
}
