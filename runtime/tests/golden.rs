//! Old bytes still load: `fixtures/golden.polc` was written by an earlier
//! build (from `fixtures/golden.pol`). While the artifact format version is
//! unchanged it must load and evaluate exactly as it did then; once the
//! version changes it must be refused as another version, never misread
//! (then rebuild the fixture with the command in golden.pol).

#![allow(clippy::unwrap_used, clippy::panic)]

use pol_runtime::bytecode::format::FORMAT_VERSION;
use pol_runtime::vm::dates::parse_day;
use pol_runtime::{CaseBatch, CaseData, LoadError, Policy, Status, TargetOutcome};

const GOLDEN: &[u8] = include_bytes!("fixtures/golden.polc");

fn day(s: &str) -> i32 {
    parse_day(s).unwrap()
}

#[test]
fn golden_artifact_loads_and_evaluates_as_when_it_was_built() {
    let written_as = u16::from_le_bytes([GOLDEN[4], GOLDEN[5]]);
    if written_as != FORMAT_VERSION {
        assert!(
            matches!(
                Policy::load(GOLDEN),
                Err(LoadError::UnsupportedVersion { .. })
            ),
            "an artifact of format {written_as} must be refused by format {FORMAT_VERSION}"
        );
        return;
    }
    let policy = Policy::load(GOLDEN).unwrap();
    let p = policy.program();
    let name = |id: u32| p.strings[id as usize].as_str();
    assert_eq!(name(p.meta.name), "golden");
    let rules: Vec<&str> = p.rules.iter().map(|r| name(r.name)).collect();
    assert_eq!(
        rules,
        [
            "first_contact",
            "cadence",
            "sick_first",
            "not_at_once",
            "any_contact"
        ]
    );

    // Schema order: birth_date, benefit (dagpenge, sygedagpenge), benefit_start, standby;
    // events: samtale { form: personal, phone, video }, tilbud.
    let mut batch = CaseBatch::new(&p.schema);
    let mut ledig = CaseData::new(&p.schema, "c1");
    ledig.fields = vec![
        i64::from(day("1990-05-01")),
        0,
        i64::from(day("2026-02-02")),
        0,
    ];
    ledig.events[0].push((day("2026-02-10"), vec![1]));
    ledig.events[1].push((day("2026-02-05"), vec![]));
    batch.push(ledig, 1);
    let mut syg = CaseData::new(&p.schema, "c2");
    syg.fields = vec![
        i64::from(day("1980-05-01")),
        1,
        i64::from(day("2026-01-05")),
        0,
    ];
    syg.events[0].push((day("2026-01-20"), vec![1]));
    batch.push(syg, 2);

    let mut r = policy.new_result();
    policy.evaluate_case(batch.case(0), day("2026-03-01"), &mut r);
    assert_eq!(r.groups, [true, false]);
    assert_eq!(r.rules[0].status, Status::Met);
    assert_eq!(r.rules[0].met_on, Some(day("2026-02-10")));
    assert_eq!(r.rules[0].due, Some(day("2026-02-16")));
    assert_eq!(r.rules[2].status, Status::NotApplicable);
    // the prohibition of format 6: a tilbud on day 3 of 2 weeks
    assert_eq!(r.rules[3].status, Status::Violated);
    assert_eq!(r.rules[3].met_on, Some(day("2026-02-05")));
    assert_eq!(r.rules[3].due, Some(day("2026-02-16")));
    // format 7: a count over two kinds, the window's end `min(S + 1 month,
    // 2026-03-15)`; the tilbud on day 3 is the first contact
    assert_eq!(r.rules[4].status, Status::Met);
    assert_eq!(r.rules[4].met_on, Some(day("2026-02-05")));
    assert_eq!(r.rules[4].due, Some(day("2026-03-02")));
    // a target dated 2026-01-01 .. 2026-03-31 counts the case in March …
    assert_eq!(r.targets[1], TargetOutcome::Satisfies);
    // … and no case in April
    policy.evaluate_case(batch.case(0), day("2026-04-01"), &mut r);
    assert_eq!(r.targets[1], TargetOutcome::NotCounted);

    policy.evaluate_case(batch.case(1), day("2026-03-10"), &mut r);
    assert_eq!(r.groups, [false, true]);
    // before week 8 of 2026-01-05 is due 2026-01-05 + 55 days; only a phone samtale
    assert_eq!(r.rules[2].status, Status::Overdue);
    assert_eq!(r.rules[2].due, Some(day("2026-03-01")));
}
