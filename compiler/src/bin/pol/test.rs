//! `pol test`: runs the inline `test` blocks of every policy named, on the
//! real runtime, and ends with the tally line CI reads ("N passed, M failed",
//! alone on its line).

use std::path::PathBuf;

use pol_compiler::testing::run_selected;

use crate::common::{
    collect_pol_files, compile_file, display_name, plural, policy_of, print_out, CliResult, Exit,
};
use crate::report::rule_explanation;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Policy files and directories (searched recursively for `.pol`)
    #[arg(required = true, value_name = "FILE|DIR")]
    paths: Vec<PathBuf>,
    /// Run only the tests whose name contains this text
    #[arg(long, value_name = "TEXT")]
    filter: Option<String>,
}

pub fn run(args: Args) -> CliResult {
    let files = collect_pol_files(&args.paths)?;
    let mut passed = 0usize;
    let mut failed = 0usize;
    let mut filtered_out = 0usize;
    let mut broken = 0usize;
    let mut exit = Exit::Ok;
    for path in &files {
        let comp = compile_file(path)?;
        // a module (no `policy` header) holds no tests
        if comp.root_file().is_some_and(|f| f.header.is_none()) && !comp.has_errors() {
            continue;
        }
        let name = display_name(path);
        let policy = match policy_of(path, &comp) {
            Ok(p) => p,
            Err(e) => {
                // the errors are printed; carry on so one broken policy does
                // not hide the results of the others
                eprintln!("error: {}", e.message);
                broken += 1;
                exit = exit.max(e.exit);
                continue;
            }
        };
        let outcomes = run_selected(&comp.checked, &policy, |test| {
            args.filter.as_deref().is_none_or(|f| test.contains(f))
        });
        filtered_out += comp.checked.tests.len() - outcomes.len();
        if outcomes.is_empty() {
            continue;
        }
        let mut out = format!("{name}: {}\n", plural(outcomes.len(), "test", "tests"));
        let mut details = String::new();
        for t in &outcomes {
            let line = comp
                .sources
                .get(t.span.file)
                .map_or(0, |f| f.line_col(t.span.start).0);
            if t.passed() {
                passed += 1;
                out.push_str(&format!("  ok      {}\n", t.name));
                continue;
            }
            failed += 1;
            out.push_str(&format!("  FAILED  {}\n", t.name));
            details.push_str(&format!("\n---- {name}:{line}: {} ----\n", t.name));
            for f in &t.failures {
                let at = comp
                    .sources
                    .get(f.span.file)
                    .map_or_else(String::new, |file| {
                        let (l, c) = file.line_col(f.span.start);
                        format!("{}:{l}:{c}", file.name)
                    });
                details.push_str(&format!("  expectation at {at}\n"));
                details.push_str(&format!("    expected: {}\n", f.expected));
                details.push_str(&format!("    actual:   {}\n", f.actual));
                if let Some(x) = &f.explanation {
                    details.push_str(&rule_explanation(x, "    "));
                }
            }
        }
        out.push_str(&details);
        out.push('\n');
        print_out(&out)?;
    }
    let mut s = String::new();
    if filtered_out > 0 {
        s.push_str(&format!("{filtered_out} filtered out\n"));
    }
    if broken > 0 {
        s.push_str(&format!(
            "{} did not compile\n",
            plural(broken, "policy", "policies")
        ));
    }
    s.push_str(&format!("{passed} passed, {failed} failed\n"));
    print_out(&s)?;
    if failed > 0 {
        exit = exit.max(Exit::Failed);
    }
    Ok(exit)
}
