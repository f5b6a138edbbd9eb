//! Examples for embedding `pol-runtime`, and the synthetic caseload generator
//! the bundled caseloads, the tests and the benches are made with.
//!
//! * [`compile`]: `.pol` files on disk to a runtime `Policy` (the compiler
//!   library does no IO, so the file loader lives here).
//! * [`gen`]: a deterministic, schema-driven caseload generator.
//! * [`rng`]: the small PRNG that makes the generator reproducible without
//!   an external crate whose stream could change between versions.

pub mod compile;
pub mod gen;
pub mod rng;
