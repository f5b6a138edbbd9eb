//! What evaluating one case on one date reads and remembers: the case and
//! today (`Ctx`), per-case scratch kept while its groups, rules and targets
//! are evaluated (`MonthMemo`), and the hooks explanations and forecasts
//! see the evaluation through (`Trace`).

use crate::bytecode::program::{Dur, Schema, NONE};
use crate::caseload::batch::CaseRef;
use crate::vm::dates;
use crate::vm::result::RuleResult;

/// Why a rule is not applicable (for explanations).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NotApplicable {
    NotInGroup,
    WhenFalse,
    OutOfEffect,
    NoBranch,
    NoAnchor,
    AnchorAfterToday,
    NotStarted,
}

/// Why an exemption made a rule exempt (for explanations).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ExemptReason {
    /// a `when` condition holds on today
    Condition,
    /// today lies in this period of the `while` field
    Period(i32, i32),
}

/// Hooks the explanation and forecast paths use to see inside a rule's
/// evaluation. Every method defaults to nothing.
pub(crate) trait Trace {
    fn not_applicable(&mut self, _why: NotApplicable) {}
    /// The requirement chosen (body index) and its anchor.
    fn requirement(&mut self, _body: usize, _anchor: i32) {}
    /// An instance judged: its window and due date (after any suspension),
    /// and when it was fulfilled.
    fn instance(&mut self, _from: i32, _due: i32, _fulfilled: Option<i32>) {}
    /// An instance without a due date (`after …`), and when it was fulfilled.
    fn open_instance(&mut self, _from: i32, _fulfilled: Option<i32>) {}
    fn exempt(&mut self, _exemption: u16, _why: ExemptReason) {}
    /// A suspension moved a due date by this many days.
    fn shifted(&mut self, _raw_due: i32, _days: i32) {}
    /// A prohibition's window (`to`: `None` when open-ended) and its first
    /// forbidden event.
    fn prohibition(&mut self, _from: i32, _to: Option<i32>, _violated_on: Option<i32>) {}
}

pub(crate) struct NoTrace;
impl Trace for NoTrace {}

/// Event kinds whose "events up to today" bound is kept per case.
const CACHED_KINDS: usize = 16;

/// Everything an expression may read.
#[derive(Clone, Copy)]
pub(crate) struct Ctx<'a> {
    pub case: CaseRef<'a>,
    pub fields: &'a [i64],
    pub today: i64,
    /// This case's rule results; only targets read them (`RuleMet`).
    pub rules: &'a [RuleResult],
    /// The case's birth date (`NONE` without one): `age` is computed from
    /// it when first asked (`age_today`).
    pub(crate) birth: i64,
    /// Today as a calendar date (`None` outside the supported range), so
    /// `today + n months` and `last n months` windows convert nothing.
    pub(crate) today_civil: Option<dates::Civil>,
    /// Recent `date + n months` results: policies repeat the same few
    /// (`benefit_start + 6 months`) in many groups and rules.
    pub(crate) months: &'a MonthMemo,
}

/// Exemptions whose verdict is kept per case; later ones are decided anew
/// each time they are asked (still correct, only slower).
const CACHED_EXEMPTIONS: usize = 16;

/// Per-case scratch the evaluation fills as it goes: a tiny direct-mapped
/// cache of `(date, months) -> date`, and each exemption's verdict.
#[derive(Default)]
pub(crate) struct MonthMemo {
    slots: [std::cell::Cell<(i64, i64, i64)>; 4],
    /// `exempt[e]`: whether exemption e applies today, once decided. An
    /// exemption usually covers several rules and is asked again for
    /// `overrides`, and its condition does not depend on the rule.
    pub(crate) exempt: [std::cell::Cell<Option<Option<ExemptReason>>>; CACHED_EXEMPTIONS],
    /// `upto[k]`: one more than how many of kind k's events are dated on or
    /// before today (0 until a window first asks, so a fresh memo needs no
    /// setting up). Nearly every window ends
    /// today, so this saves a search per count; found on first use, because
    /// many kinds are read only by rules of groups the case is not in.
    upto: [std::cell::Cell<u32>; CACHED_KINDS],
    /// The last day converted to a calendar date: most month arithmetic in
    /// a case starts from the same anchor (`benefit_start + n months`).
    civil: std::cell::Cell<Option<(i64, dates::Civil)>>,
    /// The case's age on today, once asked (`Ctx::age_today`).
    age: std::cell::Cell<Option<i64>>,
}

impl MonthMemo {
    pub(crate) fn add(&self, d: i64, n: i64) -> i64 {
        let i = ((d ^ n.wrapping_mul(31)) & 3) as usize;
        if let Some(slot) = self.slots.get(i) {
            let (kd, kn, v) = slot.get();
            if kd == d && kn == n && v != 0 {
                return v;
            }
            let v = self.add_months(d, n).unwrap_or(NONE);
            // 0 marks an empty slot; the epoch day is simply not cached.
            slot.set((d, n, v));
            return v;
        }
        self.add_months(d, n).unwrap_or(NONE)
    }

    /// The calendar date of day `d`.
    pub(crate) fn civil(&self, d: i64) -> dates::Civil {
        match self.civil.get() {
            Some((k, c)) if k == d => c,
            _ => {
                let c = dates::civil_from_days(d);
                self.civil.set(Some((d, c)));
                c
            }
        }
    }

    /// `dates::add_months`, converting `d` only when it changed.
    fn add_months(&self, d: i64, n: i64) -> Option<i64> {
        dates::in_range(d)?;
        self.civil(d).add_months(n)
    }

    /// `dates::add_dur`, converting the start only when it changed.
    pub(crate) fn add_dur(&self, d: i64, dur: Dur) -> Option<i64> {
        match dur {
            Dur::Days(n) => dates::add_days(d, i64::from(n)),
            Dur::Months(n) => self.add_months(d, i64::from(n)),
        }
    }
}

thread_local! {
    /// The last evaluation date converted to a calendar date on this thread:
    /// a caseload is evaluated on one date, case after case.
    static TODAY_CIVIL: std::cell::Cell<(i64, Option<dates::Civil>)> =
        const { std::cell::Cell::new((i64::MIN, None)) };
}

/// `today` as a calendar date (`None` outside the supported range).
fn today_civil(today: i64) -> Option<dates::Civil> {
    let convert = || dates::in_range(today).map(dates::civil_from_days);
    TODAY_CIVIL
        .try_with(|slot| match slot.get() {
            (d, c) if d == today => c,
            _ => {
                let c = convert();
                slot.set((today, c));
                c
            }
        })
        .unwrap_or_else(|_| convert())
}

impl<'a> Ctx<'a> {
    /// `months` holds what is learnt about this case on this date: give
    /// each case a fresh one (`MonthMemo::default()`).
    pub fn new(case: CaseRef<'a>, today: i32, schema: &Schema, months: &'a MonthMemo) -> Ctx<'a> {
        let today = i64::from(today);
        let fields = case.fields();
        let birth = schema
            .birth_field
            .and_then(|b| fields.get(usize::from(b)))
            .copied()
            .unwrap_or(NONE);
        let today_civil = today_civil(today);
        Ctx {
            case,
            fields,
            today,
            rules: &[],
            birth,
            today_civil,
            months,
        }
    }

    /// The case's age on today (`NONE` without a birth date), computed on
    /// first use: groups ask for it often, and each computation is a
    /// calendar conversion; most policies' age tests need none
    /// (`Node::AgeAtLeast`).
    pub(crate) fn age_today(&self) -> i64 {
        if let Some(a) = self.months.age.get() {
            return a;
        }
        let a = match self.today_civil {
            Some(c) if self.birth != NONE => dates::age_on_civil(self.birth, c).unwrap_or(NONE),
            _ => NONE,
        };
        self.months.age.set(Some(a));
        a
    }

    /// `today + n` months (`dates::add_months(today, n)`).
    #[inline]
    pub(crate) fn today_months(&self, n: i64) -> Option<i64> {
        self.today_civil?.add_months(n)
    }

    /// The index range of kind `kind`'s `dates` within `[from, to]`.
    #[inline]
    pub fn window(&self, kind: u16, dates: &[i32], from: i64, to: i64) -> (usize, usize) {
        let k = usize::from(kind);
        let search = || dates.partition_point(|d| i64::from(*d) <= to);
        let hi = match self.months.upto.get(k) {
            Some(slot) if to == self.today => match slot.get() {
                0 => {
                    let h = search();
                    // A count too big for the slot is simply not kept.
                    if let Ok(v) = u32::try_from(h + 1) {
                        slot.set(v);
                    }
                    h
                }
                h => h as usize - 1,
            },
            _ => search(),
        };
        let lo = dates
            .get(..hi)
            .map_or(0, |ds| ds.partition_point(|d| i64::from(*d) < from));
        (lo, hi.max(lo))
    }
}
