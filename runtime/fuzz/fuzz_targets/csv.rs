//! Fuzz target: the CSV case reader never panics on any cases and events
//! files (the input is split at the first NUL byte), and its counts add up.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pol_runtime::caseload::{CaseBatch, CaseReader, CsvOptions, CsvReader, ReadOptions};

#[path = "caseload_schema.rs"]
mod caseload_schema;

fuzz_target!(|data: &[u8]| {
    let program = caseload_schema::program();
    let (cases, events) = match data.iter().position(|b| *b == 0) {
        Some(i) => (&data[..i], Some(&data[i + 1..])),
        None => (data, None),
    };
    let options = CsvOptions {
        read: ReadOptions { max_line_bytes: 4096, ..ReadOptions::default() },
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
    assert!(reader.summary().counts_add_up());
});
