//! Workload forecast support (language reference §9): for one case, the
//! events its rules still need — every overdue instance and every open one
//! due within the horizon — assuming each projected event happens on its due
//! date (or today, if that has passed), so recurring rules project a chain.
//! An open obligation without a due date (`after …`) counts today.

use serde::{Deserialize, Serialize};

use crate::bytecode::program::{Body, Form};
use crate::caseload::batch::CaseRef;
use crate::vm::context::{Ctx, MonthMemo, Trace};
use crate::vm::counting::Counter;
use crate::vm::dates;
use crate::vm::policy::Policy;
use crate::vm::result::{CaseResult, Status};

/// Projected chains stop after this many instances per rule, so a tiny gap
/// and a long horizon cannot make one case unboundedly slow.
const MAX_PROJECTED: usize = 1_000;

/// Events of one kind a rule needs by one date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Demand {
    /// Index into `Program::rules`.
    pub rule: u16,
    /// Index into `Schema::events`.
    pub kind: u16,
    /// The due date (days since 1970-01-01).
    pub due: i32,
    /// How many more events are needed by `due`.
    pub events: u32,
    /// The due date has already passed.
    pub overdue: bool,
}

#[derive(Default)]
struct Chosen {
    req: Option<(usize, i32)>,
}

impl Trace for Chosen {
    fn requirement(&mut self, body: usize, anchor: i32) {
        self.req = Some((body, anchor));
    }
}

pub(crate) fn forecast(
    policy: &Policy,
    case: CaseRef<'_>,
    today: i32,
    horizon_days: u32,
    scratch: &mut CaseResult,
    out: &mut Vec<Demand>,
) {
    let p = policy.program();
    let m = policy.machine();
    m.evaluate(case, today, scratch);
    let t = i64::from(today);
    let horizon = t + i64::from(horizon_days);
    let memo = MonthMemo::default();
    let cx = Ctx::new(case, today, &p.schema, &memo);
    for (r, rule) in p.rules.iter().enumerate() {
        let Some(res) = scratch.rules.get(r).copied() else {
            continue;
        };
        if !matches!(
            res.status,
            Status::Met | Status::MetLate | Status::Pending | Status::Overdue
        ) {
            continue;
        }
        let mut chosen = Chosen::default();
        m.rule(r, &cx, &scratch.groups, &mut chosen);
        let Some((b, anchor)) = chosen.req else {
            continue;
        };
        let Some(Body::Require(req)) = rule.body.get(b) else {
            continue;
        };
        let s = i64::from(anchor);
        let susp = m.suspensions(r, &cx);
        let rule_ix = r as u16;
        let mut emit = |kind: u16, due: i64, need: u64| {
            if need > 0 && due <= horizon {
                out.push(Demand {
                    rule: rule_ix,
                    kind,
                    due: due.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32,
                    events: u32::try_from(need).unwrap_or(u32::MAX),
                    overdue: due < t,
                });
            }
        };
        let have = |from: i64, to: i64, term| Counter::new(&m, &cx, term, from, to).count_all();
        match req.form {
            Form::Within { .. } | Form::BeforeWeek { .. } | Form::Between { .. } => {
                if let (Status::Pending | Status::Overdue, Some(due)) = (res.status, res.due) {
                    for term in &req.counts {
                        let got = have(s, t, term);
                        emit(
                            term.kind,
                            i64::from(due),
                            u64::from(term.n).saturating_sub(got),
                        );
                    }
                }
            }
            // a prohibition demands no events (§9)
            Form::Forbid { .. } => {}
            Form::After => {
                // open without a due date: the work is there now
                if res.status == Status::Pending {
                    for term in &req.counts {
                        let got = have(s, t, term);
                        emit(term.kind, t, u64::from(term.n).saturating_sub(got));
                    }
                }
            }
            Form::Each { kind, filter, len } => {
                // every open instance: at its due date, or now without one
                let mut open = Vec::new();
                m.each_instances(req, (kind, filter), len, s, &cx, |trigger, raw, f| {
                    if f.is_none() {
                        let due = raw.map_or(t, |raw| susp.shift(raw, trigger, t));
                        open.push((trigger, due));
                    }
                    open.len() < MAX_PROJECTED
                });
                for (trigger, due) in open {
                    for term in &req.counts {
                        let got = have(trigger, t, term);
                        emit(term.kind, due, u64::from(term.n).saturating_sub(got));
                    }
                }
            }
            Form::Slots { every, first } => {
                let Some(end) = dates::add_dur(s, first) else {
                    continue;
                };
                for term in &req.counts {
                    let mut got = have(s, t, term);
                    for k in 1..=MAX_PROJECTED as i64 {
                        let Some(raw) = dates::add_dur_times(s, every, k) else {
                            break;
                        };
                        let due = susp.shift(raw, s, t);
                        if raw > end || due > horizon {
                            break;
                        }
                        let need = (k as u64 * u64::from(term.n)).saturating_sub(got);
                        emit(term.kind, due, need);
                        got += need;
                    }
                }
            }
            Form::Interval { gap, .. } => {
                let open = match res.status {
                    Status::Met | Status::MetLate => res.next_due,
                    _ => res.due,
                };
                let (Some(mut due), Some(term)) = (open.map(i64::from), req.counts.first()) else {
                    continue;
                };
                for _ in 0..MAX_PROJECTED {
                    if due > horizon {
                        break;
                    }
                    emit(term.kind, due, u64::from(term.n));
                    let Some(next) = dates::add_dur(due.max(t), gap) else {
                        break;
                    };
                    due = next;
                }
            }
            Form::Rolling { len } => {
                let Some(term) = req.counts.first() else {
                    continue;
                };
                let mut c = Counter::new(&m, &cx, term, s, t);
                let mut seen: Vec<i64> = Vec::new();
                let mut k = 1;
                while let Some(d) = c.nth(k) {
                    seen.push(d);
                    k += 1;
                }
                let n = term.n as usize;
                for _ in 0..MAX_PROJECTED {
                    let (due, need) = match seen.len().checked_sub(n).and_then(|i| seen.get(i)) {
                        Some(first) => (dates::add_dur(*first, len), 1),
                        None => (dates::add_dur(s, len), n - seen.len()),
                    };
                    let Some(due) = due else { break };
                    if due > horizon {
                        break;
                    }
                    emit(term.kind, due, need as u64);
                    seen.extend(std::iter::repeat_n(due.max(t), need));
                }
            }
            Form::CalendarYear => {
                let (jan1, dec31) = dates::year_bounds(t);
                let (prev_jan1, prev_dec31) = dates::year_bounds(jan1 - 1);
                for term in &req.counts {
                    let n = u64::from(term.n);
                    if res.status == Status::Overdue && s <= prev_dec31 {
                        let got = have(s.max(prev_jan1), prev_dec31, term);
                        emit(term.kind, prev_dec31, n.saturating_sub(got));
                    }
                    let got = have(s.max(jan1), t, term);
                    emit(term.kind, dec31, n.saturating_sub(got));
                    let mut y_end = dec31;
                    for _ in 0..MAX_PROJECTED {
                        let (_, next) = dates::year_bounds(y_end + 1);
                        if next > horizon {
                            break;
                        }
                        emit(term.kind, next, n);
                        y_end = next;
                    }
                }
            }
        }
    }
}
