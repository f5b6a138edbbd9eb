//! Checking event aggregates: `count`, `sum`, `first` and `last` over an
//! event kind, with a `where` filter in the event's scope and an optional
//! window (`in last 6 months`, `in [from, to]`).

use super::exprs::{dur_of, error, node, Scope};
use super::ir::{AggFunc, AggWindow, TExpr, TExprKind, Ty};
use super::items::Checker;
use super::suggest::did_you_mean;
use crate::diagnostics::Diagnostic;
use crate::syntax::ast;
use crate::syntax::span::Span;

impl Checker<'_> {
    #[expect(
        clippy::too_many_arguments,
        reason = "an aggregate's parts as parsed, each needed for its own diagnostic"
    )]
    pub(super) fn agg(
        &mut self,
        func: ast::AggFunc,
        kind: &ast::Ident,
        field: Option<&ast::Ident>,
        filter: Option<&ast::Expr>,
        window: Option<&ast::AggWindow>,
        scope: Scope,
        span: Span,
    ) -> TExpr {
        if scope.event.is_some() {
            self.diags.push(
                Diagnostic::error(
                    "E0323",
                    "an event count cannot stand inside another count's `where`",
                )
                .with_label(span, "nested count")
                .with_help(
                    "write the inner condition on the case instead, or split it into two rules",
                ),
            );
            return error(span);
        }
        let Some(k) = self.event_kind(kind) else {
            return error(span);
        };
        let mut sum_field = None;
        if let Some(f) = field {
            let found = self
                .checked
                .events
                .get(k)
                .and_then(|ev| ev.fields.iter().enumerate().find(|(_, x)| x.name == f.name))
                .map(|(i, x)| (i, x.ty));
            match found {
                Some((i, ty @ (Ty::Int | Ty::Decimal))) => sum_field = Some((i, ty)),
                Some((_, ty)) => {
                    self.diags.push(
                        Diagnostic::error(
                            "E0301",
                            format!(
                                "`{}.{}` is {}, so it cannot be summed",
                                kind.name,
                                f.name,
                                self.ty_words(ty)
                            ),
                        )
                        .with_label(f.span, self.ty_words(ty))
                        .with_help("sum a number field, e.g. `sum(tilbud.hours)`"),
                    );
                    return error(span);
                }
                None => {
                    let names: Vec<String> = self
                        .checked
                        .events
                        .get(k)
                        .map(|ev| ev.fields.iter().map(|f| f.name.clone()).collect())
                        .unwrap_or_default();
                    let help = did_you_mean(&f.name, names.iter().map(String::as_str), "field");
                    self.diags.push(
                        Diagnostic::error(
                            "E0210",
                            format!("event `{}` has no field `{}`", kind.name, f.name),
                        )
                        .with_label(f.span, "unknown field")
                        .with_help(help),
                    );
                    return error(span);
                }
            }
        }
        let (afunc, ty, optional) = match (func, sum_field) {
            (ast::AggFunc::Count, None) => (AggFunc::Count, Ty::Int, false),
            (ast::AggFunc::Sum, Some((i, ty))) => (AggFunc::Sum(i), ty, false),
            (ast::AggFunc::Sum, None) => {
                self.diags.push(
                    Diagnostic::error(
                        "E0301",
                        format!(
                            "`sum` needs a field to add up: `sum({}.<field>)`",
                            kind.name
                        ),
                    )
                    .with_label(kind.span, "which field?")
                    .with_help(format!("write e.g. `sum({}.hours)`", kind.name)),
                );
                return error(span);
            }
            (ast::AggFunc::First, None) => (AggFunc::First, Ty::Date, true),
            (ast::AggFunc::Last, None) => (AggFunc::Last, Ty::Date, true),
            (_, Some(_)) => {
                self.diags.push(
                    Diagnostic::error("E0301", "only `sum` takes a field")
                        .with_label(span, "field given here")
                        .with_help(format!("count events by kind: `count({})`", kind.name)),
                );
                return error(span);
            }
        };
        let filter = filter.map(|f| {
            let s = Scope {
                event: Some(k),
                rules: false,
            };
            Box::new(self.cond(f, s))
        });
        let window = match window {
            None => AggWindow::All,
            Some(ast::AggWindow::Last(d)) => {
                if d.n <= 0 {
                    self.bad_duration(d);
                }
                AggWindow::Last(dur_of(d))
            }
            Some(ast::AggWindow::Range(a, b)) => {
                let from = self.date(a, scope, "the window's start");
                let to = self.date(b, scope, "the window's end");
                AggWindow::Range(Box::new(from), Box::new(to))
            }
        };
        node(
            TExprKind::Agg {
                func: afunc,
                kind: k,
                filter,
                window,
            },
            ty,
            optional,
            span,
        )
    }
}
