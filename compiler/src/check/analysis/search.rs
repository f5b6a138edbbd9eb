//! The satisfiability search the analyses share: candidate values for each
//! field a condition reads (around the constants the policy mentions), and a
//! depth-first search in three-valued logic that prunes a branch as soon as a
//! condition is decided against the question. A condition (each conjunct of
//! an `and` on its own) is evaluated again only when a variable it reads is
//! assigned, and below a variable nothing reads (often the evaluation date)
//! the search runs once, not once per candidate; the answers, examples and
//! budget are those of the plain search.

use std::cell::Cell;
use std::collections::BTreeSet;

use pol_runtime::bytecode::program::{Dur, NONE};
use pol_runtime::vm::dates;

use super::super::ir::{BinOp, ConditionIr, TExpr, TExprKind, Ty};
use super::super::items::Checker;
use crate::syntax::span::Span;

/// The evaluation date the search uses; any date works, since conditions
/// only relate case dates to `today` and to each other.
pub(super) const TODAY: i64 = 20_454; // 2026-01-01

/// How many combinations one question may try.
const SEARCH_LIMIT: usize = 20_000;

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

    /// An assignment under which every `all` holds and every `none` fails.
    /// Event aggregates (`count(...)`, `first(...)`) are free variables.
    pub(super) fn find(&self, c: &Checker<'_>, all: &[&TExpr], none: &[&TExpr]) -> Search {
        let mut used = BTreeSet::new();
        let mut aggs: Vec<(Span, Ty)> = Vec::new();
        for e in all.iter().chain(none.iter()) {
            vars_read(e, c.checked.birth_field, &mut used, &mut aggs);
        }
        // The variables, smallest domains first, so that enum and flag
        // tests prune early.
        let mut vars: Vec<(Var, Vec<i64>)> = used
            .iter()
            .map(|f| {
                (
                    Var::Field(*f),
                    self.candidates.get(*f).cloned().unwrap_or_default(),
                )
            })
            .chain(
                aggs.iter()
                    .enumerate()
                    .map(|(a, (_, ty))| (Var::Agg(a), self.agg_candidates(*ty))),
            )
            .chain(std::iter::once((Var::Today, self.todays.clone())))
            .collect();
        vars.sort_by_key(|(_, cands)| cands.len());
        let mut state = State {
            fields: vec![UNKNOWN; c.checked.fields.len()],
            aggs: aggs.iter().map(|(s, _)| (*s, UNKNOWN)).collect(),
            today: UNKNOWN,
        };
        let mut budget = SEARCH_LIMIT;
        let q = Question::new(all, none, self, c);
        // Which conjuncts each variable can change: a conjunct's value
        // depends on the variables it reads and nothing else.
        let readers: Vec<Vec<usize>> = vars
            .iter()
            .map(|(var, _)| {
                q.parts
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| reads(p.expr, *var, &aggs, c.checked.birth_field))
                    .map(|(i, _)| i)
                    .collect()
            })
            .collect();
        // The conjuncts' values with nothing assigned, then one row per
        // search depth.
        let n = q.parts.len();
        let mut values = vec![UNKNOWN_VALUE; n * (vars.len() + 1)];
        for (slot, part) in values.iter_mut().zip(&q.parts) {
            *slot = q.eval(&state, part);
        }
        let levels = Levels {
            vars: &vars,
            readers: &readers,
        };
        match q.search(&levels, 0, &mut state, &mut values, &mut budget) {
            Some(true) => Search::Found(Example {
                fields: state
                    .fields
                    .iter()
                    .enumerate()
                    .map(|(i, v)| {
                        if *v == UNKNOWN {
                            self.candidates
                                .get(i)
                                .and_then(|c| c.first().copied())
                                .unwrap_or(0)
                        } else {
                            *v
                        }
                    })
                    .collect(),
                aggs: state.aggs,
            }),
            Some(false) => Search::Never,
            None => Search::Unknown,
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

/// Whether no case can satisfy every one of `all` because two of their
/// conjuncts contradict each other whatever the values: the same two sides
/// compared both ways (`age < 30`, `age >= 30`), or the same side equal to
/// two different constants. Groups are usually kept apart like this, and
/// the search would otherwise try every candidate of the fields involved to
/// find nothing.
pub(super) fn exclusive(all: &[&TExpr]) -> bool {
    let mut parts = Vec::new();
    for e in all {
        and_operands(e, &mut parts);
    }
    parts.iter().enumerate().any(|(i, a)| {
        parts
            .iter()
            .skip(i + 1)
            .any(|b| never_both(a, b) || never_both(b, a))
    })
}

fn and_operands<'a>(e: &'a TExpr, out: &mut Vec<&'a TExpr>) {
    if let TExprKind::Binary(BinOp::And, a, b) = &e.kind {
        and_operands(a, out);
        and_operands(b, out);
    } else {
        out.push(e);
    }
}

/// Two comparisons that are never both true: a comparison is false when a
/// side is absent, and of two values `x < y` and `x >= y` (and so on) hold
/// one at a time.
fn never_both(a: &TExpr, b: &TExpr) -> bool {
    let (TExprKind::Binary(p, l1, r1), TExprKind::Binary(q, l2, r2)) = (&a.kind, &b.kind) else {
        return false;
    };
    if !same_value(l1, l2) {
        return false;
    }
    use BinOp::*;
    match (p, q) {
        (Lt, Ge | Gt | Eq) | (Gt, Le | Eq) | (Eq, Ne) => same_value(r1, r2),
        (Eq, Eq) => matches!(
            (&r1.kind, &r2.kind),
            (TExprKind::Const(x), TExprKind::Const(y)) if x != y
        ),
        _ => false,
    }
}

/// Whether `a` and `b` take the same value under every assignment of the
/// search: the same expression, wherever written. Aggregates are variables
/// of their own, told apart by where they are written (as `Env::eval` does).
fn same_value(a: &TExpr, b: &TExpr) -> bool {
    use TExprKind::*;
    match (&a.kind, &b.kind) {
        (Const(x), Const(y)) => x == y,
        (Field(f), Field(g)) => f == g,
        (Today, Today) => true,
        (AgeOn(x), AgeOn(y))
        | (IsPresent(x), IsPresent(y))
        | (Not(x), Not(y))
        | (Neg(x), Neg(y))
        | (IntToDec(x), IntToDec(y)) => same_value(x, y),
        (Binary(p, x1, y1), Binary(q, x2, y2)) => {
            p == q && same_value(x1, x2) && same_value(y1, y2)
        }
        (InSet(x, m), InSet(y, n)) => m == n && same_value(x, y),
        (InPeriods(x, f), InPeriods(y, g)) => f == g && same_value(x, y),
        (Agg { .. }, Agg { .. }) => a.span == b.span,
        _ => false,
    }
}

/// Collects the case fields and the event aggregates `e` reads.
fn vars_read(
    e: &TExpr,
    birth: Option<usize>,
    out: &mut BTreeSet<usize>,
    aggs: &mut Vec<(Span, Ty)>,
) {
    match &e.kind {
        TExprKind::Field(f) => {
            out.insert(*f);
        }
        TExprKind::InPeriods(x, f) => {
            out.insert(*f);
            vars_read(x, birth, out, aggs);
        }
        TExprKind::AgeOn(x) => {
            // `age` reads the birth date too.
            out.extend(birth);
            vars_read(x, birth, out, aggs);
        }
        TExprKind::IsPresent(x)
        | TExprKind::Not(x)
        | TExprKind::Neg(x)
        | TExprKind::IntToDec(x)
        | TExprKind::InSet(x, _) => vars_read(x, birth, out, aggs),
        TExprKind::Binary(_, a, b) => {
            vars_read(a, birth, out, aggs);
            vars_read(b, birth, out, aggs);
        }
        TExprKind::Agg { .. } => {
            if !aggs.iter().any(|(s, _)| *s == e.span) {
                aggs.push((e.span, e.ty));
            }
        }
        TExprKind::RuleMet(_)
        | TExprKind::RuleOnTime(_)
        | TExprKind::EvField(_)
        | TExprKind::EvDate
        | TExprKind::Error
        | TExprKind::Const(_)
        | TExprKind::Today => {}
    }
}

/// A value not yet chosen by the search. Never a real value: real values
/// are days, small numbers, scaled decimals, hashes or `NONE`.
const UNKNOWN: i64 = i64::MIN + 1;

/// A search variable.
#[derive(Debug, Clone, Copy)]
enum Var {
    Field(usize),
    Agg(usize),
    Today,
}

/// The search's partial assignment.
struct State {
    fields: Vec<i64>,
    aggs: Vec<(Span, i64)>,
    today: i64,
}

/// One satisfiability question: every `all` holds, no `none` holds.
///
/// A condition that is an `and` is kept as its conjuncts, each evaluated on
/// its own, so that assigning a variable evaluates only the conjuncts that
/// read it; the condition's value is folded from theirs exactly as
/// `Env::eval` folds an `and`.
struct Question<'a> {
    /// Every condition's conjuncts, the `all` conditions' first.
    parts: Vec<Part<'a>>,
    /// Per condition, its conjuncts in `parts`, `all` conditions first.
    conds: Vec<Cond>,
    all: usize,
    period_fields: &'a [usize],
    birth: Option<usize>,
    memo: &'a Memo,
}

struct Part<'a> {
    expr: &'a TExpr,
    /// The conjunct has no node that fails to evaluate, so a decided side
    /// of an `and`/`or` inside it decides that operator alone.
    short_circuit: bool,
}

struct Cond {
    parts: std::ops::Range<usize>,
    /// An `and` of its parts (otherwise one part, taken as it is).
    and: bool,
}

/// The search's variables in order, and for each the conjuncts that read it.
struct Levels<'a> {
    vars: &'a [(Var, Vec<i64>)],
    readers: &'a [Vec<usize>],
}

/// A conjunct's value: `None` when it cannot be evaluated, `Some(UNKNOWN)`
/// while a variable it reads is unassigned.
type Value = Option<i64>;
const UNKNOWN_VALUE: Value = Some(UNKNOWN);

impl<'a> Question<'a> {
    fn new(
        all: &[&'a TExpr],
        none: &[&'a TExpr],
        space: &'a Space,
        c: &Checker<'_>,
    ) -> Question<'a> {
        let mut parts = Vec::new();
        let mut conds = Vec::new();
        for e in all.iter().chain(none.iter()) {
            let start = parts.len();
            conjuncts(e, &mut parts, c.checked.fields.len());
            conds.push(Cond {
                parts: start..parts.len(),
                and: matches!(e.kind, TExprKind::Binary(BinOp::And, _, _)),
            });
        }
        Question {
            parts,
            conds,
            all: all.len(),
            period_fields: &space.period_fields,
            birth: c.checked.birth_field,
            memo: &space.memo,
        }
    }

    /// Depth-first over the variables from `depth` on; a branch ends as
    /// soon as a condition is decided against the question. `values` holds
    /// one row of conjunct values per depth; row `depth` is current.
    /// `Some(found)`, or `None` when the budget ran out.
    ///
    /// Only the conjuncts that read a variable are evaluated again when it
    /// is assigned; the others keep their value from the row above.
    fn search(
        &self,
        levels: &Levels<'_>,
        depth: usize,
        state: &mut State,
        values: &mut [Value],
        budget: &mut usize,
    ) -> Option<bool> {
        let n = self.parts.len();
        let (Some((var, cands)), Some(readers)) =
            (levels.vars.get(depth), levels.readers.get(depth))
        else {
            let row = values.get(depth * n..(depth + 1) * n).unwrap_or(&[]);
            return Some(self.verdict(row) == Some(true));
        };
        if readers.is_empty() {
            // Nothing reads this variable (the evaluation date, when
            // nothing compares with it): every candidate leads to the same
            // verdicts and the same subtree. Search the subtree once and
            // charge the budget as if each candidate had been tried.
            return self.search_unread(levels, depth, state, values, budget);
        }
        for v in cands {
            *budget = budget.checked_sub(1)?;
            set(state, *var, *v);
            let (above, below) = values.split_at_mut((depth + 1) * n);
            if let (Some(here), Some(next)) = (above.get(depth * n..), below.get_mut(..n)) {
                next.copy_from_slice(here);
                for &i in readers {
                    if let (Some(slot), Some(part)) = (next.get_mut(i), self.parts.get(i)) {
                        *slot = self.eval(state, part);
                    }
                }
                if self.verdict(next) == Some(false) {
                    continue;
                }
            }
            if self.search(levels, depth + 1, state, values, budget)? {
                return Some(true);
            }
        }
        set(state, *var, UNKNOWN);
        Some(false)
    }

    /// `search` at a variable no condition reads. Trying its candidates one
    /// by one would repeat the same subtree for each; the outcome and the
    /// budget spent are those of that loop.
    fn search_unread(
        &self,
        levels: &Levels<'_>,
        depth: usize,
        state: &mut State,
        values: &mut [Value],
        budget: &mut usize,
    ) -> Option<bool> {
        let n = self.parts.len();
        let Some((var, cands)) = levels.vars.get(depth) else {
            return Some(false);
        };
        let Some(first) = cands.first() else {
            return Some(false);
        };
        let (above, below) = values.split_at_mut((depth + 1) * n);
        let here = above.get(depth * n..).unwrap_or(&[]);
        if let Some(next) = below.get_mut(..n) {
            next.copy_from_slice(here);
        }
        let refused = self.verdict(here) == Some(false);
        if refused {
            // every candidate is tried and refused
            *budget = budget.checked_sub(cands.len())?;
            return Some(false);
        }
        *budget = budget.checked_sub(1)?;
        set(state, *var, *first);
        let before = *budget;
        if self.search(levels, depth + 1, state, values, budget)? {
            return Some(true);
        }
        let each = 1 + (before - *budget);
        *budget = budget.checked_sub(each.checked_mul(cands.len() - 1)?)?;
        set(state, *var, UNKNOWN);
        Some(false)
    }

    /// `Some(true)`: the question holds; `Some(false)`: it cannot hold with
    /// what is assigned; `None`: undecided yet.
    fn verdict(&self, row: &[Value]) -> Option<bool> {
        let mut decided = true;
        for (i, cond) in self.conds.iter().enumerate() {
            let parts = row.get(cond.parts.clone()).unwrap_or(&[]);
            let value = if cond.and {
                fold_and(parts)
            } else {
                parts.first().copied().flatten()
            };
            let holds = match value {
                Some(UNKNOWN) | None => {
                    decided = false;
                    continue;
                }
                Some(1) => true,
                Some(_) => false,
            };
            // `all` conditions must hold, `none` conditions must not
            if holds != (i < self.all) {
                return Some(false);
            }
        }
        decided.then_some(true)
    }

    /// The value of one conjunct under the partial assignment.
    fn eval(&self, state: &State, part: &Part<'_>) -> Value {
        let env = Env {
            today: state.today,
            fields: &state.fields,
            aggs: &state.aggs,
            period_fields: self.period_fields,
            birth: self.birth,
            short_circuit: part.short_circuit,
            memo: self.memo,
        };
        env.eval(part.expr)
    }
}

/// `e`'s conjuncts: the operands of a tree of `and`s, left to right.
fn conjuncts<'a>(e: &'a TExpr, out: &mut Vec<Part<'a>>, fields: usize) {
    if let TExprKind::Binary(BinOp::And, a, b) = &e.kind {
        conjuncts(a, out, fields);
        conjuncts(b, out, fields);
    } else {
        out.push(Part {
            expr: e,
            short_circuit: !eval_fails(e, fields),
        });
    }
}

/// The value `Env::eval` gives a tree of `and`s, from its conjuncts'
/// values: it fails if one fails, is false if one is decided false,
/// unknown if one is unknown, true otherwise.
fn fold_and(parts: &[Value]) -> Value {
    let known = || parts.iter().flatten().copied();
    if parts.iter().any(Option::is_none) {
        None
    } else if known().any(|x| x != UNKNOWN && !truthy(x)) {
        Some(0)
    } else if known().any(|x| x == UNKNOWN) {
        Some(UNKNOWN)
    } else {
        Some(1)
    }
}

/// Whether expression `e` reads search variable `var`.
fn reads(e: &TExpr, var: Var, aggs: &[(Span, Ty)], birth: Option<usize>) -> bool {
    let here = match (&e.kind, var) {
        (TExprKind::Field(f), Var::Field(g)) => *f == g,
        (TExprKind::InPeriods(_, f), Var::Field(g)) => *f == g,
        (TExprKind::AgeOn(_), Var::Field(g)) => birth == Some(g),
        (TExprKind::Today | TExprKind::InPeriods(..), Var::Today) => true,
        (TExprKind::Agg { .. }, Var::Agg(a)) => {
            // `Env::eval` takes the first aggregate with this span
            aggs.iter().position(|(s, _)| *s == e.span) == Some(a)
        }
        _ => false,
    };
    here || children(e).any(|x| reads(x, var, aggs, birth))
}

/// Whether `Env::eval` fails on `e`: on nodes a case condition cannot
/// hold, whatever is assigned.
fn eval_fails(e: &TExpr, fields: usize) -> bool {
    match e.kind {
        TExprKind::RuleMet(_) | TExprKind::EvField(_) | TExprKind::EvDate | TExprKind::Error => {
            true
        }
        TExprKind::Field(f) => f >= fields,
        _ => children(e).any(|x| eval_fails(x, fields)),
    }
}

/// The operands `Env::eval` evaluates (an aggregate's filter and window
/// are not: the aggregate is a variable of its own).
fn children(e: &TExpr) -> impl Iterator<Item = &TExpr> {
    let (a, b): (Option<&TExpr>, Option<&TExpr>) = match &e.kind {
        TExprKind::AgeOn(x)
        | TExprKind::IsPresent(x)
        | TExprKind::Not(x)
        | TExprKind::Neg(x)
        | TExprKind::IntToDec(x)
        | TExprKind::InSet(x, _)
        | TExprKind::InPeriods(x, _) => (Some(x), None),
        TExprKind::Binary(_, x, y) => (Some(x), Some(y)),
        _ => (None, None),
    };
    a.into_iter().chain(b)
}

fn set(state: &mut State, var: Var, v: i64) {
    match var {
        Var::Field(f) => {
            if let Some(slot) = state.fields.get_mut(f) {
                *slot = v;
            }
        }
        Var::Agg(a) => {
            if let Some(slot) = state.aggs.get_mut(a) {
                slot.1 = v;
            }
        }
        Var::Today => state.today = v,
    }
}

/// A case-level evaluator for the search; aggregates take assigned values,
/// and anything not yet assigned is `UNKNOWN` (three-valued logic).
struct Env<'a> {
    today: i64,
    fields: &'a [i64],
    aggs: &'a [(Span, i64)],
    period_fields: &'a [usize],
    birth: Option<usize>,
    /// The expression has no node that fails to evaluate, so a decided
    /// side of `and`/`or` decides the whole without the other side.
    short_circuit: bool,
    memo: &'a Memo,
}

impl Env<'_> {
    fn eval(&self, e: &TExpr) -> Option<i64> {
        let unknown = |v: i64| v == UNKNOWN;
        Some(match &e.kind {
            TExprKind::Const(v) => *v,
            TExprKind::Field(f) => *self.fields.get(*f)?,
            TExprKind::Today => self.today,
            TExprKind::AgeOn(d) => {
                let on = self.eval(d)?;
                let birth = self
                    .birth
                    .and_then(|b| self.fields.get(b).copied())
                    .unwrap_or(NONE);
                if unknown(on) || unknown(birth) {
                    UNKNOWN
                } else if on == NONE || birth == NONE {
                    NONE
                } else {
                    self.memo.age_on(birth, on)
                }
            }
            TExprKind::IsPresent(x) => match self.eval(x)? {
                UNKNOWN => UNKNOWN,
                v => i64::from(v != NONE),
            },
            TExprKind::Not(x) => match self.eval(x)? {
                UNKNOWN => UNKNOWN,
                v => i64::from(!truthy(v)),
            },
            TExprKind::Neg(x) => match self.eval(x)? {
                v if v == UNKNOWN || v == NONE => v,
                v => -v,
            },
            TExprKind::IntToDec(x) => match self.eval(x)? {
                v if v == UNKNOWN || v == NONE => v,
                v => v.saturating_mul(10_000),
            },
            TExprKind::InSet(x, mask) => match self.eval(x)? {
                UNKNOWN => UNKNOWN,
                v => i64::from((0..64).contains(&v) && mask & (1u64 << v) != 0),
            },
            TExprKind::InPeriods(x, f) => {
                let d = self.eval(x)?;
                let held = self.fields.get(*f).copied().unwrap_or(0);
                if unknown(d) || unknown(held) || unknown(self.today) {
                    UNKNOWN
                } else {
                    // The search models one period covering `today`.
                    i64::from(self.period_fields.contains(f) && held == 1 && d == self.today)
                }
            }
            TExprKind::Binary(op, a, b) => {
                let x = self.eval(a)?;
                if self.short_circuit && !unknown(x) {
                    match op {
                        BinOp::And if !truthy(x) => return Some(0),
                        BinOp::Or if truthy(x) => return Some(1),
                        _ => {}
                    }
                }
                let y = self.eval(b)?;
                match op {
                    BinOp::And if (!unknown(x) && !truthy(x)) || (!unknown(y) && !truthy(y)) => 0,
                    BinOp::Or if (!unknown(x) && truthy(x)) || (!unknown(y) && truthy(y)) => 1,
                    _ if unknown(x) || unknown(y) => UNKNOWN,
                    BinOp::AddMonths if x != NONE && y != NONE => self.memo.add_months(x, y),
                    BinOp::SubMonths if x != NONE && y != NONE => {
                        self.memo.add_months(x, y.saturating_neg())
                    }
                    _ => binary(*op, x, y),
                }
            }
            TExprKind::Agg { .. } => self.aggs.iter().find(|(s, _)| *s == e.span)?.1,
            _ => return None,
        })
    }
}

/// Remembered results of the calendar functions the searches call with
/// the same arguments again and again: a direct-mapped table per function,
/// so a lookup is one slot; a slot holds the last arguments that hashed to
/// it, and a miss just computes (and keeps) the result.
struct Memo {
    ages: Vec<Cell<(i64, i64, i64)>>,
    months: Vec<Cell<(i64, i64, i64)>>,
}

const MEMO_SLOTS: usize = 1024;

impl Memo {
    fn new() -> Memo {
        // UNKNOWN is never an argument: the callers have real values
        let empty = Cell::new((UNKNOWN, UNKNOWN, UNKNOWN));
        Memo {
            ages: vec![empty.clone(); MEMO_SLOTS],
            months: vec![empty; MEMO_SLOTS],
        }
    }

    /// `dates::age_on`, absent outside the calendar's range.
    fn age_on(&self, birth: i64, on: i64) -> i64 {
        Self::recall(&self.ages, birth, on, |b, o| {
            dates::age_on(b, o).unwrap_or(NONE)
        })
    }

    /// `dates::add_months`, absent outside the calendar's range.
    fn add_months(&self, day: i64, months: i64) -> i64 {
        Self::recall(&self.months, day, months, |d, m| {
            dates::add_months(d, m).unwrap_or(NONE)
        })
    }

    fn recall(table: &[Cell<(i64, i64, i64)>], a: i64, b: i64, f: impl Fn(i64, i64) -> i64) -> i64 {
        let hash = (a as u64)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .rotate_left(17)
            ^ (b as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
        let slot = table.get((hash >> 54) as usize % MEMO_SLOTS);
        match slot.map(Cell::get) {
            Some((x, y, v)) if x == a && y == b => v,
            _ => {
                let v = f(a, b);
                if let Some(slot) = slot {
                    slot.set((a, b, v));
                }
                v
            }
        }
    }
}

/// True is neither 0 nor absent (as in the runtime).
fn truthy(v: i64) -> bool {
    v != 0 && v != NONE
}

fn binary(op: BinOp, x: i64, y: i64) -> i64 {
    let none = x == NONE || y == NONE;
    match op {
        BinOp::And => i64::from(truthy(x) && truthy(y)),
        BinOp::Or => i64::from(truthy(x) || truthy(y)),
        BinOp::Eq => i64::from(!none && x == y),
        BinOp::Ne => i64::from(!none && x != y),
        BinOp::Lt => i64::from(!none && x < y),
        BinOp::Le => i64::from(!none && x <= y),
        BinOp::Gt => i64::from(!none && x > y),
        BinOp::Ge => i64::from(!none && x >= y),
        _ if none => NONE,
        BinOp::Add => x.saturating_add(y),
        BinOp::Sub => x.saturating_sub(y),
        BinOp::Mul => x.saturating_mul(y),
        BinOp::Div => {
            if y == 0 {
                NONE
            } else {
                x / y
            }
        }
        BinOp::MulDec => x.saturating_mul(y) / 10_000,
        BinOp::DivDec => {
            if y == 0 {
                NONE
            } else {
                x.saturating_mul(10_000) / y
            }
        }
        BinOp::AddDays => dates::add_days(x, y).unwrap_or(NONE),
        BinOp::SubDays => dates::add_days(x, -y).unwrap_or(NONE),
        BinOp::AddMonths => dates::add_months(x, y).unwrap_or(NONE),
        BinOp::SubMonths => dates::add_months(x, -y).unwrap_or(NONE),
        BinOp::Min => x.min(y),
        BinOp::Max => x.max(y),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::ir::{AggFunc, AggWindow};
    use crate::syntax::span::FileId;

    /// A node written at `at` (positions tell aggregates apart).
    fn node(kind: TExprKind, at: usize) -> TExpr {
        TExpr {
            kind,
            ty: Ty::Int,
            optional: false,
            span: Span::new(FileId(0), at, at + 1),
        }
    }

    fn field(f: usize, at: usize) -> TExpr {
        node(TExprKind::Field(f), at)
    }

    fn num(v: i64, at: usize) -> TExpr {
        node(TExprKind::Const(v), at)
    }

    fn count(at: usize) -> TExpr {
        node(
            TExprKind::Agg {
                func: AggFunc::Count,
                kind: 0,
                filter: None,
                window: AggWindow::All,
            },
            at,
        )
    }

    fn bin(op: BinOp, a: TExpr, b: TExpr) -> TExpr {
        let at = a.span.start as usize + 100;
        node(TExprKind::Binary(op, Box::new(a), Box::new(b)), at)
    }

    fn exclusive2(a: TExpr, b: TExpr) -> bool {
        exclusive(&[&a, &b])
    }

    #[test]
    fn comparisons_both_ways_are_exclusive() {
        use BinOp::*;
        let age = || bin(Add, field(0, 1), num(0, 2));
        for (p, q) in [
            (Lt, Ge),
            (Ge, Lt),
            (Le, Gt),
            (Lt, Gt),
            (Eq, Ne),
            (Eq, Lt),
            (Gt, Eq),
        ] {
            let a = bin(p, age(), num(30, 3));
            let b = bin(q, age(), num(30, 4));
            assert!(exclusive2(a, b), "{p:?} {q:?}");
        }
        for (p, q) in [(Le, Ge), (Lt, Le), (Ne, Lt), (Ge, Gt)] {
            let a = bin(p, age(), num(30, 3));
            let b = bin(q, age(), num(30, 4));
            assert!(!exclusive2(a, b), "{p:?} {q:?}");
        }
    }

    #[test]
    fn equal_to_two_constants_is_exclusive() {
        let a = bin(BinOp::Eq, field(2, 1), num(1, 2));
        let b = bin(BinOp::Eq, field(2, 3), num(2, 4));
        assert!(exclusive2(a, b));
        let a = bin(BinOp::Eq, field(2, 1), num(1, 2));
        let b = bin(BinOp::Eq, field(3, 3), num(2, 4));
        assert!(!exclusive2(a, b));
    }

    #[test]
    fn conjuncts_of_either_condition_count() {
        use BinOp::*;
        let a = bin(
            And,
            bin(Eq, field(5, 1), num(1, 2)),
            bin(Lt, field(0, 3), num(30, 4)),
        );
        let b = bin(
            And,
            bin(Ge, field(0, 5), num(30, 6)),
            bin(Eq, field(6, 7), num(1, 8)),
        );
        assert!(exclusive2(a, b));
    }

    #[test]
    fn different_aggregates_are_different_values() {
        let a = bin(BinOp::Lt, count(1), num(2, 2));
        let b = bin(BinOp::Ge, count(1), num(2, 4));
        assert!(exclusive2(a, b));
        let a = bin(BinOp::Lt, count(1), num(2, 2));
        let b = bin(BinOp::Ge, count(9), num(2, 4));
        assert!(!exclusive2(a, b));
    }
}
