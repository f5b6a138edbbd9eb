//! The evaluator: one case, one date, every group and rule.

pub(crate) mod context;
pub(crate) mod counting;
pub mod dates;
pub mod explain;
mod exprs;
pub mod forecast;
mod lookups;
pub(crate) mod machine;
pub mod params;
mod plans;
pub mod policy;
pub mod result;
mod trees;
