//! Evaluation: one case at a time with a loaded program reused, and a
//! 100,000-case caseload already in a `CaseBatch`, on one thread and on all
//! cores; the VM against a hand-written Rust evaluator of the same policy.
//!
//! ```text
//! CARGO_TARGET_DIR=/work/target-bench cargo bench -p pol-benches --bench eval
//! CARGO_TARGET_DIR=/work/target-bench cargo bench -p pol-benches --bench eval -- ten_rules
//! ```
//!
//! Groups:
//! * `eval/case/<policy>`: `Policy::evaluate_case` on one case (cycling
//!   through 1,024 generated cases, so the figure is a typical case's).
//! * `eval/caseload_1t/<policy>`, `eval/caseload_all/<policy>`: 100,000
//!   generated cases (`Throughput::Elements`): single thread, and rayon on
//!   every core in pieces of 4,096 cases.
//! * `ten_rules_vm` / `ten_rules_hand` in each group: the synthetic policy
//!   `benches/policies/ten_rules.pol` in the VM and in plain Rust
//!   (`pol_benches::ten_rules::HandEval`, checked equal by
//!   `tests/hand_vs_vm.rs`); their ratio is the VM's overhead.

#![allow(
    clippy::unwrap_used,
    reason = "bench set-up: a policy that does not compile should stop the bench"
)]

use std::hint::black_box;
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, Throughput};
use pol_benches::ten_rules::{generate, HandEval};
use pol_benches::{
    compile, eval_parallel, eval_serial, generate_ndjson, read_batch, real_policies, short_name,
    ten_rules_path, today, SEED,
};
use pol_runtime::{CaseBatch, CaseRef, CaseResult, Policy};

const CASES: usize = 100_000;

/// Evaluates one case into a result.
type EvalFn<'a> = Box<dyn Fn(CaseRef<'_>, &mut CaseResult) + Sync + 'a>;

/// What one bench evaluates with: a fresh result and the per-case call.
struct Subject<'a> {
    name: String,
    batch: &'a CaseBatch,
    new_result: Box<dyn Fn() -> CaseResult + Sync + 'a>,
    eval: EvalFn<'a>,
}

fn vm<'a>(name: String, policy: &'a Policy, batch: &'a CaseBatch, day: i32) -> Subject<'a> {
    Subject {
        name,
        batch,
        new_result: Box::new(|| policy.new_result()),
        eval: Box::new(move |c, r| policy.evaluate_case(c, day, r)),
    }
}

fn one_case(g: &mut BenchmarkGroup<'_, WallTime>, s: &Subject<'_>) {
    let mut result = (s.new_result)();
    let n = s.batch.len().min(1024);
    let mut i = 0;
    g.bench_function(&s.name, |b| {
        b.iter(|| {
            i = (i + 1) % n;
            (s.eval)(black_box(s.batch.case(i)), &mut result);
            black_box(&result);
        })
    });
}

fn caseload(g: &mut BenchmarkGroup<'_, WallTime>, s: &Subject<'_>, parallel: bool) {
    g.throughput(Throughput::Elements(s.batch.len() as u64));
    g.bench_function(&s.name, |b| {
        if parallel {
            b.iter(|| eval_parallel(black_box(s.batch), &s.new_result, &s.eval))
        } else {
            b.iter(|| eval_serial(black_box(s.batch), (s.new_result)(), &s.eval))
        }
    });
}

fn bench_eval(c: &mut Criterion) {
    let day = today().unwrap();
    // inputs: generated once, loaded before any timing
    let mut real = Vec::new();
    for path in real_policies().unwrap() {
        let policy = compile(&path).unwrap();
        let (bytes, _) = generate_ndjson(&policy, CASES as u64).unwrap();
        let batch = read_batch(&policy, &bytes).unwrap();
        real.push((short_name(&path), policy, batch));
    }
    let ten = compile(&ten_rules_path()).unwrap();
    let hand = HandEval::new(ten.program()).unwrap();
    let ten_batch = generate(ten.program(), CASES, SEED, day).unwrap();

    let mut subjects: Vec<Subject<'_>> = real
        .iter()
        .map(|(name, policy, batch)| vm(name.clone(), policy, batch, day))
        .collect();
    subjects.push(vm("ten_rules_vm".into(), &ten, &ten_batch, day));
    subjects.push(Subject {
        name: "ten_rules_hand".into(),
        batch: &ten_batch,
        new_result: Box::new(|| hand.new_result()),
        eval: Box::new(|c, r| hand.evaluate(c, day, r)),
    });

    let mut g = c.benchmark_group("eval/case");
    g.measurement_time(Duration::from_secs(3));
    for s in &subjects {
        one_case(&mut g, s);
    }
    g.finish();

    for (group, parallel) in [("eval/caseload_1t", false), ("eval/caseload_all", true)] {
        let mut g = c.benchmark_group(group);
        g.sample_size(10).measurement_time(Duration::from_secs(5));
        for s in &subjects {
            caseload(&mut g, s, parallel);
        }
        g.finish();
    }
}

criterion_group!(benches, bench_eval);
criterion_main!(benches);
