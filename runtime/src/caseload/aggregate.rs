//! The caseload report: counts per group, status counts and timeliness per
//! rule, target attainment, and the weekly workload forecast, as JSON and as
//! a fixed-width table for terminals.
//!
//! `Aggregate` is a plain sum: each worker thread fills its own and the
//! driver merges them, so the result does not depend on how cases were split.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::bytecode::program::{Body, Bound, Form, Program, TargetKind, DECIMAL_SCALE, NONE};
use crate::caseload::errors::ReadSummary;
use crate::caseload::values::format_date;
use crate::vm::result::{CaseResult, Status, TargetOutcome};

/// Sums over evaluated cases. Build with `Aggregate::new`, fill with
/// `add_case` and `add_demand`, combine with `merge`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Aggregate {
    pub cases: u64,
    /// Cases in each group.
    pub groups: Vec<u64>,
    /// Per rule, cases per status, in `Status::ALL` order.
    pub rules: Vec<[u64; Status::ALL.len()]>,
    /// Per target: (satisfies, in the denominator, excluded).
    pub targets: Vec<[u64; 3]>,
    /// Per target: the sum of an average target's values over the cases
    /// that satisfy, each times the target's `per_unit` (0 for the others).
    pub target_sums: Vec<i128>,
    /// (week since today's ISO week, rule, kind) -> events needed.
    pub workload: BTreeMap<(u32, u16, u16), u64>,
    /// Per target: the average's `per_unit`, 0 for the other kinds.
    per_unit: Vec<i64>,
}

fn status_slot(s: Status) -> usize {
    Status::ALL.iter().position(|x| *x == s).unwrap_or(0)
}

/// The Monday on or before `day` (1970-01-01 was a Thursday).
fn monday(day: i32) -> i32 {
    day - (day + 3).rem_euclid(7)
}

impl Aggregate {
    pub fn new(program: &Program) -> Aggregate {
        Aggregate {
            cases: 0,
            groups: vec![0; program.groups.len()],
            rules: vec![[0; Status::ALL.len()]; program.rules.len()],
            targets: vec![[0; 3]; program.targets.len()],
            target_sums: vec![0; program.targets.len()],
            workload: BTreeMap::new(),
            per_unit: program
                .targets
                .iter()
                .map(|t| match t.kind {
                    TargetKind::Average { per_unit, .. } => per_unit,
                    _ => 0,
                })
                .collect(),
        }
    }

    pub fn add_case(&mut self, r: &CaseResult) {
        self.cases += 1;
        for (n, inside) in self.groups.iter_mut().zip(&r.groups) {
            *n += u64::from(*inside);
        }
        for (counts, rr) in self.rules.iter_mut().zip(&r.rules) {
            if let Some(c) = counts.get_mut(status_slot(rr.status)) {
                *c += 1;
            }
        }
        for (t, o) in self.targets.iter_mut().zip(&r.targets) {
            match o {
                TargetOutcome::Satisfies => {
                    t[0] += 1;
                    t[1] += 1;
                }
                TargetOutcome::Fails => t[1] += 1,
                TargetOutcome::Excluded => t[2] += 1,
                TargetOutcome::NotCounted => {}
            }
        }
    }

    /// Whether the program has average targets (then `add_values` is needed).
    pub fn has_averages(&self) -> bool {
        self.per_unit.iter().any(|u| *u != 0)
    }

    /// One case's values for the average targets (`Policy::target_values`).
    pub fn add_values(&mut self, values: &[i64]) {
        for ((sum, v), unit) in self.target_sums.iter_mut().zip(values).zip(&self.per_unit) {
            if *v != NONE && *unit != 0 {
                *sum += i128::from(*v) * i128::from(*unit);
            }
        }
    }

    /// `events` of `kind` needed for `rule` by `due`; overdue needs count in
    /// the current week.
    pub fn add_demand(&mut self, today: i32, rule: u16, kind: u16, due: i32, events: u32) {
        let week = ((due.max(today) - monday(today)) / 7).max(0) as u32;
        *self.workload.entry((week, rule, kind)).or_insert(0) += u64::from(events);
    }

    pub fn merge(&mut self, other: &Aggregate) {
        self.cases += other.cases;
        for (a, b) in self.groups.iter_mut().zip(&other.groups) {
            *a += b;
        }
        for (a, b) in self.rules.iter_mut().zip(&other.rules) {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
        for (a, b) in self.targets.iter_mut().zip(&other.targets) {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
        for (a, b) in self.target_sums.iter_mut().zip(&other.target_sums) {
            *a += b;
        }
        for (k, v) in &other.workload {
            *self.workload.entry(*k).or_insert(0) += v;
        }
    }

    /// The report, with names and shares, for JSON output and the table;
    /// targets bounded by a parameter use its default.
    pub fn report(&self, program: &Program, read: &ReadSummary, today: i32) -> Report {
        let defaults: Vec<Option<i64>> = program.params.iter().map(|p| p.default).collect();
        self.report_with(program, read, today, &defaults)
    }

    /// The report with these parameter values (`vm::params::resolve`).
    pub fn report_with(
        &self,
        program: &Program,
        read: &ReadSummary,
        today: i32,
        params: &[Option<i64>],
    ) -> Report {
        let name = |id: u32| program.text(id).to_owned();
        let mut today_s = Vec::new();
        format_date(today, &mut today_s);
        let groups = program
            .groups
            .iter()
            .zip(&self.groups)
            .map(|(g, n)| GroupReport {
                group: name(g.name),
                cases: *n,
            })
            .collect();
        let rules = program
            .rules
            .iter()
            .zip(&self.rules)
            .map(|(r, c)| {
                let due: u64 = Status::ALL
                    .iter()
                    .zip(c)
                    .filter(|(s, _)| s.is_due())
                    .map(|(_, n)| n)
                    .sum();
                let met = c.first().copied().unwrap_or(0);
                RuleReport {
                    rule: name(r.name),
                    statuses: Status::ALL
                        .iter()
                        .zip(c)
                        .map(|(s, n)| (s.as_str(), *n))
                        .collect(),
                    timeliness: (due > 0).then(|| met as f64 / due as f64),
                }
            })
            .collect();
        let targets = program
            .targets
            .iter()
            .zip(&self.targets)
            .zip(&self.target_sums)
            .map(|((t, c), sum)| {
                let share = (c[1] > 0).then(|| c[0] as f64 / c[1] as f64);
                let mut report = TargetReport {
                    target: name(t.name),
                    numerator: c[0],
                    denominator: c[1],
                    excluded: c[2],
                    share,
                    required_share: 0.0,
                    measure: None,
                    bound: None,
                    limit: None,
                    value: None,
                    attained: None,
                    parameter: None,
                    parameter_missing: false,
                    in_effect: true,
                    effective: None,
                };
                if t.effective.from.is_some() || t.effective.until.is_some() {
                    let date = |d: Option<i32>| {
                        d.map(|d| {
                            let mut v = Vec::new();
                            format_date(d, &mut v);
                            String::from_utf8_lossy(&v).into_owned()
                        })
                    };
                    report.effective = Some(EffectiveReport {
                        from: date(t.effective.from),
                        until: date(t.effective.until),
                    });
                }
                if !t.effective.contains(today) {
                    // out of effect: every case was not counted; nothing is judged
                    report.in_effect = false;
                    return report;
                }
                // a bound from a parameter: its value, or not measured
                let mut bound_value = None;
                if let Some(th) = t.threshold {
                    let param = program.params.get(usize::from(th.param));
                    report.parameter = param.map(|p| name(p.name));
                    let given = params.get(usize::from(th.param)).copied().flatten();
                    match (param, given) {
                        (Some(p), Some(v)) => bound_value = Some(th.at(p.real(v))),
                        _ => {
                            // nothing to compare with: reported, not judged
                            report.parameter_missing = true;
                            match t.kind {
                                TargetKind::Count { .. } => {
                                    report.measure = Some("count");
                                    report.value = Some(c[0] as f64);
                                }
                                TargetKind::Average { .. } => {
                                    report.measure = Some("average");
                                    report.value = (c[0] > 0)
                                        .then(|| *sum as f64 / c[0] as f64 / DECIMAL_SCALE as f64);
                                }
                                TargetKind::Share { .. } => {}
                            }
                            return report;
                        }
                    }
                }
                let clamp = |v: i128| v.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64;
                match t.kind {
                    TargetKind::Share { share } => {
                        let required = bound_value.map_or(share, clamp);
                        report.required_share = required as f64 / DECIMAL_SCALE as f64;
                        // exact: num / den >= share / SCALE without floats
                        report.attained = (c[1] > 0).then(|| {
                            u128::from(c[0]) * DECIMAL_SCALE as u128
                                >= u128::from(c[1]) * required.max(0) as u128
                        });
                    }
                    TargetKind::Count { bound, n } => {
                        // N in fixed point: a parameter's bound may be fractional
                        let n = bound_value.unwrap_or(i128::from(n) * i128::from(DECIMAL_SCALE));
                        report.measure = Some("count");
                        report.bound = Some(bound_word(bound));
                        report.limit = Some(n as f64 / DECIMAL_SCALE as f64);
                        report.value = Some(c[0] as f64);
                        // a count is measured even over an empty group
                        report.attained =
                            Some(bound.holds(i128::from(c[0]) * i128::from(DECIMAL_SCALE), n));
                    }
                    TargetKind::Average { bound, limit, .. } => {
                        let limit = bound_value.map_or(limit, clamp);
                        report.measure = Some("average");
                        report.bound = Some(bound_word(bound));
                        report.limit = Some(limit as f64 / DECIMAL_SCALE as f64);
                        // sum / den against limit, exact: sum against limit × den
                        report.value =
                            (c[0] > 0).then(|| *sum as f64 / c[0] as f64 / DECIMAL_SCALE as f64);
                        report.attained = (c[0] > 0)
                            .then(|| bound.holds(*sum, i128::from(limit) * i128::from(c[0])));
                    }
                }
                report
            })
            .collect();
        let start = monday(today);
        let workload = self
            .workload
            .iter()
            .map(|(&(week, rule, kind), &events)| {
                let week_start = start + 7 * week as i32;
                let k = program.schema.events.get(kind as usize);
                let mut ws = Vec::new();
                format_date(week_start, &mut ws);
                WorkloadReport {
                    week: iso_week(week_start),
                    week_start: String::from_utf8_lossy(&ws).into_owned(),
                    rule: program
                        .rules
                        .get(rule as usize)
                        .map(|r| name(r.name))
                        .unwrap_or_default(),
                    kind: k.map(|k| name(k.name)).unwrap_or_default(),
                    events,
                    minutes: k
                        .and_then(|k| k.cost_minutes)
                        .map(|m| events * u64::from(m)),
                }
            })
            .collect();
        Report {
            danish: program.meta.language == 1,
            forbids: program.rules.iter().any(|r| {
                r.body.iter().any(|b| {
                    matches!(
                        b,
                        Body::Require(req) if matches!(req.form, Form::Forbid { .. })
                    )
                })
            }),
            today: String::from_utf8_lossy(&today_s).into_owned(),
            rows: RowsReport {
                read: read.rows_read,
                evaluated: self.cases,
                rejected: read.rows_rejected,
            },
            groups,
            rules,
            targets,
            workload,
        }
    }
}

fn iso_week(day: i32) -> String {
    use chrono::Datelike;
    chrono::NaiveDate::from_ymd_opt(1970, 1, 1)
        .and_then(|e| e.checked_add_signed(chrono::TimeDelta::days(i64::from(day))))
        .map(|d| {
            let w = d.iso_week();
            format!("{}-W{:02}", w.year(), w.week())
        })
        .unwrap_or_default()
}

/// The aggregate report (`--aggregate` JSON).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The policy's keyword language is Danish: the human table speaks Danish.
    #[serde(skip)]
    pub danish: bool,
    /// The policy has a prohibition: the table shows the `violated` column
    /// (JSON always counts every status).
    #[serde(skip)]
    pub forbids: bool,
    pub today: String,
    pub rows: RowsReport,
    pub groups: Vec<GroupReport>,
    pub rules: Vec<RuleReport>,
    pub targets: Vec<TargetReport>,
    pub workload: Vec<WorkloadReport>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowsReport {
    pub read: u64,
    pub evaluated: u64,
    pub rejected: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupReport {
    pub group: String,
    pub cases: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleReport {
    pub rule: String,
    /// Cases per status word (every status, zeros included).
    pub statuses: BTreeMap<&'static str, u64>,
    /// met / (met + met_late + overdue); null when nothing has come due.
    pub timeliness: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetReport {
    pub target: String,
    /// `count` or `average`; absent for a share target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub measure: Option<&'static str>,
    /// The cases that satisfy (count, share) or that have a value (average).
    pub numerator: u64,
    pub denominator: u64,
    /// Left the denominator: exempt from a rule the target names, or (for
    /// an average) without a value.
    pub excluded: u64,
    pub share: Option<f64>,
    /// A share target's required share; 0 for count and average targets
    /// (their bound is `bound` and `limit`).
    pub required_share: f64,
    /// `at_most` or `at_least` (count and average targets).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bound: Option<&'static str>,
    /// The count's N, or the average's bound in the value's unit (days,
    /// months, or the number).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<f64>,
    /// The measured count, or the average (null over an empty group).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// null when nothing was measured (an empty denominator or average),
    /// or when the bound's parameter was not given.
    pub attained: Option<bool>,
    /// The parameter the bound is computed from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
    /// The bound's parameter was neither given nor defaulted: not judged.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub parameter_missing: bool,
    /// The evaluation date is outside the target's `effective` dates: no
    /// case counted, nothing judged (`attained` is null). Written only when
    /// false.
    #[serde(skip_serializing_if = "is_true")]
    pub in_effect: bool,
    /// A dated target's `effective from … until` (either may be null).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effective: Option<EffectiveReport>,
}

fn is_true(b: &bool) -> bool {
    *b
}

/// A dated target's range of evaluation dates, ISO dates; null is open.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EffectiveReport {
    pub from: Option<String>,
    pub until: Option<String>,
}

fn bound_word(b: Bound) -> &'static str {
    match b {
        Bound::AtMost => "at_most",
        Bound::AtLeast => "at_least",
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorkloadReport {
    /// ISO week, `2026-W11`; the first is today's week.
    pub week: String,
    /// Its Monday.
    pub week_start: String,
    pub rule: String,
    pub kind: String,
    pub events: u64,
    /// events × the kind's `costs`; null when the kind has no cost.
    pub minutes: Option<u64>,
}

fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "-".to_owned(), |v| format!("{:.1}%", v * 100.0))
}

impl Report {
    /// The same report as a plain fixed-width table.
    pub fn render_table(&self) -> String {
        let t = Words::of(self.danish);
        let mut s = String::new();
        s.push_str(&format!(
            "{} {}: {} {}, {} {}, {} {}\n\n",
            t.caseload_on,
            self.today,
            self.rows.read,
            t.rows_read,
            self.rows.evaluated,
            t.evaluated,
            self.rows.rejected,
            t.rejected
        ));
        let w = self
            .groups
            .iter()
            .map(|g| g.group.chars().count())
            .chain(self.rules.iter().map(|r| r.rule.chars().count()))
            .chain(self.targets.iter().map(|t| t.target.chars().count()))
            .chain([t.group, t.rule, t.target].map(|x| x.chars().count()))
            .max()
            .unwrap_or(8);
        s.push_str(&format!("{:<w$}  {:>9}\n", t.group, t.cases));
        for g in &self.groups {
            s.push_str(&format!("{:<w$}  {:>9}\n", g.group, g.cases));
        }
        s.push('\n');
        s.push_str(&format!("{:<w$}", t.rule));
        let shown = |st: &Status| self.forbids || *st != Status::Violated;
        for st in Status::ALL.iter().filter(|st| shown(st)) {
            s.push_str(&format!("  {:>9}", short(*st, self.danish)));
        }
        s.push_str(&format!("  {:>10}\n", t.on_time));
        for r in &self.rules {
            s.push_str(&format!("{:<w$}", r.rule));
            for st in Status::ALL.iter().filter(|st| shown(st)) {
                s.push_str(&format!(
                    "  {:>9}",
                    r.statuses.get(st.as_str()).copied().unwrap_or(0)
                ));
            }
            s.push_str(&format!("  {:>10}\n", pct(r.timeliness)));
        }
        if !self.targets.is_empty() {
            s.push('\n');
            s.push_str(&format!(
                "{:<w$}  {:>9}  {:>9}  {:>8}  {:>8}  {:>8}\n",
                t.target, t.satisfy, t.of, t.share, t.required, t.attained
            ));
            for target in &self.targets {
                let attained = match target.attained {
                    Some(true) => t.yes,
                    Some(false) => t.no,
                    None => "-",
                };
                // share targets show shares; count and average targets
                // show the measured value against their bound
                let (measured, required) = match (target.measure, target.bound, target.limit) {
                    _ if !target.in_effect => ("-".into(), "-".into()),
                    _ if target.parameter_missing => (
                        match (target.measure, target.value) {
                            (Some(_), None) => "-".into(),
                            (Some("count"), Some(v)) => format!("{v:.0}"),
                            (Some(_), Some(v)) => format!("{v:.1}"),
                            (None, _) => pct(target.share),
                        },
                        format!("{}?", target.parameter.as_deref().unwrap_or("")),
                    ),
                    (Some(m), Some(b), Some(l)) => {
                        let sign = if b == "at_most" { "<=" } else { ">=" };
                        let v = match (m, target.value) {
                            (_, None) => "-".to_owned(),
                            ("count", Some(v)) => format!("{v:.0}"),
                            (_, Some(v)) => format!("{v:.1}"),
                        };
                        let l = if m == "count" {
                            format!("{l:.0}")
                        } else {
                            format!("{l:.1}")
                        };
                        (v, format!("{sign} {l}"))
                    }
                    _ => (pct(target.share), pct(Some(target.required_share))),
                };
                s.push_str(&format!(
                    "{:<w$}  {:>9}  {:>9}  {:>8}  {:>8}  {:>8}\n",
                    target.target,
                    target.numerator,
                    target.denominator,
                    measured,
                    required,
                    attained
                ));
            }
            for target in self.targets.iter().filter(|x| !x.in_effect) {
                let range = target.effective.as_ref().map_or_else(String::new, |e| {
                    let d = |x: &Option<String>| x.clone().unwrap_or_else(|| "…".into());
                    format!("{} .. {}", d(&e.from), d(&e.until))
                });
                s.push_str(&if self.danish {
                    format!(
                        "  {}: ikke i kraft {} (gælder {range})\n",
                        target.target, self.today
                    )
                } else {
                    format!(
                        "  {}: not in effect on {} (effective {range})\n",
                        target.target, self.today
                    )
                });
            }
            for target in self.targets.iter().filter(|x| x.parameter_missing) {
                let p = target.parameter.as_deref().unwrap_or("");
                s.push_str(&if self.danish {
                    format!(
                        "  {}: ikke vurderet, parameteren `{p}` er ikke givet (--param {p}=…)\n",
                        target.target
                    )
                } else {
                    format!(
                        "  {}: not judged, parameter `{p}` not given (--param {p}=…)\n",
                        target.target
                    )
                });
            }
        }
        if !self.workload.is_empty() {
            s.push('\n');
            let kw = self
                .workload
                .iter()
                .map(|x| x.kind.chars().count())
                .max()
                .unwrap_or(4)
                .max(4);
            s.push_str(&format!(
                "{:<8}  {:<w$}  {:<kw$}  {:>9}  {:>9}\n",
                t.week, t.rule, t.kind, t.events, t.hours
            ));
            for x in &self.workload {
                let hours = x
                    .minutes
                    .map_or_else(|| "-".to_owned(), |m| format!("{:.1}", m as f64 / 60.0));
                s.push_str(&format!(
                    "{:<8}  {:<w$}  {:<kw$}  {:>9}  {:>9}\n",
                    x.week, x.rule, x.kind, x.events, hours
                ));
            }
        }
        s
    }
}

/// The words of the human table, in the policy's keyword language.
pub struct Words {
    pub caseload_on: &'static str,
    pub rows_read: &'static str,
    pub evaluated: &'static str,
    pub rejected: &'static str,
    pub group: &'static str,
    pub cases: &'static str,
    pub rule: &'static str,
    pub on_time: &'static str,
    pub target: &'static str,
    pub satisfy: &'static str,
    pub of: &'static str,
    pub share: &'static str,
    pub required: &'static str,
    pub attained: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    pub week: &'static str,
    pub kind: &'static str,
    pub events: &'static str,
    pub hours: &'static str,
}

const ENGLISH: Words = Words {
    caseload_on: "caseload on",
    rows_read: "rows read",
    evaluated: "evaluated",
    rejected: "rejected",
    group: "group",
    cases: "cases",
    rule: "rule",
    on_time: "on time",
    target: "target",
    satisfy: "satisfy",
    of: "of",
    share: "share",
    required: "required",
    attained: "attained",
    yes: "yes",
    no: "no",
    week: "week",
    kind: "kind",
    events: "events",
    hours: "hours",
};

const DANISH: Words = Words {
    caseload_on: "sager pr.",
    rows_read: "rækker læst",
    evaluated: "evalueret",
    rejected: "afvist",
    group: "målgruppe",
    cases: "sager",
    rule: "regel",
    on_time: "rettidigt",
    target: "mål",
    satisfy: "opfylder",
    of: "af",
    share: "andel",
    required: "krav",
    attained: "nået",
    yes: "ja",
    no: "nej",
    week: "uge",
    kind: "hændelse",
    events: "antal",
    hours: "timer",
};

impl Words {
    pub fn of(danish: bool) -> &'static Words {
        if danish {
            &DANISH
        } else {
            &ENGLISH
        }
    }
}

fn short(s: Status, danish: bool) -> &'static str {
    if danish {
        return match s {
            Status::Met => "opfyldt",
            Status::MetLate => "for sent",
            Status::Pending => "afventer",
            Status::Overdue => "overskr.",
            Status::Violated => "overtrådt",
            Status::Exempt => "fritaget",
            Status::NotApplicable => "i.r.",
        };
    }
    match s {
        Status::Met => "met",
        Status::MetLate => "late",
        Status::Pending => "pending",
        Status::Overdue => "overdue",
        Status::Violated => "violated",
        Status::Exempt => "exempt",
        Status::NotApplicable => "n/a",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_start_on_monday() {
        // 2026-03-10 is a Tuesday (day 20522); its Monday is 2026-03-09
        assert_eq!(monday(20522), 20521);
        assert_eq!(monday(20521), 20521);
        assert_eq!(iso_week(20521), "2026-W11");
    }
}
