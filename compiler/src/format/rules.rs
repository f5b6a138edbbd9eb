//! Printing rule bodies, requirements with their windows (every form of
//! docs/language.md §6.1), and expressions, in the file's keyword language.

use super::*;

impl Printer {
    pub(super) fn body(&mut self, indent: usize, b: &Body) {
        match b {
            Body::Require(r) => {
                let text = self.requirement(r);
                if indent * 2 + text.chars().count() <= WIDTH {
                    self.line(indent, r.span.start, text);
                } else {
                    // too long: the window goes on its own, deeper line
                    let (counts, window) = self.requirement_parts(r);
                    self.line(indent, r.span.start, counts);
                    self.line(indent + 1, r.window.span.start, window);
                }
            }
            Body::Forbid(f) => {
                let (head, window, must) = self.prohibition_parts(f);
                let mut one = format!("{head} {window}");
                if let Some(m) = &must {
                    one.push_str(&format!(" {m}"));
                }
                if indent * 2 + one.chars().count() <= WIDTH {
                    self.line(indent, f.span.start, one);
                } else {
                    // too long: the window and `must` go on their own, deeper lines
                    self.line(indent, f.span.start, head);
                    self.line(indent + 1, f.window.span.start, window);
                    if let (Some(m), Some(c)) = (must, &f.must) {
                        self.line(indent + 1, c.span.start, m);
                    }
                }
            }
            Body::If {
                cond,
                then,
                otherwise,
                span,
            } => {
                let text = format!(
                    "{} {} {}",
                    self.kw(Kw::If),
                    self.expr(cond),
                    self.kw(Kw::Then)
                );
                self.line(indent, span.start, text);
                self.body(indent + 1, then);
                if let Some(o) = otherwise {
                    let text = self.kw(Kw::Else).to_string();
                    self.line(indent, o.span().start, text);
                    self.body(indent + 1, o);
                }
            }
        }
    }

    /// `forbid K [where F]` (or `every K [where F]`), the window, and
    /// `must C` for the sugar.
    pub(super) fn prohibition_parts(&self, f: &Prohibition) -> (String, String, Option<String>) {
        let lead = if f.must.is_some() {
            Kw::Every
        } else {
            Kw::Forbid
        };
        let mut head = format!("{} {}", self.kw(lead), f.kind.name);
        if let Some(x) = &f.filter {
            head.push_str(&format!(" {} {}", self.kw(Kw::Where), self.expr(x)));
        }
        let must = f
            .must
            .as_ref()
            .map(|c| format!("{} {}", self.kw(Kw::Must), self.expr(c)));
        (head, self.window(&f.window.kind), must)
    }

    pub(super) fn requirement(&self, r: &Requirement) -> String {
        let (counts, window) = self.requirement_parts(r);
        format!("{counts} {window}")
    }

    /// `require <counts>` and the window, apart.
    pub(super) fn requirement_parts(&self, r: &Requirement) -> (String, String) {
        let counts = r
            .counts
            .iter()
            .map(|c| {
                let mut s = String::new();
                if let Some(n) = &c.n {
                    s.push_str(&format!("{} ", n.value));
                }
                s.push_str(&c.kind.name);
                for k in &c.also {
                    s.push_str(&format!(" {} {}", self.kw(Kw::Or), k.name));
                }
                if let Some(f) = &c.filter {
                    s.push_str(&format!(" {} {}", self.kw(Kw::Where), self.expr(f)));
                }
                s
            })
            .collect::<Vec<_>>()
            .join(&format!(" {} ", self.kw(Kw::And)));
        (
            format!("{} {counts}", self.kw(Kw::Require)),
            self.window(&r.window.kind),
        )
    }

    pub(super) fn window(&self, w: &WindowKind) -> String {
        let a = |e: &Expr| self.expr(e);
        match w {
            WindowKind::Within { len, anchor } => format!(
                "{} {} {} {}",
                self.kw(Kw::Within),
                self.duration(len),
                self.kw(Kw::Of),
                a(anchor)
            ),
            WindowKind::BeforeWeek { week, anchor } => format!(
                "{} {} {} {}",
                self.kw(Kw::BeforeWeek),
                week.value,
                self.kw(Kw::Of),
                a(anchor)
            ),
            WindowKind::Slots {
                every,
                first,
                anchor,
            } => format!(
                "{} {} {} {} {} {}",
                self.kw(Kw::Every),
                self.duration(every),
                self.kw(Kw::DuringFirst),
                self.duration(first),
                self.kw(Kw::Of),
                a(anchor)
            ),
            WindowKind::Every { every, anchor } => format!(
                "{} {} {} {}",
                self.kw(Kw::Every),
                self.duration(every),
                self.kw(Kw::From),
                a(anchor)
            ),
            WindowKind::Apart { gap, after, anchor } => {
                let head = format!(
                    "{} {} {}",
                    self.kw(Kw::AtMost),
                    self.duration(gap),
                    self.kw(Kw::Apart)
                );
                match after {
                    Some(d) => format!(
                        "{head} {} {} {} {}",
                        self.kw(Kw::After),
                        self.duration(d),
                        self.kw(Kw::Of),
                        a(anchor)
                    ),
                    None => format!("{head} {} {}", self.kw(Kw::From), a(anchor)),
                }
            }
            WindowKind::Per { len, anchor } => format!(
                "{} {} {} {}",
                self.kw(Kw::Per),
                self.duration(len),
                self.kw(Kw::From),
                a(anchor)
            ),
            WindowKind::PerCalendarYear { anchor } => format!(
                "{} {} {} {}",
                self.kw(Kw::Per),
                self.kw(Kw::CalendarYear),
                self.kw(Kw::From),
                a(anchor)
            ),
            WindowKind::Between { anchor, end } => format!(
                "{} {} {} {}",
                self.kw(Kw::Between),
                a(anchor),
                self.kw(Kw::And),
                a(end)
            ),
            WindowKind::After { anchor } => format!("{} {}", self.kw(Kw::After), a(anchor)),
            WindowKind::Each { len, each } => {
                let head = match len {
                    Some(len) => format!(
                        "{} {} {}",
                        self.kw(Kw::Within),
                        self.duration(len),
                        self.kw(Kw::Of)
                    ),
                    None => self.kw(Kw::After).to_string(),
                };
                let mut s = format!("{head} {} {}", self.kw(Kw::Each), each.kind.name);
                if let Some(f) = &each.filter {
                    s.push_str(&format!(" {} {}", self.kw(Kw::Where), self.expr(f)));
                }
                if let Some(from) = &each.from {
                    s.push_str(&format!(" {} {}", self.kw(Kw::From), a(from)));
                }
                s
            }
        }
    }

    pub(super) fn expr(&self, e: &Expr) -> String {
        match &e.kind {
            ExprKind::Bool(true) => self.kw(Kw::True).into(),
            ExprKind::Bool(false) => self.kw(Kw::False).into(),
            ExprKind::Int(n) => n.to_string(),
            ExprKind::Decimal(v) => scaled(*v, true),
            ExprKind::Percent(v) => format!("{}%", scaled(*v, false)),
            ExprKind::Text(s) => string(s),
            ExprKind::Date(d) => date(*d),
            ExprKind::Duration(d) => self.duration(d),
            ExprKind::Name(n) => n.name.clone(),
            ExprKind::Path(a, b) => format!("{}.{}", a.name, b.name),
            ExprKind::Set(ids) => format!("{{{}}}", names(ids)),
            ExprKind::Periods(ps) => {
                let inner = ps
                    .iter()
                    .map(|(a, b)| match b {
                        Some(b) => format!("{} .. {}", self.expr(a), self.expr(b)),
                        None => format!("{} ..", self.expr(a)),
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                format!("[{inner}]")
            }
            ExprKind::Today => self.kw(Kw::Today).into(),
            ExprKind::Age(None) => self.kw(Kw::Age).into(),
            ExprKind::Age(Some(on)) => {
                format!("{} {} {}", self.kw(Kw::Age), self.kw(Kw::On), self.expr(on))
            }
            ExprKind::Present(x) => format!("{}?", self.expr(x)),
            ExprKind::OnTime(x) => format!("{} {}", self.expr(x), self.kw(Kw::OnTime)),
            ExprKind::Paren(x) => format!("({})", self.expr(x)),
            ExprKind::Unary { op, operand, .. } => match op {
                UnOp::Not => format!("{} {}", self.kw(Kw::Not), self.expr(operand)),
                UnOp::Neg => format!("-{}", self.expr(operand)),
            },
            ExprKind::Binary { op, lhs, rhs, .. } => {
                let o = match op {
                    BinOp::Or => self.kw(Kw::Or),
                    BinOp::And => self.kw(Kw::And),
                    BinOp::Eq => "==",
                    BinOp::Ne => "!=",
                    BinOp::Lt => "<",
                    BinOp::Le => "<=",
                    BinOp::Gt => ">",
                    BinOp::Ge => ">=",
                    BinOp::In => self.kw(Kw::In),
                    BinOp::Add => "+",
                    BinOp::Sub => "-",
                    BinOp::Mul => "*",
                    BinOp::Div => "/",
                };
                format!("{} {o} {}", self.expr(lhs), self.expr(rhs))
            }
            ExprKind::Agg {
                func,
                kind,
                field,
                filter,
                window,
            } => {
                let f = match func {
                    AggFunc::Count => self.kw(Kw::Count),
                    AggFunc::Sum => self.kw(Kw::Sum),
                    AggFunc::First => self.kw(Kw::First),
                    AggFunc::Last => self.kw(Kw::Last),
                };
                let mut s = format!("{f}({}", kind.name);
                if let Some(fl) = field {
                    s.push_str(&format!(".{}", fl.name));
                }
                if let Some(x) = filter {
                    s.push_str(&format!(" {} {}", self.kw(Kw::Where), self.expr(x)));
                }
                match window {
                    Some(AggWindow::Last(d)) => {
                        s.push_str(&format!(" {} {}", self.kw(Kw::InLast), self.duration(d)));
                    }
                    Some(AggWindow::Range(a, b)) => s.push_str(&format!(
                        " {} [{}, {}]",
                        self.kw(Kw::In),
                        self.expr(a),
                        self.expr(b)
                    )),
                    None => {}
                }
                s.push(')');
                s
            }
            ExprKind::Pick { pick, lhs, rhs } => {
                let f = match pick {
                    Pick::Min => self.kw(Kw::Min),
                    Pick::Max => self.kw(Kw::Max),
                };
                format!("{f}({}, {})", self.expr(lhs), self.expr(rhs))
            }
            ExprKind::Error => "?".into(),
        }
    }
}
