//! Operators in expressions (docs/language.md §4): `and`/`or`, membership
//! (`in`), comparisons, arithmetic with its units, and `min`/`max`.

use pol_runtime::bytecode::program::DECIMAL_SCALE;

use super::exprs::{error, node, Scope};
use super::ir::{BinOp, TExpr, TExprKind, Ty};
use super::items::Checker;
use super::suggest::did_you_mean;
use crate::diagnostics::Diagnostic;
use crate::syntax::ast::{self, ExprKind};
use crate::syntax::span::Span;

impl Checker<'_> {
    #[expect(
        clippy::too_many_arguments,
        reason = "the operator, both operands as written and as checked, and the spans all feed the diagnostics"
    )]
    pub(super) fn binary(
        &mut self,
        op: ast::BinOp,
        op_span: Span,
        lhs: &ast::Expr,
        rhs: &ast::Expr,
        scope: Scope,
        optional_ok: bool,
        span: Span,
    ) -> TExpr {
        use ast::BinOp as A;
        match op {
            A::And | A::Or => {
                let l = self.cond(lhs, scope);
                let r = self.cond(rhs, scope);
                let bop = if op == A::And { BinOp::And } else { BinOp::Or };
                node(
                    TExprKind::Binary(bop, Box::new(l), Box::new(r)),
                    Ty::Bool,
                    false,
                    span,
                )
            }
            A::In => self.membership(lhs, rhs, scope, op_span, span),
            A::Eq | A::Ne | A::Lt | A::Le | A::Gt | A::Ge => {
                // An enum value on the left (`dagpenge == benefit`) takes its
                // enum from the right, so check the right first then.
                let (l, r) = if self.is_bare_value(lhs, scope) {
                    let r = self.expr(rhs, scope, None, false);
                    (self.expr(lhs, scope, Some(r.ty), false), r)
                } else {
                    let l = self.expr(lhs, scope, None, false);
                    let r = self.expr(rhs, scope, Some(l.ty), false);
                    (l, r)
                };
                self.compare(op, op_span, l, r, lhs, rhs, span)
            }
            A::Add | A::Sub | A::Mul | A::Div => {
                let l = self.expr(lhs, scope, None, optional_ok);
                let r = self.expr(rhs, scope, None, optional_ok);
                self.arith(op, op_span, l, r, span)
            }
        }
    }

    /// A bare name that is an enum value and not a field in this scope.
    fn is_bare_value(&self, e: &ast::Expr, scope: Scope) -> bool {
        let ExprKind::Name(id) = &e.kind else {
            return false;
        };
        let event_field = scope
            .event
            .and_then(|k| self.checked.events.get(k))
            .is_some_and(|ev| ev.fields.iter().any(|f| f.name == id.name));
        !event_field
            && !self.field_by_name.contains_key(&id.name)
            && self.variant_owners.contains_key(&id.name)
    }

    fn membership(
        &mut self,
        lhs: &ast::Expr,
        rhs: &ast::Expr,
        scope: Scope,
        op_span: Span,
        span: Span,
    ) -> TExpr {
        let l = self.expr(lhs, scope, None, false);
        if l.ty == Ty::Error {
            return l;
        }
        match &rhs.kind {
            ExprKind::Set(values) => {
                let Ty::Enum(e) = l.ty else {
                    self.diags.push(
                        Diagnostic::error(
                            "E0302",
                            format!("`{}` is {}, so it cannot be tested against a set of values", self.sources.slice(lhs.span), self.ty_words(l.ty)),
                        )
                        .with_label(lhs.span, self.ty_words(l.ty))
                        .with_label(rhs.span, "a set of values")
                        .with_help("`in {…}` tests an enum field, e.g. `benefit in {dagpenge, kontanthjaelp}`"),
                    );
                    return error(span);
                };
                let mut mask = 0u64;
                let mut ok = true;
                for v in values {
                    let Some(en) = self.checked.enums.get(e) else {
                        return error(span);
                    };
                    match en.variants.iter().position(|x| *x == v.name) {
                        Some(i) => mask |= 1u64 << i,
                        None => {
                            let help = did_you_mean(
                                &v.name,
                                en.variants.iter().map(String::as_str),
                                "value",
                            );
                            let msg = format!("`{}` is not a value of `{}`", v.name, en.name);
                            self.diags.push(
                                Diagnostic::error("E0211", msg)
                                    .with_label(v.span, "unknown value")
                                    .with_help(help),
                            );
                            ok = false;
                        }
                    }
                }
                if !ok {
                    return error(span);
                }
                node(TExprKind::InSet(Box::new(l), mask), Ty::Bool, false, span)
            }
            _ => {
                let r = self.expr(rhs, scope, None, false);
                match (&r.kind, r.ty) {
                    (TExprKind::Field(f), Ty::Periods) => {
                        if l.ty != Ty::Date {
                            self.diags.push(
                                Diagnostic::error(
                                    "E0302",
                                    format!(
                                        "only a date can be in periods, but `{}` is {}",
                                        self.sources.slice(lhs.span),
                                        self.ty_words(l.ty)
                                    ),
                                )
                                .with_label(lhs.span, self.ty_words(l.ty))
                                .with_help("write `today in standby` or `benefit_start in barsel`"),
                            );
                            return error(span);
                        }
                        node(TExprKind::InPeriods(Box::new(l), *f), Ty::Bool, false, span)
                    }
                    (_, Ty::Error) => r,
                    (_, other) => {
                        self.diags.push(
                            Diagnostic::error(
                                "E0302",
                                format!("`in` needs a set of values or a periods field, but `{}` is {}", self.sources.slice(rhs.span), self.ty_words(other)),
                            )
                            .with_label(op_span, "`in` here")
                            .with_label(rhs.span, self.ty_words(other))
                            .with_help("write `benefit in {dagpenge, kontanthjaelp}` or `today in standby`"),
                        );
                        error(span)
                    }
                }
            }
        }
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "the operator, both operands as written and as checked, and the spans all feed the diagnostics"
    )]
    fn compare(
        &mut self,
        op: ast::BinOp,
        op_span: Span,
        l: TExpr,
        r: TExpr,
        lhs: &ast::Expr,
        rhs: &ast::Expr,
        span: Span,
    ) -> TExpr {
        use ast::BinOp as A;
        if l.ty == Ty::Error || r.ty == Ty::Error {
            return error(span);
        }
        let bop = match op {
            A::Eq => BinOp::Eq,
            A::Ne => BinOp::Ne,
            A::Lt => BinOp::Lt,
            A::Le => BinOp::Le,
            A::Gt => BinOp::Gt,
            _ => BinOp::Ge,
        };
        let ordered = !matches!(op, A::Eq | A::Ne);
        let (l, r) = match (l.ty, r.ty) {
            (Ty::Int, Ty::Decimal) => (self.int_to_dec(l), r),
            (Ty::Decimal, Ty::Int) => (l, self.int_to_dec(r)),
            _ => (l, r),
        };
        let ok = match (l.ty, r.ty) {
            (Ty::Days, Ty::Months) | (Ty::Months, Ty::Days) => {
                self.mixed_units(lhs, rhs, l.ty);
                return error(span);
            }
            (a, b) if a == b => match a {
                Ty::Int | Ty::Decimal | Ty::Percent | Ty::Date | Ty::Days | Ty::Months => true,
                Ty::Bool | Ty::Text | Ty::Enum(_) => !ordered,
                _ => false,
            },
            (Ty::Percent, Ty::Decimal) | (Ty::Decimal, Ty::Percent) => true,
            _ => false,
        };
        if !ok {
            let why = if l.ty == r.ty {
                format!("{} cannot be ordered", self.ty_words(l.ty))
            } else {
                format!(
                    "{} and {} cannot be compared",
                    self.ty_words(l.ty),
                    self.ty_words(r.ty)
                )
            };
            let help = match (l.ty, r.ty) {
                (Ty::Date, Ty::Days | Ty::Months) | (Ty::Days | Ty::Months, Ty::Date) => {
                    "compare a date with a date: e.g. `today > benefit_start + 6 months`"
                        .to_string()
                }
                _ if l.ty == r.ty => "use `==` or `!=` for these".to_string(),
                _ => "compare values of the same kind".to_string(),
            };
            self.diags.push(
                Diagnostic::error(
                    "E0302",
                    format!(
                        "cannot compare `{}` with `{}`: {why}",
                        self.sources.slice(lhs.span),
                        self.sources.slice(rhs.span)
                    ),
                )
                .with_label(lhs.span, self.ty_words(l.ty))
                .with_label(rhs.span, self.ty_words(r.ty))
                .with_label(op_span, "compared here")
                .with_help(help),
            );
            return error(span);
        }
        node(
            TExprKind::Binary(bop, Box::new(l), Box::new(r)),
            Ty::Bool,
            false,
            span,
        )
    }

    fn mixed_units(&mut self, lhs: &ast::Expr, rhs: &ast::Expr, left_ty: Ty) {
        let (days, months) = if left_ty == Ty::Days {
            (lhs, rhs)
        } else {
            (rhs, lhs)
        };
        self.diags.push(
            Diagnostic::error(
                "E0312",
                format!("cannot mix `{}` with `{}`", self.sources.slice(lhs.span), self.sources.slice(rhs.span)),
            )
            .with_label(days.span, "counted in days")
            .with_label(months.span, "counted in calendar months")
            .with_help("weeks and days are exact, months and years are calendar units; compare dates instead, e.g. `today > benefit_start + 6 months`"),
        );
    }

    fn int_to_dec(&self, t: TExpr) -> TExpr {
        let (span, opt) = (t.span, t.optional);
        if let TExprKind::Const(n) = t.kind {
            return node(
                TExprKind::Const(n.saturating_mul(DECIMAL_SCALE)),
                Ty::Decimal,
                opt,
                span,
            );
        }
        node(TExprKind::IntToDec(Box::new(t)), Ty::Decimal, opt, span)
    }

    fn arith(&mut self, op: ast::BinOp, op_span: Span, l: TExpr, r: TExpr, span: Span) -> TExpr {
        use ast::BinOp as A;
        if l.ty == Ty::Error || r.ty == Ty::Error {
            return error(span);
        }
        let opt = l.optional || r.optional;
        let (l, r) = match (l.ty, r.ty) {
            (Ty::Int, Ty::Decimal) => (self.int_to_dec(l), r),
            (Ty::Decimal, Ty::Int) => (l, self.int_to_dec(r)),
            _ => (l, r),
        };
        let result = match (op, l.ty, r.ty) {
            (A::Add, Ty::Date, Ty::Days) => Some((BinOp::AddDays, Ty::Date)),
            (A::Sub, Ty::Date, Ty::Days) => Some((BinOp::SubDays, Ty::Date)),
            (A::Add, Ty::Date, Ty::Months) => Some((BinOp::AddMonths, Ty::Date)),
            (A::Sub, Ty::Date, Ty::Months) => Some((BinOp::SubMonths, Ty::Date)),
            // the exact number of days from the right date to the left one
            (A::Sub, Ty::Date, Ty::Date) => Some((BinOp::Sub, Ty::Days)),
            (A::Add, a, b)
                if a == b
                    && matches!(
                        a,
                        Ty::Int | Ty::Decimal | Ty::Percent | Ty::Days | Ty::Months
                    ) =>
            {
                Some((BinOp::Add, a))
            }
            (A::Sub, a, b)
                if a == b
                    && matches!(
                        a,
                        Ty::Int | Ty::Decimal | Ty::Percent | Ty::Days | Ty::Months
                    ) =>
            {
                Some((BinOp::Sub, a))
            }
            (A::Mul, Ty::Int, Ty::Int) => Some((BinOp::Mul, Ty::Int)),
            (A::Mul, Ty::Decimal, Ty::Decimal) => Some((BinOp::MulDec, Ty::Decimal)),
            (A::Div, Ty::Int, Ty::Int) => Some((BinOp::Div, Ty::Int)),
            (A::Div, Ty::Decimal, Ty::Decimal) => Some((BinOp::DivDec, Ty::Decimal)),
            _ => None,
        };
        match result {
            Some((bop, ty)) => node(
                TExprKind::Binary(bop, Box::new(l), Box::new(r)),
                ty,
                opt,
                span,
            ),
            None => {
                // The operation in words, for messages: never "add" for a minus.
                let verb = match op {
                    A::Add => "add",
                    A::Sub => "subtract",
                    A::Mul => "multiply",
                    A::Div => "divide",
                    _ => "combine",
                };
                let (code, msg, help) = match (op, l.ty, r.ty) {
                    (A::Add | A::Sub, Ty::Days, Ty::Months) | (A::Add | A::Sub, Ty::Months, Ty::Days) => (
                        "E0312",
                        format!("cannot {verb} `{}` and `{}`", self.sources.slice(l.span), self.sources.slice(r.span)),
                        "weeks and days are exact, months and years are calendar units; add each to a date in turn, e.g. `benefit_start + 6 months + 2 weeks`".to_string(),
                    ),
                    (A::Add, Ty::Date, Ty::Date) => (
                        "E0320",
                        "cannot add two dates".to_string(),
                        "subtract them for the days between them, e.g. `today - benefit_start > 26 weeks`, or add a duration to a date".to_string(),
                    ),
                    (A::Add, Ty::Days | Ty::Months, Ty::Date) => (
                        "E0320",
                        "a duration cannot come before the date it is added to".to_string(),
                        format!("write the date first: `{} + {}`", self.sources.slice(r.span), self.sources.slice(l.span)),
                    ),
                    (A::Sub, Ty::Days | Ty::Months, Ty::Date) => (
                        "E0320",
                        "a date cannot be subtracted from a duration".to_string(),
                        format!("subtract the duration from the date: `{} - {}`", self.sources.slice(r.span), self.sources.slice(l.span)),
                    ),
                    _ => (
                        "E0302",
                        format!(
                            "`{}` cannot combine {} with {}",
                            self.sources.slice(op_span),
                            self.ty_words(l.ty),
                            self.ty_words(r.ty)
                        ),
                        "arithmetic works on numbers of one kind, and on a date plus or minus a duration".to_string(),
                    ),
                };
                self.diags.push(
                    Diagnostic::error(code, msg)
                        .with_label(l.span, self.ty_words(l.ty))
                        .with_label(r.span, self.ty_words(r.ty))
                        .with_help(help),
                );
                error(span)
            }
        }
    }

    /// `min(a, b)` / `max(a, b)`: two values of one ordered type (an int
    /// beside a decimal becomes a decimal); absent when either is.
    pub(super) fn pick(&mut self, pick: ast::Pick, l: TExpr, r: TExpr, span: Span) -> TExpr {
        if l.ty == Ty::Error || r.ty == Ty::Error {
            return error(span);
        }
        let opt = l.optional || r.optional;
        let (l, r) = match (l.ty, r.ty) {
            (Ty::Int, Ty::Decimal) => (self.int_to_dec(l), r),
            (Ty::Decimal, Ty::Int) => (l, self.int_to_dec(r)),
            _ => (l, r),
        };
        let ordered = matches!(
            l.ty,
            Ty::Int | Ty::Decimal | Ty::Percent | Ty::Date | Ty::Days | Ty::Months
        );
        if l.ty == r.ty && ordered {
            let bop = match pick {
                ast::Pick::Min => BinOp::Min,
                ast::Pick::Max => BinOp::Max,
            };
            let ty = l.ty;
            return node(
                TExprKind::Binary(bop, Box::new(l), Box::new(r)),
                ty,
                opt,
                span,
            );
        }
        let word = match pick {
            ast::Pick::Min => "min",
            ast::Pick::Max => "max",
        };
        let help = match (l.ty, r.ty) {
            (Ty::Days, Ty::Months) | (Ty::Months, Ty::Days) => {
                "weeks and days are exact, months and years are calendar units: add each to the same date and take the earlier or later date, e.g. `min(benefit_start + 26 weeks, benefit_start + 6 months)`".to_string()
            }
            (Ty::Date, _) | (_, Ty::Date) => format!(
                "give `{word}` two dates, e.g. `{word}(benefit_start + 6 months, 2023-03-21)`"
            ),
            _ => format!(
                "give `{word}` two dates, two numbers or two durations of one unit kind"
            ),
        };
        self.diags.push(
            Diagnostic::error(
                "E0330",
                format!(
                    "`{word}` cannot compare {} with {}",
                    self.ty_words(l.ty),
                    self.ty_words(r.ty)
                ),
            )
            .with_label(l.span, self.ty_words(l.ty))
            .with_label(r.span, self.ty_words(r.ty))
            .with_help(help),
        );
        error(span)
    }
}
