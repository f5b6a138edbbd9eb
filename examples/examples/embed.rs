//! Embedding `pol-runtime` in a case-management system: load a compiled
//! policy, evaluate a caseload, show the summary and why one case stands
//! where it does.
//!
//! ```text
//! cargo run -p pol-examples --example embed -- [POLICY] [CASELOAD.ndjson] [YYYY-MM-DD]
//! ```
//!
//! POLICY is a `.polc` artifact (what `pol build` writes and a case system
//! ships) or, for convenience here, a `.pol` source this example compiles
//! first. Defaults: the workshop 2025 policy, its bundled caseload, 2025-09-30.
//!
//! Everything after `artifact_bytes` uses only the runtime's public API: a
//! case system links `pol-runtime` alone, not the compiler.

use std::fs::File;
use std::io::{self, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use pol_runtime::caseload::{evaluate_caseload, CaseBatch, CaseReader, EvalOptions};
use pol_runtime::caseload::{NdjsonReader, ReadOptions};
use pol_runtime::vm::dates::parse_day;
use pol_runtime::{Policy, Status};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("error: {msg}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut args = std::env::args().skip(1);
    let policy_path = args.next().map_or_else(
        || repo.join("policies/000_workshop_2025.pol"),
        PathBuf::from,
    );
    let caseload = args.next().map_or_else(
        || repo.join("examples/caseloads/000_workshop_2025.ndjson"),
        PathBuf::from,
    );
    let date = args.next().unwrap_or_else(|| "2025-09-30".to_string());

    // ---- what the case system has: artifact bytes, a caseload, a date ----
    let bytes = artifact_bytes(&policy_path)?;
    let today = parse_day(&date).ok_or(format!("`{date}` is not a YYYY-MM-DD date"))?;

    // Load: checks the magic, the format version and the checksum, and
    // verifies the bytecode, so a damaged or foreign file is refused here
    // rather than misbehaving later.
    let policy = Policy::load(&bytes).map_err(|e| format!("cannot load the policy: {e}"))?;

    // Read the caseload against the policy's schema. Bad rows are reported
    // and skipped; the rest is evaluated. Naming the file puts it in errors.
    let open = || -> Result<NdjsonReader<BufReader<File>>, String> {
        let file = File::open(&caseload)
            .map_err(|e| format!("cannot open `{}`: {e}", caseload.display()))?;
        let options = ReadOptions {
            file_name: Some(caseload.display().to_string()),
            ..ReadOptions::default()
        };
        Ok(NdjsonReader::new(
            policy.program(),
            BufReader::new(file),
            options,
        ))
    };

    // Evaluate every case on all cores, in bounded memory. Per-case results
    // (one JSON line per case, in input order) would go to `out`; a case
    // system would write them back to its database. Here only the sums.
    // With `due_within`, the driver also collects the due list: every
    // obligation overdue, due within a week, or open without a due date.
    let options = EvalOptions {
        forecast_weeks: 4,
        due_within: Some(7),
        ..EvalOptions::default()
    };
    let summary = evaluate_caseload(&policy, &mut open()?, today, &options, None)
        .map_err(|e| e.to_string())?;
    for e in summary.read.errors.iter().take(3) {
        eprintln!("{}", e.render());
    }
    let report = summary
        .aggregate
        .report(policy.program(), &summary.read, today);
    let mut stdout = io::stdout().lock();
    let rows = &report.rows;
    let _ = writeln!(
        stdout,
        "{} cases evaluated on {} ({} rows read, {} rejected)\n",
        rows.evaluated, report.today, rows.read, rows.rejected
    );
    // A short summary: the busiest groups, then each rule that came due.
    let mut groups: Vec<_> = report.groups.iter().filter(|g| g.cases > 0).collect();
    groups.sort_by_key(|g| std::cmp::Reverse(g.cases));
    for g in groups.iter().take(6) {
        let _ = writeln!(stdout, "  group {:<28} {:>6} cases", g.group, g.cases);
    }
    let _ = writeln!(stdout);
    for r in report
        .rules
        .iter()
        .filter(|r| r.timeliness.is_some())
        .take(12)
    {
        let n = |s: &str| r.statuses.get(s).copied().unwrap_or(0);
        let _ = writeln!(
            stdout,
            "  rule {:<30} on time {:>5.1}%  met {:>4}  late {:>4}  overdue {:>4}  violated {:>4}  pending {:>4}  exempt {:>4}",
            r.rule,
            r.timeliness.unwrap_or(0.0) * 100.0,
            n("met"),
            n("met_late"),
            n("overdue"),
            n("violated"),
            n("pending"),
            n("exempt"),
        );
    }
    for t in &report.targets {
        let share = t
            .share
            .map_or("-".to_string(), |s| format!("{:.1}%", s * 100.0));
        let _ = writeln!(
            stdout,
            "  target {:<28} {share:>6} of {:>5} (needs {:.0}%)",
            t.target,
            t.denominator,
            t.required_share * 100.0
        );
    }

    // The due list, soonest first (overdue ones are before today): what the
    // caseworkers act on this week. It holds case ids, so a case system
    // shows it only to those allowed to see the cases.
    let mut due = summary.due;
    due.sort_by_key(|d| (d.due.is_none(), d.due, d.line));
    let _ = writeln!(
        stdout,
        "\n{} obligations on the due list; the first five:",
        due.len()
    );
    for d in due.iter().take(5) {
        let rule = policy.program().rules.get(usize::from(d.rule));
        let name = rule.map_or("?", |r| policy.program().text(r.name));
        let _ = writeln!(
            stdout,
            "  {:<12} {:<30} {:<8} {}",
            d.id,
            name,
            d.state.as_str(),
            d.due
                .map_or("-".to_string(), pol_runtime::vm::dates::format_day)
        );
    }

    // One case in detail: the first with an overdue obligation. Evaluating a
    // single case needs a batch (the VM's columnar layout) and a result the
    // VM overwrites, so a loop allocates nothing per case.
    let mut reader = open()?;
    let mut batch = CaseBatch::new(&policy.program().schema);
    let mut result = policy.new_result();
    while reader
        .read_chunk(&mut batch, 1024)
        .map_err(|e| e.to_string())?
        > 0
    {
        for i in 0..batch.len() {
            let case = batch.case(i);
            policy.evaluate_case(case, today, &mut result);
            if result.rules.iter().any(|r| r.status == Status::Overdue) {
                print_explanation(&mut stdout, &policy, case, today);
                return Ok(());
            }
        }
    }
    Ok(())
}

/// The slow path, for one case a caseworker asks about: which groups, and
/// for every rule that applies, its status, due date, the events counted
/// and where the rule comes from.
fn print_explanation(
    out: &mut impl Write,
    policy: &Policy,
    case: pol_runtime::CaseRef<'_>,
    today: i32,
) {
    let ex = policy.explain_case(case, today);
    let _ = writeln!(
        out,
        "\ncase {} on {}: in {}",
        ex.id,
        ex.today,
        ex.groups.join(", ")
    );
    for r in ex
        .rules
        .iter()
        .filter(|r| r.status != Status::NotApplicable)
    {
        let _ = writeln!(
            out,
            "  {:<30} {:<9} due {}  {}",
            r.rule,
            r.status.as_str(),
            r.due.as_deref().unwrap_or("-"),
            r.reason
        );
        let counted: Vec<String> = r
            .events
            .iter()
            .map(|e| format!("{} {}", e.kind, e.date))
            .collect();
        if !counted.is_empty() {
            let _ = writeln!(out, "      counted: {}", counted.join(", "));
        }
        if let Some(c) = r.citations.first() {
            let _ = writeln!(out, "      source: {c}");
        }
    }
}

/// The artifact's bytes: read a `.polc` as is; compile a `.pol` with the
/// compiler library (what `pol build` does) so the example runs from a
/// fresh checkout. This is the one part a case system would not have.
fn artifact_bytes(path: &Path) -> Result<Vec<u8>, String> {
    if path.extension().is_some_and(|e| e == "polc") {
        return std::fs::read(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()));
    }
    Ok(pol_examples::compile::compile_policy(path)?.to_bytes())
}
