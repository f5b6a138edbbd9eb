//! The slow paths: the program listing, explanations and forecasts.

#[path = "vm/builder.rs"]
mod builder;

use builder::*;
use pol_runtime::bytecode::listing::listing;
use pol_runtime::bytecode::program::{Dur, Effect, ExemptionCondition, Form, Op};
use pol_runtime::vm::dates::format_day;
use pol_runtime::Demand;

fn policy_with_everything() -> Builder {
    let mut b = Builder::new();
    let personal = b.personal();
    b.group(
        "ledige",
        &[Op::Field(BENEFIT), Op::Const(DAGPENGE), Op::Eq],
        Some(1),
    );
    b.rule(
        "first_contact",
        Form::BeforeWeek { week: 8 },
        &[count_where(SAMTALE, 1, personal)],
    );
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
        &[0, 1],
        ExemptionCondition::While(STANDBY),
        None,
        &[],
    );
    b
}

#[test]
fn listing_shows_every_item() {
    insta::assert_snapshot!(listing(&policy_with_everything().p));
}

#[test]
fn explanation_names_windows_events_exemption_and_source() {
    let b = policy_with_everything();
    let p = b.policy();
    let case = Case::new(&b.p, "2026-03-02")
        .event(SAMTALE, "2026-03-10", PHONE)
        .standby("2026-04-20", None);
    let batch = case.batch(&b.p);
    let e = p.explain_case(batch.case(0), d("2026-05-01"));
    insta::assert_json_snapshot!(e);
    // a phone call is no personal meeting; the clock stopped on 2026-04-20
    assert_eq!(e.rules[0].events.len(), 0);
    assert_eq!(
        e.rules[0].exemption.as_ref().map(|x| x.name.as_str()),
        Some("standby")
    );
    assert_eq!(e.rules[0].due.as_deref(), Some("2026-05-08"));
    // the interval rule's last instance was met before the period: it stays met
    assert_eq!(e.rules[1].events.len(), 1);
    assert_eq!(e.rules[1].status, pol_runtime::Status::Met);
    assert_eq!(e.rules[1].next_due.as_deref(), Some("2026-05-03"));
}

fn show(p: &pol_runtime::bytecode::program::Program, ds: &[Demand]) -> Vec<String> {
    ds.iter()
        .map(|x| {
            format!(
                "{} {} x{} {}{}",
                p.strings[p.rules[x.rule as usize].name as usize],
                format_day(x.due),
                x.events,
                p.strings[p.schema.events[x.kind as usize].name as usize],
                if x.overdue { " overdue" } else { "" }
            )
        })
        .collect()
}

#[test]
fn forecast_projects_open_instances_and_chains() {
    let b = policy_with_everything();
    let p = b.policy();
    let case = Case::new(&b.p, "2026-03-02").event(SAMTALE, "2026-03-10", PHONE);
    let batch = case.batch(&b.p);
    let ds = p.forecast_case(batch.case(0), d("2026-04-01"), 100);
    assert_eq!(
        show(p.program(), &ds),
        vec![
            "first_contact 2026-04-26 x1 samtale",
            // gap: previous event 03-10, then a chain every 42 days
            "gap 2026-04-21 x1 samtale",
            "gap 2026-06-02 x1 samtale",
        ]
    );
    let ds = p.forecast_case(batch.case(0), d("2026-05-01"), 45);
    assert_eq!(
        show(p.program(), &ds),
        vec![
            "first_contact 2026-04-26 x1 samtale overdue",
            "gap 2026-04-21 x1 samtale overdue",
            "gap 2026-06-12 x1 samtale",
        ]
    );
}

#[test]
fn forecast_slots_and_calendar_years() {
    let mut b = Builder::new();
    b.rule(
        "cadence",
        Form::Slots {
            every: Dur::Months(1),
            first: Dur::Months(6),
        },
        &[count(SAMTALE, 2)],
    );
    b.rule("yearly", Form::CalendarYear, &[count(TILBUD, 1)]);
    let p = b.policy();
    let case = Case::new(&b.p, "2026-01-15").event(SAMTALE, "2026-02-01", PHONE);
    let batch = case.batch(&b.p);
    let ds = p.forecast_case(batch.case(0), d("2026-02-20"), 60);
    assert_eq!(
        show(p.program(), &ds),
        vec![
            "cadence 2026-02-15 x1 samtale overdue",
            "cadence 2026-03-15 x2 samtale",
            "cadence 2026-04-15 x2 samtale",
        ]
    );
    let ds = p.forecast_case(batch.case(0), d("2026-11-20"), 420);
    let shown = show(p.program(), &ds);
    // every slot of the first 6 months has passed unfulfilled
    assert!(
        shown.contains(&"cadence 2026-07-15 x2 samtale overdue".to_string()),
        "{shown:?}"
    );
    assert!(
        shown.contains(&"yearly 2026-12-31 x1 tilbud".to_string()),
        "{shown:?}"
    );
    assert!(
        shown.contains(&"yearly 2027-12-31 x1 tilbud".to_string()),
        "{shown:?}"
    );
}
