//! Check, compile and load every real policy; one small policy end to end;
//! and the real `pol check` binary, process start included.
//!
//! ```text
//! CARGO_TARGET_DIR=/work/target-bench cargo bench -p pol-benches --bench compile
//! # the `pol_cli` group needs the release binary first:
//! CARGO_TARGET_DIR=/work/target-bench cargo build --release -p pol-compiler --bin pol
//! ```
//!
//! Groups: `check/<policy>` (`check_source`, imports read from disk),
//! `check/single_small` (read `ten_rules.pol` from disk and check it: the
//! library half of `pol check` on one small file), `compile/<policy>` (check,
//! lower, verify), `load/<policy>` (`Policy::load` of the artifact bytes),
//! `pol_cli/check_<policy>` and `pol_cli/version` (the binary spawned).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "bench set-up: a policy that does not compile should stop the bench"
)]

use std::hint::black_box;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use pol_benches::{
    check, compile, read_source, real_policies, release_pol_binary, short_name, ten_rules_path,
};
use pol_runtime::Policy;

fn bench_check(c: &mut Criterion) {
    let mut g = c.benchmark_group("check");
    for path in real_policies().unwrap() {
        let (name, text) = read_source(&path).unwrap();
        assert_eq!(check(&name, &text), 0, "{name} has errors");
        g.bench_function(short_name(&path), |b| {
            b.iter(|| check(black_box(&name), black_box(&text)))
        });
    }
    let small = ten_rules_path();
    g.bench_function("single_small", |b| {
        b.iter(|| {
            let (name, text) = read_source(black_box(&small)).unwrap();
            check(&name, &text)
        })
    });
    g.finish();
}

fn bench_compile_and_load(c: &mut Criterion) {
    let mut g = c.benchmark_group("compile");
    for path in real_policies().unwrap() {
        g.bench_function(short_name(&path), |b| {
            b.iter(|| compile(black_box(&path)).unwrap())
        });
    }
    g.finish();
    let mut g = c.benchmark_group("load");
    for path in real_policies().unwrap() {
        let bytes = compile(&path).unwrap().to_bytes();
        g.bench_function(short_name(&path), |b| {
            b.iter(|| Policy::load(black_box(&bytes)).unwrap())
        });
    }
    g.finish();
}

fn run(pol: &Path, args: &[&str]) {
    let status = Command::new(pol)
        .args(args)
        .current_dir(pol_benches::repo_root())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(
        status.code().is_some_and(|c| c <= 1),
        "pol {args:?}: {status}"
    );
}

/// `pol check` as a user runs it: process start, reading the files, checking
/// and printing. Skipped (with a note) when the release binary is missing.
fn bench_pol_binary(c: &mut Criterion) {
    let Some(pol) = release_pol_binary() else {
        eprintln!(
            "pol_cli: no target/release/pol; build it with cargo build --release -p pol-compiler"
        );
        return;
    };
    let mut g = c.benchmark_group("pol_cli");
    g.sample_size(20).measurement_time(Duration::from_secs(3));
    g.bench_function("version", |b| b.iter(|| run(&pol, &["--version"])));
    for file in [
        "policies/000_workshop_2025.pol",
        "benches/policies/ten_rules.pol",
    ] {
        let id = format!("check_{}", short_name(Path::new(file)));
        g.bench_function(id, |b| b.iter(|| run(&pol, &["check", file])));
    }
    g.finish();
}

criterion_group!(
    benches,
    bench_check,
    bench_compile_and_load,
    bench_pol_binary
);
criterion_main!(benches);
