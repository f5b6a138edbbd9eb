//! Replays the committed fuzz seeds (`runtime/fuzz/seeds/<target>/`) through
//! the fuzz targets' own properties (`runtime/fuzz/props.rs`), on stable, so
//! CI re-checks every input the fuzzers found interesting: the loader, the
//! NDJSON reader and the CSV reader never panic and their counts add up.

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
        // A panic names the input, so it can be fuzzed or debugged directly.
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
fn loader_seeds_are_refused_or_evaluated() {
    assert!(replay("load", props::load) >= 10);
}

#[test]
fn ndjson_seeds_keep_counts() {
    assert!(replay("ndjson", props::ndjson) >= 10);
}

#[test]
fn csv_seeds_keep_counts() {
    assert!(replay("csv", props::csv) >= 10);
}
