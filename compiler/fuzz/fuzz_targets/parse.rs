//! Fuzz target `parse`: any bytes, read as text, must parse (with or
//! without errors) and never panic; text that parses cleanly must format to
//! text that parses cleanly again.
//!
//! Run with `cargo +nightly fuzz run parse` from `compiler/`; seed the
//! corpus with the policies: `cp ../policies/*.pol fuzz/corpus/parse/`.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pol_compiler::diagnostics::Diagnostics;
use pol_compiler::format::format_file;
use pol_compiler::syntax::parse_file;
use pol_compiler::syntax::span::FileId;

fuzz_target!(|data: &[u8]| {
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
});
