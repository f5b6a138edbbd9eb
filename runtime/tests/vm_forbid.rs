//! The VM on hand-built programs: prohibitions (`forbid K where F <window>`,
//! and `every … must`, which lowers to the same form), with exact statuses,
//! violation dates and window ends (language reference §6.1, §6.3, §7, A42);
//! and the verifier's refusal of malformed ones.

#[path = "vm/builder.rs"]
mod builder;

use builder::*;
use pol_runtime::bytecode::listing::listing;
use pol_runtime::bytecode::program::{
    Body, CountTerm, Dur, Effect, ExemptionCondition, ForbidWindow, Form, Op,
};
use pol_runtime::Policy;

fn forbid(window: ForbidWindow) -> Form {
    Form::Forbid { window }
}

/// `forbid samtale where form == personal within 14 days of benefit_start`
fn no_personal_14d() -> Builder {
    let mut b = Builder::new();
    let personal = b.personal();
    b.rule(
        "no_personal",
        forbid(ForbidWindow::Within { len: Dur::Days(14) }),
        &[count_where(SAMTALE, 1, personal)],
    );
    b
}

#[test]
fn the_first_forbidden_event_in_the_window_violates() {
    let b = no_personal_14d();
    let p = b.policy();
    let c = || Case::new(&b.p, "2026-01-05");
    // nothing yet, window open: met without a date; due is the window's end
    assert_eq!(eval(&p, c(), "2026-01-10", 0), "met due 2026-01-19");
    // the window's last day is still open
    assert_eq!(eval(&p, c(), "2026-01-19", 0), "met due 2026-01-19");
    // once it has passed: met on its end
    assert_eq!(
        eval(&p, c(), "2026-01-20", 0),
        "met(2026-01-19) due 2026-01-19"
    );
    // events on both ends of the window violate, the first reported
    let both = || {
        c().event(SAMTALE, "2026-01-19", PERSONAL)
            .event(SAMTALE, "2026-01-05", PERSONAL)
    };
    assert_eq!(
        eval(&p, both(), "2026-03-01", 0),
        "violated(2026-01-05) due 2026-01-19"
    );
    // before the anchor, after the window, or another form: never forbidden
    let outside = c()
        .event(SAMTALE, "2026-01-04", PERSONAL)
        .event(SAMTALE, "2026-01-20", PERSONAL)
        .event(SAMTALE, "2026-01-10", PHONE);
    assert_eq!(
        eval(&p, outside, "2026-03-01", 0),
        "met(2026-01-19) due 2026-01-19"
    );
    // an event dated after today is not there yet
    let future = || c().event(SAMTALE, "2026-01-12", PERSONAL);
    assert_eq!(eval(&p, future(), "2026-01-11", 0), "met due 2026-01-19");
    assert_eq!(
        eval(&p, future(), "2026-01-12", 0),
        "violated(2026-01-12) due 2026-01-19"
    );
    // the anchor after today: not applicable
    assert_eq!(eval(&p, c(), "2026-01-04", 0), "not_applicable");
}

#[test]
fn every_window_form() {
    let mut b = Builder::new();
    b.rule(
        "before_week_2",
        forbid(ForbidWindow::BeforeWeek { week: 2 }),
        &[count(TILBUD, 1)],
    );
    let end = b.code(&[Op::Field(OTHER_START)]);
    b.rule(
        "between",
        forbid(ForbidWindow::Between { end }),
        &[count(TILBUD, 1)],
    );
    b.rule("after", forbid(ForbidWindow::After), &[count(TILBUD, 1)]);
    let p = b.policy();
    let c = || Case::new(&b.p, "2026-01-05");
    // before week 2: [S, S + 13]
    let on = |day: &str| c().event(TILBUD, day, 0);
    assert_eq!(
        eval(&p, on("2026-01-18"), "2026-02-01", 0),
        "violated(2026-01-18) due 2026-01-18"
    );
    assert_eq!(
        eval(&p, on("2026-01-19"), "2026-02-01", 0),
        "met(2026-01-18) due 2026-01-18"
    );
    // between S and an absent end: not applicable; with the end: [S, E]
    assert_eq!(eval(&p, c(), "2026-02-01", 1), "not_applicable");
    let until = |e: &str| on("2026-01-20").field(OTHER_START, i64::from(d(e)));
    assert_eq!(
        eval(&p, until("2026-01-20"), "2026-02-01", 1),
        "violated(2026-01-20) due 2026-01-20"
    );
    assert_eq!(
        eval(&p, until("2026-01-19"), "2026-02-01", 1),
        "met(2026-01-19) due 2026-01-19"
    );
    // after S: open-ended, never met on a date
    assert_eq!(eval(&p, c(), "2030-01-01", 2), "met");
    assert_eq!(
        eval(&p, on("2029-06-01"), "2030-01-01", 2),
        "violated(2029-06-01)"
    );
}

#[test]
fn events_in_a_suspension_do_not_violate_and_the_window_does_not_move() {
    let mut b = no_personal_14d();
    b.exemption(
        "standby",
        Effect::Suspend,
        &[0],
        ExemptionCondition::While(STANDBY),
        None,
        &[],
    );
    let p = b.policy();
    let c = || {
        Case::new(&b.p, "2026-01-05")
            .standby("2026-01-08", Some("2026-01-10"))
            .event(SAMTALE, "2026-01-09", PERSONAL)
    };
    // the samtale inside the standby does not count; the window still ends 01-19
    assert_eq!(
        eval(&p, c(), "2026-02-01", 0),
        "met(2026-01-19) due 2026-01-19"
    );
    // while the standby runs, the open prohibition is suspended
    assert_eq!(
        eval(&p, c(), "2026-01-09", 0),
        "exempt due 2026-01-19 by standby"
    );
    // a violation from before the standby stays
    let before = c().event(SAMTALE, "2026-01-06", PERSONAL);
    assert_eq!(
        eval(&p, before, "2026-01-09", 0),
        "violated(2026-01-06) due 2026-01-19"
    );
    // one after it violates
    let after = c().event(SAMTALE, "2026-01-12", PERSONAL);
    assert_eq!(
        eval(&p, after, "2026-02-01", 0),
        "violated(2026-01-12) due 2026-01-19"
    );
}

#[test]
fn a_waiver_while_a_period_runs_keeps_an_earlier_violation() {
    let mut b = no_personal_14d();
    b.exemption(
        "leave",
        Effect::Waive,
        &[0],
        ExemptionCondition::While(LEAVE),
        None,
        &[],
    );
    let p = b.policy();
    let c = || Case::new(&b.p, "2026-01-05").leave("2026-01-10", None);
    // violated before the leave began: stays violated
    let early = c().event(SAMTALE, "2026-01-06", PERSONAL);
    assert_eq!(
        eval(&p, early, "2026-01-12", 0),
        "violated(2026-01-06) due 2026-01-19"
    );
    // violated on the leave's first day, or respected: exempt
    let during = c().event(SAMTALE, "2026-01-10", PERSONAL);
    assert_eq!(
        eval(&p, during, "2026-01-12", 0),
        "exempt due 2026-01-19 by leave"
    );
    assert_eq!(
        eval(&p, c(), "2026-01-12", 0),
        "exempt due 2026-01-19 by leave"
    );
}

#[test]
fn the_verifier_refuses_malformed_prohibitions() {
    let refused = |form: Form, counts: &[CountTerm]| {
        let mut b = Builder::new();
        b.rule("bad", form, counts);
        match Policy::from_program(b.p.clone()) {
            Ok(_) => "accepted".to_string(),
            Err(e) => e.to_string(),
        }
    };
    let after = forbid(ForbidWindow::After);
    let one = "a prohibition takes exactly one count of 1 event";
    assert!(refused(after, &[]).contains("requires no events"));
    assert!(refused(after, &[count(SAMTALE, 2)]).contains(one));
    assert!(refused(after, &[count(SAMTALE, 1), count(TILBUD, 1)]).contains(one));
    let negative = forbid(ForbidWindow::Within { len: Dur::Days(-1) });
    assert!(refused(negative, &[count(SAMTALE, 1)]).contains("out of range"));
    let week0 = forbid(ForbidWindow::BeforeWeek { week: 0 });
    assert!(refused(week0, &[count(SAMTALE, 1)]).contains("out of range"));
    // an end that is not one value
    let mut b = Builder::new();
    let end = b.code(&[Op::Const(1), Op::Const(2)]);
    b.rule(
        "bad",
        forbid(ForbidWindow::Between { end }),
        &[count(SAMTALE, 1)],
    );
    let e = Policy::from_program(b.p.clone())
        .err()
        .map(|e| e.to_string());
    assert!(
        e.as_deref().is_some_and(|e| e.contains("window end")),
        "{e:?}"
    );
    assert_eq!(refused(after, &[count(SAMTALE, 1)]), "accepted");
}

#[test]
fn the_listing_names_the_prohibition() {
    let b = no_personal_14d();
    let text = listing(&b.p);
    assert!(
        text.contains("body 0: forbid samtale where filter 0 within 14 days of"),
        "{text}"
    );
    assert!(matches!(
        b.p.rules[0].body[0],
        Body::Require(ref r) if matches!(r.form, Form::Forbid { .. })
    ));
}
