//! Replays the committed fuzz seeds (`compiler/fuzz/seeds/<target>/`: small
//! inputs the fuzzers kept for new coverage) through the fuzz targets' own
//! properties (`compiler/fuzz/props.rs`), on stable, so CI re-checks them:
//! parsing and checking never panic, formatting re-parses, and whatever
//! checks cleanly lowers to bytecode the verifier accepts.

#![allow(clippy::unwrap_used, clippy::panic)]

use std::fs;
use std::path::Path;

#[path = "../fuzz/props.rs"]
mod props;

fn replay(target: &str, property: fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/seeds")
        .join(target);
    let mut n = 0;
    for entry in fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let data = fs::read(&path).unwrap();
        let ok = std::panic::catch_unwind(|| property(&data));
        assert!(
            ok.is_ok(),
            "{target}: {} fails the property",
            path.display()
        );
        n += 1;
    }
    n
}

#[test]
fn parse_seeds_parse_and_format() {
    assert!(replay("parse", props::parse) >= 10);
}

#[test]
fn check_seeds_check_and_lower() {
    assert!(replay("check", props::check) >= 10);
}
