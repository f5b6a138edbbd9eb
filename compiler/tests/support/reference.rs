//! A reference evaluator over the checked program (`Checked`), written from
//! docs/language.md and the `Form` docs in runtime/src/bytecode/program.rs,
//! not from the VM. It recomputes everything from scratch for every case:
//! every aggregate scans every event, every instance of a schedule is built
//! explicitly, and calendar arithmetic goes through chrono.

use chrono::{Datelike, Months, NaiveDate};
use pol_compiler::check::ir::{
    AggFunc, AggWindow, BinOp, BodyIr, Checked, ConditionIr, CountIr, EffectIr, ForbidIr, FormIr,
    MeasureIr, RequirementIr, TExpr, TExprKind, Ty,
};
use pol_runtime::bytecode::program::{Dur, DECIMAL_SCALE, NONE};
use pol_runtime::caseload::batch::OPEN_END;
use pol_runtime::{CaseData, RuleResult, Status, TargetOutcome};

/// What the reference computes for one case on one date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefResult {
    pub groups: Vec<bool>,
    pub rules: Vec<RuleResult>,
    pub targets: Vec<TargetOutcome>,
    /// Per target: an average target's value for a counted case, else `NONE`.
    pub target_values: Vec<i64>,
    /// Which exemption and schedule paths the case took (coverage).
    pub trace: Vec<&'static str>,
}

/// Day number (days since 1970-01-01) to a calendar date.
pub fn naive(day: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).unwrap() + chrono::Duration::days(i64::from(day))
}

/// A calendar date to its day number.
pub fn day_of(d: NaiveDate) -> i32 {
    (d - NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()).num_days() as i32
}

/// `day + n months`, clamped to the month's end (§6.2); n may be negative.
pub fn add_months(day: i32, n: i64) -> i32 {
    let d = naive(day);
    let out = if n >= 0 {
        d.checked_add_months(Months::new(n as u32))
    } else {
        d.checked_sub_months(Months::new((-n) as u32))
    };
    day_of(out.unwrap())
}

/// `day + k·d` computed in one step from the anchor (never repeated addition).
pub fn add_dur(day: i32, d: Dur, k: i64) -> i32 {
    match d {
        Dur::Days(n) => day + (i64::from(n) * k) as i32,
        Dur::Months(n) => add_months(day, i64::from(n) * k),
    }
}

/// One instance of a rule's series: its due date and when it was fulfilled.
#[derive(Debug, Clone, Copy)]
struct Instance {
    /// `None`: an obligation without a due date (`after …`)
    due: Option<i32>,
    met: Option<i32>,
}

/// The case seen by the evaluator, with `today` and (inside a filter) the
/// current event.
struct Env<'a> {
    checked: &'a Checked,
    case: &'a CaseData,
    today: i32,
    /// The position of case field `i` among the periods fields, if it is one.
    period_slot: &'a [Option<usize>],
    event: Option<(i32, &'a [i64])>,
    /// Rule results, once computed (targets read them).
    rules: Option<&'a [RuleResult]>,
}

fn b(x: bool) -> i64 {
    i64::from(x)
}

impl<'a> Env<'a> {
    fn with_event(&self, date: i32, values: &'a [i64]) -> Env<'a> {
        Env {
            checked: self.checked,
            case: self.case,
            today: self.today,
            period_slot: self.period_slot,
            event: Some((date, values)),
            rules: self.rules,
        }
    }

    fn periods(&self, field: usize) -> &'a [(i32, i32)] {
        &self.case.periods[self.period_slot[field].unwrap()]
    }

    fn eval(&self, e: &TExpr) -> i64 {
        match &e.kind {
            TExprKind::Const(v) => *v,
            TExprKind::Field(i) => self.case.fields[*i],
            TExprKind::EvField(i) => self.event.unwrap().1[*i],
            TExprKind::EvDate => i64::from(self.event.unwrap().0),
            TExprKind::Today => i64::from(self.today),
            TExprKind::AgeOn(d) => {
                let on = self.eval(d);
                let birth = self
                    .checked
                    .birth_field
                    .map_or(NONE, |f| self.case.fields[f]);
                if on == NONE || birth == NONE {
                    return NONE;
                }
                let (on, birth) = (naive(on as i32), naive(birth as i32));
                let mut age = on.year() - birth.year();
                if (on.month(), on.day()) < (birth.month(), birth.day()) {
                    age -= 1;
                }
                i64::from(age)
            }
            TExprKind::IsPresent(x) => b(self.eval(x) != NONE),
            TExprKind::Not(x) => b(self.eval(x) == 0),
            TExprKind::Neg(x) => {
                let v = self.eval(x);
                if v == NONE {
                    NONE
                } else {
                    -v
                }
            }
            TExprKind::IntToDec(x) => {
                let v = self.eval(x);
                if v == NONE {
                    NONE
                } else {
                    v * DECIMAL_SCALE
                }
            }
            TExprKind::Binary(op, l, r) => self.binary(*op, l, r),
            TExprKind::InSet(x, mask) => {
                let v = self.eval(x);
                b(v != NONE && (0..64).contains(&v) && (mask >> v) & 1 == 1)
            }
            TExprKind::InPeriods(x, field) => {
                let v = self.eval(x);
                if v == NONE {
                    return 0;
                }
                let d = v as i32;
                b(self.periods(*field).iter().any(|&(s, e)| s <= d && d <= e))
            }
            TExprKind::Agg {
                func,
                kind,
                filter,
                window,
            } => self.aggregate(*func, *kind, filter.as_deref(), window),
            TExprKind::RuleMet(r) => {
                let st = self.rules.unwrap()[*r].status;
                b(matches!(st, Status::Met | Status::MetLate))
            }
            // §8: on time is `met`, never `met_late`
            TExprKind::RuleOnTime(r) => b(self.rules.unwrap()[*r].status == Status::Met),
            TExprKind::Error => panic!("error node in a checked program"),
        }
    }

    fn binary(&self, op: BinOp, l: &TExpr, r: &TExpr) -> i64 {
        let (a, c) = (self.eval(l), self.eval(r));
        let none = a == NONE || c == NONE;
        let cmp = |x: bool| b(!none && x);
        let arith = |x: Option<i64>| if none { NONE } else { x.unwrap_or(NONE) };
        match op {
            BinOp::And => b(a != 0 && c != 0),
            BinOp::Or => b(a != 0 || c != 0),
            BinOp::Eq => cmp(a == c),
            BinOp::Ne => cmp(a != c),
            BinOp::Lt => cmp(a < c),
            BinOp::Le => cmp(a <= c),
            BinOp::Gt => cmp(a > c),
            BinOp::Ge => cmp(a >= c),
            BinOp::Add => arith(Some(a.saturating_add(c))),
            BinOp::Sub => arith(Some(a.saturating_sub(c))),
            BinOp::Mul => arith(Some(a.saturating_mul(c))),
            BinOp::Div => arith(a.checked_div(c)),
            BinOp::MulDec => arith(Some(
                (i128::from(a) * i128::from(c) / i128::from(DECIMAL_SCALE)) as i64,
            )),
            BinOp::DivDec => arith(
                (c != 0)
                    .then(|| (i128::from(a) * i128::from(DECIMAL_SCALE) / i128::from(c)) as i64),
            ),
            BinOp::AddDays => arith(Some(a.saturating_add(c))),
            BinOp::SubDays => arith(Some(a.saturating_sub(c))),
            BinOp::AddMonths => arith(Some(i64::from(add_months(a as i32, c)))),
            BinOp::SubMonths => arith(Some(i64::from(add_months(a as i32, -c)))),
            // §4 `min`/`max`: absent when either operand is
            BinOp::Min => arith(Some(a.min(c))),
            BinOp::Max => arith(Some(a.max(c))),
        }
    }

    /// Every event of `kind` dated on or before today that passes the filter,
    /// in date order.
    fn matching(&self, kind: usize, filter: Option<&TExpr>) -> Vec<(i32, &'a [i64])> {
        self.case.events[kind]
            .iter()
            .filter(|(d, _)| *d <= self.today)
            .filter(|(d, v)| filter.is_none_or(|f| self.with_event(*d, v).eval(f) != 0))
            .map(|(d, v)| (*d, v.as_slice()))
            .collect()
    }

    fn aggregate(
        &self,
        func: AggFunc,
        kind: usize,
        filter: Option<&TExpr>,
        window: &AggWindow,
    ) -> i64 {
        let (from, to) = match window {
            AggWindow::All => (i64::MIN, i64::MAX),
            // a window with an absent bound holds no event: count 0, sum 0,
            // first/last absent (§4: `count` is an `int`, not optional)
            AggWindow::Range(f, t) => (self.eval(f), self.eval(t)),
            AggWindow::Last(d) => (i64::from(add_dur(self.today, *d, -1)), i64::MAX),
        };
        let absent_bound = matches!(window, AggWindow::Range(..)) && (from == NONE || to == NONE);
        let events: Vec<(i32, &[i64])> = self
            .matching(kind, filter)
            .into_iter()
            .filter(|(d, _)| !absent_bound && from <= i64::from(*d) && i64::from(*d) <= to)
            .collect();
        match func {
            AggFunc::Count => events.len() as i64,
            AggFunc::Sum(f) => events
                .iter()
                .map(|(_, v)| v[f])
                .filter(|v| *v != NONE)
                .sum(),
            AggFunc::First => events.first().map_or(NONE, |(d, _)| i64::from(*d)),
            AggFunc::Last => events.last().map_or(NONE, |(d, _)| i64::from(*d)),
        }
    }
}

/// Evaluates `checked` for one case on `today`.
pub fn evaluate(checked: &Checked, case: &CaseData, today: i32) -> RefResult {
    let mut slots = Vec::new();
    let mut n = 0;
    for f in &checked.fields {
        if f.ty == Ty::Periods {
            slots.push(Some(n));
            n += 1;
        } else {
            slots.push(None);
        }
    }
    let env = Env {
        checked,
        case,
        today,
        period_slot: &slots,
        event: None,
        rules: None,
    };

    // §5: every predicate, then priorities: among the matching groups with a
    // priority only the lowest number stays.
    let mut groups: Vec<bool> = checked
        .groups
        .iter()
        .map(|g| env.eval(&g.pred) != 0)
        .collect();
    let best = checked
        .groups
        .iter()
        .zip(&groups)
        .filter(|(g, m)| **m && g.priority.is_some())
        .map(|(g, _)| g.priority.unwrap())
        .min();
    for (g, m) in checked.groups.iter().zip(groups.iter_mut()) {
        if let (Some(p), Some(best)) = (g.priority, best) {
            if p != best {
                *m = false;
            }
        }
    }

    let mut trace = Vec::new();
    let rules: Vec<RuleResult> = (0..checked.rules.len())
        .map(|r| evaluate_rule(&env, &groups, r, &mut trace))
        .collect();

    let env = Env {
        rules: Some(&rules),
        ..env
    };
    let targets: Vec<TargetOutcome> = checked
        .targets
        .iter()
        .map(|t| {
            // §8: out of its effective dates a target counts no case
            let (from, until) = t.effective;
            let in_effect = from.is_none_or(|f| today >= f) && until.is_none_or(|u| today <= u);
            if !in_effect {
                trace.push("target: not in effect");
            }
            if !in_effect
                || !groups[t.group]
                || t.filter.as_ref().is_some_and(|f| env.eval(f) == 0)
            {
                TargetOutcome::NotCounted
            } else if t.rules.iter().any(|r| rules[*r].status == Status::Exempt) {
                TargetOutcome::Excluded
            } else if matches!(&t.measure, MeasureIr::Average { value, .. } if env.eval(value) == NONE)
            {
                // §8: a case without a value leaves an average's denominator
                TargetOutcome::Excluded
            } else if env.eval(&t.satisfy) != 0 {
                TargetOutcome::Satisfies
            } else {
                TargetOutcome::Fails
            }
        })
        .collect();
    let target_values = checked
        .targets
        .iter()
        .zip(&targets)
        .map(|(t, o)| match &t.measure {
            MeasureIr::Average { value, .. } if *o == TargetOutcome::Satisfies => env.eval(value),
            _ => NONE,
        })
        .collect();
    RefResult {
        groups,
        rules,
        targets,
        target_values,
        trace,
    }
}

fn not_applicable() -> RuleResult {
    RuleResult {
        status: Status::NotApplicable,
        met_on: None,
        due: None,
        next_due: None,
        exemption: None,
    }
}

fn evaluate_rule(
    env: &Env<'_>,
    groups: &[bool],
    r: usize,
    trace: &mut Vec<&'static str>,
) -> RuleResult {
    let rule = &env.checked.rules[r];
    let today = env.today;
    if !rule.groups.is_empty() && !rule.groups.iter().any(|g| groups[*g]) {
        return not_applicable();
    }
    let (from, until) = rule.effective;
    if from.is_some_and(|f| today < f) || until.is_some_and(|u| today > u) {
        return not_applicable();
    }
    if rule.when.as_ref().is_some_and(|w| env.eval(w) == 0) {
        return not_applicable();
    }
    let mut body = &rule.body;
    let req = loop {
        match body {
            BodyIr::Require(req) => break req,
            BodyIr::If {
                cond,
                then,
                otherwise,
            } => {
                if env.eval(cond) != 0 {
                    body = then;
                } else if let Some(o) = otherwise {
                    body = o;
                } else {
                    return not_applicable();
                }
            }
        }
    };
    let anchor = env.eval(&req.anchor);
    if anchor == NONE || anchor > i64::from(today) {
        trace.push(if anchor == NONE {
            "anchor absent"
        } else {
            "anchor after today"
        });
        return not_applicable();
    }
    let s = anchor as i32;

    // §7: the exemptions that reach this rule and apply today.
    let exs = &env.checked.exemptions;
    let reaching: Vec<usize> = (0..exs.len())
        .filter(|e| exs[*e].rules.contains(&r))
        .collect();
    let in_scope: Vec<usize> = reaching
        .iter()
        .copied()
        .filter(|e| exs[*e].unless.as_ref().is_none_or(|u| env.eval(u) == 0))
        .collect();
    if in_scope.len() < reaching.len() {
        trace.push("unless: exemption does not apply");
    }
    let current_period = |e: usize| -> Option<(i32, i32)> {
        match &exs[e].condition {
            ConditionIr::When(_) => None,
            ConditionIr::While(p) => env
                .periods(*p)
                .iter()
                .copied()
                .find(|&(ps, pe)| ps <= today && today <= pe),
        }
    };
    let applies = |e: usize| -> bool {
        match &exs[e].condition {
            ConditionIr::When(c) => env.eval(c) != 0,
            ConditionIr::While(_) => current_period(e).is_some(),
        }
    };
    let applying: Vec<usize> = in_scope.iter().copied().filter(|e| applies(*e)).collect();
    let effective: Vec<usize> = applying
        .iter()
        .copied()
        .filter(|e| !applying.iter().any(|o| exs[*o].overrides.contains(e)))
        .collect();
    if effective.len() < applying.len() {
        trace.push("overrides: the overridden exemption is dropped");
    }

    // Suspension periods: of every suspending exemption in scope (its
    // `unless` false), unless an applying exemption overrides it today.
    let mut suspension: Vec<(i32, i32)> = in_scope
        .iter()
        .copied()
        .filter(|e| exs[*e].effect == EffectIr::Suspend)
        .filter(|e| !applying.iter().any(|o| exs[*o].overrides.contains(e)))
        .flat_map(|e| match &exs[e].condition {
            ConditionIr::While(p) => env.periods(*p).to_vec(),
            ConditionIr::When(_) => Vec::new(),
        })
        .collect();
    suspension.sort();

    let forbids = matches!(req.form, FormIr::Forbid(_));
    let result = if let FormIr::Forbid(w) = req.form {
        match prohibition(env, req, w, s, &suspension, trace) {
            Some(r) => r,
            None => return not_applicable(),
        }
    } else {
        let insts = instances(env, req, s, &suspension);
        if insts.is_empty() {
            trace.push("not yet started");
            return not_applicable();
        }
        if !suspension.is_empty() {
            let plain = instances(env, req, s, &[]);
            if plain.iter().zip(&insts).any(|(a, b)| a.due != b.due) {
                trace.push("suspend: a due date moved");
            }
        }
        status_walk(&insts, today)
    };

    if let Some(&e) = effective.first() {
        let ex = &exs[e];
        // `exempt` carries the due dates of what the rule would otherwise report
        let exempt = RuleResult {
            status: Status::Exempt,
            met_on: None,
            due: result.due,
            next_due: result.next_due,
            exemption: Some(e as u16),
        };
        match (ex.effect, &ex.condition) {
            (EffectIr::Waive, ConditionIr::When(_)) => {
                trace.push("waive when: exempt");
                return exempt;
            }
            (EffectIr::Waive, ConditionIr::While(_)) => {
                // not retroactive: overdue before the period began stays overdue
                let (ps, _) = current_period(e).unwrap();
                if result.status == Status::Overdue && result.due.unwrap() < ps {
                    trace.push("waive while: overdue before the period stays overdue");
                    return result;
                }
                // §7 for prohibitions: a violation before the period began stays
                if result.status == Status::Violated && result.met_on.unwrap() < ps {
                    trace.push("waive while: violation before the period stays violated");
                    return result;
                }
                trace.push("waive while: exempt");
                return exempt;
            }
            (EffectIr::Suspend, _) => {
                let (ps, _) = current_period(e).unwrap();
                if forbids {
                    // §7 for prohibitions: a violation stays (events inside
                    // suspended periods never violate), a closed window stays
                    // met, an open one is suspended
                    if result.status == Status::Violated {
                        assert!(result.met_on.unwrap() < ps, "violated inside a suspension");
                        trace.push("suspend: violation stays violated");
                        return result;
                    }
                    if result.met_on.is_some() {
                        trace.push("suspend: met stays met");
                        return result;
                    }
                    trace.push("suspend: open prohibition exempt");
                    return exempt;
                }
                if matches!(result.status, Status::Met | Status::MetLate) {
                    trace.push("suspend: met stays met");
                    return result;
                }
                if result.status == Status::Overdue && result.due.unwrap() < ps {
                    trace.push("suspend: overdue before the period stays overdue");
                    return result;
                }
                trace.push("suspend: exempt while a period runs");
                return exempt;
            }
        }
    }
    result
}

/// §6.1 prohibitions (`forbid`, `every … must`): the forbidden events are
/// the count's events dated in the window `[S, end]` up to today and
/// outside every suspension period (§7: a suspension never moves the
/// window). The first violates; without one the rule is met, on the
/// window's end once that has passed. `None`: not applicable (an absent
/// `between` end).
fn prohibition(
    env: &Env<'_>,
    req: &RequirementIr,
    w: ForbidIr,
    s: i32,
    susp: &[(i32, i32)],
    trace: &mut Vec<&'static str>,
) -> Option<RuleResult> {
    let today = env.today;
    let end = match w {
        ForbidIr::Within { len } => Some(add_dur(s, len, 1)),
        ForbidIr::BeforeWeek { week } => Some(s + 7 * week as i32 - 1),
        ForbidIr::Between => {
            let e = env.eval(req.end.as_ref().expect("`between` has an end"));
            if e == NONE {
                return None;
            }
            Some(e as i32)
        }
        ForbidIr::After => None,
    };
    let c = &req.counts[0];
    let in_window: Vec<i32> = env
        .matching(c.kind, c.filter.as_ref())
        .into_iter()
        .map(|(d, _)| d)
        .filter(|d| *d >= s && end.is_none_or(|e| *d <= e))
        .collect();
    let suspended = |d: i32| susp.iter().any(|&(a, b)| a <= d && d <= b);
    let forbidden: Vec<i32> = in_window
        .iter()
        .copied()
        .filter(|d| !suspended(*d))
        .collect();
    if forbidden.len() < in_window.len() {
        trace.push("forbid: an event in a suspended period does not count");
    }
    let mut r = RuleResult {
        status: Status::Met,
        met_on: None,
        due: end,
        next_due: None,
        exemption: None,
    };
    if let Some(&first) = forbidden.first() {
        trace.push("forbid: violated");
        r.status = Status::Violated;
        r.met_on = Some(first);
    } else if let Some(e) = end.filter(|e| *e < today) {
        trace.push("forbid: met, window closed");
        r.met_on = Some(e);
    } else {
        trace.push("forbid: met, window open");
    }
    Some(r)
}

/// A due date after the suspension periods: every period that starts on or
/// before the (already moved) due date moves it by the period's days that
/// lie in `[start, today]`. A period counts from the instance's start on
/// (§14), so a due date before the instance starts (`between A and B` with
/// B before A) never moves.
fn suspend(due: i32, start: i32, today: i32, periods: &[(i32, i32)]) -> i32 {
    let mut due = due;
    for &(ps, pe) in periods {
        let from = ps.max(start);
        if due >= from {
            let to = if pe == OPEN_END { today } else { pe.min(today) };
            if to >= from {
                due += to - from + 1;
            }
        }
    }
    due
}

/// The dates of a count's qualifying events up to today, in date order:
/// every kind it names (`samtale or telefonkontakt`), each through the
/// filter checked for that kind, gathered and sorted.
fn count_dates(env: &Env<'_>, c: &CountIr) -> Vec<i32> {
    let mut dates: Vec<i32> = env
        .matching(c.kind, c.filter.as_ref())
        .into_iter()
        .map(|(d, _)| d)
        .collect();
    for (k, f) in &c.also {
        dates.extend(env.matching(*k, f.as_ref()).into_iter().map(|(d, _)| d));
    }
    dates.sort_unstable();
    dates
}

/// The date the counts are all reached, counting qualifying events from
/// `from` on (cumulatively `k·n` for each count).
fn fulfilled(env: &Env<'_>, counts: &[CountIr], from: i32, to: i32, k: u32) -> Option<i32> {
    let mut when = i32::MIN;
    for c in counts {
        let need = (c.n * k) as usize;
        let dates: Vec<i32> = count_dates(env, c)
            .into_iter()
            .filter(|d| *d >= from && *d <= to)
            .collect();
        if dates.len() < need {
            return None;
        }
        when = when.max(dates[need - 1]);
    }
    Some(when)
}

fn instances(env: &Env<'_>, req: &RequirementIr, s: i32, susp: &[(i32, i32)]) -> Vec<Instance> {
    let today = env.today;
    let counts = &req.counts;
    match req.form {
        FormIr::Within { len } => {
            let due = suspend(add_dur(s, len, 1), s, today, susp);
            vec![Instance {
                due: Some(due),
                met: fulfilled(env, counts, s, today, 1),
            }]
        }
        FormIr::BeforeWeek { week } => {
            let due = suspend(s + 7 * week as i32 - 1, s, today, susp);
            vec![Instance {
                due: Some(due),
                met: fulfilled(env, counts, s, today, 1),
            }]
        }
        FormIr::Slots { every, first } => {
            let end = add_dur(s, first, 1);
            let mut out = Vec::new();
            let mut k = 1;
            while add_dur(s, every, i64::from(k)) <= end {
                out.push(Instance {
                    due: Some(suspend(add_dur(s, every, i64::from(k)), s, today, susp)),
                    met: fulfilled(env, counts, s, today, k),
                });
                k += 1;
            }
            out
        }
        FormIr::Interval { gap, after } => {
            let dates: Vec<i32> = count_dates(env, &counts[0])
                .into_iter()
                .filter(|d| *d >= s)
                .collect();
            let p = add_dur(s, after, 1);
            if p > today {
                // not yet started (§6.3)
                return Vec::new();
            }
            // the previous event is the last one in [S, P], or P; then every
            // later event in date order is the next one (two events on one
            // day are two gaps, the second of 0 days)
            let before = dates.iter().filter(|d| **d <= p).count();
            let mut prev = if before > 0 { dates[before - 1] } else { p };
            let mut out = Vec::new();
            for &next in &dates[before..] {
                let due = suspend(add_dur(prev, gap, 1), prev, today, susp);
                out.push(Instance {
                    due: Some(due),
                    met: Some(next),
                });
                prev = next;
            }
            let due = suspend(add_dur(prev, gap, 1), prev, today, susp);
            out.push(Instance {
                due: Some(due),
                met: None,
            });
            out
        }
        FormIr::Rolling { len } => {
            let end = add_dur(s, len, 1);
            // Before the case has lasted len: N in [S, S + len], due S + len
            // (§6.1 "due S + D before that"; program.rs `Form::Rolling`),
            // fulfilled on the N-th event. (The VM differs here when N events
            // already exist: it reports the latest event and due N-th latest
            // event + len.)
            if today < end {
                return vec![Instance {
                    due: Some(end),
                    met: fulfilled(env, counts, s, today, 1),
                }];
            }
            // The current window [today - len, today] (§6.3). Reading of the
            // open question (policies/README.md, "rolling rules after the
            // first window"): the window holds N events until the N-th most
            // recent event leaves it, so that day is the due date (S + len
            // while fewer than N events exist); `met` carries the latest event.
            let c = &counts[0];
            let dates: Vec<i32> = count_dates(env, c)
                .into_iter()
                .filter(|d| *d >= s)
                .collect();
            let n = c.n as usize;
            if dates.len() < n {
                return vec![Instance {
                    due: Some(end),
                    met: None,
                }];
            }
            let due = add_dur(dates[dates.len() - n], len, 1);
            let met = (due >= today).then(|| *dates.last().unwrap());
            vec![Instance {
                due: Some(due),
                met,
            }]
        }
        FormIr::Between => {
            // §6.1 `between S and E`: events from S on count, due E; not
            // applicable while E is absent
            let end = req.end.as_ref().map_or(NONE, |e| env.eval(e));
            if end == NONE {
                return Vec::new();
            }
            vec![Instance {
                due: Some(suspend(end as i32, s, today, susp)),
                met: fulfilled(env, counts, s, today, 1),
            }]
        }
        FormIr::CalendarYear => {
            let year = naive(today).year();
            let mut out = Vec::new();
            for y in [year - 1, year] {
                let jan1 = day_of(NaiveDate::from_ymd_opt(y, 1, 1).unwrap());
                let dec31 = day_of(NaiveDate::from_ymd_opt(y, 12, 31).unwrap());
                if dec31 < s {
                    continue;
                }
                out.push(Instance {
                    due: Some(dec31),
                    met: fulfilled(env, counts, jan1.max(s), dec31, 1),
                });
            }
            out
        }
        // §6.1 `after S`: one obligation without a due date
        FormIr::After => vec![Instance {
            due: None,
            met: fulfilled(env, counts, s, today, 1),
        }],
        FormIr::Forbid(_) => unreachable!("prohibitions are judged by `prohibition`"),
        // §6.1 per-event: one obligation per qualifying trigger in [S, today],
        // counting events from the trigger's day on, due trigger + len
        FormIr::Each { len } => {
            let each = req
                .each
                .as_ref()
                .expect("a per-event form names its trigger");
            env.matching(each.kind, each.filter.as_ref())
                .into_iter()
                .map(|(t, _)| t)
                .filter(|t| *t >= s && *t <= today)
                .map(|t| Instance {
                    due: len.map(|len| suspend(add_dur(t, len, 1), t, today, susp)),
                    met: fulfilled(env, counts, t, today, 1),
                })
                .collect()
        }
    }
}

/// §6.3: walk the instances in due order. An open instance without a due
/// date makes the rule pending, never overdue.
fn status_walk(insts: &[Instance], today: i32) -> RuleResult {
    let mut latest: Option<Instance> = None;
    let report = |i: Instance, next_due: Option<i32>| {
        let m = i.met.unwrap();
        RuleResult {
            status: if i.due.is_none_or(|d| m <= d) {
                Status::Met
            } else {
                Status::MetLate
            },
            met_on: Some(m),
            due: i.due,
            next_due,
            exemption: None,
        }
    };
    for &i in insts {
        if i.met.is_some() {
            latest = Some(i);
            continue;
        }
        let pending = RuleResult {
            status: Status::Pending,
            met_on: None,
            due: i.due,
            next_due: None,
            exemption: None,
        };
        let Some(due) = i.due else {
            return pending;
        };
        if due < today {
            return RuleResult {
                status: Status::Overdue,
                met_on: None,
                due: Some(due),
                next_due: None,
                exemption: None,
            };
        }
        return match latest {
            Some(l) => report(l, Some(due)),
            None => pending,
        };
    }
    report(latest.expect("a rule has at least one instance"), None)
}
