//! The evaluator: one case on one date gives every group's membership, every
//! rule's status and every target's outcome (language reference §4–§8).
//! Expressions are `exprs.rs`'s, the case's context and scratch
//! `context.rs`'s, counting cursors and suspensions `counting.rs`'s.
//!
//! The hot path allocates nothing: expressions run on a fixed stack array,
//! event windows are binary searches over the batch's sorted dates, and
//! counting walks each count's events once with a forward-only cursor.
//! Explanations and forecasts reuse this code through the `Trace` hooks,
//! which compile away for `NoTrace`.

use crate::bytecode::program::{
    Body, CountTerm, Dur, Effect, ExemptionCondition, ForbidWindow, Form, Program, Requirement,
    TargetKind, NONE,
};
use crate::bytecode::verify::MAX_COUNTS;
use crate::caseload::batch::CaseRef;
use crate::vm::dates;
use crate::vm::lookups::Lookups;
use crate::vm::plans::GroupPlan;
use crate::vm::result::{CaseResult, RuleResult, Status, TargetOutcome};

use crate::vm::context::{Ctx, ExemptReason, MonthMemo, NoTrace, NotApplicable, Trace};
use crate::vm::counting::{open, without_due};
pub(crate) use crate::vm::counting::{
    Counter, Counters, Merge, Sliding, SlidingMerge, Suspensions, Walk,
};

#[derive(Clone, Copy)]
pub(crate) struct Machine<'p> {
    pub p: &'p Program,
    pub l: &'p Lookups,
}

pub(crate) fn truthy(v: i64) -> bool {
    v != 0 && v != NONE
}

/// A saturated result must not collide with `NONE`.
pub(crate) fn not_none(v: i64) -> i64 {
    if v == NONE {
        NONE + 1
    } else {
        v
    }
}

pub(crate) fn clamp_i128(v: i128) -> i64 {
    not_none(v.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64)
}

pub(crate) fn day(v: i64) -> i32 {
    v.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32
}

impl<'p> Machine<'p> {
    /// Evaluates one case into `out`. Rules outside the case's groups are
    /// only marked not applicable (`rule` gives the reason to a trace).
    pub fn evaluate(&self, case: CaseRef<'_>, today: i32, out: &mut CaseResult) {
        let p = self.p;
        out.groups.resize(p.groups.len(), false);
        out.rules.resize(p.rules.len(), RuleResult::NOT_APPLICABLE);
        out.targets
            .resize(p.targets.len(), TargetOutcome::NotCounted);
        let memo = MonthMemo::default();
        let cx = Ctx::new(case, today, &p.schema, &memo);
        self.groups(&cx, &mut out.groups);
        match self.l.group_rules.as_deref() {
            Some(group_rules) => {
                // Visit only the rules of the case's groups (and those of no
                // group): one branch per rule run, not a mispredicted
                // membership test per rule.
                let mut todo = self.l.ungrouped_rules;
                for (in_group, rules) in out.groups.iter().zip(group_rules) {
                    todo |= rules & 0u64.wrapping_sub(u64::from(*in_group));
                }
                out.rules.fill(RuleResult::NOT_APPLICABLE);
                while todo != 0 {
                    let r = todo.trailing_zeros() as usize;
                    todo &= todo - 1;
                    if let Some(slot) = out.rules.get_mut(r) {
                        self.rule_in_group(r, &cx, &mut NoTrace, slot);
                    }
                }
            }
            None => {
                for (r, slot) in out.rules.iter_mut().enumerate() {
                    *slot = self.rule(r, &cx, &out.groups, &mut NoTrace);
                }
            }
        }
        let cx = Ctx {
            rules: &out.rules,
            ..cx
        };
        for (t, slot) in out.targets.iter_mut().enumerate() {
            *slot = self.target(t, &cx, &out.groups);
        }
    }

    /// §5: membership, then priorities (the lowest-numbered matching group wins).
    pub fn groups(&self, cx: &Ctx<'_>, out: &mut [bool]) {
        let mut atoms = 0u64;
        for (i, a) in self.l.group_atoms.iter().enumerate() {
            atoms |= u64::from(self.cheap_test(*a, cx)) << (i & 63);
        }
        for ((slot, g), plan) in out.iter_mut().zip(&self.p.groups).zip(
            self.l
                .group_plans
                .iter()
                .chain(std::iter::repeat(&GroupPlan::Code)),
        ) {
            *slot = match *plan {
                GroupPlan::Table {
                    atoms: at,
                    n,
                    table,
                } => {
                    let mut row = 0u32;
                    for (j, a) in at.iter().take(usize::from(n)).enumerate() {
                        row |= ((atoms >> (a & 63)) as u32 & 1) << j;
                    }
                    table >> (row & 63) & 1 == 1
                }
                GroupPlan::Code => truthy(self.eval(g.pred, cx, None)),
            };
        }
        let mut chosen = false;
        for g in &self.l.priority_groups {
            if let Some(slot) = out.get_mut(usize::from(*g)) {
                if *slot {
                    *slot = !chosen;
                    chosen = true;
                }
            }
        }
    }

    /// How the case counts toward target `t` (§8).
    fn target(&self, t: usize, cx: &Ctx<'_>, groups: &[bool]) -> TargetOutcome {
        let Some(target) = self.p.targets.get(t) else {
            return TargetOutcome::NotCounted;
        };
        if !groups
            .get(usize::from(target.group))
            .copied()
            .unwrap_or(false)
        {
            return TargetOutcome::NotCounted;
        }
        // §8: out of its effective dates a target counts no case
        if !target.effective.contains(day(cx.today)) {
            return TargetOutcome::NotCounted;
        }
        if let Some(f) = target.filter {
            if !truthy(self.eval(f, cx, None)) {
                return TargetOutcome::NotCounted;
            }
        }
        let exempt = target.rules.iter().any(|r| {
            cx.rules
                .get(usize::from(*r))
                .is_some_and(|x| x.status == Status::Exempt)
        });
        if exempt {
            return TargetOutcome::Excluded;
        }
        if let TargetKind::Average { value, .. } = target.kind {
            // a case without a value leaves the average
            return if self.eval(value, cx, None) == NONE {
                TargetOutcome::Excluded
            } else {
                TargetOutcome::Satisfies
            };
        }
        if truthy(self.eval(target.satisfy, cx, None)) {
            TargetOutcome::Satisfies
        } else {
            TargetOutcome::Fails
        }
    }

    /// `values[t]`: the value of average target `t` for a case that counts
    /// toward it in `result`; other slots are left as they are.
    pub fn target_values(
        &self,
        case: CaseRef<'_>,
        today: i32,
        result: &CaseResult,
        values: &mut [i64],
    ) {
        let memo = MonthMemo::default();
        let cx = Ctx {
            rules: &result.rules,
            ..Ctx::new(case, today, &self.p.schema, &memo)
        };
        for ((target, outcome), slot) in self.p.targets.iter().zip(&result.targets).zip(values) {
            if let (TargetKind::Average { value, .. }, TargetOutcome::Satisfies) =
                (target.kind, outcome)
            {
                *slot = self.eval(value, &cx, None);
            }
        }
    }

    // -----------------------------------------------------------------------
    // Rules (§6)
    // -----------------------------------------------------------------------

    pub fn rule<T: Trace>(
        &self,
        r: usize,
        cx: &Ctx<'_>,
        groups: &[bool],
        trace: &mut T,
    ) -> RuleResult {
        let Some(rule) = self.p.rules.get(r) else {
            return RuleResult::NOT_APPLICABLE;
        };
        if !rule.groups.is_empty()
            && !rule
                .groups
                .iter()
                .any(|g| groups.get(usize::from(*g)).copied().unwrap_or(false))
        {
            trace.not_applicable(NotApplicable::NotInGroup);
            return RuleResult::NOT_APPLICABLE;
        }
        let mut out = RuleResult::NOT_APPLICABLE;
        self.rule_in_group(r, cx, trace, &mut out);
        out
    }

    /// `rule` for a rule the case's groups are known to reach, into `out`.
    /// The result is built where it is kept: handed back by value through
    /// two calls, each copy read it with wide loads right after the narrow
    /// stores that built it.
    fn rule_in_group<T: Trace>(&self, r: usize, cx: &Ctx<'_>, trace: &mut T, out: &mut RuleResult) {
        let mut na = |trace: &mut T, why| {
            trace.not_applicable(why);
            *out = RuleResult::NOT_APPLICABLE;
        };
        let Some(rule) = self.p.rules.get(r) else {
            *out = RuleResult::NOT_APPLICABLE;
            return;
        };
        if !rule.effective.contains(day(cx.today)) {
            return na(trace, NotApplicable::OutOfEffect);
        }
        if let Some(w) = rule.when {
            if !truthy(self.eval(w, cx, None)) {
                return na(trace, NotApplicable::WhenFalse);
            }
        }
        // INVARIANT (verifier): branches point forward, so this ends.
        let mut at = 0usize;
        let (body, req) = loop {
            match rule.body.get(at) {
                Some(Body::Branch {
                    cond,
                    then,
                    otherwise,
                }) => {
                    let next = if truthy(self.eval(*cond, cx, None)) {
                        Some(*then)
                    } else {
                        *otherwise
                    };
                    match next {
                        Some(n) if n as usize > at => at = n as usize,
                        _ => return na(trace, NotApplicable::NoBranch),
                    }
                }
                Some(Body::Require(req)) => break (at, req),
                None => return na(trace, NotApplicable::NoBranch),
            }
        };
        let anchor = self.value(req.anchor, cx);
        if anchor == NONE || !(dates::MIN_DAY..=dates::MAX_DAY).contains(&anchor) {
            return na(trace, NotApplicable::NoAnchor);
        }
        if anchor > cx.today {
            return na(trace, NotApplicable::AnchorAfterToday);
        }
        trace.requirement(body, day(anchor));

        let exemptions = self.l.exemptions_of(r);
        let susp = self.suspensions(r, cx);
        self.requirement_into(req, anchor, cx, &susp, trace, out);
        let forbids = matches!(req.form, Form::Forbid { .. });
        let base = &*out;
        if base.status == Status::NotApplicable || exemptions.is_empty() {
            if base.status == Status::NotApplicable {
                trace.not_applicable(NotApplicable::NotStarted);
            }
            return;
        }
        for &e in exemptions {
            let Some(why) = self.applies(e, cx) else {
                continue;
            };
            if self.overridden(e, exemptions, cx) {
                continue;
            }
            let effect = self
                .p
                .exemptions
                .get(usize::from(e))
                .map_or(Effect::Waive, |x| x.effect);
            let takes = match (effect, why) {
                (Effect::Waive, ExemptReason::Condition) => true,
                // §7: not retroactive: overdue before the period began stays overdue.
                // A violation before the period began stays too.
                (Effect::Waive, ExemptReason::Period(a, _)) => match base.status {
                    Status::Overdue => base.due.is_none_or(|d| d >= a),
                    Status::Violated => base.met_on.is_none_or(|d| d >= a),
                    _ => true,
                },
                // §7: the clock stops; met stays met, overdue-before-the-period stays overdue.
                // A prohibition's forbidden events inside the period were
                // never counted, so a violation is from before it and
                // stays; one still open (met without a date) is suspended.
                (Effect::Suspend, ExemptReason::Period(a, _)) => match base.status {
                    Status::Pending => true,
                    Status::Overdue => base.due.is_some_and(|d| d >= a),
                    Status::Met => forbids && base.met_on.is_none(),
                    _ => false,
                },
                (Effect::Suspend, ExemptReason::Condition) => false,
            };
            if takes {
                trace.exempt(e, why);
                out.status = Status::Exempt;
                out.met_on = None;
                out.exemption = Some(e);
                return;
            }
        }
    }

    /// `requirement` into `out`, built in place.
    #[inline(never)]
    fn requirement_into<T: Trace>(
        &self,
        req: &Requirement,
        s: i64,
        cx: &Ctx<'_>,
        susp: &Suspensions<'_>,
        trace: &mut T,
        out: &mut RuleResult,
    ) {
        *out = self.requirement(req, s, cx, susp, trace);
    }

    /// The periods of the suspending exemptions that move rule `r`'s due
    /// dates for this case: those reaching it, without `unless` holding, and
    /// not overridden by another exemption in force.
    pub fn suspensions<'c>(&self, r: usize, cx: &Ctx<'c>) -> Suspensions<'c> {
        let mut susp = Suspensions::NONE;
        if !self.l.rule_has_suspend.get(r).copied().unwrap_or(false) {
            return susp;
        }
        let exemptions = self.l.exemptions_of(r);
        for &e in exemptions {
            let Some(ex) = self.p.exemptions.get(usize::from(e)) else {
                continue;
            };
            if let (Effect::Suspend, ExemptionCondition::While(f)) = (ex.effect, ex.condition) {
                // Most cases have no periods: decide that before any code runs.
                if !cx.case.periods(f).is_empty()
                    && !self.unless_holds(e, cx)
                    && !self.overridden(e, exemptions, cx)
                {
                    susp.push(cx.case, f);
                }
            }
        }
        susp
    }

    fn unless_holds(&self, e: u16, cx: &Ctx<'_>) -> bool {
        self.p
            .exemptions
            .get(usize::from(e))
            .and_then(|x| x.unless)
            .is_some_and(|u| truthy(self.eval(u, cx, None)))
    }

    /// Whether exemption `e` is in force on today (its condition holds, or
    /// today is in one of its periods) and `unless` does not hold.
    pub fn applies(&self, e: u16, cx: &Ctx<'_>) -> Option<ExemptReason> {
        let Some(slot) = cx.months.exempt.get(usize::from(e)) else {
            return self.decide(e, cx);
        };
        if let Some(known) = slot.get() {
            return known;
        }
        let v = self.decide(e, cx);
        slot.set(Some(v));
        v
    }

    fn decide(&self, e: u16, cx: &Ctx<'_>) -> Option<ExemptReason> {
        let ex = self.p.exemptions.get(usize::from(e))?;
        let why = match ex.condition {
            ExemptionCondition::When(c) => {
                truthy(self.eval(c, cx, None)).then_some(ExemptReason::Condition)?
            }
            ExemptionCondition::While(f) => {
                let t = cx.today;
                // The earliest running period decides non-retroactivity.
                let &(a, b) = cx
                    .case
                    .periods(f)
                    .iter()
                    .find(|(a, b)| i64::from(*a) <= t && t <= i64::from(*b))?;
                ExemptReason::Period(a, b)
            }
        };
        (!self.unless_holds(e, cx)).then_some(why)
    }

    /// §7 `overrides`: `e` yields when an exemption that overrides it also
    /// reaches this rule and applies.
    fn overridden(&self, e: u16, reaching: &[u16], cx: &Ctx<'_>) -> bool {
        self.l
            .overriders_of(e)
            .iter()
            .any(|o| reaching.contains(o) && self.applies(*o, cx).is_some())
    }

    /// The status of one requirement before exemptions (suspensions already
    /// move its due dates). §6.1, §6.3.
    #[inline(always)]
    pub fn requirement<T: Trace>(
        &self,
        req: &Requirement,
        s: i64,
        cx: &Ctx<'_>,
        susp: &Suspensions<'_>,
        trace: &mut T,
    ) -> RuleResult {
        let today = cx.today;
        let mut walk = Walk::new(today);
        let counters = || Counters::new(self, cx, &req.counts, s, today);
        let once = || self.fulfilled_once(cx, &req.counts, s, today);
        let single = || {
            req.counts
                .first()
                .map(|t| Counter::new(self, cx, t, s, today))
        };
        let shift = |raw: i64, from: i64, trace: &mut T| -> i64 {
            let d = susp.shift(raw, from, today);
            if d != raw {
                trace.shifted(day(raw), day(d - raw));
            }
            d
        };
        match req.form {
            Form::Within { len } => {
                let Some(raw) = cx.months.add_dur(s, len) else {
                    return RuleResult::NOT_APPLICABLE;
                };
                let due = shift(raw, s, trace);
                let f = once();
                trace.instance(day(s), day(due), f.map(day));
                walk.step(due, f).unwrap_or_else(|| walk.finish())
            }
            Form::Between { end } => {
                let raw = self.eval(end, cx, None);
                if raw == NONE {
                    return RuleResult::NOT_APPLICABLE;
                }
                let due = shift(raw, s, trace);
                let f = once();
                trace.instance(day(s), day(due), f.map(day));
                walk.step(due, f).unwrap_or_else(|| walk.finish())
            }
            Form::BeforeWeek { week } => {
                let due = shift(s + 7 * i64::from(week) - 1, s, trace);
                let f = once();
                trace.instance(day(s), day(due), f.map(day));
                walk.step(due, f).unwrap_or_else(|| walk.finish())
            }
            Form::Slots { every, first } => {
                let Some(end) = cx.months.add_dur(s, first) else {
                    return RuleResult::NOT_APPLICABLE;
                };
                let mut counters = counters();
                let civil = cx.months.civil(s);
                let slot = |k: i64| match every {
                    Dur::Days(n) => dates::add_days(s, i64::from(n) * k),
                    Dur::Months(n) => civil.add_months(i64::from(n) * k),
                };
                let mut k: i64 = 1;
                while let Some(raw) = slot(k).filter(|r| *r <= end) {
                    let due = shift(raw, s, trace);
                    let f = counters.fulfilled(k as u64);
                    trace.instance(day(s), day(due), f.map(day));
                    if let Some(done) = walk.step(due, f) {
                        return done;
                    }
                    k += 1;
                }
                walk.finish()
            }
            Form::Interval { gap, after } => {
                let Some(start) = cx.months.add_dur(s, after) else {
                    return RuleResult::NOT_APPLICABLE;
                };
                if today < start {
                    return RuleResult::NOT_APPLICABLE;
                }
                let Some(mut c) = single() else {
                    return RuleResult::NOT_APPLICABLE;
                };
                let n = c.n;
                let mut prev = c.skip_through(start).unwrap_or(start);
                loop {
                    let Some(raw) = cx.months.add_dur(prev, gap) else {
                        return walk.finish();
                    };
                    let due = shift(raw, prev, trace);
                    let target = c.got() + n;
                    let f = c.nth(target);
                    trace.instance(day(prev), day(due), f.map(day));
                    if let Some(done) = walk.step(due, f) {
                        return done;
                    }
                    // walk.step returns Some whenever f is None, so f is set here.
                    let Some(f) = f else { return walk.finish() };
                    prev = f;
                }
            }
            Form::Rolling { len } => {
                let Some(mut c) = single() else {
                    return RuleResult::NOT_APPLICABLE;
                };
                let n = c.n;
                let Some(raw_end) = cx.months.add_dur(s, len) else {
                    return RuleResult::NOT_APPLICABLE;
                };
                let first_due = shift(raw_end, s, trace);
                if today < first_due {
                    // The case has not lasted `len` yet: the obligation is n
                    // events in [S, S + len], fulfilled on the n-th (§6.1).
                    let f = c.nth(n);
                    trace.instance(day(s), day(first_due), f.map(day));
                    return match f {
                        Some(f) => RuleResult {
                            status: Status::Met,
                            met_on: Some(day(f)),
                            due: Some(day(first_due)),
                            next_due: None,
                            exemption: None,
                        },
                        None => open(Status::Pending, first_due),
                    };
                }
                let m = c.count_all();
                if m >= n {
                    let mut again = Counter::new(self, cx, c.term, s, today);
                    let first = again.nth(m - n + 1).unwrap_or(s);
                    let last = again.nth(m).unwrap_or(first);
                    let Some(raw) = cx.months.add_dur(first, len) else {
                        return RuleResult::NOT_APPLICABLE;
                    };
                    let due = shift(raw, first, trace);
                    trace.instance(day(first), day(due), Some(day(last)));
                    if today <= due {
                        RuleResult {
                            status: Status::Met,
                            met_on: Some(day(last)),
                            due: Some(day(due)),
                            next_due: None,
                            exemption: None,
                        }
                    } else {
                        open(Status::Overdue, due)
                    }
                } else {
                    let Some(raw) = cx.months.add_dur(s, len) else {
                        return RuleResult::NOT_APPLICABLE;
                    };
                    let due = shift(raw, s, trace);
                    trace.instance(day(s), day(due), None);
                    open(
                        if today > due {
                            Status::Overdue
                        } else {
                            Status::Pending
                        },
                        due,
                    )
                }
            }
            Form::CalendarYear => {
                let (jan1, dec31) = dates::year_bounds(today);
                let (prev_jan1, prev_dec31) = dates::year_bounds(jan1 - 1);
                for (y0, y1) in [(prev_jan1, prev_dec31), (jan1, dec31)] {
                    if s > y1 {
                        continue;
                    }
                    let from = s.max(y0);
                    let due = shift(y1, from, trace);
                    let mut cs = Counters::new(self, cx, &req.counts, from, due.min(today));
                    let f = cs.fulfilled(1);
                    trace.instance(day(from), day(due), f.map(day));
                    if let Some(done) = walk.step(due, f) {
                        return done;
                    }
                }
                walk.finish()
            }
            Form::After => {
                let f = once();
                trace.open_instance(day(s), f.map(day));
                without_due(f)
            }
            Form::Forbid { window } => {
                let Some(end) = self.forbid_end(window, s, cx) else {
                    return RuleResult::NOT_APPLICABLE;
                };
                let mut first = None;
                if let Some(term) = req.counts.first() {
                    self.forbidden(term, s, end, cx, susp, |d| {
                        first = Some(d);
                        false
                    });
                }
                trace.prohibition(day(s), end.map(day), first.map(day));
                match first {
                    Some(v) => RuleResult {
                        status: Status::Violated,
                        met_on: Some(day(v)),
                        due: end.map(day),
                        next_due: None,
                        exemption: None,
                    },
                    // respected; met on the window's end once it has passed
                    None => RuleResult {
                        status: Status::Met,
                        met_on: end.filter(|e| *e < today).map(day),
                        due: end.map(day),
                        next_due: None,
                        exemption: None,
                    },
                }
            }
            Form::Each { kind, filter, len } => {
                let mut done = None;
                let mut last = None;
                self.each_instances(req, (kind, filter), len, s, cx, |t, raw, f| {
                    let raw = match (len, raw) {
                        (Some(_), Some(raw)) => raw,
                        // beyond the calendar: nothing later can come due
                        (Some(_), None) => return false,
                        (None, _) => {
                            // no due date: the first open instance makes the rule pending
                            trace.open_instance(day(t), f.map(day));
                            last = f.or(last);
                            if f.is_none() {
                                done = Some(without_due(None));
                            }
                            return done.is_none();
                        }
                    };
                    let due = shift(raw, t, trace);
                    trace.instance(day(t), day(due), f.map(day));
                    done = walk.step(due, f);
                    done.is_none()
                });
                match (done, len) {
                    (Some(r), _) => r,
                    (None, Some(_)) => walk.finish(),
                    // every trigger answered; none at all: nothing was asked
                    (None, None) => {
                        last.map_or(RuleResult::NOT_APPLICABLE, |f| without_due(Some(f)))
                    }
                }
            }
        }
    }

    /// Every instance of a per-event requirement (`each`), in the order of
    /// its triggers: the qualifying events of `trigger` (kind, filter) dated
    /// in `[s, today]`. `visit` gets the trigger's date, the raw due date
    /// (`None` without a deadline or beyond the calendar) and when the
    /// instance was fulfilled (every count's `n`-th qualifying event on or
    /// after the trigger); it returns `false` to stop. Linear in the events:
    /// each count keeps one sliding window across the triggers.
    pub fn each_instances(
        &self,
        req: &Requirement,
        trigger: (u16, u32),
        len: Option<Dur>,
        s: i64,
        cx: &Ctx<'_>,
        mut visit: impl FnMut(i64, Option<i64>, Option<i64>) -> bool,
    ) {
        if req.counts.iter().any(CountTerm::merged) {
            return self.each_instances_merged(req, trigger, len, s, cx, visit);
        }
        let today = cx.today;
        let (kind, filter) = trigger;
        let tev = cx.case.events(kind);
        let (start, end) = cx.window(kind, tev.dates, s, today);
        let mut slides = [Sliding::default(); MAX_COUNTS];
        for (sl, term) in slides.iter_mut().zip(&req.counts) {
            let ev = cx.case.events(term.kind);
            *sl = Sliding::open(cx, term.kind, &ev, s, today);
        }
        for k in start..end {
            if !self.matches(filter, cx, &tev, k) {
                continue;
            }
            let Some(&d) = tev.dates.get(k) else {
                break;
            };
            let t = i64::from(d);
            let raw = len.and_then(|len| cx.months.add_dur(t, len));
            let mut when = Some(i64::MIN);
            for (sl, term) in slides.iter_mut().zip(&req.counts) {
                let ev = cx.case.events(term.kind);
                match sl.nth_from(self, cx, term, &ev, t) {
                    Some(f) => when = when.map(|w| w.max(f)),
                    None => when = None,
                }
            }
            if !visit(t, raw, when.filter(|w| *w != i64::MIN)) {
                return;
            }
        }
    }

    /// `each_instances` for a requirement with a count over several kinds
    /// (`1 samtale or telefonkontakt after each …`): the same walk, each
    /// count's window a `Sliding` or, over several kinds, a `SlidingMerge`.
    /// Kept apart so the single-kind walk carries no merge state.
    #[inline(never)]
    fn each_instances_merged(
        &self,
        req: &Requirement,
        trigger: (u16, u32),
        len: Option<Dur>,
        s: i64,
        cx: &Ctx<'_>,
        mut visit: impl FnMut(i64, Option<i64>, Option<i64>) -> bool,
    ) {
        let today = cx.today;
        let (kind, filter) = trigger;
        let tev = cx.case.events(kind);
        let (start, end) = cx.window(kind, tev.dates, s, today);
        let mut slides = [Sliding::default(); MAX_COUNTS];
        let mut merged: [Option<SlidingMerge>; MAX_COUNTS] = [None; MAX_COUNTS];
        for ((sl, mg), term) in slides.iter_mut().zip(merged.iter_mut()).zip(&req.counts) {
            if term.merged() {
                *mg = Some(SlidingMerge::open(cx, term, self.p.also(term), s, today));
            } else {
                let ev = cx.case.events(term.kind);
                *sl = Sliding::open(cx, term.kind, &ev, s, today);
            }
        }
        for k in start..end {
            if !self.matches(filter, cx, &tev, k) {
                continue;
            }
            let Some(&d) = tev.dates.get(k) else {
                break;
            };
            let t = i64::from(d);
            let raw = len.and_then(|len| cx.months.add_dur(t, len));
            let mut when = Some(i64::MIN);
            for ((sl, mg), term) in slides.iter_mut().zip(merged.iter_mut()).zip(&req.counts) {
                let f = match mg {
                    Some(mg) => mg.nth_from(self, cx, term, t),
                    None => {
                        let ev = cx.case.events(term.kind);
                        sl.nth_from(self, cx, term, &ev, t)
                    }
                };
                match f {
                    Some(f) => when = when.map(|w| w.max(f)),
                    None => when = None,
                }
            }
            if !visit(t, raw, when.filter(|w| *w != i64::MIN)) {
                return;
            }
        }
    }

    /// A prohibition's last day from the anchor `s`: `Some(None)` when
    /// open-ended, `None` when it cannot be known (an absent `between`
    /// end, a date beyond the calendar): then the rule is not applicable.
    pub fn forbid_end(&self, window: ForbidWindow, s: i64, cx: &Ctx<'_>) -> Option<Option<i64>> {
        Some(match window {
            ForbidWindow::Within { len } => Some(cx.months.add_dur(s, len)?),
            ForbidWindow::BeforeWeek { week } => Some(s + 7 * i64::from(week) - 1),
            ForbidWindow::Between { end } => {
                let e = self.eval(end, cx, None);
                if e == NONE {
                    return None;
                }
                Some(e)
            }
            ForbidWindow::After => None,
        })
    }

    /// The forbidden events of a prohibition's count, in date order: those
    /// passing its filter dated in `[s, end]` up to today, outside every
    /// suspended period (§7). `visit` gets each date and returns `false` to
    /// stop. One binary search finds the window's start (events are
    /// sorted); nothing is allocated.
    pub fn forbidden(
        &self,
        term: &CountTerm,
        s: i64,
        end: Option<i64>,
        cx: &Ctx<'_>,
        susp: &Suspensions<'_>,
        mut visit: impl FnMut(i64) -> bool,
    ) {
        let ev = cx.case.events(term.kind);
        let to = end.map_or(cx.today, |e| e.min(cx.today));
        let (lo, hi) = cx.window(term.kind, ev.dates, s, to);
        for k in lo..hi {
            let Some(&d) = ev.dates.get(k) else {
                break;
            };
            let d = i64::from(d);
            if self.matches(term.filter, cx, &ev, k) && !susp.covers(d) && !visit(d) {
                return;
            }
        }
    }

    /// The date of a count's `n`-th qualifying event in `[from, to]`, over
    /// several kinds (their events merged by date). Kept out of line so
    /// the single-kind walk of `fulfilled_once` stays as small as it was.
    #[cold]
    #[inline(never)]
    fn nth_merged(&self, cx: &Ctx<'_>, t: &CountTerm, from: i64, to: i64) -> Option<i64> {
        Merge::open(cx, t, self.p.also(t), from, to).nth(self, cx, u64::from(t.n))
    }

    /// `Counters::new(…).fulfilled(1)` for a requirement with one
    /// instance: each count's cursor lives only while its events are
    /// walked, with no cursor array built and handed back.
    fn fulfilled_once(&self, cx: &Ctx<'_>, terms: &[CountTerm], from: i64, to: i64) -> Option<i64> {
        let mut when = i64::MIN;
        for t in terms {
            if t.merged() {
                when = when.max(self.nth_merged(cx, t, from, to)?);
                continue;
            }
            // One search for the window's start; its end is found by the
            // walk itself, which stops there or at the n-th qualifying event.
            let ev = cx.case.events(t.kind);
            let lo = ev.dates.partition_point(|d| i64::from(*d) < from);
            if t.filter == u32::MAX {
                // every event counts: the n-th is at a known place
                let nth = (t.n as usize)
                    .checked_sub(1)
                    .and_then(|i| ev.dates.get(lo + i))
                    .map(|d| i64::from(*d))
                    .filter(|d| *d <= to)?;
                when = when.max(nth);
                continue;
            }
            let mut left = t.n;
            let mut found = None;
            for (k, &d) in ev.dates.iter().enumerate().skip(lo) {
                if left == 0 || i64::from(d) > to {
                    break;
                }
                if self.matches(t.filter, cx, &ev, k) {
                    left -= 1;
                    if left == 0 {
                        found = Some(i64::from(d));
                    }
                }
            }
            when = when.max(found?);
        }
        (when != i64::MIN).then_some(when)
    }
}
