//! Expression trees, built once at load from the stack code: `Node`, the
//! fused leaves group predicates are made of, and the per-date cache of
//! `today + n months` the trees ask.

use crate::bytecode::program::{AggFunc, AggWindow, CodeRef, Op, Program, NONE};
use crate::vm::dates;
use crate::vm::lookups::Lookups;
use std::sync::atomic::{AtomicU64, Ordering};

pub(crate) const NO_TREE: u32 = u32::MAX;

/// Expressions longer than this keep the stack machine: a tree walk
/// recurses once per level, and a long `and` chain would recurse deeply.
const MAX_TREE_OPS: usize = 48;

/// An expression as a tree, built once at load from its stack code. Walking
/// it lets `and`/`or` stop at the first decisive operand (expressions have
/// no side effects, so skipping one changes no result) and fuses the leaves
/// group predicates are made of, so most conditions take a few steps
/// instead of a stack machine pass over every op.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Node {
    Const(i64),
    Field(u16),
    EvField(u16),
    EvDate,
    Today,
    RuleMet(u16),
    RuleOnTime(u16),
    /// `age` (the case's age on today), computed once per case
    AgeToday,
    /// `field == value`, value not `NONE`
    FieldEq {
        field: u16,
        value: i64,
    },
    /// `field != value`, value not `NONE`
    FieldNe {
        field: u16,
        value: i64,
    },
    /// `field in set`
    FieldIn {
        field: u16,
        mask: u64,
    },
    /// `today + n months`; `slot` keeps it per evaluation date
    /// (`Lookups::today_cache`)
    TodayMonths {
        n: i64,
        slot: u32,
    },
    /// `age >= years` (`at_least`) or `age < years` on today, as the birth
    /// date against today `- years` years (kept in `slot`): no calendar
    /// conversion of the birth date
    AgeAtLeast {
        birth: u16,
        years: i64,
        slot: u32,
        at_least: bool,
    },
    /// the current event's `field == value`, value not `NONE`
    EvFieldEq {
        field: u16,
        value: i64,
    },
    /// the current event's `field != value`, value not `NONE`
    EvFieldNe {
        field: u16,
        value: i64,
    },
    /// the current event's `field in set`
    EvFieldIn {
        field: u16,
        mask: u64,
    },
    And(u32, u32),
    Or(u32, u32),
    /// a one-operand op applied to a subtree
    Un(Op, u32),
    /// a two-operand op applied to two subtrees (left, right)
    Bin(Op, u32, u32),
    /// an aggregate; `from`/`to` are subtrees only for `AggWindow::Range`
    Agg {
        func: AggFunc,
        kind: u16,
        filter: u32,
        window: AggWindow,
        from: u32,
        to: u32,
    },
}

/// `today + n months` per slot, remembered for the last evaluation date
/// asked: a caseload is evaluated on one date, case after case. Each slot
/// packs the date (high half) and the value (low half) in one word, so
/// threads evaluating on different dates at once only recompute.
#[derive(Debug, Default)]
pub(crate) struct DateCache {
    /// The month offset of each slot.
    months: Vec<i64>,
    words: Vec<AtomicU64>,
}

impl Clone for DateCache {
    fn clone(&self) -> DateCache {
        DateCache {
            months: self.months.clone(),
            words: self.months.iter().map(|_| AtomicU64::new(0)).collect(),
        }
    }
}

/// The low half of a slot for a date beyond the calendar.
const CACHED_NONE: u32 = i32::MIN as u32;

impl DateCache {
    /// The slot of offset `n` months, added when new.
    fn slot(&mut self, n: i64) -> u32 {
        let i = match self.months.iter().position(|m| *m == n) {
            Some(i) => i,
            None => {
                self.months.push(n);
                self.words.push(AtomicU64::new(0));
                self.months.len() - 1
            }
        };
        i as u32
    }

    /// `compute()` (today + the slot's months) for `today`, computed once
    /// per evaluation date. Key 0 marks an empty slot: dates before
    /// `MIN_DAY` are not kept.
    #[inline]
    pub fn get(&self, slot: u32, today: i64, compute: impl FnOnce() -> Option<i64>) -> Option<i64> {
        let (Some(word), Some(key)) = (
            self.words.get(slot as usize),
            today
                .checked_sub(dates::MIN_DAY - 1)
                .and_then(|k| u32::try_from(k).ok())
                .filter(|k| *k != 0),
        ) else {
            return compute();
        };
        let w = word.load(Ordering::Relaxed);
        if (w >> 32) as u32 == key {
            let v = w as u32;
            return (v != CACHED_NONE).then_some(i64::from(v as i32));
        }
        let v = compute();
        let low = match v.map(i32::try_from) {
            None => CACHED_NONE,
            Some(Ok(x)) if x as u32 != CACHED_NONE => x as u32,
            // not representable: simply not kept
            Some(_) => return v,
        };
        word.store(u64::from(key) << 32 | u64::from(low), Ordering::Relaxed);
        v
    }
}

impl Lookups {
    pub(super) fn plant(&mut self, p: &Program, code: CodeRef) {
        let start = code.start as usize;
        let Some(ops) = p.code.get(start..start.saturating_add(code.len as usize)) else {
            return;
        };
        let base = self.nodes.len();
        match build_tree(p, ops, &mut self.nodes, &mut self.today_cache) {
            Some(root) => {
                if let Some(slot) = self.trees.get_mut(start) {
                    *slot = (code.len, root);
                }
            }
            None => self.nodes.truncate(base),
        }
    }
}

/// `age op c` (`age_left`; else `c op age`) as `age >= years`
/// (`at_least`) or `age < years`; `None` for constants the rewrite does not
/// cover (`NONE`, and ages beyond a million years).
fn age_test(op: Op, age_left: bool, c: i64) -> Option<(i64, bool)> {
    if c == NONE || !(-1_000_000..=1_000_000).contains(&c) {
        return None;
    }
    // c op age is age op' c with op' mirrored
    let op = match (op, age_left) {
        (op, true) => op,
        (Op::Lt, false) => Op::Gt,
        (Op::Le, false) => Op::Ge,
        (Op::Gt, false) => Op::Lt,
        (_, false) => Op::Le,
    };
    match op {
        Op::Lt => Some((c, false)),
        Op::Le => Some((c + 1, false)),
        Op::Gt => Some((c + 1, true)),
        Op::Ge => Some((c, true)),
        _ => None,
    }
}

/// The tree of one expression's stack code, or `None` to keep the stack
/// machine (too long, or not a single well-formed value).
fn build_tree(
    p: &Program,
    ops: &[Op],
    nodes: &mut Vec<Node>,
    today_cache: &mut DateCache,
) -> Option<u32> {
    if ops.is_empty() || ops.len() > MAX_TREE_OPS {
        return None;
    }
    let mut stack: Vec<u32> = Vec::with_capacity(ops.len());
    for op in ops {
        let node = match *op {
            Op::Const(c) => Node::Const(c),
            Op::Field(i) => Node::Field(i),
            Op::EvField(i) => Node::EvField(i),
            Op::EvDate => Node::EvDate,
            Op::Today => Node::Today,
            Op::RuleMet(r) => Node::RuleMet(r),
            Op::RuleOnTime(r) => Node::RuleOnTime(r),
            Op::AgeOn
            | Op::IsPresent
            | Op::Not
            | Op::Neg
            | Op::IntToDec
            | Op::InSet(_)
            | Op::InPeriods(_) => {
                let a = stack.pop()?;
                match (*op, nodes.get(a as usize)) {
                    (Op::AgeOn, Some(Node::Today)) => Node::AgeToday,
                    (Op::InSet(s), Some(Node::Field(f))) => Node::FieldIn {
                        field: *f,
                        mask: p.sets.get(s as usize).copied().unwrap_or(0),
                    },
                    (Op::InSet(s), Some(Node::EvField(f))) => Node::EvFieldIn {
                        field: *f,
                        mask: p.sets.get(s as usize).copied().unwrap_or(0),
                    },
                    _ => Node::Un(*op, a),
                }
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
                let b = stack.pop()?;
                let a = stack.pop()?;
                match (*op, nodes.get(a as usize), nodes.get(b as usize)) {
                    (Op::And, _, _) => Node::And(a, b),
                    (Op::Or, _, _) => Node::Or(a, b),
                    // NONE never compares equal or unequal, so a NONE
                    // constant keeps the general path.
                    (Op::Eq, Some(Node::Field(f)), Some(Node::Const(c)))
                    | (Op::Eq, Some(Node::Const(c)), Some(Node::Field(f)))
                        if *c != NONE =>
                    {
                        Node::FieldEq {
                            field: *f,
                            value: *c,
                        }
                    }
                    (Op::Ne, Some(Node::Field(f)), Some(Node::Const(c)))
                    | (Op::Ne, Some(Node::Const(c)), Some(Node::Field(f)))
                        if *c != NONE =>
                    {
                        Node::FieldNe {
                            field: *f,
                            value: *c,
                        }
                    }
                    (Op::Eq, Some(Node::EvField(f)), Some(Node::Const(c)))
                    | (Op::Eq, Some(Node::Const(c)), Some(Node::EvField(f)))
                        if *c != NONE =>
                    {
                        Node::EvFieldEq {
                            field: *f,
                            value: *c,
                        }
                    }
                    (Op::Ne, Some(Node::EvField(f)), Some(Node::Const(c)))
                    | (Op::Ne, Some(Node::Const(c)), Some(Node::EvField(f)))
                        if *c != NONE =>
                    {
                        Node::EvFieldNe {
                            field: *f,
                            value: *c,
                        }
                    }
                    (Op::AddMonths, Some(Node::Today), Some(Node::Const(n))) if *n != NONE => {
                        Node::TodayMonths {
                            n: *n,
                            slot: today_cache.slot(*n),
                        }
                    }
                    (
                        Op::Lt | Op::Le | Op::Gt | Op::Ge,
                        Some(Node::AgeToday),
                        Some(Node::Const(c)),
                    )
                    | (
                        Op::Lt | Op::Le | Op::Gt | Op::Ge,
                        Some(Node::Const(c)),
                        Some(Node::AgeToday),
                    ) => {
                        let age_left = matches!(nodes.get(a as usize), Some(Node::AgeToday));
                        match (age_test(*op, age_left, *c), p.schema.birth_field) {
                            (Some((years, at_least)), Some(birth)) => Node::AgeAtLeast {
                                birth,
                                years,
                                slot: today_cache.slot(-12 * years),
                                at_least,
                            },
                            _ => Node::Bin(*op, a, b),
                        }
                    }
                    _ => Node::Bin(*op, a, b),
                }
            }
            Op::Agg {
                func,
                kind,
                filter,
                window,
            } => {
                let (from, to) = if window == AggWindow::Range {
                    let to = stack.pop()?;
                    let from = stack.pop()?;
                    (from, to)
                } else {
                    (NO_TREE, NO_TREE)
                };
                Node::Agg {
                    func,
                    kind,
                    filter,
                    window,
                    from,
                    to,
                }
            }
        };
        let at = u32::try_from(nodes.len()).ok()?;
        nodes.push(node);
        stack.push(at);
    }
    match stack.as_slice() {
        [root] => Some(*root),
        _ => None,
    }
}
