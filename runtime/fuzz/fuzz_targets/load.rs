//! Fuzz target `load`: the loader must refuse arbitrary bytes with an error,
//! never panic, and whatever it accepts must evaluate without panicking.
//! The property itself lives in `props.rs`, shared with the stable corpus
//! replay test; run with `cargo +nightly fuzz run load` from `runtime/`.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[allow(dead_code, reason = "each target uses one of the shared properties")]
#[path = "../props.rs"]
mod props;

fuzz_target!(|data: &[u8]| props::load(data));
