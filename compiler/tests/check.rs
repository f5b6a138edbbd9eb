//! Checker tests: every `.pol` under `tests/check/` (except `_*.pol`
//! helpers, which tests import) is checked; the snapshot holds the source and
//! every diagnostic rendered as a person sees it (no colour, width 80).
//!
//! Each test file starts with `// expect: E0312` (the codes it must report,
//! in order, repeated as often as reported) or `// expect: nothing`, so a
//! snapshot cannot silently drift to another problem. Also checked here:
//! every code of the checker has an explanation page whose first example
//! reports it and whose fixed example does not, and every code the checker's
//! sources use is registered.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use pol_compiler::check::codes::CHECK;
use pol_compiler::diagnostics::render_human;
use pol_compiler::{check_source, Compilation, MemoryLoader, SourceLoader};

/// Serves imports from `tests/check/`, named relative to it, so snapshots
/// hold the same file names on every machine.
struct FolderLoader {
    dir: PathBuf,
}

impl SourceLoader for FolderLoader {
    fn load(&mut self, from: &str, path: &str) -> Result<(String, String), String> {
        let name = pol_compiler::check::join_relative(from, path);
        std::fs::read_to_string(self.dir.join(&name))
            .map(|text| (name, text))
            .map_err(|_| "no such file".to_string())
    }
}

fn check_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/check")
}

/// The codes a test file declares on its first line.
fn expected_codes(name: &str, text: &str) -> Vec<String> {
    let first = text.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("// expect:"),
        "{name}: the first line must be `// expect: CODE, …` or `// expect: nothing`"
    );
    let list = first.trim_start_matches("// expect:").trim();
    if list == "nothing" {
        return Vec::new();
    }
    list.split(',').map(|c| c.trim().to_string()).collect()
}

fn check_file(name: &str, text: &str) -> Compilation {
    let mut loader = FolderLoader { dir: check_dir() };
    check_source(name, text, &mut loader)
}

#[test]
fn check_files() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("check/snapshots");
    settings.set_prepend_module_to_snapshot(false);
    let _guard = settings.bind_to_scope();
    insta::glob!("check/*.pol", |path| {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.starts_with('_') {
            return;
        }
        let text = std::fs::read_to_string(path).unwrap();
        let c = check_file(&name, &text);
        let diags = c.diagnostics.clone().into_sorted();
        let codes: Vec<String> = diags.iter().map(|d| d.code.to_string()).collect();
        let rendered: Vec<String> = diags
            .iter()
            .map(|d| render_human(d, &c.sources, 80, false))
            .collect();
        assert_eq!(
            codes,
            expected_codes(&name, &text),
            "{name} reported other codes than its first line expects:\n{}",
            rendered.join("\n")
        );
        insta::assert_snapshot!(format!(
            "{text}\n---- diagnostics ----\n{}",
            if rendered.is_empty() {
                "(none)\n".to_string()
            } else {
                rendered.join("\n")
            }
        ));
    });
}

/// Several unrelated mistakes in one file are all reported, not just the first.
#[test]
fn every_error_of_a_file_is_reported() {
    let name = "five_unrelated_errors.pol";
    let text = std::fs::read_to_string(check_dir().join(name)).unwrap();
    let c = check_file(name, &text);
    assert_eq!(c.diagnostics.error_count(), 5);
    let codes: BTreeSet<&str> = c.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes.len(), 5, "five different problems: {codes:?}");
}

/// Every checker code is exercised by at least one test file.
#[test]
fn every_code_has_a_test_file() {
    let mut seen = BTreeSet::new();
    for entry in std::fs::read_dir(check_dir()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.starts_with('_') || !name.ends_with(".pol") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        seen.extend(expected_codes(&name, &text));
    }
    let missing: Vec<&str> = CHECK
        .iter()
        .filter(|c| !c.retired && !seen.contains(c.code))
        .map(|c| c.code)
        .collect();
    assert!(missing.is_empty(), "codes without a test file: {missing:?}");
}

/// Every code written in the checker's sources is registered once: in
/// `CHECK`, or (a size limit the checker shares with the parser, E0109) in
/// the syntax table.
#[test]
fn every_code_in_use_is_registered() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/check");
    let mut used = BTreeSet::new();
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "rs") || path.ends_with("codes.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        used.extend(quoted_codes(&text));
    }
    assert!(!used.is_empty(), "no codes found in src/check");
    let registered: Vec<&str> = CHECK.iter().map(|c| c.code).collect();
    let shared = ["E0109"];
    let unregistered: Vec<&String> = used
        .iter()
        .filter(|u| !registered.contains(&u.as_str()) && !shared.contains(&u.as_str()))
        .collect();
    assert!(
        unregistered.is_empty(),
        "codes used in src/check but missing from CHECK: {unregistered:?}"
    );
    let unique: BTreeSet<&str> = registered.iter().copied().collect();
    assert_eq!(unique.len(), registered.len(), "a code is listed twice");
    for c in CHECK {
        assert!(
            pol_compiler::diagnostics::codes::lookup(c.code).is_some(),
            "{} is not in the registry",
            c.code
        );
    }
}

/// `"E0312"`-like strings in Rust source.
fn quoted_codes(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    for (i, w) in bytes.windows(7).enumerate() {
        let is_code = w[0] == b'"'
            && (w[1] == b'E' || w[1] == b'W')
            && w[2..6].iter().all(u8::is_ascii_digit)
            && w[6] == b'"';
        if is_code {
            out.push(text[i + 1..i + 6].to_string());
        }
    }
    out
}

/// The ```pol blocks of a page, in order.
fn pol_blocks(page: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in page.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```pol") => current = Some(String::new()),
            (Some(b), "```") => {
                blocks.push(std::mem::take(b));
                current = None;
            }
            (Some(b), l) => {
                b.push_str(l);
                b.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

/// Every page explains its code with a failing example (the first ```pol
/// block, which must report the code) and the fixed version (the last block,
/// which must not report it, nor any error). Examples may import
/// `schema.pol`, `a.pol` and `b.pol`, served from `explain_files`.
#[test]
fn every_code_has_an_explanation_page() {
    for c in CHECK {
        let page = c.explain;
        assert!(
            page.starts_with(&format!("# {}", c.code)),
            "{}: the page starts with `# {}`",
            c.code,
            c.code
        );
        assert!(page.lines().count() > 5, "{}: the page is empty", c.code);
        let blocks = pol_blocks(page);
        assert!(
            blocks.len() >= 2,
            "{}: the page needs a failing ```pol example and its fix",
            c.code
        );
        let mut loader = explain_files();
        let failing = check_source("example.pol", &blocks[0], &mut loader);
        let codes: Vec<&str> = failing.diagnostics.iter().map(|d| d.code).collect();
        assert!(
            codes.contains(&c.code),
            "{}: the page's first example reports {codes:?}",
            c.code
        );
        let fixed_text = blocks.last().unwrap();
        let fixed = check_source("example.pol", fixed_text, &mut loader);
        let codes: Vec<&str> = fixed.diagnostics.iter().map(|d| d.code).collect();
        assert!(
            !codes.contains(&c.code),
            "{}: the page's fixed example still reports it",
            c.code
        );
        assert!(
            !fixed.has_errors(),
            "{}: the page's fixed example has errors: {codes:?}",
            c.code
        );
    }
}

/// Files the explanation pages' examples may import.
fn explain_files() -> MemoryLoader {
    let mut loader = MemoryLoader::default();
    loader.files.insert(
        "schema.pol".to_string(),
        "enum Benefit { dagpenge, kontanthjaelp, sygedagpenge }\n\
         enum Form { personal, phone, video }\n\
         case {\n  birth_date: date\n  benefit: Benefit\n  benefit_start: date\n  \
         employed: bool = false\n  expected_recovery: date?\n  standby: periods = []\n}\n\
         event samtale { form: Form }\n\
         event tilbud { hours: decimal = 0 }\n\
         event vurdering { }\n"
            .to_string(),
    );
    loader
        .files
        .insert("a.pol".to_string(), "import \"b.pol\"\n".to_string());
    loader
        .files
        .insert("b.pol".to_string(), "import \"a.pol\"\n".to_string());
    loader
}
