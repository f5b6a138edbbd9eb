//! Benchmark helpers: find and compile the policies, generate caseloads, read
//! them into a `CaseBatch`, and evaluate a batch on one thread or on all
//! cores. The benches in `benches/benches/` and the `e2e` binary use these;
//! everything goes through the public API of `pol-runtime`, `pol-compiler`
//! and `pol-examples` (the generator).
//!
//! [`ten_rules`] holds the synthetic benchmark policy's case generator and
//! the hand-written Rust evaluator the VM is compared against.

pub mod ten_rules;

use std::path::{Path, PathBuf};

use pol_compiler::{check_source, lower_compilation};
use pol_examples::compile::FsLoader;
use pol_examples::gen::{GenOptions, GenStats, Generator};
use pol_runtime::caseload::{CaseReader, NdjsonReader, ReadOptions};
use pol_runtime::vm::dates::parse_day;
use pol_runtime::{CaseBatch, CaseResult, Policy, Status};
use rayon::prelude::*;

/// The evaluation date of every generated caseload and every measurement.
pub const TODAY: &str = "2025-09-30";

/// The generator's seed: the same bytes in every run.
pub const SEED: u64 = 20_250_930;

/// [`TODAY`] as days since 1970-01-01.
pub fn today() -> Result<i32, String> {
    parse_day(TODAY).ok_or_else(|| format!("`{TODAY}` is not a date"))
}

/// The workspace root (the parent of `benches/`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from(".."), Path::to_path_buf)
}

/// The real policies: every `policies/NNN_*.pol` (not the imported modules
/// `schema.pol`, `national.pol`), sorted by name.
pub fn real_policies() -> Result<Vec<PathBuf>, String> {
    let dir = repo_root().join("policies");
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| format!("cannot list `{}`: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|x| x == "pol")
                && p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with(|c: char| c.is_ascii_digit()))
        })
        .collect();
    out.sort();
    Ok(out)
}

/// The synthetic "ten rules, six events per case" policy.
pub fn ten_rules_path() -> PathBuf {
    repo_root().join("benches/policies/ten_rules.pol")
}

/// A short name for bench ids: the file stem (`000_workshop_2025`).
pub fn short_name(path: &Path) -> String {
    path.file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned())
}

/// A policy's source text and its file name as the checker sees it.
pub fn read_source(path: &Path) -> Result<(String, String), String> {
    let name = path.to_string_lossy().replace('\\', "/");
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read `{name}`: {e}"))?;
    Ok((name, text))
}

/// `check_source` with a filesystem loader; returns the number of error
/// diagnostics (0 for every policy the benches use).
pub fn check(name: &str, text: &str) -> usize {
    let comp = check_source(name, text, &mut FsLoader);
    comp.diagnostics.iter().filter(|d| d.is_error()).count()
}

/// Checks, lowers and verifies a policy source.
pub fn compile(path: &Path) -> Result<Policy, String> {
    let (name, text) = read_source(path)?;
    let comp = check_source(&name, &text, &mut FsLoader);
    let program = lower_compilation(&comp).ok_or_else(|| format!("`{name}` does not compile"))?;
    Policy::from_program(program).map_err(|e| format!("`{name}` does not verify: {e}"))
}

/// A generated NDJSON caseload for `policy` (the examples' generator, made
/// for [`TODAY`]).
pub fn generate_ndjson(policy: &Policy, cases: u64) -> Result<(Vec<u8>, GenStats), String> {
    let opts = GenOptions {
        cases,
        seed: SEED,
        as_of: today()?,
    };
    let mut out = Vec::new();
    let stats = Generator::new(policy.program(), opts)
        .ndjson(&mut out)
        .map_err(|e| e.to_string())?;
    Ok((out, stats))
}

/// Reads a whole NDJSON caseload into one batch; errors if any row is rejected.
pub fn read_batch(policy: &Policy, ndjson: &[u8]) -> Result<CaseBatch, String> {
    let mut batch = CaseBatch::new(&policy.program().schema);
    let mut reader = NdjsonReader::new(policy.program(), ndjson, ReadOptions::default());
    reader
        .read_chunk(&mut batch, usize::MAX)
        .map_err(|e| e.to_string())?;
    let rejected = reader.summary().errors.len();
    if rejected > 0 {
        return Err(format!("{rejected} generated rows were rejected"));
    }
    Ok(batch)
}

/// Reads an NDJSON caseload chunk by chunk, keeping nothing: the reader's
/// throughput. Returns the number of cases read.
pub fn read_all(policy: &Policy, ndjson: &[u8], chunk: usize) -> Result<usize, String> {
    let mut batch = CaseBatch::new(&policy.program().schema);
    let mut reader = NdjsonReader::new(policy.program(), ndjson, ReadOptions::default());
    let mut total = 0;
    loop {
        let n = reader
            .read_chunk(&mut batch, chunk)
            .map_err(|e| e.to_string())?;
        if n == 0 {
            return Ok(total);
        }
        total += n;
    }
}

/// A cheap digest of one result, so the optimiser cannot drop the work and
/// the benches need not keep every result.
pub fn digest(r: &CaseResult) -> u64 {
    let mut h = 0u64;
    for g in &r.groups {
        h = h.rotate_left(1) ^ u64::from(*g);
    }
    for x in &r.rules {
        let s = Status::ALL.iter().position(|s| *s == x.status).unwrap_or(0) as u64;
        h = h.rotate_left(3) ^ s ^ (x.due.unwrap_or(0) as u64);
    }
    h
}

/// Evaluates every case of `batch` on this thread with `eval`.
pub fn eval_serial(
    batch: &CaseBatch,
    mut result: CaseResult,
    eval: impl Fn(pol_runtime::CaseRef<'_>, &mut CaseResult),
) -> u64 {
    let mut h = 0u64;
    for i in 0..batch.len() {
        eval(batch.case(i), &mut result);
        h = h.wrapping_add(digest(&result));
    }
    h
}

/// Evaluates every case of `batch` on all cores (rayon's global pool), in
/// pieces of 4,096 cases, each with its own result buffer.
pub fn eval_parallel(
    batch: &CaseBatch,
    new_result: impl Fn() -> CaseResult + Sync,
    eval: impl Fn(pol_runtime::CaseRef<'_>, &mut CaseResult) + Sync,
) -> u64 {
    const PIECE: usize = 4096;
    (0..batch.len().div_ceil(PIECE))
        .into_par_iter()
        .map(|p| {
            let mut result = new_result();
            let mut h = 0u64;
            for i in p * PIECE..((p + 1) * PIECE).min(batch.len()) {
                eval(batch.case(i), &mut result);
                h = h.wrapping_add(digest(&result));
            }
            h
        })
        .reduce(|| 0, u64::wrapping_add)
}

/// This process's peak resident memory (`VmHWM`) in bytes, where the
/// platform reports it.
pub fn peak_rss_bytes() -> Option<u64> {
    proc_status_kb("VmHWM:").map(|kb| kb * 1024)
}

/// This process's resident memory (`VmRSS`) in bytes, where reported.
pub fn rss_bytes() -> Option<u64> {
    proc_status_kb("VmRSS:").map(|kb| kb * 1024)
}

fn proc_status_kb(key: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// CPU time this thread has run, in nanoseconds (`/proc/thread-self/schedstat`),
/// where the platform reports it. On a machine shared with other work, wall
/// time counts the time other processes held the core; this does not.
pub fn thread_cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

/// Runs `f` and returns its result with the wall and this thread's CPU
/// seconds it took.
pub fn timed<T>(f: impl FnOnce() -> T) -> (T, f64, f64) {
    let cpu0 = thread_cpu_ns().unwrap_or(0);
    let t = std::time::Instant::now();
    let out = f();
    let wall = t.elapsed().as_secs_f64();
    let cpu = thread_cpu_ns().unwrap_or(0).saturating_sub(cpu0) as f64 / 1e9;
    (out, wall, cpu)
}

/// The `pol` binary of a release build in the same target directory as the
/// running executable (`target/release/pol`), if it has been built.
pub fn release_pol_binary() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    // target/release/deps/eval-xxxx or target/release/e2e
    for dir in exe.ancestors().skip(1).take(3) {
        let candidate = dir.join("pol");
        if candidate.is_file() && dir.file_name().is_some_and(|n| n == "release") {
            return Some(candidate);
        }
    }
    None
}
