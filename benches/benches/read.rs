//! NDJSON reading throughput in bytes per second, on a generated caseload.
//!
//! ```text
//! CARGO_TARGET_DIR=/work/target-bench cargo bench -p pol-benches --bench read
//! ```
//!
//! Group `read/ndjson/<policy>`: `NdjsonReader::read_chunk` over 20,000
//! generated cases of the workshop policy (the shared schema: 45 fields, 16
//! event kinds), in the driver's 65,536-case chunks, one thread.

#![allow(
    clippy::unwrap_used,
    reason = "bench set-up: a policy that does not compile should stop the bench"
)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use pol_benches::{compile, generate_ndjson, read_all, real_policies, short_name};

const CASES: u64 = 20_000;

fn bench_read(c: &mut Criterion) {
    let mut g = c.benchmark_group("read/ndjson");
    g.sample_size(20).measurement_time(Duration::from_secs(5));
    let paths = real_policies().unwrap();
    for path in paths.iter().filter(|p| short_name(p).starts_with("000")) {
        let policy = compile(path).unwrap();
        let (bytes, stats) = generate_ndjson(&policy, CASES).unwrap();
        assert_eq!(
            read_all(&policy, &bytes, 65_536).unwrap() as u64,
            stats.cases
        );
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_function(short_name(path), |b| {
            b.iter(|| read_all(&policy, black_box(&bytes), 65_536).unwrap())
        });
    }
    g.finish();
}

criterion_group!(benches, bench_read);
criterion_main!(benches);
