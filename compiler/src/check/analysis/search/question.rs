//! The search itself: the variables a question reads (case fields, event
//! aggregates, the evaluation date), smallest domains first, and a
//! depth-first walk over their candidates that evaluates again only the
//! conjuncts reading the variable just assigned.

use std::collections::BTreeSet;

use super::eval::{truthy, Env, Memo};
use super::{Example, Search, Space};
use crate::check::ir::{BinOp, TExpr, TExprKind, Ty};
use crate::check::items::Checker;
use crate::syntax::span::Span;

/// How many combinations one question may try.
const SEARCH_LIMIT: usize = 20_000;

impl Space {
    /// An assignment under which every `all` holds and every `none` fails.
    /// Event aggregates (`count(...)`, `first(...)`) are free variables.
    pub(in crate::check::analysis) fn find(
        &self,
        c: &Checker<'_>,
        all: &[&TExpr],
        none: &[&TExpr],
    ) -> Search {
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
}

/// Collects the case fields and the event aggregates `e` reads.
pub(super) fn vars_read(
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
pub(super) const UNKNOWN: i64 = i64::MIN + 1;

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
