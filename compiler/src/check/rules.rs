//! Rules (docs/language.md §6): bodies, requirements and their windows,
//! counts over several kinds, per-event `each` triggers, and prohibitions
//! (`every … must` desugared to `forbid`).

use pol_runtime::bytecode::program::Dur;
use pol_runtime::bytecode::verify::MAX_KINDS_PER_COUNT;
use pol_runtime::vm::dates::MIN_DAY;

use super::exprs::{dur_of, Scope};
use super::ir::{
    BinOp, BodyIr, CountIr, EachIr, ForbidIr, FormIr, RequirementIr, RuleIr, TExpr, TExprKind, Ty,
};
use super::items::{effective, strs, Checker};
use crate::diagnostics::Diagnostic;
use crate::syntax::ast;

impl Checker<'_> {
    pub(super) fn check_rules(&mut self) {
        let decls: Vec<&ast::RuleDecl> = self.items().filter_map(ast::Item::as_rule).collect();
        let mut seen = std::collections::HashSet::new();
        for r in decls {
            if !seen.insert(r.name.name.clone()) {
                continue;
            }
            let groups: Vec<usize> = r.groups.iter().filter_map(|g| self.group(g)).collect();
            let when = r.when.as_ref().map(|w| self.cond(w, Scope::CASE));
            let body = self.body(&r.body);
            if let Some(e) = &r.effective {
                self.check_effective(e);
            }
            self.checked.rules.push(RuleIr {
                name: r.name.name.clone(),
                title: r.title.as_ref().map(|s| s.value.clone()),
                groups,
                when,
                body,
                effective: effective(r.effective.as_ref()),
                sources: strs(&r.sources),
                doc: r.doc.clone(),
                span: r.span,
                name_span: r.name.span,
            });
        }
    }

    fn body(&mut self, b: &ast::Body) -> BodyIr {
        match b {
            ast::Body::If {
                cond,
                then,
                otherwise,
                ..
            } => BodyIr::If {
                cond: self.cond(cond, Scope::CASE),
                then: Box::new(self.body(then)),
                otherwise: otherwise.as_ref().map(|o| Box::new(self.body(o))),
            },
            ast::Body::Require(req) => BodyIr::Require(self.requirement(req)),
            ast::Body::Forbid(f) => BodyIr::Require(self.prohibition(f)),
        }
    }

    /// `before week k`: week 0 does not exist (E0316).
    fn week(&mut self, week: &ast::IntLit) -> u32 {
        if week.value == 0 {
            self.diags.push(
                Diagnostic::error(
                    "E0316",
                    "there is no week 0: week 1 is the anchor's first seven days",
                )
                .with_label(week.span, "week 0")
                .with_help("write `before week 1` for a deadline six days after the anchor"),
            );
        }
        week.value.max(1)
    }

    /// `forbid K [where F] <window>`, and `every K [where F] <window> must
    /// C` as `forbid K where F and not (C) <window>` (docs/language.md
    /// §6.1): a requirement of the `Forbid` form whose one count names the
    /// forbidden events.
    fn prohibition(&mut self, f: &ast::Prohibition) -> RequirementIr {
        let kind = self.event_kind(&f.kind);
        let mut filter = None;
        if let Some(kind) = kind {
            let scope = Scope {
                event: Some(kind),
                rules: false,
            };
            filter = f.filter.as_ref().map(|x| self.cond(x, scope));
            if let Some(c) = &f.must {
                let c = self.cond(c, scope);
                let span = c.span;
                let not_c = TExpr {
                    kind: TExprKind::Not(Box::new(c)),
                    ty: Ty::Bool,
                    optional: false,
                    span,
                };
                filter = Some(match filter {
                    None => not_c,
                    Some(x) => TExpr {
                        span: x.span,
                        kind: TExprKind::Binary(BinOp::And, Box::new(x), Box::new(not_c)),
                        ty: Ty::Bool,
                        optional: false,
                    },
                });
            }
        }
        let w = &f.window;
        let window = match &w.kind {
            ast::WindowKind::Within { len, .. } => {
                if len.n < 0 {
                    self.bad_duration(len);
                }
                ForbidIr::Within { len: dur_of(len) }
            }
            ast::WindowKind::BeforeWeek { week, .. } => ForbidIr::BeforeWeek {
                week: self.week(week),
            },
            ast::WindowKind::Between { .. } => ForbidIr::Between,
            ast::WindowKind::After { .. } => ForbidIr::After,
            ast::WindowKind::Each { .. } => {
                self.diags.push(
                    Diagnostic::error(
                        "E0328",
                        format!(
                            "`{}` needs one window from a date, not one window per event",
                            f.keyword.text
                        ),
                    )
                    .with_label(w.span, "a window per event")
                    .with_label(f.keyword.span, "a prohibition")
                    .with_help("forbid the events in a window from a date, e.g. `within 13 weeks of benefit_start` or `after benefit_start`"),
                );
                ForbidIr::After
            }
            ast::WindowKind::Slots { .. }
            | ast::WindowKind::Every { .. }
            | ast::WindowKind::Apart { .. }
            | ast::WindowKind::Per { .. }
            | ast::WindowKind::PerCalendarYear { .. } => {
                self.diags.push(
                    Diagnostic::error(
                        "E0328",
                        format!(
                            "`{}` needs one stretch of days, but `{}` is a schedule",
                            f.keyword.text, w.keyword.text
                        ),
                    )
                    .with_label(w.span, "a schedule")
                    .with_label(f.keyword.span, "a prohibition")
                    .with_help("write one window: `within 6 months of S`, `before week 8 of S`, `between A and B` or `after S`"),
                );
                ForbidIr::After
            }
        };
        let (anchor, end) = self.anchor_and_end(w);
        RequirementIr {
            anchor,
            end,
            each: None,
            form: FormIr::Forbid(window),
            counts: kind
                .map(|kind| CountIr {
                    kind,
                    n: 1,
                    filter,
                    also: Vec::new(),
                    span: f.kind.span,
                })
                .into_iter()
                .collect(),
            span: f.span,
        }
    }

    /// A count over several kinds (`samtale or telefonkontakt where …`):
    /// at most `MAX_KINDS_PER_COUNT` kinds, each once, and a filter that
    /// reads only fields every kind has, with one type (E0331). `kind` and
    /// `also` are the resolved kinds.
    fn kinds_fit(&mut self, c: &ast::Count, kind: usize, also: &[(usize, &ast::Ident)]) -> bool {
        if also.is_empty() {
            return true;
        }
        let mut ok = true;
        if also.len() >= MAX_KINDS_PER_COUNT {
            let last = also.last().map_or(c.kind.span, |(_, k)| k.span);
            self.diags.push(
                Diagnostic::error(
                    "E0331",
                    format!("a count names at most {MAX_KINDS_PER_COUNT} event kinds"),
                )
                .with_label(c.kind.span.to(last), format!("{} kinds", also.len() + 1))
                .with_help("split the count: require the kinds in two rules, or record the contacts as one event kind with a field for the channel"),
            );
            ok = false;
        }
        let names = |k: usize| {
            self.checked
                .events
                .get(k)
                .map_or_else(String::new, |e| e.name.clone())
        };
        for (i, (k, id)) in also.iter().enumerate() {
            let twice = *k == kind || also.iter().take(i).any(|(o, _)| o == k);
            if twice {
                self.diags.push(
                    Diagnostic::error(
                        "E0331",
                        format!("`{}` is named twice in one count", id.name),
                    )
                    .with_label(id.span, "again here")
                    .with_help(format!(
                        "name each kind once: its events would otherwise count twice (`1 {}`)",
                        names(*k)
                    )),
                );
                ok = false;
            }
        }
        let Some(filter) = &c.filter else {
            return ok;
        };
        let kinds: Vec<usize> = std::iter::once(kind)
            .chain(also.iter().map(|(k, _)| *k))
            .collect();
        let field_of = |me: &Self, k: usize, name: &str| {
            me.checked
                .events
                .get(k)
                .and_then(|e| e.fields.iter().find(|f| f.name == name))
                .map(|f| (f.ty, f.optional))
        };
        let mut used = Vec::new();
        event_names(filter, &mut used);
        let mut seen = std::collections::HashSet::new();
        for id in used {
            if id.name == "date" || id.name == "dato" || !seen.insert(id.name.as_str()) {
                continue;
            }
            let types: Vec<Option<(Ty, bool)>> =
                kinds.iter().map(|k| field_of(self, *k, &id.name)).collect();
            let Some(first) = types.iter().flatten().next().copied() else {
                continue; // a case field or an enum value: the same for every kind
            };
            if types.iter().all(|t| *t == Some(first)) {
                continue;
            }
            let shared: Vec<String> = self
                .checked
                .events
                .get(kind)
                .map(|e| {
                    e.fields
                        .iter()
                        .filter(|f| {
                            kinds
                                .iter()
                                .all(|k| field_of(self, *k, &f.name) == Some((f.ty, f.optional)))
                        })
                        .map(|f| format!("`{}`", f.name))
                        .collect()
                })
                .unwrap_or_default();
            let lacking: Vec<String> = kinds
                .iter()
                .zip(&types)
                .filter(|(_, t)| t.is_none())
                .map(|(k, _)| format!("`{}`", names(*k)))
                .collect();
            let having: Vec<String> = kinds
                .iter()
                .zip(&types)
                .filter(|(_, t)| t.is_some())
                .map(|(k, _)| format!("`{}`", names(*k)))
                .collect();
            let message = if lacking.is_empty() {
                let each: Vec<String> = kinds
                    .iter()
                    .zip(&types)
                    .filter_map(|(k, t)| {
                        t.map(|(ty, _)| format!("{} in `{}`", self.ty_words(ty), names(*k)))
                    })
                    .collect();
                format!("`{}` is not of one type: {}", id.name, each.join(", "))
            } else {
                format!(
                    "`{}` is a field of {} but not of {}",
                    id.name,
                    having.join(", "),
                    lacking.join(", ")
                )
            };
            let share = if shared.is_empty() {
                "they share no field but `date`".to_string()
            } else {
                format!("they share {} (and `date`)", shared.join(", "))
            };
            self.diags.push(
                Diagnostic::error("E0331", message)
                    .with_label(id.span, "not a field every kind has, with one type")
                    .with_help(format!(
                        "a filter over several kinds reads only the fields they share: {share}; or write one count per kind, e.g. `1 {} where …`",
                        names(kind)
                    )),
            );
            ok = false;
        }
        ok
    }

    fn positive(&mut self, d: &ast::DurationLit) -> Dur {
        if d.n <= 0 {
            self.bad_duration(d);
        }
        dur_of(d)
    }

    fn requirement(&mut self, req: &ast::Requirement) -> RequirementIr {
        let mut counts = Vec::new();
        for c in &req.counts {
            let n = c.n.map(|n| n.value).unwrap_or(1);
            // A literal too large for a count was already reported by the
            // parser (which stands 0 in for it): only a written 0 is this error.
            if n == 0
                && c.n
                    .is_some_and(|lit| self.sources.slice(lit.span).trim() == "0")
            {
                if let Some(lit) = c.n {
                    self.diags.push(
                        Diagnostic::error("E0314", "a requirement of 0 events is always met")
                            .with_label(lit.span, "zero")
                            .with_help("require at least 1, or remove the rule"),
                    );
                }
            }
            let Some(kind) = self.event_kind(&c.kind) else {
                continue;
            };
            let mut also = Vec::new();
            for k in &c.also {
                also.extend(self.event_kind(k).map(|a| (a, k)));
            }
            if also.len() != c.also.len() || !self.kinds_fit(c, kind, &also) {
                continue;
            }
            let filter_for = |me: &mut Self, kind: usize| {
                c.filter.as_ref().map(|f| {
                    me.cond(
                        f,
                        Scope {
                            event: Some(kind),
                            rules: false,
                        },
                    )
                })
            };
            let filter = filter_for(self, kind);
            // The filter reads only fields every kind has, with one type
            // (`kinds_fit`): checked again per kind for that kind's field
            // numbers, any problem was reported by the first check.
            let reported = self.diags.len();
            let also = also
                .into_iter()
                .map(|(a, _)| (a, filter_for(self, a)))
                .collect();
            self.diags.truncate(reported);
            counts.push(CountIr {
                kind,
                n: n.max(1),
                filter,
                also,
                span: c.span,
            });
        }
        let w = &req.window;
        let form = match &w.kind {
            // `within 0 days of X` is "on X itself": a legitimate deadline.
            ast::WindowKind::Within { len, .. } => {
                if len.n < 0 {
                    self.bad_duration(len);
                }
                FormIr::Within { len: dur_of(len) }
            }
            ast::WindowKind::BeforeWeek { week, .. } => FormIr::BeforeWeek {
                week: self.week(week),
            },
            ast::WindowKind::Slots { every, first, .. } => FormIr::Slots {
                every: self.positive(every),
                first: self.positive(first),
            },
            ast::WindowKind::Every { every, .. } => FormIr::Interval {
                gap: self.positive(every),
                after: Dur::Days(0),
            },
            ast::WindowKind::Apart { gap, after, .. } => FormIr::Interval {
                gap: self.positive(gap),
                after: match after {
                    Some(a) => self.positive(a),
                    None => Dur::Days(0),
                },
            },
            ast::WindowKind::Per { len, .. } => FormIr::Rolling {
                len: self.positive(len),
            },
            ast::WindowKind::PerCalendarYear { .. } => FormIr::CalendarYear,
            ast::WindowKind::Between { .. } => FormIr::Between,
            ast::WindowKind::After { .. } => FormIr::After,
            ast::WindowKind::Each { len, .. } => FormIr::Each {
                len: len.as_ref().map(|len| {
                    if len.n < 0 {
                        self.bad_duration(len);
                    }
                    dur_of(len)
                }),
            },
        };
        if matches!(form, FormIr::Interval { .. } | FormIr::Rolling { .. }) && req.counts.len() > 1
        {
            self.diags.push(
                Diagnostic::error(
                    "E0315",
                    format!(
                        "`{}` takes one count, but this requirement has {}",
                        w.keyword.text,
                        req.counts.len()
                    ),
                )
                .with_label(req.span, "several counts")
                .with_label(w.keyword.span, "this form")
                .with_help("write one rule per event kind"),
            );
        }
        let (anchor, end) = self.anchor_and_end(w);
        let each = match &w.kind {
            ast::WindowKind::Each { each, .. } => self.each(each).map(Box::new),
            _ => None,
        };
        RequirementIr {
            anchor,
            end,
            each,
            form,
            counts,
            span: req.span,
        }
    }

    /// `each K [where filter]`: the triggering events.
    /// A window's anchor (a date before every date when it has none: a
    /// per-event window counts every trigger) and, for `between`, its end.
    fn anchor_and_end(&mut self, w: &ast::Window) -> (TExpr, Option<TExpr>) {
        let anchor = match w.kind.anchor() {
            Some(a) => self.date(a, Scope::CASE, "the anchor"),
            None => TExpr {
                kind: TExprKind::Const(MIN_DAY),
                ty: Ty::Date,
                optional: false,
                span: w.span,
            },
        };
        let end = match &w.kind {
            ast::WindowKind::Between { end, .. } => {
                Some(self.date(end, Scope::CASE, "the window's end"))
            }
            _ => None,
        };
        (anchor, end)
    }

    fn each(&mut self, each: &ast::Each) -> Option<EachIr> {
        let kind = self.event_kind(&each.kind)?;
        let filter = each.filter.as_ref().map(|f| {
            self.cond(
                f,
                Scope {
                    event: Some(kind),
                    rules: false,
                },
            )
        });
        Some(EachIr {
            kind,
            filter,
            span: each.span,
        })
    }
}

/// The bare names an expression reads, outside nested aggregates (whose
/// filters read their own kind's fields).
fn event_names<'e>(e: &'e ast::Expr, out: &mut Vec<&'e ast::Ident>) {
    use ast::ExprKind as K;
    match &e.kind {
        K::Name(id) => out.push(id),
        K::Present(x) | K::OnTime(x) | K::Paren(x) => event_names(x, out),
        K::Unary { operand, .. } => event_names(operand, out),
        K::Binary { lhs, rhs, .. } | K::Pick { lhs, rhs, .. } => {
            event_names(lhs, out);
            event_names(rhs, out);
        }
        K::Age(Some(on)) => event_names(on, out),
        K::Periods(ps) => {
            for (a, b) in ps {
                event_names(a, out);
                if let Some(b) = b {
                    event_names(b, out);
                }
            }
        }
        K::Bool(_)
        | K::Int(_)
        | K::Decimal(_)
        | K::Percent(_)
        | K::Text(_)
        | K::Date(_)
        | K::Duration(_)
        | K::Path(..)
        | K::Set(_)
        | K::Today
        | K::Age(None)
        | K::Agg { .. }
        | K::Error => {}
    }
}
