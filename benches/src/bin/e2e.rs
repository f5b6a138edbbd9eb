//! `e2e`: the by-hand measurements that are too big for criterion or CI.
//!
//! ```text
//! cargo run --release -p pol-benches --bin e2e -- gen    FILE [CASES] [POLICY]
//! cargo run --release -p pol-benches --bin e2e -- eval   FILE [JOBS] [OUT|-] [WEEKS] [POLICY]
//! cargo run --release -p pol-benches --bin e2e -- memory FILE [POLICY]
//! cargo run --release -p pol-benches --bin e2e -- cpu -|ten_rules|workshop|read
//! ```
//!
//! * `gen` writes a generated NDJSON caseload (default 1,000,000 cases of
//!   `policies/000_workshop_2025.pol`, about 950 MB and 9 events a case) and
//!   times it. The issue's end-to-end size (about 600 MB, about six events a
//!   case, ten rules) is `benches/policies/ten_rules_wide.pol`'s: 641 MB and
//!   5.0 events a case.
//! * `eval` runs the file through the driver as `pol eval` does (file in,
//!   one JSON line per case out to OUT, or nowhere with `-`), on JOBS threads
//!   (0: every core), with WEEKS of forecast (default 0), and prints
//!   seconds, cases/s and MB/s.
//! * `cpu` (in place of FILE: `-` for everything, or one part, to profile it
//!   alone): single-thread throughput in CPU time, which a busy shared
//!   machine distorts far less than wall time: `ten_rules.pol` in the VM and
//!   hand-written (1,000,000 cases in a batch), the workshop policy in the VM
//!   (100,000 cases), and NDJSON reading (100,000 cases).
//! * `memory` reads the whole file into one `CaseBatch` and prints the
//!   resident memory it takes (VmRSS after minus before, and VmHWM).

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use pol_benches::ten_rules::{generate, HandEval};
use pol_benches::{
    compile, eval_serial, generate_ndjson, peak_rss_bytes, read_all, read_batch, repo_root,
    rss_bytes, ten_rules_path, timed, today, SEED,
};
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

/// Best of five rounds: (wall seconds, CPU seconds) of the fastest by CPU.
fn best(mut f: impl FnMut() -> u64) -> (f64, f64) {
    let mut out = (f64::MAX, f64::MAX);
    for _ in 0..5 {
        let (h, wall, cpu) = timed(&mut f);
        std::hint::black_box(h);
        if cpu < out.1 {
            out = (wall, cpu);
        }
    }
    out
}

fn cpu(only: &str) -> Result<(), String> {
    let want = |part: &str| only == "-" || only == part;
    let day = today()?;
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("load average: {}", load.trim());
    let report = |what: &str, n: usize, (wall, cpu): (f64, f64)| {
        println!(
            "{what:<34} {:>8.0} ns/case CPU {:>6.2} M cases/s per core (wall {:>6.0} ns/case)",
            cpu * 1e9 / n as f64,
            n as f64 / cpu / 1e6,
            wall * 1e9 / n as f64
        );
        cpu
    };
    let mut hand_per_case = None;
    if want("ten_rules") {
        let ten = compile(&ten_rules_path())?;
        let hand = HandEval::new(ten.program())?;
        let batch = generate(ten.program(), 1_000_000, SEED, day)?;
        let n = batch.len();
        let vm = report(
            "ten_rules VM",
            n,
            best(|| {
                eval_serial(&batch, ten.new_result(), |c, r| {
                    ten.evaluate_case(c, day, r)
                })
            }),
        );
        let hw = report(
            "ten_rules hand-written",
            n,
            best(|| eval_serial(&batch, hand.new_result(), |c, r| hand.evaluate(c, day, r))),
        );
        println!("ten_rules VM / hand-written: {:.2}x", vm / hw);
        hand_per_case = Some(hw / n as f64);
    }
    if !want("workshop") && !want("read") {
        return Ok(());
    }
    let ws = compile(&repo_root().join("policies/000_workshop_2025.pol"))?;
    let (bytes, stats) = generate_ndjson(&ws, 100_000)?;
    if want("workshop") {
        let wb = read_batch(&ws, &bytes)?;
        let m = wb.len();
        let ws_cpu = report(
            "000_workshop_2025 VM",
            m,
            best(|| eval_serial(&wb, ws.new_result(), |c, r| ws.evaluate_case(c, day, r))),
        );
        if let Some(hw) = hand_per_case {
            println!(
                "000_workshop_2025 VM / ten_rules hand-written: {:.2}x per case",
                (ws_cpu / m as f64) / hw
            );
        }
    }
    if want("read") {
        let (wall, cpu) = best(|| read_all(&ws, &bytes, 65_536).map_or(0, |k| k as u64));
        println!(
            "read/ndjson 000_workshop_2025      {:>8.0} MB/s CPU per core (wall {:.0} MB/s), {:.0} ns/case",
            mb(bytes.len() as u64) / cpu,
            mb(bytes.len() as u64) / wall,
            cpu * 1e9 / stats.cases.max(1) as f64
        );
    }
    Ok(())
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let file = PathBuf::from(arg(&args, 1).ok_or("usage: e2e gen|eval|read|memory FILE …")?);
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
        Some("read") => {
            // the reader alone on one thread, the file already in memory
            let policy = compile(&policy_path(&args, 2))?;
            let bytes = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
            println!("load average: {}", load.trim());
            let mut cases = 0;
            let (wall, cpu) = best(|| {
                cases = read_all(&policy, &bytes, 65_536).unwrap_or(0);
                cases as u64
            });
            println!(
                "read/ndjson {}: {cases} cases, {:.0} MB/s CPU per core (wall {:.0} MB/s), {:.0} ns/case",
                file.display(),
                mb(bytes.len() as u64) / cpu,
                mb(bytes.len() as u64) / wall,
                cpu * 1e9 / cases.max(1) as f64
            );
        }
        Some("cpu") => cpu(&file.to_string_lossy())?,
        _ => return Err("usage: e2e gen|eval|read|memory FILE …".into()),
    }
    Ok(())
}
