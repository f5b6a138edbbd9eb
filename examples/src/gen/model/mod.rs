//! The domain model: what a jobcenter caseload looks like. The spreads are
//! judgement, not statistics: they aim at every status occurring in useful
//! numbers (met, met late, overdue, pending, exempt) and at dates sitting on
//! and one day either side of the deadlines the policy counts.

//!
//! `mod.rs` draws the facts a case is derived from; `case.rs` fills the
//! case's fields, `events.rs` its events, `acts.rs` what one samtale, offer
//! or request brings with it.

mod acts;
mod case;
mod events;

use pol_runtime::bytecode::program::Dur;
use pol_runtime::vm::dates::add_months;

use super::tables::{Ben, Tables};
use crate::rng::Rng;

pub use case::fill_case;
pub use events::fill_events;

/// The facts the rest of a case is derived from.
#[derive(Debug, Clone, Copy)]
pub struct Facts {
    pub today: i32,
    pub ben: Ben,
    pub benefit_var: Option<u16>,
    pub birth: i32,
    pub age: i64,
    /// The benefit start (the anchor of most rules).
    pub start: i32,
    pub readiness: Readiness,
    pub employed: bool,
    pub self_employed: bool,
    pub repatriation: bool,
    /// The caseworker's diligence for this case.
    pub profile: Profile,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readiness {
    Job,
    Activity,
    Education,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// Samtaler on time, often on the due date itself.
    Diligent,
    /// Some samtaler one to three weeks late.
    Late,
    /// Samtaler often skipped.
    Sparse,
    /// No contact recorded at all.
    None,
}

pub(super) fn months(d: i32, n: i32) -> i32 {
    add_months(i64::from(d), i64::from(n)).map_or(d, |x| x as i32)
}

/// `d + dur` (negative `sign` subtracts).
pub(super) fn plus(d: i32, dur: Dur, sign: i32) -> i32 {
    match dur {
        Dur::Days(n) => d + sign * n,
        Dur::Months(n) => months(d, sign * n),
    }
}

pub(super) fn days_of(dur: Dur) -> i32 {
    match dur {
        Dur::Days(n) => n,
        Dur::Months(n) => n * 30,
    }
}

/// Deadlines every jobcenter meets, whatever the policy: 1, 2, 4 and 8
/// weeks, 3, 6 and 12 months.
const TYPICAL: &[Dur] = &[
    Dur::Days(7),
    Dur::Days(14),
    Dur::Days(28),
    Dur::Days(56),
    Dur::Months(3),
    Dur::Months(6),
    Dur::Months(12),
];

pub fn facts(rng: &mut Rng, t: &Tables, today: i32) -> Facts {
    let benefit_var = t.benefit.pick(rng);
    let ben = match benefit_var {
        Some(v) => t.benefit_of.get(v as usize).copied().unwrap_or(Ben::Other),
        // no benefit field: reason as if about the mix anyway
        None => [Ben::Dagpenge, Ben::Kontanthjaelp, Ben::Sygedagpenge][rng.below(3) as usize],
    };
    let (lo, hi) = match ben {
        Ben::Uddannelseshjaelp => (18, 29),
        Ben::Kontanthjaelp => (20, 66),
        Ben::Ledighedsydelse => (28, 66),
        Ben::Ressourceforloeb | Ben::Jobafklaring => (22, 64),
        Ben::Foertidspension => (40, 66),
        Ben::Hjemrejseydelse => (18, 60),
        _ => (18, 66),
    };
    // two uniforms averaged: a hump in the middle of the range, thin tails
    let mut age = (rng.range(lo, hi) + rng.range(lo, hi)) / 2;
    let mut birth =
        months(today, -(age as i32) * 12 - rng.range(0, 11) as i32) - rng.range(0, 27) as i32;
    if rng.chance(1.5) {
        // a birthday on, or a day either side of, an age boundary
        age = [18, 25, 30, 50][rng.below(4) as usize].max(lo);
        birth = months(today, -(age as i32) * 12) + rng.range(-1, 1) as i32;
        if birth > months(today, -(age as i32) * 12) {
            age -= 1;
        }
    }

    let readiness = match ben {
        Ben::Kontanthjaelp => {
            if rng.chance(45.0) {
                Readiness::Job
            } else {
                Readiness::Activity
            }
        }
        Ben::Uddannelseshjaelp => {
            if rng.chance(50.0) {
                Readiness::Education
            } else {
                Readiness::Activity
            }
        }
        Ben::Dagpenge | Ben::Hjemrejseydelse => Readiness::Job,
        Ben::Ressourceforloeb => Readiness::Activity,
        _ => Readiness::None,
    };

    let start = benefit_start(rng, t, ben, today);
    let (employed, self_employed) = match ben {
        Ben::Sygedagpenge => match rng.below(100) {
            0..=72 => (true, false),
            73..=84 => (false, true),
            _ => (false, false),
        },
        Ben::Ledighedsydelse | Ben::Selvforsoergende => (rng.chance(8.0), false),
        _ => (rng.chance(1.5), rng.chance(1.0)),
    };
    let profile = match rng.below(100) {
        0..=61 => Profile::Diligent,
        62..=81 => Profile::Late,
        82..=93 => Profile::Sparse,
        _ => Profile::None,
    };
    Facts {
        today,
        ben,
        benefit_var,
        birth,
        age,
        start,
        readiness,
        employed,
        self_employed,
        repatriation: rng.chance(3.0),
        profile,
    }
}

/// After the case's fields were set to what a target tests: the benefit
/// the rest of the case follows.
pub fn follow_fields(x: &mut Facts, cx: &super::Cx<'_>) {
    let t = cx.t;
    let v = match t.f.benefit.and_then(|f| cx.b.vals.get(f as usize)) {
        Some(Some(super::Val::Enum(v))) => Some(*v),
        _ => None,
    };
    if v.is_some() && v != x.benefit_var {
        x.benefit_var = v;
        x.ben = v
            .and_then(|v| t.benefit_of.get(v as usize).copied())
            .unwrap_or(Ben::Other);
    }
}

/// Spread over the last two years (longer for the long courses), with extra
/// mass one day either side of the deadlines the policy and every jobcenter
/// count, and a few starts next week.
fn benefit_start(rng: &mut Rng, t: &Tables, ben: Ben, today: i32) -> i32 {
    let roll = rng.below(1000);
    if roll < 5 {
        return today + rng.range(1, 14) as i32;
    }
    if roll < 400 {
        let policy = &t.deadlines.all;
        let d = if !policy.is_empty() && rng.chance(60.0) {
            policy[rng.below(policy.len() as u64) as usize]
        } else {
            TYPICAL[rng.below(TYPICAL.len() as u64) as usize]
        };
        return plus(today, d, -1) + rng.range(-1, 1) as i32;
    }
    let (mean, cap) = match ben {
        Ben::Sygedagpenge => (100.0, 420.0),
        Ben::Dagpenge => (170.0, 730.0),
        Ben::Uddannelseshjaelp => (200.0, 900.0),
        Ben::Jobafklaring => (200.0, 730.0),
        Ben::Kontanthjaelp | Ben::Ledighedsydelse | Ben::Hjemrejseydelse => (320.0, 1100.0),
        Ben::Ressourceforloeb => (420.0, 1500.0),
        Ben::Foertidspension | Ben::Selvforsoergende => (500.0, 1500.0),
        Ben::Other => (250.0, 1000.0),
    };
    let days = (mean * rng.exponential()).min(cap);
    today - days as i32
}
