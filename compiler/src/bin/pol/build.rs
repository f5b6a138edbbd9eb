//! `pol build`: compiles a policy into the artifact a case system loads.
//!
//! The artifact is written only after the runtime's own verifier accepted
//! the program (`Policy::from_program`), so a `.polc` on disk always loads.

use std::fs;
use std::path::PathBuf;

use pol_runtime::bytecode::listing::listing;

use crate::common::{
    compile_policy, display_name, io_reason, print_out, CliError, CliResult, Exit,
};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The policy source
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Where to write the artifact (default: FILE with the extension `.polc`)
    #[arg(short, long, value_name = "OUT")]
    output: Option<PathBuf>,
    /// Also print the bytecode as text
    #[arg(long)]
    listing: bool,
}

pub fn run(args: Args) -> CliResult {
    let policy = compile_policy(&args.file)?;
    let out = args
        .output
        .unwrap_or_else(|| args.file.with_extension("polc"));
    let bytes = policy.to_bytes();
    fs::write(&out, &bytes).map_err(|e| {
        CliError::input(format!(
            "cannot write `{}`: {}",
            out.display(),
            io_reason(&e)
        ))
    })?;
    if args.listing {
        print_out(&listing(policy.program()))?;
    }
    let cost = policy.cost_bound();
    eprintln!(
        "built {} ({} bytes); evaluating a case takes at most {} + {} × (events + periods) steps",
        display_name(&out),
        bytes.len(),
        cost.fixed,
        cost.per_item
    );
    Ok(Exit::Ok)
}
