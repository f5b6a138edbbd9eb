//! The bundled caseloads are what a new user runs first, so they must not
//! make a policy look broken: on its evaluation date every group of every
//! bundled policy has cases and every target a denominator, and no rule is
//! overdue or violated for (almost) every case it applies to. Also: the
//! bundled files are exactly what the documented commands write.

// test helpers may unwrap: a failure is the test's report
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use pol_examples::compile::compile_policy;
use pol_examples::gen::{GenOptions, Generator};
use pol_runtime::caseload::{CaseBatch, CaseReader, NdjsonReader, ReadOptions};
use pol_runtime::vm::dates::parse_day;
use pol_runtime::{Policy, Status, TargetOutcome};

/// Each bundled caseload: policy, seed and evaluation date, as in the
/// commands of `examples/README.md`.
const BUNDLED: &[(&str, u64, &str)] = &[
    ("000_workshop_2025", 2025, "2025-09-30"),
    ("001_hedensted_2023", 2023, "2023-10-02"),
    ("002_ministry_2018", 2018, "2019-06-28"),
    ("003_alleroed_2022", 2022, "2022-12-31"),
    ("004_gladsaxe_2012", 2012, "2013-06-28"),
];

/// A rule judged for at least this many cases must not be overdue or
/// violated for more than `MAX_BAD` of them.
const MIN_JUDGED: u64 = 10;
const MAX_BAD: f64 = 0.90;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn policy(name: &str) -> Policy {
    let path = repo().join("policies").join(format!("{name}.pol"));
    compile_policy(&path).unwrap_or_else(|e| panic!("{e}"))
}

/// Per group its cases; per rule (judged, overdue or violated); per target
/// its denominator.
struct Tally {
    groups: Vec<u64>,
    rules: Vec<(u64, u64)>,
    targets: Vec<u64>,
}

fn tally(p: &Policy, ndjson: &[u8], today: i32) -> Tally {
    let prog = p.program();
    let mut t = Tally {
        groups: vec![0; prog.groups.len()],
        rules: vec![(0, 0); prog.rules.len()],
        targets: vec![0; prog.targets.len()],
    };
    let mut reader = NdjsonReader::new(prog, ndjson, ReadOptions::default());
    let mut batch = CaseBatch::new(&prog.schema);
    let mut result = p.new_result();
    while reader.read_chunk(&mut batch, 1024).unwrap() > 0 {
        for i in 0..batch.len() {
            p.evaluate_case(batch.case(i), today, &mut result);
            for (n, in_group) in t.groups.iter_mut().zip(&result.groups) {
                *n += u64::from(*in_group);
            }
            for (n, r) in t.rules.iter_mut().zip(&result.rules) {
                if !matches!(r.status, Status::NotApplicable | Status::Exempt) {
                    n.0 += 1;
                }
                if matches!(r.status, Status::Overdue | Status::Violated) {
                    n.1 += 1;
                }
            }
            for (n, o) in t.targets.iter_mut().zip(&result.targets) {
                *n += u64::from(matches!(o, TargetOutcome::Fails | TargetOutcome::Satisfies));
            }
        }
    }
    t
}

fn bundled(name: &str) -> Vec<u8> {
    let file = repo()
        .join("examples")
        .join("caseloads")
        .join(format!("{name}.ndjson"));
    std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

fn name_of(p: &Policy, id: u32) -> &str {
    p.program().strings[id as usize].as_str()
}

/// The problems `tally` shows: empty groups, and empty denominators of the
/// targets in effect on `today` (one dated later is not judged yet).
fn empty(p: &Policy, t: &Tally, today: i32) -> Vec<String> {
    let prog = p.program();
    let mut out = Vec::new();
    for (g, n) in prog.groups.iter().zip(&t.groups) {
        if *n == 0 {
            out.push(format!("group {} has no cases", name_of(p, g.name)));
        }
    }
    for (x, n) in prog.targets.iter().zip(&t.targets) {
        if *n == 0 && x.effective.contains(today) {
            out.push(format!(
                "target {} has an empty denominator",
                name_of(p, x.name)
            ));
        }
    }
    out
}

/// Rules overdue or violated for more than `MAX_BAD` of the cases judged.
fn hopeless(p: &Policy, t: &Tally) -> Vec<String> {
    let prog = p.program();
    let mut out = Vec::new();
    for (r, (judged, bad)) in prog.rules.iter().zip(&t.rules) {
        if *judged >= MIN_JUDGED && *bad as f64 > MAX_BAD * *judged as f64 {
            out.push(format!(
                "rule {}: overdue or violated for {bad} of {judged} cases",
                name_of(p, r.name)
            ));
        }
    }
    out
}

#[test]
fn every_group_and_target_has_cases_on_the_bundled_caseloads() {
    let mut problems = Vec::new();
    for (name, _, as_of) in BUNDLED {
        let p = policy(name);
        let today = parse_day(as_of).unwrap();
        let t = tally(&p, &bundled(name), today);
        problems.extend(
            empty(&p, &t, today)
                .into_iter()
                .map(|m| format!("{name}: {m}")),
        );
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn no_rule_is_overdue_or_violated_almost_everywhere_on_the_bundled_caseloads() {
    let mut problems = Vec::new();
    for (name, _, as_of) in BUNDLED {
        let p = policy(name);
        let t = tally(&p, &bundled(name), parse_day(as_of).unwrap());
        problems.extend(hopeless(&p, &t).into_iter().map(|m| format!("{name}: {m}")));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The checks can fail: a caseload with no events at all leaves every
/// samtale rule overdue, and one of a single case leaves groups empty.
#[test]
fn the_checks_see_a_broken_caseload() {
    let (name, _, as_of) = BUNDLED[1];
    let p = policy(name);
    let text = String::from_utf8(bundled(name)).unwrap();
    // every case's events dropped: `"events":[…]` is the last key of a line
    let no_events: String = text
        .lines()
        .map(|l| match l.find(",\"events\":[") {
            Some(i) => format!("{}}}\n", &l[..i]),
            None => format!("{l}\n"),
        })
        .collect();
    let t = tally(&p, no_events.as_bytes(), parse_day(as_of).unwrap());
    assert!(!hopeless(&p, &t).is_empty());
    let one_case = format!("{}\n", text.lines().next().unwrap());
    let today = parse_day(as_of).unwrap();
    let t = tally(&p, one_case.as_bytes(), today);
    assert!(!empty(&p, &t, today).is_empty());
}

/// `examples/README.md`'s commands write exactly the bundled files: a
/// generator or policy change that moves them must regenerate them.
#[test]
fn bundled_caseloads_regenerate_byte_identically() {
    for (name, seed, as_of) in BUNDLED {
        let p = policy(name);
        let opts = GenOptions {
            cases: 1000,
            seed: *seed,
            as_of: parse_day(as_of).unwrap(),
        };
        let mut out = Vec::new();
        Generator::new(p.program(), opts).ndjson(&mut out).unwrap();
        assert!(
            out == bundled(name),
            "{name}: examples/caseloads/{name}.ndjson is not what the documented command writes; regenerate it (examples/README.md)"
        );
    }
    // the CSV pair (Hedensted's, `--format csv`)
    let (name, seed, as_of) = ("001_hedensted_2023", 2023, "2023-10-02");
    let opts = GenOptions {
        cases: 1000,
        seed,
        as_of: parse_day(as_of).unwrap(),
    };
    let (mut cases, mut events) = (Vec::new(), Vec::new());
    Generator::new(policy(name).program(), opts)
        .csv(&mut cases, &mut events)
        .unwrap();
    for (what, made) in [("cases", cases), ("events", events)] {
        let file = repo()
            .join("examples/caseloads")
            .join(format!("{name}.{what}.csv"));
        let have = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        assert!(
            made == have,
            "{}: not what the documented command writes; regenerate it (examples/README.md)",
            file.display()
        );
    }
}
