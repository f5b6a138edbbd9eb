//! Support code of the differential test: the reference evaluator and the
//! case generator.

pub mod casegen;
pub mod reference;
