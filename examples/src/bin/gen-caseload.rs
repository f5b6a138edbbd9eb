//! `gen-caseload`: writes a deterministic synthetic caseload for a policy's
//! schema, as NDJSON or as a `;`-separated CSV pair. Same arguments, same
//! bytes: the bundled caseloads and the benches rely on it.

use std::fs::File;
use std::io;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use pol_examples::compile::load_policy;
use pol_examples::gen::{GenOptions, GenStats, Generator};
use pol_runtime::vm::dates::parse_day;

const USAGE: &str = "\
usage: gen-caseload --policy FILE.pol|FILE.polc --cases N --seed S --as-of YYYY-MM-DD
                    [--format ndjson|csv] [-o FILE]

  --format ndjson  one case per line (default); without -o it goes to stdout
  --format csv     a cases file and an events file, `;`-separated; -o X.cases.csv
                   (or -o X) writes X.cases.csv and X.events.csv
";

struct Args {
    policy: PathBuf,
    cases: u64,
    seed: u64,
    as_of: i32,
    csv: bool,
    out: Option<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let (mut policy, mut cases, mut seed, mut as_of) = (None, None, None, None);
    let mut csv = false;
    let mut out = None;
    while let Some(a) = it.next() {
        if a == "-h" || a == "--help" {
            return Err(String::new());
        }
        let mut value = || it.next().ok_or_else(|| format!("`{a}` needs a value"));
        match a.as_str() {
            "--policy" => policy = Some(PathBuf::from(value()?)),
            "--cases" => {
                let v = value()?;
                cases = Some(
                    v.replace('_', "")
                        .parse::<u64>()
                        .map_err(|_| format!("--cases: `{v}` is not a whole number"))?,
                );
            }
            "--seed" => {
                let v = value()?;
                seed = Some(
                    v.parse::<u64>()
                        .map_err(|_| format!("--seed: `{v}` is not a whole number"))?,
                );
            }
            "--as-of" => {
                let v = value()?;
                as_of = Some(
                    parse_day(&v)
                        .ok_or_else(|| format!("--as-of: `{v}` is not a YYYY-MM-DD date"))?,
                );
            }
            "--format" => {
                csv = match value()?.as_str() {
                    "ndjson" => false,
                    "csv" => true,
                    other => return Err(format!("--format: `{other}` is not ndjson or csv")),
                }
            }
            "-o" | "--output" => out = Some(PathBuf::from(value()?)),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(Args {
        policy: policy.ok_or("--policy is required")?,
        cases: cases.ok_or("--cases is required")?,
        seed: seed.ok_or("--seed is required")?,
        as_of: as_of.ok_or("--as-of is required")?,
        csv,
        out,
    })
}

fn create(path: &PathBuf) -> Result<File, String> {
    File::create(path).map_err(|e| format!("cannot create `{}`: {e}", path.display()))
}

/// `X.cases.csv` and `X.events.csv` from `-o X.cases.csv` or `-o X`.
fn csv_paths(out: &std::path::Path) -> (PathBuf, PathBuf) {
    let s = out.to_string_lossy();
    let stem = s.strip_suffix(".cases.csv").unwrap_or(&s);
    (
        PathBuf::from(format!("{stem}.cases.csv")),
        PathBuf::from(format!("{stem}.events.csv")),
    )
}

fn run(args: &Args) -> Result<(GenStats, f64), String> {
    let policy = load_policy(&args.policy)?;
    // time the generation alone, not the policy's compilation
    let started = Instant::now();
    let opts = GenOptions {
        cases: args.cases,
        seed: args.seed,
        as_of: args.as_of,
    };
    let mut generator = Generator::new(policy.program(), opts);
    let write_err = |e: io::Error| format!("cannot write the caseload: {e}");
    let stats = if args.csv {
        let out = args
            .out
            .as_ref()
            .ok_or("--format csv writes two files: give -o X.cases.csv")?;
        let (cases, events) = csv_paths(out);
        generator
            .csv(create(&cases)?, create(&events)?)
            .map_err(write_err)?
    } else {
        match &args.out {
            Some(path) => generator.ndjson(create(path)?).map_err(write_err)?,
            None => generator.ndjson(io::stdout().lock()).map_err(write_err)?,
        }
    };
    Ok((stats, started.elapsed().as_secs_f64()))
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(msg) => {
            if !msg.is_empty() {
                eprintln!("error: {msg}\n");
            }
            eprint!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok((s, secs)) => {
            let secs = secs.max(1e-9);
            eprintln!(
                "{} cases, {} events, {:.1} MB in {:.2} s ({:.0} cases/s, {:.1} MB/s)",
                s.cases,
                s.events,
                s.bytes as f64 / 1e6,
                secs,
                s.cases as f64 / secs,
                s.bytes as f64 / 1e6 / secs
            );
            ExitCode::SUCCESS
        }
        Err(msg) => {
            eprintln!("error: {msg}");
            ExitCode::FAILURE
        }
    }
}
