//! The case's fields: the known ones from the facts, assessment flags with
//! case-dependent chances, the rest generic.

use pol_runtime::bytecode::program::FieldType;

use super::{months, Facts, Readiness};
use crate::gen::tables::{Ben, Flag};
use crate::gen::{generic_value, Cx, Val};
use crate::rng::Rng;

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
