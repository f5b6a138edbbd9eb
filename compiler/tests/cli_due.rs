//! End-to-end tests of `pol due` on `tests/cli/due.pol` and
//! `due_cases.ndjson`: one case for each state a due list shows (overdue,
//! due, next due, open), one exempt, and one rejected row.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fs;

use serde_json::Value;

#[macro_use]
mod cli_support;

use cli_support::*;

const DUE: [&str; 6] = [
    "due",
    "due.pol",
    "--caseload",
    "due_cases.ndjson",
    "--days",
    "21",
];

fn due(extra: &[&str], code: i32) -> std::process::Output {
    run(&[&DUE[..], extra, &[AS_OF]].concat(), code)
}

#[test]
fn due_list_in_date_order() {
    // exit 1: one row is rejected, and reported on stderr by line
    let out = due(&[], 1);
    snapshot!("due_human", stdout(&out));
    assert!(
        stderr(&out).contains("due_cases.ndjson:6"),
        "{}",
        stderr(&out)
    );
    // the exempt case (standby) has nothing due
    assert!(!stdout(&out).contains("d5"));
}

#[test]
fn due_list_as_csv_and_json() {
    let csv = due(&["--format", "csv"], 1);
    snapshot!("due_csv", stdout(&csv));
    let json = due(&["--format", "json"], 1);
    let v: Value = serde_json::from_slice(&json.stdout).unwrap();
    let items = v["items"].as_array().unwrap();
    assert_eq!(
        (
            v["days"].as_u64(),
            v["cases"].as_u64(),
            v["rejected"].as_u64()
        ),
        (Some(21), Some(5), Some(1))
    );
    for (state, n) in [("overdue", 2), ("due", 2), ("next_due", 1), ("open", 2)] {
        assert_eq!(v[state], n, "{state}");
        assert_eq!(
            items.iter().filter(|i| i["state"] == state).count(),
            n,
            "{state}"
        );
    }
    // the CSV has the JSON's rows, in the same order
    let lines: Vec<&str> = std::str::from_utf8(&csv.stdout)
        .unwrap()
        .lines()
        .skip(1)
        .collect();
    assert_eq!(lines.len(), items.len());
    for (line, item) in lines.iter().zip(items) {
        let start = format!(
            "{};{};",
            item["case"].as_str().unwrap(),
            item["rule"].as_str().unwrap()
        );
        assert!(line.starts_with(&start), "{line} against {item}");
    }
    // overdue first, then by due date, open ones (no date) last
    let days: Vec<Option<i64>> = items.iter().map(|i| i["days"].as_i64()).collect();
    let dated: Vec<i64> = days.iter().map_while(|d| *d).collect();
    assert!(dated.windows(2).all(|w| w[0] <= w[1]), "{days:?}");
    assert!(days[dated.len()..].iter().all(Option::is_none), "{days:?}");
    for i in items {
        let d = i["days"].as_i64();
        match i["state"].as_str().unwrap() {
            "overdue" => assert!(d.unwrap() < 0),
            "due" | "next_due" => assert!((0..=21).contains(&d.unwrap())),
            "open" => assert_eq!(d, None),
            other => panic!("state {other}"),
        }
        assert!(!i["needs"].as_array().unwrap().is_empty(), "{i}");
    }
}

#[test]
fn the_horizon_decides_what_is_due() {
    let v = |days: &str| -> Value {
        let out = run(
            &[
                "due",
                "due.pol",
                "--caseload",
                "due_cases.ndjson",
                "--days",
                days,
                "--format",
                "json",
                AS_OF,
            ],
            1,
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    // within 5 days only d1's first contact comes due; overdue and open
    // obligations are listed whatever the horizon
    let short = v("5");
    assert_eq!(
        (
            short["overdue"].as_u64(),
            short["due"].as_u64(),
            short["next_due"].as_u64(),
            short["open"].as_u64()
        ),
        (Some(2), Some(1), Some(0), Some(2))
    );
    let none = v("0");
    assert_eq!(none["due"], 0);
}

#[test]
fn due_list_of_chosen_rules_to_a_file() {
    let dir = scratch("due_rules");
    let path = dir.join("due.csv");
    let out = due(
        &[
            "--rule",
            "cadence",
            "--rule",
            "offer",
            "--format",
            "csv",
            "--out",
            path.to_str().unwrap(),
        ],
        1,
    );
    assert_eq!(stdout(&out), "");
    let text = fs::read_to_string(&path).unwrap();
    let rules: Vec<&str> = text
        .lines()
        .skip(1)
        .map(|r| r.split(';').nth(1).unwrap())
        .collect();
    assert_eq!(
        rules,
        ["cadence", "cadence", "cadence", "offer", "offer"],
        "{text}"
    );
}

#[test]
fn due_list_with_pseudonyms() {
    let out = due(&["--redact-ids=k1", "--format", "csv"], 1);
    let text = stdout(&out);
    let ids: Vec<&str> = text
        .lines()
        .skip(1)
        .map(|l| l.split(';').next().unwrap())
        .collect();
    assert_eq!(ids.len(), 7);
    for id in &ids {
        assert!(id.starts_with("id-"), "{id}");
    }
    for real in ["d1", "d2", "d3", "d4", "d6"] {
        assert!(!ids.contains(&real), "{real} in {text}");
        assert!(
            !stderr(&out).contains(&format!("`{real}`")),
            "{}",
            stderr(&out)
        );
    }
    // the same key gives the same pseudonyms (lists can be joined)
    assert_eq!(
        stdout(&due(&["--redact-ids=k1", "--format", "csv"], 1)),
        text
    );
}

#[test]
fn due_list_names_the_rules_when_one_is_unknown() {
    let out = due(&["--rule", "kadence"], 2);
    snapshot!("due_unknown_rule", stderr(&out));
}
