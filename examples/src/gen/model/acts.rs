//! What one act brings with it: a samtale's form, purpose and flags; an
//! offer's type, hours, end and the samtaler around it; a request and what
//! answers it.

use super::events::{on, place};
use super::{Facts, Readiness};
use crate::gen::tables::{Ben, Kind};
use crate::gen::{Cx, Val};
use crate::rng::Rng;

/// A samtale on `date`; `purpose` overrides the drawn purpose (a samtale at
/// an activity's start or end, one the citizen asked for).
pub(super) fn samtale(
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
pub(super) fn tilbud(
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
pub(super) fn requests(cx: &mut Cx<'_>, rng: &mut Rng, x: &Facts) {
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
