//! Fuzz target `check`: any text, checked as a policy that may import the
//! real shared schema, must never panic or hang in any phase (parse,
//! imports, names, types, analyses); a program that checks cleanly must
//! lower to bytecode the runtime's verifier accepts, and its inline tests
//! must run.
//!
//! Run with `cargo +nightly fuzz run check` from `compiler/`; seed the
//! corpus with the policies: `cp ../policies/*.pol fuzz/corpus/check/`.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pol_compiler::testing::run_tests;
use pol_compiler::{check_source, lower_compilation, MemoryLoader};
use pol_runtime::Policy;

/// The real shared schema, so fuzzed policies can `import "schema.pol"` and
/// reach deep into checking instead of stopping at unknown names.
const SCHEMA: &str = include_str!("../../../policies/schema.pol");

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut loader = MemoryLoader::default();
    loader.files.insert("schema.pol".to_string(), SCHEMA.to_string());
    let c = check_source("fuzz.pol", &text, &mut loader);
    let Some(program) = lower_compilation(&c) else {
        return;
    };
    let policy = match Policy::from_program(program) {
        Ok(p) => p,
        Err(e) => panic!("the verifier refused a program the checker accepted: {e}"),
    };
    let _ = run_tests(&c.checked, &policy);
});
