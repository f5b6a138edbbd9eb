//! Drop a file into `bad_input/`, get a test: each file is read, and the
//! snapshot holds the error report and the ids that were read. Every run
//! also checks that the counts add up and that no report quotes case data.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

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

fn read_csv(path: &Path) -> String {
    use pol_runtime::caseload::{CsvOptions, CsvReader};
    let program = caseload_support::program();
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let events_path = path.with_file_name(name.replace(".cases.csv", ".events.csv"));
    let events = events_path
        .exists()
        .then(|| BufReader::new(fs::File::open(&events_path).unwrap()));
    let options = CsvOptions {
        read: ReadOptions {
            max_line_bytes: 512,
            file_name: Some(name.clone()),
            ..ReadOptions::default()
        },
        events_file_name: Some(name.replace(".cases.csv", ".events.csv")),
    };
    let file = BufReader::new(fs::File::open(path).unwrap());
    let mut reader = match CsvReader::new(&program, file, events, options) {
        Ok(r) => r,
        Err(e) => {
            let report = match e {
                pol_runtime::caseload::CsvError::Header(e) => e.render(),
                other => panic!("{other}"),
            };
            for p in PERSONAL {
                assert!(
                    !report.contains(p),
                    "the report shows case data `{p}`:\n{report}"
                );
            }
            return format!("the file cannot be read:\n\n{report}");
        }
    };
    let mut batch = CaseBatch::new(&program.schema);
    let mut ids = Vec::new();
    let mut events = Vec::new();
    while reader.read_chunk(&mut batch, 2).unwrap() > 0 {
        for i in 0..batch.len() {
            ids.push(format!("{}@{}", batch.id(i), batch.line(i)));
            let c = batch.case(i);
            for k in 0..3u16 {
                if !c.events(k).is_empty() {
                    events.push(format!(
                        "{}: kind {k} on days {:?} values {:?}",
                        batch.id(i),
                        c.events(k).dates,
                        c.events(k).values
                    ));
                }
            }
        }
    }
    let summary = reader.take_summary();
    let report = summary.render();
    assert!(summary.counts_add_up(), "counts do not add up: {summary:?}");
    for p in PERSONAL {
        assert!(
            !report.contains(p),
            "the report shows case data `{p}`:\n{report}"
        );
    }
    format!("read: {}\n{}\n\n{report}", ids.join(" "), events.join("\n"))
}

#[test]
fn csv_corpus() {
    insta::glob!("bad_input/*.cases.csv", |path| {
        insta::assert_snapshot!(read_csv(path));
    });
}
