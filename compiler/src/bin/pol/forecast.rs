//! `pol forecast`: the events the policy will require of a caseload per week
//! (and the staff time, where event kinds have `costs`), by rule and kind,
//! so a jobcenter can plan capacity (language reference §9).

use std::collections::BTreeMap;
use std::path::PathBuf;

use pol_runtime::bytecode::program::Program;
use pol_runtime::caseload::aggregate::WorkloadReport;
use pol_runtime::caseload::{evaluate_caseload, EvalOptions};
use serde::Serialize;

use crate::caseload::{self, report_input_errors, CaseloadArgs};
use crate::common::{
    day, load_policy, parse_date_arg, print_out, to_json, today_or, CliError, CliResult, Exit,
    Format,
};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The policy: a `.pol` source or a `.polc` artifact
    #[arg(value_name = "POLICY")]
    policy: PathBuf,
    #[command(flatten)]
    caseload: CaseloadArgs,
    /// How many weeks ahead, from the current week
    #[arg(long, value_name = "N")]
    weeks: u32,
    /// The evaluation date (default: today)
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date_arg)]
    as_of: Option<i32>,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Worker threads (default: every core)
    #[arg(long, value_name = "N", default_value_t = 0)]
    jobs: usize,
}

#[derive(Debug, Serialize)]
struct Forecast {
    today: String,
    weeks: u32,
    cases: u64,
    rejected: u64,
    /// One row per week, rule and event kind; overdue needs fall in the first week.
    rows: Vec<Row>,
    /// Per week, all rules and kinds together.
    totals: Vec<Total>,
}

#[derive(Debug, Serialize)]
struct Row {
    week: String,
    week_start: String,
    rule: String,
    /// The groups the rule is for (empty: every case).
    groups: Vec<String>,
    kind: String,
    events: u64,
    minutes: Option<u64>,
}

#[derive(Debug, Serialize)]
struct Total {
    week: String,
    week_start: String,
    events: u64,
    /// Staff minutes of the kinds that have a cost.
    minutes: u64,
}

fn groups_of(program: &Program, rule: &str) -> Vec<String> {
    let name = |id: u32| program.text(id).to_owned();
    program
        .rules
        .iter()
        .find(|r| name(r.name) == rule)
        .map(|r| {
            r.groups
                .iter()
                .filter_map(|g| program.groups.get(usize::from(*g)))
                .map(|g| name(g.name))
                .collect()
        })
        .unwrap_or_default()
}

fn totals(rows: &[WorkloadReport]) -> Vec<Total> {
    let mut by_week: BTreeMap<(String, String), (u64, u64)> = BTreeMap::new();
    for r in rows {
        let e = by_week
            .entry((r.week.clone(), r.week_start.clone()))
            .or_insert((0, 0));
        e.0 += r.events;
        e.1 += r.minutes.unwrap_or(0);
    }
    by_week
        .into_iter()
        .map(|((week, week_start), (events, minutes))| Total {
            week,
            week_start,
            events,
            minutes,
        })
        .collect()
}

pub fn run(args: Args) -> CliResult {
    if args.weeks == 0 {
        return Err(CliError::usage("`--weeks` must be at least 1"));
    }
    let policy = load_policy(&args.policy)?;
    let today = today_or(args.as_of);
    let mut opened = caseload::open(policy.program(), &args.caseload, None, true)?;
    let options = EvalOptions {
        jobs: args.jobs,
        forecast_weeks: args.weeks,
        ..EvalOptions::default()
    };
    let result = evaluate_caseload(&policy, &mut opened.reader, today, &options, None);
    opened.bar.finish_and_clear();
    let summary = result.map_err(|e| CliError::input(e.to_string()))?;
    report_input_errors(&summary.read);
    let report = summary
        .aggregate
        .report(policy.program(), &summary.read, today);
    let program = policy.program();
    let forecast = Forecast {
        today: day(today),
        weeks: args.weeks,
        cases: report.rows.evaluated,
        rejected: report.rows.rejected,
        totals: totals(&report.workload),
        rows: report
            .workload
            .iter()
            .map(|w| Row {
                week: w.week.clone(),
                week_start: w.week_start.clone(),
                rule: w.rule.clone(),
                groups: groups_of(program, &w.rule),
                kind: w.kind.clone(),
                events: w.events,
                minutes: w.minutes,
            })
            .collect(),
    };
    match args.format {
        Format::Json => print_out(&to_json(&forecast)?)?,
        Format::Human => print_out(&human(&forecast))?,
    }
    Ok(if summary.read.rows_rejected > 0 {
        Exit::Failed
    } else {
        Exit::Ok
    })
}

fn hours(minutes: Option<u64>) -> String {
    minutes.map_or_else(|| "-".to_string(), |m| format!("{:.1}", m as f64 / 60.0))
}

fn human(f: &Forecast) -> String {
    let mut s = format!(
        "workload forecast on {} for {} ({} cases, {} rejected); overdue events count in the first week\n",
        f.today,
        crate::common::plural(f.weeks as usize, "week", "weeks"),
        f.cases,
        f.rejected
    );
    if f.rows.is_empty() {
        s.push_str("\nno events required\n");
        return s;
    }
    let label = |r: &Row| {
        if r.groups.is_empty() {
            r.rule.clone()
        } else {
            format!("{} ({})", r.rule, r.groups.join(", "))
        }
    };
    let rw = f
        .rows
        .iter()
        .map(|r| label(r).chars().count())
        .max()
        .unwrap_or(4)
        .max("rule (groups)".len());
    let kw = f
        .rows
        .iter()
        .map(|r| r.kind.chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    for t in &f.totals {
        s.push_str(&format!(
            "\n{} (from {}): {} events, {} hours\n",
            t.week,
            t.week_start,
            t.events,
            hours(Some(t.minutes))
        ));
        s.push_str(&format!(
            "  {:<rw$}  {:<kw$}  {:>7}  {:>7}\n",
            "rule (groups)", "kind", "events", "hours"
        ));
        for r in f.rows.iter().filter(|r| r.week == t.week) {
            s.push_str(&format!(
                "  {:<rw$}  {:<kw$}  {:>7}  {:>7}\n",
                label(r),
                r.kind,
                r.events,
                hours(r.minutes)
            ));
        }
    }
    s
}
