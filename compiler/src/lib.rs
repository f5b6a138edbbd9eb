//! `pol-compiler`: `.pol` sources to checked programs to `pol-runtime` bytecode.
//! The library does no file or terminal IO; the `pol` binary does.

pub mod check;
pub mod diagnostics;
pub mod lower;
pub mod syntax;
