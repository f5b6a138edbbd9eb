//! The domain model: what a jobcenter caseload looks like. The spreads are
//! judgement, not statistics: they aim at every status occurring in useful
//! numbers (met, met late, overdue, pending, exempt) and at dates sitting on
//! and one day either side of the deadlines the policy counts.

use pol_runtime::bytecode::program::{Dur, FieldType};
use pol_runtime::vm::dates::add_months;

use super::tables::{Ben, Flag, Kind, Tables};
use super::{generic_value, Cx, Val};
use crate::rng::Rng;

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

fn months(d: i32, n: i32) -> i32 {
    add_months(i64::from(d), i64::from(n)).map_or(d, |x| x as i32)
}

/// `d + dur` (negative `sign` subtracts).
fn plus(d: i32, dur: Dur, sign: i32) -> i32 {
    match dur {
        Dur::Days(n) => d + sign * n,
        Dur::Months(n) => months(d, sign * n),
    }
}

fn days_of(dur: Dur) -> i32 {
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

/// The case's fields: the known ones from the facts, the rest generic.
pub fn fill_case(cx: &mut Cx<'_>, rng: &mut Rng, x: &Facts) {
    let t = cx.t;
    let f = &t.f;
    let today = x.today;
    let since = (today - x.start).max(0);
    let syge = x.ben == Ben::Sygedagpenge;
    let ledig = matches!(
        x.ben,
        Ben::Dagpenge | Ben::Kontanthjaelp | Ben::Uddannelseshjaelp | Ben::Hjemrejseydelse
    );

    cx.set(f.birth_date, Some(Val::Date(x.birth)));
    cx.set(f.benefit, x.benefit_var.map(Val::Enum));
    cx.set(f.benefit_start, Some(Val::Date(x.start)));
    let readiness = match x.readiness {
        Readiness::Job => t.readiness_job.idx_of_first(),
        Readiness::Activity => t.readiness_activity.pick(rng),
        Readiness::Education => t.readiness_young.pick(rng),
        Readiness::None => t.readiness_none.pick(rng),
    };
    // jobparat is the first entry of the job table; a kontanthjælp case
    // drew its readiness in `facts`
    let readiness = match (x.readiness, x.ben) {
        (Readiness::Job, Ben::Dagpenge | Ben::Hjemrejseydelse) => {
            if rng.chance(85.0) {
                readiness
            } else {
                t.readiness_none.pick(rng)
            }
        }
        _ => readiness,
    };
    cx.set(f.readiness, readiness.map(Val::Enum));
    let mg = match x.ben {
        Ben::Dagpenge | Ben::Kontanthjaelp | Ben::Ledighedsydelse => t.match_ledig.pick(rng),
        _ => t.match_other.pick(rng),
    };
    cx.set(f.match_group, mg.map(Val::Enum));
    if x.ben == Ben::Ledighedsydelse {
        let v = t.flex.pick(rng);
        cx.set(f.flex_track, v.map(Val::Enum));
    }
    let immigrant = if x.ben == Ben::Hjemrejseydelse {
        t.immigrant_hjemrejse.pick(rng)
    } else {
        t.immigrant.pick(rng)
    };
    let is_immigrant = immigrant.is_some() && immigrant != t.immigrant.idx_of_first();
    cx.set(f.immigrant, immigrant.map(Val::Enum));
    if is_immigrant {
        let permit = today - rng.range(60, 15 * 365) as i32;
        cx.set(f.residence_permit, Some(Val::Date(permit)));
        if rng.chance(70.0) {
            let start = permit + rng.range(0, 90) as i32;
            cx.set(f.integration_start, Some(Val::Date(start.min(today))));
        }
    }
    let m = t.municipality.pick(rng);
    cx.set(f.municipality, m.map(Val::Enum));
    let g = t.gender.pick(rng);
    cx.set(f.gender, g.map(Val::Enum));
    cx.set(f.employed, x.employed.then_some(Val::Bool(true)));
    cx.set(f.self_employed, x.self_employed.then_some(Val::Bool(true)));
    cx.set(
        f.repatriation_covered,
        x.repatriation.then_some(Val::Bool(true)),
    );

    if syge && rng.chance(75.0) {
        let at = match rng.below(100) {
            0..=14 => x.start + 42 + rng.range(-1, 1) as i32,
            15..=24 => x.start + 182 + rng.range(-1, 1) as i32,
            _ => x.start + rng.range(14, 280) as i32,
        };
        cx.set(f.expected_recovery, Some(Val::Date(at)));
    }
    if syge && rng.chance(12.0) {
        cx.set(f.partially_recovered, Some(Val::Bool(true)));
        let hours = if rng.chance(30.0) {
            200_000
        } else {
            rng.range(16, 60) * 5_000
        };
        cx.set(f.hours_resumed, Some(Val::Dec(hours)));
    }
    if ledig && x.readiness == Readiness::Job && rng.chance(5.0) {
        let at = if rng.chance(30.0) {
            months(today, 3) + rng.range(-1, 1) as i32
        } else {
            today + rng.range(-30, 150) as i32
        };
        cx.set(f.job_contract_start, Some(Val::Date(at)));
    }

    // standby: serious diagnoses, more often among the sick and the
    // activity-ready; some periods still running
    let standby_pct = if syge || x.readiness == Readiness::Activity {
        4.0
    } else {
        1.5
    };
    if rng.chance(standby_pct) {
        let mut list = [(0, None); 2];
        let n = if rng.chance(10.0) { 2 } else { 1 };
        let mut from = x.start + rng.range(0, i64::from(since)) as i32;
        for slot in list.iter_mut().take(n) {
            let end = if rng.chance(35.0) {
                None
            } else {
                Some(from + rng.range(14, 200) as i32)
            };
            *slot = (from, end);
            from = end.unwrap_or(from) + rng.range(20, 120) as i32;
        }
        // a running period must be the last one
        let n = if list[0].1.is_none() { 1 } else { n };
        cx.add_periods(f.standby, &list[..n]);
    }
    if (20..=45).contains(&x.age) && rng.chance(3.0) {
        let from = x.start + rng.range(-120, i64::from(since)) as i32;
        let end = if rng.chance(20.0) {
            None
        } else {
            Some(from + rng.range(60, 365) as i32)
        };
        cx.add_periods(f.barsel, &[(from, end)]);
        cx.set(f.barsel_start, Some(Val::Date(from)));
    }

    for (i, flag) in f.flags.iter().copied() {
        let pct = flag_percent(flag, x);
        let def = cx
            .schema
            .fields
            .get(i as usize)
            .and_then(|d| d.default)
            .map(|d| d != 0);
        let v = rng.chance(pct);
        // leave a value equal to the default out, as exports usually do
        cx.set(Some(i), (def != Some(v)).then_some(Val::Bool(v)));
    }

    // unknown periods fields: a period for a few percent
    for i in t.other_periods.iter().copied() {
        if rng.chance(3.0) {
            let from = x.start + rng.range(0, i64::from(since)) as i32;
            let end = rng.chance(70.0).then(|| from + rng.range(7, 120) as i32);
            cx.add_periods(Some(i), &[(from, end)]);
        }
    }
    // every other field: a generic valid value
    let schema = cx.schema;
    for (i, def) in schema.fields.iter().enumerate() {
        if t.known.get(i).copied().unwrap_or(false) || def.ty == FieldType::Periods {
            continue;
        }
        let v = generic_value(rng, def, &schema.enums, today, false);
        if let Some(slot) = cx.b.vals.get_mut(i) {
            *slot = v;
        }
    }
}

/// The chance (percent) a flag is true for this case.
fn flag_percent(flag: Flag, x: &Facts) -> f64 {
    let syge = x.ben == Ben::Sygedagpenge;
    let young = x.age < 30;
    let activity = x.readiness == Readiness::Activity;
    let on = |b: bool, yes: f64, no: f64| if b { yes } else { no };
    match flag {
        Flag::VocationalQualification => on(young, 35.0, 60.0),
        Flag::ProblemsBeyondUnemployment => on(activity, 60.0, 5.0),
        Flag::Reregistered => 15.0,
        Flag::IllnessPrevents => on(syge, 6.0, 0.5),
        Flag::SeriousIllness => on(syge, 4.0, 0.3),
        Flag::LongIllnessExpected => on(syge, 8.0, 0.5),
        Flag::DoubtIncapacity => on(syge, 4.0, 0.0),
        Flag::ClearPlan => on(syge, 80.0, 95.0),
        Flag::PlanFollowed => 90.0,
        Flag::NeedsInterdisciplinary => on(activity, 25.0, 2.0),
        Flag::RiskLongTerm => on(x.readiness == Readiness::Job, 15.0, 5.0),
        Flag::MotivationAbsent => 3.0,
        Flag::HealthWorsens => on(activity, 5.0, 0.5),
        Flag::PermanentHealth => on(activity || syge, 3.0, 0.5),
        Flag::NotNearJob => on(activity, 30.0, 5.0),
        Flag::ComplexProblems => on(activity, 15.0, 2.0),
        Flag::RequestedByCitizen => 2.0,
        Flag::SamtaleNeeded => on(syge, 6.0, 0.0),
        Flag::DigitalPostExempt => 3.0,
        Flag::CvInadequate => on(x.ben == Ben::Dagpenge, 12.0, 3.0),
        Flag::CannotTakeOrdinaryEducation => on(young, 4.0, 0.5),
        Flag::DevelopmentalDisorder => on(x.age <= 25, 5.0, 1.0),
        Flag::InEducation => on(young, 6.0, 0.5),
    }
}

/// Where an event due on `due` actually happened: on the day, a day
/// either side, early, late, or not at all (`None`).
fn place(rng: &mut Rng, due: i32, span: i32, profile: Profile) -> Option<i32> {
    let on_time = |rng: &mut Rng| match rng.below(100) {
        0..=19 => due,
        20..=27 => due - 1,
        28..=32 => due + 1,
        _ => due - rng.range(0, i64::from((span / 3).max(1))) as i32,
    };
    match profile {
        Profile::Diligent => Some(on_time(rng)),
        Profile::Late => Some(if rng.chance(50.0) {
            on_time(rng)
        } else {
            due + rng.range(1, 21) as i32
        }),
        Profile::Sparse => {
            if rng.chance(45.0) {
                None
            } else if rng.chance(50.0) {
                Some(on_time(rng))
            } else {
                Some(due + rng.range(1, 30) as i32)
            }
        }
        Profile::None => None,
    }
}

/// One of the policy's deadlines for a kind, or the fallback. Caseworkers
/// mostly aim at the strictest deadline they know of, so the shortest of
/// the policy's comes up more often than the others.
fn pick_dur(rng: &mut Rng, policy: Option<&Vec<Dur>>, fallback: Dur) -> Dur {
    let list = match policy {
        Some(list) if !list.is_empty() => list,
        _ => return fallback,
    };
    match rng.below(100) {
        0..=49 => fallback,
        50..=84 => list
            .iter()
            .copied()
            .filter(|d| days_of(*d) >= 7)
            .min_by_key(|d| days_of(*d))
            .unwrap_or(fallback),
        _ => list[rng.below(list.len() as u64) as usize],
    }
}

const MAX_SAMTALER: usize = 40;

pub fn fill_events(cx: &mut Cx<'_>, rng: &mut Rng, x: &Facts) {
    let t = cx.t;
    let today = x.today;
    let syge = x.ben == Ben::Sygedagpenge;
    let t_samtale = &t.samtale;
    let t_tilbud = &t.tilbud;
    let t_vurd = &t.vurdering;

    // samtaler: a first one by the first deadline, then one per gap,
    // placed by the caseworker's diligence
    if let Some(kind) = t_samtale.kind {
        let (first, gap) = match x.ben {
            Ben::Sygedagpenge => (Dur::Days(55), Dur::Days(28)),
            Ben::Dagpenge | Ben::Kontanthjaelp | Ben::Uddannelseshjaelp | Ben::Hjemrejseydelse => {
                (Dur::Days(14), Dur::Days(28))
            }
            Ben::Jobafklaring | Ben::Ressourceforloeb => (Dur::Days(28), Dur::Days(28)),
            Ben::Ledighedsydelse => (Dur::Months(1), Dur::Months(3)),
            _ => (Dur::Months(3), Dur::Months(6)),
        };
        let dl = &t.deadlines;
        let first = pick_dur(rng, dl.first.get(kind as usize), first);
        let mut gap = pick_dur(rng, dl.gap.get(kind as usize), gap);
        // after six months most jobcenters slow down to every three months
        let slows = rng.chance(65.0) && days_of(gap) < 60;
        let mut due = plus(x.start, first, 1);
        let mut span = days_of(first);
        let mut n = 0;
        let mut first_date = None;
        while n < MAX_SAMTALER {
            if slows && due > months(x.start, 6) {
                gap = Dur::Months(3);
            }
            let at = place(rng, due, span, x.profile);
            match at {
                Some(d) if d > today => {
                    // a booked samtale, after the evaluation date
                    if rng.chance(40.0) {
                        samtale(cx, rng, kind, t_samtale, d, x, None);
                    }
                    break;
                }
                Some(d) => {
                    samtale(cx, rng, kind, t_samtale, d, x, None);
                    first_date.get_or_insert(d);
                    n += 1;
                    due = plus(d, gap, 1);
                }
                None => {
                    if due > today {
                        break;
                    }
                    due = plus(due, gap, 1);
                }
            }
            span = days_of(gap);
        }
        // vejledning on rights and duties, given at the first samtale
        if let (Some(d), Some(k)) = (first_date, t.vejledning.kind) {
            if !syge && rng.chance(50.0) {
                cx.event(rng, k, d);
            }
        }
    }

    // tilbud: a first offer by the policy's deadline (ret og pligt), then
    // about every six months; the sick get partial return and retention
    if let Some(kind) = t_tilbud.kind {
        let chance = match x.ben {
            Ben::Sygedagpenge => 25.0,
            Ben::Foertidspension | Ben::Selvforsoergende | Ben::Other => 5.0,
            _ => 70.0,
        };
        if rng.chance(chance) {
            let fallback = if x.ben == Ben::Dagpenge {
                Dur::Months(6)
            } else {
                Dur::Months(3)
            };
            let first = pick_dur(rng, t.deadlines.first.get(kind as usize), fallback);
            let mut due = plus(x.start, first, 1);
            let mut span = days_of(first);
            for _ in 0..6 {
                let Some(d) = place(rng, due, span, x.profile) else {
                    break;
                };
                if d > today {
                    break;
                }
                tilbud(cx, rng, kind, t_tilbud, d, x, None);
                due = plus(d, Dur::Months(6), 1);
                span = 180;
                if !rng.chance(55.0) {
                    break;
                }
            }
        }
    }

    // vurderinger: what each benefit's course calls for
    if let Some(kind) = t_vurd.kind {
        let a = |name: &str| t.assessment.get(name).copied();
        let mut todo: [(Option<u16>, i32, f64); 4] = [(None, 0, 0.0); 4];
        match x.ben {
            Ben::Sygedagpenge => {
                todo[0] = (
                    a("forlaengelse_26_uger"),
                    x.start + 182 - rng.range(0, 30) as i32,
                    80.0,
                );
                todo[1] = (
                    a("helbredsvurdering"),
                    x.start + rng.range(30, 200) as i32,
                    20.0,
                );
            }
            Ben::Ledighedsydelse => {
                todo[0] = (
                    a("ressourceprofil"),
                    x.start + rng.range(0, 365) as i32,
                    40.0,
                );
            }
            Ben::Ressourceforloeb | Ben::Jobafklaring => {
                todo[0] = (
                    a("rehab_relevans"),
                    x.start + rng.range(14, 120) as i32,
                    50.0,
                );
                todo[1] = (
                    a("aarlig_afklaring"),
                    months(x.start, 12) + rng.range(-20, 10) as i32,
                    60.0,
                );
            }
            _ => {}
        }
        if x.readiness == Readiness::Activity {
            todo[2] = (
                a("indsatsvurdering"),
                x.start + rng.range(7, 40) as i32,
                70.0,
            );
            todo[3] = (
                a("aarlig_afklaring"),
                months(x.start, 12) + rng.range(-20, 10) as i32,
                50.0,
            );
        } else if matches!(x.ben, Ben::Kontanthjaelp | Ben::Uddannelseshjaelp) {
            todo[2] = (a("visitation"), x.start + rng.range(0, 30) as i32, 50.0);
        }
        for (assessment, date, pct) in todo {
            if pct > 0.0 && date <= today + 14 && rng.chance(pct) {
                if let Some(s) = cx.event(rng, kind, date) {
                    let field = t_vurd.field("assessment");
                    if let Some(v) = assessment {
                        cx.set_ev(s, field, Some(Val::Enum(v)));
                    }
                }
            }
        }
    }

    let long_course = matches!(x.ben, Ben::Ressourceforloeb | Ben::Jobafklaring);
    let activity = x.readiness == Readiness::Activity;
    let simple: [(Option<u16>, f64, i32, i32); 7] = [
        (t.informationsmoede.kind, on(!syge, 25.0), 0, 14),
        (t.serviceopkald.kind, 8.0, 0, 180),
        (t.henvisning.kind, on(activity, 8.0), 14, 365),
        (t.jobmakker_tildelt.kind, on(activity, 35.0), 0, 30),
        (
            t.mentor_tildelt.kind,
            on(activity || long_course, 10.0),
            30,
            365,
        ),
        (
            t.sundhedskoordinator_samtale.kind,
            on(long_course, 30.0),
            14,
            200,
        ),
        (t.rehab_moede.kind, on(long_course, 50.0), 30, 200),
    ];
    for (kind, pct, lo, hi) in simple {
        let Some(k) = kind else { continue };
        if !rng.chance(pct) {
            continue;
        }
        // a kind the policy sets a deadline for is placed around it
        let firsts = t.deadlines.first.get(k as usize).filter(|l| !l.is_empty());
        let d = match firsts {
            Some(list) => {
                let dur = list[rng.below(list.len() as u64) as usize];
                place(rng, plus(x.start, dur, 1), days_of(dur).max(3), x.profile)
            }
            None => Some(x.start + rng.range(i64::from(lo), i64::from(hi)) as i32),
        };
        if let Some(d) = d.filter(|d| *d <= today) {
            cx.event(rng, k, d.max(x.start));
        }
    }
    requests(cx, rng, x);
    // a wish to return home, and the referral to Dansk Flygtningehjælp by
    // the caseworker's diligence (ALL-20)
    if let Some(k) = t.hjemrejseoenske.kind {
        if x.repatriation && rng.chance(15.0) {
            let d = x.start + rng.range(0, 365) as i32;
            if d <= today {
                cx.event(rng, k, d);
                let to = t.referral.idx_of("til_dansk_flygtningehjaelp");
                let at = place(rng, d + 14, 14, x.profile).filter(|at| *at >= d && *at <= today);
                if let (Some(at), Some(kh)) = (at, t.henvisning.kind) {
                    if let Some(s) = cx.event(rng, kh, at) {
                        cx.set_ev(s, t.henvisning.field("to"), to.map(Val::Enum));
                    }
                }
            }
        }
    }
    // a førtidspensionist with a concrete job on hand, and the wage-subsidy
    // job set up after it (GLA-41)
    if x.ben == Ben::Foertidspension && rng.chance(40.0) {
        let found = today - rng.range(0, 300) as i32;
        cx.set(t.f.concrete_job_on, Some(Val::Date(found)));
        let at = place(rng, found + 30, 30, x.profile).filter(|at| *at >= found && *at <= today);
        if let (Some(at), Some(kt)) = (at, t_tilbud.kind) {
            let offer = t.offer_job.idx_of("loentilskud");
            tilbud(cx, rng, kt, t_tilbud, at, x, offer);
        }
    }
    // the recovery team's call to the newly sick-listed, an information
    // meeting for some, a referral to an active offer for others (GLA-30,
    // GLA-31)
    if syge {
        let marks = [
            (t.telefonkontakt.kind, 70.0, 3),
            (t.informationsmoede.kind, 30.0, 21),
            (t.henvisning.kind, 25.0, 28),
        ];
        for (kind, pct, after) in marks {
            let Some(k) = kind.filter(|_| rng.chance(pct)) else {
                continue;
            };
            let Some(d) = place(rng, x.start + after, after, x.profile).filter(|d| *d <= today)
            else {
                continue;
            };
            if let Some(s) = cx.event(rng, k, d.max(x.start)) {
                if Some(k) == t.henvisning.kind {
                    let to = t.referral.idx_of("til_aktiv_indsats");
                    cx.set_ev(s, t.henvisning.field("to"), to.map(Val::Enum));
                }
            }
        }
    }
    // telephone contact with flexjob candidates, about quarterly
    if let Some(k) = t.telefonkontakt.kind {
        if x.ben == Ben::Ledighedsydelse && rng.chance(60.0) {
            let mut d = x.start + rng.range(20, 90) as i32;
            while d <= today {
                cx.event(rng, k, d);
                d = months(d, 3) + rng.range(-10, 10) as i32;
            }
        }
    }
    // a run of weeks with a few paid hours beside the benefit
    let loentimer = &t.loentimer;
    if let Some(k) = loentimer.kind {
        if matches!(x.ben, Ben::Dagpenge | Ben::Kontanthjaelp) && rng.chance(18.0) {
            let weeks = rng.range(1, 12) as i32;
            let mut d = x.start + rng.range(0, i64::from((today - x.start).max(0))) as i32;
            for _ in 0..weeks {
                if d > today {
                    break;
                }
                if let Some(s) = cx.event(rng, k, d) {
                    let hours = rng.range(6, 40) * 5_000;
                    cx.set_ev(s, loentimer.field("hours"), Some(Val::Dec(hours)));
                }
                d += 7;
            }
        }
    }
    // weekly unemployment degree over the last half year, for a few
    let uge = &t.ledighedsuge;
    if let Some(k) = uge.kind {
        if x.ben == Ben::Dagpenge && rng.chance(4.0) {
            let weeks = ((today - x.start) / 7).clamp(0, 26);
            for w in 1..=weeks {
                if let Some(s) = cx.event(rng, k, today - 7 * w) {
                    let degree = if rng.chance(80.0) {
                        10_000
                    } else {
                        rng.range(0, 20) * 500
                    };
                    cx.set_ev(s, uge.field("degree"), Some(Val::Dec(degree)));
                }
            }
        }
    }
    // kinds the model does not know: a few events for a few cases
    for k in t.other_kinds.iter().copied() {
        if rng.chance(8.0) {
            for _ in 0..rng.range(1, 3) {
                let d = x.start + rng.range(0, i64::from((today - x.start).max(0))) as i32;
                cx.event(rng, k, d);
            }
        }
    }
    // left over from an earlier benefit period: before the anchor, never counted
    if rng.chance(3.0) {
        let d = x.start - rng.range(1, 90) as i32;
        if let Some(kind) = t_samtale.kind {
            samtale(cx, rng, kind, t_samtale, d, x, None);
        }
    }
}

fn on(b: bool, pct: f64) -> f64 {
    if b {
        pct
    } else {
        0.0
    }
}

/// A samtale on `date`; `purpose` overrides the drawn purpose (a samtale at
/// an activity's start or end, one the citizen asked for).
fn samtale(
    cx: &mut Cx<'_>,
    rng: &mut Rng,
    kind: u16,
    k: &Kind,
    date: i32,
    x: &Facts,
    purpose: Option<u16>,
) {
    let Some(s) = cx.event(rng, kind, date) else {
        return;
    };
    let t = cx.t;
    let syge = x.ben == Ben::Sygedagpenge;
    let form = if syge {
        t.form_syge.pick(rng)
    } else {
        t.form.pick(rng)
    };
    let letter = form.is_some() && form == t.form.idx_of("letter");
    let held = if x.ben == Ben::Dagpenge {
        t.held_by_dagpenge.pick(rng)
    } else {
        t.held_by.pick(rng)
    };
    let drawn = if syge {
        t.purpose_syge.pick(rng)
    } else {
        t.purpose.pick(rng)
    };
    let purpose = purpose.or(drawn);
    let channel = if letter {
        t.channel_post.pick(rng)
    } else {
        None
    };
    let default_held = t.held_by.idx_of_first();
    let default_purpose = t.purpose.idx_of_first();
    let default_channel = t.channel_post.idx_of_first();
    if let Some(v) = form {
        cx.set_ev(s, k.field("form"), Some(Val::Enum(v)));
    }
    let non_default = |v: Option<u16>, d: Option<u16>| v.filter(|v| Some(*v) != d).map(Val::Enum);
    cx.set_ev(s, k.field("held_by"), non_default(held, default_held));
    cx.set_ev(s, k.field("purpose"), non_default(purpose, default_purpose));
    cx.set_ev(s, k.field("channel"), non_default(channel, default_channel));
    let flag = |rng: &mut Rng, pct: f64| rng.chance(pct).then_some(Val::Bool(true));
    let v = flag(rng, 10.0);
    cx.set_ev(s, k.field("ordered_personal"), v);
    let v = flag(rng, 8.0);
    cx.set_ev(s, k.field("vk_present"), v);
    let v = flag(rng, on(x.ben == Ben::Dagpenge, 15.0));
    cx.set_ev(s, k.field("ret_og_pligt_info"), v);
    let v = flag(rng, on(x.repatriation, 60.0));
    cx.set_ev(s, k.field("repatriation_guidance"), v);
}

/// An offer starting on `date` (`offer` overrides the drawn type), with its
/// end event when it has ended by the evaluation date, and the samtaler at
/// its start and end as the caseworker's diligence has them (GLA-04).
fn tilbud(
    cx: &mut Cx<'_>,
    rng: &mut Rng,
    kind: u16,
    k: &Kind,
    date: i32,
    x: &Facts,
    offer: Option<u16>,
) {
    let Some(s) = cx.event(rng, kind, date) else {
        return;
    };
    let t = cx.t;
    let drawn = match (x.ben, x.readiness) {
        (Ben::Sygedagpenge, _) => t.offer_syge.pick(rng),
        (Ben::Uddannelseshjaelp, _) => t.offer_young.pick(rng),
        (_, Readiness::Job) => t.offer_job.pick(rng),
        _ => t.offer_activity.pick(rng),
    };
    let offer = offer.or(drawn);
    let company = offer.is_some()
        && (offer == t.offer_job.idx_of("virksomhedspraktik")
            || offer == t.offer_job.idx_of("loentilskud"));
    // total hours of the offer: weeks times hours a week (a wage subsidy
    // runs half a year full time; short courses a few hours a week)
    let (weeks, per_week) = if offer.is_some() && offer == t.offer_job.idx_of("loentilskud") {
        (26, 37)
    } else if company {
        (rng.range(2, 13), rng.range(15, 37))
    } else {
        (rng.range(1, 8), rng.range(0, 20))
    };
    let hours = weeks * per_week * 10_000;
    if let Some(v) = offer {
        cx.set_ev(s, k.field("offer"), Some(Val::Enum(v)));
    }
    cx.set_ev(s, k.field("hours"), (hours > 0).then_some(Val::Dec(hours)));
    cx.set_ev(
        s,
        k.field("company_directed"),
        (company && rng.chance(90.0)).then_some(Val::Bool(true)),
    );
    let paalaeg = x.ben == Ben::Uddannelseshjaelp && rng.chance(30.0);
    cx.set_ev(s, k.field("in_paalaeg"), paalaeg.then_some(Val::Bool(true)));

    // the end: the last planned day, or earlier when broken off (15%)
    let days = (weeks as i32 * 7).max(1);
    let completed = rng.chance(85.0);
    let end = if completed {
        date + days - 1
    } else {
        date + rng.range(0, i64::from(days - 1)) as i32
    };
    let today = x.today;
    let slut = &t.tilbud_slut;
    if let Some(ks) = slut.kind.filter(|_| end <= today) {
        if let Some(e) = cx.event(rng, ks, end) {
            cx.set_ev(e, slut.field("offer"), offer.map(Val::Enum));
            cx.set_ev(
                e,
                slut.field("completed"),
                (!completed).then_some(Val::Bool(false)),
            );
        }
    }
    // a jobstøttementor for company-directed activation in the integration
    // programme (ALL-18)
    let in_programme =
        t.f.integration_start
            .and_then(|f| cx.b.vals.get(f as usize))
            .is_some_and(Option::is_some);
    if let Some(km) = t.mentor_tildelt.kind {
        if company && in_programme && rng.chance(70.0) {
            if let Some(d) = place(rng, date, 7, x.profile).filter(|d| *d <= today) {
                cx.event(rng, km, d);
            }
        }
    }
    // the samtaler at the start and the end of the activity
    let Some(ks) = t.samtale.kind else { return };
    let marks = [
        (date, t.purpose.idx_of("activity_start")),
        (end, t.purpose.idx_of("activity_end")),
    ];
    for (due, purpose) in marks {
        if due > today || purpose.is_none() || !rng.chance(60.0) {
            continue;
        }
        if let Some(d) = place(rng, due, 7, x.profile).filter(|d| *d <= today) {
            samtale(cx, rng, ks, &t.samtale, d, x, purpose);
        }
    }
}

/// The enum value the case was given in `field`, if any.
fn case_enum(cx: &Cx<'_>, field: Option<u16>) -> Option<u16> {
    match field.and_then(|f| cx.b.vals.get(f as usize)) {
        Some(Some(Val::Enum(v))) => Some(*v),
        _ => None,
    }
}

/// Requests (anmodninger) and what answers them, placed by the caseworker's
/// diligence: some answered on time, some late, some not yet (W25-26,
/// HED-51, GLA-16, GLA-39, W25-10). The employer of a sick employee asks for
/// retention help; family-reunified and immigrants ask for an offer;
/// kontanthjælp and uddannelseshjælp recipients for vejledning; anyone for
/// a samtale.
fn requests(cx: &mut Cx<'_>, rng: &mut Rng, x: &Facts) {
    let t = cx.t;
    let Some(k) = t.anmodning.kind else { return };
    let today = x.today;
    let since = today - x.start;
    let employer_asks = x.ben == Ben::Sygedagpenge && x.employed;
    let pct = if employer_asks { 15.0 } else { 6.0 };
    if since < 7 || !rng.chance(pct) {
        return;
    }
    let immigrant = case_enum(cx, t.f.immigrant);
    let asks_offer = immigrant.is_some()
        && (immigrant == t.immigrant.idx_of("familiesammenfoert")
            || immigrant == t.immigrant.idx_of("indvandrer"));
    let cash = matches!(x.ben, Ben::Kontanthjaelp | Ben::Uddannelseshjaelp);
    let (about, by) = if employer_asks && rng.chance(70.0) {
        ("fastholdelse", "employer")
    } else if asks_offer && rng.chance(50.0) {
        ("tilbud", "citizen")
    } else if cash && rng.chance(30.0) {
        ("vejledning", "citizen")
    } else {
        ("samtale", "citizen")
    };
    for _ in 0..rng.range(1, 2) {
        let d = x.start + rng.range(7, i64::from(since)) as i32;
        let Some(s) = cx.event(rng, k, d) else { return };
        let a = &t.anmodning;
        let about_v = t.asked.idx_of(about);
        let by_v = t.requester.idx_of(by);
        let non_default = |v: Option<u16>, dflt: Option<u16>| v.filter(|v| Some(*v) != dflt);
        cx.set_ev(
            s,
            a.field("about"),
            non_default(about_v, t.asked.idx_of_first()).map(Val::Enum),
        );
        cx.set_ev(
            s,
            a.field("by"),
            non_default(by_v, t.requester.idx_of_first()).map(Val::Enum),
        );
        let Some(at) = place(rng, d + 7, 7, x.profile).filter(|at| *at >= d && *at <= today) else {
            continue;
        };
        match about {
            "samtale" => {
                if let Some(ks) = t.samtale.kind {
                    let purpose = t.purpose.idx_of("citizen_request");
                    samtale(cx, rng, ks, &t.samtale, at, x, purpose);
                }
            }
            "vejledning" => {
                if let Some(kv) = t.vejledning.kind {
                    cx.event(rng, kv, at);
                }
            }
            _ => {
                if let Some(kt) = t.tilbud.kind {
                    let offer = if about == "fastholdelse" {
                        t.offer_syge.idx_of("fastholdelse")
                    } else {
                        None
                    };
                    tilbud(cx, rng, kt, &t.tilbud, at, x, offer);
                }
            }
        }
    }
}
