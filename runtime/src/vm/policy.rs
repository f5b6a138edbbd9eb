//! `Policy`: a verified program plus the lookups the VM precomputes once at
//! load, so the per-case loop needs no hashing and no allocation.

use crate::bytecode::format::{self, LoadError};
use crate::bytecode::program::{
    AggFunc, AggWindow, Body, CodeRef, Effect, ExemptionCondition, ForbidWindow, Form, Op, Program,
    TargetKind, NONE,
};
use crate::bytecode::verify;
use crate::caseload::batch::CaseRef;
use crate::vm::dates;
use crate::vm::explain::CaseExplanation;
use crate::vm::forecast::Demand;
use crate::vm::machine::Machine;
use crate::vm::result::{CaseResult, RuleResult, TargetOutcome};
use std::sync::atomic::{AtomicU64, Ordering};

/// A loaded, verified policy, ready to evaluate cases. Cheap to share
/// between threads (`&Policy` is `Sync`).
#[derive(Debug, Clone)]
pub struct Policy {
    program: Program,
    pub(crate) lookups: Lookups,
}

/// How an event filter is evaluated: most filters are one comparison of an
/// event field with a constant, which we test without running the stack
/// machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FilterPlan {
    /// `field == value`
    FieldEq { field: u16, value: i64 },
    /// `field in set`
    FieldIn { field: u16, mask: u64 },
    /// `field != value`
    FieldNe { field: u16, value: i64 },
    /// a bare bool field (`where jobcenter`)
    FieldTrue { field: u16 },
    /// `and`/`or`/`not` of tests: the steps from `Lookups::steps[root]`
    Branch { root: u32 },
    /// anything else: run the code
    Code(CodeRef),
}

/// One test of a filter's branching program (see `Step`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Test {
    /// the event's `field == value` (value not `NONE`)
    EvEq { field: u16, value: i64 },
    /// the event's `field != value` (value not `NONE`)
    EvNe { field: u16, value: i64 },
    /// the event's `field in set`
    EvIn { field: u16, mask: u64 },
    /// the event's bool field
    EvTrue { field: u16 },
    /// anything else: the truth of this expression tree
    Node(u32),
}

/// A filter such as `purpose == jobsamtale and form != personal` as a
/// branching program: test, then go to `then` or `otherwise` (a step of a
/// lower index, or `STEP_TRUE`/`STEP_FALSE`). The same short-circuit
/// order as the tree, without a call per node; filters run once per event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Step {
    pub test: Test,
    pub then: u32,
    pub otherwise: u32,
}

pub(crate) const STEP_TRUE: u32 = u32::MAX;
pub(crate) const STEP_FALSE: u32 = u32::MAX - 1;

#[derive(Debug, Clone, Default)]
pub(crate) struct Lookups {
    /// Rule r's exemptions are `rule_exemptions[rule_ranges[r].0..rule_ranges[r].1]`.
    pub rule_ranges: Vec<(u32, u32)>,
    pub rule_exemptions: Vec<u16>,
    /// Whether any suspending exemption reaches rule r (skips the shift work).
    pub rule_has_suspend: Vec<bool>,
    /// Exemption e is overridden by `overriders[over_ranges[e].0..over_ranges[e].1]`.
    pub over_ranges: Vec<(u32, u32)>,
    pub overriders: Vec<u16>,
    pub filters: Vec<FilterPlan>,
    /// Groups with a priority, lowest number first (ties by declaration).
    pub priority_groups: Vec<u16>,
    /// Expression trees, one arena for the whole program.
    pub nodes: Vec<Node>,
    /// `trees[code.start] == (code.len, root)` when that expression has a
    /// tree (`root == NO_TREE`: run the stack machine).
    pub trees: Vec<(u32, u32)>,
    /// The cheap conditions group predicates are made of (tree roots),
    /// shared by every group: each is decided once per case.
    pub group_atoms: Vec<u32>,
    /// `group_plans[g]`: how group g's predicate is decided.
    pub group_plans: Vec<GroupPlan>,
    /// The filters' branching programs (`FilterPlan::Branch`).
    pub steps: Vec<Step>,
    /// `group_rules[g]`: bit r is set when rule r is for group g. `None`
    /// for programs of more than 64 rules.
    pub group_rules: Option<Vec<u64>>,
    /// Bit r is set when rule r is for every case (names no group).
    pub ungrouped_rules: u64,
    /// `today + n months` for each distinct n the trees ask
    /// (`Node::TodayMonths`, `Node::AgeAtLeast`), kept per evaluation date.
    pub today_cache: DateCache,
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

/// How a group predicate is decided. Most are `and`/`or`/`not` over a few
/// field tests (`benefit == dagpenge`, `age < 30`), repeated across groups:
/// those become a truth table over their atoms, so a case's groups cost one
/// test per distinct atom and a table look-up per group instead of a tree
/// walk per group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GroupPlan {
    /// Bit `i` of the index is `group_atoms[atoms[i]]`; the predicate is
    /// bit `index` of `table`.
    Table {
        atoms: [u8; MAX_GROUP_ATOMS],
        n: u8,
        table: u64,
    },
    /// Run the expression.
    Code,
}

/// Atoms in one group's truth table (2^6 = 64 rows, one `u64`).
pub(crate) const MAX_GROUP_ATOMS: usize = 6;

/// Atoms shared across all groups (bits of one `u64` per case).
const MAX_SHARED_ATOMS: usize = 64;

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

impl Lookups {
    fn build(p: &Program) -> Lookups {
        let mut l = Lookups::default();
        for r in 0..p.rules.len() {
            let start = l.rule_exemptions.len() as u32;
            let mut suspend = false;
            for (e, ex) in p.exemptions.iter().enumerate() {
                if ex.rules.iter().any(|x| usize::from(*x) == r) {
                    l.rule_exemptions.push(e as u16);
                    suspend |= ex.effect == Effect::Suspend;
                }
            }
            l.rule_ranges.push((start, l.rule_exemptions.len() as u32));
            l.rule_has_suspend.push(suspend);
        }
        for e in 0..p.exemptions.len() {
            let start = l.overriders.len() as u32;
            for (o, ex) in p.exemptions.iter().enumerate() {
                if ex.overrides.iter().any(|x| usize::from(*x) == e) {
                    l.overriders.push(o as u16);
                }
            }
            l.over_ranges.push((start, l.overriders.len() as u32));
        }
        l.filters = p.filters.iter().map(|f| plan_filter(p, f.code)).collect();
        l.trees = vec![(0, NO_TREE); p.code.len()];
        for code in code_refs(p) {
            l.plant(p, code);
        }
        for plan in 0..l.filters.len() {
            if let Some(&FilterPlan::Code(code)) = l.filters.get(plan) {
                if let Some(root) = l.branch_plan(code) {
                    if let Some(slot) = l.filters.get_mut(plan) {
                        *slot = FilterPlan::Branch { root };
                    }
                }
            }
        }
        let mut prio: Vec<(u32, u16)> = p
            .groups
            .iter()
            .enumerate()
            .filter_map(|(i, g)| g.priority.map(|pr| (pr, i as u16)))
            .collect();
        prio.sort_unstable();
        l.priority_groups = prio.into_iter().map(|(_, g)| g).collect();
        l.group_plans = p.groups.iter().map(|g| l.plan_group(g.pred)).collect();
        if p.rules.len() <= 64 {
            let mut group_rules = vec![0u64; p.groups.len()];
            for (r, rule) in p.rules.iter().enumerate() {
                if rule.groups.is_empty() {
                    l.ungrouped_rules |= 1 << r;
                }
                for g in &rule.groups {
                    if let Some(m) = group_rules.get_mut(usize::from(*g)) {
                        *m |= 1 << r;
                    }
                }
            }
            l.group_rules = Some(group_rules);
        }
        l
    }

    /// Group predicate `code` as a truth table over shared atoms, when it
    /// is `and`/`or`/`not` over at most `MAX_GROUP_ATOMS` cheap atoms.
    fn plan_group(&mut self, code: CodeRef) -> GroupPlan {
        let Some(root) = self.tree(code) else {
            return GroupPlan::Code;
        };
        let mut local: Vec<u32> = Vec::new();
        if !self.collect_atoms(root, &mut local) || local.len() > MAX_GROUP_ATOMS {
            return GroupPlan::Code;
        }
        let mut atoms = [0u8; MAX_GROUP_ATOMS];
        let mut shared_added = 0;
        for (slot, &a) in atoms.iter_mut().zip(&local) {
            let found = self
                .group_atoms
                .iter()
                .position(|&b| same_tree(&self.nodes, a, b));
            let at = match found {
                Some(i) => i,
                None if self.group_atoms.len() < MAX_SHARED_ATOMS => {
                    self.group_atoms.push(a);
                    shared_added += 1;
                    self.group_atoms.len() - 1
                }
                None => {
                    let keep = self.group_atoms.len() - shared_added;
                    self.group_atoms.truncate(keep);
                    return GroupPlan::Code;
                }
            };
            *slot = at as u8;
        }
        let mut table = 0u64;
        for row in 0..1u32 << local.len() {
            let value = |atom: u32| {
                local
                    .iter()
                    .position(|&a| a == atom)
                    .is_some_and(|i| row >> i & 1 == 1)
            };
            if self.skeleton(root, &value) {
                table |= 1 << row;
            }
        }
        GroupPlan::Table {
            atoms,
            n: local.len() as u8,
            table,
        }
    }

    /// Filter `code` as a branching program when its tree is `and`/`or`/`not`.
    fn branch_plan(&mut self, code: CodeRef) -> Option<u32> {
        let root = self.tree(code)?;
        match self.nodes.get(root as usize)? {
            Node::And(..) | Node::Or(..) | Node::Un(Op::Not, _) => {}
            _ => return None,
        }
        let base = self.steps.len();
        match self.emit(root, STEP_TRUE, STEP_FALSE, 0) {
            Some(at) => Some(at),
            None => {
                self.steps.truncate(base);
                None
            }
        }
    }

    /// Emits the steps deciding `n`, going to `then` when it holds and to
    /// `otherwise` when not; returns its first step. What comes after is
    /// emitted first, so every jump goes to a lower index.
    fn emit(&mut self, n: u32, then: u32, otherwise: u32, depth: u32) -> Option<u32> {
        if depth > 64 {
            return None;
        }
        let node = *self.nodes.get(n as usize)?;
        let test = match node {
            Node::And(a, b) => {
                let b = self.emit(b, then, otherwise, depth + 1)?;
                return self.emit(a, b, otherwise, depth + 1);
            }
            Node::Or(a, b) => {
                let b = self.emit(b, then, otherwise, depth + 1)?;
                return self.emit(a, then, b, depth + 1);
            }
            Node::Un(Op::Not, a) => return self.emit(a, otherwise, then, depth + 1),
            Node::EvFieldEq { field, value } => Test::EvEq { field, value },
            Node::EvFieldNe { field, value } => Test::EvNe { field, value },
            Node::EvFieldIn { field, mask } => Test::EvIn { field, mask },
            Node::EvField(field) => Test::EvTrue { field },
            _ => Test::Node(n),
        };
        let at = u32::try_from(self.steps.len())
            .ok()
            .filter(|at| *at < STEP_FALSE)?;
        self.steps.push(Step {
            test,
            then,
            otherwise,
        });
        Some(at)
    }

    /// Gathers the atoms under the `and`/`or`/`not` skeleton at `n` (distinct
    /// node indices, in first-seen order); false if one is not cheap.
    fn collect_atoms(&self, n: u32, out: &mut Vec<u32>) -> bool {
        match self.nodes.get(n as usize) {
            Some(Node::And(a, b) | Node::Or(a, b)) => {
                let (a, b) = (*a, *b);
                self.collect_atoms(a, out) && self.collect_atoms(b, out)
            }
            Some(Node::Un(Op::Not, a)) => {
                let a = *a;
                self.collect_atoms(a, out)
            }
            Some(_) if cheap(&self.nodes, n) => {
                if !out.contains(&n) {
                    out.push(n);
                }
                true
            }
            _ => false,
        }
    }

    /// The truth of the skeleton at `n` when each atom's truth is `value(atom)`
    /// (as the tree walk: `and`/`or` of truthy operands, `not` of a truthy one).
    fn skeleton(&self, n: u32, value: &dyn Fn(u32) -> bool) -> bool {
        match self.nodes.get(n as usize) {
            Some(Node::And(a, b)) => self.skeleton(*a, value) && self.skeleton(*b, value),
            Some(Node::Or(a, b)) => self.skeleton(*a, value) || self.skeleton(*b, value),
            Some(Node::Un(Op::Not, a)) => !self.skeleton(*a, value),
            _ => value(n),
        }
    }

    fn plant(&mut self, p: &Program, code: CodeRef) {
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

    /// The tree of expression `code`, if it has one.
    #[inline]
    pub fn tree(&self, code: CodeRef) -> Option<u32> {
        match self.trees.get(code.start as usize) {
            Some(&(len, root)) if len == code.len && root != NO_TREE => Some(root),
            _ => None,
        }
    }

    pub fn exemptions_of(&self, rule: usize) -> &[u16] {
        match self.rule_ranges.get(rule) {
            Some(&(s, e)) => self
                .rule_exemptions
                .get(s as usize..e as usize)
                .unwrap_or(&[]),
            None => &[],
        }
    }

    pub fn overriders_of(&self, exemption: u16) -> &[u16] {
        match self.over_ranges.get(usize::from(exemption)) {
            Some(&(s, e)) => self.overriders.get(s as usize..e as usize).unwrap_or(&[]),
            None => &[],
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

/// Whether the subtree at `n` is cheap enough to decide for every case
/// whether or not a group asks: no aggregates, nothing of an event or of
/// another rule, and small.
fn cheap(nodes: &[Node], n: u32) -> bool {
    fn size(nodes: &[Node], n: u32, budget: &mut u32) -> bool {
        if *budget == 0 {
            return false;
        }
        *budget -= 1;
        match nodes.get(n as usize) {
            Some(
                Node::Const(_)
                | Node::Field(_)
                | Node::Today
                | Node::AgeToday
                | Node::FieldEq { .. }
                | Node::FieldNe { .. }
                | Node::FieldIn { .. }
                | Node::TodayMonths { .. }
                | Node::AgeAtLeast { .. },
            ) => true,
            Some(Node::Un(_, a)) => size(nodes, *a, budget),
            Some(Node::And(a, b) | Node::Or(a, b) | Node::Bin(_, a, b)) => {
                size(nodes, *a, budget) && size(nodes, *b, budget)
            }
            Some(
                Node::EvField(_)
                | Node::EvDate
                | Node::EvFieldEq { .. }
                | Node::EvFieldNe { .. }
                | Node::EvFieldIn { .. }
                | Node::RuleMet(_)
                | Node::RuleOnTime(_)
                | Node::Agg { .. },
            )
            | None => false,
        }
    }
    size(nodes, n, &mut 8)
}

/// Whether the subtrees at `a` and `b` compute the same thing.
fn same_tree(nodes: &[Node], a: u32, b: u32) -> bool {
    let (Some(x), Some(y)) = (nodes.get(a as usize), nodes.get(b as usize)) else {
        return false;
    };
    match (*x, *y) {
        (Node::Un(o, p), Node::Un(q, r)) => o == q && same_tree(nodes, p, r),
        (Node::And(p, q), Node::And(r, s)) | (Node::Or(p, q), Node::Or(r, s)) => {
            same_tree(nodes, p, r) && same_tree(nodes, q, s)
        }
        (Node::Bin(o, p, q), Node::Bin(t, r, s)) => {
            o == t && same_tree(nodes, p, r) && same_tree(nodes, q, s)
        }
        (Node::Agg { .. }, _) | (_, Node::Agg { .. }) => false,
        (x, y) => x == y,
    }
}

/// Every expression the program holds (filters included).
fn code_refs(p: &Program) -> Vec<CodeRef> {
    let mut v: Vec<CodeRef> = p.filters.iter().map(|f| f.code).collect();
    v.extend(p.groups.iter().map(|g| g.pred));
    for r in &p.rules {
        v.extend(r.when);
        for b in &r.body {
            match b {
                Body::Branch { cond, .. } => v.push(*cond),
                Body::Require(req) => {
                    v.push(req.anchor);
                    if let Form::Between { end }
                    | Form::Forbid {
                        window: ForbidWindow::Between { end },
                    } = req.form
                    {
                        v.push(end);
                    }
                }
            }
        }
    }
    for e in &p.exemptions {
        if let ExemptionCondition::When(c) = e.condition {
            v.push(c);
        }
        v.extend(e.unless);
    }
    for t in &p.targets {
        v.extend(t.filter);
        v.push(t.satisfy);
        if let TargetKind::Average { value, .. } = t.kind {
            v.push(value);
        }
    }
    v
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

fn plan_filter(p: &Program, code: CodeRef) -> FilterPlan {
    let ops = p
        .code
        .get(code.start as usize..(code.start as usize).saturating_add(code.len as usize));
    match ops {
        // NONE never equals anything, so a NONE constant cannot take the fast path.
        Some([Op::EvField(f), Op::Const(c), Op::Eq] | [Op::Const(c), Op::EvField(f), Op::Eq])
            if *c != crate::bytecode::program::NONE =>
        {
            FilterPlan::FieldEq {
                field: *f,
                value: *c,
            }
        }
        Some([Op::EvField(f), Op::Const(c), Op::Ne] | [Op::Const(c), Op::EvField(f), Op::Ne])
            if *c != crate::bytecode::program::NONE =>
        {
            FilterPlan::FieldNe {
                field: *f,
                value: *c,
            }
        }
        Some([Op::EvField(f)]) => FilterPlan::FieldTrue { field: *f },
        Some([Op::EvField(f), Op::InSet(s)]) => match p.sets.get(*s as usize) {
            Some(mask) => FilterPlan::FieldIn {
                field: *f,
                mask: *mask,
            },
            None => FilterPlan::Code(code),
        },
        _ => FilterPlan::Code(code),
    }
}

impl Policy {
    /// Loads artifact bytes: header, checksum, payload, then the verifier.
    pub fn load(bytes: &[u8]) -> Result<Policy, LoadError> {
        Policy::from_program(format::decode(bytes)?)
    }

    /// Verifies a program (as the compiler produced it) and prepares it.
    pub fn from_program(program: Program) -> Result<Policy, LoadError> {
        verify::verify(&program)?;
        let lookups = Lookups::build(&program);
        Ok(Policy { program, lookups })
    }

    /// The artifact bytes (`Policy::load` reads them back).
    pub fn to_bytes(&self) -> Vec<u8> {
        format::encode(&self.program)
    }

    /// An upper bound on the work evaluating one case takes:
    /// `fixed + per_item × (events + periods)` steps (see `bytecode::cost`).
    pub fn cost_bound(&self) -> crate::bytecode::cost::CostBound {
        crate::bytecode::cost::cost_bound(&self.program)
    }

    pub fn program(&self) -> &Program {
        &self.program
    }

    /// A result sized for this policy, to pass to `evaluate_case` again and again.
    pub fn new_result(&self) -> CaseResult {
        CaseResult {
            groups: vec![false; self.program.groups.len()],
            rules: vec![RuleResult::NOT_APPLICABLE; self.program.rules.len()],
            targets: vec![TargetOutcome::NotCounted; self.program.targets.len()],
        }
    }

    /// Evaluates one case on `today` (days since 1970-01-01) into `out`,
    /// overwriting it. Allocates nothing when `out` came from `new_result`.
    pub fn evaluate_case(&self, case: CaseRef<'_>, today: i32, out: &mut CaseResult) {
        self.machine().evaluate(case, today, out);
    }

    /// The values one case adds to the average targets (§8), after
    /// `evaluate_case` gave `result`: `values[t]` for an average target the
    /// case counts toward, `NONE` for every other target. `values` is
    /// resized to the number of targets.
    pub fn target_values(
        &self,
        case: CaseRef<'_>,
        today: i32,
        result: &CaseResult,
        values: &mut Vec<i64>,
    ) {
        values.clear();
        values.resize(self.program.targets.len(), NONE);
        self.machine().target_values(case, today, result, values);
    }

    /// Why each rule has its status for one case: windows, counted events,
    /// exemptions, source lines and citations. Slower than `evaluate_case`.
    pub fn explain_case(&self, case: CaseRef<'_>, today: i32) -> CaseExplanation {
        crate::vm::explain::explain(self, case, today)
    }

    /// The events the case still needs: every open instance due in
    /// `[today, today + horizon_days]` and every overdue one, per rule and
    /// event kind, assuming each projected event happens on its due date.
    pub fn forecast_case(&self, case: CaseRef<'_>, today: i32, horizon_days: u32) -> Vec<Demand> {
        let mut scratch = self.new_result();
        let mut out = Vec::new();
        self.forecast_case_into(case, today, horizon_days, &mut scratch, &mut out);
        out
    }

    /// `forecast_case` reusing buffers: `scratch` from `new_result`; `out` is
    /// cleared first.
    pub fn forecast_case_into(
        &self,
        case: CaseRef<'_>,
        today: i32,
        horizon_days: u32,
        scratch: &mut CaseResult,
        out: &mut Vec<Demand>,
    ) {
        out.clear();
        crate::vm::forecast::forecast(self, case, today, horizon_days, scratch, out);
    }

    pub(crate) fn machine(&self) -> Machine<'_> {
        Machine {
            p: &self.program,
            l: &self.lookups,
        }
    }
}
