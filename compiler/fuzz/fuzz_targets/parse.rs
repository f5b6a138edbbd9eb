//! Fuzz target `parse`: any bytes, read as text, must parse (with or
//! without errors) and never panic; text that parses cleanly must format to
//! text that parses cleanly again.
//!
//! The property lives in `props.rs`, shared with the stable seed replay
//! test; run with `cargo +nightly fuzz run parse` from `compiler/`.

#![no_main]

use libfuzzer_sys::fuzz_target;

#[allow(dead_code, reason = "each target uses one of the shared properties")]
#[path = "../props.rs"]
mod props;

fuzz_target!(|data: &[u8]| props::parse(data));
