//! Differential test: a reference evaluator over the checked AST
//! (tests/support/reference.rs, written from docs/language.md) must agree
//! with the VM on every case of a generated caseload (tests/support/casegen.rs)
//! for every policy in tests/differential/: group membership, every rule's
//! status, met_on, due, next_due and exemption, and every target outcome.

// test code: a failed unwrap is a failed test (as in tests/cli.rs)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use pol_compiler::check::ir::{Checked, Ty};
use pol_compiler::{check_source, lower_compilation, SourceLoader};
use pol_runtime::bytecode::program::{text_hash, NONE};
use pol_runtime::caseload::batch::OPEN_END;
use pol_runtime::vm::dates::format_day;
use pol_runtime::{CaseBatch, CaseData, CaseResult, Policy, RuleResult, Status};

use support::casegen::generate;
use support::reference::{evaluate, RefResult};

/// Cases per policy (at least 10,000 by the acceptance criterion).
const CASES: usize = 20_000;
const SEED: u64 = 0x5eed_d1ff_2025;
/// Paths of the reference every policy's caseload must take (at least 5 times).
const PATHS: &[&str] = &[
    "anchor absent",
    "anchor after today",
    "not yet started",
    "unless: exemption does not apply",
    "overrides: the overridden exemption is dropped",
    "waive when: exempt",
    "waive while: exempt",
    "waive while: overdue before the period stays overdue",
    "suspend: a due date moved",
    "suspend: exempt while a period runs",
    "suspend: met stays met",
    "suspend: overdue before the period stays overdue",
    "forbid: violated",
    "forbid: met, window open",
    "forbid: met, window closed",
    "forbid: an event in a suspended period does not count",
    "waive while: violation before the period stays violated",
    "suspend: violation stays violated",
    "suspend: open prohibition exempt",
    "target: not in effect",
];

/// Mismatches printed in full.
const SHOW: usize = 8;

struct FsLoader;

impl SourceLoader for FsLoader {
    fn load(&mut self, from: &str, path: &str) -> Result<(String, String), String> {
        let base = Path::new(from).parent().unwrap_or(Path::new("."));
        let full = base.join(path);
        let text = fs::read_to_string(&full).map_err(|e| e.to_string())?;
        Ok((full.to_string_lossy().into_owned(), text))
    }
}

fn policy_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/differential");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pol"))
        .collect();
    files.sort();
    files
}

fn day(d: Option<i32>) -> String {
    d.map_or("-".into(), format_day)
}

fn show_rule(checked: &Checked, r: &RuleResult) -> String {
    let mut s = r.status.as_str().to_string();
    write!(
        s,
        " met_on={} due={} next_due={}",
        day(r.met_on),
        day(r.due),
        day(r.next_due)
    )
    .unwrap();
    if let Some(e) = r.exemption {
        let name = checked
            .exemptions
            .get(e as usize)
            .map_or("?", |x| x.name.as_str());
        write!(s, " exemption={name}").unwrap();
    }
    s
}

fn show_value(checked: &Checked, ty: Ty, v: i64) -> String {
    if v == NONE {
        return "(absent)".into();
    }
    match ty {
        Ty::Date => format_day(v as i32),
        Ty::Bool => (v != 0).to_string(),
        Ty::Decimal | Ty::Percent => format!("{}", v as f64 / 10_000.0),
        Ty::Enum(e) => checked.enums[e].variants[v as usize].clone(),
        Ty::Text => ["nord", "syd", "vest"]
            .into_iter()
            .find(|t| text_hash(t) == v)
            .map_or(format!("text#{v}"), |t| format!("{t:?}")),
        _ => v.to_string(),
    }
}

/// The whole case, readable: fields, periods, events.
fn show_case(checked: &Checked, case: &CaseData, today: i32) -> String {
    let mut s = format!("case {} at {}\n", case.id, format_day(today));
    let mut slot = 0;
    for (i, f) in checked.fields.iter().enumerate() {
        if f.ty == Ty::Periods {
            let ps: Vec<String> = case.periods[slot]
                .iter()
                .map(|&(a, b)| {
                    let end = if b == OPEN_END {
                        String::new()
                    } else {
                        format_day(b)
                    };
                    format!("{} .. {}", format_day(a), end)
                })
                .collect();
            writeln!(s, "  {}: [{}]", f.name, ps.join(", ")).unwrap();
            slot += 1;
        } else {
            writeln!(
                s,
                "  {}: {}",
                f.name,
                show_value(checked, f.ty, case.fields[i])
            )
            .unwrap();
        }
    }
    for (k, ev) in checked.events.iter().enumerate() {
        for (d, vals) in &case.events[k] {
            let fields: Vec<String> = ev
                .fields
                .iter()
                .zip(vals)
                .map(|(f, v)| format!("{}: {}", f.name, show_value(checked, f.ty, *v)))
                .collect();
            writeln!(
                s,
                "  event {} on {} {{ {} }}",
                ev.name,
                format_day(*d),
                fields.join(", ")
            )
            .unwrap();
        }
    }
    s
}

/// Every difference between the VM's and the reference's result, one line each.
fn differences(
    checked: &Checked,
    vm: &CaseResult,
    vm_values: &[i64],
    re: &RefResult,
) -> Vec<String> {
    let mut out = Vec::new();
    for (g, gi) in checked.groups.iter().enumerate() {
        if vm.groups[g] != re.groups[g] {
            out.push(format!(
                "group {}: vm {} / reference {}",
                gi.name, vm.groups[g], re.groups[g]
            ));
        }
    }
    for (r, ri) in checked.rules.iter().enumerate() {
        if vm.rules[r] != re.rules[r] {
            out.push(format!(
                "rule {}:\n      vm        {}\n      reference {}",
                ri.name,
                show_rule(checked, &vm.rules[r]),
                show_rule(checked, &re.rules[r])
            ));
        }
    }
    for (t, ti) in checked.targets.iter().enumerate() {
        if vm.targets[t] != re.targets[t] {
            out.push(format!(
                "target {}: vm {:?} / reference {:?}",
                ti.name, vm.targets[t], re.targets[t]
            ));
        }
        if vm_values[t] != re.target_values[t] {
            out.push(format!(
                "target {} value: vm {} / reference {}",
                ti.name, vm_values[t], re.target_values[t]
            ));
        }
    }
    out
}

#[test]
fn vm_agrees_with_reference_evaluator() {
    let files = policy_files();
    assert!(!files.is_empty(), "no differential policies");
    let mut report = String::new();
    let mut total_mismatches = 0;
    let only = std::env::var("DIFF_ONLY").ok();
    let show = std::env::var("DIFF_SHOW").map_or(SHOW, |s| s.parse().unwrap());
    for path in &files {
        let name = path.to_string_lossy().into_owned();
        let text = fs::read_to_string(path).unwrap();
        let c = check_source(&name, &text, &mut FsLoader);
        assert!(
            !c.has_errors(),
            "{name} does not check: {:?}",
            c.diagnostics
        );
        let checked = &c.checked;
        let program = lower_compilation(&c).unwrap();
        let policy = Policy::from_program(program).unwrap();
        let prog = policy.program();
        // the reference indexes rules and exemptions as the checker does; so must the program
        for (r, rule) in prog.rules.iter().enumerate() {
            assert_eq!(prog.strings[rule.name as usize], checked.rules[r].name);
        }
        for (e, ex) in prog.exemptions.iter().enumerate() {
            assert_eq!(prog.strings[ex.name as usize], checked.exemptions[e].name);
        }

        let cases = generate(checked, &prog.schema, CASES, SEED);
        let mut batch = CaseBatch::new(&prog.schema);
        for g in &cases {
            batch.push(g.data.clone(), 0);
        }
        let mut result = policy.new_result();
        let mut values = Vec::new();
        // coverage: (rule, status) pairs seen, and exemption names behind `exempt`
        let mut seen: BTreeMap<(String, Status), usize> = BTreeMap::new();
        let mut mismatches = 0;
        let mut paths: BTreeMap<&'static str, usize> = BTreeMap::new();
        let mut per_item: BTreeMap<String, usize> = BTreeMap::new();
        for (i, g) in cases.iter().enumerate() {
            policy.evaluate_case(batch.case(i), g.today, &mut result);
            policy.target_values(batch.case(i), g.today, &result, &mut values);
            let re = evaluate(checked, &g.data, g.today);
            for t in &re.trace {
                *paths.entry(*t).or_default() += 1;
            }
            for (r, rr) in re.rules.iter().enumerate() {
                *seen
                    .entry((checked.rules[r].name.clone(), rr.status))
                    .or_default() += 1;
            }
            let mut diffs = differences(checked, &result, &values, &re);
            if let Some(only) = &only {
                // debugging aid: DIFF_ONLY=<rule name> shows that rule's differences alone
                diffs.retain(|d| d.split(':').next().unwrap().ends_with(only.as_str()));
            }
            if diffs.is_empty() {
                continue;
            }
            mismatches += 1;
            for d in &diffs {
                let key = d.split(':').next().unwrap().to_string();
                *per_item.entry(key).or_default() += 1;
            }
            if mismatches <= show {
                writeln!(
                    report,
                    "\n=== {name}: mismatch in {}",
                    show_case(checked, &g.data, g.today)
                )
                .unwrap();
                for d in diffs {
                    writeln!(report, "  - {d}").unwrap();
                }
            }
        }
        // every rule must reach its interesting statuses somewhere in the caseload
        let mut coverage = String::new();
        for rule in &checked.rules {
            let counts: Vec<String> = Status::ALL
                .iter()
                .map(|s| {
                    format!(
                        "{}={}",
                        s.as_str(),
                        seen.get(&(rule.name.clone(), *s)).copied().unwrap_or(0)
                    )
                })
                .collect();
            writeln!(coverage, "  {:<20} {}", rule.name, counts.join(" ")).unwrap();
        }
        for p in PATHS {
            writeln!(
                coverage,
                "  path {:<55} {}",
                p,
                paths.get(p).copied().unwrap_or(0)
            )
            .unwrap();
        }
        println!(
            "{name}: {} cases, {mismatches} mismatching\n{coverage}",
            cases.len()
        );
        // the caseload must exercise every path of the reference it is meant to
        for p in PATHS {
            assert!(
                paths.get(p).copied().unwrap_or(0) >= 5,
                "{name}: path `{p}` hardly exercised\n{coverage}"
            );
        }
        total_mismatches += mismatches;
        if mismatches > 0 {
            writeln!(
                report,
                "{name}: {mismatches} of {} cases differ",
                cases.len()
            )
            .unwrap();
            for (item, n) in &per_item {
                writeln!(report, "  {item}: {n} cases").unwrap();
            }
        }
    }
    assert!(
        total_mismatches == 0,
        "VM and reference disagree:\n{report}"
    );
}
