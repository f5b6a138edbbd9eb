//! Fuzz target: the NDJSON case reader never panics on any bytes, its
//! counts always add up, and every case it accepts has sorted events.
//! The property itself lives in `props.rs`, shared with the stable corpus
//! replay test; run with `cargo +nightly fuzz run ndjson` from `runtime/`.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[allow(dead_code, reason = "each target uses one of the shared properties")]
#[path = "../props.rs"]
mod props;

fuzz_target!(|data: &[u8]| props::ndjson(data));
