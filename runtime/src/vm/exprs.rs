//! The expression evaluator (language reference §4): trees for the common
//! shapes (`policy.rs` plans them), a stack machine for the rest, and event
//! filters as branching programs. The hottest code of evaluation: the
//! small entry points are `#[inline]`, so moving them out of `machine.rs`
//! changed nothing in the generated code's calls.

use crate::bytecode::program::{AggFunc, AggWindow, CodeRef, Dur, Op, DECIMAL_SCALE, NONE};
use crate::bytecode::verify::MAX_STACK;
use crate::caseload::batch::Events;
use crate::vm::context::Ctx;
use crate::vm::dates;
use crate::vm::machine::{clamp_i128, not_none, truthy, Machine};
use crate::vm::plans::{FilterPlan, Test, STEP_FALSE, STEP_TRUE};
use crate::vm::result::Status;
use crate::vm::trees::Node;

impl<'p> Machine<'p> {
    /// Whether tree node `n` (of no event) holds, the commonest case-field
    /// tests decided here without a call: groups decide several per case.
    #[inline(always)]
    pub(crate) fn cheap_test(&self, n: u32, cx: &Ctx<'_>) -> bool {
        let field = |f: u16| cx.fields.get(usize::from(f)).copied().unwrap_or(NONE);
        match self.l.nodes.get(n as usize) {
            Some(Node::FieldEq { field: f, value }) => field(*f) == *value,
            Some(Node::FieldNe { field: f, value }) => {
                let a = field(*f);
                a != NONE && a != *value
            }
            Some(Node::Field(f)) => truthy(field(*f)),
            _ => truthy(self.node(n, cx, None)),
        }
    }

    /// `eval` of an expression outside any event, a bare case field (a
    /// requirement's anchor, as a rule) read without a call.
    #[inline(always)]
    pub(crate) fn value(&self, code: CodeRef, cx: &Ctx<'_>) -> i64 {
        let field = self
            .l
            .tree(code)
            .and_then(|root| match self.l.nodes.get(root as usize) {
                Some(Node::Field(f)) => Some(*f),
                _ => None,
            });
        match field {
            Some(f) => cx.fields.get(usize::from(f)).copied().unwrap_or(NONE),
            None => self.eval(code, cx, None),
        }
    }

    /// Runs one expression. `ev` is the current event inside a filter.
    #[inline]
    pub fn eval(&self, code: CodeRef, cx: &Ctx<'_>, ev: Option<(&Events<'_>, usize)>) -> i64 {
        if let Some(root) = self.l.tree(code) {
            return self.node(root, cx, ev);
        }
        let start = code.start as usize;
        let Some(ops) = self
            .p
            .code
            .get(start..start.saturating_add(code.len as usize))
        else {
            return NONE;
        };
        // The stack never holds more values than the expression has ops, so
        // short expressions get a small array to clear.
        match ops {
            _ if ops.len() <= 8 => self.run::<8>(ops, cx, ev),
            _ if ops.len() <= 24 => self.run::<24>(ops, cx, ev),
            _ => self.run::<MAX_STACK>(ops, cx, ev),
        }
    }

    fn run<const N: usize>(
        &self,
        ops: &[Op],
        cx: &Ctx<'_>,
        ev: Option<(&Events<'_>, usize)>,
    ) -> i64 {
        let mut st = [0i64; N];
        let mut sp = 0usize;
        macro_rules! pop {
            () => {
                if sp == 0 {
                    NONE
                } else {
                    sp -= 1;
                    st.get(sp).copied().unwrap_or(NONE)
                }
            };
        }
        for op in ops {
            let v = match *op {
                Op::Const(c) => c,
                Op::Field(i) => cx.fields.get(usize::from(i)).copied().unwrap_or(NONE),
                Op::EvField(i) => ev_field(ev, i),
                Op::EvDate => ev_date(ev),
                Op::Today => cx.today,
                Op::RuleMet(r) => rule_met(cx, r),
                Op::RuleOnTime(r) => rule_on_time(cx, r),
                Op::AgeOn
                | Op::IsPresent
                | Op::Not
                | Op::Neg
                | Op::IntToDec
                | Op::InSet(_)
                | Op::InPeriods(_) => {
                    let a = pop!();
                    self.unary(*op, a, cx)
                }
                Op::Agg {
                    func,
                    kind,
                    filter,
                    window,
                } => {
                    let (from, to) = if window == AggWindow::Range {
                        let to = pop!();
                        let from = pop!();
                        (from, to)
                    } else {
                        (NONE, NONE)
                    };
                    self.agg_op(func, kind, filter, window, from, to, cx)
                }
                Op::And
                | Op::Or
                | Op::Eq
                | Op::Ne
                | Op::Lt
                | Op::Le
                | Op::Gt
                | Op::Ge
                | Op::Add
                | Op::Sub
                | Op::Mul
                | Op::Div
                | Op::MulDec
                | Op::DivDec
                | Op::AddDays
                | Op::AddMonths
                | Op::Min
                | Op::Max => {
                    let b = pop!();
                    let a = pop!();
                    self.binary(*op, a, b, cx)
                }
            };
            if let Some(slot) = st.get_mut(sp) {
                *slot = v;
                sp += 1;
            }
        }
        if sp == 0 {
            NONE
        } else {
            st.get(sp - 1).copied().unwrap_or(NONE)
        }
    }

    /// Walks expression tree `n` (see `Node`); the same values as the
    /// stack machine on the code it was built from.
    fn node(&self, n: u32, cx: &Ctx<'_>, ev: Option<(&Events<'_>, usize)>) -> i64 {
        let Some(node) = self.l.nodes.get(n as usize) else {
            return NONE;
        };
        match *node {
            Node::Const(c) => c,
            Node::Field(i) => cx.fields.get(usize::from(i)).copied().unwrap_or(NONE),
            Node::EvField(i) => ev_field(ev, i),
            Node::EvDate => ev_date(ev),
            Node::Today => cx.today,
            Node::RuleMet(r) => rule_met(cx, r),
            Node::RuleOnTime(r) => rule_on_time(cx, r),
            Node::AgeToday => cx.age_today(),
            Node::FieldEq { field, value } => {
                i64::from(cx.fields.get(usize::from(field)) == Some(&value))
            }
            Node::FieldNe { field, value } => {
                let a = cx.fields.get(usize::from(field)).copied().unwrap_or(NONE);
                i64::from(a != NONE && a != value)
            }
            Node::FieldIn { field, mask } => {
                let a = cx.fields.get(usize::from(field)).copied().unwrap_or(NONE);
                i64::from(in_mask(a, mask))
            }
            Node::TodayMonths { n, slot } => self
                .l
                .today_cache
                .get(slot, cx.today, || cx.today_months(n))
                .unwrap_or(NONE),
            Node::AgeAtLeast {
                birth,
                years,
                slot,
                at_least,
            } => {
                let b = cx.fields.get(usize::from(birth)).copied().unwrap_or(NONE);
                if b == NONE || cx.today_civil.is_none() || dates::in_range(b).is_none() {
                    // no age: no comparison holds
                    return 0;
                }
                let older = match self
                    .l
                    .today_cache
                    .get(slot, cx.today, || cx.today_months(-12 * years))
                {
                    // born on or before today `- years` years: that
                    // birthday has come (§6.2: the birthday itself counts)
                    Some(t) => b <= t,
                    None => match cx.age_today() {
                        NONE => return 0,
                        age => age >= years,
                    },
                };
                i64::from(older == at_least)
            }
            Node::EvFieldEq { field, value } => i64::from(ev_field(ev, field) == value),
            Node::EvFieldNe { field, value } => {
                let a = ev_field(ev, field);
                i64::from(a != NONE && a != value)
            }
            Node::EvFieldIn { field, mask } => i64::from(in_mask(ev_field(ev, field), mask)),
            Node::And(a, b) => {
                i64::from(truthy(self.node(a, cx, ev)) && truthy(self.node(b, cx, ev)))
            }
            Node::Or(a, b) => {
                i64::from(truthy(self.node(a, cx, ev)) || truthy(self.node(b, cx, ev)))
            }
            Node::Un(op, a) => {
                let a = self.node(a, cx, ev);
                self.unary(op, a, cx)
            }
            Node::Bin(op, a, b) => {
                let a = self.node(a, cx, ev);
                let b = self.node(b, cx, ev);
                self.binary(op, a, b, cx)
            }
            Node::Agg {
                func,
                kind,
                filter,
                window,
                from,
                to,
            } => {
                let (from, to) = if window == AggWindow::Range {
                    (self.node(from, cx, ev), self.node(to, cx, ev))
                } else {
                    (NONE, NONE)
                };
                self.agg_op(func, kind, filter, window, from, to, cx)
            }
        }
    }

    /// A one-operand op on its popped operand.
    fn unary(&self, op: Op, a: i64, cx: &Ctx<'_>) -> i64 {
        match op {
            Op::AgeOn => {
                let on = a;
                if on == cx.today {
                    cx.age_today()
                } else {
                    let birth = self
                        .p
                        .schema
                        .birth_field
                        .and_then(|b| cx.fields.get(usize::from(b)))
                        .copied()
                        .unwrap_or(NONE);
                    if on == NONE || birth == NONE {
                        NONE
                    } else {
                        dates::age_on(birth, on).unwrap_or(NONE)
                    }
                }
            }
            Op::IsPresent => i64::from(a != NONE),
            Op::Not => i64::from(!truthy(a)),
            Op::Neg => {
                if a == NONE {
                    NONE
                } else {
                    not_none(a.saturating_neg())
                }
            }
            Op::IntToDec => {
                if a == NONE {
                    NONE
                } else {
                    not_none(a.saturating_mul(DECIMAL_SCALE))
                }
            }
            Op::InSet(i) => {
                let mask = self.p.sets.get(i as usize).copied().unwrap_or(0);
                i64::from(in_mask(a, mask))
            }
            Op::InPeriods(f) => i64::from(a != NONE && in_periods(cx.case.periods(f), a)),
            _ => NONE,
        }
    }

    /// A two-operand op on its popped operands `a` (pushed first) and `b`.
    fn binary(&self, op: Op, a: i64, b: i64, cx: &Ctx<'_>) -> i64 {
        match op {
            Op::And => i64::from(truthy(a) && truthy(b)),
            Op::Or => i64::from(truthy(a) || truthy(b)),
            Op::Eq | Op::Ne | Op::Lt | Op::Le | Op::Gt | Op::Ge => i64::from(
                a != NONE
                    && b != NONE
                    && match op {
                        Op::Eq => a == b,
                        Op::Ne => a != b,
                        Op::Lt => a < b,
                        Op::Le => a <= b,
                        Op::Gt => a > b,
                        _ => a >= b,
                    },
            ),
            Op::Add | Op::Sub | Op::Mul | Op::Div | Op::MulDec | Op::DivDec => {
                if a == NONE || b == NONE {
                    NONE
                } else {
                    let (a, b) = (i128::from(a), i128::from(b));
                    match op {
                        Op::Add => clamp_i128(a + b),
                        Op::Sub => clamp_i128(a - b),
                        Op::Mul => clamp_i128(a * b),
                        Op::Div if b == 0 => NONE,
                        Op::Div => clamp_i128(a / b),
                        Op::MulDec => clamp_i128(a * b / i128::from(DECIMAL_SCALE)),
                        Op::DivDec if b == 0 => NONE,
                        _ => clamp_i128(a * i128::from(DECIMAL_SCALE) / b),
                    }
                }
            }
            Op::AddDays | Op::AddMonths => {
                let (d, n) = (a, b);
                if n == NONE || d == NONE {
                    NONE
                } else if matches!(op, Op::AddDays) {
                    dates::add_days(d, n).unwrap_or(NONE)
                } else {
                    cx.months.add(d, n)
                }
            }
            // §4: absent when either is absent, like arithmetic
            Op::Min | Op::Max if a == NONE || b == NONE => NONE,
            Op::Min => a.min(b),
            Op::Max => a.max(b),
            _ => NONE,
        }
    }

    /// An `Agg` op; `from`/`to` are its popped bounds for `AggWindow::Range`.
    #[expect(
        clippy::too_many_arguments,
        reason = "the hot aggregate path takes its operands unboxed, to keep the per-case loop free of allocation"
    )]
    fn agg_op(
        &self,
        func: AggFunc,
        kind: u16,
        filter: u32,
        window: AggWindow,
        from: i64,
        to: i64,
        cx: &Ctx<'_>,
    ) -> i64 {
        let (from, to) = match window {
            AggWindow::All => (dates::MIN_DAY, cx.today),
            AggWindow::Range => (from, to),
            AggWindow::Last(d) => {
                let n = match d {
                    Dur::Days(n) => dates::add_days(cx.today, -i64::from(n)),
                    Dur::Months(n) => cx.today_months(-i64::from(n)),
                };
                (n.unwrap_or(dates::MIN_DAY), cx.today)
            }
        };
        if from == NONE || to == NONE {
            // No event lies in a window without a bound: a count or sum of
            // nothing is 0 (they are never absent, §4); first/last of
            // nothing is absent.
            match func {
                AggFunc::Count | AggFunc::Sum(_) => 0,
                AggFunc::First | AggFunc::Last => NONE,
            }
        } else {
            self.aggregate(func, kind, filter, from, to.min(cx.today), cx)
        }
    }

    /// An aggregate over kind `kind`'s events dated in `[from, to]`.
    fn aggregate(
        &self,
        func: AggFunc,
        kind: u16,
        filter: u32,
        from: i64,
        to: i64,
        cx: &Ctx<'_>,
    ) -> i64 {
        let ev = cx.case.events(kind);
        let (lo, hi) = cx.window(kind, ev.dates, from, to);
        if filter == u32::MAX {
            return match func {
                AggFunc::Count => (hi.saturating_sub(lo)) as i64,
                AggFunc::First => ev
                    .dates
                    .get(lo)
                    .filter(|_| lo < hi)
                    .map_or(NONE, |d| i64::from(*d)),
                AggFunc::Last => ev
                    .dates
                    .get(hi.wrapping_sub(1))
                    .filter(|_| lo < hi)
                    .map_or(NONE, |d| i64::from(*d)),
                AggFunc::Sum(f) => {
                    (lo..hi).fold(0i64, |acc, k| add_value(acc, ev.row(k).get(usize::from(f))))
                }
            };
        }
        match func {
            AggFunc::Count => (lo..hi)
                .filter(|k| self.matches(filter, cx, &ev, *k))
                .count() as i64,
            AggFunc::First => (lo..hi)
                .find(|k| self.matches(filter, cx, &ev, *k))
                .and_then(|k| ev.dates.get(k))
                .map_or(NONE, |d| i64::from(*d)),
            AggFunc::Last => (lo..hi)
                .rev()
                .find(|k| self.matches(filter, cx, &ev, *k))
                .and_then(|k| ev.dates.get(k))
                .map_or(NONE, |d| i64::from(*d)),
            AggFunc::Sum(f) => (lo..hi)
                .filter(|k| self.matches(filter, cx, &ev, *k))
                .fold(0i64, |acc, k| add_value(acc, ev.row(k).get(usize::from(f)))),
        }
    }

    /// Whether event `k` passes filter `filter` (`u32::MAX`: no filter).
    pub fn matches(&self, filter: u32, cx: &Ctx<'_>, ev: &Events<'_>, k: usize) -> bool {
        if filter == u32::MAX {
            return true;
        }
        match self.l.filters.get(filter as usize) {
            Some(FilterPlan::FieldEq { field, value }) => {
                ev.row(k).get(usize::from(*field)) == Some(value)
            }
            Some(FilterPlan::FieldNe { field, value }) => ev
                .row(k)
                .get(usize::from(*field))
                .is_some_and(|a| *a != NONE && a != value),
            Some(FilterPlan::FieldIn { field, mask }) => ev
                .row(k)
                .get(usize::from(*field))
                .is_some_and(|a| in_mask(*a, *mask)),
            Some(FilterPlan::FieldTrue { field }) => ev
                .row(k)
                .get(usize::from(*field))
                .is_some_and(|a| truthy(*a)),
            Some(FilterPlan::Branch { root }) => self.branch(*root, cx, ev, k),
            Some(FilterPlan::Code(code)) => truthy(self.eval(*code, cx, Some((ev, k)))),
            None => false,
        }
    }

    /// Runs a filter's branching program from step `at` on event `k`.
    fn branch(&self, mut at: u32, cx: &Ctx<'_>, ev: &Events<'_>, k: usize) -> bool {
        let row = ev.row(k);
        let field = |f: u16| row.get(usize::from(f)).copied().unwrap_or(NONE);
        loop {
            let Some(step) = self.l.steps.get(at as usize) else {
                return false;
            };
            let holds = match step.test {
                Test::EvEq { field: f, value } => field(f) == value,
                Test::EvNe { field: f, value } => {
                    let a = field(f);
                    a != NONE && a != value
                }
                Test::EvIn { field: f, mask } => in_mask(field(f), mask),
                Test::EvTrue { field: f } => truthy(field(f)),
                Test::Node(n) => truthy(self.node(n, cx, Some((ev, k)))),
            };
            let next = if holds { step.then } else { step.otherwise };
            match next {
                STEP_TRUE => return true,
                STEP_FALSE => return false,
                // INVARIANT (`Lookups::emit`): jumps go to lower steps, so this ends.
                n if n < at => at = n,
                _ => return false,
            }
        }
    }
}

fn in_mask(a: i64, mask: u64) -> bool {
    (0..64).contains(&a) && (mask >> a) & 1 == 1
}

fn ev_field(ev: Option<(&Events<'_>, usize)>, i: u16) -> i64 {
    ev.map_or(NONE, |(e, k)| {
        e.row(k).get(usize::from(i)).copied().unwrap_or(NONE)
    })
}

fn ev_date(ev: Option<(&Events<'_>, usize)>) -> i64 {
    ev.and_then(|(e, k)| e.dates.get(k))
        .map_or(NONE, |d| i64::from(*d))
}

fn rule_met(cx: &Ctx<'_>, r: u16) -> i64 {
    i64::from(
        cx.rules
            .get(usize::from(r))
            .is_some_and(|x| matches!(x.status, Status::Met | Status::MetLate)),
    )
}

/// Met by its due date: `met`, not `met_late`.
fn rule_on_time(cx: &Ctx<'_>, r: u16) -> i64 {
    i64::from(
        cx.rules
            .get(usize::from(r))
            .is_some_and(|x| x.status == Status::Met),
    )
}

fn add_value(acc: i64, v: Option<&i64>) -> i64 {
    match v {
        Some(&v) if v != NONE => not_none(acc.saturating_add(v)),
        _ => acc,
    }
}

fn in_periods(periods: &[(i32, i32)], d: i64) -> bool {
    // Sorted by start: only periods starting on or before d can hold it.
    let upto = periods.partition_point(|(a, _)| i64::from(*a) <= d);
    periods
        .get(..upto)
        .is_some_and(|ps| ps.iter().any(|(_, b)| i64::from(*b) >= d))
}
