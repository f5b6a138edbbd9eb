//! `Policy`: a verified program plus the lookups the VM precomputes once at
//! load, so the per-case loop needs no hashing and no allocation. The
//! lookups themselves are built in `lookups.rs` (expression trees in
//! `trees.rs`, filter and group plans in `plans.rs`).

use crate::bytecode::format::{self, LoadError};
use crate::bytecode::program::{Program, NONE};
use crate::bytecode::verify;
use crate::caseload::batch::CaseRef;
use crate::vm::explain::CaseExplanation;
use crate::vm::forecast::Demand;
use crate::vm::lookups::Lookups;
use crate::vm::machine::Machine;
use crate::vm::result::{CaseResult, RuleResult, TargetOutcome};

/// A loaded, verified policy, ready to evaluate cases. Cheap to share
/// between threads (`&Policy` is `Sync`).
#[derive(Debug, Clone)]
pub struct Policy {
    program: Program,
    pub(crate) lookups: Lookups,
}

impl Policy {
    /// Loads artifact bytes: header, checksum, payload, then the verifier.
    pub fn load(bytes: &[u8]) -> Result<Policy, LoadError> {
        Policy::from_program(format::decode(bytes)?)
    }

    /// Verifies a program (as the compiler produced it) and prepares it.
    pub fn from_program(program: Program) -> Result<Policy, LoadError> {
        verify::verify(&program)?;
        let lookups = Lookups::build(&program);
        Ok(Policy { program, lookups })
    }

    /// The artifact bytes (`Policy::load` reads them back).
    pub fn to_bytes(&self) -> Vec<u8> {
        format::encode(&self.program)
    }

    /// An upper bound on the work evaluating one case takes:
    /// `fixed + per_item × (events + periods)` steps (see `bytecode::cost`).
    pub fn cost_bound(&self) -> crate::bytecode::cost::CostBound {
        crate::bytecode::cost::cost_bound(&self.program)
    }

    pub fn program(&self) -> &Program {
        &self.program
    }

    /// A result sized for this policy, to pass to `evaluate_case` again and again.
    pub fn new_result(&self) -> CaseResult {
        CaseResult {
            groups: vec![false; self.program.groups.len()],
            rules: vec![RuleResult::NOT_APPLICABLE; self.program.rules.len()],
            targets: vec![TargetOutcome::NotCounted; self.program.targets.len()],
        }
    }

    /// Evaluates one case on `today` (days since 1970-01-01) into `out`,
    /// overwriting it. Allocates nothing when `out` came from `new_result`.
    pub fn evaluate_case(&self, case: CaseRef<'_>, today: i32, out: &mut CaseResult) {
        self.machine().evaluate(case, today, out);
    }

    /// The values one case adds to the average targets (§8), after
    /// `evaluate_case` gave `result`: `values[t]` for an average target the
    /// case counts toward, `NONE` for every other target. `values` is
    /// resized to the number of targets.
    pub fn target_values(
        &self,
        case: CaseRef<'_>,
        today: i32,
        result: &CaseResult,
        values: &mut Vec<i64>,
    ) {
        values.clear();
        values.resize(self.program.targets.len(), NONE);
        self.machine().target_values(case, today, result, values);
    }

    /// Why each rule has its status for one case: windows, counted events,
    /// exemptions, source lines and citations. Slower than `evaluate_case`.
    pub fn explain_case(&self, case: CaseRef<'_>, today: i32) -> CaseExplanation {
        crate::vm::explain::explain(self, case, today)
    }

    /// The events the case still needs: every open instance due in
    /// `[today, today + horizon_days]` and every overdue one, per rule and
    /// event kind, assuming each projected event happens on its due date.
    pub fn forecast_case(&self, case: CaseRef<'_>, today: i32, horizon_days: u32) -> Vec<Demand> {
        let mut scratch = self.new_result();
        let mut out = Vec::new();
        self.forecast_case_into(case, today, horizon_days, &mut scratch, &mut out);
        out
    }

    /// `forecast_case` reusing buffers: `scratch` from `new_result`; `out` is
    /// cleared first.
    pub fn forecast_case_into(
        &self,
        case: CaseRef<'_>,
        today: i32,
        horizon_days: u32,
        scratch: &mut CaseResult,
        out: &mut Vec<Demand>,
    ) {
        out.clear();
        crate::vm::forecast::forecast(self, case, today, horizon_days, scratch, out);
    }

    pub(crate) fn machine(&self) -> Machine<'_> {
        Machine {
            p: &self.program,
            l: &self.lookups,
        }
    }
}
