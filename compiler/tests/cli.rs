//! End-to-end tests of the `pol` binary: every subcommand on the small
//! fixtures in `tests/cli/`, run from that folder so paths in the output are
//! short and stable. Human outputs are snapshots without colour at width 80;
//! every run fixes `--as-of`, so nothing depends on today's date.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fs;

use serde_json::Value;

#[macro_use]
mod cli_support;

use cli_support::*;

// ---------------------------------------------------------------------------
// pol check
// ---------------------------------------------------------------------------

#[test]
fn check_clean_files() {
    let out = run(
        &[
            "check",
            "policy.pol",
            "policy_v2.pol",
            "failing.pol",
            "schema.pol",
        ],
        0,
    );
    assert_eq!(stdout(&out), "0 errors, 0 warnings in 4 files\n");
}

#[test]
fn check_reports_every_error_then_a_summary() {
    let out = run(&["check", "errors.pol"], 1);
    let text = stdout(&out);
    assert!(text.ends_with("4 errors, 0 warnings in 1 file\n"), "{text}");
    snapshot!("check_errors_human", text);
}

#[test]
fn check_warnings_do_not_fail() {
    let out = run(&["check", "warning.pol"], 0);
    let text = stdout(&out);
    assert!(text.contains("W0401"), "{text}");
    assert!(text.ends_with("0 errors, 1 warning in 1 file\n"), "{text}");
    snapshot!("check_warning_human", text);
}

#[test]
fn check_json_lists_located_diagnostics() {
    let out = run(&["check", "--error-format", "json", "errors.pol"], 1);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let list = v.as_array().unwrap();
    assert_eq!(list.len(), 4);
    for d in list {
        assert_eq!(d["file"], "errors.pol");
        assert!(d["line"].as_u64().unwrap() >= 1);
        assert!(d["code"].as_str().unwrap().starts_with('E'));
    }
    json_snapshot!("check_errors_json", v);
}

#[test]
fn check_sarif_is_structurally_valid() {
    let out = run(
        &[
            "check",
            "--error-format",
            "sarif",
            "errors.pol",
            "warning.pol",
        ],
        1,
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["version"], "2.1.0");
    assert!(v["$schema"]
        .as_str()
        .unwrap()
        .contains("sarif-schema-2.1.0"));
    let runs = v["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let driver = &runs[0]["tool"]["driver"];
    assert_eq!(driver["name"], "pol");
    let rules = driver["rules"].as_array().unwrap();
    assert!(rules.iter().any(|r| r["id"] == "E0101"));
    let results = runs[0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 5);
    let levels: Vec<&str> = results
        .iter()
        .map(|r| r["level"].as_str().unwrap())
        .collect();
    assert_eq!(levels.iter().filter(|l| **l == "error").count(), 4);
    assert_eq!(levels.iter().filter(|l| **l == "warning").count(), 1);
    for r in results {
        assert!(r["ruleId"].as_str().unwrap().len() == 5);
        assert!(!r["message"]["text"].as_str().unwrap().is_empty());
        // a ruleIndex, when given, points at the rule of the same id
        if let Some(i) = r["ruleIndex"].as_u64() {
            assert_eq!(rules[i as usize]["id"], r["ruleId"]);
        }
        let locations = r["locations"].as_array().unwrap();
        assert!(!locations.is_empty());
        for l in locations {
            let p = &l["physicalLocation"];
            let uri = p["artifactLocation"]["uri"].as_str().unwrap();
            assert!(uri == "errors.pol" || uri == "warning.pol", "{uri}");
            let region = &p["region"];
            for key in ["startLine", "startColumn", "endLine", "endColumn"] {
                assert!(region[key].as_u64().unwrap() >= 1, "{key} in {region}");
            }
            assert!(region["endLine"].as_u64() >= region["startLine"].as_u64());
        }
    }
}

#[test]
fn check_a_directory_reports_shared_files_once() {
    let out = run(&["check", "."], 1);
    let text = stdout(&out);
    let pol_files = fs::read_dir(fixtures())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "pol")
        })
        .count();
    assert!(
        text.ends_with(&format!("5 errors, 1 warning in {pol_files} files\n")),
        "{text}"
    );
    // schema.pol is imported by every policy but is clean; errors.pol's
    // diagnostics appear once each
    assert_eq!(text.matches("there is no group `ledigee`").count(), 1);
}

#[test]
fn check_has_no_colour_when_piped() {
    // NO_COLOR unset: the output is still a pipe, so plain text
    let out = pol()
        .env_remove("NO_COLOR")
        .args(["check", "errors.pol"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(!out.stdout.contains(&0x1b), "{}", stdout(&out));
    assert!(stdout(&out).contains("E0205"));
}

#[test]
fn check_missing_file_is_unreadable_input() {
    let out = run(&["check", "no_such_file.pol"], 3);
    assert!(stderr(&out).contains("no_such_file.pol"));
}

// ---------------------------------------------------------------------------
// pol fmt
// ---------------------------------------------------------------------------

#[test]
fn fmt_refuses_files_with_syntax_errors() {
    let dir = scratch("fmt_refuses");
    let file = dir.join("syntax_error.pol");
    let original = fs::read_to_string(fixtures().join("syntax_error.pol")).unwrap();
    fs::write(&file, &original).unwrap();
    let out = run(&["fmt", file.to_str().unwrap()], 1);
    assert!(stderr(&out).contains("E0108"), "{}", stderr(&out));
    assert!(stderr(&out).contains("not formatted"));
    assert_eq!(fs::read_to_string(&file).unwrap(), original);
}

#[test]
fn fmt_is_idempotent_and_check_agrees() {
    let dir = scratch("fmt_idempotent");
    for f in ["policy.pol", "schema.pol"] {
        fs::copy(fixtures().join(f), dir.join(f)).unwrap();
    }
    let d = dir.to_str().unwrap();
    run(&["fmt", d], 0);
    let once = fs::read_to_string(dir.join("policy.pol")).unwrap();
    let out = run(&["fmt", "--check", d], 0);
    assert!(stdout(&out).contains("0 files would be reformatted, 2 already formatted"));
    assert_eq!(fs::read_to_string(dir.join("policy.pol")).unwrap(), once);
    // the formatted policy still checks and passes its tests
    run(&["test", d], 0);
}

#[test]
fn fmt_check_lists_files_that_would_change_and_touches_nothing() {
    let dir = scratch("fmt_check");
    let file = dir.join("unformatted.pol");
    fs::copy(fixtures().join("unformatted.pol"), &file).unwrap();
    fs::copy(fixtures().join("schema.pol"), dir.join("schema.pol")).unwrap();
    let before = fs::read_to_string(&file).unwrap();
    let out = run(&["fmt", "--check", dir.to_str().unwrap()], 1);
    let text = stdout(&out);
    assert!(text.contains("would reformat "), "{text}");
    assert!(text.contains("unformatted.pol"), "{text}");
    assert!(
        text.ends_with("1 file would be reformatted, 1 already formatted\n"),
        "{text}"
    );
    assert_eq!(fs::read_to_string(&file).unwrap(), before);
    // rewriting fixes it, and the result checks clean
    run(&["fmt", dir.to_str().unwrap()], 0);
    assert_ne!(fs::read_to_string(&file).unwrap(), before);
    run(&["fmt", "--check", dir.to_str().unwrap()], 0);
    run(&["check", file.to_str().unwrap()], 0);
}

#[test]
fn fixtures_are_in_canonical_layout() {
    run(
        &[
            "fmt",
            "--check",
            "errors.pol",
            "failing.pol",
            "policy.pol",
            "policy_v2.pol",
            "schema.pol",
            "warning.pol",
        ],
        0,
    );
}

// ---------------------------------------------------------------------------
// pol test
// ---------------------------------------------------------------------------

#[test]
fn test_runs_inline_tests() {
    let out = run(&["test", "policy.pol"], 0);
    let text = stdout(&out);
    assert_eq!(text.lines().last(), Some("3 passed, 0 failed"));
    snapshot!("test_pass", text);
}

#[test]
fn test_failure_shows_expected_actual_and_explanation() {
    let out = run(&["test", "failing.pol", "policy.pol"], 1);
    let text = stdout(&out);
    assert_eq!(text.lines().last(), Some("4 passed, 1 failed"));
    assert!(text.contains("expected: first_contact is met due 2026-02-16"));
    assert!(text.contains("actual:   first_contact is met_late(2026-02-20) due 2026-02-16"));
    assert!(text.contains("citation: DEMO-03"));
    snapshot!("test_fail", text);
}

#[test]
fn test_filter_selects_by_name() {
    let out = run(&["test", "failing.pol", "--filter", "passes"], 0);
    let text = stdout(&out);
    assert!(text.contains("1 filtered out\n"));
    assert_eq!(text.lines().last(), Some("1 passed, 0 failed"));
}

#[test]
fn test_of_a_broken_policy_fails() {
    let out = run(&["test", "errors.pol", "policy.pol"], 1);
    assert!(stderr(&out).contains("E0205"));
    let text = stdout(&out);
    assert!(text.contains("1 policy did not compile\n"));
    assert_eq!(text.lines().last(), Some("3 passed, 0 failed"));
}

// ---------------------------------------------------------------------------
// pol build
// ---------------------------------------------------------------------------

#[test]
fn build_writes_an_artifact_that_evaluates_like_the_source() {
    let dir = scratch("build");
    let artifact = dir.join("policy.polc");
    let out = run(
        &[
            "build",
            "policy.pol",
            "-o",
            artifact.to_str().unwrap(),
            "--listing",
        ],
        0,
    );
    assert!(stdout(&out).contains("`ledige`"), "{}", stdout(&out));
    let bytes = fs::read(&artifact).unwrap();
    assert!(bytes.starts_with(b"POLC"));
    let from_source = run(
        &[
            "eval",
            "policy.pol",
            "--caseload",
            "cases.csv",
            "--events",
            "events.csv",
            AS_OF,
        ],
        0,
    );
    let from_artifact = run(
        &[
            "eval",
            artifact.to_str().unwrap(),
            "--caseload",
            "cases.csv",
            "--events",
            "events.csv",
            AS_OF,
        ],
        0,
    );
    assert_eq!(stdout(&from_source), stdout(&from_artifact));
}

#[test]
fn build_of_a_broken_policy_writes_nothing() {
    let dir = scratch("build_broken");
    let artifact = dir.join("errors.polc");
    let out = run(
        &["build", "errors.pol", "-o", artifact.to_str().unwrap()],
        1,
    );
    assert!(stderr(&out).contains("has 4 errors"), "{}", stderr(&out));
    assert!(!artifact.exists());
}

// ---------------------------------------------------------------------------
// pol eval
// ---------------------------------------------------------------------------

#[test]
fn eval_ndjson_writes_results_summary_and_table() {
    let dir = scratch("eval_ndjson");
    let results = dir.join("results.ndjson");
    let summary = dir.join("summary.json");
    // a rejected row and a target below its share: exit 1
    let out = run(
        &[
            "eval",
            "policy.pol",
            "--caseload",
            "cases.ndjson",
            AS_OF,
            "--out",
            results.to_str().unwrap(),
            "--summary",
            summary.to_str().unwrap(),
            "--jobs",
            "2",
        ],
        1,
    );
    let table = stdout(&out);
    assert!(table.starts_with("caseload on 2026-03-10: 5 rows read, 4 evaluated, 1 rejected\n"));
    snapshot!("eval_ndjson_table", table);
    let errors = stderr(&out);
    assert!(errors.contains("cases.ndjson:5"), "{errors}");
    assert!(errors.contains("E0503"));
    // the rejected value is never echoed
    assert!(!errors.contains("kontanthjaelp"), "{errors}");
    snapshot!("eval_ndjson_input_errors", errors);
    let lines = fs::read_to_string(&results).unwrap();
    let ids: Vec<String> = lines
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(ids, ["c1", "c2", "c3", "c4"]);
    snapshot!("eval_ndjson_results", lines);
    let report: Value = serde_json::from_str(&fs::read_to_string(&summary).unwrap()).unwrap();
    let rows = &report["rows"];
    assert_eq!(
        rows["read"].as_u64(),
        Some(rows["evaluated"].as_u64().unwrap() + rows["rejected"].as_u64().unwrap())
    );
    assert_eq!(report["targets"][0]["attained"], false);
    json_snapshot!("eval_ndjson_summary", report);
}

#[test]
fn eval_csv_pair_attains_its_target() {
    let out = run(
        &[
            "eval",
            "policy.pol",
            "--caseload",
            "cases.csv",
            "--events",
            "events.csv",
            AS_OF,
        ],
        0,
    );
    let table = stdout(&out);
    assert!(table.contains("contact_75"));
    snapshot!("eval_csv_table", table);
}

#[test]
fn eval_results_to_stdout_keep_the_table_off_it() {
    let out = run(
        &[
            "eval",
            "policy.pol",
            "--caseload",
            "cases.csv",
            "--events",
            "events.csv",
            AS_OF,
            "--out",
            "-",
        ],
        0,
    );
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 2);
    for line in text.lines() {
        serde_json::from_str::<Value>(line).unwrap();
    }
}

#[test]
fn eval_redacts_ids_in_results_and_errors() {
    let out = run(
        &[
            "eval",
            "policy.pol",
            "--caseload",
            "cases.ndjson",
            AS_OF,
            "--out",
            "-",
            "--redact-ids=secret",
        ],
        1,
    );
    let results = stdout(&out);
    let errors = stderr(&out);
    for id in ["\"c1\"", "\"c2\"", "\"c3\"", "\"c4\""] {
        assert!(!results.contains(id), "{results}");
    }
    assert!(!errors.contains("`c5`"), "{errors}");
    for line in results.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        let id = v["id"].as_str().unwrap();
        assert!(id.starts_with("id-") && id.len() == 19, "{id}");
    }
    // the same key gives the same pseudonyms (joinable by the key holder)
    let again = run(
        &[
            "eval",
            "policy.pol",
            "--caseload",
            "cases.ndjson",
            AS_OF,
            "--out",
            "-",
            "--redact-ids=secret",
        ],
        1,
    );
    assert_eq!(results, stdout(&again));
}

#[test]
fn eval_rejects_unreadable_inputs_with_exit_3() {
    let dir = scratch("eval_bad");
    let out = run(
        &["eval", "policy.pol", "--caseload", "missing.ndjson", AS_OF],
        3,
    );
    assert!(stderr(&out).contains("missing.ndjson"));
    let out = run(
        &["eval", "missing.polc", "--caseload", "cases.ndjson", AS_OF],
        3,
    );
    assert!(stderr(&out).contains("missing.polc"));
    // not an artifact at all
    let junk = dir.join("junk.polc");
    fs::write(&junk, b"hello").unwrap();
    let out = run(
        &[
            "eval",
            junk.to_str().unwrap(),
            "--caseload",
            "cases.ndjson",
            AS_OF,
        ],
        3,
    );
    assert!(stderr(&out).contains("E0601"), "{}", stderr(&out));
    // a real artifact cut short
    let good = dir.join("good.polc");
    run(&["build", "policy.pol", "-o", good.to_str().unwrap()], 0);
    let bytes = fs::read(&good).unwrap();
    let cut = dir.join("cut.polc");
    fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let out = run(
        &[
            "eval",
            cut.to_str().unwrap(),
            "--caseload",
            "cases.ndjson",
            AS_OF,
        ],
        3,
    );
    assert!(stderr(&out).contains("E060"), "{}", stderr(&out));
}

#[test]
fn eval_of_a_policy_with_errors_is_exit_1() {
    let out = run(
        &["eval", "errors.pol", "--caseload", "cases.ndjson", AS_OF],
        1,
    );
    assert!(stderr(&out).contains("pol check"));
}

// ---------------------------------------------------------------------------
// usage
// ---------------------------------------------------------------------------

#[test]
fn usage_errors_are_exit_2() {
    run(&["frobnicate"], 2);
    run(
        &[
            "eval",
            "policy.pol",
            "--caseload",
            "cases.ndjson",
            "--as-of",
            "2026-02-30",
        ],
        2,
    );
    run(&["check"], 2);
}

#[test]
fn help_documents_exit_codes() {
    let out = run(&["--help"], 0);
    let text = stdout(&out);
    for line in [
        "0  success",
        "1  diagnostics with errors",
        "2  usage error",
        "3  unreadable input",
    ] {
        assert!(text.contains(line), "{text}");
    }
}

#[test]
fn eval_judges_targets_by_the_parameters_given() {
    // no value for `niveau`: that target is reported, not judged; the
    // default 40% holds for the other
    let out = run(
        &[
            "eval",
            "params.pol",
            "--caseload",
            "cases.ndjson",
            AS_OF,
            "--weeks=0",
        ],
        1,
    );
    let table = stdout(&out);
    assert!(
        table.contains("not judged, parameter `niveau` not given"),
        "{table}"
    );
    snapshot!("eval_params_missing_table", table);
    // 0.9 × 3 = 2.7: at most 2 of the 3 ledige, so not attained; 30% is
    let out = run(
        &[
            "eval",
            "params.pol",
            "--caseload",
            "cases.ndjson",
            AS_OF,
            "--weeks=0",
            "--param",
            "niveau=3",
            "--param",
            "landsgennemsnit=30%",
            "--summary",
            "-",
        ],
        1,
    );
    let summary: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let targets = &summary["targets"];
    assert_eq!(targets[0]["limit"], 2.7);
    assert_eq!(targets[0]["attained"], false);
    assert_eq!(targets[1]["required_share"], 0.3);
    snapshot!(
        "eval_params_summary_targets",
        serde_json::to_string_pretty(targets).unwrap()
    );
    // an unknown parameter and a malformed value are usage errors
    let out = run(
        &[
            "eval",
            "params.pol",
            "--caseload",
            "cases.ndjson",
            "--param",
            "nivaeu=3",
        ],
        2,
    );
    assert!(stderr(&out)
        .contains("no parameter `nivaeu` (it has: niveau, landsgennemsnit, klynge_varighed)"));
    let out = run(
        &[
            "eval",
            "params.pol",
            "--caseload",
            "cases.ndjson",
            "--param",
            "niveau=3.5",
        ],
        2,
    );
    assert!(stderr(&out).contains("a whole number"), "{}", stderr(&out));
}
