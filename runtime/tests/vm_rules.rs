//! The VM on hand-built programs: one test per rule form, exemption effect
//! and date edge case of the language reference §6–§8, with exact statuses
//! and due dates.

#[path = "vm/builder.rs"]
mod builder;

use builder::*;
use pol_runtime::bytecode::program::{
    AggFunc, AggWindow, Body, Dur, Effect, Effective, ExemptionCondition, Form, Op, Target,
    TargetKind, NONE,
};
use pol_runtime::TargetOutcome;

fn within(len: Dur) -> Builder {
    let mut b = Builder::new();
    b.rule("first_contact", Form::Within { len }, &[count(SAMTALE, 1)]);
    b
}

#[test]
fn within_window_end_is_inclusive() {
    let b = within(Dur::Days(14));
    let p = b.policy();
    let c = || Case::new(&b.p, "2026-03-02");
    assert_eq!(
        eval(&p, c().event(SAMTALE, "2026-03-16", PHONE), "2026-04-01", 0),
        "met(2026-03-16) due 2026-03-16"
    );
    assert_eq!(
        eval(&p, c().event(SAMTALE, "2026-03-17", PHONE), "2026-04-01", 0),
        "met_late(2026-03-17) due 2026-03-16"
    );
    // today == due is not overdue
    assert_eq!(eval(&p, c(), "2026-03-16", 0), "pending due 2026-03-16");
    assert_eq!(eval(&p, c(), "2026-03-17", 0), "overdue due 2026-03-16");
    // events before the anchor and after today never count
    assert_eq!(
        eval(&p, c().event(SAMTALE, "2026-03-01", PHONE), "2026-03-20", 0),
        "overdue due 2026-03-16"
    );
    assert_eq!(
        eval(&p, c().event(SAMTALE, "2026-03-12", PHONE), "2026-03-11", 0),
        "pending due 2026-03-16"
    );
    // an event on the anchor day counts (day 0)
    assert_eq!(
        eval(&p, c().event(SAMTALE, "2026-03-02", PHONE), "2026-03-02", 0),
        "met(2026-03-02) due 2026-03-16"
    );
}

#[test]
fn within_one_month_of_31_january_is_28_february() {
    let b = within(Dur::Months(1));
    let p = b.policy();
    assert_eq!(
        eval(&p, Case::new(&b.p, "2025-01-31"), "2025-02-28", 0),
        "pending due 2025-02-28"
    );
    assert_eq!(
        eval(&p, Case::new(&b.p, "2025-01-31"), "2025-03-01", 0),
        "overdue due 2025-02-28"
    );
}

#[test]
fn within_twelve_months_of_29_february() {
    let b = within(Dur::Months(12));
    let p = b.policy();
    assert_eq!(
        eval(&p, Case::new(&b.p, "2024-02-29"), "2024-06-01", 0),
        "pending due 2025-02-28"
    );
}

#[test]
fn anchor_absent_or_after_today_is_not_applicable() {
    let mut b = Builder::new();
    let req = b.requirement(
        Form::Within { len: Dur::Days(14) },
        &[count(SAMTALE, 1)],
        &[Op::Field(OTHER_START)],
    );
    b.rule_with("r", vec![], None, vec![Body::Require(req)]);
    let p = b.policy();
    assert_eq!(
        eval(&p, Case::new(&b.p, "2026-03-02"), "2026-04-01", 0),
        "not_applicable"
    );
    let c = Case::new(&b.p, "2026-03-02").field(OTHER_START, i64::from(d("2026-05-01")));
    assert_eq!(eval(&p, c, "2026-04-01", 0), "not_applicable");
    let c = Case::new(&b.p, "2026-03-02").field(OTHER_START, i64::from(d("2026-03-01")));
    assert_eq!(eval(&p, c, "2026-04-01", 0), "overdue due 2026-03-15");
}

#[test]
fn before_week_8_with_a_filter() {
    // test "HED-25: sygemeldt uden samtale i uge 9 er overskredet" (§10)
    let mut b = Builder::new();
    let personal = b.personal();
    b.rule(
        "first_contact",
        Form::BeforeWeek { week: 8 },
        &[count_where(SAMTALE, 1, personal)],
    );
    let p = b.policy();
    let c = || Case::new(&b.p, "2026-03-02");
    assert_eq!(
        eval(&p, c().event(SAMTALE, "2026-03-10", PHONE), "2026-05-01", 0),
        "overdue due 2026-04-26"
    );
    assert_eq!(
        eval(
            &p,
            c().event(SAMTALE, "2026-04-26", PERSONAL),
            "2026-05-01",
            0
        ),
        "met(2026-04-26) due 2026-04-26"
    );
}

#[test]
fn several_counts_are_fulfilled_by_the_last_of_them() {
    let mut b = Builder::new();
    b.rule(
        "contact_6m",
        Form::Within {
            len: Dur::Months(6),
        },
        &[count(SAMTALE, 2), count(TILBUD, 1)],
    );
    let p = b.policy();
    let c = || {
        Case::new(&b.p, "2026-01-15")
            .event(SAMTALE, "2026-02-01", PHONE)
            .event(TILBUD, "2026-03-01", 0)
    };
    assert_eq!(eval(&p, c(), "2026-05-01", 0), "pending due 2026-07-15");
    assert_eq!(
        eval(&p, c().event(SAMTALE, "2026-04-01", PHONE), "2026-05-01", 0),
        "met(2026-04-01) due 2026-07-15"
    );
    assert_eq!(
        eval(&p, c().event(SAMTALE, "2026-08-01", PHONE), "2026-08-02", 0),
        "met_late(2026-08-01) due 2026-07-15"
    );
}

#[test]
fn slots_walk_in_due_order() {
    // require 1 samtale every 4 weeks during first 12 weeks of benefit_start
    let mut b = Builder::new();
    b.rule(
        "cadence",
        Form::Slots {
            every: Dur::Days(28),
            first: Dur::Days(84),
        },
        &[count(SAMTALE, 1)],
    );
    let p = b.policy();
    // S = 2026-01-01: slots due 01-29, 02-26, 03-26
    let c = || {
        Case::new(&b.p, "2026-01-01")
            .event(SAMTALE, "2026-01-11", PHONE)
            .event(SAMTALE, "2026-03-02", PHONE)
    };
    assert_eq!(
        eval(&p, c(), "2026-01-20", 0),
        "met(2026-01-11) due 2026-01-29 next 2026-02-26"
    );
    assert_eq!(
        eval(&p, c(), "2026-03-10", 0),
        "met_late(2026-03-02) due 2026-02-26 next 2026-03-26"
    );
    assert_eq!(eval(&p, c(), "2026-03-27", 0), "overdue due 2026-03-26");
    assert_eq!(eval(&p, c(), "2026-02-27", 0), "overdue due 2026-02-26");
    assert_eq!(
        eval(&p, Case::new(&b.p, "2026-01-01"), "2026-01-10", 0),
        "pending due 2026-01-29"
    );
    let all = c().event(SAMTALE, "2026-03-20", PHONE);
    assert_eq!(
        eval(&p, all, "2026-06-01", 0),
        "met(2026-03-20) due 2026-03-26"
    );
}

#[test]
fn slots_are_computed_from_the_anchor_not_by_repeated_addition() {
    let mut b = Builder::new();
    b.rule(
        "monthly",
        Form::Slots {
            every: Dur::Months(1),
            first: Dur::Months(3),
        },
        &[count(SAMTALE, 1)],
    );
    let p = b.policy();
    let c = Case::new(&b.p, "2025-01-31")
        .event(SAMTALE, "2025-02-10", PHONE)
        .event(SAMTALE, "2025-03-30", PHONE);
    // 01-31 + 2 months = 03-31 (repeated addition would give 03-28)
    assert_eq!(
        eval(&p, c, "2025-04-01", 0),
        "met(2025-03-30) due 2025-03-31 next 2025-04-30"
    );
}

#[test]
fn interval_after_a_start_point() {
    // require samtale at most 6 weeks apart after 6 months of benefit_start
    let mut b = Builder::new();
    b.rule(
        "gap",
        Form::Interval {
            gap: Dur::Days(42),
            after: Dur::Months(6),
        },
        &[count(SAMTALE, 1)],
    );
    let p = b.policy();
    let c = || {
        Case::new(&b.p, "2025-01-01")
            .event(SAMTALE, "2025-06-20", PHONE)
            .event(SAMTALE, "2025-07-25", PHONE)
    };
    assert_eq!(eval(&p, c(), "2025-06-30", 0), "not_applicable");
    assert_eq!(
        eval(&p, c(), "2025-08-20", 0),
        "met(2025-07-25) due 2025-08-01 next 2025-09-05"
    );
    assert_eq!(eval(&p, c(), "2025-09-06", 0), "overdue due 2025-09-05");
    // no event in [S, P]: the first is due P + gap
    assert_eq!(
        eval(&p, Case::new(&b.p, "2025-01-01"), "2025-07-10", 0),
        "pending due 2025-08-12"
    );
    let late = Case::new(&b.p, "2025-01-01").event(SAMTALE, "2025-08-20", PHONE);
    assert_eq!(
        eval(&p, late, "2025-08-21", 0),
        "met_late(2025-08-20) due 2025-08-12 next 2025-10-01"
    );
}

#[test]
fn recurring_from_the_last_actual_event() {
    // require vurdering every 6 months from benefit_start
    let mut b = Builder::new();
    b.rule(
        "review",
        Form::Interval {
            gap: Dur::Months(6),
            after: Dur::Days(0),
        },
        &[count(TILBUD, 1)],
    );
    let p = b.policy();
    let c = Case::new(&b.p, "2025-01-31")
        .event(TILBUD, "2025-07-31", 0)
        .event(TILBUD, "2025-08-31", 0);
    assert_eq!(
        eval(&p, c, "2025-09-01", 0),
        "met(2025-08-31) due 2026-01-31 next 2026-02-28"
    );
}

#[test]
fn rolling_reflects_the_current_window() {
    // require 2 samtale per 6 months from benefit_start
    let mut b = Builder::new();
    b.rule(
        "rolling",
        Form::Rolling {
            len: Dur::Months(6),
        },
        &[count(SAMTALE, 2)],
    );
    let p = b.policy();
    let s = || Case::new(&b.p, "2025-01-01");
    assert_eq!(eval(&p, s(), "2025-03-01", 0), "pending due 2025-07-01");
    assert_eq!(
        eval(&p, s().event(SAMTALE, "2025-02-01", PHONE), "2025-07-02", 0),
        "overdue due 2025-07-01"
    );
    let two = || {
        s().event(SAMTALE, "2025-02-01", PHONE)
            .event(SAMTALE, "2025-05-01", PHONE)
    };
    // Before the case has lasted 6 months the obligation is the first
    // window's: 2 events by S + 6 months, met on the second (§6.1).
    assert_eq!(
        eval(&p, two(), "2025-06-01", 0),
        "met(2025-05-01) due 2025-07-01"
    );
    assert_eq!(
        eval(&p, two(), "2025-08-01", 0),
        "met(2025-05-01) due 2025-08-01"
    );
    assert_eq!(eval(&p, two(), "2025-08-02", 0), "overdue due 2025-08-01");
    assert_eq!(
        eval(
            &p,
            two().event(SAMTALE, "2025-09-01", PHONE),
            "2025-09-02",
            0
        ),
        "met(2025-09-01) due 2025-11-01"
    );
}

#[test]
fn calendar_year_judges_this_and_last_year() {
    let mut b = Builder::new();
    b.rule("yearly", Form::CalendarYear, &[count(TILBUD, 1)]);
    let p = b.policy();
    assert_eq!(
        eval(
            &p,
            Case::new(&b.p, "2024-06-01").event(TILBUD, "2024-09-01", 0),
            "2025-03-01",
            0
        ),
        "met(2024-09-01) due 2024-12-31 next 2025-12-31"
    );
    assert_eq!(
        eval(&p, Case::new(&b.p, "2024-06-01"), "2025-03-01", 0),
        "overdue due 2024-12-31"
    );
    // an event before the anchor in the same year does not count
    assert_eq!(
        eval(
            &p,
            Case::new(&b.p, "2024-06-01").event(TILBUD, "2024-05-01", 0),
            "2025-03-01",
            0
        ),
        "overdue due 2024-12-31"
    );
    assert_eq!(
        eval(&p, Case::new(&b.p, "2025-02-01"), "2025-03-01", 0),
        "pending due 2025-12-31"
    );
    assert_eq!(
        eval(
            &p,
            Case::new(&b.p, "2024-06-01")
                .event(TILBUD, "2024-09-01", 0)
                .event(TILBUD, "2025-02-01", 0),
            "2025-03-01",
            0
        ),
        "met(2025-02-01) due 2025-12-31"
    );
}

#[test]
fn branches_groups_when_and_effective_dates() {
    let mut b = Builder::new();
    let syg = b.group(
        "sygemeldte",
        &[Op::Field(BENEFIT), Op::Const(SYGEDAGPENGE), Op::Eq],
        None,
    );
    let r1 = b.requirement(
        Form::Within { len: Dur::Days(14) },
        &[count(SAMTALE, 1)],
        &[Op::Field(START)],
    );
    let r2 = b.requirement(
        Form::Within { len: Dur::Days(28) },
        &[count(SAMTALE, 1)],
        &[Op::Field(START)],
    );
    let cond = b.code(&[Op::Field(FLAG)]);
    b.rule_with(
        "branchy",
        vec![syg],
        None,
        vec![
            Body::Branch {
                cond,
                then: 1,
                otherwise: Some(2),
            },
            Body::Require(r1.clone()),
            Body::Require(r2),
        ],
    );
    let cond2 = b.code(&[Op::Field(FLAG)]);
    b.rule_with(
        "no_else",
        vec![],
        Some(&[Op::Const(1)]),
        vec![
            Body::Branch {
                cond: cond2,
                then: 1,
                otherwise: None,
            },
            Body::Require(r1.clone()),
        ],
    );
    b.rule_with(
        "never",
        vec![],
        Some(&[Op::Const(0)]),
        vec![Body::Require(r1.clone())],
    );
    let late = b.rule_with("later", vec![], None, vec![Body::Require(r1)]);
    b.p.rules[late as usize].effective.from = Some(d("2027-01-01"));
    let p = b.policy();
    let c = |benefit, flag| {
        Case::new(&b.p, "2026-03-02")
            .field(BENEFIT, benefit)
            .field(FLAG, flag)
    };
    assert_eq!(eval(&p, c(DAGPENGE, 1), "2026-03-20", 0), "not_applicable");
    assert_eq!(
        eval(&p, c(SYGEDAGPENGE, 1), "2026-03-20", 0),
        "overdue due 2026-03-16"
    );
    assert_eq!(
        eval(&p, c(SYGEDAGPENGE, 0), "2026-03-20", 0),
        "pending due 2026-03-30"
    );
    assert_eq!(eval(&p, c(DAGPENGE, 0), "2026-03-20", 1), "not_applicable");
    assert_eq!(
        eval(&p, c(DAGPENGE, 1), "2026-03-20", 1),
        "overdue due 2026-03-16"
    );
    assert_eq!(eval(&p, c(DAGPENGE, 1), "2026-03-20", 2), "not_applicable");
    assert_eq!(eval(&p, c(DAGPENGE, 1), "2026-03-20", 3), "not_applicable");
}

fn group_members(b: &Builder, case: Case, today: &str) -> Vec<bool> {
    let p = b.policy();
    let batch = case.batch(&b.p);
    let mut out = p.new_result();
    p.evaluate_case(batch.case(0), d(today), &mut out);
    out.groups
}

#[test]
fn age_counts_on_the_birthday() {
    let mut b = Builder::new();
    b.group(
        "over46",
        &[Op::Today, Op::AgeOn, Op::Const(46), Op::Ge],
        None,
    );
    let c = || Case::new(&b.p, "2026-01-01");
    assert_eq!(group_members(&b, c(), "2026-05-01"), vec![true]);
    assert_eq!(group_members(&b, c(), "2026-04-30"), vec![false]);
}

#[test]
fn priorities_keep_the_lowest_numbered_match() {
    let mut b = Builder::new();
    b.group("a", &[Op::Const(1)], Some(2));
    b.group("b", &[Op::Const(1)], Some(1));
    b.group("c", &[Op::Const(1)], None);
    b.group("d", &[Op::Const(0)], Some(0));
    assert_eq!(
        group_members(&b, Case::new(&b.p, "2026-01-01"), "2026-05-01"),
        vec![false, true, true, false]
    );
}

#[test]
fn expressions_follow_none_semantics_and_aggregates_ignore_the_future() {
    let mut b = Builder::new();
    let personal = b.personal();
    // other_start? <= today
    b.group(
        "present",
        &[Op::Field(OTHER_START), Op::Today, Op::Le],
        None,
    );
    // not (other_start? <= today): a NONE comparison is false, its negation true
    b.group(
        "not_present",
        &[Op::Field(OTHER_START), Op::Today, Op::Le, Op::Not],
        None,
    );
    // count(samtale where form == personal in last 1 months) >= 1
    b.group(
        "recent_personal",
        &[
            Op::Agg {
                func: AggFunc::Count,
                kind: SAMTALE,
                filter: personal,
                window: AggWindow::Last(Dur::Months(1)),
            },
            Op::Const(1),
            Op::Ge,
        ],
        None,
    );
    // sum(tilbud.hours in [benefit_start, benefit_start + 30 days]) == 12.5
    b.group(
        "hours",
        &[
            Op::Field(START),
            Op::Field(START),
            Op::Const(30),
            Op::AddDays,
            Op::Agg {
                func: AggFunc::Sum(0),
                kind: TILBUD,
                filter: u32::MAX,
                window: AggWindow::Range,
            },
            Op::Const(125_000),
            Op::Eq,
        ],
        None,
    );
    // last(samtale) == 2026-04-20 (the 2026-05-10 one is after today)
    b.group(
        "last",
        &[
            Op::Agg {
                func: AggFunc::Last,
                kind: SAMTALE,
                filter: u32::MAX,
                window: AggWindow::All,
            },
            Op::Const(i64::from(d("2026-04-20"))),
            Op::Eq,
        ],
        None,
    );
    let c = Case::new(&b.p, "2026-03-01")
        .event(SAMTALE, "2026-04-20", PERSONAL)
        .event(SAMTALE, "2026-05-10", PERSONAL)
        .event(TILBUD, "2026-03-05", 100_000)
        .event(TILBUD, "2026-03-31", 25_000)
        .event(TILBUD, "2026-04-01", 7);
    assert_eq!(
        group_members(&b, c, "2026-05-01"),
        vec![false, true, true, true, true]
    );
    let c = Case::new(&b.p, "2026-03-01")
        .field(OTHER_START, i64::from(d("2026-04-01")))
        .event(SAMTALE, "2026-03-20", PERSONAL);
    assert_eq!(
        group_members(&b, c, "2026-05-01"),
        vec![true, false, false, false, false]
    );
    assert_ne!(NONE, 0);
}

// ---------------------------------------------------------------------------
// Exemptions (§7)
// ---------------------------------------------------------------------------

#[test]
fn waives_when_and_unless() {
    let mut b = within(Dur::Days(14));
    b.exemption(
        "job_contract",
        Effect::Waive,
        &[0],
        ExemptionCondition::When(pol_runtime::bytecode::program::CodeRef { start: 0, len: 0 }),
        Some(&[Op::Field(OTHER_START), Op::IsPresent]),
        &[],
    );
    let cond = b.code(&[Op::Field(FLAG)]);
    b.p.exemptions[0].condition = ExemptionCondition::When(cond);
    let p = b.policy();
    let c = || Case::new(&b.p, "2026-03-02");
    assert_eq!(
        eval(&p, c().field(FLAG, 1), "2026-03-20", 0),
        "exempt due 2026-03-16 by job_contract"
    );
    assert_eq!(eval(&p, c(), "2026-03-20", 0), "overdue due 2026-03-16");
    assert_eq!(
        eval(
            &p,
            c().field(FLAG, 1).field(OTHER_START, 0),
            "2026-03-20",
            0
        ),
        "overdue due 2026-03-16"
    );
}

#[test]
fn waives_while_is_not_retroactive() {
    let mut b = within(Dur::Days(14));
    b.exemption(
        "leave",
        Effect::Waive,
        &[0],
        ExemptionCondition::While(LEAVE),
        None,
        &[],
    );
    let p = b.policy();
    let c = || Case::new(&b.p, "2026-03-02");
    assert_eq!(
        eval(&p, c().leave("2026-03-10", None), "2026-03-20", 0),
        "exempt due 2026-03-16 by leave"
    );
    // the period began after the due date had passed: stays overdue
    assert_eq!(
        eval(&p, c().leave("2026-03-20", None), "2026-03-25", 0),
        "overdue due 2026-03-16"
    );
    // a period that ended no longer waives
    assert_eq!(
        eval(
            &p,
            c().leave("2026-03-10", Some("2026-03-12")),
            "2026-03-20",
            0
        ),
        "overdue due 2026-03-16"
    );
}

#[test]
fn suspension_spanning_the_deadline_moves_it() {
    let mut b = within(Dur::Days(14));
    b.exemption(
        "standby",
        Effect::Suspend,
        &[0],
        ExemptionCondition::While(STANDBY),
        None,
        &[],
    );
    let p = b.policy();
    // 10 suspended days (03-10..03-19) move the due date 03-16 to 03-26
    let c = || Case::new(&b.p, "2026-03-02").standby("2026-03-10", Some("2026-03-19"));
    assert_eq!(eval(&p, c(), "2026-03-25", 0), "pending due 2026-03-26");
    assert_eq!(eval(&p, c(), "2026-03-27", 0), "overdue due 2026-03-26");
    assert_eq!(
        eval(&p, c().event(SAMTALE, "2026-03-24", PHONE), "2026-03-27", 0),
        "met(2026-03-24) due 2026-03-26"
    );
    // while the period runs: exempt, the clock counted up to today
    assert_eq!(
        eval(&p, c(), "2026-03-15", 0),
        "exempt due 2026-03-22 by standby"
    );
}

#[test]
fn suspension_after_the_deadline_leaves_it_overdue() {
    let mut b = within(Dur::Days(14));
    b.exemption(
        "standby",
        Effect::Suspend,
        &[0],
        ExemptionCondition::While(STANDBY),
        None,
        &[],
    );
    let p = b.policy();
    let c = Case::new(&b.p, "2026-03-02").standby("2026-03-20", None);
    assert_eq!(eval(&p, c, "2026-03-25", 0), "overdue due 2026-03-16");
}

#[test]
fn met_before_a_suspension_stays_met() {
    let mut b = within(Dur::Days(14));
    b.exemption(
        "standby",
        Effect::Suspend,
        &[0],
        ExemptionCondition::While(STANDBY),
        None,
        &[],
    );
    let p = b.policy();
    let c = Case::new(&b.p, "2026-03-02")
        .event(SAMTALE, "2026-03-05", PHONE)
        .standby("2026-03-10", None);
    assert_eq!(
        eval(&p, c, "2026-03-15", 0),
        "met(2026-03-05) due 2026-03-22"
    );
}

#[test]
fn suspension_moves_every_later_slot() {
    let mut b = Builder::new();
    b.rule(
        "cadence",
        Form::Slots {
            every: Dur::Days(28),
            first: Dur::Days(84),
        },
        &[count(SAMTALE, 1)],
    );
    b.exemption(
        "standby",
        Effect::Suspend,
        &[0],
        ExemptionCondition::While(STANDBY),
        None,
        &[],
    );
    let p = b.policy();
    // slot 1 due 01-29 is met; a 7-day period in February moves slot 2 (02-26) to 03-05
    let c = Case::new(&b.p, "2026-01-01")
        .event(SAMTALE, "2026-01-11", PHONE)
        .standby("2026-02-02", Some("2026-02-08"));
    assert_eq!(
        eval(&p, c, "2026-03-01", 0),
        "met(2026-01-11) due 2026-01-29 next 2026-03-05"
    );
}

#[test]
fn overrides_let_only_the_overriding_exemption_act() {
    let mut b = within(Dur::Days(14));
    let standby = b.exemption(
        "standby",
        Effect::Suspend,
        &[0],
        ExemptionCondition::While(STANDBY),
        None,
        &[],
    );
    let cond = b.code(&[Op::Field(FLAG)]);
    b.exemption(
        "short_sickness",
        Effect::Waive,
        &[0],
        ExemptionCondition::When(cond),
        None,
        &[standby],
    );
    let p = b.policy();
    let c = || Case::new(&b.p, "2026-03-02").standby("2026-03-10", Some("2026-03-19"));
    // both apply: the waiver alone takes effect
    assert_eq!(
        eval(&p, c().field(FLAG, 1), "2026-03-15", 0),
        "exempt due 2026-03-16 by short_sickness"
    );
    // only the suspension applies
    assert_eq!(
        eval(&p, c(), "2026-03-15", 0),
        "exempt due 2026-03-22 by standby"
    );
}

#[test]
fn targets_count_satisfy_and_exclude() {
    let mut b = within(Dur::Days(14));
    let cond = b.code(&[Op::Field(FLAG)]);
    b.exemption(
        "waive",
        Effect::Waive,
        &[0],
        ExemptionCondition::When(cond),
        None,
        &[],
    );
    let all = b.group("all", &[Op::Const(1)], None);
    let satisfy = b.code(&[Op::RuleMet(0)]);
    let filter = b.code(&[Op::Field(BENEFIT), Op::Const(DAGPENGE), Op::Eq]);
    let name = b.s("t");
    b.p.targets.push(Target {
        name,
        title: None,
        kind: TargetKind::Share { share: 7_500 },
        group: all,
        filter: Some(filter),
        satisfy,
        rules: vec![0],
        threshold: None,
        effective: Effective::default(),
        citations: vec![],
        span: 0,
    });
    let p = b.policy();
    let outcome = |c: Case| {
        let batch = c.batch(&b.p);
        let mut out = p.new_result();
        p.evaluate_case(batch.case(0), d("2026-04-01"), &mut out);
        out.targets[0]
    };
    let c = || Case::new(&b.p, "2026-03-02");
    assert_eq!(
        outcome(c().event(SAMTALE, "2026-03-20", PHONE)),
        TargetOutcome::Satisfies
    );
    assert_eq!(outcome(c()), TargetOutcome::Fails);
    assert_eq!(outcome(c().field(FLAG, 1)), TargetOutcome::Excluded);
    assert_eq!(
        outcome(c().field(BENEFIT, SYGEDAGPENGE)),
        TargetOutcome::NotCounted
    );
}

#[test]
fn the_result_is_reused_without_leftovers() {
    let b = within(Dur::Days(14));
    let p = b.policy();
    let mut batch = pol_runtime::CaseBatch::new(&b.p.schema);
    batch.push(
        Case::new(&b.p, "2026-03-02")
            .event(SAMTALE, "2026-03-03", PHONE)
            .data,
        0,
    );
    batch.push(Case::new(&b.p, "2026-03-02").data, 0);
    let mut out = p.new_result();
    p.evaluate_case(batch.case(0), d("2026-04-01"), &mut out);
    assert_eq!(out.rules[0].met_on, Some(d("2026-03-03")));
    p.evaluate_case(batch.case(1), d("2026-04-01"), &mut out);
    assert_eq!(out.rules[0].met_on, None);
    assert_eq!(out.rules[0].status, pol_runtime::Status::Overdue);
}

#[test]
fn suspension_moves_the_next_interval_due() {
    let mut b = Builder::new();
    b.rule(
        "gap",
        Form::Interval {
            gap: Dur::Days(42),
            after: Dur::Days(0),
        },
        &[count(SAMTALE, 1)],
    );
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
        Case::new(&b.p, "2026-01-01")
            .event(SAMTALE, "2026-01-10", PHONE)
            .standby("2026-02-01", Some("2026-02-10"))
    };
    // the next due 01-10 + 42 days = 02-21 moves by the 10 suspended days
    assert_eq!(
        eval(&p, c(), "2026-02-25", 0),
        "met(2026-01-10) due 2026-02-22 next 2026-03-03"
    );
    assert_eq!(eval(&p, c(), "2026-03-04", 0), "overdue due 2026-03-03");
}

#[test]
fn slots_with_several_counts_need_every_count_cumulatively() {
    let mut b = Builder::new();
    b.rule(
        "both",
        Form::Slots {
            every: Dur::Days(30),
            first: Dur::Days(60),
        },
        &[count(SAMTALE, 1), count(TILBUD, 1)],
    );
    let p = b.policy();
    let c = Case::new(&b.p, "2026-01-01")
        .event(SAMTALE, "2026-01-05", PHONE)
        .event(SAMTALE, "2026-01-06", PHONE)
        .event(TILBUD, "2026-01-20", 0);
    // slot 1 (due 01-31): met when the tilbud came; slot 2 (due 03-02) needs a second tilbud
    assert_eq!(eval(&p, c, "2026-03-03", 0), "overdue due 2026-03-02");
    let c = Case::new(&b.p, "2026-01-01")
        .event(SAMTALE, "2026-01-05", PHONE)
        .event(SAMTALE, "2026-02-06", PHONE)
        .event(TILBUD, "2026-01-20", 0)
        .event(TILBUD, "2026-02-20", 0);
    assert_eq!(
        eval(&p, c, "2026-03-03", 0),
        "met(2026-02-20) due 2026-03-02"
    );
}
