//! Fuzz target `check`: any text, checked as a policy that may import the
//! real shared schema, must never panic or hang in any phase (parse,
//! imports, names, types, analyses); a program that checks cleanly must
//! lower to bytecode the runtime's verifier accepts, and its inline tests
//! must run.
//!
//! The property lives in `props.rs`, shared with the stable seed replay
//! test; run with `cargo +nightly fuzz run check` from `compiler/`.

#![no_main]

use libfuzzer_sys::fuzz_target;

#[allow(dead_code, reason = "each target uses one of the shared properties")]
#[path = "../props.rs"]
mod props;

fuzz_target!(|data: &[u8]| props::check(data));
