//! The satisfiability search the analyses share: candidate values for each
//! field a condition reads (around the constants the policy mentions), and a
//! depth-first search in three-valued logic that prunes a branch as soon as a
//! condition is decided against the question. A condition (each conjunct of
//! an `and` on its own) is evaluated again only when a variable it reads is
//! assigned, and below a variable nothing reads (often the evaluation date)
//! the search runs once, not once per candidate; the answers, examples and
//! budget are those of the plain search.
//!
//! This file holds the candidate values (`Space`) and the examples shown in
//! warnings; `search/question.rs` is the search itself, `search/eval.rs`
//! the three-valued evaluator it runs, and `search/exclusive.rs` the quick
//! test for conditions that contradict each other outright.

use std::collections::BTreeSet;

use pol_runtime::bytecode::program::{Dur, NONE};
use pol_runtime::vm::dates;

use super::super::ir::{ConditionIr, TExpr, TExprKind, Ty};
use super::super::items::Checker;
use crate::syntax::span::Span;

mod eval;
mod exclusive;
mod question;

use eval::Memo;
pub(super) use exclusive::exclusive;
use question::vars_read;

/// The evaluation date the search uses; any date works, since conditions
/// only relate case dates to `today` and to each other.
pub(super) const TODAY: i64 = 20_454; // 2026-01-01

/// Candidate values per case field, for the searches.
pub(super) struct Space {
    candidates: Vec<Vec<i64>>,
    /// Candidate evaluation dates: the search's own, and both sides of
    /// every date the conditions name (`today >= 2012-03-01`).
    todays: Vec<i64>,
    /// Candidate dates and numbers, for event aggregates.
    dates: Vec<i64>,
    /// How each candidate date was built, for examples: `today - 6 months`.
    date_labels: std::collections::BTreeMap<i64, String>,
    numbers: Vec<i64>,
    /// For periods fields: whether a period covers the search's `today`.
    period_fields: Vec<usize>,
    /// Calendar results the searches compute over and over (the same ages
    /// of the same candidate dates, in every question).
    memo: Memo,
}

/// What a search found.
pub(super) enum Search {
    /// An assignment satisfying the question.
    Found(Example),
    /// Every candidate combination was tried; none satisfies it.
    Never,
    /// The search gave up before trying every combination.
    Unknown,
}

impl Search {
    pub(super) fn never(&self) -> bool {
        matches!(self, Search::Never)
    }
}

/// One assignment of field values (periods fields: 1 = a period covers
/// today) and of the event aggregates the conditions read.
pub(super) struct Example {
    fields: Vec<i64>,
    aggs: Vec<(Span, i64)>,
}

impl Space {
    pub(super) fn new(c: &Checker<'_>) -> Space {
        let mut consts = Consts::default();
        for g in &c.checked.groups {
            consts.scan(&g.pred);
        }
        for r in &c.checked.rules {
            if let Some(w) = &r.when {
                consts.scan(w);
            }
        }
        for e in &c.checked.exemptions {
            if let ConditionIr::When(w) = &e.condition {
                consts.scan(w);
            }
            if let Some(u) = &e.unless {
                consts.scan(u);
            }
        }
        let birth = c.checked.birth_field;
        let mut labels: std::collections::BTreeMap<i64, String> = std::collections::BTreeMap::new();
        labels.insert(TODAY, "today".to_string());
        for d in &consts.durs {
            for (sign, dd) in [("-", neg(*d)), ("+", *d)] {
                let Some(x) = dates::add_dur(TODAY, dd) else {
                    continue;
                };
                let unit = dur_words(*d);
                labels
                    .entry(x - 1)
                    .or_insert(format!("today {sign} {unit} - 1 day"));
                labels.entry(x).or_insert(format!("today {sign} {unit}"));
                labels
                    .entry(x + 1)
                    .or_insert(format!("today {sign} {unit} + 1 day"));
            }
        }
        for d in &consts.dates {
            for (x, label) in [
                (d - 1, "the day before "),
                (*d, ""),
                (d + 1, "the day after "),
            ] {
                let shown = pol_runtime::vm::dates::format_day(*d as i32);
                labels.entry(x).or_insert(format!("{label}{shown}"));
            }
        }
        if birth.is_some() {
            // Ages on both sides of every number the conditions name, and
            // one ordinary adult age for examples.
            for a in consts.ints.iter().chain(std::iter::once(&40)) {
                let Some(x) = dates::add_months(TODAY, -a * 12) else {
                    continue;
                };
                labels
                    .entry(x - 1)
                    .or_insert(format!("today - {a} years - 1 day"));
                labels.entry(x).or_insert(format!("today - {a} years"));
                labels
                    .entry(x + 1)
                    .or_insert(format!("today - {a} years + 1 day"));
            }
        }
        let mut candidates = Vec::new();
        let mut period_fields = Vec::new();
        for (i, f) in c.checked.fields.iter().enumerate() {
            let mut vals: BTreeSet<i64> = BTreeSet::new();
            match f.ty {
                Ty::Bool => {
                    vals.extend([0, 1]);
                }
                Ty::Enum(e) => {
                    let n = c
                        .checked
                        .enums
                        .get(e)
                        .map(|x| x.variants.len())
                        .unwrap_or(1);
                    vals.extend(0..n as i64);
                }
                Ty::Date => {
                    vals.extend(labels.keys().copied());
                }
                Ty::Int | Ty::Decimal | Ty::Percent | Ty::Days | Ty::Months => {
                    vals.insert(0);
                    for n in consts.ints.iter().chain(consts.scaled.iter()) {
                        vals.extend([n - 1, *n, n + 1]);
                    }
                }
                Ty::Text => {
                    vals.insert(0);
                    vals.extend(consts.texts.iter().copied());
                }
                Ty::Periods => {
                    period_fields.push(i);
                    vals.extend([0, 1]);
                }
                Ty::EnumSet(_) | Ty::Error => {
                    vals.insert(0);
                }
            }
            if f.optional {
                vals.insert(NONE);
            }
            // Nearest to today first, so examples read naturally.
            let mut vals: Vec<i64> = vals.into_iter().collect();
            if f.ty == Ty::Date {
                // A birth date reads best as an adult's: prefer ages near 40.
                let centre = if Some(i) == birth {
                    dates::add_months(TODAY, -40 * 12).unwrap_or(TODAY)
                } else {
                    TODAY
                };
                vals.sort_by_key(|v| {
                    if *v == NONE {
                        i64::MAX
                    } else {
                        (v - centre).abs()
                    }
                });
            }
            candidates.push(vals);
        }
        let mut dates: Vec<i64> = labels.keys().copied().collect();
        dates.sort_by_key(|v| (v - TODAY).abs());
        let mut numbers: BTreeSet<i64> = BTreeSet::from([0, 1]);
        for n in consts.ints.iter().chain(consts.scaled.iter()) {
            numbers.extend([n - 1, *n, n + 1]);
        }
        let mut todays = vec![TODAY];
        for d in &consts.dates {
            todays.extend([d - 1, *d, d + 1]);
        }
        Space {
            candidates,
            todays,
            dates,
            date_labels: labels,
            numbers: numbers.into_iter().collect(),
            period_fields,
            memo: Memo::new(),
        }
    }
    /// Values an event aggregate may take in the search.
    fn agg_candidates(&self, ty: Ty) -> Vec<i64> {
        match ty {
            Ty::Date => {
                let mut v = self.dates.clone();
                v.push(NONE);
                v
            }
            _ => self.numbers.clone(),
        }
    }

    /// The fields the conditions read, with their example values.
    pub(super) fn describe(&self, c: &Checker<'_>, example: &Example, exprs: &[&TExpr]) -> String {
        let mut used = BTreeSet::new();
        let mut aggs = Vec::new();
        for e in exprs {
            vars_read(e, c.checked.birth_field, &mut used, &mut aggs);
        }
        let mut parts = Vec::new();
        for f in used {
            let (Some(field), Some(v)) = (c.checked.fields.get(f), example.fields.get(f)) else {
                continue;
            };
            let shown = match field.ty {
                _ if *v == NONE => "absent".to_string(),
                Ty::Bool => if *v == 1 { "true" } else { "false" }.to_string(),
                Ty::Enum(e) => c
                    .checked
                    .enums
                    .get(e)
                    .and_then(|en| en.variants.get(*v as usize))
                    .cloned()
                    .unwrap_or_default(),
                Ty::Date if Some(f) == c.checked.birth_field => {
                    let age = dates::age_on(*v, TODAY).unwrap_or(0);
                    parts.push(format!("age {age}"));
                    continue;
                }
                Ty::Date => self
                    .date_labels
                    .get(v)
                    .cloned()
                    .unwrap_or_else(|| describe_offset(*v)),
                Ty::Periods => if *v == 1 {
                    "running today"
                } else {
                    "none today"
                }
                .to_string(),
                Ty::Decimal | Ty::Percent => format!("{}", *v as f64 / 10_000.0),
                _ => v.to_string(),
            };
            parts.push(format!("{} = {shown}", field.name));
        }
        for (span, v) in &example.aggs {
            let ty = aggs.iter().find(|(s, _)| s == span).map(|(_, t)| *t);
            let shown = match (ty, self.date_labels.get(v)) {
                _ if *v == NONE => "none".to_string(),
                (Some(Ty::Date), Some(label)) => label.clone(),
                (Some(Ty::Decimal), _) => format!("{}", *v as f64 / 10_000.0),
                _ => v.to_string(),
            };
            parts.push(format!("`{}` = {shown}", c.sources.slice(*span)));
        }
        if parts.is_empty() {
            "any values".to_string()
        } else {
            parts.join(", ")
        }
    }
}

fn describe_offset(day: i64) -> String {
    let d = day - TODAY;
    match d {
        0 => "today".to_string(),
        d if d < 0 => format!("{} days before today", -d),
        d => format!("{d} days after today"),
    }
}

fn dur_words(d: Dur) -> String {
    match d {
        Dur::Days(n) if n % 7 == 0 => format!("{} weeks", n / 7),
        Dur::Days(n) => format!("{n} days"),
        Dur::Months(n) if n % 12 == 0 => format!("{} years", n / 12),
        Dur::Months(n) => format!("{n} months"),
    }
}

fn neg(d: Dur) -> Dur {
    match d {
        Dur::Days(n) => Dur::Days(-n),
        Dur::Months(n) => Dur::Months(-n),
    }
}

/// Constants a policy's conditions mention.
#[derive(Default)]
struct Consts {
    durs: BTreeSet<Dur>,
    dates: BTreeSet<i64>,
    ints: BTreeSet<i64>,
    scaled: BTreeSet<i64>,
    texts: BTreeSet<i64>,
}

impl Consts {
    fn scan(&mut self, e: &TExpr) {
        match &e.kind {
            TExprKind::Const(v) => match e.ty {
                Ty::Days => {
                    self.durs.insert(Dur::Days(*v as i32));
                }
                Ty::Months => {
                    self.durs.insert(Dur::Months(*v as i32));
                }
                Ty::Date => {
                    self.dates.insert(*v);
                }
                Ty::Int => {
                    self.ints.insert(*v);
                }
                Ty::Decimal | Ty::Percent => {
                    self.scaled.insert(*v);
                }
                Ty::Text => {
                    self.texts.insert(*v);
                }
                _ => {}
            },
            TExprKind::AgeOn(x)
            | TExprKind::IsPresent(x)
            | TExprKind::Not(x)
            | TExprKind::Neg(x)
            | TExprKind::IntToDec(x) => self.scan(x),
            TExprKind::InSet(x, _) | TExprKind::InPeriods(x, _) => self.scan(x),
            TExprKind::Binary(_, a, b) => {
                self.scan(a);
                self.scan(b);
            }
            _ => {}
        }
    }
}
