//! Targets (share, count, average, parameter bounds) and inline `test`
//! blocks with their expectations.

use super::*;

impl Builder<'_> {
    pub(super) fn build_target(&mut self, p: Pair<'_, Rule>) -> Item {
        let span = self.span(&p);
        let mut t = TargetDecl {
            name: self.missing_ident(span),
            title: None,
            measure: Measure::Share { share: 0, span },
            group: self.missing_ident(span),
            filter: None,
            satisfy: None,
            effective: None,
            sources: Vec::new(),
            doc: None,
            span,
        };
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::ident => t.name = self.ident(&c),
                Rule::string => t.title = Some(self.string(&c)),
                Rule::target_share
                | Rule::target_count
                | Rule::target_average
                | Rule::target_param => {
                    self.build_measure(c, &mut t);
                }
                Rule::effective => t.effective = Some(self.build_effective(c)),
                Rule::source => t.sources.extend(self.build_source(c)),
                _ => {}
            }
        }
        Item::Target(t)
    }

    /// The part of a target after its `:` (and before its sources).
    pub(super) fn build_measure(&mut self, p: Pair<'_, Rule>, t: &mut TargetDecl) {
        let span = self.span(&p);
        let form = p.as_rule();
        let mut bound = Bound::AtLeast;
        let mut n = IntLit { value: 0, span };
        let mut value = None;
        let mut param = None;
        let mut group_seen = false;
        let mut limit = AverageLimit {
            value: 0,
            unit: None,
            span,
        };
        for c in p.into_inner() {
            match c.as_rule() {
                // the group's name comes first; `average … at most klynge`
                // names a parameter after it
                Rule::ident if group_seen => param = Some(self.ident(&c)),
                Rule::ident => {
                    t.group = self.ident(&c);
                    group_seen = true;
                }
                Rule::percent => {
                    t.measure = Measure::Share {
                        share: self.percent(&c),
                        span: self.span(&c),
                    };
                }
                Rule::kw_at_most => bound = Bound::AtMost,
                Rule::kw_at_least => bound = Bound::AtLeast,
                Rule::int => n = self.int_lit(&c),
                Rule::expr if form == Rule::target_param => {
                    let threshold = self.build_expr(c);
                    t.measure = Measure::Param { bound, threshold };
                }
                Rule::expr => value = Some(self.build_expr(c)),
                Rule::average_limit => limit = self.build_average_limit(&c),
                Rule::target_filter => {
                    t.filter = c
                        .into_inner()
                        .find(|x| x.as_rule() == Rule::expr)
                        .map(|x| self.build_expr(x));
                }
                Rule::satisfy => {
                    t.satisfy = c
                        .into_inner()
                        .find(|x| x.as_rule() == Rule::expr)
                        .map(|x| self.build_expr(x));
                }
                _ => {}
            }
        }
        match form {
            Rule::target_count => t.measure = Measure::Count { bound, n },
            Rule::target_average => {
                t.measure = Measure::Average {
                    value: value.unwrap_or(Expr {
                        kind: ExprKind::Error,
                        span,
                    }),
                    bound,
                    limit,
                    param,
                };
            }
            _ => {}
        }
    }

    /// `9.9 weeks` → 99_000 weeks; `2` → 20_000 without a unit.
    pub(super) fn build_average_limit(&mut self, p: &Pair<'_, Rule>) -> AverageLimit {
        let span = self.span(p);
        let mut value = 0;
        let mut unit = None;
        for c in p.clone().into_inner() {
            match c.as_rule() {
                Rule::decimal => value = self.scaled(&c),
                Rule::int => value = self.int(&c).saturating_mul(SCALE),
                Rule::unit => unit = Some(self.unit(&c)),
                _ => {}
            }
        }
        AverageLimit { value, unit, span }
    }

    pub(super) fn build_field_values(&mut self, p: Pair<'_, Rule>) -> Vec<FieldValue> {
        let mut out = Vec::new();
        for fv in p.into_inner().filter(|x| x.as_rule() == Rule::field_value) {
            let span = self.span(&fv);
            let mut name = self.missing_ident(span);
            let mut value = None;
            for c in fv.into_inner() {
                match c.as_rule() {
                    Rule::ident => name = self.ident(&c),
                    Rule::literal => value = Some(self.build_literal(c)),
                    _ => {}
                }
            }
            out.push(FieldValue {
                name,
                value: value.unwrap_or(Literal {
                    kind: LiteralKind::Int(0),
                    span,
                }),
                span,
            });
        }
        out
    }

    pub(super) fn build_test(&mut self, p: Pair<'_, Rule>) -> Item {
        let span = self.span(&p);
        let mut t = TestDecl {
            name: Str {
                value: String::new(),
                span,
            },
            case: None,
            events: Vec::new(),
            at: DateLit {
                date: NaiveDate::default(),
                span,
            },
            expects: Vec::new(),
            doc: None,
            span,
        };
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::string => t.name = self.string(&c),
                Rule::test_case => {
                    let sp = self.span(&c);
                    t.case = Some(TestCase {
                        fields: self.build_field_values(c),
                        span: sp,
                    });
                }
                Rule::test_event => {
                    let sp = self.span(&c);
                    let mut kind = self.missing_ident(sp);
                    let mut date = DateLit {
                        date: NaiveDate::default(),
                        span: sp,
                    };
                    for x in c.clone().into_inner() {
                        match x.as_rule() {
                            Rule::ident => kind = self.ident(&x),
                            Rule::date => date = self.date(&x),
                            _ => {}
                        }
                    }
                    let fields = self.build_field_values(c);
                    t.events.push(TestEvent {
                        kind,
                        date,
                        fields,
                        span: sp,
                    });
                }
                Rule::test_at => {
                    if let Some(d) = c.into_inner().find(|x| x.as_rule() == Rule::date) {
                        t.at = self.date(&d);
                    }
                }
                Rule::expect => t.expects.push(self.build_expect(c)),
                _ => {}
            }
        }
        Item::Test(t)
    }

    pub(super) fn build_expect(&mut self, p: Pair<'_, Rule>) -> Expect {
        let span = self.span(&p);
        let mut kind = ExpectKind::InGroup {
            negated: false,
            group: self.missing_ident(span),
        };
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::expect_target => {
                    let mut target = self.missing_ident(span);
                    let mut outcome = OutcomeWord::Satisfied;
                    let mut outcome_keyword = Keyword {
                        text: String::new(),
                        span,
                    };
                    for x in c.into_inner() {
                        match x.as_rule() {
                            Rule::ident => target = self.ident(&x),
                            r => {
                                if let Some(o) = keyword_of(r).and_then(keywords::outcome_word) {
                                    outcome = o;
                                    outcome_keyword = self.keyword(&x);
                                }
                            }
                        }
                    }
                    kind = ExpectKind::Target {
                        target,
                        outcome,
                        outcome_keyword,
                    };
                }
                Rule::expect_in => {
                    let mut negated = false;
                    let mut group = self.missing_ident(span);
                    for x in c.into_inner() {
                        match x.as_rule() {
                            Rule::kw_not => negated = true,
                            Rule::ident => group = self.ident(&x),
                            _ => {}
                        }
                    }
                    kind = ExpectKind::InGroup { negated, group };
                }
                Rule::expect_status => {
                    let mut ids = Vec::new();
                    let mut status = StatusWord::Met;
                    let mut status_keyword = Keyword {
                        text: String::new(),
                        span,
                    };
                    let mut arg = None;
                    let mut due = None;
                    for x in c.into_inner() {
                        match x.as_rule() {
                            Rule::ident => ids.push(self.ident(&x)),
                            Rule::status_arg => {
                                for a in x.into_inner() {
                                    match a.as_rule() {
                                        Rule::date => arg = Some(StatusArg::Date(self.date(&a))),
                                        Rule::ident => arg = Some(StatusArg::Name(self.ident(&a))),
                                        _ => {}
                                    }
                                }
                            }
                            Rule::due => {
                                due = x
                                    .into_inner()
                                    .find(|d| d.as_rule() == Rule::date)
                                    .map(|d| self.date(&d));
                            }
                            r => {
                                if let Some(s) = keyword_of(r).and_then(keywords::status_word) {
                                    status = s;
                                    status_keyword = self.keyword(&x);
                                }
                            }
                        }
                    }
                    let mut ids = ids.into_iter();
                    let first = ids.next().unwrap_or_else(|| self.missing_ident(span));
                    let (group, rule) = match ids.next() {
                        Some(r) => (Some(first), r),
                        None => (None, first),
                    };
                    kind = ExpectKind::Status {
                        group,
                        rule,
                        status,
                        status_keyword,
                        arg,
                        due,
                    };
                }
                _ => {}
            }
        }
        Expect { kind, span }
    }
}
