//! The formatter (`pol fmt`): one canonical layout for a parsed file, in the
//! file's own keyword language, with every comment kept.
//!
//! Layout: one blank line between items (consecutive imports stay together);
//! an item's header line ends in `:`
//! and each clause follows on its own line, indented two spaces, in the
//! grammar's order. Expressions keep the author's brackets (`Paren` nodes)
//! and add none. Comments are placed by position: each stands before the
//! first line that starts after it, or stays at the end of its line when it
//! followed code there. The layout depends only on the tree and the
//! comments, so formatting twice changes nothing.

use chrono::Datelike;

use crate::syntax::ast::*;
use crate::syntax::keywords::{self, Kw};

mod rules;

/// Lines longer than this are laid out over several lines where the layout
/// allows it (enum values, test values, event fields, a requirement's window).
const WIDTH: usize = 100;

/// Formats a file that parsed without errors. `source` is its text, used to
/// tell comments that end a line of code from comments on their own line.
pub fn format_file(file: &File, source: &str) -> String {
    let mut p = Printer {
        lang: file.language,
        lines: Vec::new(),
    };
    if let Some(h) = &file.header {
        p.header(h);
    }
    let mut previous: Option<&Item> = None;
    for item in &file.items {
        let both_imports = matches!((previous, item), (Some(Item::Import(_)), Item::Import(_)));
        if !both_imports {
            p.blank();
        }
        p.item(item);
        previous = Some(item);
    }
    place_comments(&mut p.lines, &file.comments, source);
    let mut out = String::new();
    for l in &p.lines {
        if !l.text.is_empty() || l.trailing.is_some() {
            out.push_str(&"  ".repeat(l.indent));
        }
        out.push_str(&l.text);
        if let Some(t) = &l.trailing {
            if !l.text.is_empty() {
                out.push(' ');
            }
            out.push_str(t);
        }
        out.push('\n');
    }
    out
}

struct Line {
    indent: usize,
    text: String,
    /// Source offset of what the line starts with; comments before it in
    /// the source are printed before it.
    origin: u32,
    trailing: Option<String>,
    blank: bool,
}

struct Printer {
    lang: Language,
    lines: Vec<Line>,
}

fn put_comment(lines: &mut Vec<Line>, at: usize, c: &Comment, own_line: bool, blank_after: bool) {
    // a trailing comment goes to the last line with code before it
    let mut target = at;
    while target > 0
        && lines
            .get(target - 1)
            .is_some_and(|l| l.blank && l.trailing.is_none())
    {
        target -= 1;
    }
    if !own_line && target > 0 {
        if let Some(l) = lines.get_mut(target - 1) {
            match &mut l.trailing {
                None => {
                    l.trailing = Some(c.text.clone());
                    return;
                }
                Some(t) if !t.starts_with("//") => {
                    t.push(' ');
                    t.push_str(&c.text);
                    return;
                }
                Some(_) => {}
            }
        }
    }
    let indent = lines.get(at).map(|l| l.indent).unwrap_or(0);
    let origin = lines.get(at).map(|l| l.origin).unwrap_or(c.span.start);
    let line = Line {
        indent,
        text: String::new(),
        origin,
        trailing: Some(c.text.clone()),
        blank: false,
    };
    // a `///` line that documents nothing keeps a blank line after it, or
    // it would document the next item once formatted
    // a comment block the author set apart from what follows (a section
    // banner) keeps its blank line
    let orphan_doc =
        (c.text.starts_with("///") && !c.text.starts_with("////")) || (own_line && blank_after);
    let spacer = Line {
        indent: 0,
        text: String::new(),
        origin,
        trailing: None,
        blank: true,
    };
    let at = at.min(lines.len());
    if orphan_doc {
        lines.insert(at, spacer);
    }
    lines.insert(at, line);
}

fn place_comments(lines: &mut Vec<Line>, comments: &[Comment], source: &str) {
    // later comments first, so that earlier insertions do not shift the
    // positions still to be used; comments that share a place keep order
    for c in comments.iter().rev() {
        let at = lines
            .iter()
            .position(|l| l.origin > c.span.start && !l.blank)
            .unwrap_or(lines.len());
        let line_start = source
            .get(..c.span.start as usize)
            .and_then(|t| t.rfind('\n').map(|n| n + 1))
            .unwrap_or(0);
        let own_line = source
            .get(line_start..c.span.start as usize)
            .is_none_or(|t| t.trim().is_empty());
        let blank_after = blank_line_follows(source, c.span.end as usize);
        put_comment(lines, at, c, own_line, blank_after);
    }
}

/// Whether the line after the one ending at `end` is empty (only spaces).
fn blank_line_follows(source: &str, end: usize) -> bool {
    let Some(rest) = source.get(end..) else {
        return false;
    };
    let mut lines = rest.split('\n');
    // the rest of the comment's own line
    if !lines.next().is_some_and(|l| l.trim().is_empty()) {
        return false;
    }
    lines.next().is_some_and(|l| l.trim().is_empty()) && rest.contains('\n')
}

fn date(d: chrono::NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

/// A fixed-point number as the author would write it; `decimal` keeps a
/// point (`1.0`) so it reads back as a decimal.
fn scaled(v: i64, decimal: bool) -> String {
    let sign = if v < 0 { "-" } else { "" };
    let a = v.unsigned_abs();
    let s = a / SCALE as u64;
    let whole = s;
    let frac = a % SCALE as u64;
    if frac == 0 {
        if decimal {
            format!("{sign}{whole}.0")
        } else {
            format!("{sign}{whole}")
        }
    } else {
        let f = format!("{frac:04}");
        format!("{sign}{whole}.{}", f.trim_end_matches('0'))
    }
}

fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn names(ids: &[Ident]) -> String {
    ids.iter()
        .map(|i| i.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

impl Printer {
    fn kw(&self, k: Kw) -> &'static str {
        k.word(self.lang)
    }

    fn line(&mut self, indent: usize, origin: u32, text: String) {
        self.lines.push(Line {
            indent,
            text,
            origin,
            trailing: None,
            blank: false,
        });
    }

    fn blank(&mut self) {
        if self.lines.is_empty() {
            return;
        }
        let origin = self.lines.last().map(|l| l.origin).unwrap_or(0);
        self.lines.push(Line {
            indent: 0,
            text: String::new(),
            origin,
            trailing: None,
            blank: true,
        });
    }

    fn doc(&mut self, indent: usize, origin: u32, doc: &Option<String>) {
        if let Some(d) = doc {
            for l in d.split('\n') {
                let text = if l.is_empty() {
                    "///".to_string()
                } else {
                    format!("/// {l}")
                };
                self.line(indent, origin, text);
            }
        }
    }

    fn title(&self, t: &Option<Str>) -> String {
        t.as_ref()
            .map(|t| format!(" {}", string(&t.value)))
            .unwrap_or_default()
    }

    fn sources(&mut self, sources: &[Str]) {
        for s in sources {
            let text = format!("{} {}", self.kw(Kw::Source), string(&s.value));
            self.line(1, s.span.start, text);
        }
    }

    fn effective(&mut self, e: &Option<Effective>) {
        if let Some(e) = e {
            let mut text = format!(
                "{} {} {}",
                self.kw(Kw::Effective),
                self.kw(Kw::From),
                date(e.from.date)
            );
            if let Some(u) = &e.until {
                text.push_str(&format!(" {} {}", self.kw(Kw::Until), date(u.date)));
            }
            self.line(1, e.span.start, text);
        }
    }

    fn header(&mut self, h: &Header) {
        self.doc(0, h.span.start, &h.doc);
        let text = format!(
            "{} {}{}",
            self.kw(Kw::Policy),
            h.name.name,
            self.title(&h.title)
        );
        self.line(0, h.span.start, text);
        if let Some(v) = &h.version {
            let text = format!("{} {}", self.kw(Kw::Version), string(&v.value));
            self.line(1, v.span.start, text);
        }
        self.effective(&h.effective);
        self.sources(&h.sources);
    }

    fn item(&mut self, item: &Item) {
        let start = item.span().start;
        match item {
            Item::Import(x) => {
                self.doc(0, start, &x.doc);
                let text = format!("{} {}", self.kw(Kw::Import), string(&x.path.value));
                self.line(0, start, text);
            }
            Item::Enum(x) => {
                self.doc(0, start, &x.doc);
                let one = format!(
                    "{} {} {{ {} }}",
                    self.kw(Kw::Enum),
                    x.name.name,
                    names(&x.values)
                );
                if one.chars().count() <= WIDTH {
                    self.line(0, start, one);
                } else {
                    let text = format!("{} {} {{", self.kw(Kw::Enum), x.name.name);
                    self.line(0, start, text);
                    for v in &x.values {
                        self.line(1, v.span.start, format!("{},", v.name));
                    }
                    self.line(0, x.span.end.saturating_sub(1), "}".into());
                }
            }
            Item::Case(x) => {
                self.doc(0, start, &x.doc);
                if x.fields.is_empty() {
                    let text = format!("{} {{ }}", self.kw(Kw::Case));
                    self.line(0, start, text);
                } else {
                    let text = format!("{} {{", self.kw(Kw::Case));
                    self.line(0, start, text);
                    for f in &x.fields {
                        self.doc(1, f.span.start, &f.doc);
                        let text = self.field(f);
                        self.line(1, f.span.start, text);
                    }
                    self.line(0, x.span.end.saturating_sub(1), "}".into());
                }
            }
            Item::Event(x) => self.event(x),
            Item::Param(x) => {
                self.doc(0, start, &x.doc);
                let mut text = format!(
                    "{} {}{}: {}",
                    self.kw(Kw::Parameter),
                    x.name.name,
                    self.title(&x.title),
                    self.ty(&x.ty)
                );
                if let Some(d) = &x.default {
                    text.push_str(&format!(" = {}", self.literal(d)));
                }
                self.line(0, start, text);
                self.sources(&x.sources);
            }
            Item::Group(x) => {
                self.doc(0, start, &x.doc);
                let text = format!(
                    "{} {}{}:",
                    self.kw(Kw::Group),
                    x.name.name,
                    self.title(&x.title)
                );
                self.line(0, start, text);
                let e = self.expr(&x.expr);
                self.line(1, x.expr.span.start, e);
                if let Some(n) = &x.priority {
                    let text = format!("{} {}", self.kw(Kw::Priority), n.value);
                    self.line(1, n.span.start, text);
                }
                if x.overlaps_all {
                    let text = format!("{} {}", self.kw(Kw::Overlaps), self.kw(Kw::All));
                    let origin = x.priority.map_or(x.expr.span.end, |p| p.span.end);
                    self.line(1, origin, text);
                } else if let Some(first) = x.overlaps.first() {
                    let text = format!("{} {}", self.kw(Kw::Overlaps), names(&x.overlaps));
                    self.line(1, first.span.start, text);
                }
                self.sources(&x.sources);
            }
            Item::Rule(x) => {
                self.doc(0, start, &x.doc);
                let mut text = format!("{} {}", self.kw(Kw::Rule), x.name.name);
                if !x.groups.is_empty() {
                    text.push_str(&format!(" {} {}", self.kw(Kw::For), names(&x.groups)));
                }
                text.push_str(&self.title(&x.title));
                text.push(':');
                self.line(0, start, text);
                if let Some(w) = &x.when {
                    let text = format!("{} {}", self.kw(Kw::When), self.expr(w));
                    self.line(1, w.span.start, text);
                }
                self.body(1, &x.body);
                self.effective(&x.effective);
                self.sources(&x.sources);
            }
            Item::Exemption(x) => {
                self.doc(0, start, &x.doc);
                let text = format!(
                    "{} {}{}:",
                    self.kw(Kw::Exemption),
                    x.name.name,
                    self.title(&x.title)
                );
                self.line(0, start, text);
                let effect = match x.effect {
                    Effect::Waives => self.kw(Kw::Waives),
                    Effect::Suspends => self.kw(Kw::Suspends),
                };
                let scope = x
                    .scope
                    .iter()
                    .map(|s| match s {
                        ScopeItem::All(_) => self.kw(Kw::All).to_string(),
                        ScopeItem::GroupRules(g) => format!("{}.*", g.name),
                        ScopeItem::Rule(r) => r.name.clone(),
                        ScopeItem::GroupRule(g, r) => format!("{}.{}", g.name, r.name),
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                let cond = match &x.condition {
                    Condition::When(e) => format!("{} {}", self.kw(Kw::When), self.expr(e)),
                    Condition::While(e) => format!("{} {}", self.kw(Kw::While), self.expr(e)),
                };
                self.line(
                    1,
                    x.effect_keyword.span.start,
                    format!("{effect} {scope} {cond}"),
                );
                if let Some(u) = &x.unless {
                    let text = format!("{} {}", self.kw(Kw::Unless), self.expr(u));
                    self.line(1, u.span.start, text);
                }
                if let Some(first) = x.overrides.first() {
                    let text = format!("{} {}", self.kw(Kw::Overrides), names(&x.overrides));
                    self.line(1, first.span.start, text);
                }
                self.sources(&x.sources);
            }
            Item::Target(x) => {
                self.doc(0, start, &x.doc);
                let text = format!(
                    "{} {}{}:",
                    self.kw(Kw::Target),
                    x.name.name,
                    self.title(&x.title)
                );
                self.line(0, start, text);
                let lang = self.lang;
                let bound = |b: &Bound| match b {
                    Bound::AtMost => Kw::AtMost.word(lang),
                    Bound::AtLeast => Kw::AtLeast.word(lang),
                };
                let (head, origin) = match &x.measure {
                    Measure::Share { share, span } => (
                        format!("{} {}%", self.kw(Kw::AtLeast), scaled(*share, false)),
                        span.start,
                    ),
                    Measure::Count { bound: b, n } => {
                        (format!("{} {}", bound(b), n.value), n.span.start)
                    }
                    Measure::Average { value, .. } => (
                        format!("{} {}", self.kw(Kw::Average), self.expr(value)),
                        value.span.start,
                    ),
                    Measure::Param {
                        bound: b,
                        threshold,
                    } => (
                        format!("{} {}", bound(b), self.expr(threshold)),
                        threshold.span.start,
                    ),
                };
                let mut text = format!("{head} {} {}", self.kw(Kw::OfGroup), x.group.name);
                if let Some(f) = &x.filter {
                    text.push_str(&format!(" {} {}", self.kw(Kw::Where), self.expr(f)));
                }
                self.line(1, origin, text);
                if let Measure::Average {
                    bound: b,
                    limit,
                    param,
                    ..
                } = &x.measure
                {
                    match param {
                        Some(p) => self.line(1, p.span.start, format!("{} {}", bound(b), p.name)),
                        None => {
                            let mut text = format!("{} {}", bound(b), scaled(limit.value, false));
                            if let Some(u) = limit.unit {
                                let n = if limit.value == SCALE { 1 } else { 2 };
                                text.push_str(&format!(
                                    " {}",
                                    keywords::unit_word(u, n, self.lang)
                                ));
                            }
                            self.line(1, limit.span.start, text);
                        }
                    }
                }
                if let Some(e) = &x.satisfy {
                    let text = format!("{} {}", self.kw(Kw::Satisfy), self.expr(e));
                    self.line(1, e.span.start, text);
                }
                self.effective(&x.effective);
                self.sources(&x.sources);
            }
            Item::Test(x) => self.test(x),
        }
    }

    fn field(&self, f: &Field) -> String {
        let mut s = format!("{}: {}", f.name.name, self.ty(&f.ty));
        if let Some(d) = &f.default {
            s.push_str(&format!(" = {}", self.literal(d)));
        }
        s
    }

    fn ty(&self, t: &TypeExpr) -> String {
        let base = match &t.kind {
            TypeKind::Bool => self.kw(Kw::TyBool).to_string(),
            TypeKind::Int => self.kw(Kw::TyInt).to_string(),
            TypeKind::Decimal => self.kw(Kw::TyDecimal).to_string(),
            TypeKind::Percent => self.kw(Kw::TyPercent).to_string(),
            TypeKind::Text => self.kw(Kw::TyText).to_string(),
            TypeKind::Date => self.kw(Kw::TyDate).to_string(),
            TypeKind::Duration => self.kw(Kw::TyDuration).to_string(),
            TypeKind::Periods => self.kw(Kw::TyPeriods).to_string(),
            TypeKind::Named(n) => n.name.clone(),
        };
        if t.optional {
            format!("{base}?")
        } else {
            base
        }
    }

    fn duration(&self, d: &DurationLit) -> String {
        format!("{} {}", d.n, keywords::unit_word(d.unit, d.n, self.lang))
    }

    fn literal(&self, l: &Literal) -> String {
        match &l.kind {
            LiteralKind::Bool(true) => self.kw(Kw::True).into(),
            LiteralKind::Bool(false) => self.kw(Kw::False).into(),
            LiteralKind::Int(n) => n.to_string(),
            LiteralKind::Decimal(v) => scaled(*v, true),
            LiteralKind::Percent(v) => format!("{}%", scaled(*v, false)),
            LiteralKind::Text(s) => string(s),
            LiteralKind::Date(d) => date(*d),
            LiteralKind::Duration(d) => self.duration(d),
            LiteralKind::Name(n) => n.name.clone(),
            LiteralKind::Periods(ps) => {
                let inner = ps
                    .iter()
                    .map(|(a, b)| match b {
                        Some(b) => format!("{} .. {}", date(a.date), date(b.date)),
                        None => format!("{} ..", date(a.date)),
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                format!("[{inner}]")
            }
        }
    }

    fn event(&mut self, x: &EventDecl) {
        let start = x.span.start;
        self.doc(0, start, &x.doc);
        let cost = x
            .cost
            .map(|c| {
                let unit = match c.unit {
                    CostUnit::Minutes => self.kw(Kw::Minutes),
                    CostUnit::Hours => self.kw(Kw::Hours),
                };
                format!(" {} {} {unit}", self.kw(Kw::Costs), scaled(c.amount, false))
            })
            .unwrap_or_default();
        let fields: Vec<String> = x.fields.iter().map(|f| self.field(f)).collect();
        let inline = if fields.is_empty() {
            format!("{} {} {{ }}{cost}", self.kw(Kw::Event), x.name.name)
        } else {
            format!(
                "{} {} {{ {} }}{cost}",
                self.kw(Kw::Event),
                x.name.name,
                fields.join(", ")
            )
        };
        if inline.chars().count() <= WIDTH && x.fields.iter().all(|f| f.doc.is_none()) {
            self.line(0, start, inline);
            return;
        }
        let text = format!("{} {} {{", self.kw(Kw::Event), x.name.name);
        self.line(0, start, text);
        for (f, text) in x.fields.iter().zip(fields) {
            self.doc(1, f.span.start, &f.doc);
            self.line(1, f.span.start, text);
        }
        let end = x
            .cost
            .map(|c| c.span.start)
            .unwrap_or(x.span.end)
            .saturating_sub(1);
        self.line(0, end, format!("}}{cost}"));
    }

    fn values(&self, fields: &[FieldValue]) -> Vec<String> {
        fields
            .iter()
            .map(|f| format!("{}: {}", f.name.name, self.literal(&f.value)))
            .collect()
    }

    fn test(&mut self, x: &TestDecl) {
        let start = x.span.start;
        self.doc(0, start, &x.doc);
        let text = format!("{} {} {{", self.kw(Kw::Test), string(&x.name.value));
        self.line(0, start, text);
        if let Some(c) = &x.case {
            let vals = self.values(&c.fields);
            let inline = format!("{} {{ {} }}", self.kw(Kw::Case), vals.join(", "));
            if vals.is_empty() {
                let text = format!("{} {{ }}", self.kw(Kw::Case));
                self.line(1, c.span.start, text);
            } else if inline.chars().count() + 2 <= WIDTH {
                self.line(1, c.span.start, inline);
            } else {
                let text = format!("{} {{", self.kw(Kw::Case));
                self.line(1, c.span.start, text);
                for (f, v) in c.fields.iter().zip(vals) {
                    self.line(2, f.span.start, v);
                }
                self.line(1, c.span.end.saturating_sub(1), "}".into());
            }
        }
        for ev in &x.events {
            let mut text = format!(
                "{} {} {} {}",
                self.kw(Kw::Event),
                ev.kind.name,
                self.kw(Kw::On),
                date(ev.date.date)
            );
            if !ev.fields.is_empty() {
                text.push_str(&format!(" {{ {} }}", self.values(&ev.fields).join(", ")));
            }
            self.line(1, ev.span.start, text);
        }
        let text = format!("{} {}", self.kw(Kw::At), date(x.at.date));
        self.line(1, x.at.span.start, text);
        for e in &x.expects {
            let text = match &e.kind {
                ExpectKind::Target {
                    target, outcome, ..
                } => format!(
                    "{} {} {} {} {}",
                    self.kw(Kw::Expect),
                    self.kw(Kw::Target),
                    target.name,
                    self.kw(Kw::Is),
                    self.kw(keywords::outcome_kw(*outcome))
                ),
                ExpectKind::InGroup { negated, group } => {
                    let not = if *negated {
                        format!("{} ", self.kw(Kw::Not))
                    } else {
                        String::new()
                    };
                    format!(
                        "{} {not}{} {}",
                        self.kw(Kw::Expect),
                        self.kw(Kw::In),
                        group.name
                    )
                }
                ExpectKind::Status {
                    group,
                    rule,
                    status,
                    arg,
                    due,
                    ..
                } => {
                    let mut s = format!("{} ", self.kw(Kw::Expect));
                    if let Some(g) = group {
                        s.push_str(&format!("{}.", g.name));
                    }
                    s.push_str(&format!(
                        "{} {} {}",
                        rule.name,
                        self.kw(Kw::Is),
                        self.kw(keywords::status_kw(*status))
                    ));
                    match arg {
                        Some(StatusArg::Date(d)) => s.push_str(&format!("({})", date(d.date))),
                        Some(StatusArg::Name(n)) => s.push_str(&format!("({})", n.name)),
                        None => {}
                    }
                    if let Some(d) = due {
                        s.push_str(&format!(" {} {}", self.kw(Kw::Due), date(d.date)));
                    }
                    s
                }
            };
            self.line(1, e.span.start, text);
        }
        self.line(0, x.span.end.saturating_sub(1), "}".into());
    }
}
