//! `pol-runtime`: loads compiled `.pol` policies and evaluates caseloads.
//!
//! The runtime depends on neither the compiler nor pest: a case system links
//! this crate and loads artifact bytes.

pub mod bytecode;
pub mod caseload;
pub mod vm;
