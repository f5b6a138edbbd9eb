//! Checking: name resolution across imports, types against the schema, analyses.

pub mod codes;
pub mod ir;
