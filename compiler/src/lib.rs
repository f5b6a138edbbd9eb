//! `pol-compiler`: `.pol` sources to checked programs to `pol-runtime` bytecode.
//! The library does no file or terminal IO; the `pol` binary does.

pub mod check;
pub mod diagnostics;
pub mod format;
pub mod lower;
pub mod syntax;
pub mod testing;

pub use check::{check_source, Compilation, MemoryLoader, SourceLoader};

use pol_runtime::bytecode::program::Program;

/// The bytecode of a compilation, when it has no errors (warnings allowed).
pub fn lower_compilation(c: &Compilation) -> Option<Program> {
    if c.has_errors() {
        return None;
    }
    Some(lower::lower(&c.checked, &c.sources))
}
