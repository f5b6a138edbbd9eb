//! The NDJSON reader's fast path must never decide differently from the
//! general path: each line here is read as written (fast path, falling back
//! when unsure) and with its first key escaped (`"\u0069d"` is `"id"`),
//! which the fast path refuses, so the general path reads it; both must give
//! the same case or the same error. And reading on a rayon pool (pieces
//! parsed in parallel) must give what reading on one thread gives.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod caseload_support;

use std::fs;
use std::path::Path;

use caseload_support::program;
use pol_runtime::bytecode::program::Program;
use pol_runtime::caseload::{CaseBatch, CaseReader, NdjsonReader, ReadOptions, ReadSummary};

/// Everything a batch holds, in a comparable form.
fn dump(p: &Program, b: &CaseBatch) -> Vec<String> {
    (0..b.len())
        .map(|i| {
            let c = b.case(i);
            let periods: Vec<_> = (0..p.schema.fields.len() as u16)
                .map(|f| c.periods(f).to_vec())
                .collect();
            let events: Vec<_> = (0..p.schema.events.len() as u16)
                .map(|k| {
                    let e = c.events(k);
                    (e.dates.to_vec(), e.values.to_vec())
                })
                .collect();
            format!(
                "{} line {}: {:?} {:?} {:?}",
                c.id(),
                b.line(i),
                c.fields(),
                periods,
                events
            )
        })
        .collect()
}

fn read_all(p: &Program, input: &[u8], chunk: usize, limit: usize) -> (Vec<String>, ReadSummary) {
    let options = ReadOptions {
        max_line_bytes: limit,
        max_errors: 10_000,
        ..ReadOptions::default()
    };
    let mut reader = NdjsonReader::new(p, input, options);
    let mut batch = CaseBatch::new(&p.schema);
    let mut cases = Vec::new();
    while reader.read_chunk(&mut batch, chunk).unwrap() > 0 {
        cases.extend(dump(p, &batch));
    }
    let s = reader.take_summary();
    assert!(s.counts_add_up());
    (cases, s)
}

/// The summary without error columns (escaping a key moves them).
fn errors(s: &ReadSummary) -> Vec<String> {
    s.errors
        .iter()
        .map(|e| {
            format!(
                "{:?} line {} id {:?} field {:?}: {} / {:?}",
                e.code, e.line, e.case_id, e.field, e.message, e.help
            )
        })
        .collect()
}

/// `line` with the first character of its first key written as `\u00XX`.
fn escaped(line: &str) -> Option<String> {
    let at = line.find("{\"")? + 2;
    let c = line.get(at..)?.chars().next()?;
    if !c.is_ascii() || c == '"' || c == '\\' {
        return None;
    }
    Some(format!(
        "{}\\u{:04x}{}",
        line.get(..at)?,
        c as u32,
        line.get(at + 1..)?
    ))
}

const BASE: &str = r#""birth_date":"1990-05-01","benefit":"dagpenge","benefit_start":"2026-01-05""#;

fn lines() -> Vec<String> {
    let good = |rest: &str| format!(r#"{{"id":"c1",{BASE}{rest}}}"#);
    let mut v: Vec<String> = [
        "",
        ",\"employed\":true,\"hours\":37.5,\"degree\":12.5,\"children\":2",
        ",\"municipality\":\"Køge\",\"expected_recovery\":\"2026-06-30\"",
        ",\"grace\":\"8 weeks\",\"horizon\":\"1 year\"",
        ",\"grace\":3,\"horizon\":2,\"degree\":\"75%\",\"hours\":\"37,5\"",
        ",\"children\":-0",
        ",\"children\":-3",
        ",\"children\":0",
        ",\"children\":007",
        ",\"children\":1.",
        ",\"children\":.5",
        ",\"children\":2.0",
        ",\"children\":2.5",
        ",\"children\":1e2",
        ",\"children\":1E+2",
        ",\"children\":123456789012345678",
        ",\"children\":1234567890123456789",
        ",\"children\":12345678901234567890",
        ",\"children\":-9223372036854775808",
        ",\"hours\":-0.0",
        ",\"hours\":0.00001",
        ",\"hours\":1e400",
        ",\"hours\":true",
        ",\"hours\":null",
        ",\"hours\":[1]",
        ",\"hours\":{}",
        ",\"grace\":-1",
        ",\"grace\":-0",
        ",\"employed\":\"true\"",
        ",\"employed\":tru",
        ",\"employed\":truex",
        ",\"employed\":null",
        ",\"employed\":nul",
        ",\"birth_date\":null",
        ",\"birth_date\":\"1990-02-30\"",
        ",\"benefit\":\"dagpenje\"",
        ",\"municipality\":\"a\tb\"",
        ",\"municipality\":\"a\\\"b\"",
        ",\"municipality\":\"\"",
        ",\"municipality\":5",
        ",\"nope\":1",
        ",\"id\":\"c2\"",
        ",\"standby\":null",
        ",\"standby\":[]",
        ",\"standby\":[[\"2026-03-01\",\"2026-03-31\"],[\"2026-01-10\",null]]",
        ",\"standby\":[[\"2026-03-01\",\"2026-03-31\"],]",
        ",\"standby\":[[\"2026-03-01\"]]",
        ",\"standby\":[[null,\"2026-03-01\"]]",
        ",\"standby\":[[\"2026-03-01\",\"2026-01-01\"]]",
        ",\"standby\":[[1,2]]",
        ",\"standby\":\"2026-01-01\"",
        ",\"leave\":[[\"2026-05-01\",null]],\"leave\":[]",
        ",\"events\":null",
        ",\"events\":{}",
        ",\"events\":[]",
        ",\"events\":[],\"events\":[]",
        ",\"events\":[{}]",
        ",\"events\":[1]",
        ",\"events\":[{\"kind\":\"vurdering\",\"date\":\"2026-01-01\"},]",
        ",\"events\":[{\"kind\":\"samtale\",\"date\":\"2026-02-01\",\"form\":\"phone\"},{\"kind\":\"samtale\",\"date\":\"2026-01-01\",\"form\":\"video\"},{\"kind\":\"samtale\",\"date\":\"2026-01-01\",\"form\":\"letter\"}]",
        ",\"events\":[{\"date\":\"2026-02-01\",\"form\":\"phone\",\"kind\":\"samtale\"}]",
        ",\"events\":[{\"date\":\"2026-02-01\",\"kind\":\"tilbud\"},{\"kind\":\"tilbud\",\"date\":\"2026-01-01\",\"hours\":7.5}]",
        ",\"events\":[{\"kind\":\"samtale\",\"kind\":\"samtale\",\"date\":\"2026-02-01\",\"form\":\"phone\"}]",
        ",\"events\":[{\"kind\":\"samtale\",\"date\":\"2026-02-01\"}]",
        ",\"events\":[{\"kind\":\"samtale\",\"date\":\"2026-02-01\",\"form\":null}]",
        ",\"events\":[{\"kind\":\"tilbud\",\"date\":\"2026-02-01\",\"hours\":null}]",
        ",\"events\":[{\"kind\":\"vurdering\"}]",
        ",\"events\":[{\"kind\":\"vurdering\",\"date\":null}]",
        ",\"events\":[{\"kind\":\"vurdering\",\"date\":\"2026-02-30\"}]",
        ",\"events\":[{\"kind\":\"vurdering\",\"date\":\"2026-02-01\",\"date\":\"2026-02-01\"}]",
        ",\"events\":[{\"kind\":\"vurdering\",\"date\":\"2026-02-01\",\"form\":\"phone\"}]",
        ",\"events\":[{\"kind\":\"vurderinger\",\"date\":\"2026-02-01\"}]",
        ",\"events\":[{\"kind\":7,\"date\":\"2026-02-01\"}]",
        ",\"events\":[{\"date\":\"2026-02-01\"}]",
        ",\"events\":[{\"kind\":\"samtale\",\"date\":\"2026-02-01\",\"form\":\"phone\",\"x\":[1]}]",
    ]
    .iter()
    .map(|r| good(r))
    .collect();
    v.extend([
        format!(r#"{{"id":42,{BASE}}}"#),
        format!(r#"{{"id":-0,{BASE}}}"#),
        format!(r#"{{"id":1e3,{BASE}}}"#),
        format!(r#"{{"id":"",{BASE}}}"#),
        format!(r#"{{"id":null,{BASE}}}"#),
        r#"{"birth_date":"1990-05-01","id":"c9"}"#.to_owned(),
        format!(r#"{{{BASE}}}"#),
        format!(r#"  {{ "id" : "c1" , {BASE} }}  "#),
        format!("\t{{\"id\":\"c1\",\t{BASE}}}\t"),
        format!("{{\"id\":\"c1\",{BASE}}}\u{a0}"),
        format!(r#"{{"id":"c1",{BASE}}} x"#),
        format!(r#"{{"id":"c1",{BASE}}}}}"#),
        format!(r#"{{"id":"c1",{BASE},}}"#),
        format!(r#"{{"id":"c1" {BASE}}}"#),
        format!(r#"{{"id":"c1",{BASE}"#),
        "{}".to_owned(),
        "[1]".to_owned(),
        "\"c1\"".to_owned(),
    ]);
    v
}

#[test]
fn fast_path_agrees_with_the_general_path() {
    let p = program();
    let mut checked = 0;
    for line in lines() {
        let Some(slow) = escaped(&line) else {
            continue;
        };
        let (a, sa) = read_all(&p, line.as_bytes(), 10, 1 << 20);
        let (b, sb) = read_all(&p, slow.as_bytes(), 10, 1 << 20);
        assert_eq!(a, b, "cases differ for {line}");
        assert_eq!(errors(&sa), errors(&sb), "errors differ for {line}");
        checked += 1;
    }
    assert!(checked > 80);
}

/// Reads `input` in chunks of `chunk`, on a pool of `threads` (or none).
fn read_on(threads: Option<usize>, input: &[u8], chunk: usize) -> (Vec<String>, ReadSummary) {
    let p = program();
    match threads {
        None => read_all(&p, input, chunk, 512),
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .unwrap()
            .install(|| read_all(&p, input, chunk, 512)),
    }
}

fn same_on_a_pool(input: &[u8], what: &str) {
    let (cases, summary) = read_on(None, input, 100_000);
    for threads in [Some(1), Some(2), Some(3)] {
        for chunk in [1, 2, 7, 64, 1000, 100_000] {
            let (c, s) = read_on(threads, input, chunk);
            assert_eq!(c, cases, "{what}: {threads:?} threads, chunk {chunk}");
            assert_eq!(s.errors, summary.errors, "{what}: {threads:?}, {chunk}");
            assert_eq!(s.warnings, summary.warnings, "{what}: {threads:?}, {chunk}");
            assert_eq!(
                (s.rows_read, s.cases_ok, s.rows_rejected),
                (summary.rows_read, summary.cases_ok, summary.rows_rejected),
                "{what}: {threads:?}, {chunk}"
            );
        }
    }
}

#[test]
fn parallel_reading_gives_what_serial_reading_gives() {
    // every tricky line, twice (so ids repeat), between good and blank lines
    let mut input = String::new();
    for (i, line) in lines().iter().chain(lines().iter()).enumerate() {
        input.push_str(&line.replacen("\"c1\"", &format!("\"r{}\"", i % 97), 1));
        input.push_str(if i % 5 == 0 { "\r\n\n" } else { "\n" });
        input.push_str(&format!(
            "{{\"id\":\"g{i}\",{BASE},\"events\":[{{\"kind\":\"vurdering\",\"date\":\"2026-0{}-01\"}}]}}\n",
            1 + i % 9
        ));
    }
    input.push_str(&format!(
        "{{\"id\":\"long\",{BASE},\"municipality\":\"{}\"}}\n",
        "x".repeat(600)
    ));
    let mut input = input.into_bytes();
    input.extend_from_slice(b"{\"id\":\"bad\xff\"}\n");
    same_on_a_pool(&input, "mixed lines");
    same_on_a_pool(b"", "empty input");
    same_on_a_pool(b"\n\n", "blank input");
}

#[test]
fn the_bad_input_corpus_reads_the_same_on_a_pool() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad_input");
    let mut n = 0;
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "ndjson") {
            same_on_a_pool(&fs::read(&path).unwrap(), &path.display().to_string());
            n += 1;
        }
    }
    assert!(n > 10);
}
