//! A readable text listing of a program: schema, filters, groups, rules,
//! exemptions and targets with their code and source spans. For snapshot
//! tests and `pol build --listing`; stable enough to diff, not to parse.

use std::fmt::Write as _;

use crate::bytecode::program::{
    AggFunc, AggWindow, Body, Bound, CodeRef, Dur, Effect, ExemptionCondition, FieldDef, FieldType,
    ForbidWindow, Form, Op, Program, SpanId, StrId, TargetKind, DECIMAL_SCALE,
};
use crate::vm::dates::format_day;

/// The listing of `p`. Never fails: out-of-range indices show as `?N`.
pub fn listing(p: &Program) -> String {
    let mut l = Lister {
        p,
        out: String::new(),
    };
    l.all();
    l.out
}

struct Lister<'a> {
    p: &'a Program,
    out: String,
}

// Writing to a String cannot fail; the `let _ =` below say so once each.
impl Lister<'_> {
    fn s(&self, id: StrId) -> String {
        self.p
            .strings
            .get(id as usize)
            .cloned()
            .unwrap_or_else(|| format!("?{id}"))
    }

    fn line(&mut self, indent: usize, text: &str) {
        let _ = writeln!(self.out, "{:indent$}{text}", "", indent = indent * 2);
    }

    fn span(&self, s: SpanId) -> String {
        match self.p.spans.get(s as usize) {
            Some(sp) => {
                let file = self
                    .p
                    .files
                    .get(usize::from(sp.file))
                    .map_or_else(|| format!("?{}", sp.file), |f| self.s(*f));
                format!("@ {file}:{}-{}", sp.line_start, sp.line_end)
            }
            None => format!("@ ?{s}"),
        }
    }

    fn ty(&self, f: &FieldDef) -> String {
        let base = match f.ty {
            FieldType::Bool => "bool".to_string(),
            FieldType::Int => "int".into(),
            FieldType::Decimal => "decimal".into(),
            FieldType::Percent => "percent".into(),
            FieldType::Text => "text".into(),
            FieldType::Date => "date".into(),
            FieldType::Days => "duration(days)".into(),
            FieldType::Months => "duration(months)".into(),
            FieldType::Enum(e) => self
                .p
                .schema
                .enums
                .get(usize::from(e))
                .map_or_else(|| format!("?enum{e}"), |e| self.s(e.name)),
            FieldType::Periods => "periods".into(),
        };
        let opt = if f.optional { "?" } else { "" };
        let def = f.default.map(|d| format!(" = {d}")).unwrap_or_default();
        format!("{}: {base}{opt}{def}", self.s(f.name))
    }

    fn dur(d: Dur) -> String {
        match d {
            Dur::Days(n) => format!("{n} days"),
            Dur::Months(n) => format!("{n} months"),
        }
    }

    fn kind(&self, k: u16) -> String {
        self.p
            .schema
            .events
            .get(usize::from(k))
            .map_or_else(|| format!("?kind{k}"), |e| self.s(e.name))
    }

    fn all(&mut self) {
        let p = self.p;
        let m = &p.meta;
        let eff = |d: Option<i32>| d.map_or_else(|| "-".to_string(), format_day);
        self.line(
            0,
            &format!(
                "policy `{}`{}{} language {} effective {} .. {}",
                self.s(m.name),
                m.title
                    .map(|t| format!(" \"{}\"", self.s(t)))
                    .unwrap_or_default(),
                m.version
                    .map(|v| format!(" version \"{}\"", self.s(v)))
                    .unwrap_or_default(),
                if m.language == 1 { "da" } else { "en" },
                eff(m.effective.from),
                eff(m.effective.until),
            ),
        );
        for s in &m.sources {
            self.line(1, &format!("source \"{}\"", self.s(*s)));
        }
        self.line(0, "schema");
        for e in &p.schema.enums {
            let vs: Vec<String> = e.variants.iter().map(|v| self.s(*v)).collect();
            self.line(
                1,
                &format!("enum {} {{ {} }}", self.s(e.name), vs.join(", ")),
            );
        }
        for (i, f) in p.schema.fields.iter().enumerate() {
            let birth = if p.schema.birth_field == Some(i as u16) {
                "  (birth)"
            } else {
                ""
            };
            self.line(1, &format!("field {i} {}{birth}", self.ty(f)));
        }
        for (i, k) in p.schema.events.iter().enumerate() {
            let fs: Vec<String> = k.fields.iter().map(|f| self.ty(f)).collect();
            let cost = k
                .cost_minutes
                .map(|c| format!(" costs {c} minutes"))
                .unwrap_or_default();
            self.line(
                1,
                &format!("event {i} {} {{ {} }}{cost}", self.s(k.name), fs.join(", ")),
            );
        }
        for (i, s) in p.sets.iter().enumerate() {
            self.line(0, &format!("set {i} = {s:#b}"));
        }
        for (i, f) in p.filters.iter().enumerate() {
            self.line(0, &format!("filter {i} on {}", self.kind(f.kind)));
            self.code(2, f.code, Some(f.kind));
        }
        for (i, g) in p.groups.iter().enumerate() {
            let prio = g
                .priority
                .map(|x| format!(" priority {x}"))
                .unwrap_or_default();
            self.line(
                0,
                &format!("group {i} `{}`{prio} {}", self.s(g.name), self.span(g.span)),
            );
            self.code(2, g.pred, None);
            self.cites(&g.citations);
        }
        for (i, r) in p.rules.iter().enumerate() {
            let groups: Vec<String> = r
                .groups
                .iter()
                .map(|g| {
                    p.groups
                        .get(usize::from(*g))
                        .map_or_else(|| format!("?{g}"), |g| self.s(g.name))
                })
                .collect();
            let for_ = if groups.is_empty() {
                "all".into()
            } else {
                groups.join(", ")
            };
            self.line(
                0,
                &format!(
                    "rule {i} `{}` for {for_} {}",
                    self.s(r.name),
                    self.span(r.span)
                ),
            );
            if r.effective.from.is_some() || r.effective.until.is_some() {
                self.line(
                    1,
                    &format!(
                        "effective {} .. {}",
                        eff(r.effective.from),
                        eff(r.effective.until)
                    ),
                );
            }
            if let Some(w) = r.when {
                self.line(1, "when");
                self.code(2, w, None);
            }
            for (b, body) in r.body.iter().enumerate() {
                match body {
                    Body::Branch {
                        cond,
                        then,
                        otherwise,
                    } => {
                        let els = otherwise
                            .map_or_else(|| "not applicable".into(), |o| format!("body {o}"));
                        self.line(1, &format!("body {b}: if then body {then} else {els}"));
                        self.code(2, *cond, None);
                    }
                    Body::Require(req) => {
                        let form = match req.form {
                            Form::Within { len } => format!("within {}", Self::dur(len)),
                            Form::BeforeWeek { week } => format!("before week {week}"),
                            Form::Slots { every, first } => {
                                format!(
                                    "every {} during first {}",
                                    Self::dur(every),
                                    Self::dur(first)
                                )
                            }
                            Form::Interval { gap, after } => {
                                format!(
                                    "at most {} apart after {}",
                                    Self::dur(gap),
                                    Self::dur(after)
                                )
                            }
                            Form::Rolling { len } => format!("per {}", Self::dur(len)),
                            Form::CalendarYear => "per calendar year".into(),
                            Form::Between { .. } => "between".into(),
                            Form::After => "after".into(),
                            Form::Forbid { window } => match window {
                                ForbidWindow::Within { len } => {
                                    format!("within {}", Self::dur(len))
                                }
                                ForbidWindow::BeforeWeek { week } => format!("before week {week}"),
                                ForbidWindow::Between { .. } => "between".into(),
                                ForbidWindow::After => "after".into(),
                            },
                            Form::Each { kind, filter, len } => {
                                let f = if filter == u32::MAX {
                                    String::new()
                                } else {
                                    format!(" where filter {filter}")
                                };
                                match len {
                                    Some(len) => format!(
                                        "within {} of each {}{f}",
                                        Self::dur(len),
                                        self.kind(kind)
                                    ),
                                    None => format!("after each {}{f}", self.kind(kind)),
                                }
                            }
                        };
                        let counts: Vec<String> = req
                            .counts
                            .iter()
                            .map(|c| {
                                let lane = |kind: u16, filter: u32| {
                                    if filter == u32::MAX {
                                        self.kind(kind)
                                    } else {
                                        format!("{} where filter {filter}", self.kind(kind))
                                    }
                                };
                                let kinds: Vec<String> = std::iter::once(lane(c.kind, c.filter))
                                    .chain(p.also(c).iter().map(|a| lane(a.kind, a.filter)))
                                    .collect();
                                format!("{} {}", c.n, kinds.join(" or "))
                            })
                            .collect();
                        let (verb, counts) = match req.form {
                            // one count of 1: the forbidden events
                            Form::Forbid { .. } => (
                                "forbid",
                                counts
                                    .iter()
                                    .map(|c| c.strip_prefix("1 ").unwrap_or(c).to_string())
                                    .collect(),
                            ),
                            _ => ("require", counts),
                        };
                        self.line(
                            1,
                            &format!(
                                "body {b}: {verb} {} {form} of {}",
                                counts.join(" and "),
                                self.span(req.span)
                            ),
                        );
                        self.code(2, req.anchor, None);
                        if let Form::Between { end }
                        | Form::Forbid {
                            window: ForbidWindow::Between { end },
                        } = req.form
                        {
                            self.line(1, "and");
                            self.code(2, end, None);
                        }
                    }
                }
            }
            self.cites(&r.citations);
        }
        for (i, e) in p.exemptions.iter().enumerate() {
            let effect = match e.effect {
                Effect::Waive => "waives",
                Effect::Suspend => "suspends",
            };
            let rules: Vec<String> = e
                .rules
                .iter()
                .map(|r| {
                    p.rules
                        .get(usize::from(*r))
                        .map_or_else(|| format!("?{r}"), |r| self.s(r.name))
                })
                .collect();
            self.line(
                0,
                &format!(
                    "exemption {i} `{}` {effect} {} {}",
                    self.s(e.name),
                    rules.join(", "),
                    self.span(e.span)
                ),
            );
            match e.condition {
                ExemptionCondition::When(c) => {
                    self.line(1, "when");
                    self.code(2, c, None);
                }
                ExemptionCondition::While(f) => {
                    let name = p
                        .schema
                        .fields
                        .get(usize::from(f))
                        .map_or_else(|| format!("?{f}"), |f| self.s(f.name));
                    self.line(1, &format!("while {name}"));
                }
            }
            if let Some(u) = e.unless {
                self.line(1, "unless");
                self.code(2, u, None);
            }
            if !e.overrides.is_empty() {
                let os: Vec<String> = e.overrides.iter().map(|o| format!("{o}")).collect();
                self.line(1, &format!("overrides exemption {}", os.join(", ")));
            }
            self.cites(&e.citations);
        }
        for (i, x) in p.params.iter().enumerate() {
            let default = x.default.map_or_else(String::new, |d| format!(" = {d}"));
            self.line(
                0,
                &format!(
                    "parameter {i} `{}`: {:?}{default} {}",
                    self.s(x.name),
                    x.ty,
                    self.span(x.span)
                ),
            );
            self.cites(&x.citations);
        }
        for (i, t) in p.targets.iter().enumerate() {
            let group = p
                .groups
                .get(usize::from(t.group))
                .map_or_else(|| format!("?{}", t.group), |g| self.s(g.name));
            let bound = |b: Bound| match b {
                Bound::AtMost => "at most",
                Bound::AtLeast => "at least",
            };
            let measure = match t.kind {
                TargetKind::Share { share } => {
                    format!("at least {}.{:02}%", share / 100, share % 100)
                }
                TargetKind::Count { bound: b, n } => format!("{} {n}", bound(b)),
                TargetKind::Average {
                    bound: b,
                    limit,
                    per_unit,
                    ..
                } => format!(
                    "average (per unit {per_unit}) {} {}.{:04}",
                    bound(b),
                    limit / DECIMAL_SCALE,
                    (limit % DECIMAL_SCALE).abs()
                ),
            };
            self.line(
                0,
                &format!(
                    "target {i} `{}` {measure} of {group} {}",
                    self.s(t.name),
                    self.span(t.span)
                ),
            );
            if t.effective.from.is_some() || t.effective.until.is_some() {
                self.line(
                    1,
                    &format!(
                        "effective {} .. {}",
                        eff(t.effective.from),
                        eff(t.effective.until)
                    ),
                );
            }
            if let Some(th) = t.threshold {
                self.line(
                    1,
                    &format!(
                        "bound = parameter {} × {} / {DECIMAL_SCALE} + {} (replaces the literal)",
                        th.param, th.scale, th.offset
                    ),
                );
            }
            if let TargetKind::Average { value, .. } = t.kind {
                self.line(1, "average of");
                self.code(2, value, None);
            }
            if let Some(f) = t.filter {
                self.line(1, "where");
                self.code(2, f, None);
            }
            self.line(1, "satisfy");
            self.code(2, t.satisfy, None);
            self.cites(&t.citations);
        }
    }

    fn cites(&mut self, c: &[StrId]) {
        for s in c {
            let text = self.s(*s);
            self.line(1, &format!("source \"{text}\""));
        }
    }

    fn code(&mut self, indent: usize, c: CodeRef, kind: Option<u16>) {
        let p = self.p;
        let start = c.start as usize;
        let ops = p
            .code
            .get(start..start.saturating_add(c.len as usize))
            .unwrap_or(&[]);
        for (k, op) in ops.iter().enumerate() {
            let note = self.note(op, kind);
            let text = if note.is_empty() {
                format!("{:04} {op:?}", start + k)
            } else {
                format!("{:04} {op:?}  ; {note}", start + k)
            };
            self.line(indent, &text);
        }
        if ops.is_empty() {
            self.line(
                indent,
                &format!("<code {}..+{} out of range>", c.start, c.len),
            );
        }
    }

    /// What an operand means, in the policy's names.
    fn note(&self, op: &Op, kind: Option<u16>) -> String {
        let p = self.p;
        let field = |i: u16| p.schema.fields.get(usize::from(i)).map(|f| self.s(f.name));
        let evfield = |i: u16| {
            kind.and_then(|k| p.schema.events.get(usize::from(k)))
                .and_then(|e| e.fields.get(usize::from(i)))
                .map(|f| self.s(f.name))
        };
        match *op {
            Op::Field(i) | Op::InPeriods(i) => field(i).unwrap_or_default(),
            Op::EvField(i) => evfield(i).unwrap_or_default(),
            Op::RuleMet(r) | Op::RuleOnTime(r) => p
                .rules
                .get(usize::from(r))
                .map(|r| self.s(r.name))
                .unwrap_or_default(),
            Op::Agg {
                func,
                kind,
                filter,
                window,
            } => {
                let f = match func {
                    AggFunc::Count => "count".to_string(),
                    AggFunc::Sum(i) => format!(
                        "sum .{}",
                        p.schema
                            .events
                            .get(usize::from(kind))
                            .and_then(|e| e.fields.get(usize::from(i)))
                            .map(|f| self.s(f.name))
                            .unwrap_or_default()
                    ),
                    AggFunc::First => "first".into(),
                    AggFunc::Last => "last".into(),
                };
                let w = match window {
                    AggWindow::All => String::new(),
                    AggWindow::Range => " in [from, to]".into(),
                    AggWindow::Last(d) => format!(" in last {}", Self::dur(d)),
                };
                let flt = if filter == u32::MAX {
                    String::new()
                } else {
                    format!(" where filter {filter}")
                };
                format!("{f}({}{flt}{w})", self.kind(kind))
            }
            _ => String::new(),
        }
    }
}
