//! The hand-written evaluator of `ten_rules.pol` agrees with the VM on every
//! case of a generated caseload, so the bench compares equal work.

use std::collections::BTreeSet;

use pol_benches::ten_rules::{generate, HandEval};
use pol_benches::{compile, ten_rules_path, today, SEED};
use pol_runtime::Status;

#[test]
fn hand_written_evaluator_agrees_with_the_vm_on_every_case() {
    let policy = compile(&ten_rules_path()).unwrap();
    let hand = HandEval::new(policy.program()).unwrap();
    let today = today().unwrap();
    let batch = generate(policy.program(), 20_000, SEED, today).unwrap();
    let mut vm = policy.new_result();
    let mut hw = hand.new_result();
    let mut seen = BTreeSet::new();
    // the caseload's own date, and dates before and after it
    for day in [today, today - 45, today + 120] {
        for i in 0..batch.len() {
            let case = batch.case(i);
            policy.evaluate_case(case, day, &mut vm);
            hand.evaluate(case, day, &mut hw);
            assert_eq!(vm, hw, "case {} on day {day}", case.id());
            seen.extend(vm.rules.iter().map(|r| r.status));
        }
    }
    // every status occurs, so no branch of the comparison is vacuous
    // (`violated` is a prohibition's, and ten_rules.pol has none)
    for s in Status::ALL.into_iter().filter(|s| *s != Status::Violated) {
        assert!(seen.contains(&s), "no case is {}", s.as_str());
    }
}

#[test]
fn generated_cases_have_about_six_events() {
    let policy = compile(&ten_rules_path()).unwrap();
    let batch = generate(policy.program(), 10_000, SEED, today().unwrap()).unwrap();
    let kinds = policy.program().schema.events.len() as u16;
    let events: usize = (0..batch.len())
        .map(|i| {
            (0..kinds)
                .map(|k| batch.case(i).events(k).len())
                .sum::<usize>()
        })
        .sum();
    let mean = events as f64 / batch.len() as f64;
    assert!((5.5..=6.5).contains(&mean), "{mean} events per case");
}
