//! What the `pol` binary's end-to-end tests share: running the binary from
//! the fixtures folder `tests/cli/`, its outputs, scratch folders, and
//! snapshots in `tests/cli/snapshots/`.
#![allow(dead_code, unused_macros, unused_imports)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

pub const AS_OF: &str = "--as-of=2026-03-10";

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli")
}

pub fn pol() -> Command {
    let mut cmd = Command::cargo_bin("pol").unwrap();
    cmd.current_dir(fixtures())
        .env("NO_COLOR", "1")
        .env("COLUMNS", "80")
        .env_remove("POL_REDACT_KEY");
    cmd
}

/// Runs `pol args...` and returns its output, asserting the exit code.
pub fn run(args: &[&str], code: i32) -> Output {
    let out = pol().args(args).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(code),
        "pol {args:?} exited {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// A fresh scratch folder for one test (outputs, copies to format).
pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("pol-cli")
        .join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

macro_rules! snapshot {
    ($name:expr, $value:expr) => {
        insta::with_settings!({
            snapshot_path => "cli/snapshots",
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!($name, $value);
        })
    };
}

macro_rules! json_snapshot {
    ($name:expr, $value:expr) => {
        insta::with_settings!({
            snapshot_path => "cli/snapshots",
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_json_snapshot!($name, $value);
        })
    };
}
