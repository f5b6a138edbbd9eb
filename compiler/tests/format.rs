//! Formatter tests. Every `.pol` under `compiler/tests/` and `policies/`
//! that parses must format to text that parses back to the same tree
//! (spans aside) and formats to itself; `tests/format/*.pol` also snapshot
//! the formatted text.

use std::path::{Path, PathBuf};

use pol_compiler::diagnostics::{render_human, Diagnostics};
use pol_compiler::format::format_file;
use pol_compiler::syntax::parse_file;
use pol_compiler::syntax::span::{FileId, SourceMap};

fn pol_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            pol_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "pol") {
            out.push(p);
        }
    }
}

/// The tree's debug text with every `Span { … }` blanked: trees that differ
/// only in positions compare equal.
fn strip_spans(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("Span { file: FileId(") {
        out.push_str(&rest[..i]);
        out.push_str("Span");
        let after = &rest[i..];
        let end = after.find(" }").map(|e| e + 2).unwrap_or(after.len());
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

fn parse(name: &str, text: &str) -> (pol_compiler::syntax::ast::File, Vec<String>) {
    let mut sources = SourceMap::new();
    let file = sources.add(name, text);
    let mut diags = Diagnostics::new();
    let ast = parse_file(file, text, &mut diags);
    let errs = diags
        .into_sorted()
        .iter()
        .map(|d| render_human(d, &sources, 80, false))
        .collect();
    (ast, errs)
}

#[test]
fn formatting_round_trips_and_is_idempotent() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    pol_files(&root.join("tests"), &mut files);
    pol_files(&root.join("../policies"), &mut files);
    assert!(!files.is_empty());
    let mut failures = Vec::new();
    for path in &files {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).unwrap();
        let (ast, errs) = parse(&name, &text);
        if !errs.is_empty() {
            // files meant to fail live in tests; a policy that fails is a finding
            if !name.contains("/tests/") {
                failures.push(format!("{name} does not parse:\n{}", errs.join("\n")));
            }
            continue;
        }
        let once = format_file(&ast, &text);
        let (again, errs) = parse(&name, &once);
        if !errs.is_empty() {
            failures.push(format!(
                "{name}: formatted text does not parse:\n{}\n{once}",
                errs.join("\n")
            ));
            continue;
        }
        if strip_spans(&format!("{ast:?}")) != strip_spans(&format!("{again:?}")) {
            failures.push(format!("{name}: formatting changed the tree:\n{once}"));
            continue;
        }
        let twice = format_file(&again, &once);
        if twice != once {
            failures.push(format!(
                "{name}: formatting is not idempotent:\n--- once\n{once}\n--- twice\n{twice}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn formatted_layouts() {
    insta::glob!("format/*.pol", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let (ast, errs) = parse("input.pol", &text);
        assert!(errs.is_empty(), "{}", errs.join("\n"));
        insta::assert_snapshot!(format_file(&ast, &text));
    });
}

#[test]
fn spans_are_blanked_for_comparison() {
    let a = format!(
        "{:?}",
        pol_compiler::syntax::span::Span::new(FileId(0), 1, 2)
    );
    assert_eq!(strip_spans(&format!("x {a} y")), "x Span y");
}
