//! The cost bound: an upper limit on the work evaluating one case takes,
//! computed from the program alone, before any case is seen.
//!
//! The language has no loops and no recursion and expression code has no
//! jumps, so a case's work is bounded by the code's length plus, for every
//! place that scans a case's events or periods, that list's length times
//! the work per element. The bound is `fixed + per_item × items`, where
//! `items` is the case's number of events plus periods. A case system can
//! cap `items` (the readers cap line sizes) and so cap the time per case.
//!
//! Units are "steps": one instruction, one event visited, one instance of a
//! schedule judged. They are not nanoseconds; they are proportional to work.

use crate::bytecode::program::{Body, CodeRef, Dur, ForbidWindow, Form, Op, Program};
use crate::bytecode::verify::MAX_SUSPENDS_PER_RULE;

/// Work per case is at most `fixed + per_item × (events + periods)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CostBound {
    pub fixed: u64,
    pub per_item: u64,
}

impl CostBound {
    /// The bound for a case with `items` events and periods.
    pub fn for_items(&self, items: u64) -> u64 {
        self.fixed
            .saturating_add(self.per_item.saturating_mul(items))
    }

    fn add(&mut self, other: CostBound) {
        self.fixed = self.fixed.saturating_add(other.fixed);
        self.per_item = self.per_item.saturating_add(other.per_item);
    }
}

/// The most instances a schedule of `every` within `first` can have: fixed
/// schedules are counted generously (a month as 28 days).
fn slots(every: Dur, first: Dur) -> u64 {
    let days = |d: Dur| -> u64 {
        match d {
            Dur::Days(n) => u64::try_from(n).unwrap_or(0),
            Dur::Months(n) => u64::try_from(n).unwrap_or(0).saturating_mul(31),
        }
    };
    let step = match every {
        Dur::Days(n) => u64::try_from(n).unwrap_or(1),
        Dur::Months(n) => u64::try_from(n).unwrap_or(1).saturating_mul(28),
    }
    .max(1);
    days(first) / step + 1
}

/// The bound for `p`. Saturates rather than overflows.
pub fn cost_bound(p: &Program) -> CostBound {
    let code = |c: &CodeRef| code_cost(p, *c);
    let mut total = CostBound {
        fixed: 0,
        per_item: 0,
    };
    for g in &p.groups {
        total.add(code(&g.pred));
    }
    for r in &p.rules {
        if let Some(w) = &r.when {
            total.add(code(w));
        }
        // Every branch and every requirement, as if all were taken: a
        // generous bound, and branch trees are small.
        for b in &r.body {
            match b {
                Body::Branch { cond, .. } => total.add(code(cond)),
                Body::Require(req) => {
                    total.add(code(&req.anchor));
                    if let Form::Between { end }
                    | Form::Forbid {
                        window: ForbidWindow::Between { end },
                    } = &req.form
                    {
                        total.add(code(end));
                    }
                    let filter_len = |f: u32| -> u64 {
                        p.filters
                            .get(f as usize)
                            .map(|f| u64::from(f.code.len))
                            .unwrap_or(0)
                    };
                    // Each count scans its kind's events once, running its
                    // filter; a count over several kinds scans each kind's,
                    // choosing the earliest among its kinds at every step.
                    let scan: u64 = req
                        .counts
                        .iter()
                        .map(|c| {
                            let also = p.also(c);
                            let kinds = 1 + also.len() as u64;
                            std::iter::once(c.filter)
                                .chain(also.iter().map(|a| a.filter))
                                .map(|f| kinds + filter_len(f))
                                .sum::<u64>()
                        })
                        .sum();
                    let instances = match req.form {
                        Form::Within { .. }
                        | Form::BeforeWeek { .. }
                        | Form::Rolling { .. }
                        | Form::Between { .. }
                        | Form::After
                        | Form::Forbid { .. } => 1,
                        Form::CalendarYear => 2,
                        Form::Slots { every, first } => slots(every, first),
                        // one instance per event, plus the open one
                        Form::Interval { .. } => 1,
                        // the triggers are events: counted in `per_event` below
                        Form::Each { .. } => 0,
                    };
                    let counts = req.counts.len() as u64;
                    let per_event = match req.form {
                        Form::Interval { .. } => 1,
                        // A forbidden event is looked up in the periods of
                        // each suspension reaching the rule (a search each).
                        Form::Forbid { .. } => MAX_SUSPENDS_PER_RULE as u64,
                        // Each trigger is visited once (running its filter)
                        // and judges every count; each count's sliding
                        // window passes every event at most twice.
                        Form::Each { filter, .. } => (1 + filter_len(filter))
                            .saturating_add(counts)
                            .saturating_add(scan),
                        _ => 0,
                    };
                    total.add(CostBound {
                        fixed: instances.saturating_mul(counts.max(1)),
                        per_item: scan.saturating_add(per_event),
                    });
                }
            }
        }
    }
    for e in &p.exemptions {
        if let crate::bytecode::program::ExemptionCondition::When(c) = &e.condition {
            total.add(code(c));
        }
        if let Some(u) = &e.unless {
            total.add(code(u));
        }
        // Periods are walked once per rule the exemption reaches.
        total.add(CostBound {
            fixed: e.rules.len() as u64,
            per_item: e.rules.len() as u64,
        });
    }
    for t in &p.targets {
        if let Some(f) = &t.filter {
            total.add(code(f));
        }
        total.add(code(&t.satisfy));
        if let crate::bytecode::program::TargetKind::Average { value, .. } = &t.kind {
            total.add(code(value));
        }
    }
    total
}

/// One expression: its instructions, plus a scan of the events for every
/// aggregate (running the aggregate's filter on each).
fn code_cost(p: &Program, c: CodeRef) -> CostBound {
    let start = c.start as usize;
    let end = start.saturating_add(c.len as usize);
    let ops = p.code.get(start..end).unwrap_or(&[]);
    let mut cost = CostBound {
        fixed: ops.len() as u64,
        per_item: 0,
    };
    for op in ops {
        match op {
            Op::Agg { filter, .. } => {
                let filter_len = p
                    .filters
                    .get(*filter as usize)
                    .map(|f| u64::from(f.code.len))
                    .unwrap_or(0);
                // A binary search finds the window; the filter then runs
                // on each event in it, at worst all of them.
                cost.per_item = cost.per_item.saturating_add(1 + filter_len);
            }
            Op::InPeriods(_) => cost.per_item = cost.per_item.saturating_add(1),
            _ => {}
        }
    }
    cost
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slot_counts_are_generous() {
        assert_eq!(slots(Dur::Days(28), Dur::Months(6)), 7);
        assert_eq!(slots(Dur::Months(1), Dur::Months(6)), 7);
        assert_eq!(slots(Dur::Days(7), Dur::Days(7)), 2);
    }

    #[test]
    fn bound_grows_with_items() {
        let b = CostBound {
            fixed: 100,
            per_item: 3,
        };
        assert_eq!(b.for_items(0), 100);
        assert_eq!(b.for_items(10), 130);
        assert_eq!(
            CostBound {
                fixed: u64::MAX,
                per_item: 1
            }
            .for_items(5),
            u64::MAX
        );
    }
}
