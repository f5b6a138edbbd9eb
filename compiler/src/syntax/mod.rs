//! Syntax: the pest grammar, the AST with spans, the parser and keyword tables.

pub mod codes;
pub mod span;
