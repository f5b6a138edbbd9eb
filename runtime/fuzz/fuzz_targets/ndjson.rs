//! Fuzz target: the NDJSON case reader never panics on any bytes, its
//! counts always add up, and every case it accepts has sorted events.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pol_runtime::caseload::{CaseBatch, CaseReader, NdjsonReader, ReadOptions};

#[path = "caseload_schema.rs"]
mod caseload_schema;

fuzz_target!(|data: &[u8]| {
    let program = caseload_schema::program();
    let options = ReadOptions { max_line_bytes: 4096, ..ReadOptions::default() };
    let mut reader = NdjsonReader::new(&program, data, options);
    let mut batch = CaseBatch::new(&program.schema);
    while let Ok(n) = reader.read_chunk(&mut batch, 3) {
        if n == 0 {
            break;
        }
        for i in 0..batch.len() {
            for k in 0..2 {
                let d = batch.case(i).events(k).dates;
                assert!(d.windows(2).all(|w| w[0] <= w[1]));
            }
        }
    }
    assert!(reader.summary().counts_add_up());
});
