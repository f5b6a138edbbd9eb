//! `pol-runtime`: loads compiled `.pol` policies and evaluates caseloads.
//!
//! The runtime depends on neither the compiler nor pest: a case system links
//! this crate and loads artifact bytes.
//!
//! ```ignore
//! let policy = pol_runtime::Policy::load(&bytes)?;   // magic, version, checksum, verify
//! let mut result = policy.new_result();
//! policy.evaluate_case(batch.case(0), today, &mut result);
//! ```

pub mod bytecode;
pub mod caseload;
pub mod codes;
pub mod vm;

pub use bytecode::format::LoadError;
pub use caseload::batch::{CaseBatch, CaseData, CaseRef};
pub use vm::explain::CaseExplanation;
pub use vm::forecast::Demand;
pub use vm::policy::Policy;
pub use vm::result::{CaseResult, RuleResult, Status, TargetOutcome};
