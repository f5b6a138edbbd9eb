//! Targets (docs/language.md §8): share, count and average measures, bounds
//! from parameters, and the rules a `satisfy` names (a case exempt from one
//! leaves the denominator).

use super::exprs::Scope;
use super::ir::{MeasureIr, TExpr, TExprKind, TargetIr, ThresholdIr, Ty};
use super::items::{effective, strs, Checker};
use super::params::Unit;
use crate::diagnostics::Diagnostic;
use crate::syntax::ast;

impl Checker<'_> {
    pub(super) fn check_targets(&mut self) {
        let decls: Vec<&ast::TargetDecl> = self.items().filter_map(ast::Item::as_target).collect();
        let mut seen = std::collections::HashSet::new();
        for t in decls {
            // a repeated target was reported by `declare_names`; check it once
            if !seen.insert(t.name.name.clone()) {
                continue;
            }
            let group = self.group(&t.group);
            if let Some(e) = &t.effective {
                self.check_effective(e);
            }
            let filter = t.filter.as_ref().map(|f| self.cond(f, Scope::CASE));
            let satisfy = match &t.satisfy {
                Some(e) => self.cond(
                    e,
                    Scope {
                        event: None,
                        rules: true,
                    },
                ),
                None => TExpr {
                    kind: TExprKind::Const(1),
                    ty: Ty::Bool,
                    optional: false,
                    span: t.span,
                },
            };
            let mut threshold = None;
            let measure = match &t.measure {
                ast::Measure::Share { share, span } => {
                    if *share < 0 || *share > 100 * ast::SCALE {
                        self.diags.push(
                            Diagnostic::error(
                                "E0318",
                                "a target's share must be between 0% and 100%",
                            )
                            .with_label(*span, "out of range")
                            .with_help("write e.g. `at least 75% of ledige`"),
                        );
                    }
                    MeasureIr::Share((share / 100).clamp(0, ast::SCALE))
                }
                ast::Measure::Count { bound, n } => MeasureIr::Count {
                    at_most: *bound == ast::Bound::AtMost,
                    n: n.value,
                },
                ast::Measure::Average {
                    value,
                    bound,
                    limit,
                    param,
                } => {
                    let v = self.expr(value, Scope::CASE, None, true);
                    let limit = match param {
                        Some(p) => {
                            threshold = self.average_param(p, &v);
                            0
                        }
                        None => self.average_limit(value, &v, limit),
                    };
                    MeasureIr::Average {
                        value: v,
                        at_most: *bound == ast::Bound::AtMost,
                        limit,
                    }
                }
                ast::Measure::Param {
                    bound,
                    threshold: e,
                } => match self.threshold(e) {
                    Some((Unit::Percent, th)) if *bound == ast::Bound::AtLeast => {
                        threshold = Some(th);
                        MeasureIr::Share(0)
                    }
                    Some((Unit::Percent, _)) => {
                        self.diags.push(
                            Diagnostic::error(
                                "E0326",
                                "a share target is `at least` a percentage",
                            )
                            .with_label(e.span, "a percentage")
                            .with_help("write `at least … of`, or count the cases: `at most niveau of …` with a number"),
                        );
                        continue;
                    }
                    Some((Unit::Number, th)) => {
                        threshold = Some(th);
                        MeasureIr::Count {
                            at_most: *bound == ast::Bound::AtMost,
                            n: 0,
                        }
                    }
                    Some((Unit::Days, _)) => {
                        self.diags.push(
                            Diagnostic::error(
                                "E0326",
                                "a duration bounds an average, not a share or a count",
                            )
                            .with_label(e.span, "a duration")
                            .with_help("write `average today - benefit_start of ledige at most klynge_varighed`"),
                        );
                        continue;
                    }
                    None => continue,
                },
            };
            let mut rules = Vec::new();
            collect_rules(&satisfy, &mut rules);
            let Some(group) = group else {
                continue;
            };
            self.checked.targets.push(TargetIr {
                name: t.name.name.clone(),
                name_span: t.name.span,
                title: t.title.as_ref().map(|s| s.value.clone()),
                measure,
                threshold,
                group,
                filter,
                satisfy,
                rules,
                effective: effective(t.effective.as_ref()),
                sources: strs(&t.sources),
                doc: t.doc.clone(),
                span: t.span,
            });
        }
    }

    /// `average value … at most param`: the parameter must be in the
    /// value's unit (a duration in days, or a number).
    fn average_param(&mut self, p: &ast::Ident, v: &TExpr) -> Option<ThresholdIr> {
        let e = ast::Expr {
            kind: ast::ExprKind::Name(p.clone()),
            span: p.span,
        };
        let (unit, th) = self.threshold(&e)?;
        let want = match v.ty {
            Ty::Int | Ty::Decimal => Unit::Number,
            Ty::Days => Unit::Days,
            _ => return None,
        };
        if unit != want {
            self.diags.push(
                Diagnostic::error(
                    "E0326",
                    format!(
                        "cannot bound the average of `{}` by `{}`",
                        self.sources.slice(v.span),
                        p.name
                    ),
                )
                .with_label(p.span, "a parameter in another unit")
                .with_help("a duration counted in days is bounded by a `duration` parameter, a number by an `int` or `decimal` one"),
            );
            return None;
        }
        Some(th)
    }

    /// The bound of `average value … at most limit`, in the value's own
    /// unit (days, months, or the number), scaled by `SCALE`. Reports a
    /// value that cannot be averaged (E0324) and a bound in another unit
    /// (E0325, or E0312 for days against months).
    fn average_limit(&mut self, value: &ast::Expr, v: &TExpr, limit: &ast::AverageLimit) -> i64 {
        use ast::Unit as U;
        let written = self.sources.slice(limit.span).to_string();
        let scale = |factor: i64| limit.value.saturating_mul(factor);
        match (v.ty, limit.unit) {
            (Ty::Error, _) => 0,
            (Ty::Int | Ty::Decimal, None) => limit.value,
            (Ty::Days, Some(U::Day)) | (Ty::Months, Some(U::Month)) => scale(1),
            (Ty::Days, Some(U::Week)) => scale(7),
            (Ty::Months, Some(U::Year)) => scale(12),
            (Ty::Days, Some(U::Month | U::Year)) | (Ty::Months, Some(U::Day | U::Week)) => {
                let (days, months) = if v.ty == Ty::Days {
                    (value.span, limit.span)
                } else {
                    (limit.span, value.span)
                };
                self.diags.push(
                    Diagnostic::error(
                        "E0312",
                        format!(
                            "cannot compare the average of `{}` with `{written}`",
                            self.sources.slice(value.span)
                        ),
                    )
                    .with_label(days, "counted in days")
                    .with_label(months, "counted in calendar months")
                    .with_help("weeks and days are exact, months and years are calendar units; give the bound in the value's unit, e.g. `at most 10 weeks`"),
                );
                0
            }
            (Ty::Int | Ty::Decimal | Ty::Days | Ty::Months, _) => {
                let (label, help) = match v.ty {
                    Ty::Days => (
                        "counted in days",
                        "give the bound as a duration in days or weeks, e.g. `at most 9.9 weeks`",
                    ),
                    Ty::Months => (
                        "counted in calendar months",
                        "give the bound as a duration in months or years, e.g. `at most 6 months`",
                    ),
                    _ => (
                        "a number",
                        "give the bound as a number without a unit, e.g. `at most 2.5`",
                    ),
                };
                self.diags.push(
                    Diagnostic::error(
                        "E0325",
                        format!(
                            "the average of `{}` cannot be compared with `{written}`",
                            self.sources.slice(value.span)
                        ),
                    )
                    .with_label(value.span, label)
                    .with_label(limit.span, "another unit")
                    .with_help(help),
                );
                0
            }
            (ty, _) => {
                self.diags.push(
                    Diagnostic::error(
                        "E0324",
                        format!(
                            "cannot average `{}`: it is {}",
                            self.sources.slice(value.span),
                            self.ty_words(ty)
                        ),
                    )
                    .with_label(value.span, "not a number or a duration")
                    .with_help("average a number or a duration, e.g. `average today - benefit_start of ledige`"),
                );
                0
            }
        }
    }
}

fn collect_rules(e: &super::ir::TExpr, out: &mut Vec<usize>) {
    use super::ir::TExprKind as K;
    match &e.kind {
        K::RuleMet(r) | K::RuleOnTime(r) if !out.contains(r) => out.push(*r),
        K::AgeOn(x) | K::IsPresent(x) | K::Not(x) | K::Neg(x) | K::IntToDec(x) => {
            collect_rules(x, out)
        }
        K::InSet(x, _) | K::InPeriods(x, _) => collect_rules(x, out),
        K::Binary(_, a, b) => {
            collect_rules(a, out);
            collect_rules(b, out);
        }
        _ => {}
    }
}
