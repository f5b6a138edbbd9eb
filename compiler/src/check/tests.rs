//! Checking inline tests: each `test` block's case, events, evaluation date
//! and expectations, built in the runtime value model so the test runner
//! can hand them to the real VM.

use pol_runtime::vm::result::{Status, TargetOutcome};

use super::ir::{BodyIr, ExpectIr, FormIr, TestIr, Ty};
use super::items::{day, Checker};
use super::suggest::did_you_mean;
use crate::diagnostics::Diagnostic;
use crate::syntax::ast;
use crate::syntax::span::FileId;

/// Whether a rule's bodies hold a prohibition, and a requirement.
fn body_forms(b: &BodyIr) -> (bool, bool) {
    match b {
        BodyIr::Require(r) => {
            let forbids = matches!(r.form, FormIr::Forbid(_));
            (forbids, !forbids)
        }
        BodyIr::If {
            then, otherwise, ..
        } => {
            let (f, r) = body_forms(then);
            let (g, q) = otherwise.as_deref().map_or((false, false), body_forms);
            (f || g, r || q)
        }
    }
}

impl Checker<'_> {
    /// E0329: a prohibition is never `met_late`, `pending` or `overdue`; a
    /// requirement is never `violated` (docs/language.md §6.3).
    fn status_never_reached(
        &self,
        r: usize,
        status: Status,
        written: &ast::Keyword,
    ) -> Option<Diagnostic> {
        let rule = self.checked.rules.get(r)?;
        let (forbids, requires) = body_forms(&rule.body);
        let what = match status {
            Status::Violated if !forbids => "a requirement",
            Status::MetLate | Status::Pending | Status::Overdue if !requires => "a prohibition",
            _ => return None,
        };
        Some(
            Diagnostic::error(
                "E0329",
                format!(
                    "`{}` is {what}, so it is never `{}`",
                    rule.name, written.text
                ),
            )
            .with_label(written.span, "never this status")
            .with_help(if what == "a prohibition" {
                "a prohibition is `met` until a forbidden event makes it `violated`; expect one of those"
            } else {
                "only a prohibition (`forbid …`, `every … must …`) can be `violated`; a requirement is `met`, `met_late`, `pending` or `overdue`"
            }),
        )
    }

    /// Tests of the root file only: an imported file's tests run when that
    /// file is tested itself.
    pub(super) fn check_tests(&mut self, root: FileId) {
        let Some((_, file)) = self.files.iter().find(|(id, _)| *id == root) else {
            return;
        };
        for item in &file.items {
            if let ast::Item::Test(t) = item {
                if let Some(ir) = self.test(t) {
                    self.checked.tests.push(ir);
                }
            }
        }
    }

    fn test(&mut self, t: &ast::TestDecl) -> Option<TestIr> {
        let nfields = self.checked.fields.len();
        let mut fields: Vec<Option<i64>> = vec![None; nfields];
        let period_fields: Vec<usize> = self
            .checked
            .fields
            .iter()
            .enumerate()
            .filter(|(_, f)| f.ty == Ty::Periods)
            .map(|(i, _)| i)
            .collect();
        let mut periods: Vec<Vec<(i32, i32)>> = vec![Vec::new(); period_fields.len()];
        let mut ok = true;
        if let Some(case) = &t.case {
            for fv in &case.fields {
                let Some(&fi) = self.field_by_name.get(&fv.name.name) else {
                    let names: Vec<&str> = self
                        .checked
                        .fields
                        .iter()
                        .map(|f| f.name.as_str())
                        .collect();
                    let help = did_you_mean(&fv.name.name, names.iter().copied(), "case field");
                    self.diags.push(
                        Diagnostic::error(
                            "E0204",
                            format!("the case has no field `{}`", fv.name.name),
                        )
                        .with_label(fv.name.span, "unknown field")
                        .with_help(help),
                    );
                    ok = false;
                    continue;
                };
                let Some(field) = self.checked.fields.get(fi).cloned() else {
                    continue;
                };
                if field.ty == Ty::Periods {
                    let intervals = Self::periods_value(&fv.value);
                    if intervals.iter().any(|(from, to)| to < from) {
                        self.diags.push(
                            Diagnostic::error("E0317", "a period ends before it starts")
                                .with_label(fv.value.span, "reversed period")
                                .with_help("write each period as `first day .. last day`"),
                        );
                        ok = false;
                    }
                    if let Some(p) = period_fields.iter().position(|x| *x == fi) {
                        if let Some(slot) = periods.get_mut(p) {
                            *slot = intervals;
                        }
                    }
                }
                // A rejected value still counts as given: it is reported
                // once, as a bad value, not again as a missing field.
                let value = self.literal_value(&fv.value, field.ty, &field.name);
                ok &= value.is_some();
                if let Some(slot) = fields.get_mut(fi) {
                    *slot = Some(value.unwrap_or(0));
                }
            }
        }
        let mut missing = Vec::new();
        let mut values = Vec::with_capacity(nfields);
        for (i, f) in self.checked.fields.iter().enumerate() {
            match fields.get(i).copied().flatten() {
                Some(v) => values.push(v),
                None if f.optional => values.push(Self::absent()),
                None => match f.default {
                    Some(d) => values.push(d),
                    None => {
                        missing.push(f.name.clone());
                        values.push(0);
                    }
                },
            }
        }
        if !missing.is_empty() {
            let span = t.case.as_ref().map(|c| c.span).unwrap_or(t.name.span);
            let list: Vec<String> = missing.iter().map(|m| format!("`{m}`")).collect();
            self.diags.push(
                Diagnostic::error("E0216", format!("the test's case lacks {}", list.join(", ")))
                    .with_label(span, "incomplete case")
                    .with_help("give every field that has no default and is not optional, or declare a default in the schema (`employed: bool = false`)"),
            );
            ok = false;
        }
        let mut events = Vec::new();
        for ev in &t.events {
            let Some(k) = self.event_kind(&ev.kind) else {
                ok = false;
                continue;
            };
            let Some(kind) = self.checked.events.get(k).cloned() else {
                continue;
            };
            let mut ev_values: Vec<Option<i64>> = vec![None; kind.fields.len()];
            for fv in &ev.fields {
                match kind.fields.iter().position(|f| f.name == fv.name.name) {
                    Some(fi) => {
                        let Some(f) = kind.fields.get(fi) else {
                            continue;
                        };
                        match self.literal_value(&fv.value, f.ty, &f.name) {
                            Some(v) => {
                                if let Some(slot) = ev_values.get_mut(fi) {
                                    *slot = Some(v);
                                }
                            }
                            None => ok = false,
                        }
                    }
                    None => {
                        let help = did_you_mean(
                            &fv.name.name,
                            kind.fields.iter().map(|f| f.name.as_str()),
                            "field",
                        );
                        self.diags.push(
                            Diagnostic::error(
                                "E0210",
                                format!("event `{}` has no field `{}`", kind.name, fv.name.name),
                            )
                            .with_label(fv.name.span, "unknown field")
                            .with_help(help),
                        );
                        ok = false;
                    }
                }
            }
            let mut row = Vec::with_capacity(kind.fields.len());
            let mut lacking = Vec::new();
            for (i, f) in kind.fields.iter().enumerate() {
                match ev_values.get(i).copied().flatten() {
                    Some(v) => row.push(v),
                    None if f.optional => row.push(Self::absent()),
                    None => match f.default {
                        Some(d) => row.push(d),
                        None => {
                            lacking.push(format!("`{}`", f.name));
                            row.push(0);
                        }
                    },
                }
            }
            if !lacking.is_empty() {
                self.diags.push(
                    Diagnostic::error(
                        "E0216",
                        format!("the `{}` event lacks {}", kind.name, lacking.join(", ")),
                    )
                    .with_label(ev.span, "incomplete event")
                    .with_help(format!(
                        "give the event's fields in braces after its date: `{{ {}: … }}`",
                        lacking
                            .first()
                            .map(|l| l.trim_matches('`'))
                            .unwrap_or_default()
                    )),
                );
                ok = false;
            }
            events.push((k, day(&ev.date), row));
        }
        let mut expects = Vec::new();
        for ex in &t.expects {
            match &ex.kind {
                ast::ExpectKind::Target {
                    target, outcome, ..
                } => {
                    let found = self
                        .checked
                        .targets
                        .iter()
                        .position(|x| x.name == target.name);
                    match found {
                        Some(i) => expects.push(ExpectIr::Target {
                            target: i,
                            outcome: match outcome {
                                ast::OutcomeWord::Satisfied => TargetOutcome::Satisfies,
                                ast::OutcomeWord::Failed => TargetOutcome::Fails,
                                ast::OutcomeWord::Excluded => TargetOutcome::Excluded,
                                ast::OutcomeWord::NotCounted => TargetOutcome::NotCounted,
                            },
                            span: ex.span,
                        }),
                        // declared, but it did not check: reported already
                        None if self.target_names.contains(&target.name) => {}
                        None => {
                            let help = did_you_mean(
                                &target.name,
                                self.target_names.iter().map(String::as_str),
                                "target",
                            );
                            self.diags.push(
                                Diagnostic::error(
                                    "E0217",
                                    format!("there is no target `{}`", target.name),
                                )
                                .with_label(target.span, "unknown target")
                                .with_help(help),
                            );
                        }
                    }
                    if found.is_none() {
                        ok = false;
                    }
                }
                ast::ExpectKind::InGroup { negated, group } => {
                    if let Some(g) = self.group(group) {
                        expects.push(ExpectIr::InGroup {
                            group: g,
                            negated: *negated,
                            span: ex.span,
                        });
                    } else {
                        ok = false;
                    }
                }
                ast::ExpectKind::Status {
                    group,
                    rule,
                    status,
                    status_keyword,
                    arg,
                    due,
                } => {
                    let r = match group {
                        Some(g) => self.group(g).and_then(|gi| self.rule_in_group(gi, rule)),
                        None => self.rule(rule),
                    };
                    let Some(r) = r else {
                        ok = false;
                        continue;
                    };
                    let status = match status {
                        ast::StatusWord::Met => Status::Met,
                        ast::StatusWord::MetLate => Status::MetLate,
                        ast::StatusWord::Pending => Status::Pending,
                        ast::StatusWord::Overdue => Status::Overdue,
                        ast::StatusWord::Violated => Status::Violated,
                        ast::StatusWord::Exempt => Status::Exempt,
                        ast::StatusWord::NotApplicable => Status::NotApplicable,
                    };
                    if let Some(d) = self.status_never_reached(r, status, status_keyword) {
                        self.diags.push(d);
                        ok = false;
                    }
                    let mut on = None;
                    let mut exemption = None;
                    match (arg, status) {
                        (None, _) => {}
                        (
                            Some(ast::StatusArg::Date(d)),
                            Status::Met | Status::MetLate | Status::Violated,
                        ) => on = Some(day(d)),
                        (Some(ast::StatusArg::Name(n)), Status::Exempt) => {
                            exemption = self.exemption(n);
                            if exemption.is_none() {
                                ok = false;
                            }
                        }
                        (Some(a), _) => {
                            let span = match a {
                                ast::StatusArg::Date(d) => d.span,
                                ast::StatusArg::Name(n) => n.span,
                            };
                            self.diags.push(
                                Diagnostic::error(
                                    "E0301",
                                    format!("`{}` takes no such argument", status_keyword.text),
                                )
                                .with_label(span, "unexpected")
                                .with_help("met and met_late take the date they were met, violated the date of the first forbidden event; exempt takes the exemption's name"),
                            );
                            ok = false;
                        }
                    }
                    expects.push(ExpectIr::Status {
                        rule: r,
                        status,
                        on,
                        exemption,
                        due: due.as_ref().map(day),
                        span: ex.span,
                    });
                }
            }
        }
        if !ok {
            return None;
        }
        Some(TestIr {
            name: t.name.value.clone(),
            fields: values,
            periods,
            events,
            at: day(&t.at),
            expects,
            span: t.span,
        })
    }
}
