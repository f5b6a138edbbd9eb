//! Fuzz target: the CSV case reader never panics on any cases and events
//! files (the input is split at the first NUL byte), and its counts add up.
//! The property itself lives in `props.rs`, shared with the stable corpus
//! replay test; run with `cargo +nightly fuzz run csv` from `runtime/`.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[allow(dead_code, reason = "each target uses one of the shared properties")]
#[path = "../props.rs"]
mod props;

fuzz_target!(|data: &[u8]| props::csv(data));
