//! The properties the runtime's fuzz targets check, shared by the
//! cargo-fuzz targets (`fuzz_targets/*.rs`, nightly) and by the stable
//! corpus replay test (`runtime/tests/fuzz_replay.rs`), so CI re-checks every
//! committed seed input with exactly the fuzzers' assertions.

use pol_runtime::caseload::{
    CaseBatch, CaseReader, CsvOptions, CsvReader, NdjsonReader, ReadOptions,
};
use pol_runtime::{CaseData, Policy};

#[path = "fuzz_targets/caseload_schema.rs"]
mod caseload_schema;

/// The loader refuses arbitrary bytes with an error, never a panic; whatever
/// it accepts evaluates, explains and re-encodes without panicking.
pub fn load(data: &[u8]) {
    if let Ok(policy) = Policy::load(data) {
        let schema = &policy.program().schema;
        let mut batch = CaseBatch::new(schema);
        batch.push(CaseData::new(schema, "fuzz"), 0);
        let mut out = policy.new_result();
        policy.evaluate_case(batch.case(0), 20_000, &mut out);
        let _ = policy.explain_case(batch.case(0), 20_000);
        let _ = policy.to_bytes();
    }
}

/// The NDJSON reader never panics, its counts add up, and every case it
/// accepts has its events sorted.
pub fn ndjson(data: &[u8]) {
    let program = caseload_schema::program();
    let options = ReadOptions {
        max_line_bytes: 4096,
        ..ReadOptions::default()
    };
    let mut reader = NdjsonReader::new(&program, data, options);
    let mut batch = CaseBatch::new(&program.schema);
    while let Ok(n) = reader.read_chunk(&mut batch, 3) {
        if n == 0 {
            break;
        }
        for i in 0..batch.len() {
            for k in 0..2 {
                let d = batch.case(i).events(k).dates;
                assert!(d.windows(2).all(|w| w[0] <= w[1]), "events out of order");
            }
        }
    }
    assert!(reader.summary().counts_add_up(), "counts do not add up");
}

/// The CSV reader never panics on any cases and events files (the input is
/// split at the first NUL byte), and its counts add up.
pub fn csv(data: &[u8]) {
    let program = caseload_schema::program();
    let (cases, events) = match data.iter().position(|b| *b == 0) {
        Some(i) => (
            data.get(..i).unwrap_or(&[]),
            Some(data.get(i + 1..).unwrap_or(&[])),
        ),
        None => (data, None),
    };
    let options = CsvOptions {
        read: ReadOptions {
            max_line_bytes: 4096,
            ..ReadOptions::default()
        },
        events_file_name: None,
    };
    let Ok(mut reader) = CsvReader::new(&program, cases, events, options) else {
        return;
    };
    let mut batch = CaseBatch::new(&program.schema);
    while let Ok(n) = reader.read_chunk(&mut batch, 3) {
        if n == 0 {
            break;
        }
    }
    assert!(reader.summary().counts_add_up(), "counts do not add up");
}
