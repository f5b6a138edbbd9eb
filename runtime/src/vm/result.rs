//! What evaluating one case gives: group membership and one result per rule.

use serde::{Deserialize, Serialize};

/// A rule's status for one case on one date (language reference §6.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Met,
    MetLate,
    Pending,
    Overdue,
    /// A prohibition: a forbidden event is dated in its window (A42).
    Violated,
    Exempt,
    NotApplicable,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::Met,
        Status::MetLate,
        Status::Pending,
        Status::Overdue,
        Status::Violated,
        Status::Exempt,
        Status::NotApplicable,
    ];

    /// The status word in English (as in JSON output and English `.pol` tests).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Met => "met",
            Status::MetLate => "met_late",
            Status::Pending => "pending",
            Status::Overdue => "overdue",
            Status::Violated => "violated",
            Status::Exempt => "exempt",
            Status::NotApplicable => "not_applicable",
        }
    }

    /// The status word in Danish (as in Danish `.pol` tests and reports).
    pub fn as_danish(self) -> &'static str {
        match self {
            Status::Met => "opfyldt",
            Status::MetLate => "opfyldt_for_sent",
            Status::Pending => "afventer",
            Status::Overdue => "overskredet",
            Status::Violated => "overtrådt",
            Status::Exempt => "fritaget",
            Status::NotApplicable => "ikke_relevant",
        }
    }

    /// Whether the obligation has come due (counts in the timeliness share):
    /// a violated prohibition is due and not met on time.
    pub fn is_due(self) -> bool {
        matches!(
            self,
            Status::Met | Status::MetLate | Status::Overdue | Status::Violated
        )
    }
}

/// One rule's outcome for one case. Dates are days since 1970-01-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleResult {
    pub status: Status,
    /// When the reported instance was fulfilled (met, met_late); for a
    /// prohibition, the date of the first forbidden event (violated), or
    /// the window's end once it has passed without one (met).
    pub met_on: Option<i32>,
    /// The reported instance's due date (after any suspension).
    pub due: Option<i32>,
    /// The next open instance's due date, when the status reports an earlier one.
    pub next_due: Option<i32>,
    /// The exemption (index into `Program::exemptions`) behind `exempt`.
    pub exemption: Option<u16>,
}

impl RuleResult {
    pub const NOT_APPLICABLE: RuleResult = RuleResult {
        status: Status::NotApplicable,
        met_on: None,
        due: None,
        next_due: None,
        exemption: None,
    };
}

/// Everything evaluating one case gives. Reused across cases: the VM
/// overwrites it, so the per-case loop allocates nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseResult {
    /// `groups[g]`: whether the case is in group `g` (after priorities).
    pub groups: Vec<bool>,
    /// `rules[r]`: rule `r`'s result.
    pub rules: Vec<RuleResult>,
    /// `targets[t]`: how the case counts toward target `t`.
    pub targets: Vec<TargetOutcome>,
}

/// How one case counts toward one target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetOutcome {
    /// Not in the target's group, or its `where` filter is false.
    NotCounted,
    /// Exempt from a rule the target names: leaves the denominator.
    Excluded,
    /// In the denominator, condition false.
    Fails,
    /// In the denominator, condition true.
    Satisfies,
}
