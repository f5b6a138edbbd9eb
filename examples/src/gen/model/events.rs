//! The case's events: samtaler by the caseworker's diligence, offers,
//! vurderinger, and the other kinds the model knows, placed around the
//! policy's deadlines.

use pol_runtime::bytecode::program::Dur;

use super::acts::{requests, samtale, tilbud};
use super::{days_of, months, plus, Facts, Profile, Readiness};
use crate::gen::tables::Ben;
use crate::gen::{Cx, Val};
use crate::rng::Rng;

/// Where an event due on `due` actually happened: on the day, a day
/// either side, early, late, or not at all (`None`).
pub(super) fn place(rng: &mut Rng, due: i32, span: i32, profile: Profile) -> Option<i32> {
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
            let weeks = rng.range(1, 6) as i32;
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
    // weekly unemployment degrees: over the last year for some of those
    // unemployed for most of it (the long-term unemployed are counted on
    // 52 weeks of them), over the last half year for a few others
    let uge = &t.ledighedsuge;
    if let Some(k) = uge.kind {
        let since = today - x.start;
        let (pct, cap) = if since >= 42 * 7 {
            (8.0, 52)
        } else {
            (1.5, 26)
        };
        if x.ben == Ben::Dagpenge && rng.chance(pct) {
            let weeks = (since / 7).clamp(0, cap);
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

pub(super) fn on(b: bool, pct: f64) -> f64 {
    if b {
        pct
    } else {
        0.0
    }
}
