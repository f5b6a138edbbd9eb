//! Good NDJSON input: every field type, optionals, defaults, periods, and
//! events sorted by date, as the VM will see them in the batch.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod caseload_support;

use caseload_support::{day, program};
use pol_runtime::bytecode::program::{text_hash, NONE};
use pol_runtime::caseload::batch::OPEN_END;
use pol_runtime::caseload::{CaseBatch, CaseReader, NdjsonReader, ReadOptions, ReadSummary};

fn read(input: &str) -> (CaseBatch, ReadSummary) {
    let p = program();
    let mut reader = NdjsonReader::new(&p, input.as_bytes(), ReadOptions::default());
    let mut all = CaseBatch::new(&p.schema);
    let mut batch = CaseBatch::new(&p.schema);
    let mut n = 0;
    while reader.read_chunk(&mut batch, 1000).unwrap() > 0 {
        n += batch.len();
        all = batch.clone();
    }
    assert_eq!(n, all.len(), "the test inputs fit one chunk");
    let s = reader.take_summary();
    assert!(s.counts_add_up());
    (all, s)
}

#[test]
fn every_field_type() {
    let line = r#"{"id": "c1", "birth_date": "1990-05-01", "benefit": "sygedagpenge", "benefit_start": "2026-01-05",
        "employed": true, "hours": 37.5, "degree": 12.5, "children": 2, "municipality": "Hedensted",
        "expected_recovery": "2026-06-30", "grace": "8 weeks", "horizon": "1 year",
        "standby": [["2026-03-01", "2026-03-31"], ["2026-01-10", "2026-01-20"]], "leave": [["2026-05-01", null]],
        "events": []}"#
        .replace('\n', " ");
    let (b, s) = read(&line);
    assert_eq!(s.errors, vec![]);
    let c = b.case(0);
    assert_eq!(c.id(), "c1");
    assert_eq!(
        c.fields(),
        &[
            i64::from(day("1990-05-01")),
            2,
            i64::from(day("2026-01-05")),
            1,
            375_000,
            1_250,
            2,
            text_hash("Hedensted"),
            i64::from(day("2026-06-30")),
            56,
            12,
            0,
            0,
        ]
    );
    // periods sorted by start
    assert_eq!(
        c.periods(11),
        &[
            (day("2026-01-10"), day("2026-01-20")),
            (day("2026-03-01"), day("2026-03-31"))
        ]
    );
    assert_eq!(c.periods(12), &[(day("2026-05-01"), OPEN_END)]);
}

#[test]
fn strings_for_numbers_and_bare_durations() {
    let line = r#"{"id": 17, "birth_date": "1990-05-01", "benefit": "dagpenge", "benefit_start": "2026-01-05", "hours": "37,25", "degree": "75%", "children": "3", "grace": 10, "horizon": 3}"#;
    let (b, s) = read(line);
    assert_eq!(s.errors, vec![]);
    let c = b.case(0);
    assert_eq!(c.id(), "17");
    assert_eq!(&c.fields()[4..7], &[372_500, 7_500, 3]);
    assert_eq!(&c.fields()[9..11], &[10, 3]);
}

#[test]
fn optionals_absent_or_null_and_defaults() {
    let line = r#"{"id": "c1", "birth_date": "1990-05-01", "benefit": "dagpenge", "benefit_start": "2026-01-05", "hours": null, "leave": null}"#;
    let (b, s) = read(line);
    assert_eq!(s.errors, vec![]);
    let f = b.case(0).fields();
    assert_eq!(f[3], 0, "employed defaults to false");
    assert_eq!(f[4], NONE, "hours is null");
    assert_eq!(f[5], 10_000, "degree defaults to 100%");
    assert_eq!(f[6], 0, "children defaults to 0");
    assert_eq!(f[7], NONE, "municipality is absent");
    assert_eq!(f[8], NONE);
    assert_eq!(f[9], NONE);
    assert_eq!(f[10], 6, "horizon defaults to 6 months");
    assert!(b.case(0).periods(11).is_empty());
    assert!(b.case(0).periods(12).is_empty());
    assert!(b.case(0).events(0).is_empty());
}

#[test]
fn events_are_sorted_per_kind_with_their_fields() {
    let line = r#"{"id": "c1", "birth_date": "1990-05-01", "benefit": "dagpenge", "benefit_start": "2026-01-05", "events": [
        {"kind": "samtale", "date": "2026-03-01", "form": "video"},
        {"date": "2026-01-20", "form": "phone", "kind": "samtale"},
        {"kind": "tilbud", "date": "2026-02-01", "hours": 12.5},
        {"kind": "tilbud", "date": "2026-01-02"},
        {"kind": "vurdering", "date": "2025-12-01"}]}"#
        .replace('\n', " ");
    let (b, s) = read(&line);
    assert_eq!(s.errors, vec![]);
    let c = b.case(0);
    let sam = c.events(0);
    assert_eq!(sam.dates, &[day("2026-01-20"), day("2026-03-01")]);
    assert_eq!(sam.row(0), &[1]);
    assert_eq!(sam.row(1), &[2]);
    let til = c.events(1);
    assert_eq!(til.dates, &[day("2026-01-02"), day("2026-02-01")]);
    assert_eq!(til.values, &[0, 125_000], "hours defaults to 0");
    // dated before the anchor: kept (the VM never counts it)
    assert_eq!(c.events(2).dates, &[day("2025-12-01")]);
}

#[test]
fn chunks_keep_input_order_and_lines() {
    let p = program();
    let mut input = String::new();
    for i in 0..10 {
        input.push_str(&format!(
            r#"{{"id": "c{i}", "birth_date": "1990-05-01", "benefit": "dagpenge", "benefit_start": "2026-01-05"}}"#
        ));
        input.push('\n');
        if i == 4 {
            input.push_str("not json\n");
        }
    }
    let mut reader = NdjsonReader::new(&p, input.as_bytes(), ReadOptions::default());
    let mut batch = CaseBatch::new(&p.schema);
    let mut seen = Vec::new();
    let mut sizes = Vec::new();
    while reader.read_chunk(&mut batch, 3).unwrap() > 0 {
        sizes.push(batch.len());
        for i in 0..batch.len() {
            seen.push((batch.id(i).to_owned(), batch.line(i)));
        }
    }
    assert_eq!(sizes, vec![3, 3, 3, 1]);
    assert_eq!(seen.len(), 10);
    assert_eq!(seen[5], ("c5".to_owned(), 7));
    let s = reader.take_summary();
    assert_eq!((s.rows_read, s.cases_ok, s.rows_rejected), (11, 10, 1));
}

#[test]
fn redacted_ids_in_errors() {
    let p = program();
    let input = r#"{"id": "0101901234", "benefit": "dagpenge"}"#;
    let options = ReadOptions {
        redact_key: Some(b"k".to_vec()),
        ..ReadOptions::default()
    };
    let mut reader = NdjsonReader::new(&p, input.as_bytes(), options);
    let mut batch = CaseBatch::new(&p.schema);
    while reader.read_chunk(&mut batch, 10).unwrap() > 0 {}
    let s = reader.take_summary();
    let id = s.errors[0].case_id.clone().unwrap();
    assert_eq!(id, pol_runtime::caseload::redact_id("0101901234", b"k"));
    assert!(!s.render().contains("0101901234"));
}
