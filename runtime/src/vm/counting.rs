//! The parts of a rule's evaluation below its form (language reference
//! §6.3, §7): the status walk over instances, counting qualifying events
//! with forward-only cursors (and sliding windows for per-event rules), and
//! the due-date shifts of suspensions. Small functions used on the hot path
//! are `#[inline]`: they are called from `machine.rs`, another codegen unit.

use crate::bytecode::program::{CountTerm, KindFilter};
use crate::bytecode::verify::{MAX_KINDS_PER_COUNT, MAX_SUSPENDS_PER_RULE};
use crate::caseload::batch::{CaseRef, Events};
use crate::vm::context::Ctx;
use crate::vm::machine::{day, Machine};
use crate::vm::result::{RuleResult, Status};

#[inline]
pub(crate) fn open(status: Status, due: i64) -> RuleResult {
    RuleResult {
        status,
        met_on: None,
        due: Some(day(due)),
        next_due: None,
        exemption: None,
    }
}

// ---------------------------------------------------------------------------
// The status walk (§6.3)
// ---------------------------------------------------------------------------

/// Walks a rule's instances in due order and decides its status.
pub(crate) struct Walk {
    today: i64,
    /// The latest fulfilled instance: (fulfilled on, due).
    last: Option<(i64, i64)>,
}

impl Walk {
    #[inline]
    pub fn new(today: i64) -> Walk {
        Walk { today, last: None }
    }

    /// One instance. Returns the status once decided: at the first
    /// unfulfilled instance.
    #[inline]
    pub fn step(&mut self, due: i64, fulfilled: Option<i64>) -> Option<RuleResult> {
        if let Some(f) = fulfilled {
            self.last = Some((f, due));
            return None;
        }
        if due < self.today {
            return Some(open(Status::Overdue, due));
        }
        Some(match self.last {
            Some((f, d)) => RuleResult {
                next_due: Some(day(due)),
                ..met(f, d)
            },
            None => open(Status::Pending, due),
        })
    }

    /// Every instance fulfilled: the latest reports.
    #[inline]
    pub fn finish(&self) -> RuleResult {
        match self.last {
            Some((f, d)) => met(f, d),
            None => RuleResult::NOT_APPLICABLE,
        }
    }
}

/// An obligation without a due date: met on `f`, or pending (never overdue).
#[inline]
pub(crate) fn without_due(f: Option<i64>) -> RuleResult {
    RuleResult {
        status: if f.is_some() {
            Status::Met
        } else {
            Status::Pending
        },
        met_on: f.map(day),
        due: None,
        next_due: None,
        exemption: None,
    }
}

#[inline]
fn met(f: i64, due: i64) -> RuleResult {
    RuleResult {
        status: if f <= due {
            Status::Met
        } else {
            Status::MetLate
        },
        met_on: Some(day(f)),
        due: Some(day(due)),
        next_due: None,
        exemption: None,
    }
}

// ---------------------------------------------------------------------------
// Counting qualifying events
// ---------------------------------------------------------------------------

/// Where counting stands in one count's events: a forward-only cursor over
/// the qualifying events in a window. Small and `Copy`, so a requirement's
/// cursors sit in a fixed array without costly set-up.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Cursor {
    pos: u32,
    end: u32,
    /// qualifying events passed so far
    got: u32,
    /// the date of the last of them
    last: i32,
}

impl Cursor {
    #[inline]
    pub(crate) fn open(cx: &Ctx<'_>, kind: u16, ev: &Events<'_>, from: i64, to: i64) -> Cursor {
        let (pos, end) = cx.window(kind, ev.dates, from, to);
        Cursor {
            pos: pos as u32,
            end: end as u32,
            got: 0,
            last: i32::MIN,
        }
    }

    #[inline]
    fn next(
        &mut self,
        m: &Machine<'_>,
        cx: &Ctx<'_>,
        term: &CountTerm,
        ev: &Events<'_>,
    ) -> Option<i64> {
        while self.pos < self.end {
            let k = self.pos as usize;
            self.pos += 1;
            if m.matches(term.filter, cx, ev, k) {
                let d = ev.dates.get(k).copied().unwrap_or(i32::MAX);
                self.got += 1;
                self.last = d;
                return Some(i64::from(d));
            }
        }
        None
    }

    /// The date of the `target`-th qualifying event (1-based), if there is
    /// one. Targets must not decrease between calls.
    #[inline]
    fn nth(
        &mut self,
        m: &Machine<'_>,
        cx: &Ctx<'_>,
        term: &CountTerm,
        ev: &Events<'_>,
        target: u64,
    ) -> Option<i64> {
        while u64::from(self.got) < target {
            self.next(m, cx, term, ev)?;
        }
        (u64::from(self.got) == target && self.got > 0).then_some(i64::from(self.last))
    }
}

// ---------------------------------------------------------------------------
// Counts over several kinds (`1 samtale or telefonkontakt`)
// ---------------------------------------------------------------------------

/// One kind of a count over several kinds: its events, its filter, and the
/// stretch `[pos, end)` of them not yet walked.
#[derive(Clone, Copy)]
struct Lane {
    /// the kind (its events are fetched when walked: a lane holding them
    /// made `Merge` 240 bytes, and every `Counters` carries room for some)
    kind: u16,
    filter: u32,
    pos: u32,
    end: u32,
}

impl Lane {
    const EMPTY: Lane = Lane {
        kind: 0,
        filter: u32::MAX,
        pos: 0,
        end: 0,
    };
}

/// The lanes of a count over several kinds, walked as one list in date
/// order: a k-way merge of the kinds' sorted events, with one position per
/// kind in a fixed array (nothing allocated). A count of one kind never
/// comes here: it keeps the plain `Cursor`.
#[derive(Clone, Copy)]
pub(crate) struct Merge {
    lanes: [Lane; MAX_KINDS_PER_COUNT],
    n: usize,
    /// qualifying events passed so far
    got: u32,
    /// the date of the last of them
    last: i32,
}

impl Merge {
    /// The events of every kind of `term` in `[from, to]`.
    #[inline]
    pub(crate) fn open(
        cx: &Ctx<'_>,
        term: &CountTerm,
        also: &[KindFilter],
        from: i64,
        to: i64,
    ) -> Merge {
        let mut lanes = [Lane::EMPTY; MAX_KINDS_PER_COUNT];
        let kinds = std::iter::once((term.kind, term.filter))
            .chain(also.iter().map(|a| (a.kind, a.filter)));
        let mut n = 0;
        for (lane, (kind, filter)) in lanes.iter_mut().zip(kinds) {
            let ev = cx.case.events(kind);
            let (pos, end) = cx.window(kind, ev.dates, from, to);
            *lane = Lane {
                kind,
                filter,
                pos: pos as u32,
                end: end as u32,
            };
            n += 1;
        }
        Merge {
            lanes,
            n,
            got: 0,
            last: i32::MIN,
        }
    }

    /// The lane whose next event is the earliest (the first such lane on
    /// a tie), with that event's date.
    #[inline]
    fn earliest(&self, cx: &Ctx<'_>) -> Option<(usize, i32)> {
        let mut best: Option<(usize, i32)> = None;
        for (i, lane) in self.lanes.iter().enumerate().take(self.n) {
            if lane.pos >= lane.end {
                continue;
            }
            if let Some(&d) = cx.case.events(lane.kind).dates.get(lane.pos as usize) {
                if best.is_none_or(|(_, b)| d < b) {
                    best = Some((i, d));
                }
            }
        }
        best
    }

    /// Walks the next event in date order if it is dated on or before
    /// `limit`; `Some(Some(date))` when it qualifies.
    #[inline]
    fn step(&mut self, m: &Machine<'_>, cx: &Ctx<'_>, limit: i64) -> Option<Option<i64>> {
        let (i, d) = self.earliest(cx)?;
        if i64::from(d) > limit {
            return None;
        }
        let lane = self.lanes.get_mut(i)?;
        let k = lane.pos as usize;
        lane.pos += 1;
        if m.matches(lane.filter, cx, &cx.case.events(lane.kind), k) {
            self.got += 1;
            self.last = d;
            return Some(Some(i64::from(d)));
        }
        Some(None)
    }

    #[inline]
    fn next(&mut self, m: &Machine<'_>, cx: &Ctx<'_>) -> Option<i64> {
        loop {
            if let Some(d) = self.step(m, cx, i64::MAX)? {
                return Some(d);
            }
        }
    }

    /// As `Cursor::nth`.
    #[inline]
    pub(crate) fn nth(&mut self, m: &Machine<'_>, cx: &Ctx<'_>, target: u64) -> Option<i64> {
        while u64::from(self.got) < target {
            self.next(m, cx)?;
        }
        (u64::from(self.got) == target && self.got > 0).then_some(i64::from(self.last))
    }

    /// As `Counter::skip_through`.
    #[inline]
    fn skip_through(&mut self, m: &Machine<'_>, cx: &Ctx<'_>, limit: i64) -> Option<i64> {
        let mut found = None;
        while let Some(d) = self.step(m, cx, limit) {
            found = d.or(found);
        }
        found
    }
}

/// `Sliding` for a count over several kinds: `[lo, hi)` per kind, `hi`
/// advanced in date order across the kinds so that the events passed are
/// always the earliest ones (dates from `t` on).
#[derive(Clone, Copy)]
pub(crate) struct SlidingMerge {
    lanes: [Lane; MAX_KINDS_PER_COUNT],
    /// per kind, the first event not yet dropped (`lanes[i].pos` is `hi`)
    lo: [u32; MAX_KINDS_PER_COUNT],
    n: usize,
    inside: u32,
    last: i32,
}

impl SlidingMerge {
    #[inline]
    pub(crate) fn open(
        cx: &Ctx<'_>,
        term: &CountTerm,
        also: &[KindFilter],
        from: i64,
        to: i64,
    ) -> SlidingMerge {
        let m = Merge::open(cx, term, also, from, to);
        let mut lo = [0; MAX_KINDS_PER_COUNT];
        for (l, lane) in lo.iter_mut().zip(&m.lanes) {
            *l = lane.pos;
        }
        SlidingMerge {
            lanes: m.lanes,
            lo,
            n: m.n,
            inside: 0,
            last: i32::MIN,
        }
    }

    /// As `Sliding::nth_from`.
    #[inline]
    pub(crate) fn nth_from(
        &mut self,
        m: &Machine<'_>,
        cx: &Ctx<'_>,
        term: &CountTerm,
        t: i64,
    ) -> Option<i64> {
        // drop every kind's events dated before t
        for (lane, lo) in self.lanes.iter_mut().zip(self.lo.iter_mut()).take(self.n) {
            let ev = cx.case.events(lane.kind);
            while *lo < lane.end {
                let k = *lo as usize;
                let Some(&d) = ev.dates.get(k) else {
                    break;
                };
                if i64::from(d) >= t {
                    break;
                }
                if *lo < lane.pos && m.matches(lane.filter, cx, &ev, k) {
                    self.inside = self.inside.saturating_sub(1);
                }
                *lo += 1;
                lane.pos = lane.pos.max(*lo);
            }
        }
        // take events in date order until n qualify
        while self.inside < term.n {
            let mut best: Option<(usize, i32)> = None;
            for (i, lane) in self.lanes.iter().enumerate().take(self.n) {
                if lane.pos >= lane.end {
                    continue;
                }
                if let Some(&d) = cx.case.events(lane.kind).dates.get(lane.pos as usize) {
                    if best.is_none_or(|(_, b)| d < b) {
                        best = Some((i, d));
                    }
                }
            }
            let Some((i, d)) = best else {
                break;
            };
            let Some(lane) = self.lanes.get_mut(i) else {
                break;
            };
            let k = lane.pos as usize;
            lane.pos += 1;
            if m.matches(lane.filter, cx, &cx.case.events(lane.kind), k) {
                self.inside += 1;
                self.last = d;
            }
        }
        (self.inside >= term.n && term.n > 0).then_some(i64::from(self.last))
    }
}

/// One count's qualifying events in a window, for the forms with one count
/// and for the slow paths.
pub(crate) struct Counter<'a, 'p> {
    m: &'a Machine<'p>,
    cx: &'a Ctx<'a>,
    pub term: &'a CountTerm,
    ev: Events<'a>,
    cur: Cursor,
    /// a count over several kinds walks them merged instead of `cur`
    many: Option<Merge>,
    pub n: u64,
}

impl<'a, 'p> Counter<'a, 'p> {
    #[inline]
    pub fn new(
        m: &'a Machine<'p>,
        cx: &'a Ctx<'a>,
        term: &'a CountTerm,
        from: i64,
        to: i64,
    ) -> Self {
        let ev = cx.case.events(term.kind);
        Counter {
            m,
            cx,
            term,
            cur: Cursor::open(cx, term.kind, &ev, from, to),
            ev,
            many: term
                .merged()
                .then(|| Merge::open(cx, term, m.p.also(term), from, to)),
            n: u64::from(term.n),
        }
    }

    /// Qualifying events passed so far.
    #[inline]
    pub fn got(&self) -> u64 {
        match &self.many {
            Some(mg) => u64::from(mg.got),
            None => u64::from(self.cur.got),
        }
    }

    #[inline]
    pub fn nth(&mut self, target: u64) -> Option<i64> {
        if let Some(mg) = &mut self.many {
            return mg.nth(self.m, self.cx, target);
        }
        self.cur.nth(self.m, self.cx, self.term, &self.ev, target)
    }

    /// Consumes the qualifying events dated on or before `limit`; the last one's date.
    #[inline]
    pub fn skip_through(&mut self, limit: i64) -> Option<i64> {
        if let Some(mg) = &mut self.many {
            return mg.skip_through(self.m, self.cx, limit);
        }
        let mut found = None;
        while self.cur.pos < self.cur.end {
            let k = self.cur.pos as usize;
            let Some(&d) = self.ev.dates.get(k) else {
                break;
            };
            if i64::from(d) > limit {
                break;
            }
            self.cur.pos += 1;
            if self.m.matches(self.term.filter, self.cx, &self.ev, k) {
                self.cur.got += 1;
                self.cur.last = d;
                found = Some(i64::from(d));
            }
        }
        found
    }

    /// All qualifying events left (consumes them); the total passed.
    #[inline]
    pub fn count_all(&mut self) -> u64 {
        if let Some(mg) = &mut self.many {
            while mg.next(self.m, self.cx).is_some() {}
            return u64::from(mg.got);
        }
        while self
            .cur
            .next(self.m, self.cx, self.term, &self.ev)
            .is_some()
        {}
        self.got()
    }
}

/// Cursors kept across instances; counts past these (rare) are recounted
/// from the window start for each instance instead.
const KEPT_CURSORS: usize = 4;

/// One cursor per count of a requirement, in a small fixed array.
pub(crate) struct Counters<'a, 'p> {
    m: &'a Machine<'p>,
    cx: &'a Ctx<'a>,
    terms: &'a [CountTerm],
    from: i64,
    to: i64,
    cur: [Cursor; KEPT_CURSORS],
    /// the merged cursors of counts over several kinds, by count
    many: [Option<Merge>; KEPT_CURSORS],
}

impl<'a, 'p> Counters<'a, 'p> {
    #[inline]
    pub fn new(
        m: &'a Machine<'p>,
        cx: &'a Ctx<'a>,
        terms: &'a [CountTerm],
        from: i64,
        to: i64,
    ) -> Self {
        let mut cur = [Cursor::default(); KEPT_CURSORS];
        let mut many = [None; KEPT_CURSORS];
        for ((c, mg), t) in cur.iter_mut().zip(many.iter_mut()).zip(terms) {
            if t.merged() {
                *mg = Some(Merge::open(cx, t, m.p.also(t), from, to));
            } else {
                *c = Cursor::open(cx, t.kind, &cx.case.events(t.kind), from, to);
            }
        }
        Counters {
            m,
            cx,
            terms,
            from,
            to,
            cur,
            many,
        }
    }

    /// When instance `k` (cumulative `k·n` of every count) was fulfilled:
    /// the latest of the counts' `k·n`-th qualifying dates.
    #[inline]
    pub fn fulfilled(&mut self, k: u64) -> Option<i64> {
        let mut when = i64::MIN;
        for (i, t) in self.terms.iter().enumerate() {
            let ev = self.cx.case.events(t.kind);
            let target = k.saturating_mul(u64::from(t.n));
            let d = match (self.cur.get_mut(i), self.many.get_mut(i)) {
                (_, Some(Some(mg))) => mg.nth(self.m, self.cx, target),
                (Some(c), _) if !t.merged() => c.nth(self.m, self.cx, t, &ev, target),
                _ if !t.merged() => Cursor::open(self.cx, t.kind, &ev, self.from, self.to)
                    .nth(self.m, self.cx, t, &ev, target),
                _ => Merge::open(self.cx, t, self.m.p.also(t), self.from, self.to)
                    .nth(self.m, self.cx, target),
            }?;
            when = when.max(d);
        }
        (when != i64::MIN).then_some(when)
    }
}

/// One count's qualifying events across the triggers of a per-event
/// requirement: `[lo, hi)` holds `inside` qualifying events, all dated on or
/// after the current trigger; both ends only move forward.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Sliding {
    lo: u32,
    hi: u32,
    end: u32,
    inside: u32,
    /// the date of the last qualifying event `hi` passed
    last: i32,
}

impl Sliding {
    #[inline]
    pub(crate) fn open(cx: &Ctx<'_>, kind: u16, ev: &Events<'_>, from: i64, to: i64) -> Sliding {
        let (pos, end) = cx.window(kind, ev.dates, from, to);
        Sliding {
            lo: pos as u32,
            hi: pos as u32,
            end: end as u32,
            inside: 0,
            last: i32::MIN,
        }
    }

    /// The date of the `term.n`-th qualifying event dated on or after `t`.
    /// `t` must not decrease between calls.
    #[inline]
    pub(crate) fn nth_from(
        &mut self,
        m: &Machine<'_>,
        cx: &Ctx<'_>,
        term: &CountTerm,
        ev: &Events<'_>,
        t: i64,
    ) -> Option<i64> {
        while self.lo < self.end {
            let k = self.lo as usize;
            let Some(&d) = ev.dates.get(k) else {
                break;
            };
            if i64::from(d) >= t {
                break;
            }
            if self.lo < self.hi && m.matches(term.filter, cx, ev, k) {
                self.inside = self.inside.saturating_sub(1);
            }
            self.lo += 1;
            self.hi = self.hi.max(self.lo);
        }
        while self.inside < term.n && self.hi < self.end {
            let k = self.hi as usize;
            self.hi += 1;
            if m.matches(term.filter, cx, ev, k) {
                self.inside += 1;
                self.last = ev.dates.get(k).copied().unwrap_or(i32::MAX);
            }
        }
        (self.inside >= term.n && term.n > 0).then_some(i64::from(self.last))
    }
}

// ---------------------------------------------------------------------------
// Suspensions (§7 `suspends … while`)
// ---------------------------------------------------------------------------

/// The periods fields of the suspending exemptions in force for one rule.
/// Kept small (field numbers, not slices) because it is built per rule.
pub(crate) struct Suspensions<'a> {
    case: Option<CaseRef<'a>>,
    fields: [u16; MAX_SUSPENDS_PER_RULE],
    n: usize,
}

impl<'a> Suspensions<'a> {
    pub const NONE: Suspensions<'static> = Suspensions {
        case: None,
        fields: [0; MAX_SUSPENDS_PER_RULE],
        n: 0,
    };

    #[inline]
    pub(crate) fn push(&mut self, case: CaseRef<'a>, field: u16) {
        if let Some(slot) = self.fields.get_mut(self.n) {
            *slot = field;
            self.n += 1;
            self.case = Some(case);
        }
    }

    #[inline]
    fn slice(&self, j: usize) -> &'a [(i32, i32)] {
        match (self.case, self.fields.get(j)) {
            (Some(c), Some(f)) if j < self.n => c.periods(*f),
            _ => &[],
        }
    }

    /// Whether day `d` lies in a period of any of the suspensions: a
    /// prohibition does not count an event dated in one (§7).
    #[inline]
    pub fn covers(&self, d: i64) -> bool {
        (0..self.n).any(|j| {
            let ps = self.slice(j);
            // sorted by start: only periods starting on or before d can hold it
            let upto = ps.partition_point(|(a, _)| i64::from(*a) <= d);
            ps.get(..upto)
                .is_some_and(|ps| ps.iter().any(|(_, b)| i64::from(*b) >= d))
        })
    }

    /// `due` moved later by the suspended days counted from `from` up to
    /// `today`, for each period starting on or before the (moved) due date.
    /// Days covered by two periods count once.
    #[inline]
    pub fn shift(&self, due: i64, from: i64, today: i64) -> i64 {
        if self.n == 0 {
            return due;
        }
        let mut cur = [0usize; MAX_SUSPENDS_PER_RULE];
        let mut due = due;
        let mut covered = from - 1;
        loop {
            // The next period by start among all fields (a k-way merge).
            let mut best: Option<(usize, (i32, i32))> = None;
            for j in 0..self.n {
                if let Some(&p) = cur.get(j).and_then(|c| self.slice(j).get(*c)) {
                    if best.is_none_or(|(_, b)| p.0 < b.0) {
                        best = Some((j, p));
                    }
                }
            }
            let Some((j, (a, b))) = best else {
                return due;
            };
            if let Some(c) = cur.get_mut(j) {
                *c += 1;
            }
            let start = i64::from(a).max(from);
            if start > due {
                // Sorted by start: every later period starts later still.
                return due;
            }
            let lo = start.max(covered + 1);
            let hi = i64::from(b).min(today);
            if lo <= hi {
                due += hi - lo + 1;
                covered = hi;
            }
        }
    }
}
