//! `pol-runtime`: loads compiled `.pol` policies and evaluates caseloads.
//!
//! The runtime depends on neither the compiler nor pest: a case system links
//! this crate and loads artifact bytes (`pol build policy.pol -o policy.polc`).
//! A whole caseload, streamed in chunks and evaluated on all cores:
//!
//! ```no_run
//! use std::fs::File;
//! use std::io::BufReader;
//! use pol_runtime::caseload::driver::{evaluate_caseload, EvalOptions};
//! use pol_runtime::caseload::{NdjsonReader, ReadOptions};
//! use pol_runtime::vm::dates::parse_day;
//! use pol_runtime::Policy;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // Magic, format version, checksum and the verifier: a damaged or foreign
//! // file is refused here with a `LoadError`, never a panic.
//! let policy = Policy::load(&std::fs::read("policy.polc")?)?;
//! let input = BufReader::new(File::open("cases.ndjson")?);
//! let mut reader = NdjsonReader::new(policy.program(), input, ReadOptions::default());
//! let today = parse_day("2025-09-30").ok_or("bad date")?;
//! let mut out = std::io::stdout();
//! let summary = evaluate_caseload(&policy, &mut reader, today, &EvalOptions::default(), Some(&mut out))?;
//! // Bad rows were reported and skipped; the counts always add up.
//! assert!(summary.read.counts_add_up());
//! # Ok(())
//! # }
//! ```
//!
//! One case at a time, reusing one result buffer (no allocation per case):
//! `Policy::new_result`, then `Policy::evaluate_case(batch.case(i), today, &mut result)`;
//! `Policy::explain_case` says why each rule has its status.

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
