//! Rules and exemptions: the body (`if` … `then`), the requirement with its
//! counts and window (every form of docs/language.md §6.1, per-event ones
//! included), and an exemption's scope.

use super::*;

pub(super) fn error_window(span: Span) -> Window {
    Window {
        kind: WindowKind::PerCalendarYear {
            anchor: Expr {
                kind: ExprKind::Error,
                span,
            },
        },
        keyword: Keyword {
            text: String::new(),
            span,
        },
        span,
    }
}

impl Builder<'_> {
    pub(super) fn build_rule(&mut self, p: Pair<'_, Rule>) -> Item {
        let span = self.span(&p);
        let mut name = None;
        let mut groups = Vec::new();
        let mut title = None;
        let mut when = None;
        let mut body = None;
        let mut effective = None;
        let mut sources = Vec::new();
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::ident => name = Some(self.ident(&c)),
                Rule::rule_groups => groups = self.idents_after_keyword(c),
                Rule::string => title = Some(self.string(&c)),
                Rule::when => {
                    when = c
                        .into_inner()
                        .find(|x| x.as_rule() == Rule::expr)
                        .map(|x| self.build_expr(x));
                }
                Rule::if_body | Rule::requirement | Rule::prohibition | Rule::every_must => {
                    body = Some(self.build_body(c, 0));
                }
                Rule::effective => effective = Some(self.build_effective(c)),
                Rule::source => sources.extend(self.build_source(c)),
                _ => {}
            }
        }
        let body = body.unwrap_or_else(|| self.error_body(span));
        Item::Rule(RuleDecl {
            name: name.unwrap_or_else(|| self.missing_ident(span)),
            groups,
            title,
            when,
            body,
            effective,
            sources,
            doc: None,
            span,
        })
    }

    pub(super) fn error_body(&self, span: Span) -> Body {
        Body::Require(Requirement {
            counts: Vec::new(),
            window: error_window(span),
            span,
        })
    }

    pub(super) fn build_body(&mut self, p: Pair<'_, Rule>, depth: usize) -> Body {
        let span = self.span(&p);
        if depth > MAX_NESTING {
            self.error(
                Diagnostic::error(codes::TOO_DEEP, "`if` is nested too deeply")
                    .with_label(span, "here")
                    .with_help(format!(
                        "split the rule: at most {MAX_NESTING} `if`s may be nested"
                    )),
            );
            return self.error_body(span);
        }
        match p.as_rule() {
            Rule::requirement => return Body::Require(self.build_requirement(p)),
            Rule::prohibition | Rule::every_must => {
                return Body::Forbid(Box::new(self.build_prohibition(p)));
            }
            _ => {}
        }
        let mut cond = None;
        let mut bodies = Vec::new();
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::expr => cond = Some(self.build_expr(c)),
                Rule::if_body | Rule::requirement | Rule::prohibition | Rule::every_must => {
                    bodies.push(self.build_body(c, depth + 1));
                }
                _ => {}
            }
        }
        let mut bodies = bodies.into_iter();
        let then = bodies.next().unwrap_or_else(|| self.error_body(span));
        Body::If {
            cond: cond.unwrap_or(Expr {
                kind: ExprKind::Error,
                span,
            }),
            then: Box::new(then),
            otherwise: bodies.next().map(Box::new),
            span,
        }
    }

    pub(super) fn build_requirement(&mut self, p: Pair<'_, Rule>) -> Requirement {
        let span = self.span(&p);
        let mut counts = Vec::new();
        let mut window = None;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::count => counts.push(self.build_count(c)),
                Rule::w_within
                | Rule::w_before_week
                | Rule::w_slots
                | Rule::w_every
                | Rule::w_apart
                | Rule::w_per_calendar
                | Rule::w_per
                | Rule::w_between
                | Rule::w_after => window = Some(self.build_window(c)),
                _ => {}
            }
        }
        let window = window.unwrap_or_else(|| error_window(span));
        Requirement {
            counts,
            window,
            span,
        }
    }

    /// `forbid K [where F] <window>`, `every K [where F] <window> must C`
    pub(super) fn build_prohibition(&mut self, p: Pair<'_, Rule>) -> Prohibition {
        let span = self.span(&p);
        let mut keyword = None;
        let mut kind = None;
        let mut filter = None;
        let mut window = None;
        let mut must = None;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::kw_forbid | Rule::kw_every => keyword = Some(self.keyword(&c)),
                Rule::ident => kind = Some(self.ident(&c)),
                Rule::expr if window.is_none() => filter = Some(self.build_expr(c)),
                Rule::expr => must = Some(self.build_expr(c)),
                Rule::w_within
                | Rule::w_before_week
                | Rule::w_slots
                | Rule::w_every
                | Rule::w_apart
                | Rule::w_per_calendar
                | Rule::w_per
                | Rule::w_between
                | Rule::w_after => window = Some(self.build_window(c)),
                _ => {}
            }
        }
        Prohibition {
            keyword: keyword.unwrap_or(Keyword {
                text: String::new(),
                span,
            }),
            kind: kind.unwrap_or_else(|| self.missing_ident(span)),
            filter,
            window: window.unwrap_or_else(|| error_window(span)),
            must,
            span,
        }
    }

    pub(super) fn build_count(&mut self, p: Pair<'_, Rule>) -> Count {
        let span = self.span(&p);
        let mut n = None;
        let mut kind = None;
        let mut also = Vec::new();
        let mut filter = None;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::int => n = Some(self.int_lit(&c)),
                Rule::ident if kind.is_none() => kind = Some(self.ident(&c)),
                Rule::ident => also.push(self.ident(&c)),
                Rule::count_filter => filter = Some(self.build_expr(c)),
                _ => {}
            }
        }
        Count {
            n,
            kind: kind.unwrap_or_else(|| self.missing_ident(span)),
            also,
            filter,
            span,
        }
    }

    pub(super) fn build_window(&mut self, p: Pair<'_, Rule>) -> Window {
        let span = self.span(&p);
        let form = p.as_rule();
        let mut keyword = None;
        let mut durations = Vec::new();
        let mut anchor = None;
        let mut end = None;
        let mut week = None;
        let mut after = false;
        let mut each = None;
        let mut stack: Vec<Pair<'_, Rule>> = p.into_inner().collect();
        stack.reverse();
        while let Some(c) = stack.pop() {
            match c.as_rule() {
                Rule::apart_from | Rule::apart_after => {
                    after = c.as_rule() == Rule::apart_after;
                    let mut inner: Vec<_> = c.into_inner().collect();
                    inner.reverse();
                    stack.extend(inner);
                }
                Rule::each => each = Some(Box::new(self.build_each(c))),
                Rule::duration => durations.push(self.duration(&c)),
                Rule::int => week = Some(self.int_lit(&c)),
                Rule::between_start => anchor = Some(self.build_expr(c)),
                Rule::expr if form == Rule::w_between => end = Some(self.build_expr(c)),
                Rule::expr => anchor = Some(self.build_expr(c)),
                r if keyword.is_none() && keyword_of(r).is_some() => {
                    keyword = Some(self.keyword(&c));
                }
                _ => {}
            }
        }
        let anchor = anchor.unwrap_or(Expr {
            kind: ExprKind::Error,
            span,
        });
        let zero = DurationLit {
            n: 0,
            unit: Unit::Day,
            span,
        };
        let mut ds = durations.into_iter();
        let mut d = || ds.next().unwrap_or(zero);
        let kind = match (form, each) {
            (Rule::w_within, Some(each)) => WindowKind::Each {
                len: Some(d()),
                each,
            },
            (Rule::w_after, Some(each)) => WindowKind::Each { len: None, each },
            (Rule::w_after, None) => WindowKind::After { anchor },
            (Rule::w_within, _) => WindowKind::Within { len: d(), anchor },
            (Rule::w_before_week, _) => WindowKind::BeforeWeek {
                week: week.unwrap_or(IntLit { value: 0, span }),
                anchor,
            },
            (Rule::w_slots, _) => {
                let every = d();
                WindowKind::Slots {
                    every,
                    first: d(),
                    anchor,
                }
            }
            (Rule::w_every, _) => WindowKind::Every { every: d(), anchor },
            (Rule::w_apart, _) => {
                let gap = d();
                WindowKind::Apart {
                    gap,
                    after: if after { Some(d()) } else { None },
                    anchor,
                }
            }
            (Rule::w_per, _) => WindowKind::Per { len: d(), anchor },
            (Rule::w_between, _) => WindowKind::Between {
                anchor,
                end: Box::new(end.unwrap_or(Expr {
                    kind: ExprKind::Error,
                    span,
                })),
            },
            _ => WindowKind::PerCalendarYear { anchor },
        };
        Window {
            kind,
            keyword: keyword.unwrap_or(Keyword {
                text: String::new(),
                span,
            }),
            span,
        }
    }

    /// `each K [where filter] [from S]`
    pub(super) fn build_each(&mut self, p: Pair<'_, Rule>) -> Each {
        let span = self.span(&p);
        let mut kind = None;
        let mut filter = None;
        let mut from = None;
        let mut after_from = false;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::ident => kind = Some(self.ident(&c)),
                Rule::kw_from => after_from = true,
                Rule::expr if after_from => from = Some(self.build_expr(c)),
                Rule::expr => filter = Some(self.build_expr(c)),
                _ => {}
            }
        }
        Each {
            kind: kind.unwrap_or_else(|| self.missing_ident(span)),
            filter,
            from,
            span,
        }
    }

    pub(super) fn build_exemption(&mut self, p: Pair<'_, Rule>) -> Item {
        let span = self.span(&p);
        let mut e = ExemptionDecl {
            name: self.missing_ident(span),
            title: None,
            effect: Effect::Waives,
            effect_keyword: Keyword {
                text: String::new(),
                span,
            },
            scope: Vec::new(),
            condition: Condition::When(Expr {
                kind: ExprKind::Error,
                span,
            }),
            unless: None,
            overrides: Vec::new(),
            sources: Vec::new(),
            doc: None,
            span,
        };
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::ident => e.name = self.ident(&c),
                Rule::string => e.title = Some(self.string(&c)),
                Rule::kw_waives | Rule::kw_suspends => {
                    e.effect = if c.as_rule() == Rule::kw_waives {
                        Effect::Waives
                    } else {
                        Effect::Suspends
                    };
                    e.effect_keyword = self.keyword(&c);
                }
                Rule::scope => e.scope = self.build_scope(c),
                Rule::cond_when | Rule::cond_while => {
                    let is_when = c.as_rule() == Rule::cond_when;
                    let sp = self.span(&c);
                    let x = c
                        .into_inner()
                        .find(|x| x.as_rule() == Rule::expr)
                        .map(|x| self.build_expr(x))
                        .unwrap_or(Expr {
                            kind: ExprKind::Error,
                            span: sp,
                        });
                    e.condition = if is_when {
                        Condition::When(x)
                    } else {
                        Condition::While(x)
                    };
                }
                Rule::unless => {
                    e.unless = c
                        .into_inner()
                        .find(|x| x.as_rule() == Rule::expr)
                        .map(|x| self.build_expr(x));
                }
                Rule::overrides_clause => e.overrides = self.idents_after_keyword(c),
                Rule::source => e.sources.extend(self.build_source(c)),
                _ => {}
            }
        }
        Item::Exemption(e)
    }

    pub(super) fn build_scope(&mut self, p: Pair<'_, Rule>) -> Vec<ScopeItem> {
        let mut out = Vec::new();
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::kw_all => out.push(ScopeItem::All(self.span(&c))),
                Rule::scope_group_all => {
                    let sp = self.span(&c);
                    let g = c
                        .into_inner()
                        .next()
                        .map(|x| self.ident(&x))
                        .unwrap_or_else(|| self.missing_ident(sp));
                    out.push(ScopeItem::GroupRules(g));
                }
                Rule::scope_path => {
                    let sp = self.span(&c);
                    let mut ids = c.into_inner().map(|x| self.ident(&x));
                    let g = ids.next().unwrap_or_else(|| self.missing_ident(sp));
                    let r = ids.next().unwrap_or_else(|| self.missing_ident(sp));
                    out.push(ScopeItem::GroupRule(g, r));
                }
                Rule::scope_rule => {
                    let sp = self.span(&c);
                    let r = c
                        .into_inner()
                        .next()
                        .map(|x| self.ident(&x))
                        .unwrap_or_else(|| self.missing_ident(sp));
                    out.push(ScopeItem::Rule(r));
                }
                _ => {}
            }
        }
        out
    }
}
