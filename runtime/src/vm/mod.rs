//! The evaluator: one case, one date, every group and rule.

pub(crate) mod context;
pub(crate) mod counting;
pub mod dates;
pub mod explain;
mod exprs;
pub mod forecast;
pub(crate) mod machine;
pub mod params;
pub mod policy;
pub mod result;
