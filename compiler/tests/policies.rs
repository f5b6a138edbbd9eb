//! Every policy in `policies/` checks clean and passes its own inline tests
//! (the same work as `pol check policies/` and `pol test policies/`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fs;
use std::path::{Path, PathBuf};

use pol_compiler::diagnostics::render_human;
use pol_compiler::testing::run_tests;
use pol_compiler::{check_source, lower_compilation, SourceLoader};
use pol_runtime::Policy;

struct FsLoader;

impl SourceLoader for FsLoader {
    fn load(&mut self, from: &str, path: &str) -> Result<(String, String), String> {
        let base = Path::new(from).parent().unwrap_or(Path::new("."));
        let full = base.join(path);
        let text = fs::read_to_string(&full).map_err(|e| e.to_string())?;
        Ok((full.to_string_lossy().into_owned(), text))
    }
}

fn policy_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../policies");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pol"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_policy_checks_and_passes_its_tests() {
    let files = policy_files();
    assert!(!files.is_empty(), "no policies found");
    let mut report = String::new();
    for path in &files {
        let name = path.to_string_lossy().into_owned();
        let text = fs::read_to_string(path).unwrap();
        let c = check_source(&name, &text, &mut FsLoader);
        for d in c.diagnostics.clone().into_sorted() {
            if d.is_error() {
                report.push_str(&render_human(&d, &c.sources, 100, false));
            }
        }
        let Some(program) = lower_compilation(&c) else {
            continue;
        };
        let policy = match Policy::from_program(program) {
            Ok(p) => p,
            Err(e) => {
                report.push_str(&format!("{name}: artifact refused: {e}\n"));
                continue;
            }
        };
        let has_header = c.root_file().is_some_and(|f| f.header.is_some());
        let outcomes = run_tests(&c.checked, &policy);
        if has_header && outcomes.len() < 8 {
            report.push_str(&format!(
                "{name}: only {} tests (at least 8 wanted)\n",
                outcomes.len()
            ));
        }
        for o in outcomes.iter().filter(|o| !o.passed()) {
            for f in &o.failures {
                report.push_str(&format!(
                    "{name}: test {:?}: expected {}, got {}\n",
                    o.name, f.expected, f.actual
                ));
            }
        }
    }
    assert!(report.is_empty(), "\n{report}");
}
