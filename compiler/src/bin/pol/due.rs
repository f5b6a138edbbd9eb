//! `pol due`: the due list. Every obligation of a caseload that is overdue,
//! comes due within the next days, or is open without a due date, in date
//! order (the longest overdue first), with the events it still needs: what
//! a jobcenter acts on next. Case ids are what the list is for, so they are
//! shown, unless `--redact-ids` asks for pseudonyms.

use std::collections::HashSet;
use std::io::Write;
use std::path::PathBuf;

use pol_runtime::bytecode::program::Program;
use pol_runtime::caseload::{evaluate_caseload, DueItem, DueState, EvalOptions};
use serde::Serialize;

use crate::caseload::{self, redact_key, report_input_errors, shown_id, CaseloadArgs};
use crate::common::{
    create_output, day, load_policy, parse_date_arg, plural, to_json, today_or, CliError,
    CliResult, Exit,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DueFormat {
    Human,
    /// `;`-separated with a header row, as Danish spreadsheets read it
    Csv,
    Json,
}

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
    /// List what comes due within this many days (overdue and open
    /// obligations are always listed)
    #[arg(long, value_name = "N", default_value_t = 14)]
    days: u32,
    /// Only these rules (repeatable)
    #[arg(long = "rule", value_name = "NAME")]
    rules: Vec<String>,
    #[arg(long, value_enum, default_value_t = DueFormat::Human)]
    format: DueFormat,
    /// Write the list here instead of stdout
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Worker threads (default: every core)
    #[arg(long, value_name = "N", default_value_t = 0)]
    jobs: usize,
    /// Show case ids as keyed pseudonyms (see `pol eval --redact-ids`)
    #[arg(long, value_name = "KEY", num_args = 0..=1, require_equals = true, default_missing_value = "")]
    redact_ids: Option<String>,
}

#[derive(Debug, Serialize)]
struct DueList {
    today: String,
    days: u32,
    cases: u64,
    rejected: u64,
    /// Cases with at least one obligation on the list.
    cases_listed: usize,
    overdue: usize,
    due: usize,
    next_due: usize,
    open: usize,
    items: Vec<Item>,
}

#[derive(Debug, Serialize)]
struct Item {
    case: String,
    rule: String,
    title: Option<String>,
    state: &'static str,
    due: Option<String>,
    /// Days from today to the due date; negative when overdue.
    days: Option<i64>,
    needs: Vec<Need>,
}

#[derive(Debug, Serialize)]
struct Need {
    kind: String,
    events: u32,
}

fn rule_index(program: &Program, wanted: &str) -> Result<u16, CliError> {
    let names: Vec<String> = program
        .rules
        .iter()
        .map(|r| program.text(r.name).to_owned())
        .collect();
    match names.iter().position(|n| n == wanted) {
        Some(i) => Ok(i as u16),
        None => Err(CliError::usage(format!(
            "--rule: the policy has no rule `{wanted}`; its rules are {}",
            names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

pub fn run(args: Args) -> CliResult {
    let policy = load_policy(&args.policy)?;
    let program = policy.program();
    let only: Vec<u16> = args
        .rules
        .iter()
        .map(|r| rule_index(program, r))
        .collect::<Result<_, _>>()?;
    let today = today_or(args.as_of);
    let key = redact_key(args.redact_ids.as_deref());
    let mut opened = caseload::open(program, &args.caseload, key.as_deref(), true)?;
    let options = EvalOptions {
        jobs: args.jobs,
        due_within: Some(args.days),
        ..EvalOptions::default()
    };
    let result = evaluate_caseload(&policy, &mut opened.reader, today, &options, None);
    opened.bar.finish_and_clear();
    let mut summary = result.map_err(|e| CliError::input(e.to_string()))?;
    report_input_errors(&summary.read);
    let mut items = std::mem::take(&mut summary.due);
    if !only.is_empty() {
        items.retain(|i| only.contains(&i.rule));
    }
    // overdue dates are before today and the others from today on, so date
    // order puts the longest overdue first; open ones (no date) last
    items.sort_by_key(|i| (i.due.is_none(), i.due, i.line, i.rule));
    let list = due_list(program, &items, today, args.days, key.as_deref(), &summary);
    let text = match args.format {
        DueFormat::Human => human(&list),
        DueFormat::Csv => csv(&list),
        DueFormat::Json => to_json(&list)?,
    };
    let target = args.out.clone().unwrap_or_else(|| PathBuf::from("-"));
    let mut w = create_output(&target)?;
    w.write_all(text.as_bytes())
        .and_then(|()| w.flush())
        .map_err(|e| CliError::write("the due list", &e))?;
    Ok(if summary.read.rows_rejected > 0 {
        Exit::Failed
    } else {
        Exit::Ok
    })
}

fn due_list(
    program: &Program,
    items: &[DueItem],
    today: i32,
    days: u32,
    key: Option<&[u8]>,
    summary: &pol_runtime::caseload::CaseloadSummary,
) -> DueList {
    let count = |s: DueState| items.iter().filter(|i| i.state == s).count();
    let cases_listed = items.iter().map(|i| i.line).collect::<HashSet<_>>().len();
    let kind_name = |k: u16| {
        program
            .schema
            .events
            .get(usize::from(k))
            .map(|e| program.text(e.name).to_owned())
            .unwrap_or_default()
    };
    DueList {
        today: day(today),
        days,
        cases: summary.read.cases_ok,
        rejected: summary.read.rows_rejected,
        cases_listed,
        overdue: count(DueState::Overdue),
        due: count(DueState::Due),
        next_due: count(DueState::Next),
        open: count(DueState::Open),
        items: items
            .iter()
            .map(|i| {
                let rule = program.rules.get(usize::from(i.rule));
                Item {
                    case: shown_id(&i.id, key),
                    rule: rule
                        .map(|r| program.text(r.name).to_owned())
                        .unwrap_or_default(),
                    title: rule
                        .and_then(|r| r.title)
                        .map(|t| program.text(t).to_owned()),
                    state: i.state.as_str(),
                    due: i.due.map(day),
                    days: i.due.map(|d| i64::from(d) - i64::from(today)),
                    needs: i
                        .needs
                        .iter()
                        .map(|&(k, events)| Need {
                            kind: kind_name(k),
                            events,
                        })
                        .collect(),
                }
            })
            .collect(),
    }
}

fn needs_text(needs: &[Need]) -> String {
    needs
        .iter()
        .map(|n| format!("{} {}", n.events, n.kind))
        .collect::<Vec<_>>()
        .join(", ")
}

fn human(l: &DueList) -> String {
    let mut s = format!(
        "due list on {}, {} ahead: {} of {} ({} evaluated, {} rejected)\n",
        l.today,
        plural(l.days as usize, "day", "days"),
        plural(l.items.len(), "obligation", "obligations"),
        plural(l.cases_listed, "case", "cases"),
        l.cases,
        l.rejected
    );
    s.push_str(&format!(
        "  {} overdue, {} due, {} next due (met so far), {} open without a due date\n",
        l.overdue, l.due, l.next_due, l.open
    ));
    if l.items.is_empty() {
        s.push_str("\nnothing is due\n");
        return s;
    }
    let width = |head: &str, f: &dyn Fn(&Item) -> usize| {
        l.items.iter().map(f).max().unwrap_or(0).max(head.len())
    };
    let cw = width("case", &|i| i.case.chars().count());
    let rw = width("rule", &|i| i.rule.chars().count());
    let sw = width("state", &|i| i.state.len());
    s.push_str(&format!(
        "\n{:<cw$}  {:<rw$}  {:<sw$}  {:<10}  {:>5}  needs\n",
        "case", "rule", "state", "due", "days"
    ));
    for i in &l.items {
        let line = format!(
            "{:<cw$}  {:<rw$}  {:<sw$}  {:<10}  {:>5}  {}",
            i.case,
            i.rule,
            i.state,
            i.due.as_deref().unwrap_or("-"),
            i.days.map_or_else(|| "-".to_string(), |d| d.to_string()),
            needs_text(&i.needs)
        );
        s.push_str(line.trim_end());
        s.push('\n');
    }
    s
}

/// A CSV cell: quoted when it holds the separator, a quote or a line break.
fn cell(s: &str) -> String {
    if s.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn csv(l: &DueList) -> String {
    let mut s = String::from("case;rule;title;state;due;days;needs\n");
    for i in &l.items {
        let row = [
            cell(&i.case),
            cell(&i.rule),
            cell(i.title.as_deref().unwrap_or("")),
            i.state.to_string(),
            i.due.clone().unwrap_or_default(),
            i.days.map(|d| d.to_string()).unwrap_or_default(),
            cell(&needs_text(&i.needs)),
        ];
        s.push_str(&row.join(";"));
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_only_when_needed() {
        assert_eq!(cell("samtale"), "samtale");
        assert_eq!(cell("a;b"), "\"a;b\"");
        assert_eq!(cell("sagt \"nej\""), "\"sagt \"\"nej\"\"\"");
    }
}
