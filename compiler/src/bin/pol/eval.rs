//! `pol eval`: a caseload through the runtime's driver. Per-case results go
//! to `--out` (NDJSON), the aggregate report to `--summary` (JSON), a human
//! table to the terminal, and every rejected row to stderr by line and
//! reason (never by value: case data is personal data).

use std::collections::BTreeMap;
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

use pol_runtime::caseload::{evaluate_caseload, EvalOptions, Report};

use crate::caseload::{self, redact_key, report_input_errors, CaseloadArgs, RedactIds};
use crate::common::{
    create_output, load_policy, parse_date_arg, print_out, to_json, today_or, CliError, CliResult,
    Exit,
};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The policy: a `.pol` source or a `.polc` artifact
    #[arg(value_name = "POLICY")]
    policy: PathBuf,
    #[command(flatten)]
    caseload: CaseloadArgs,
    /// The evaluation date (default: today)
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date_arg)]
    as_of: Option<i32>,
    /// Per-case results, one JSON line per case in input order (`-` for stdout)
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// The aggregate report as JSON (`-` for stdout)
    #[arg(long, value_name = "FILE")]
    summary: Option<PathBuf>,
    /// Worker threads (default: every core)
    #[arg(long, value_name = "N", default_value_t = 0)]
    jobs: usize,
    /// Weeks of workload forecast in the report (0: none)
    #[arg(long, value_name = "N", default_value_t = 4)]
    weeks: u32,
    /// Replace case ids in outputs and errors by keyed pseudonyms; the key is
    /// KEY, else $POL_REDACT_KEY, else one made for this run
    #[arg(long, value_name = "KEY", num_args = 0..=1, require_equals = true, default_missing_value = "")]
    redact_ids: Option<String>,
    /// A parameter's value, `NAME=VALUE` (e.g. `niveau_2019=1234`,
    /// `landsgennemsnit=62.5%`, `klynge_varighed=25 weeks`); repeatable.
    /// A target bounded by a parameter not given and without a default is
    /// reported, not judged
    #[arg(long = "param", value_name = "NAME=VALUE")]
    params: Vec<String>,
}

pub fn run(args: Args) -> CliResult {
    let policy = load_policy(&args.policy)?;
    let params = pol_runtime::vm::params::resolve(policy.program(), &args.params)
        .map_err(|e| CliError::usage(format!("--param: {e}")))?;
    let today = today_or(args.as_of);
    let key = redact_key(args.redact_ids.as_deref());
    let mut opened = caseload::open(policy.program(), &args.caseload, key.as_deref(), true)?;
    let options = EvalOptions {
        jobs: args.jobs,
        forecast_weeks: args.weeks,
        ..EvalOptions::default()
    };
    let out_is_stdout = args.out.as_deref() == Some(std::path::Path::new("-"));
    let summary_is_stdout = args.summary.as_deref() == Some(std::path::Path::new("-"));
    if out_is_stdout && summary_is_stdout {
        return Err(CliError::usage(
            "`--out -` and `--summary -` cannot both write to stdout",
        ));
    }
    let mut out: Option<Box<dyn Write + Send>> = match &args.out {
        Some(p) => {
            let w = create_output(p)?;
            Some(match &key {
                Some(k) => Box::new(RedactIds::new(w, k.clone())),
                None => w,
            })
        }
        None => None,
    };
    let result = evaluate_caseload(
        &policy,
        &mut opened.reader,
        today,
        &options,
        out.as_mut().map(|w| &mut **w as &mut (dyn Write + Send)),
    );
    opened.bar.finish_and_clear();
    let summary = result.map_err(|e| CliError::input(e.to_string()))?;
    report_input_errors(&summary.read);
    let report = summary
        .aggregate
        .report_with(policy.program(), &summary.read, today, &params);
    if let Some(p) = &args.summary {
        let mut w = create_output(p)?;
        w.write_all(to_json(&report)?.as_bytes())
            .and_then(|()| w.flush())
            .map_err(|e| CliError::write("the summary", &e))?;
    }
    let table = table(&report);
    if !out_is_stdout && !summary_is_stdout {
        print_out(&table)?;
    } else if io::stderr().is_terminal() {
        eprint!("{table}");
    }
    let mut exit = Exit::Ok;
    if summary.read.rows_rejected > 0 {
        exit = Exit::Failed;
    }
    if report.targets.iter().any(|t| t.attained == Some(false)) {
        exit = Exit::Failed;
    }
    Ok(exit)
}

/// The runtime's table, with the workload folded to one line per week (the
/// breakdown by rule and kind is `pol forecast`'s, and the JSON summary's).
pub fn table(report: &Report) -> String {
    let mut brief = report.clone();
    brief.workload.clear();
    let mut s = brief.render_table();
    if !report.workload.is_empty() {
        let mut weeks: BTreeMap<&str, (u64, u64, bool)> = BTreeMap::new();
        for w in &report.workload {
            let e = weeks.entry(w.week.as_str()).or_insert((0, 0, false));
            e.0 += w.events;
            e.1 += w.minutes.unwrap_or(0);
            e.2 |= w.minutes.is_some();
        }
        let t = pol_runtime::caseload::aggregate::Words::of(report.danish);
        s.push_str(&format!(
            "\n{:<8}  {:>9}  {:>9}\n",
            t.week, t.events, t.hours
        ));
        for (week, (events, minutes, costed)) in weeks {
            let hours = if costed {
                format!("{:.1}", minutes as f64 / 60.0)
            } else {
                "-".to_string()
            };
            s.push_str(&format!("{week:<8}  {events:>9}  {hours:>9}\n"));
        }
    }
    s
}
