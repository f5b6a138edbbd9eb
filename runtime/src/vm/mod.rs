//! The evaluator: one case, one date, every group and rule.

pub mod result;
