//! What the policy asks, read from the compiled program and judged by the
//! runtime itself: after the model has drawn a case, the case is evaluated,
//! and the caseworker "does what the rule says" for most of the rules that
//! came out overdue, late or violated, by the case's diligence profile. The
//! model knows deadlines but not filters (`where form == personal`, `where
//! purpose == jobsamtale and held_by == jobcenter`, `every … must …`), so
//! without this some rules would be overdue or violated almost everywhere.
//!
//! Nothing here knows a rule by name. A rule's count terms and prohibitions
//! give the event kind and the filter; a small solver reads the filter's
//! code for the event-field values that make it true (or false), and every
//! change is kept only when the runtime agrees it helped and it made no
//! other rule overdue or violated. Targets get the same treatment: a case in
//! a target's denominator that fails its condition is, for some cases, given
//! the case-field values (`benefit == selvforsoergende`) or the events
//! (`count(tilbud where offer == …) >= 1`) the condition tests.
//!
//! Deterministic: every choice comes from the case's own PRNG stream, and
//! evaluation is a pure function of the case.

use pol_runtime::bytecode::program::{
    AggFunc, Body, FieldDef, FieldType, Form, Op, Program, TargetKind, NONE,
};
use pol_runtime::bytecode::verify::op_effect;
use pol_runtime::caseload::batch::OPEN_END;
use pol_runtime::{CaseBatch, CaseData, CaseResult, Policy, RuleResult, Status, TargetOutcome};

use super::model::{Facts, Profile};
use super::{Cx, Ev, Val};
use crate::rng::Rng;

/// The chance (percent) that a caseworker of each diligence profile sets
/// right a rule the model left overdue, late or violated. Judgement: a
/// diligent caseworker nearly always does what the policy says, one who is
/// often late does it half the time late, a sparse one now and then, and a
/// case with no contact recorded stays without. Over the model's profile mix
/// (62/20/12/6%) this leaves about 10–25% of a rule's cases late, overdue or
/// violated, the share jobcenters report in their own follow-up.
fn repair_percent(profile: Profile) -> f64 {
    match profile {
        Profile::Diligent => 92.0,
        Profile::Late => 70.0,
        Profile::Sparse => 35.0,
        Profile::None => 0.0,
    }
}

/// Of the repairs a late caseworker makes, the share done after the due
/// date (met late rather than on time).
const LATE_REPAIR_PERCENT: f64 = 50.0;

/// The chance (percent) that a case in a target's denominator that fails
/// the target's condition is made to satisfy it. Targets are ambitions
/// (57% self-supporting, 100% in an intensive course): half of the failing
/// cases made good leaves shares between the model's and the ambition, so a
/// report shows targets both attained and missed.
const TARGET_PERCENT: f64 = 45.0;

/// Attempts per case: enough for a repair that uncovers another (a new
/// jobsamtale that a prohibition then judges), bounded so a case costs a
/// few evaluations.
const PASSES: usize = 2;

/// Obligations of one rule set right per case, at most.
const MAX_INSTANCES: usize = 8;

/// The runtime, with buffers reused for every case.
pub(crate) struct Judge {
    policy: Policy,
    batch: CaseBatch,
    result: CaseResult,
    /// Per periods field of the schema: its slot among the periods lists.
    period_slot: Vec<Option<usize>>,
    /// The text hash of `t<n>` for the texts the generic values write.
    texts: Vec<i64>,
    /// Per rule: the (kind, n, filter) of its requirements, and the
    /// (kind, filter) of its prohibitions.
    counts: Vec<Vec<(u16, u32, u32)>>,
    forbids: Vec<Vec<(u16, u32)>>,
    attempted: Vec<bool>,
}

impl Judge {
    pub fn new(program: &Program) -> Option<Judge> {
        let policy = Policy::from_program(program.clone()).ok()?;
        let schema = &program.schema;
        let mut slot = 0;
        let period_slot = schema
            .fields
            .iter()
            .map(|f| {
                (f.ty == FieldType::Periods).then(|| {
                    slot += 1;
                    slot - 1
                })
            })
            .collect();
        let mut counts = Vec::new();
        let mut forbids = Vec::new();
        for rule in &program.rules {
            let mut c = Vec::new();
            let mut f = Vec::new();
            for body in &rule.body {
                let Body::Require(req) = body else { continue };
                for term in &req.counts {
                    match req.form {
                        Form::Forbid { .. } => f.push((term.kind, term.filter)),
                        _ => c.push((term.kind, term.n.max(1), term.filter)),
                    }
                }
            }
            counts.push(c);
            forbids.push(f);
        }
        Some(Judge {
            batch: CaseBatch::new(schema),
            result: policy.new_result(),
            period_slot,
            texts: (0..1000)
                .map(|n| pol_runtime::bytecode::program::text_hash(&format!("t{n}")))
                .collect(),
            attempted: vec![false; counts.len()],
            counts,
            forbids,
            policy,
        })
    }

    /// Evaluates the current case; the result is in `self.result`.
    fn eval(&mut self, cx: &Cx<'_>) {
        let schema = cx.schema;
        let mut data = CaseData::new(schema, "");
        for (i, def) in schema.fields.iter().enumerate() {
            let v = cx.b.vals.get(i).copied().flatten();
            if def.ty == FieldType::Periods {
                if let (Some(Val::Periods(start, len)), Some(Some(slot))) =
                    (v, self.period_slot.get(i))
                {
                    let list =
                        cx.b.periods
                            .get(start as usize..(start + len) as usize)
                            .unwrap_or(&[]);
                    if let Some(dst) = data.periods.get_mut(*slot) {
                        dst.extend(list.iter().map(|(a, b)| (*a, b.unwrap_or(OPEN_END))));
                    }
                }
                continue;
            }
            if let Some(slot) = data.fields.get_mut(i) {
                *slot = self.value(v, def.default);
            }
        }
        for e in &cx.b.events {
            let Some(kind) = schema.events.get(e.kind as usize) else {
                continue;
            };
            let vals = kind
                .fields
                .iter()
                .enumerate()
                .map(|(j, def)| {
                    let v = cx.b.ev_vals.get(e.vals as usize + j).copied().flatten();
                    self.value(v, def.default)
                })
                .collect();
            if let Some(list) = data.events.get_mut(e.kind as usize) {
                list.push((e.date, vals));
            }
        }
        self.batch.clear();
        self.batch.push(data, 0);
        self.policy
            .evaluate_case(self.batch.case(0), cx.as_of, &mut self.result);
    }

    fn value(&self, v: Option<Val>, default: Option<i64>) -> i64 {
        match v {
            Some(Val::Text(n)) => self.texts.get(n as usize).copied().unwrap_or(0),
            Some(v) => v.as_i64().unwrap_or_else(|| default.unwrap_or(NONE)),
            None => default.unwrap_or(NONE),
        }
    }

    /// The harm a change must not add to: violated rules, and overdue
    /// rules already tried. A rule a change makes overdue that has not had
    /// its turn yet (a first vejledning that starts a half-yearly one) gets
    /// it later in the pass or in the next.
    fn harm(&self) -> usize {
        self.result
            .rules
            .iter()
            .zip(&self.attempted)
            .filter(|(r, tried)| {
                r.status == Status::Violated || (**tried && r.status == Status::Overdue)
            })
            .count()
    }

    fn rule(&self, r: usize) -> RuleResult {
        self.result
            .rules
            .get(r)
            .copied()
            .unwrap_or(RuleResult::NOT_APPLICABLE)
    }

    /// Case fields a target's condition tests: a case in the denominator
    /// that fails it gets, for some cases, the values it asks for. Runs
    /// before the events are drawn, so the events follow the new values.
    pub fn targets_on_fields(&mut self, cx: &mut Cx<'_>, rng: &mut Rng, program: &Program) {
        if program.targets.is_empty() {
            return;
        }
        self.eval(cx);
        for (t, target) in program.targets.iter().enumerate() {
            if !self.wants(t, target.kind) || !rng.chance(TARGET_PERCENT) {
                continue;
            }
            let tree = Tree::parse(program, target.satisfy.start, target.satisfy.len);
            let Some(cons) = tree.solve(tree.root(), true) else {
                continue;
            };
            if cons.is_empty() || cons.iter().any(|c| !matches!(c.on, On::Case(_))) {
                continue;
            }
            let saved: Vec<(u16, Option<Val>)> = cons
                .iter()
                .filter_map(|c| match c.on {
                    On::Case(f) => Some((f, cx.b.vals.get(f as usize).copied().flatten())),
                    _ => None,
                })
                .collect();
            let mut ok = true;
            for c in &cons {
                let On::Case(f) = c.on else { continue };
                let Some(def) = cx.schema.fields.get(f as usize) else {
                    ok = false;
                    continue;
                };
                let cur = self.value(cx.b.vals.get(f as usize).copied().flatten(), def.default);
                match c.pick(program, cx.schema, def, cur) {
                    Pick::Keep => {}
                    Pick::Set(v) => cx.set(Some(f), v),
                    Pick::No => ok = false,
                }
            }
            if ok {
                self.eval(cx);
            }
            let kept = ok && self.result.targets.get(t).copied() == Some(TargetOutcome::Satisfies);
            if !kept {
                for (f, v) in saved {
                    cx.set(Some(f), v);
                }
                self.eval(cx);
            }
        }
    }

    /// Whether target `t` is one whose failing cases should be made good:
    /// the case is in its denominator and fails, and satisfying is what
    /// the target asks for more of.
    fn wants(&self, t: usize, kind: TargetKind) -> bool {
        let fails = self.result.targets.get(t).copied() == Some(TargetOutcome::Fails);
        let more = !matches!(
            kind,
            TargetKind::Count {
                bound: pol_runtime::bytecode::program::Bound::AtMost,
                ..
            }
        );
        fails && more
    }

    /// After the events are drawn: targets whose condition counts events,
    /// then the rules the caseworker sets right.
    pub fn events(&mut self, cx: &mut Cx<'_>, rng: &mut Rng, x: &Facts, program: &Program) {
        if program.rules.is_empty() && program.targets.is_empty() {
            return;
        }
        self.attempted.iter_mut().for_each(|a| *a = false);
        self.eval(cx);
        for (t, target) in program.targets.iter().enumerate() {
            if !self.wants(t, target.kind) || !rng.chance(TARGET_PERCENT) {
                continue;
            }
            let tree = Tree::parse(program, target.satisfy.start, target.satisfy.len);
            let Some(cons) = tree.solve(tree.root(), true) else {
                continue;
            };
            let adds: Vec<(u16, u32, u32)> = cons
                .iter()
                .filter_map(|c| match c.on {
                    On::Count(kind, filter) => Some((kind, filter, c.value.max(1) as u32)),
                    _ => None,
                })
                .collect();
            if adds.is_empty() || adds.len() != cons.len() {
                continue;
            }
            let mark = cx.b.events.len();
            let harm = self.harm();
            let lo = x.start.max(cx.as_of - 25);
            for (kind, filter, n) in adds {
                for _ in 0..n.min(3) {
                    let d = cx.as_of - rng.range(0, i64::from((cx.as_of - lo).max(0))) as i32;
                    self.add_event(cx, rng, program, kind, filter, d);
                }
            }
            self.eval(cx);
            let good = self.result.targets.get(t).copied() == Some(TargetOutcome::Satisfies);
            if !good || self.harm() > harm {
                cx.b.events.truncate(mark);
                self.eval(cx);
            }
        }

        for _ in 0..PASSES {
            for r in 0..program.rules.len() {
                let before = self.rule(r);
                if !matches!(
                    before.status,
                    Status::Overdue | Status::MetLate | Status::Violated
                ) || self.attempted.get(r).copied().unwrap_or(true)
                {
                    continue;
                }
                if let Some(a) = self.attempted.get_mut(r) {
                    *a = true;
                }
                if !rng.chance(repair_percent(x.profile)) {
                    continue;
                }
                if before.status == Status::Violated {
                    self.unviolate(cx, rng, program, r);
                    continue;
                }
                // a rule per event (after each jobsamtale) has as many
                // obligations as events: the habit holds for all of them
                let late = x.profile == Profile::Late && rng.chance(LATE_REPAIR_PERCENT);
                for _ in 0..MAX_INSTANCES {
                    let now = self.rule(r).status;
                    if !matches!(now, Status::Overdue | Status::MetLate)
                        || !self.fulfil(cx, rng, program, r, late)
                    {
                        break;
                    }
                }
            }
        }
    }

    /// An obligation overdue (or met late) on `due`: the caseworker holds
    /// what it counts, with what its filter asks for, by the due date (or,
    /// `late`, a little after it). First by recording the missing detail on
    /// an event held near the due date, else by adding the events.
    fn fulfil(
        &mut self,
        cx: &mut Cx<'_>,
        rng: &mut Rng,
        program: &Program,
        r: usize,
        late: bool,
    ) -> bool {
        let before = self.rule(r);
        let Some(due) = before.due else { return false };
        let terms = self.counts.get(r).cloned().unwrap_or_default();
        if terms.is_empty() {
            return false;
        }
        // the harm elsewhere: rule `r` itself may stay overdue on a later
        // instance (one obligation per jobsamtale)
        let others = |j: &Judge| {
            j.harm() - usize::from(j.rule(r).status == Status::Overdue && j.attempted[r])
        };
        let harm = others(self);
        let better = |j: &Judge| {
            let now = j.rule(r);
            let rank = |s: Status| match s {
                Status::Met | Status::Pending | Status::Exempt | Status::NotApplicable => 0,
                Status::MetLate => 1,
                Status::Overdue | Status::Violated => 2,
            };
            (rank(now.status) < rank(before.status) || now.due > before.due) && others(j) <= harm
        };
        let day = if late && before.status == Status::Overdue {
            due + rng.range(1, 14) as i32
        } else {
            due - rng.range(0, 3) as i32
        };
        let day = day.min(cx.as_of);

        // the detail: an event of a counted kind on or shortly before the
        // due date, missing what the filter asks for
        for &(kind, _, filter) in &terms {
            let Some(cons) = self.filter_constraints(program, filter, true) else {
                continue;
            };
            if cons.is_empty() {
                continue;
            }
            let near =
                cx.b.events
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| e.kind == kind && e.date <= due && e.date >= due - 7)
                    .map(|(i, _)| i)
                    .next_back();
            let Some(i) = near else { continue };
            let saved = self.save_event(cx, i);
            self.apply_event(cx, program, i, &cons);
            self.eval(cx);
            if better(self) {
                return true;
            }
            self.restore_event(cx, i, saved);
        }

        // the events themselves: one per term on `day` (or on the due date
        // itself, for a window of one day), then, if the rule counts more
        // than one, the rest a week apart before it
        let mark = cx.b.events.len();
        let mut days = vec![day];
        if day != due && due <= cx.as_of {
            days.push(due);
        }
        for d0 in days {
            for round in 0..2 {
                for &(kind, n, filter) in &terms {
                    let extra = if round == 0 {
                        1
                    } else {
                        n.saturating_sub(1).min(4)
                    };
                    for k in 0..extra {
                        let d = if round == 0 {
                            d0
                        } else {
                            d0 - 7 * (k as i32 + 1)
                        };
                        self.add_event(cx, rng, program, kind, filter, d);
                    }
                }
                self.eval(cx);
                if better(self) {
                    return true;
                }
            }
            cx.b.events.truncate(mark);
        }
        self.eval(cx);
        false
    }

    /// A prohibition violated on a date: the forbidden event is held as the
    /// rule wants it (the filter made false: in person, with the guidance
    /// given), or, when no event field can do that, not in the window.
    fn unviolate(&mut self, cx: &mut Cx<'_>, rng: &mut Rng, program: &Program, r: usize) {
        let forbids = self.forbids.get(r).cloned().unwrap_or_default();
        for _ in 0..4 {
            let before = self.rule(r);
            if before.status != Status::Violated {
                return;
            }
            let Some(on) = before.met_on else { return };
            let harm = self.harm() - 1;
            let mut fixed = false;
            for &(kind, filter) in &forbids {
                let cons = self.filter_constraints(program, filter, false);
                let at: Vec<usize> =
                    cx.b.events
                        .iter()
                        .enumerate()
                        .filter(|(_, e)| e.kind == kind && e.date == on)
                        .map(|(i, _)| i)
                        .collect();
                for i in at {
                    let saved = self.save_event(cx, i);
                    match &cons {
                        Some(c) if !c.is_empty() => self.apply_event(cx, program, i, c),
                        // no field makes it allowed: held after the window
                        _ => {
                            let end = before.due.unwrap_or(on).max(on);
                            if let Some(e) = cx.b.events.get_mut(i) {
                                e.date = end + 1 + rng.range(0, 14) as i32;
                            }
                        }
                    }
                    self.eval(cx);
                    let now = self.rule(r);
                    if (now.status != Status::Violated || now.met_on > Some(on))
                        && self.harm() <= harm + usize::from(now.status == Status::Violated)
                    {
                        fixed = true;
                        break;
                    }
                    self.restore_event(cx, i, saved);
                    self.eval(cx);
                }
                if fixed {
                    break;
                }
            }
            if !fixed {
                return;
            }
        }
    }

    fn filter_constraints(&self, program: &Program, filter: u32, want: bool) -> Option<Vec<Con>> {
        if filter == u32::MAX {
            return Some(Vec::new()).filter(|_| want);
        }
        let f = program.filters.get(filter as usize)?;
        let tree = Tree::parse(program, f.code.start, f.code.len);
        let cons = tree.solve(tree.root(), want)?;
        // only what an event records can be set on an event
        Some(
            cons.into_iter()
                .filter(|c| matches!(c.on, On::Ev(_)))
                .collect(),
        )
    }

    fn save_event(&self, cx: &Cx<'_>, i: usize) -> (Ev, Vec<Option<Val>>) {
        let e = cx.b.events[i];
        let width = cx
            .schema
            .events
            .get(e.kind as usize)
            .map_or(0, |k| k.fields.len());
        let vals =
            cx.b.ev_vals
                .get(e.vals as usize..e.vals as usize + width)
                .unwrap_or(&[])
                .to_vec();
        (e, vals)
    }

    fn restore_event(&self, cx: &mut Cx<'_>, i: usize, (e, vals): (Ev, Vec<Option<Val>>)) {
        if let Some(slot) = cx.b.events.get_mut(i) {
            *slot = e;
        }
        for (j, v) in vals.into_iter().enumerate() {
            if let Some(slot) = cx.b.ev_vals.get_mut(e.vals as usize + j) {
                *slot = v;
            }
        }
    }

    /// Sets the event's fields to meet the constraints, changing only those
    /// that do not already.
    fn apply_event(&self, cx: &mut Cx<'_>, program: &Program, i: usize, cons: &[Con]) {
        let e = cx.b.events[i];
        let Some(kind) = cx.schema.events.get(e.kind as usize) else {
            return;
        };
        for c in cons {
            let On::Ev(f) = c.on else { continue };
            let Some(def) = kind.fields.get(f as usize) else {
                continue;
            };
            let slot = e.vals as usize + f as usize;
            let cur = self.value(cx.b.ev_vals.get(slot).copied().flatten(), def.default);
            if let Pick::Set(v) = c.pick(program, cx.schema, def, cur) {
                if let Some(s) = cx.b.ev_vals.get_mut(slot) {
                    *s = v;
                }
            }
        }
    }

    /// A new event of `kind` on `date` passing `filter`: its values copied
    /// from the case's latest event of the kind (a caseworker's habits), or
    /// generic ones, then set as the filter asks.
    fn add_event(
        &self,
        cx: &mut Cx<'_>,
        rng: &mut Rng,
        program: &Program,
        kind: u16,
        filter: u32,
        date: i32,
    ) {
        let template = cx.b.events.iter().rev().find(|e| e.kind == kind).copied();
        let Some(start) = cx.event(rng, kind, date) else {
            return;
        };
        let width = cx
            .schema
            .events
            .get(kind as usize)
            .map_or(0, |k| k.fields.len());
        if let Some(t) = template {
            for j in 0..width {
                let v = cx.b.ev_vals.get(t.vals as usize + j).copied().flatten();
                if let Some(s) = cx.b.ev_vals.get_mut(start + j) {
                    *s = v;
                }
            }
        }
        if let Some(cons) = self.filter_constraints(program, filter, true) {
            let i = cx.b.events.len() - 1;
            self.apply_event(cx, program, i, &cons);
        }
    }
}

/// What a value is read from in a condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum On {
    /// A field of the event being filtered.
    Ev(u16),
    /// A case field.
    Case(u16),
    /// `count(kind where filter …)`: `value` is the count wanted.
    Count(u16, u32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rel {
    Eq,
    Ne,
    /// In / not in `Program::sets[i]`.
    In(u32),
    NotIn(u32),
    Lt,
    Gt,
    Absent,
}

/// One condition a solution puts on a value.
#[derive(Debug, Clone, Copy)]
struct Con {
    on: On,
    rel: Rel,
    value: i64,
}

impl Con {
    /// A value meeting the constraint for a field of type `ty` holding
    /// `cur` (with `default`, if the field has one).
    fn pick(
        &self,
        program: &Program,
        schema: &pol_runtime::bytecode::program::Schema,
        def: &FieldDef,
        cur: i64,
    ) -> Pick {
        let ty = def.ty;
        let variants = match ty {
            FieldType::Enum(e) => schema.enums.get(e as usize).map_or(0, |d| d.variants.len()),
            FieldType::Bool => 2,
            _ => 0,
        } as i64;
        let set = |s: u32| program.sets.get(s as usize).copied().unwrap_or(0);
        let holds = |v: i64| match self.rel {
            Rel::Eq => v == self.value,
            Rel::Ne => v != self.value && v != NONE,
            Rel::In(s) => (0..64).contains(&v) && set(s) >> v & 1 == 1,
            Rel::NotIn(s) => (0..64).contains(&v) && set(s) >> v & 1 == 0,
            Rel::Lt => v != NONE && v < self.value,
            Rel::Gt => v != NONE && v > self.value,
            Rel::Absent => v == NONE,
        };
        if holds(cur) {
            return Pick::Keep;
        }
        let v = match self.rel {
            Rel::Eq => self.value,
            Rel::Lt => self.value - 1,
            Rel::Gt => self.value + 1,
            Rel::Absent if def.required() => return Pick::No,
            Rel::Absent => NONE,
            Rel::Ne | Rel::In(_) | Rel::NotIn(_) => {
                match (0..variants.max(1)).find(|v| holds(*v)) {
                    Some(v) => v,
                    None => return Pick::No,
                }
            }
        };
        if !holds(v) {
            return Pick::No;
        }
        // the default is left out, as exports do
        if v == NONE || def.default == Some(v) {
            return Pick::Set(None);
        }
        match val(ty, v) {
            Some(v) => Pick::Set(Some(v)),
            None => Pick::No,
        }
    }
}

/// What a constraint does to a field.
enum Pick {
    /// It holds already.
    Keep,
    /// Set the field (`None`: leave it out).
    Set(Option<Val>),
    /// It cannot hold.
    No,
}

/// The generator's value for `v` in the program's value model.
fn val(ty: FieldType, v: i64) -> Option<Val> {
    if v == NONE {
        return None;
    }
    Some(match ty {
        FieldType::Bool => Val::Bool(v != 0),
        FieldType::Int => Val::Int(v),
        FieldType::Decimal => Val::Dec(v),
        FieldType::Percent => Val::Pct(v * 100),
        FieldType::Date => Val::Date(v as i32),
        FieldType::Days => Val::Days(v as i32),
        FieldType::Months => Val::Months(v as i32),
        FieldType::Enum(_) => Val::Enum(v as u16),
        FieldType::Text | FieldType::Periods => return None,
    })
}

/// An expression's code as a tree (the code is postfix, without jumps).
struct Tree {
    nodes: Vec<(Op, Vec<usize>)>,
}

impl Tree {
    fn parse(program: &Program, start: u32, len: u32) -> Tree {
        let code = program
            .code
            .get(start as usize..(start + len) as usize)
            .unwrap_or(&[]);
        let mut nodes: Vec<(Op, Vec<usize>)> = Vec::new();
        let mut stack: Vec<usize> = Vec::new();
        for op in code {
            let (arity, _) = op_effect(op);
            let at = stack.len().saturating_sub(arity);
            let args = stack.split_off(at);
            nodes.push((*op, args));
            stack.push(nodes.len() - 1);
        }
        Tree { nodes }
    }

    fn root(&self) -> usize {
        self.nodes.len().wrapping_sub(1)
    }

    /// What a value node reads, if it is a plain field or count.
    fn leaf(&self, n: usize) -> Option<On> {
        match self.nodes.get(n)? {
            (Op::EvField(f), _) => Some(On::Ev(*f)),
            (Op::Field(f), _) => Some(On::Case(*f)),
            (
                Op::Agg {
                    func: AggFunc::Count,
                    kind,
                    filter,
                    ..
                },
                _,
            ) => Some(On::Count(*kind, *filter)),
            _ => None,
        }
    }

    fn constant(&self, n: usize) -> Option<i64> {
        match self.nodes.get(n)? {
            (Op::Const(c), _) => Some(*c),
            _ => None,
        }
    }

    /// Constraints under which node `n` is `want`; `None`: none found.
    /// Parts that read neither an event field, a case field nor a count
    /// (dates, ages, sums) are taken as they come: the runtime judges the
    /// result.
    fn solve(&self, n: usize, want: bool) -> Option<Vec<Con>> {
        let (op, args) = self.nodes.get(n)?;
        let a = args.first().copied();
        let b = args.get(1).copied();
        let con = |on, rel, value| Some(vec![Con { on, rel, value }]);
        match op {
            Op::And | Op::Or => {
                let (a, b) = (a?, b?);
                // both must hold: all of either side's constraints
                if (*op == Op::And) == want {
                    let mut x = self.solve(a, want)?;
                    let y = self.solve(b, want)?;
                    x.extend(y);
                    Some(x)
                } else if *op == Op::And {
                    // `and` made false: one side suffices; the right one
                    // first, as a lowered `every … must C` is `F and not C`
                    // and C is what the caseworker gets wrong
                    self.solve(b, want)
                        .filter(|c| !c.is_empty())
                        .or_else(|| self.solve(a, want))
                } else {
                    // `or` made true: the first alternative, the plain case
                    // (`held_by == jobcenter or (match_3 and a mentor)`)
                    self.solve(a, want)
                        .filter(|c| !c.is_empty())
                        .or_else(|| self.solve(b, want))
                }
            }
            Op::Not => self.solve(a?, !want),
            Op::Eq | Op::Ne | Op::Lt | Op::Le | Op::Gt | Op::Ge => {
                let (a, b) = (a?, b?);
                let (leaf, c, flipped) = match (self.leaf(a), self.constant(b)) {
                    (Some(l), Some(c)) => (l, c, false),
                    _ => match (self.leaf(b), self.constant(a)) {
                        (Some(l), Some(c)) => (l, c, true),
                        _ => return Some(Vec::new()),
                    },
                };
                // normalize to `leaf REL c`, then negate when unwanted
                let op = match (op, flipped) {
                    (Op::Lt, true) => Op::Gt,
                    (Op::Le, true) => Op::Ge,
                    (Op::Gt, true) => Op::Lt,
                    (Op::Ge, true) => Op::Le,
                    (o, _) => *o,
                };
                let op = if want {
                    op
                } else {
                    match op {
                        Op::Eq => Op::Ne,
                        Op::Ne => Op::Eq,
                        Op::Lt => Op::Ge,
                        Op::Le => Op::Gt,
                        Op::Gt => Op::Le,
                        _ => Op::Lt,
                    }
                };
                let (rel, value) = match op {
                    Op::Eq => (Rel::Eq, c),
                    Op::Ne => (Rel::Ne, c),
                    Op::Lt => (Rel::Lt, c),
                    Op::Le => (Rel::Lt, c + 1),
                    Op::Gt => (Rel::Gt, c),
                    _ => (Rel::Gt, c - 1),
                };
                if let On::Count(..) = leaf {
                    // a count is made at least so large, never smaller
                    return match rel {
                        Rel::Gt => con(leaf, Rel::Gt, value + 1),
                        Rel::Eq if value > 0 => con(leaf, Rel::Gt, value),
                        _ => None,
                    };
                }
                con(leaf, rel, value)
            }
            Op::InSet(s) => {
                let leaf = self.leaf(a?).filter(|l| !matches!(l, On::Count(..)));
                let rel = if want { Rel::In(*s) } else { Rel::NotIn(*s) };
                leaf.map_or(Some(Vec::new()), |l| con(l, rel, 0))
            }
            Op::IsPresent => match self.leaf(a?) {
                Some(l @ (On::Ev(_) | On::Case(_))) if !want => con(l, Rel::Absent, 0),
                _ => Some(Vec::new()),
            },
            Op::EvField(_) | Op::Field(_) => {
                let leaf = self.leaf(n)?;
                con(leaf, Rel::Eq, i64::from(want))
            }
            Op::Const(c) => (((*c != 0) == want) || *c == NONE).then(Vec::new),
            _ => Some(Vec::new()),
        }
    }
}
