//! The three-valued evaluator the search runs on a partial assignment
//! (`UNKNOWN` for what is not yet chosen), and the memo of the calendar
//! functions it calls with the same arguments again and again.

use std::cell::Cell;

use pol_runtime::bytecode::program::NONE;
use pol_runtime::vm::dates;

use super::question::UNKNOWN;
use crate::check::ir::{BinOp, TExpr, TExprKind};
use crate::syntax::span::Span;

/// A case-level evaluator for the search; aggregates take assigned values,
/// and anything not yet assigned is `UNKNOWN` (three-valued logic).
pub(super) struct Env<'a> {
    pub(super) today: i64,
    pub(super) fields: &'a [i64],
    pub(super) aggs: &'a [(Span, i64)],
    pub(super) period_fields: &'a [usize],
    pub(super) birth: Option<usize>,
    /// The expression has no node that fails to evaluate, so a decided
    /// side of `and`/`or` decides the whole without the other side.
    pub(super) short_circuit: bool,
    pub(super) memo: &'a Memo,
}

impl Env<'_> {
    pub(super) fn eval(&self, e: &TExpr) -> Option<i64> {
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
pub(super) struct Memo {
    ages: Vec<Cell<(i64, i64, i64)>>,
    months: Vec<Cell<(i64, i64, i64)>>,
}

const MEMO_SLOTS: usize = 1024;

impl Memo {
    pub(super) fn new() -> Memo {
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
pub(super) fn truthy(v: i64) -> bool {
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
