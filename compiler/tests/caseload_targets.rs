//! Count and average targets over a caseload, end to end: a policy compiled
//! from source, an NDJSON caseload read and evaluated by the runtime's
//! driver, and the aggregate report's figures and table (docs/language.md §8).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use pol_compiler::{check_source, lower_compilation, MemoryLoader};
use pol_runtime::caseload::{evaluate_caseload, EvalOptions, NdjsonReader, ReadOptions};
use pol_runtime::vm::dates::from_naive;
use pol_runtime::Policy;

const POLICY: &str = r#"
policy caseload "Caseload targets"

enum Benefit { dagpenge, sygedagpenge }

case {
  benefit: Benefit
  benefit_start: date
  benefit_end: date?
  hours: decimal = 0
}

event samtale { }

group sygemeldte: benefit == sygedagpenge
group ledige: benefit == dagpenge

target at_most_2 "At most 2 on sygedagpenge":
  at most 2 of sygemeldte

target at_most_1_long:
  at most 1 of sygemeldte where today - benefit_start > 10 weeks

target one_with_samtale:
  at least 1 of ledige satisfy count(samtale) >= 1

target closed_weeks "Closed courses average at most 9.9 weeks":
  average benefit_end - benefit_start of sygemeldte
  at most 9.9 weeks

target hours:
  average hours of ledige
  at least 10

target nobody:
  average benefit_end - benefit_start of ledige
  at most 4 weeks

target by_end_of_2025 "Dated: judged only on 2025-12-31":
  at most 0 of sygemeldte
  effective from 2025-12-31 until 2025-12-31

target from_2026:
  at most 2 of sygemeldte
  effective from 2026-01-01
"#;

// Evaluated on 2026-03-10. Sick: 70 days (closed), 56 days (closed), one
// running course since 2025-12-01 (99 days, no end). Unemployed: 8 and 13
// hours, one samtale.
const CASES: &str = r#"{"id": "s1", "benefit": "sygedagpenge", "benefit_start": "2025-11-03", "benefit_end": "2026-01-12"}
{"id": "s2", "benefit": "sygedagpenge", "benefit_start": "2026-01-05", "benefit_end": "2026-03-02"}
{"id": "s3", "benefit": "sygedagpenge", "benefit_start": "2025-12-01"}
{"id": "l1", "benefit": "dagpenge", "benefit_start": "2026-02-02", "hours": 8.0, "events": [{"kind": "samtale", "date": "2026-02-10"}]}
{"id": "l2", "benefit": "dagpenge", "benefit_start": "2026-02-09", "hours": 13.0}
"#;

#[test]
fn count_and_average_targets_are_measured_over_the_caseload() {
    let mut loader = MemoryLoader::default();
    let c = check_source("caseload.pol", POLICY, &mut loader);
    assert!(!c.has_errors(), "{:?}", c.diagnostics);
    let policy = Policy::from_program(lower_compilation(&c).unwrap()).unwrap();
    let mut reader = NdjsonReader::new(policy.program(), CASES.as_bytes(), ReadOptions::default());
    let today = from_naive(chrono::NaiveDate::from_ymd_opt(2026, 3, 10).unwrap());
    let summary =
        evaluate_caseload(&policy, &mut reader, today, &EvalOptions::default(), None).unwrap();
    assert_eq!(summary.read.cases_ok, 5);
    let report = summary
        .aggregate
        .report(policy.program(), &summary.read, today);
    let t = |name: &str| {
        report
            .targets
            .iter()
            .find(|t| t.target == name)
            .unwrap_or_else(|| panic!("no target {name}"))
    };

    // 3 sick cases, at most 2: not attained
    assert_eq!(t("at_most_2").measure, Some("count"));
    assert_eq!(t("at_most_2").value, Some(3.0));
    assert_eq!(t("at_most_2").attained, Some(false));
    // more than 10 weeks (70 days): s1 (127 days) and s3 (99 days), not s2
    // (64 days) -> 2 > 1
    assert_eq!(t("at_most_1_long").value, Some(2.0));
    assert_eq!(t("at_most_1_long").attained, Some(false));
    // one unemployed case had a samtale
    assert_eq!(t("one_with_samtale").value, Some(1.0));
    assert_eq!(t("one_with_samtale").attained, Some(true));
    // (70 + 56) / 2 = 63 days <= 69.3 days; the running course is excluded
    let closed = t("closed_weeks");
    assert_eq!(closed.measure, Some("average"));
    assert_eq!((closed.numerator, closed.excluded), (2, 1));
    assert_eq!(closed.value, Some(63.0));
    assert_eq!(closed.limit, Some(69.3));
    assert_eq!(closed.bound, Some("at_most"));
    assert_eq!(closed.attained, Some(true));
    // (8 + 13) / 2 = 10.5 >= 10
    assert_eq!(t("hours").value, Some(10.5));
    assert_eq!(t("hours").attained, Some(true));
    // no unemployed case has an end: nothing to average, not measured
    assert_eq!(t("nobody").value, None);
    assert_eq!(t("nobody").attained, None);

    let table = report.render_table();
    let line = |name: &str| {
        table
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("no line for {name} in\n{table}"))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(line("at_most_2 "), "at_most_2 3 3 3 <= 2 no");
    assert_eq!(line("closed_weeks"), "closed_weeks 2 2 63.0 <= 69.3 yes");
    assert_eq!(line("nobody"), "nobody 0 0 - <= 28.0 -");

    // a dated target outside its dates counts no case and is not judged
    // (so it does not fail the run); one inside them is measured as usual
    let out = t("by_end_of_2025");
    assert!(!out.in_effect);
    assert_eq!((out.numerator, out.denominator), (0, 0));
    assert_eq!(out.attained, None);
    assert_eq!(out.value, None);
    assert!(t("from_2026").in_effect);
    assert_eq!(t("from_2026").attained, Some(false));
    assert_eq!(line("by_end_of_2025"), "by_end_of_2025 0 0 - - -");
    assert!(
        table.contains(
            "  by_end_of_2025: not in effect on 2026-03-10 (effective 2025-12-31 .. 2025-12-31)"
        ),
        "{table}"
    );
    let json = serde_json::to_value(&report).unwrap();
    let dated = &json["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["target"] == "by_end_of_2025")
        .unwrap();
    assert_eq!(dated["in_effect"], false);
    assert_eq!(dated["effective"]["from"], "2025-12-31");
    // a target in effect does not carry the flag
    assert!(json["targets"][0].get("in_effect").is_none());
}
