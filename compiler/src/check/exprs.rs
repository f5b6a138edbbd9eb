//! Expression checking: names to fields, events, enum values and rules;
//! types by the rules of docs/language.md §2 and §4.

use pol_runtime::bytecode::program::{text_hash, Dur};
use pol_runtime::vm::dates::from_naive;

use super::ir::{BinOp, TExpr, TExprKind, Ty};
use super::items::Checker;
use super::suggest::did_you_mean;
use crate::diagnostics::Diagnostic;
use crate::syntax::ast::{self, ExprKind, Unit};
use crate::syntax::span::Span;

/// What names mean where an expression stands.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Scope {
    /// Inside a `where` filter of this event kind: its fields are in scope.
    pub event: Option<usize>,
    /// In a target's `satisfy`: rule names are conditions.
    pub rules: bool,
}

impl Scope {
    pub const CASE: Scope = Scope {
        event: None,
        rules: false,
    };
}

pub(super) fn node(kind: TExprKind, ty: Ty, optional: bool, span: Span) -> TExpr {
    TExpr {
        kind,
        ty,
        optional,
        span,
    }
}

pub(super) fn error(span: Span) -> TExpr {
    node(TExprKind::Error, Ty::Error, false, span)
}

/// A duration literal in the runtime's units: weeks as days, years as months.
pub(super) fn dur_of(d: &ast::DurationLit) -> Dur {
    let n = d.n.clamp(i32::MIN as i64 / 12, i32::MAX as i64 / 12) as i32;
    match d.unit {
        Unit::Day => Dur::Days(n),
        Unit::Week => Dur::Days(n.saturating_mul(7)),
        Unit::Month => Dur::Months(n),
        Unit::Year => Dur::Months(n.saturating_mul(12)),
    }
}

impl Checker<'_> {
    /// Checks an expression that must be a condition.
    pub(super) fn cond(&mut self, e: &ast::Expr, scope: Scope) -> TExpr {
        let t = self.expr(e, scope, Some(Ty::Bool), false);
        self.as_condition(t, e)
    }

    /// Turns a checked expression into a condition: `x?` alone means "x is
    /// present"; anything else must already be a condition.
    fn as_condition(&mut self, t: TExpr, e: &ast::Expr) -> TExpr {
        match (t.ty, t.optional) {
            (Ty::Error, _) => t,
            (Ty::Bool, false) => t,
            (Ty::Bool, true) => {
                let span = t.span;
                let one = node(TExprKind::Const(1), Ty::Bool, false, span);
                node(
                    TExprKind::Binary(BinOp::Eq, Box::new(t), Box::new(one)),
                    Ty::Bool,
                    false,
                    span,
                )
            }
            (_, true) => {
                let span = t.span;
                node(TExprKind::IsPresent(Box::new(t)), Ty::Bool, false, span)
            }
            (ty, false) => {
                self.diags.push(
                    Diagnostic::error(
                        "E0301",
                        format!(
                            "`{}` is {}, but a condition (true or false) is needed here",
                            self.sources.slice(e.span),
                            self.ty_words(ty)
                        ),
                    )
                    .with_label(e.span, "not a condition")
                    .with_help("compare it with something, e.g. `benefit == dagpenge` or `today > benefit_start + 6 months`"),
                );
                error(e.span)
            }
        }
    }

    /// Checks an expression that must be a date (an anchor, a window bound).
    /// Optional dates are fine: an absent anchor makes a rule not applicable.
    pub(super) fn date(&mut self, e: &ast::Expr, scope: Scope, what: &str) -> TExpr {
        let t = self.expr(e, scope, Some(Ty::Date), true);
        if t.ty != Ty::Date && t.ty != Ty::Error {
            self.diags.push(
                Diagnostic::error(
                    "E0301",
                    format!(
                        "{what} must be a date, but `{}` is {}",
                        self.sources.slice(e.span),
                        self.ty_words(t.ty)
                    ),
                )
                .with_label(e.span, "not a date")
                .with_help("use a date field such as `benefit_start`, or date arithmetic such as `benefit_start + 6 months`"),
            );
            return error(e.span);
        }
        t
    }

    /// Checks `e`. `expect` steers enum value names; `optional_ok` is true
    /// right under `x?` and where absent values are meaningful (anchors).
    pub(super) fn expr(
        &mut self,
        e: &ast::Expr,
        scope: Scope,
        expect: Option<Ty>,
        optional_ok: bool,
    ) -> TExpr {
        let span = e.span;
        match &e.kind {
            ExprKind::Bool(b) => node(TExprKind::Const(i64::from(*b)), Ty::Bool, false, span),
            ExprKind::Int(n) => node(TExprKind::Const(*n), Ty::Int, false, span),
            ExprKind::Decimal(d) => node(TExprKind::Const(*d), Ty::Decimal, false, span),
            ExprKind::Percent(p) => node(TExprKind::Const(*p / 100), Ty::Percent, false, span),
            ExprKind::Text(s) => node(TExprKind::Const(text_hash(s)), Ty::Text, false, span),
            ExprKind::Date(d) => node(
                TExprKind::Const(i64::from(from_naive(*d))),
                Ty::Date,
                false,
                span,
            ),
            ExprKind::Duration(d) => match dur_of(d) {
                Dur::Days(n) => node(TExprKind::Const(i64::from(n)), Ty::Days, false, span),
                Dur::Months(n) => node(TExprKind::Const(i64::from(n)), Ty::Months, false, span),
            },
            ExprKind::Today => node(TExprKind::Today, Ty::Date, false, span),
            ExprKind::Paren(inner) => self.expr(inner, scope, expect, optional_ok),
            ExprKind::Error => error(span),
            ExprKind::Name(id) => self.name(id, scope, expect, optional_ok),
            ExprKind::Path(a, b) => self.path(a, b, scope, span),
            ExprKind::Set(_) => {
                self.diags.push(
                    Diagnostic::error("E0301", "a set of values can only follow `in`")
                        .with_label(span, "a set here")
                        .with_help("write `benefit in {dagpenge, kontanthjaelp}`"),
                );
                error(span)
            }
            ExprKind::Periods(_) => {
                self.diags.push(
                    Diagnostic::error(
                        "E0301",
                        "periods can only be written in test data and defaults",
                    )
                    .with_label(span, "periods here")
                    .with_help("compare with a periods field instead: `today in standby`"),
                );
                error(span)
            }
            ExprKind::Age(on) => self.age(on.as_deref(), scope, span),
            ExprKind::OnTime(inner) => {
                let t = self.expr(inner, scope, expect, false);
                match t.kind {
                    TExprKind::RuleMet(r) => node(TExprKind::RuleOnTime(r), Ty::Bool, false, span),
                    _ if t.ty == Ty::Error => t,
                    _ => {
                        self.diags.push(
                            Diagnostic::error(
                                "E0327",
                                format!(
                                    "`{}` follows a rule's name, not `{}`",
                                    self.sources.slice(span).trim_start_matches(self.sources.slice(inner.span)).trim(),
                                    self.sources.slice(inner.span)
                                ),
                            )
                            .with_label(span, "not a rule")
                            .with_help("in a target's `satisfy`, write a rule's name before it, e.g. `satisfy first_contact on time`"),
                        );
                        error(span)
                    }
                }
            }
            ExprKind::Present(inner) => {
                let t = self.expr(inner, scope, expect, true);
                if t.ty == Ty::Error {
                    return t;
                }
                if !t.optional {
                    self.diags.push(
                        Diagnostic::warning(
                            "W0409",
                            format!("`{}` is always present, so `?` has no effect", self.sources.slice(inner.span)),
                        )
                        .with_label(span, "needless `?`")
                        .with_help("remove the `?`; it is for optional fields (declared with `?` in the schema)"),
                    );
                }
                TExpr {
                    optional: true,
                    span,
                    ..t
                }
            }
            ExprKind::Unary {
                op,
                op_span,
                operand,
            } => match op {
                ast::UnOp::Not => {
                    let t = self.cond(operand, scope);
                    node(TExprKind::Not(Box::new(t)), Ty::Bool, false, span)
                }
                ast::UnOp::Neg => {
                    let t = self.expr(operand, scope, None, optional_ok);
                    match t.ty {
                        Ty::Int | Ty::Decimal | Ty::Percent | Ty::Days | Ty::Months => {
                            let (ty, opt) = (t.ty, t.optional);
                            node(TExprKind::Neg(Box::new(t)), ty, opt, span)
                        }
                        Ty::Error => t,
                        other => {
                            self.diags.push(
                                Diagnostic::error(
                                    "E0302",
                                    format!("`-` cannot be applied to {}", self.ty_words(other)),
                                )
                                .with_label(*op_span, "minus here")
                                .with_label(operand.span, self.ty_words(other))
                                .with_help("only numbers and durations can be negated"),
                            );
                            error(span)
                        }
                    }
                }
            },
            ExprKind::Binary {
                op,
                op_span,
                lhs,
                rhs,
            } => self.binary(*op, *op_span, lhs, rhs, scope, optional_ok, span),
            ExprKind::Pick { pick, lhs, rhs } => {
                let l = self.expr(lhs, scope, None, optional_ok);
                let r = self.expr(rhs, scope, None, optional_ok);
                self.pick(*pick, l, r, span)
            }
            ExprKind::Agg {
                func,
                kind,
                field,
                filter,
                window,
            } => self.agg(
                *func,
                kind,
                field.as_ref(),
                filter.as_deref(),
                window.as_ref(),
                scope,
                span,
            ),
        }
    }

    fn name(
        &mut self,
        id: &ast::Ident,
        scope: Scope,
        expect: Option<Ty>,
        optional_ok: bool,
    ) -> TExpr {
        let span = id.span;
        if let Some(k) = scope.event {
            if id.name == "date" || id.name == "dato" {
                return node(TExprKind::EvDate, Ty::Date, false, span);
            }
            if let Some((i, f)) = self.checked.events.get(k).and_then(|ev| {
                ev.fields
                    .iter()
                    .enumerate()
                    .find(|(_, f)| f.name == id.name)
            }) {
                let (ty, optional) = (f.ty, f.optional);
                let t = node(TExprKind::EvField(i), ty, optional, span);
                return self.check_optional_use(t, &id.name, optional_ok);
            }
        }
        if let Some(&i) = self.field_by_name.get(&id.name) {
            if let Some(used) = self.field_used.get_mut(i) {
                *used = true;
            }
            let Some(f) = self.checked.fields.get(i) else {
                return error(span);
            };
            let (ty, optional) = (f.ty, f.optional);
            if ty == Ty::Periods {
                // Only meaningful on the right of `in`; `binary` handles that.
                return node(TExprKind::Field(i), Ty::Periods, false, span);
            }
            let t = node(TExprKind::Field(i), ty, optional, span);
            return self.check_optional_use(t, &id.name, optional_ok);
        }
        if let Some((e, v)) = self.variant(&id.name, expect) {
            return node(TExprKind::Const(v as i64), Ty::Enum(e), false, span);
        }
        if scope.rules {
            if let Some(&r) = self.rule_by_name.get(&id.name) {
                return node(TExprKind::RuleMet(r), Ty::Bool, false, span);
            }
        }
        // Unknown: suggest among what could have been meant here.
        let mut candidates: Vec<String> =
            self.checked.fields.iter().map(|f| f.name.clone()).collect();
        if let Some(ev) = scope.event.and_then(|k| self.checked.events.get(k)) {
            candidates.extend(ev.fields.iter().map(|f| f.name.clone()));
        }
        if let Some(Ty::Enum(e)) = expect {
            if let Some(en) = self.checked.enums.get(e) {
                candidates.extend(en.variants.iter().cloned());
            }
        } else {
            candidates.extend(self.variant_owners.keys().cloned());
        }
        if scope.rules {
            candidates.extend(self.rule_by_name.keys().cloned());
        }
        let help = did_you_mean(&id.name, candidates.iter().map(String::as_str), "name");
        let what = if let Some(Ty::Enum(e)) = expect {
            match self.checked.enums.get(e) {
                Some(en) => format!(
                    "`{}` is neither a field nor a value of `{}`",
                    id.name, en.name
                ),
                None => format!("there is no field or value `{}`", id.name),
            }
        } else if scope.rules {
            format!("there is no rule, field or value `{}`", id.name)
        } else {
            format!("there is no field or value `{}`", id.name)
        };
        self.diags.push(
            Diagnostic::error(
                if matches!(expect, Some(Ty::Enum(_))) {
                    "E0211"
                } else {
                    "E0204"
                },
                what,
            )
            .with_label(span, "unknown name")
            .with_help(help),
        );
        error(span)
    }

    /// An enum value by name, as (enum, variant): the expected enum's, or
    /// the only enum that has it.
    fn variant(&self, name: &str, expect: Option<Ty>) -> Option<(usize, usize)> {
        let owners = self.variant_owners.get(name)?;
        match expect {
            Some(Ty::Enum(want)) => owners.iter().find(|(e, _)| *e == want).copied(),
            _ if owners.len() == 1 => owners.first().copied(),
            _ => None,
        }
    }

    fn check_optional_use(&mut self, t: TExpr, name: &str, optional_ok: bool) -> TExpr {
        if t.optional && !optional_ok {
            self.diags.push(
                Diagnostic::error("E0306", format!("`{name}` may be absent, so it must be tested before use"))
                    .with_label(t.span, "optional field")
                    .with_help(format!(
                        "write `{name}?`: alone it means \"is present\", in a comparison it is false when absent"
                    )),
            );
            return error(t.span);
        }
        t
    }

    fn path(&mut self, a: &ast::Ident, b: &ast::Ident, scope: Scope, span: Span) -> TExpr {
        if scope.rules {
            if let Some(&g) = self.group_by_name.get(&a.name) {
                if let Some(r) = self.rule_in_group(g, b) {
                    return node(TExprKind::RuleMet(r), Ty::Bool, false, span);
                }
                return error(span);
            }
        }
        if let Some(&e) = self.enum_by_name.get(&a.name) {
            if let Some(en) = self.checked.enums.get(e) {
                if let Some(v) = en.variants.iter().position(|v| *v == b.name) {
                    return node(TExprKind::Const(v as i64), Ty::Enum(e), false, span);
                }
                let help = did_you_mean(&b.name, en.variants.iter().map(String::as_str), "value");
                self.diags.push(
                    Diagnostic::error(
                        "E0211",
                        format!("`{}` is not a value of `{}`", b.name, en.name),
                    )
                    .with_label(b.span, "unknown value")
                    .with_help(help),
                );
                return error(span);
            }
        }
        let help = if scope.rules {
            "write `group.rule` with a declared group and one of its rules".to_string()
        } else {
            "a dotted name is a rule (`group.rule`, in targets) or an enum value (`Benefit.dagpenge`)".to_string()
        };
        self.diags.push(
            Diagnostic::error(
                "E0204",
                format!("`{}.{}` names nothing here", a.name, b.name),
            )
            .with_label(span, "unknown name")
            .with_help(help),
        );
        error(span)
    }

    fn age(&mut self, on: Option<&ast::Expr>, scope: Scope, span: Span) -> TExpr {
        let Some(birth) = self.checked.birth_field else {
            self.diags.push(
                Diagnostic::error("E0213", "`age` needs a birth date on the case")
                    .with_label(span, "age of what?")
                    .with_help(
                        "declare `birth_date: date` (or `fødselsdato: date`) in the case schema",
                    ),
            );
            return error(span);
        };
        if let Some(u) = self.field_used.get_mut(birth) {
            *u = true;
        }
        let date = match on {
            None => node(TExprKind::Today, Ty::Date, false, span),
            Some(d) => self.date(d, scope, "the date of `age on`"),
        };
        if date.ty == Ty::Error {
            return date;
        }
        let opt = date.optional;
        node(TExprKind::AgeOn(Box::new(date)), Ty::Int, opt, span)
    }

    /// Resolves an event kind name, reporting an unknown one.
    pub(super) fn event_kind(&mut self, kind: &ast::Ident) -> Option<usize> {
        if let Some(&k) = self.event_by_name.get(&kind.name) {
            return Some(k);
        }
        if self.unparsed.contains(&kind.name) {
            return None;
        }
        let names: Vec<&str> = self
            .checked
            .events
            .iter()
            .map(|e| e.name.as_str())
            .collect();
        let help = did_you_mean(&kind.name, names.iter().copied(), "event kind");
        self.diags.push(
            Diagnostic::error("E0206", format!("there is no event kind `{}`", kind.name))
                .with_label(kind.span, "unknown event kind")
                .with_help(help),
        );
        None
    }

    pub(super) fn bad_duration(&mut self, d: &ast::DurationLit) {
        self.diags.push(
            Diagnostic::error(
                "E0316",
                format!("`{}` is not a usable length", self.sources.slice(d.span)),
            )
            .with_label(d.span, "must be at least 1")
            .with_help("write a positive length, e.g. `4 weeks`"),
        );
    }
}
