//! `pol diff`: what a new version of a policy changes for a caseload: the
//! cases whose statuses or due dates move, the rules behind the moves, and
//! the change in weekly workload.
//!
//! The two versions may have different case schemas (a new field, a new
//! event kind), so the caseload is read once per version and the two
//! streams are joined on the input line; a row only one version accepts is
//! counted, not compared.

use std::collections::BTreeMap;
use std::path::PathBuf;

use pol_runtime::caseload::{Aggregate, CaseBatch, CaseReader, ReadSummary};
use pol_runtime::{CaseResult, Demand, Policy, RuleResult};
use serde::Serialize;

use crate::caseload::{self, redact_key, report_input_errors, shown_id, AnyReader, CaseloadArgs};
use crate::common::{
    day, display_name, io_reason, load_policy, parse_date_arg, print_out, to_json, today_or,
    CliError, CliResult, Exit, Format,
};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The current policy (`.pol` or `.polc`)
    #[arg(value_name = "OLD")]
    old: PathBuf,
    /// The proposed policy (`.pol` or `.polc`)
    #[arg(value_name = "NEW")]
    new: PathBuf,
    #[command(flatten)]
    caseload: CaseloadArgs,
    /// The evaluation date (default: today)
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date_arg)]
    as_of: Option<i32>,
    /// How many changed cases to show as examples
    #[arg(long, value_name = "N", default_value_t = 10)]
    examples: usize,
    /// Weeks of workload to compare, from the current week
    #[arg(long, value_name = "N", default_value_t = 4)]
    weeks: u32,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Show case ids as keyed pseudonyms (see `pol eval --redact-ids`)
    #[arg(long, value_name = "KEY", num_args = 0..=1, require_equals = true, default_missing_value = "")]
    redact_ids: Option<String>,
}

/// One version's side of the join: its policy, reader and current chunk.
struct Side {
    policy: Policy,
    reader: AnyReader,
    batch: CaseBatch,
    pos: usize,
    done: bool,
    result: CaseResult,
    demands: Vec<Demand>,
    agg: Aggregate,
}

impl Side {
    fn new(policy: Policy, reader: AnyReader) -> Side {
        let batch = CaseBatch::new(&policy.program().schema);
        let result = policy.new_result();
        let agg = Aggregate::new(policy.program());
        Side {
            policy,
            reader,
            batch,
            pos: 0,
            done: false,
            result,
            demands: Vec::new(),
            agg,
        }
    }

    /// The input line of the next case, reading a chunk when needed.
    fn peek(&mut self) -> Result<Option<u64>, CliError> {
        while self.pos >= self.batch.len() {
            if self.done {
                return Ok(None);
            }
            let n = self.reader.read_chunk(&mut self.batch, 4096).map_err(|e| {
                CliError::input(format!("cannot read the caseload: {}", io_reason(&e)))
            })?;
            self.pos = 0;
            if n == 0 {
                self.done = true;
            }
        }
        Ok(Some(self.batch.line(self.pos)))
    }

    /// Evaluates the current case (and its forecast) into the side's sums.
    fn evaluate(&mut self, today: i32, horizon: u32) {
        let case = self.batch.case(self.pos);
        self.policy.evaluate_case(case, today, &mut self.result);
        self.agg.add_case(&self.result);
        if horizon > 0 {
            let mut scratch = self.policy.new_result();
            self.policy
                .forecast_case_into(case, today, horizon, &mut scratch, &mut self.demands);
            for d in &self.demands {
                self.agg.add_demand(today, d.rule, d.kind, d.due, d.events);
            }
        }
    }
}

#[derive(Debug, Serialize)]
struct DiffReport {
    today: String,
    old: String,
    new: String,
    /// Cases both versions read and evaluated.
    compared: u64,
    /// Rows only one version could read (its schema differs).
    only_old: u64,
    only_new: u64,
    /// Cases with at least one rule whose status or due date changed.
    changed_cases: u64,
    /// Per rule, the cases it changed for, most first.
    rules: Vec<RuleChange>,
    rules_only_in_old: Vec<String>,
    rules_only_in_new: Vec<String>,
    examples: Vec<Example>,
    workload: Vec<WeekChange>,
}

#[derive(Debug, Serialize)]
struct RuleChange {
    rule: String,
    cases: u64,
    /// `old -> new` status pairs (or `status, due moved`) and how many
    /// cases made each move.
    moves: BTreeMap<String, u64>,
}

#[derive(Debug, Serialize)]
struct Example {
    case: String,
    rule: String,
    old: String,
    new: String,
}

#[derive(Debug, Serialize)]
struct WeekChange {
    week: String,
    old_events: u64,
    new_events: u64,
    old_minutes: u64,
    new_minutes: u64,
}

/// The status and dates as a test would write them; `absent` when the
/// version has no such rule.
fn describe(r: Option<&RuleResult>, policy: &Policy) -> String {
    let Some(r) = r else {
        return "absent".to_string();
    };
    let p = policy.program();
    let mut s = r.status.as_str().to_string();
    if let Some(on) = r.met_on {
        s.push_str(&format!("({})", day(on)));
    } else if let Some(name) = r
        .exemption
        .and_then(|e| p.exemptions.get(usize::from(e)))
        .map(|e| p.text(e.name))
    {
        s.push_str(&format!("({name})"));
    }
    if let Some(d) = r.due {
        s.push_str(&format!(" due {}", day(d)));
    }
    s
}

fn rule_names(p: &Policy) -> Vec<String> {
    let prog = p.program();
    prog.rules
        .iter()
        .map(|r| prog.text(r.name).to_owned())
        .collect()
}

fn weekly(side: &Side, today: i32) -> BTreeMap<String, (u64, u64)> {
    let report = side
        .agg
        .report(side.policy.program(), &ReadSummary::default(), today);
    let mut weeks = BTreeMap::new();
    for w in report.workload {
        let e = weeks.entry(w.week).or_insert((0, 0));
        e.0 += w.events;
        e.1 += w.minutes.unwrap_or(0);
    }
    weeks
}

pub fn run(args: Args) -> CliResult {
    let old_policy = load_policy(&args.old)?;
    let new_policy = load_policy(&args.new)?;
    let today = today_or(args.as_of);
    let key = redact_key(args.redact_ids.as_deref());
    let old_reader = caseload::open(old_policy.program(), &args.caseload, key.as_deref(), false)?;
    let new_reader = caseload::open(new_policy.program(), &args.caseload, key.as_deref(), false)?;
    let old_names = rule_names(&old_policy);
    let new_names = rule_names(&new_policy);
    // every rule of either version, old order first: (name, old index, new index)
    let mut rules: Vec<(String, Option<usize>, Option<usize>)> = old_names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.clone(), Some(i), new_names.iter().position(|m| m == n)))
        .collect();
    for (j, n) in new_names.iter().enumerate() {
        if !old_names.contains(n) {
            rules.push((n.clone(), None, Some(j)));
        }
    }
    let mut old = Side::new(old_policy, old_reader.reader);
    let mut new = Side::new(new_policy, new_reader.reader);
    let horizon = args.weeks.saturating_mul(7);
    let mut report = DiffReport {
        today: day(today),
        old: display_name(&args.old),
        new: display_name(&args.new),
        compared: 0,
        only_old: 0,
        only_new: 0,
        changed_cases: 0,
        rules: Vec::new(),
        rules_only_in_old: rules
            .iter()
            .filter(|r| r.2.is_none())
            .map(|r| r.0.clone())
            .collect(),
        rules_only_in_new: rules
            .iter()
            .filter(|r| r.1.is_none())
            .map(|r| r.0.clone())
            .collect(),
        examples: Vec::new(),
        workload: Vec::new(),
    };
    let mut per_rule: Vec<(u64, BTreeMap<String, u64>)> = vec![(0, BTreeMap::new()); rules.len()];
    loop {
        match (old.peek()?, new.peek()?) {
            (None, None) => break,
            (Some(a), Some(b)) if a == b => {
                old.evaluate(today, horizon);
                new.evaluate(today, horizon);
                report.compared += 1;
                let mut changed = false;
                for (k, (name, oi, ni)) in rules.iter().enumerate() {
                    let o = oi.and_then(|i| old.result.rules.get(i));
                    let n = ni.and_then(|i| new.result.rules.get(i));
                    // a rule one version lacks counts as not applicable, so
                    // an added rule changes only the cases it applies to
                    let na = RuleResult::NOT_APPLICABLE;
                    let (eo, en) = (o.unwrap_or(&na), n.unwrap_or(&na));
                    let same = eo.status == en.status && eo.due == en.due;
                    if same {
                        continue;
                    }
                    changed = true;
                    let (ow, nw) = (describe(o, &old.policy), describe(n, &new.policy));
                    if let Some((count, moves)) = per_rule.get_mut(k) {
                        *count += 1;
                        let status =
                            |r: Option<&RuleResult>| r.map_or("absent", |r| r.status.as_str());
                        let (so, sn) = (status(o), status(n));
                        let key = if so == sn {
                            format!("{so}, due moved")
                        } else {
                            format!("{so} -> {sn}")
                        };
                        *moves.entry(key).or_insert(0) += 1;
                    }
                    if report.examples.len() < args.examples {
                        report.examples.push(Example {
                            case: shown_id(old.batch.id(old.pos), key.as_deref()),
                            rule: name.clone(),
                            old: ow,
                            new: nw,
                        });
                    }
                }
                report.changed_cases += u64::from(changed);
                old.pos += 1;
                new.pos += 1;
            }
            (Some(a), b) if b.is_none_or(|b| a < b) => {
                report.only_old += 1;
                old.pos += 1;
            }
            _ => {
                report.only_new += 1;
                new.pos += 1;
            }
        }
    }
    let old_read = old.reader.take_summary();
    let new_read = new.reader.take_summary();
    report_input_errors(&old_read);
    if new_read != old_read {
        report_input_errors(&new_read);
    }
    let mut changes: Vec<RuleChange> = rules
        .iter()
        .zip(per_rule)
        .filter(|(_, (n, _))| *n > 0)
        .map(|((name, _, _), (cases, moves))| RuleChange {
            rule: name.clone(),
            cases,
            moves,
        })
        .collect();
    changes.sort_by(|a, b| b.cases.cmp(&a.cases).then(a.rule.cmp(&b.rule)));
    report.rules = changes;
    let (ow, nw) = (weekly(&old, today), weekly(&new, today));
    let mut weeks: Vec<&String> = ow.keys().chain(nw.keys()).collect();
    weeks.sort();
    weeks.dedup();
    report.workload = weeks
        .into_iter()
        .map(|w| {
            let (oe, om) = ow.get(w).copied().unwrap_or((0, 0));
            let (ne, nm) = nw.get(w).copied().unwrap_or((0, 0));
            WeekChange {
                week: w.clone(),
                old_events: oe,
                new_events: ne,
                old_minutes: om,
                new_minutes: nm,
            }
        })
        .collect();
    match args.format {
        Format::Json => print_out(&to_json(&report)?)?,
        Format::Human => print_out(&human(&report, args.examples))?,
    }
    let rejected = old_read.rows_rejected > 0 || new_read.rows_rejected > 0;
    Ok(if rejected { Exit::Failed } else { Exit::Ok })
}

fn signed(n: i64) -> String {
    if n > 0 {
        format!("+{n}")
    } else {
        n.to_string()
    }
}

fn human(r: &DiffReport, max_examples: usize) -> String {
    let mut s = format!(
        "{} -> {} on {}: {} cases compared, {} change\n",
        r.old, r.new, r.today, r.compared, r.changed_cases
    );
    if r.only_old + r.only_new > 0 {
        s.push_str(&format!(
            "{} rows read by the old version only, {} by the new only (not compared)\n",
            r.only_old, r.only_new
        ));
    }
    if !r.rules_only_in_old.is_empty() {
        s.push_str(&format!(
            "rules removed: {}\n",
            r.rules_only_in_old.join(", ")
        ));
    }
    if !r.rules_only_in_new.is_empty() {
        s.push_str(&format!(
            "rules added: {}\n",
            r.rules_only_in_new.join(", ")
        ));
    }
    if !r.rules.is_empty() {
        let w = r
            .rules
            .iter()
            .map(|x| x.rule.chars().count())
            .max()
            .unwrap_or(4)
            .max(4);
        s.push_str(&format!("\n{:<w$}  {:>7}  moves\n", "rule", "cases"));
        for x in &r.rules {
            let moves: Vec<String> = x.moves.iter().map(|(m, n)| format!("{m} ({n})")).collect();
            s.push_str(&format!(
                "{:<w$}  {:>7}  {}\n",
                x.rule,
                x.cases,
                moves.join(", ")
            ));
        }
    }
    if !r.examples.is_empty() {
        s.push_str(&format!("\nexamples (at most {max_examples}):\n"));
        for e in &r.examples {
            s.push_str(&format!(
                "  case `{}` {}: {} -> {}\n",
                e.case, e.rule, e.old, e.new
            ));
        }
    }
    if !r.workload.is_empty() {
        s.push_str(&format!(
            "\n{:<8}  {:>10}  {:>10}  {:>7}  {:>9}  {:>9}  {:>7}\n",
            "week", "old events", "new events", "change", "old hours", "new hours", "change"
        ));
        for w in &r.workload {
            let h = |m: u64| format!("{:.1}", m as f64 / 60.0);
            let dh = (w.new_minutes as f64 - w.old_minutes as f64) / 60.0;
            let dh = if dh > 0.0 {
                format!("+{dh:.1}")
            } else {
                format!("{dh:.1}")
            };
            s.push_str(&format!(
                "{:<8}  {:>10}  {:>10}  {:>7}  {:>9}  {:>9}  {:>7}\n",
                w.week,
                w.old_events,
                w.new_events,
                signed(w.new_events as i64 - w.old_events as i64),
                h(w.old_minutes),
                h(w.new_minutes),
                dh
            ));
        }
    }
    s
}
