//! End-to-end tests of `pol explain`, `pol forecast` and `pol diff` on the
//! fixtures in `tests/cli/` (the other commands' are in `cli.rs`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::Value;

#[macro_use]
mod cli_support;

use cli_support::*;

// ---------------------------------------------------------------------------
// pol explain
// ---------------------------------------------------------------------------

#[test]
fn explain_a_case_in_words() {
    let out = run(
        &[
            "explain",
            "policy.pol",
            "--caseload",
            "cases.ndjson",
            "--case",
            "c4",
            AS_OF,
        ],
        0,
    );
    let text = stdout(&out);
    assert!(text.contains("exemption `standby`"));
    assert!(text.contains("citation: DEMO-03"));
    snapshot!("explain_case_human", text);
}

#[test]
fn explain_a_prohibition_names_the_forbidden_events() {
    let args = |case| {
        [
            "explain",
            "forbid.pol",
            "--caseload",
            "due_cases.ndjson",
            "--case",
            case,
            AS_OF,
        ]
    };
    // d2's samtale on 2026-01-10 was by phone, inside the six months
    let text = stdout(&run(&args("d2"), 0));
    assert!(text.contains("violated(2026-01-10)"), "{text}");
    assert!(
        text.contains("forbidden events: samtale 2026-01-10"),
        "{text}"
    );
    snapshot!("explain_prohibition_human", text);
    // d3's only samtale was in person, its offer after the first week
    let text = stdout(&run(&args("d3"), 0));
    assert!(!text.contains("violated"), "{text}");
    assert_eq!(text.matches("forbidden events: none").count(), 2, "{text}");
}

#[test]
fn explain_a_case_as_json() {
    let out = run(
        &[
            "explain",
            "policy.pol",
            "--caseload",
            "cases.csv",
            "--events",
            "events.csv",
            "--case",
            "c1",
            AS_OF,
            "--format",
            "json",
        ],
        0,
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["id"], "c1");
    assert_eq!(v["today"], "2026-03-10");
    json_snapshot!("explain_case_json", v);
}

#[test]
fn explain_missing_or_rejected_cases() {
    let out = run(
        &[
            "explain",
            "policy.pol",
            "--caseload",
            "cases.ndjson",
            "--case",
            "nobody",
            AS_OF,
        ],
        3,
    );
    assert!(stderr(&out).contains("no case `nobody`"));
    let out = run(
        &[
            "explain",
            "policy.pol",
            "--caseload",
            "cases.ndjson",
            "--case",
            "c5",
            AS_OF,
        ],
        1,
    );
    assert!(stderr(&out).contains("E0503"));
    assert!(stderr(&out).contains("was rejected"));
    // a case needs both options
    run(&["explain", "policy.pol", "--case", "c1"], 2);
}

#[test]
fn explain_a_code() {
    let out = run(&["explain", "E0101"], 0);
    assert!(stdout(&out).contains("E0101"));
    let lower = run(&["explain", "e0101"], 0);
    assert_eq!(stdout(&out), stdout(&lower));
    let out = run(&["explain", "E0312"], 0);
    assert!(stdout(&out).starts_with("# E0312"), "{}", stdout(&out));
    let out = run(&["explain", "E9999"], 2);
    assert!(stderr(&out).contains("E9999"));
}

/// The runtime's codes (case input, artifact loading) have pages too.
#[test]
fn explain_a_runtime_code() {
    let out = run(&["explain", "E0503"], 0);
    assert!(
        stdout(&out).starts_with("# E0503: unknown enum value"),
        "{}",
        stdout(&out)
    );
    let out = run(&["explain", "e0603"], 0);
    assert!(
        stdout(&out).starts_with("# E0603: bytes after the end of the policy file"),
        "{}",
        stdout(&out)
    );
    run(&["explain", "W0501"], 0);
}

// ---------------------------------------------------------------------------
// pol forecast and pol diff
// ---------------------------------------------------------------------------

#[test]
fn forecast_by_week_rule_and_kind() {
    let out = run(
        &[
            "forecast",
            "policy.pol",
            "--caseload",
            "cases.ndjson",
            "--weeks",
            "4",
            AS_OF,
        ],
        1,
    );
    snapshot!("forecast_human", stdout(&out));
    let out = run(
        &[
            "forecast",
            "policy.pol",
            "--caseload",
            "cases.csv",
            "--events",
            "events.csv",
            "--weeks",
            "8",
            AS_OF,
            "--format",
            "json",
        ],
        0,
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let total: u64 = v["totals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["events"].as_u64().unwrap())
        .sum();
    let rows: u64 = v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["events"].as_u64().unwrap())
        .sum();
    assert_eq!(total, rows);
    json_snapshot!("forecast_json", v);
}

#[test]
fn diff_names_changed_cases_rules_and_workload() {
    let out = run(
        &[
            "diff",
            "policy.pol",
            "policy_v2.pol",
            "--caseload",
            "cases.ndjson",
            AS_OF,
        ],
        1,
    );
    let text = stdout(&out);
    assert!(text.contains("4 cases compared, 3 change"), "{text}");
    snapshot!("diff_human", text);
    let out = run(
        &[
            "diff",
            "policy.pol",
            "policy_v2.pol",
            "--caseload",
            "cases.csv",
            "--events",
            "events.csv",
            AS_OF,
            "--format",
            "json",
            "--examples",
            "1",
        ],
        0,
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["examples"].as_array().unwrap().len(), 1);
    json_snapshot!("diff_json", v);
    // added rules change only the cases they apply to
    let out = run(
        &[
            "diff",
            "failing.pol",
            "policy.pol",
            "--caseload",
            "cases.csv",
            "--events",
            "events.csv",
            AS_OF,
            "--format",
            "json",
        ],
        0,
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["rules_only_in_new"],
        serde_json::json!(["cadence", "sick_first"])
    );
    assert_eq!(v["changed_cases"], 2);
    for r in v["rules"].as_array().unwrap() {
        assert_eq!(r["cases"], 1, "{r}");
    }
    // a policy against itself changes nothing
    let out = run(
        &[
            "diff",
            "policy.pol",
            "policy.pol",
            "--caseload",
            "cases.csv",
            AS_OF,
            "--format",
            "json",
        ],
        0,
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["changed_cases"], 0);
}
