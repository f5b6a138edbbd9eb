//! Expressions: operator precedence (docs/language.md §4) by a Pratt
//! parser over the flat operand/operator sequence the grammar gives, the
//! primaries and the event aggregates.

use super::*;

static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    PrattParser::new()
        .op(Op::infix(Rule::op_or, Assoc::Left))
        .op(Op::infix(Rule::op_and, Assoc::Left))
        .op(Op::prefix(Rule::op_not))
        .op(Op::infix(Rule::op_eq, Assoc::Left)
            | Op::infix(Rule::op_ne, Assoc::Left)
            | Op::infix(Rule::op_lt, Assoc::Left)
            | Op::infix(Rule::op_le, Assoc::Left)
            | Op::infix(Rule::op_gt, Assoc::Left)
            | Op::infix(Rule::op_ge, Assoc::Left)
            | Op::infix(Rule::op_in, Assoc::Left))
        .op(Op::infix(Rule::op_add, Assoc::Left) | Op::infix(Rule::op_sub, Assoc::Left))
        .op(Op::infix(Rule::op_mul, Assoc::Left) | Op::infix(Rule::op_div, Assoc::Left))
        .op(Op::prefix(Rule::op_neg))
        .op(Op::postfix(Rule::op_present) | Op::postfix(Rule::op_on_time))
});

impl Builder<'_> {
    pub(super) fn build_expr(&mut self, p: Pair<'_, Rule>) -> Expr {
        let span = self.span(&p);
        // Operators at every bracket level count: the tree's depth, which
        // every later phase walks recursively, is bounded by their total.
        let ops = p
            .clone()
            .into_inner()
            .flatten()
            .filter(|c| is_operator(c.as_rule()))
            .count();
        if ops > MAX_OPERATORS {
            self.error(
                Diagnostic::error(codes::TOO_DEEP, "this expression is too long")
                    .with_label(span, format!("{ops} operators"))
                    .with_help(format!(
                        "split it into groups or rules: at most {MAX_OPERATORS} operators in one expression"
                    )),
            );
            return Expr {
                kind: ExprKind::Error,
                span,
            };
        }
        let (file, base) = (self.file, self.base);
        let sp = move |p: &Pair<'_, Rule>| {
            let s = p.as_span();
            Span::new(file, base + s.start(), base + s.end())
        };
        let chained: RefCell<Vec<Diagnostic>> = RefCell::new(Vec::new());
        let is_cmp = |op: BinOp| {
            matches!(
                op,
                BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge
            )
        };
        let text = self.text;
        let out = PRATT
            .map_primary(|c| self.build_primary(c))
            .map_prefix(|op, operand| {
                let op_span = sp(&op);
                let uop = if op.as_rule() == Rule::op_not {
                    UnOp::Not
                } else {
                    UnOp::Neg
                };
                Expr {
                    span: op_span.to(operand.span),
                    kind: ExprKind::Unary {
                        op: uop,
                        op_span,
                        operand: Box::new(operand),
                    },
                }
            })
            .map_postfix(|operand, op| Expr {
                span: operand.span.to(sp(&op)),
                kind: if op.as_rule() == Rule::op_on_time {
                    ExprKind::OnTime(Box::new(operand))
                } else {
                    ExprKind::Present(Box::new(operand))
                },
            })
            .map_infix(|lhs, op, rhs| {
                let op_span = sp(&op);
                let bop = match op.as_rule() {
                    Rule::op_or => BinOp::Or,
                    Rule::op_and => BinOp::And,
                    Rule::op_eq => BinOp::Eq,
                    Rule::op_ne => BinOp::Ne,
                    Rule::op_lt => BinOp::Lt,
                    Rule::op_le => BinOp::Le,
                    Rule::op_gt => BinOp::Gt,
                    Rule::op_ge => BinOp::Ge,
                    Rule::op_in => BinOp::In,
                    Rule::op_add => BinOp::Add,
                    Rule::op_sub => BinOp::Sub,
                    Rule::op_mul => BinOp::Mul,
                    _ => BinOp::Div,
                };
                if is_cmp(bop) {
                    if let ExprKind::Binary { op: inner, .. } = &lhs.kind {
                        if is_cmp(*inner) {
                            let whole = lhs.span.to(rhs.span);
                            let written = text
                                .get(whole.start as usize..whole.end as usize)
                                .unwrap_or("");
                            chained.borrow_mut().push(
                                Diagnostic::error(
                                    codes::CHAINED_COMPARISON,
                                    format!("comparisons cannot be chained: `{written}`"),
                                )
                                .with_label(op_span, "a second comparison")
                                .with_help(
                                    "join two comparisons with `and`, e.g. `a < b and b < c`",
                                ),
                            );
                        }
                    }
                }
                Expr {
                    span: lhs.span.to(rhs.span),
                    kind: ExprKind::Binary {
                        op: bop,
                        op_span,
                        lhs: Box::new(lhs),
                        rhs: Box::new(rhs),
                    },
                }
            })
            .parse(p.into_inner());
        for d in chained.into_inner() {
            self.error(d);
        }
        out
    }

    pub(super) fn build_primary(&mut self, p: Pair<'_, Rule>) -> Expr {
        let span = self.span(&p);
        let kind = match p.as_rule() {
            Rule::paren => match p.into_inner().find(|c| c.as_rule() == Rule::expr) {
                Some(e) => ExprKind::Paren(Box::new(self.build_expr(e))),
                None => ExprKind::Error,
            },
            Rule::agg => self.build_agg(p),
            Rule::pick => {
                let mut pick = Pick::Min;
                let mut es = Vec::new();
                for c in p.into_inner() {
                    match c.as_rule() {
                        Rule::kw_max => pick = Pick::Max,
                        Rule::expr => es.push(self.build_expr(c)),
                        _ => {}
                    }
                }
                let mut es = es.into_iter();
                match (es.next(), es.next()) {
                    (Some(a), Some(b)) => ExprKind::Pick {
                        pick,
                        lhs: Box::new(a),
                        rhs: Box::new(b),
                    },
                    _ => ExprKind::Error,
                }
            }
            Rule::age => {
                let on = p
                    .into_inner()
                    .find(|c| keyword_of(c.as_rule()).is_none())
                    .map(|c| Box::new(self.build_primary(c)));
                ExprKind::Age(on)
            }
            Rule::today => ExprKind::Today,
            Rule::kw_true => ExprKind::Bool(true),
            Rule::kw_false => ExprKind::Bool(false),
            Rule::set => ExprKind::Set(
                p.into_inner()
                    .filter(|c| c.as_rule() == Rule::ident)
                    .map(|c| self.ident(&c))
                    .collect(),
            ),
            Rule::periods => {
                let mut ps = Vec::new();
                for per in p.into_inner().filter(|c| c.as_rule() == Rule::period) {
                    let mut es = Vec::new();
                    for e in per.into_inner().filter(|c| c.as_rule() == Rule::expr) {
                        es.push(self.build_expr(e));
                    }
                    let mut es = es.into_iter();
                    if let Some(from) = es.next() {
                        ps.push((from, es.next()));
                    }
                }
                ExprKind::Periods(ps)
            }
            Rule::date => ExprKind::Date(self.date(&p).date),
            Rule::percent => ExprKind::Percent(self.percent(&p)),
            Rule::decimal => ExprKind::Decimal(self.scaled(&p)),
            Rule::duration => ExprKind::Duration(self.duration(&p)),
            Rule::int => ExprKind::Int(self.int(&p)),
            Rule::string => ExprKind::Text(self.string(&p).value),
            Rule::path => {
                let mut ids = p.into_inner().map(|c| self.ident(&c));
                match (ids.next(), ids.next()) {
                    (Some(a), Some(b)) => ExprKind::Path(a, b),
                    (Some(a), None) => ExprKind::Name(a),
                    _ => ExprKind::Error,
                }
            }
            Rule::ident => ExprKind::Name(self.ident(&p)),
            _ => ExprKind::Error,
        };
        Expr { kind, span }
    }

    pub(super) fn build_agg(&mut self, p: Pair<'_, Rule>) -> ExprKind {
        let span = self.span(&p);
        let mut func = AggFunc::Count;
        let mut ids = Vec::new();
        let mut filter = None;
        let mut window = None;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::kw_count => func = AggFunc::Count,
                Rule::kw_sum => func = AggFunc::Sum,
                Rule::kw_first => func = AggFunc::First,
                Rule::kw_last => func = AggFunc::Last,
                Rule::ident => ids.push(self.ident(&c)),
                Rule::agg_filter => filter = Some(Box::new(self.build_expr(c))),
                Rule::agg_last => {
                    if let Some(d) = c.into_inner().find(|x| x.as_rule() == Rule::duration) {
                        window = Some(AggWindow::Last(self.duration(&d)));
                    }
                }
                Rule::agg_range => {
                    let mut es = Vec::new();
                    for e in c.into_inner().filter(|x| x.as_rule() == Rule::expr) {
                        es.push(self.build_expr(e));
                    }
                    let mut es = es.into_iter();
                    if let (Some(a), Some(b)) = (es.next(), es.next()) {
                        window = Some(AggWindow::Range(Box::new(a), Box::new(b)));
                    }
                }
                _ => {}
            }
        }
        let mut ids = ids.into_iter();
        ExprKind::Agg {
            func,
            kind: ids.next().unwrap_or_else(|| self.missing_ident(span)),
            field: ids.next(),
            filter,
            window,
        }
    }
}
