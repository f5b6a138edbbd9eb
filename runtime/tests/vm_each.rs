//! The VM on hand-built programs: the per-event forms (`within … of each`,
//! `after each`) and obligations without a due date (`after S`), with exact
//! statuses and due dates (language reference §6.1, A18).

#[path = "vm/builder.rs"]
mod builder;

use builder::*;
use pol_runtime::bytecode::program::{Dur, Effect, ExemptionCondition, Form};

/// `require 1 samtale within 14 days of each tilbud` (§6.1 per-event).
fn each_tilbud(len: Option<Dur>) -> Builder {
    let mut b = Builder::new();
    b.rule(
        "after_each_offer",
        Form::Each {
            kind: TILBUD,
            filter: u32::MAX,
            len,
        },
        &[count(SAMTALE, 1)],
    );
    b
}

#[test]
fn each_trigger_gets_its_own_deadline() {
    let b = each_tilbud(Some(Dur::Days(14)));
    let p = b.policy();
    let c = || Case::new(&b.p, "2026-01-05");
    // no trigger yet: nothing is owed
    assert_eq!(eval(&p, c(), "2026-04-01", 0), "not_applicable");
    // one offer, no samtale: due 14 days after the offer
    let one = || c().event(TILBUD, "2026-02-02", 0);
    assert_eq!(eval(&p, one(), "2026-02-16", 0), "pending due 2026-02-16");
    assert_eq!(eval(&p, one(), "2026-02-17", 0), "overdue due 2026-02-16");
    // a samtale on the trigger's own day counts; one before it does not
    assert_eq!(
        eval(
            &p,
            one().event(SAMTALE, "2026-02-02", PHONE),
            "2026-03-01",
            0
        ),
        "met(2026-02-02) due 2026-02-16"
    );
    assert_eq!(
        eval(
            &p,
            one().event(SAMTALE, "2026-02-01", PHONE),
            "2026-03-01",
            0
        ),
        "overdue due 2026-02-16"
    );
    // the first offer answered, the second still open and not yet due
    let two = || {
        one()
            .event(SAMTALE, "2026-02-10", PHONE)
            .event(TILBUD, "2026-03-02", 0)
    };
    assert_eq!(
        eval(&p, two(), "2026-03-05", 0),
        "met(2026-02-10) due 2026-02-16 next 2026-03-16"
    );
    // ... and once its deadline passed, the rule is overdue for it
    assert_eq!(eval(&p, two(), "2026-03-17", 0), "overdue due 2026-03-16");
    // one late samtale answers both offers: the first late, the second on time
    let late = || {
        c().event(TILBUD, "2026-02-02", 0)
            .event(TILBUD, "2026-02-20", 0)
            .event(SAMTALE, "2026-02-25", PHONE)
    };
    assert_eq!(
        eval(&p, late(), "2026-03-30", 0),
        "met(2026-02-25) due 2026-03-06"
    );
}

#[test]
fn each_counts_several_events_after_every_trigger() {
    let mut b = Builder::new();
    b.rule(
        "two_after_each",
        Form::Each {
            kind: TILBUD,
            filter: u32::MAX,
            len: Some(Dur::Days(30)),
        },
        &[count(SAMTALE, 2)],
    );
    let p = b.policy();
    // samtaler 02-05 and 02-20 answer the 02-01 offer (on 02-20); the
    // 02-10 offer has only the 02-20 one and one on 03-20 (late: due 03-12)
    let c = Case::new(&b.p, "2026-01-05")
        .event(TILBUD, "2026-02-01", 0)
        .event(TILBUD, "2026-02-10", 0)
        .event(SAMTALE, "2026-02-05", PHONE)
        .event(SAMTALE, "2026-02-20", PHONE)
        .event(SAMTALE, "2026-03-20", PHONE);
    assert_eq!(
        eval(&p, c, "2026-04-01", 0),
        "met_late(2026-03-20) due 2026-03-12"
    );
}

#[test]
fn each_without_a_deadline_is_pending_never_overdue() {
    let b = each_tilbud(None);
    let p = b.policy();
    let c = || Case::new(&b.p, "2026-01-05").event(TILBUD, "2026-02-02", 0);
    assert_eq!(eval(&p, c(), "2027-06-01", 0), "pending");
    assert_eq!(
        eval(&p, c().event(SAMTALE, "2026-05-01", PHONE), "2027-06-01", 0),
        "met(2026-05-01)"
    );
    // a later request still open: pending again, whatever was answered before
    assert_eq!(
        eval(
            &p,
            c().event(SAMTALE, "2026-05-01", PHONE)
                .event(TILBUD, "2026-06-01", 0),
            "2027-06-01",
            0
        ),
        "pending"
    );
}

#[test]
fn after_an_anchor_has_no_due_date() {
    let mut b = Builder::new();
    b.rule("open", Form::After, &[count(SAMTALE, 1)]);
    let p = b.policy();
    let c = || Case::new(&b.p, "2026-01-05");
    assert_eq!(eval(&p, c(), "2030-01-01", 0), "pending");
    assert_eq!(
        eval(&p, c().event(SAMTALE, "2026-01-04", PHONE), "2030-01-01", 0),
        "pending"
    );
    assert_eq!(
        eval(&p, c().event(SAMTALE, "2029-01-04", PHONE), "2030-01-01", 0),
        "met(2029-01-04)"
    );
}

#[test]
fn each_deadline_moves_with_a_suspension_counted_from_its_trigger() {
    let mut b = each_tilbud(Some(Dur::Days(14)));
    b.exemption(
        "standby",
        Effect::Suspend,
        &[0],
        ExemptionCondition::While(STANDBY),
        None,
        &[],
    );
    let p = b.policy();
    // standby 02-05..02-09 (5 days) after the 02-02 offer: due 02-16 + 5
    let c = || {
        Case::new(&b.p, "2026-01-05")
            .event(TILBUD, "2026-02-02", 0)
            .standby("2026-02-05", Some("2026-02-09"))
    };
    assert_eq!(eval(&p, c(), "2026-02-20", 0), "pending due 2026-02-21");
    assert_eq!(eval(&p, c(), "2026-02-22", 0), "overdue due 2026-02-21");
    // a standby before the offer moves nothing
    let before = Case::new(&b.p, "2026-01-05")
        .event(TILBUD, "2026-02-02", 0)
        .standby("2026-01-10", Some("2026-01-20"));
    assert_eq!(eval(&p, before, "2026-02-17", 0), "overdue due 2026-02-16");
}
