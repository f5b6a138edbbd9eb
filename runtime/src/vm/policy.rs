//! `Policy`: a verified program plus the lookups the VM precomputes once at
//! load, so the per-case loop needs no hashing and no allocation.

use crate::bytecode::format::{self, LoadError};
use crate::bytecode::program::{CodeRef, Effect, Op, Program, NONE};
use crate::bytecode::verify;
use crate::caseload::batch::CaseRef;
use crate::vm::explain::CaseExplanation;
use crate::vm::forecast::Demand;
use crate::vm::machine::{Machine, NoTrace};
use crate::vm::result::{CaseResult, RuleResult, TargetOutcome};

/// A loaded, verified policy, ready to evaluate cases. Cheap to share
/// between threads (`&Policy` is `Sync`).
#[derive(Debug, Clone)]
pub struct Policy {
    program: Program,
    pub(crate) lookups: Lookups,
}

/// How an event filter is evaluated: most filters are one comparison of an
/// event field with a constant, which we test without running the stack
/// machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FilterPlan {
    /// `field == value`
    FieldEq { field: u16, value: i64 },
    /// `field in set`
    FieldIn { field: u16, mask: u64 },
    /// anything else: run the code
    Code(CodeRef),
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Lookups {
    /// Rule r's exemptions are `rule_exemptions[rule_ranges[r].0..rule_ranges[r].1]`.
    pub rule_ranges: Vec<(u32, u32)>,
    pub rule_exemptions: Vec<u16>,
    /// Whether any suspending exemption reaches rule r (skips the shift work).
    pub rule_has_suspend: Vec<bool>,
    /// Exemption e is overridden by `overriders[over_ranges[e].0..over_ranges[e].1]`.
    pub over_ranges: Vec<(u32, u32)>,
    pub overriders: Vec<u16>,
    pub filters: Vec<FilterPlan>,
    /// Groups with a priority, lowest number first (ties by declaration).
    pub priority_groups: Vec<u16>,
}

impl Lookups {
    fn build(p: &Program) -> Lookups {
        let mut l = Lookups::default();
        for r in 0..p.rules.len() {
            let start = l.rule_exemptions.len() as u32;
            let mut suspend = false;
            for (e, ex) in p.exemptions.iter().enumerate() {
                if ex.rules.iter().any(|x| usize::from(*x) == r) {
                    l.rule_exemptions.push(e as u16);
                    suspend |= ex.effect == Effect::Suspend;
                }
            }
            l.rule_ranges.push((start, l.rule_exemptions.len() as u32));
            l.rule_has_suspend.push(suspend);
        }
        for e in 0..p.exemptions.len() {
            let start = l.overriders.len() as u32;
            for (o, ex) in p.exemptions.iter().enumerate() {
                if ex.overrides.iter().any(|x| usize::from(*x) == e) {
                    l.overriders.push(o as u16);
                }
            }
            l.over_ranges.push((start, l.overriders.len() as u32));
        }
        l.filters = p.filters.iter().map(|f| plan_filter(p, f.code)).collect();
        let mut prio: Vec<(u32, u16)> = p
            .groups
            .iter()
            .enumerate()
            .filter_map(|(i, g)| g.priority.map(|pr| (pr, i as u16)))
            .collect();
        prio.sort_unstable();
        l.priority_groups = prio.into_iter().map(|(_, g)| g).collect();
        l
    }

    pub fn exemptions_of(&self, rule: usize) -> &[u16] {
        match self.rule_ranges.get(rule) {
            Some(&(s, e)) => self
                .rule_exemptions
                .get(s as usize..e as usize)
                .unwrap_or(&[]),
            None => &[],
        }
    }

    pub fn overriders_of(&self, exemption: u16) -> &[u16] {
        match self.over_ranges.get(usize::from(exemption)) {
            Some(&(s, e)) => self.overriders.get(s as usize..e as usize).unwrap_or(&[]),
            None => &[],
        }
    }
}

fn plan_filter(p: &Program, code: CodeRef) -> FilterPlan {
    let ops = p
        .code
        .get(code.start as usize..(code.start as usize).saturating_add(code.len as usize));
    match ops {
        // NONE never equals anything, so a NONE constant cannot take the fast path.
        Some([Op::EvField(f), Op::Const(c), Op::Eq] | [Op::Const(c), Op::EvField(f), Op::Eq])
            if *c != crate::bytecode::program::NONE =>
        {
            FilterPlan::FieldEq {
                field: *f,
                value: *c,
            }
        }
        Some([Op::EvField(f), Op::InSet(s)]) => match p.sets.get(*s as usize) {
            Some(mask) => FilterPlan::FieldIn {
                field: *f,
                mask: *mask,
            },
            None => FilterPlan::Code(code),
        },
        _ => FilterPlan::Code(code),
    }
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
        self.machine().evaluate(case, today, out, &mut NoTrace);
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
