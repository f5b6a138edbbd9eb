//! Explanations: for one case, why each rule has its status — the windows
//! judged, the events counted, the exemption and why it applies, and the
//! rule's source lines and citations (language reference §6.3). This is the
//! slow path: it re-runs each rule with a recording `Trace` and allocates.

use serde::{Deserialize, Serialize};

use crate::bytecode::program::{Body, CountTerm, Form, Program, StrId};
use crate::caseload::batch::CaseRef;
use crate::vm::context::{Ctx, ExemptReason, MonthMemo, NotApplicable, Trace};
use crate::vm::counting::Counter;
use crate::vm::dates::{format_day, MIN_DAY};
use crate::vm::policy::Policy;
use crate::vm::result::{Status, TargetOutcome};

/// Why one case's rules have their statuses on one date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseExplanation {
    pub id: String,
    /// The evaluation date, `YYYY-MM-DD`.
    pub today: String,
    /// The groups the case is in (after priorities).
    pub groups: Vec<String>,
    pub rules: Vec<RuleExplanation>,
    pub targets: Vec<TargetExplanation>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleExplanation {
    pub rule: String,
    pub title: Option<String>,
    pub status: Status,
    pub met_on: Option<String>,
    pub due: Option<String>,
    pub next_due: Option<String>,
    /// In words: why not applicable, or what the status rests on.
    pub reason: String,
    /// The requirement's anchor (day 0), when one was judged.
    pub anchor: Option<String>,
    /// The instances judged, in due order.
    pub windows: Vec<WindowExplanation>,
    /// The qualifying events since the anchor, up to today; for a
    /// prohibition, every forbidden event in its window (each violates).
    pub events: Vec<CountedEvent>,
    /// The rule chose a prohibition (`forbid …`): `windows` holds its one
    /// window (`due` its last day, absent when open-ended) and `events` the
    /// forbidden events in it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub forbids: bool,
    /// Due dates a suspension moved: (original due, days added).
    pub suspended: Vec<(String, i32)>,
    pub exemption: Option<ExemptionExplanation>,
    pub span: SpanExplanation,
    pub citations: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowExplanation {
    pub from: String,
    /// `None` for an obligation without a due date (`after …`).
    pub due: Option<String>,
    pub fulfilled: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountedEvent {
    pub kind: String,
    pub date: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExemptionExplanation {
    pub name: String,
    pub title: Option<String>,
    pub reason: String,
    pub citations: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpanExplanation {
    pub file: String,
    pub line_start: u32,
    pub line_end: u32,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetExplanation {
    pub target: String,
    pub outcome: TargetOutcome,
}

#[derive(Default)]
struct Recorder {
    na: Option<NotApplicable>,
    req: Option<(usize, i32)>,
    instances: Vec<(i32, Option<i32>, Option<i32>)>,
    exempt: Option<(u16, ExemptReason)>,
    shifts: Vec<(i32, i32)>,
    forbids: bool,
}

impl Trace for Recorder {
    fn not_applicable(&mut self, why: NotApplicable) {
        self.na.get_or_insert(why);
    }
    fn requirement(&mut self, body: usize, anchor: i32) {
        self.req = Some((body, anchor));
    }
    fn instance(&mut self, from: i32, due: i32, fulfilled: Option<i32>) {
        self.instances.push((from, Some(due), fulfilled));
    }
    fn open_instance(&mut self, from: i32, fulfilled: Option<i32>) {
        self.instances.push((from, None, fulfilled));
    }
    fn exempt(&mut self, exemption: u16, why: ExemptReason) {
        self.exempt = Some((exemption, why));
    }
    fn shifted(&mut self, raw_due: i32, days: i32) {
        self.shifts.push((raw_due, days));
    }
    fn prohibition(&mut self, from: i32, to: Option<i32>, _violated_on: Option<i32>) {
        self.forbids = true;
        self.instances.push((from, to, None));
    }
}

fn s(p: &Program, id: StrId) -> String {
    p.text(id).to_owned()
}

pub(crate) fn explain(policy: &Policy, case: CaseRef<'_>, today: i32) -> CaseExplanation {
    let p = policy.program();
    let m = policy.machine();
    let mut result = policy.new_result();
    m.evaluate(case, today, &mut result);
    let memo = MonthMemo::default();
    let cx = Ctx::new(case, today, &p.schema, &memo);
    let mut rules = Vec::with_capacity(p.rules.len());
    for (r, rule) in p.rules.iter().enumerate() {
        let mut rec = Recorder::default();
        let res = m.rule(r, &cx, &result.groups, &mut rec);
        let mut events = Vec::new();
        let kind_name = |k: u16| {
            p.schema
                .events
                .get(usize::from(k))
                .map(|k| s(p, k.name))
                .unwrap_or_default()
        };
        if let Some(Body::Require(req)) = rec.req.and_then(|(b, _)| rule.body.get(b)) {
            let anchor = rec.req.map_or(0, |(_, a)| i64::from(a));
            if let (Form::Forbid { .. }, Some(term), Some(&(_, to, _))) =
                (req.form, req.counts.first(), rec.instances.first())
            {
                // every forbidden event, not only the first
                let susp = m.suspensions(r, &cx);
                let kind = kind_name(term.kind);
                m.forbidden(term, anchor, to.map(i64::from), &cx, &susp, |d| {
                    events.push(CountedEvent {
                        kind: kind.clone(),
                        date: format_day(d as i32),
                    });
                    true
                });
            }
            for term in req
                .counts
                .iter()
                .filter(|_| !matches!(req.form, Form::Forbid { .. }))
            {
                // a count over several kinds: each kind's events, then all
                // of the count's in date order, each named by its own kind
                let lanes = std::iter::once((term.kind, term.filter))
                    .chain(p.also(term).iter().map(|a| (a.kind, a.filter)));
                let mut counted = Vec::new();
                for (kind, filter) in lanes {
                    let one = CountTerm {
                        kind,
                        n: term.n,
                        filter,
                        also: u32::MAX,
                    };
                    let mut c = Counter::new(&m, &cx, &one, anchor, i64::from(today));
                    let mut k = 1;
                    while let Some(d) = c.nth(k) {
                        counted.push((d, kind));
                        k += 1;
                    }
                }
                counted.sort_by_key(|(d, _)| *d);
                events.extend(counted.into_iter().map(|(d, kind)| CountedEvent {
                    kind: kind_name(kind),
                    date: format_day(d as i32),
                }));
            }
        }
        let exemption = res.exemption.and_then(|e| {
            let ex = p.exemptions.get(usize::from(e))?;
            let reason = match rec.exempt.map(|(_, w)| w) {
                Some(ExemptReason::Period(a, b)) if b == crate::caseload::batch::OPEN_END => {
                    format!(
                        "today is in the period from {} (still running)",
                        format_day(a)
                    )
                }
                Some(ExemptReason::Period(a, b)) => format!(
                    "today is in the period {} .. {}",
                    format_day(a),
                    format_day(b)
                ),
                _ => "its condition holds today".to_string(),
            };
            Some(ExemptionExplanation {
                name: s(p, ex.name),
                title: ex.title.map(|t| s(p, t)),
                reason,
                citations: ex.citations.iter().map(|c| s(p, *c)).collect(),
            })
        });
        let reason = match (res.status, rec.na) {
            (Status::NotApplicable, Some(why)) => match why {
                NotApplicable::NotInGroup => "the case is in none of the rule's groups",
                NotApplicable::WhenFalse => "the rule's `when` condition is false today",
                NotApplicable::OutOfEffect => "today is outside the rule's effective dates",
                NotApplicable::NoBranch => "the condition chose no requirement",
                NotApplicable::NoAnchor => "the anchor date is absent",
                NotApplicable::AnchorAfterToday => "the anchor date is after today",
                NotApplicable::NotStarted => "the obligation has not started yet",
            },
            (Status::Met, _) if rec.forbids && res.met_on.is_none() => {
                "no forbidden event so far; the window is still open"
            }
            (Status::Met, _) if rec.forbids => "no forbidden event in the window, now closed",
            (Status::Met, _) => "fulfilled on time",
            (Status::MetLate, _) => "fulfilled after the due date",
            (Status::Pending, _) if res.due.is_none() => {
                "not yet fulfilled; the obligation has no due date"
            }
            (Status::Pending, _) => "not yet fulfilled; the due date has not passed",
            (Status::Overdue, _) => "not fulfilled and the due date has passed",
            (Status::Violated, _) => "a forbidden event is dated in the window",
            (Status::Exempt, _) => "an exemption applies",
            (Status::NotApplicable, None) => "not applicable",
        }
        .to_string();
        let span = p.spans.get(rule.span as usize);
        rules.push(RuleExplanation {
            rule: s(p, rule.name),
            title: rule.title.map(|t| s(p, t)),
            status: res.status,
            met_on: res.met_on.map(format_day),
            due: res.due.map(format_day),
            next_due: res.next_due.map(format_day),
            reason,
            // a per-event rule without `from` has no anchor of its own
            anchor: rec
                .req
                .map(|(_, a)| a)
                .filter(|a| i64::from(*a) != MIN_DAY)
                .map(format_day),
            windows: rec
                .instances
                .iter()
                .map(|(f, d, ok)| WindowExplanation {
                    from: format_day(*f),
                    due: d.map(format_day),
                    fulfilled: ok.map(format_day),
                })
                .collect(),
            events,
            forbids: rec.forbids,
            suspended: rec
                .shifts
                .iter()
                .map(|(d, n)| (format_day(*d), *n))
                .collect(),
            exemption,
            span: SpanExplanation {
                file: span
                    .and_then(|sp| p.files.get(usize::from(sp.file)))
                    .map(|f| s(p, *f))
                    .unwrap_or_default(),
                line_start: span.map_or(0, |sp| sp.line_start),
                line_end: span.map_or(0, |sp| sp.line_end),
                text: span.map(|sp| s(p, sp.text)).unwrap_or_default(),
            },
            citations: rule.citations.iter().map(|c| s(p, *c)).collect(),
        });
    }
    CaseExplanation {
        id: case.id().to_string(),
        today: format_day(today),
        groups: p
            .groups
            .iter()
            .zip(&result.groups)
            .filter(|(_, m)| **m)
            .map(|(g, _)| s(p, g.name))
            .collect(),
        rules,
        targets: p
            .targets
            .iter()
            .zip(&result.targets)
            .map(|(t, o)| TargetExplanation {
                target: s(p, t.name),
                outcome: *o,
            })
            .collect(),
    }
}
