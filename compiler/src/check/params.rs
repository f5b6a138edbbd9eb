//! Parameters (docs/language.md §8.1): values a policy names but does not
//! know itself — a baseline count, a national average — given when a
//! caseload is evaluated, and the target bounds computed from them.
//!
//! A bound is folded here to `scale × parameter + offset` over at most one
//! parameter, in real numbers scaled by `SCALE`, so the runtime computes it
//! with one multiplication and needs no expression machine.

use std::collections::HashMap;

use super::ir::{ParamIr, ThresholdIr, Ty};
use super::items::Checker;
use crate::diagnostics::Diagnostic;
use crate::syntax::ast::{self, BinOp, ExprKind, UnOp, SCALE};
use crate::syntax::span::Span;

/// What a bound measures, as its expression's unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Unit {
    Number,
    Percent,
    Days,
}

/// `scale × param + offset`, both real numbers scaled by `SCALE`.
#[derive(Debug, Clone, Copy)]
struct Affine {
    param: Option<usize>,
    scale: i128,
    offset: i128,
    unit: Unit,
}

impl Affine {
    fn constant(offset: i128, unit: Unit) -> Affine {
        Affine {
            param: None,
            scale: 0,
            offset,
            unit,
        }
    }
}

/// The unit a parameter of this type is measured in, if it can be one.
pub(super) fn unit_of(ty: Ty) -> Option<Unit> {
    match ty {
        Ty::Int | Ty::Decimal => Some(Unit::Number),
        Ty::Percent => Some(Unit::Percent),
        Ty::Days => Some(Unit::Days),
        _ => None,
    }
}

fn fits(v: i128) -> Option<i64> {
    i64::try_from(v).ok()
}

impl Checker<'_> {
    /// Every `parameter` declaration: a number, a percentage or a duration
    /// in days, with an optional default of that type.
    pub(super) fn check_params(&mut self) {
        let decls: Vec<&ast::ParamDecl> = self
            .items()
            .filter_map(|i| match i {
                ast::Item::Param(p) => Some(p),
                _ => None,
            })
            .collect();
        let mut firsts: HashMap<String, Span> = HashMap::new();
        for d in decls {
            if let Some(first) = firsts.get(&d.name.name) {
                super::duplicate(self.diags, "parameter", &d.name.name, d.name.span, *first);
                continue;
            }
            firsts.insert(d.name.name.clone(), d.name.span);
            let ty = self.type_of(&d.ty);
            if ty != Ty::Error && (unit_of(ty).is_none() || d.ty.optional) {
                self.diags.push(
                    Diagnostic::error(
                        "E0326",
                        format!(
                            "a parameter is a number, a percentage or a duration, not `{}`",
                            self.sources.slice(d.ty.span)
                        ),
                    )
                    .with_label(d.ty.span, "this type")
                    .with_help("declare it `int`, `decimal`, `percent` or `duration`; a parameter without a value is simply not given")
                );
                continue;
            }
            let default = d
                .default
                .as_ref()
                .and_then(|lit| self.literal_value(lit, ty, &d.name.name));
            self.param_by_name
                .insert(d.name.name.clone(), self.checked.params.len());
            self.checked.params.push(ParamIr {
                name: d.name.name.clone(),
                title: d.title.as_ref().map(|s| s.value.clone()),
                ty,
                default,
                sources: d.sources.iter().map(|s| s.value.clone()).collect(),
                doc: d.doc.clone(),
                span: d.span,
            });
        }
    }

    /// A target bound written with parameters: its unit and the folded
    /// threshold. `None` after reporting why it cannot be computed.
    pub(super) fn threshold(&mut self, e: &ast::Expr) -> Option<(Unit, ThresholdIr)> {
        let a = self.fold(e)?;
        let Some(param) = a.param else {
            self.bad_threshold(
                e.span,
                "this bound names no parameter",
                "write the number itself, e.g. `at least 75% of ledige`, or name a `parameter`",
            );
            return None;
        };
        match (fits(a.scale), fits(a.offset)) {
            (Some(scale), Some(offset)) => Some((
                a.unit,
                ThresholdIr {
                    param,
                    scale,
                    offset,
                },
            )),
            _ => {
                self.bad_threshold(e.span, "this bound is too large", "use smaller factors");
                None
            }
        }
    }

    fn bad_threshold(&mut self, span: Span, label: &str, help: &str) {
        self.diags.push(
            Diagnostic::error(
                "E0326",
                format!(
                    "the bound `{}` cannot be computed from parameters",
                    self.sources.slice(span)
                ),
            )
            .with_label(span, label.to_string())
            .with_help(help.to_string()),
        );
    }

    fn fold(&mut self, e: &ast::Expr) -> Option<Affine> {
        let s = i128::from(SCALE);
        match &e.kind {
            ExprKind::Int(n) => Some(Affine::constant(i128::from(*n) * s, Unit::Number)),
            ExprKind::Decimal(d) => Some(Affine::constant(i128::from(*d), Unit::Number)),
            ExprKind::Percent(p) => Some(Affine::constant(i128::from(*p) / 100, Unit::Percent)),
            ExprKind::Duration(d) if !d.unit.is_calendar() => {
                let days = match d.unit {
                    ast::Unit::Week => d.n.saturating_mul(7),
                    _ => d.n,
                };
                Some(Affine::constant(i128::from(days) * s, Unit::Days))
            }
            ExprKind::Paren(inner) => self.fold(inner),
            ExprKind::Unary {
                op: UnOp::Neg,
                operand,
                ..
            } => {
                let a = self.fold(operand)?;
                Some(Affine {
                    scale: -a.scale,
                    offset: -a.offset,
                    ..a
                })
            }
            ExprKind::Name(id) => {
                let Some(&i) = self.param_by_name.get(&id.name) else {
                    let names: Vec<String> =
                        self.checked.params.iter().map(|p| p.name.clone()).collect();
                    let help = super::suggest::did_you_mean(
                        &id.name,
                        names.iter().map(String::as_str),
                        "parameter",
                    );
                    self.diags.push(
                        Diagnostic::error("E0204", format!("there is no parameter `{}`", id.name))
                            .with_label(id.span, "unknown parameter")
                            .with_help(if names.is_empty() {
                                "declare it first: `parameter name \"…\": int`".to_string()
                            } else {
                                help
                            }),
                    );
                    return None;
                };
                let unit = self
                    .checked
                    .params
                    .get(i)
                    .and_then(|p| unit_of(p.ty))
                    .unwrap_or(Unit::Number);
                Some(Affine {
                    param: Some(i),
                    scale: s,
                    offset: 0,
                    unit,
                })
            }
            ExprKind::Binary { op, lhs, rhs, .. } => {
                let l = self.fold(lhs)?;
                let r = self.fold(rhs)?;
                self.combine(*op, l, r, e.span)
            }
            _ => {
                self.bad_threshold(
                    e.span,
                    "not a parameter or a number",
                    "a bound may use parameters, numbers, percentages, durations and `+ - * /`; case fields and events belong in `where` or `satisfy`",
                );
                None
            }
        }
    }

    fn combine(&mut self, op: BinOp, l: Affine, r: Affine, span: Span) -> Option<Affine> {
        let s = i128::from(SCALE);
        match op {
            BinOp::Add | BinOp::Sub => {
                if l.unit != r.unit {
                    self.bad_threshold(
                        span,
                        "adds values of different units",
                        "add percentages to percentages and numbers to numbers; to raise a share by half write `andel * 1.5`",
                    );
                    return None;
                }
                let (rs, ro) = if op == BinOp::Sub {
                    (-r.scale, -r.offset)
                } else {
                    (r.scale, r.offset)
                };
                let param = match (l.param, r.param) {
                    (Some(a), Some(b)) if a != b => {
                        self.bad_threshold(
                            span,
                            "uses two parameters",
                            "a bound may use one parameter",
                        );
                        return None;
                    }
                    (a, b) => a.or(b),
                };
                Some(Affine {
                    param,
                    scale: l.scale + rs,
                    offset: l.offset + ro,
                    unit: l.unit,
                })
            }
            BinOp::Mul => {
                // one side is a plain number: it scales the other
                let (k, x) = match (l.param, r.param, l.unit, r.unit) {
                    (_, None, _, Unit::Number) => (r.offset, l),
                    (None, _, Unit::Number, _) => (l.offset, r),
                    _ => {
                        self.bad_threshold(
                            span,
                            "multiplies two measured values",
                            "multiply a parameter by a plain number, e.g. `niveau_2019 * 0.9`",
                        );
                        return None;
                    }
                };
                Some(Affine {
                    param: x.param,
                    scale: x.scale * k / s,
                    offset: x.offset * k / s,
                    unit: x.unit,
                })
            }
            BinOp::Div => {
                if r.param.is_some() || r.unit != Unit::Number || r.offset == 0 {
                    self.bad_threshold(
                        span,
                        "divides by something other than a number",
                        "divide by a plain number other than 0",
                    );
                    return None;
                }
                Some(Affine {
                    param: l.param,
                    scale: l.scale * s / r.offset,
                    offset: l.offset * s / r.offset,
                    unit: l.unit,
                })
            }
            _ => {
                self.bad_threshold(span, "not arithmetic", "a bound is a number: use `+ - * /`");
                None
            }
        }
    }
}
