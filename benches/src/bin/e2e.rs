//! `e2e`: the by-hand measurements that are too big for criterion or CI.
//!
//! ```text
//! cargo run --release -p pol-benches --bin e2e -- gen    FILE [CASES] [POLICY]
//! cargo run --release -p pol-benches --bin e2e -- eval   FILE [JOBS] [OUT|-] [WEEKS] [POLICY]
//! cargo run --release -p pol-benches --bin e2e -- memory FILE [POLICY]
//! ```
//!
//! * `gen` writes a generated NDJSON caseload (default 1,000,000 cases of
//!   `policies/000_workshop_2025.pol`, about 600 MB) and times it.
//! * `eval` runs the file through the driver as `pol eval` does (file in,
//!   one JSON line per case out to OUT, or nowhere with `-`), on JOBS threads
//!   (0: every core), with WEEKS of forecast (default 0), and prints
//!   seconds, cases/s and MB/s.
//! * `memory` reads the whole file into one `CaseBatch` and prints the
//!   resident memory it takes (VmRSS after minus before, and VmHWM).

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use pol_benches::{compile, peak_rss_bytes, repo_root, rss_bytes, today, SEED};
use pol_examples::gen::{GenOptions, Generator};
use pol_runtime::caseload::{
    evaluate_caseload, CaseReader, EvalOptions, NdjsonReader, ReadOptions,
};
use pol_runtime::CaseBatch;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn arg(args: &[String], i: usize) -> Option<&str> {
    args.get(i).map(String::as_str)
}

fn num(args: &[String], i: usize, default: u64) -> Result<u64, String> {
    arg(args, i).map_or(Ok(default), |s| {
        s.replace('_', "")
            .parse()
            .map_err(|_| format!("`{s}` is not a whole number"))
    })
}

fn policy_path(args: &[String], i: usize) -> PathBuf {
    arg(args, i).map_or_else(
        || repo_root().join("policies/000_workshop_2025.pol"),
        PathBuf::from,
    )
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let file = PathBuf::from(arg(&args, 1).ok_or("usage: e2e gen|eval|memory FILE …")?);
    match arg(&args, 0) {
        Some("gen") => {
            let cases = num(&args, 2, 1_000_000)?;
            let policy = compile(&policy_path(&args, 3))?;
            let out = File::create(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let t = Instant::now();
            let opts = GenOptions {
                cases,
                seed: SEED,
                as_of: today()?,
            };
            let stats = Generator::new(policy.program(), opts)
                .ndjson(out)
                .map_err(|e| e.to_string())?;
            println!(
                "generated {} cases, {} events, {:.1} MB in {:.2} s",
                stats.cases,
                stats.events,
                mb(stats.bytes),
                t.elapsed().as_secs_f64()
            );
        }
        Some("eval") => {
            let jobs = num(&args, 2, 0)? as usize;
            let out_name = arg(&args, 3).unwrap_or("-");
            let weeks = num(&args, 4, 0)? as u32;
            let policy = compile(&policy_path(&args, 5))?;
            let size = std::fs::metadata(&file).map_err(|e| e.to_string())?.len();
            let t = Instant::now();
            let input = File::open(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let mut reader = NdjsonReader::new(
                policy.program(),
                BufReader::with_capacity(1 << 20, input),
                ReadOptions::default(),
            );
            let options = EvalOptions {
                jobs,
                forecast_weeks: weeks,
                ..EvalOptions::default()
            };
            let mut sink = io::sink();
            let mut file_out;
            let out: &mut (dyn Write + Send) = if out_name == "-" {
                &mut sink
            } else {
                file_out = BufWriter::with_capacity(
                    1 << 20,
                    File::create(out_name).map_err(|e| format!("{out_name}: {e}"))?,
                );
                &mut file_out
            };
            let summary = evaluate_caseload(&policy, &mut reader, today()?, &options, Some(out))
                .map_err(|e| e.to_string())?;
            let secs = t.elapsed().as_secs_f64();
            let n = summary.read.errors.len();
            let cases = summary
                .aggregate
                .report(policy.program(), &summary.read, today()?)
                .rows
                .evaluated;
            println!(
                "eval: {cases} cases ({n} rejected), {:.1} MB in {secs:.2} s on {} threads, out {out_name}, {weeks} weeks forecast: {:.0} cases/s, {:.0} MB/s",
                mb(size),
                if jobs == 0 { rayon::current_num_threads() } else { jobs },
                cases as f64 / secs,
                mb(size) / secs
            );
        }
        Some("memory") => {
            let policy = compile(&policy_path(&args, 2))?;
            let before = rss_bytes().unwrap_or(0);
            let input = File::open(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let mut reader = NdjsonReader::new(
                policy.program(),
                BufReader::with_capacity(1 << 20, input),
                ReadOptions::default(),
            );
            let mut batch = CaseBatch::new(&policy.program().schema);
            let t = Instant::now();
            let n = reader
                .read_chunk(&mut batch, usize::MAX)
                .map_err(|e| e.to_string())?;
            let secs = t.elapsed().as_secs_f64();
            let after = rss_bytes().unwrap_or(0);
            let kinds = policy.program().schema.events.len() as u16;
            let events: usize = (0..batch.len())
                .map(|i| {
                    (0..kinds)
                        .map(|k| batch.case(i).events(k).len())
                        .sum::<usize>()
                })
                .sum();
            println!(
                "memory: {n} cases ({events} events) resident: {:.0} MiB (VmRSS after - before), peak VmHWM {:.0} MiB, {:.0} bytes per case; read in {secs:.2} s",
                (after.saturating_sub(before)) as f64 / (1 << 20) as f64,
                peak_rss_bytes().unwrap_or(0) as f64 / (1 << 20) as f64,
                after.saturating_sub(before) as f64 / n.max(1) as f64
            );
            std::hint::black_box(&batch);
        }
        _ => return Err("usage: e2e gen|eval|memory FILE …".into()),
    }
    Ok(())
}
