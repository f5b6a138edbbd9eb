//! Drop a file into `bad_input/`, get a test: each file is read, and the
//! snapshot holds the error report and the ids that were read. Every run
//! also checks that the counts add up and that no report quotes case data.

mod caseload_support;

use std::fs;
use std::io::BufReader;
use std::path::Path;

use pol_runtime::caseload::{CaseBatch, CaseReader, NdjsonReader, ReadOptions, ReadSummary};

/// Values planted in the corpus that no report may show.
const PERSONAL: [&str; 2] = ["SECRET", "1990-05-01"];

fn check(summary: &ReadSummary, report: &str) {
    assert!(summary.counts_add_up(), "counts do not add up: {summary:?}");
    assert_eq!(summary.rows_rejected, summary.errors.len() as u64);
    for p in PERSONAL {
        assert!(
            !report.contains(p),
            "the report shows case data `{p}`:\n{report}"
        );
    }
}

fn read_ndjson(path: &Path) -> String {
    let program = caseload_support::program();
    let options = ReadOptions {
        max_line_bytes: 512,
        file_name: path.file_name().map(|n| n.to_string_lossy().into_owned()),
        ..ReadOptions::default()
    };
    let file = fs::File::open(path).unwrap();
    let mut reader = NdjsonReader::new(&program, BufReader::new(file), options);
    let mut batch = CaseBatch::new(&program.schema);
    let mut ids = Vec::new();
    // a small chunk, so chunk boundaries fall between bad and good rows
    while reader.read_chunk(&mut batch, 2).unwrap() > 0 {
        for i in 0..batch.len() {
            ids.push(format!("{}@{}", batch.id(i), batch.line(i)));
        }
    }
    let summary = reader.take_summary();
    let report = summary.render();
    check(&summary, &report);
    format!("read: {}\n\n{report}", ids.join(" "))
}

#[test]
fn ndjson_corpus() {
    insta::glob!("bad_input/*.ndjson", |path| {
        insta::assert_snapshot!(read_ndjson(path));
    });
}
