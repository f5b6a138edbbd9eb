//! The properties the compiler's fuzz targets check, shared by the
//! cargo-fuzz targets (`fuzz_targets/*.rs`, nightly) and by the stable seed
//! replay test (`compiler/tests/fuzz_replay.rs`), so CI re-checks every
//! committed seed with exactly the fuzzers' assertions.

use pol_compiler::diagnostics::Diagnostics;
use pol_compiler::format::format_file;
use pol_compiler::syntax::parse_file;
use pol_compiler::syntax::span::FileId;
use pol_compiler::testing::run_tests;
use pol_compiler::{check_source, lower_compilation, MemoryLoader};
use pol_runtime::Policy;

/// The real shared schema, so fuzzed policies can `import "schema.pol"` and
/// reach deep into checking instead of stopping at unknown names.
const SCHEMA: &str = include_str!("../../policies/schema.pol");

/// Any text parses (with or without errors) and never panics; text that
/// parses cleanly formats to text that parses cleanly again.
pub fn parse(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut diags = Diagnostics::new();
    let file = parse_file(FileId(0), &text, &mut diags);
    if diags.has_errors() {
        return;
    }
    let formatted = format_file(&file, &text);
    let mut again = Diagnostics::new();
    parse_file(FileId(0), &formatted, &mut again);
    assert!(
        !again.has_errors(),
        "formatted text does not parse:\n{formatted}"
    );
}

/// Any text goes through parse, imports, checking and analyses without a
/// panic; a program that checks cleanly lowers to bytecode the runtime's
/// verifier accepts, and its inline tests run.
pub fn check(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut loader = MemoryLoader::default();
    loader
        .files
        .insert("schema.pol".to_string(), SCHEMA.to_string());
    let c = check_source("fuzz.pol", &text, &mut loader);
    let Some(program) = lower_compilation(&c) else {
        return;
    };
    match Policy::from_program(program) {
        Ok(policy) => {
            let _ = run_tests(&c.checked, &policy);
        }
        Err(e) => panic!("the verifier refused a program the checker accepted: {e}"),
    }
}
