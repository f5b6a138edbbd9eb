//! The generator's promises: the same seed gives the same bytes, and every
//! row it writes passes the runtime's readers for every real policy's
//! schema, in both formats; the bundled caseloads still read cleanly.

// test helpers may unwrap: a failure is the test's report
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use pol_examples::compile::compile_policy;
use pol_examples::gen::{GenOptions, Generator};
use pol_runtime::caseload::{
    CaseBatch, CaseReader, CsvOptions, CsvReader, NdjsonReader, ReadOptions, ReadSummary,
};
use pol_runtime::vm::dates::parse_day;
use pol_runtime::Policy;

/// Each real policy with the evaluation date its bundled caseload is made for.
const POLICIES: &[(&str, &str)] = &[
    ("000_workshop_2025", "2025-09-30"),
    ("001_hedensted_2023", "2023-10-02"),
    ("002_ministry_2018", "2019-06-28"),
    ("003_alleroed_2022", "2022-12-31"),
    ("004_gladsaxe_2012", "2013-06-28"),
];

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn policy(name: &str) -> Policy {
    let path = repo().join("policies").join(format!("{name}.pol"));
    compile_policy(&path).unwrap_or_else(|e| panic!("{e}"))
}

fn opts(cases: u64, seed: u64, as_of: &str) -> GenOptions {
    GenOptions {
        cases,
        seed,
        as_of: parse_day(as_of).unwrap(),
    }
}

fn read_all<R: CaseReader>(p: &Policy, mut reader: R) -> ReadSummary {
    let mut batch = CaseBatch::new(&p.program().schema);
    while reader.read_chunk(&mut batch, 4096).unwrap() > 0 {}
    reader.take_summary()
}

fn assert_clean(what: &str, s: &ReadSummary, cases: u64) {
    let errors: Vec<String> = s.errors.iter().take(5).map(|e| e.render()).collect();
    assert_eq!(
        s.rows_rejected,
        0,
        "{what}: rejected rows, first errors:\n{}",
        errors.join("\n")
    );
    assert_eq!(s.cases_ok, cases, "{what}: cases read");
}

#[test]
fn same_seed_same_bytes_and_another_seed_differs() {
    let p = policy("000_workshop_2025");
    let run = |seed| {
        let mut out = Vec::new();
        Generator::new(p.program(), opts(500, seed, "2025-09-30"))
            .ndjson(&mut out)
            .unwrap();
        out
    };
    let (a, b, c) = (run(7), run(7), run(8));
    assert!(!a.is_empty());
    assert_eq!(a, b);
    assert_ne!(a, c);

    let csv = |seed| {
        let (mut cases, mut events) = (Vec::new(), Vec::new());
        Generator::new(p.program(), opts(300, seed, "2025-09-30"))
            .csv(&mut cases, &mut events)
            .unwrap();
        (cases, events)
    };
    assert_eq!(csv(3), csv(3));
}

#[test]
fn every_row_passes_the_readers_for_every_policy() {
    for (name, as_of) in POLICIES {
        let p = policy(name);
        let n = 3000;
        let mut nd = Vec::new();
        let stats = Generator::new(p.program(), opts(n, 11, as_of))
            .ndjson(&mut nd)
            .unwrap();
        assert_eq!(stats.cases, n);
        assert!(
            stats.events > n,
            "{name}: too few events ({})",
            stats.events
        );
        let r = NdjsonReader::new(p.program(), &nd[..], ReadOptions::default());
        assert_clean(&format!("{name} ndjson"), &read_all(&p, r), n);

        let (mut cases, mut events) = (Vec::new(), Vec::new());
        Generator::new(p.program(), opts(n, 12, as_of))
            .csv(&mut cases, &mut events)
            .unwrap();
        let r = CsvReader::new(
            p.program(),
            &cases[..],
            Some(&events[..]),
            CsvOptions::default(),
        )
        .unwrap_or_else(|e| panic!("{name} csv header: {e}"));
        assert_clean(&format!("{name} csv"), &read_all(&p, r), n);
    }
}

/// Every field and event kind of the schema gets a value somewhere in a
/// modest caseload, so readers and rules see every column.
#[test]
fn every_field_and_event_kind_occurs() {
    let p = policy("001_hedensted_2023");
    let mut out = Vec::new();
    Generator::new(p.program(), opts(5000, 5, "2023-10-02"))
        .ndjson(&mut out)
        .unwrap();
    let text = String::from_utf8(out).unwrap();
    let prog = p.program();
    let name = |id: u32| prog.strings[id as usize].as_str();
    for f in &prog.schema.fields {
        let key = format!("\"{}\":", name(f.name));
        assert!(text.contains(&key), "field {} never written", name(f.name));
    }
    for k in &prog.schema.events {
        let key = format!("\"kind\":\"{}\"", name(k.name));
        assert!(
            text.contains(&key),
            "event kind {} never written",
            name(k.name)
        );
    }
}

#[test]
fn bundled_caseloads_read_cleanly() {
    let dir = repo().join("examples").join("caseloads");
    for (name, _) in POLICIES {
        let p = policy(name);
        let file = dir.join(format!("{name}.ndjson"));
        let bytes = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let r = NdjsonReader::new(p.program(), &bytes[..], ReadOptions::default());
        let s = read_all(&p, r);
        assert_eq!(s.rows_rejected, 0, "{name}");
        assert!(s.cases_ok >= 900, "{name}: {} cases", s.cases_ok);
        // about 1 MB: the events the policy asks for (a vejledning at
        // every jobsamtale) made Hedensted's a little larger
        assert!(
            bytes.len() < 1_100_000,
            "{name}: keep bundled files near 1 MB"
        );
    }
    let p = policy("001_hedensted_2023");
    let cases = std::fs::read(dir.join("001_hedensted_2023.cases.csv")).unwrap();
    let events = std::fs::read(dir.join("001_hedensted_2023.events.csv")).unwrap();
    let r = CsvReader::new(
        p.program(),
        &cases[..],
        Some(&events[..]),
        CsvOptions::default(),
    )
    .unwrap();
    let s = read_all(&p, r);
    assert_eq!(s.rows_rejected, 0);
    assert!(s.cases_ok >= 900);
}
