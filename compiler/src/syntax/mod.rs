//! Syntax: the pest grammar, the AST with spans, the parser and keyword tables.

pub mod ast;
pub mod codes;
pub mod keywords;
pub mod parse;
pub mod span;

pub use parse::parse_file;
