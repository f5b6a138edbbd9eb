//! Running a policy's inline `test` blocks: each test's case is evaluated by
//! the real runtime on the compiled bytecode, and every expectation is
//! compared with what the runtime says.

use pol_runtime::caseload::batch::{CaseBatch, CaseData};
use pol_runtime::vm::dates::format_day;
use pol_runtime::vm::explain::RuleExplanation;
use pol_runtime::vm::result::TargetOutcome;
use pol_runtime::{Policy, RuleResult, Status};

use crate::check::ir::{Checked, ExpectIr, TestIr};
use crate::syntax::ast::{Language, StatusWord};
use crate::syntax::keywords::{self, Kw};
use crate::syntax::span::Span;

/// One test's outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct TestOutcome {
    pub name: String,
    pub span: Span,
    pub failures: Vec<Failure>,
}

impl TestOutcome {
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// One expectation that did not hold.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub span: Span,
    /// What the test expected, in words (`first_contact is overdue due 2026-04-26`).
    pub expected: String,
    /// What the runtime said.
    pub actual: String,
    /// The runtime's explanation of the rule, when the expectation was about one.
    pub explanation: Option<RuleExplanation>,
}

/// Runs every test of `checked` on `policy` (its lowering).
pub fn run_tests(checked: &Checked, policy: &Policy) -> Vec<TestOutcome> {
    run_selected(checked, policy, |_| true)
}

/// Runs only the tests `select` keeps (by name), in file order.
pub fn run_selected(
    checked: &Checked,
    policy: &Policy,
    select: impl Fn(&str) -> bool,
) -> Vec<TestOutcome> {
    checked
        .tests
        .iter()
        .filter(|t| select(&t.name))
        .map(|t| run_test(checked, policy, t))
        .collect()
}

fn case_of(policy: &Policy, t: &TestIr) -> CaseBatch {
    let schema = &policy.program().schema;
    let mut data = CaseData::new(schema, t.name.clone());
    data.fields = t.fields.clone();
    data.periods = t.periods.clone();
    for (kind, date, values) in &t.events {
        if let Some(list) = data.events.get_mut(*kind) {
            list.push((*date, values.clone()));
        }
    }
    let mut batch = CaseBatch::new(schema);
    batch.push(data, 0);
    batch
}

/// The file's keyword language, so failures read like the test that failed.
fn language(checked: &Checked) -> Language {
    if checked.meta.language == 1 {
        Language::Danish
    } else {
        Language::English
    }
}

fn run_test(checked: &Checked, policy: &Policy, t: &TestIr) -> TestOutcome {
    let lang = language(checked);
    let kw = |k: Kw| k.word(lang);
    let batch = case_of(policy, t);
    let case = batch.case(0);
    let mut result = policy.new_result();
    policy.evaluate_case(case, t.at, &mut result);
    let mut failures = Vec::new();
    let mut explanation = None;
    for e in &t.expects {
        match e {
            ExpectIr::Target {
                target,
                outcome,
                span,
            } => {
                let actual = result
                    .targets
                    .get(*target)
                    .copied()
                    .unwrap_or(TargetOutcome::NotCounted);
                if actual != *outcome {
                    let name = checked
                        .targets
                        .get(*target)
                        .map(|t| t.name.as_str())
                        .unwrap_or("?");
                    failures.push(Failure {
                        span: *span,
                        expected: format!(
                            "{} {name} {} {}",
                            kw(Kw::Target),
                            kw(Kw::Is),
                            kw(outcome_kw(*outcome))
                        ),
                        actual: format!(
                            "{} {name} {} {}",
                            kw(Kw::Target),
                            kw(Kw::Is),
                            kw(outcome_kw(actual))
                        ),
                        explanation: None,
                    });
                }
            }
            ExpectIr::InGroup {
                group,
                negated,
                span,
            } => {
                let is_in = result.groups.get(*group).copied().unwrap_or(false);
                if is_in == *negated {
                    let name = checked
                        .groups
                        .get(*group)
                        .map(|g| g.name.as_str())
                        .unwrap_or("?");
                    let (is_in, not_in) = (
                        format!("{} {name}", kw(Kw::In)),
                        format!("{} {} {name}", kw(Kw::Not), kw(Kw::In)),
                    );
                    let (exp, act) = if *negated {
                        (not_in, is_in)
                    } else {
                        (is_in, not_in)
                    };
                    failures.push(Failure {
                        span: *span,
                        expected: exp,
                        actual: act,
                        explanation: None,
                    });
                }
            }
            ExpectIr::Status {
                rule,
                status,
                on,
                exemption,
                due,
                span,
            } => {
                let actual = result
                    .rules
                    .get(*rule)
                    .copied()
                    .unwrap_or(RuleResult::NOT_APPLICABLE);
                let ok = actual.status == *status
                    && on.is_none_or(|d| actual.met_on == Some(d))
                    && exemption.is_none_or(|x| actual.exemption == Some(x as u16))
                    && due.is_none_or(|d| actual.due == Some(d));
                if ok {
                    continue;
                }
                let rule_name = checked
                    .rules
                    .get(*rule)
                    .map(|r| r.name.as_str())
                    .unwrap_or("?");
                let expl = explanation.get_or_insert_with(|| policy.explain_case(case, t.at));
                failures.push(Failure {
                    span: *span,
                    expected: format!(
                        "{rule_name} {} {}",
                        kw(Kw::Is),
                        describe(checked, *status, *on, exemption.map(|x| x as u16), *due)
                    ),
                    actual: format!(
                        "{rule_name} {} {}",
                        kw(Kw::Is),
                        describe(
                            checked,
                            actual.status,
                            actual.met_on,
                            actual.exemption,
                            actual.due
                        )
                    ),
                    explanation: expl.rules.get(*rule).cloned(),
                });
            }
        }
    }
    TestOutcome {
        name: t.name.clone(),
        span: t.span,
        failures,
    }
}

/// A target outcome's keyword in the test syntax (`expect target t is not_counted`).
fn outcome_kw(o: TargetOutcome) -> Kw {
    match o {
        TargetOutcome::Satisfies => Kw::Satisfied,
        TargetOutcome::Fails => Kw::Failed,
        TargetOutcome::Excluded => Kw::Excluded,
        TargetOutcome::NotCounted => Kw::NotCounted,
    }
}

/// A status's keyword in the test syntax.
fn status_kw(s: Status) -> Kw {
    keywords::status_kw(match s {
        Status::Met => StatusWord::Met,
        Status::MetLate => StatusWord::MetLate,
        Status::Pending => StatusWord::Pending,
        Status::Overdue => StatusWord::Overdue,
        Status::Violated => StatusWord::Violated,
        Status::Exempt => StatusWord::Exempt,
        Status::NotApplicable => StatusWord::NotApplicable,
    })
}

/// A status in the test syntax: `met(2026-03-10)`, `violated(2026-03-02)`,
/// `exempt(standby) due 2026-05-01`.
fn describe(
    checked: &Checked,
    status: Status,
    on: Option<i32>,
    exemption: Option<u16>,
    due: Option<i32>,
) -> String {
    let lang = language(checked);
    let mut s = status_kw(status).word(lang).to_string();
    match (status, on, exemption) {
        (Status::Met | Status::MetLate | Status::Violated, Some(d), _) => {
            s.push_str(&format!("({})", format_day(d)));
        }
        (Status::Exempt, _, Some(x)) => {
            let name = checked
                .exemptions
                .get(usize::from(x))
                .map(|e| e.name.as_str())
                .unwrap_or("?");
            s.push_str(&format!("({name})"));
        }
        _ => {}
    }
    if let Some(d) = due {
        s.push_str(&format!(" {} {}", Kw::Due.word(lang), format_day(d)));
    }
    s
}
