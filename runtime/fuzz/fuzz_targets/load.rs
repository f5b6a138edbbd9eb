//! Fuzz target `load`: the loader must refuse arbitrary bytes with an error,
//! never panic, and whatever it accepts must evaluate without panicking.
//! Run with `cargo fuzz run load` from `runtime/`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pol_runtime::{CaseBatch, CaseData, Policy};

fuzz_target!(|data: &[u8]| {
    if let Ok(policy) = Policy::load(data) {
        // A verified program must evaluate an empty case on any day.
        let schema = &policy.program().schema;
        let mut batch = CaseBatch::new(schema);
        batch.push(CaseData::new(schema, "fuzz"), 0);
        let mut out = policy.new_result();
        policy.evaluate_case(batch.case(0), 20_000, &mut out);
        let _ = policy.explain_case(batch.case(0), 20_000);
        let _ = policy.to_bytes();
    }
});
