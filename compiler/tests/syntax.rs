//! Syntax tests: every `.pol` under `tests/syntax/` is parsed; the snapshot
//! holds the source and either the rendered diagnostics (files named
//! `bad_*`) or the syntax tree (every other file, which must parse cleanly).

use pol_compiler::diagnostics::{render_human, Diagnostics};
use pol_compiler::syntax::parse_file;
use pol_compiler::syntax::span::SourceMap;

#[test]
fn syntax_files() {
    insta::glob!("syntax/*.pol", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let mut sources = SourceMap::new();
        let file = sources.add(name.clone(), text.clone());
        let mut diags = Diagnostics::new();
        let ast = parse_file(file, &text, &mut diags);
        let rendered: Vec<String> = diags
            .into_sorted()
            .iter()
            .map(|d| render_human(d, &sources, 80, false))
            .collect();
        if name.starts_with("bad_") {
            assert!(!rendered.is_empty(), "{name} should report a syntax error");
            insta::assert_snapshot!(format!(
                "{text}\n---- diagnostics ----\n{}",
                rendered.join("\n")
            ));
        } else {
            assert!(
                rendered.is_empty(),
                "{name} should parse cleanly:\n{}",
                rendered.join("\n")
            );
            insta::assert_snapshot!(format!("{text}\n---- syntax tree ----\n{ast:#?}"));
        }
    });
}

/// One broken item must not hide the errors of the next ones.
#[test]
fn every_error_of_a_file_is_reported() {
    let text = include_str!("syntax/bad_five_errors.pol");
    let mut diags = Diagnostics::new();
    parse_file(pol_compiler::syntax::span::FileId(0), text, &mut diags);
    assert_eq!(diags.error_count(), 5);
}

/// Every syntax code has an explanation page that shows the mistake.
#[test]
fn syntax_codes_are_explained() {
    for c in pol_compiler::syntax::codes::SYNTAX {
        assert!(c.code.starts_with("E01"), "{}", c.code);
        let blocks: Vec<&str> = c
            .explain
            .split("```pol\n")
            .skip(1)
            .map(|b| b.split("```").next().unwrap())
            .collect();
        assert_eq!(blocks.len(), 2, "{}: a failing example and its fix", c.code);
        let mut diags = Diagnostics::new();
        parse_file(pol_compiler::syntax::span::FileId(0), blocks[0], &mut diags);
        assert!(
            diags.iter().any(|d| d.code == c.code),
            "{}'s example reports {:?}",
            c.code,
            diags.iter().map(|d| d.code).collect::<Vec<_>>()
        );
        let mut diags = Diagnostics::new();
        parse_file(pol_compiler::syntax::span::FileId(0), blocks[1], &mut diags);
        assert!(
            diags.is_empty(),
            "{}'s fix does not parse: {diags:?}",
            c.code
        );
    }
}
