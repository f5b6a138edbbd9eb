//! The parser: `.pol` text to `ast::File`, reporting every syntax error of
//! a file in one run.
//!
//! Three passes. A light scan (`scan`) finds comments, strings and item
//! keywords at the start of a line; it cuts the file into chunks there,
//! reports what pest would explain badly (an unterminated string, a decimal
//! comma, runaway nesting) and guesses the keyword language. pest then parses
//! each chunk on its own, so an error in one item never hides the errors of
//! the next. Finally the pairs become the AST, with the keyword-language
//! check, units, dates and numbers validated on the way.
//!
//! Naming (STYLE.md §5): `build_x` turns a pair of rule `x` into its node.

use std::borrow::Cow;
use std::cell::RefCell;
use std::sync::LazyLock;

use chrono::NaiveDate;
use pest::error::{ErrorVariant, InputLocation};
use pest::iterators::Pair;
use pest::pratt_parser::{Assoc, Op, PrattParser};
use pest::Parser;

use super::ast::*;
use super::codes;
use super::keywords::{self, Kw};
use super::span::{FileId, Span};
use crate::diagnostics::{Diagnostic, Diagnostics};

#[derive(pest_derive::Parser)]
#[grammar = "syntax/pol.pest"]
struct PolParser;

/// Brackets nested deeper than this are refused (no policy needs more; a
/// fuzzer's `((((…` must not exhaust the stack).
pub const MAX_NESTING: usize = 32;
/// Operators in one expression without brackets, for the same reason.
pub const MAX_OPERATORS: usize = 256;

/// Parses one file. Always returns a file: items that did not parse are
/// left out and reported in `diags`.
mod errors;
mod scan;
#[cfg(test)]
mod tests;

use errors::*;
use scan::*;

pub fn parse_file(file: FileId, text: &str, diags: &mut Diagnostics) -> File {
    let scan = scan(file, text, diags);
    let lang = scan.language.unwrap_or_default();
    let mut b = Builder {
        file,
        text,
        base: 0,
        lang,
        diags,
        header: None,
        items: Vec::new(),
    };
    let mut unparsed = Vec::new();
    for chunk in &scan.chunks {
        if chunk.broken {
            unparsed.extend(item_name(text, chunk.start));
            continue;
        }
        let Some(src) = text.get(chunk.start..chunk.end) else {
            continue;
        };
        b.base = chunk.start;
        match PolParser::parse(Rule::chunk, src) {
            Ok(pairs) => {
                for pair in pairs {
                    b.check_language(&pair);
                    b.build_chunk(pair);
                }
            }
            Err(e) => {
                b.report_pest_error(&e, chunk);
                unparsed.extend(item_name(text, chunk.start));
            }
        }
    }
    let Builder { header, items, .. } = b;
    let mut out = File {
        language: lang,
        header,
        items,
        comments: Vec::new(),
        unparsed,
        span: Span::new(file, 0, text.len()),
    };
    attach_docs(&mut out, &scan.comments, text);
    out
}

// ------------------------------------------------------------------ build

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

struct Builder<'a> {
    file: FileId,
    text: &'a str,
    /// Offset of the chunk being built in `text`.
    base: usize,
    lang: Language,
    diags: &'a mut Diagnostics,
    header: Option<Header>,
    items: Vec<Item>,
}

fn keyword_of(r: Rule) -> Option<Kw> {
    Some(match r {
        Rule::kw_policy => Kw::Policy,
        Rule::kw_version => Kw::Version,
        Rule::kw_parameter => Kw::Parameter,
        Rule::kw_effective => Kw::Effective,
        Rule::kw_from => Kw::From,
        Rule::kw_until => Kw::Until,
        Rule::kw_source => Kw::Source,
        Rule::kw_import => Kw::Import,
        Rule::kw_enum => Kw::Enum,
        Rule::kw_case => Kw::Case,
        Rule::kw_event => Kw::Event,
        Rule::kw_costs => Kw::Costs,
        Rule::kw_group => Kw::Group,
        Rule::kw_priority => Kw::Priority,
        Rule::kw_overlaps => Kw::Overlaps,
        Rule::kw_rule => Kw::Rule,
        Rule::kw_for => Kw::For,
        Rule::kw_when => Kw::When,
        Rule::kw_require => Kw::Require,
        Rule::kw_where => Kw::Where,
        Rule::kw_within => Kw::Within,
        Rule::kw_of => Kw::Of,
        Rule::kw_before_week => Kw::BeforeWeek,
        Rule::kw_every => Kw::Every,
        Rule::kw_on_time => Kw::OnTime,
        Rule::kw_each => Kw::Each,
        Rule::kw_during_first => Kw::DuringFirst,
        Rule::kw_at_most => Kw::AtMost,
        Rule::kw_apart => Kw::Apart,
        Rule::kw_after => Kw::After,
        Rule::kw_per => Kw::Per,
        Rule::kw_calendar_year => Kw::CalendarYear,
        Rule::kw_if => Kw::If,
        Rule::kw_then => Kw::Then,
        Rule::kw_else => Kw::Else,
        Rule::kw_and => Kw::And,
        Rule::kw_or => Kw::Or,
        Rule::kw_not => Kw::Not,
        Rule::kw_in => Kw::In,
        Rule::kw_in_last => Kw::InLast,
        Rule::kw_today => Kw::Today,
        Rule::kw_age => Kw::Age,
        Rule::kw_on => Kw::On,
        Rule::kw_count => Kw::Count,
        Rule::kw_sum => Kw::Sum,
        Rule::kw_first => Kw::First,
        Rule::kw_last => Kw::Last,
        Rule::kw_true => Kw::True,
        Rule::kw_false => Kw::False,
        Rule::kw_exemption => Kw::Exemption,
        Rule::kw_waives => Kw::Waives,
        Rule::kw_suspends => Kw::Suspends,
        Rule::kw_while => Kw::While,
        Rule::kw_unless => Kw::Unless,
        Rule::kw_overrides => Kw::Overrides,
        Rule::kw_all => Kw::All,
        Rule::kw_target => Kw::Target,
        Rule::kw_at_least => Kw::AtLeast,
        Rule::kw_of_group => Kw::OfGroup,
        Rule::kw_satisfy => Kw::Satisfy,
        Rule::kw_test => Kw::Test,
        Rule::kw_expect => Kw::Expect,
        Rule::kw_is => Kw::Is,
        Rule::kw_due => Kw::Due,
        Rule::kw_at => Kw::At,
        Rule::ty_bool => Kw::TyBool,
        Rule::ty_int => Kw::TyInt,
        Rule::ty_decimal => Kw::TyDecimal,
        Rule::ty_percent => Kw::TyPercent,
        Rule::ty_text => Kw::TyText,
        Rule::ty_date => Kw::TyDate,
        Rule::ty_duration => Kw::TyDuration,
        Rule::ty_periods => Kw::TyPeriods,
        Rule::st_met => Kw::Met,
        Rule::st_met_late => Kw::MetLate,
        Rule::st_pending => Kw::Pending,
        Rule::st_overdue => Kw::Overdue,
        Rule::st_exempt => Kw::Exempt,
        Rule::st_not_applicable => Kw::NotApplicable,
        Rule::kw_between => Kw::Between,
        Rule::kw_average => Kw::Average,
        Rule::to_satisfied => Kw::Satisfied,
        Rule::to_failed => Kw::Failed,
        Rule::to_excluded => Kw::Excluded,
        Rule::to_not_counted => Kw::NotCounted,
        _ => return None,
    })
}

fn error_window(span: Span) -> Window {
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

fn is_operator(r: Rule) -> bool {
    matches!(
        r,
        Rule::op_or
            | Rule::op_and
            | Rule::op_eq
            | Rule::op_ne
            | Rule::op_le
            | Rule::op_ge
            | Rule::op_lt
            | Rule::op_gt
            | Rule::op_in
            | Rule::op_add
            | Rule::op_sub
            | Rule::op_mul
            | Rule::op_div
            | Rule::op_not
            | Rule::op_neg
            | Rule::op_present
            | Rule::op_on_time
    )
}

/// `s` with each run of whitespace made one space (`inden  for`); most
/// keywords are one word and come back as they are, without allocating.
fn collapse(s: &str) -> Cow<'_, str> {
    if s.contains(char::is_whitespace) {
        Cow::Owned(s.split_whitespace().collect::<Vec<_>>().join(" "))
    } else {
        Cow::Borrowed(s)
    }
}

fn lang_name(l: Language) -> &'static str {
    match l {
        Language::English => "English",
        Language::Danish => "Danish",
    }
}

fn other(l: Language) -> Language {
    match l {
        Language::English => Language::Danish,
        Language::Danish => Language::English,
    }
}

impl<'a> Builder<'a> {
    /// The pair's source range without the whitespace a failed optional
    /// part after it may have consumed (`event x on D` then a new line).
    fn span(&self, p: &Pair<'_, Rule>) -> Span {
        let s = p.as_span();
        let end = s.start() + p.as_str().trim_end().len();
        Span::new(self.file, self.base + s.start(), self.base + end)
    }

    fn error(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    /// A file keeps to one keyword language (docs/language.md §1).
    fn check_language(&mut self, pair: &Pair<'_, Rule>) {
        for p in pair.clone().into_inner().flatten() {
            let Some(kw) = keyword_of(p.as_rule()) else {
                continue;
            };
            let text = collapse(p.as_str());
            if kw.language_of(&text) == Some(other(self.lang)) {
                let right = kw.word(self.lang);
                let sp = self.span(&p);
                self.error(
                    Diagnostic::error(
                        codes::MIXED_LANGUAGE,
                        format!(
                            "`{text}` is {} but this file is written in {}",
                            lang_name(other(self.lang)),
                            lang_name(self.lang)
                        ),
                    )
                    .with_label(sp, format!("{} keyword", lang_name(other(self.lang))))
                    .with_help(format!(
                        "write `{right}`: a file uses one keyword language throughout"
                    )),
                );
            }
        }
    }

    fn keyword(&self, p: &Pair<'_, Rule>) -> Keyword {
        Keyword {
            text: collapse(p.as_str()).into_owned(),
            span: self.span(p),
        }
    }

    fn ident(&self, p: &Pair<'_, Rule>) -> Ident {
        Ident {
            name: p.as_str().to_string(),
            span: self.span(p),
        }
    }

    fn missing_ident(&self, at: Span) -> Ident {
        Ident {
            name: String::new(),
            span: at,
        }
    }

    fn string(&self, p: &Pair<'_, Rule>) -> Str {
        let raw = p.as_str();
        let inner = raw
            .strip_prefix('"')
            .and_then(|r| r.strip_suffix('"'))
            .unwrap_or(raw);
        let mut value = String::with_capacity(inner.len());
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some('"') => value.push('"'),
                    Some('\\') => value.push('\\'),
                    Some('n') => value.push('\n'),
                    Some('t') => value.push('\t'),
                    Some(o) => {
                        value.push('\\');
                        value.push(o);
                    }
                    None => value.push('\\'),
                }
            } else {
                value.push(c);
            }
        }
        Str {
            value,
            span: self.span(p),
        }
    }

    fn date(&mut self, p: &Pair<'_, Rule>) -> DateLit {
        let s = p.as_str();
        let part = |r: std::ops::Range<usize>| s.get(r).and_then(|x| x.parse::<u32>().ok());
        let date = match (part(0..4), part(5..7), part(8..10)) {
            (Some(y), Some(m), Some(d)) => NaiveDate::from_ymd_opt(y as i32, m, d),
            _ => None,
        };
        let span = self.span(p);
        let date = date.unwrap_or_else(|| {
            self.error(
                Diagnostic::error(codes::BAD_DATE, format!("`{s}` is not a date"))
                    .with_label(span, "no such day")
                    .with_help("write dates as year-month-day, e.g. `2026-03-02`"),
            );
            NaiveDate::default()
        });
        DateLit { date, span }
    }

    fn int(&mut self, p: &Pair<'_, Rule>) -> i64 {
        match p.as_str().parse::<i64>() {
            Ok(n) if n <= i64::MAX / SCALE => n,
            _ => {
                let sp = self.span(p);
                self.error(
                    Diagnostic::error(
                        codes::NUMBER_RANGE,
                        format!("`{}` is too large", p.as_str()),
                    )
                    .with_label(sp, "too many digits")
                    .with_help("numbers must stay below 922337203685477"),
                );
                0
            }
        }
    }

    fn int_lit(&mut self, p: &Pair<'_, Rule>) -> IntLit {
        let n = self.int(p);
        let value = u32::try_from(n).unwrap_or_else(|_| {
            let sp = self.span(p);
            self.error(
                Diagnostic::error(codes::NUMBER_RANGE, format!("`{n}` is too large"))
                    .with_label(sp, "too large here")
                    .with_help("use a number below 4294967296"),
            );
            0
        });
        IntLit {
            value,
            span: self.span(p),
        }
    }

    /// `37.5` → 375_000; at most 4 decimals.
    fn scaled(&mut self, p: &Pair<'_, Rule>) -> i64 {
        let s = p.as_str();
        let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
        let sp = self.span(p);
        if frac.len() > 4 {
            self.error(
                Diagnostic::error(
                    codes::NUMBER_RANGE,
                    format!("`{s}` has more than 4 decimals"),
                )
                .with_label(sp, "too precise")
                .with_help("round to at most 4 decimals"),
            );
        }
        let mut frac_n: i64 = 0;
        for (i, c) in frac.chars().take(4).enumerate() {
            frac_n += i64::from(c.to_digit(10).unwrap_or(0) as u8) * 10i64.pow(3 - i as u32);
        }
        match whole.parse::<i64>() {
            Ok(w) if w < i64::MAX / SCALE => w * SCALE + frac_n,
            _ => {
                self.error(
                    Diagnostic::error(codes::NUMBER_RANGE, format!("`{s}` is too large"))
                        .with_label(sp, "too many digits")
                        .with_help("numbers must stay below 922337203685477"),
                );
                0
            }
        }
    }

    /// `75%` → 750_000.
    fn percent(&mut self, p: &Pair<'_, Rule>) -> i64 {
        match p.clone().into_inner().next() {
            Some(n) => self.scaled(&n),
            None => 0,
        }
    }

    fn duration(&mut self, p: &Pair<'_, Rule>) -> DurationLit {
        let span = self.span(p);
        let mut n = 0;
        let mut unit = Unit::Day;
        for c in p.clone().into_inner() {
            match c.as_rule() {
                Rule::int => n = self.int(&c),
                Rule::unit => unit = self.unit(&c),
                _ => {}
            }
        }
        DurationLit { n, unit, span }
    }

    fn unit(&mut self, p: &Pair<'_, Rule>) -> Unit {
        let word = p.as_str();
        let sp = self.span(p);
        match keywords::unit(word) {
            Some((u, l)) => {
                if l != self.lang && keywords::unit_word(u, 2, self.lang) != word {
                    let right = keywords::unit_word(u, 2, self.lang);
                    self.error(
                        Diagnostic::error(
                            codes::MIXED_LANGUAGE,
                            format!(
                                "`{word}` is {} but this file is written in {}",
                                lang_name(l),
                                lang_name(self.lang)
                            ),
                        )
                        .with_label(sp, format!("{} unit", lang_name(l)))
                        .with_help(format!(
                            "write `{right}`: a file uses one keyword language throughout"
                        )),
                    );
                }
                u
            }
            None => {
                let units = match self.lang {
                    Language::English => "`days`, `weeks`, `months` or `years`",
                    Language::Danish => "`dage`, `uger`, `måneder` or `år`",
                };
                let help = match keywords::guess_unit(word, self.lang) {
                    Some(g) => format!("did you mean `{g}`? a duration's unit is one of {units}"),
                    None => format!("a duration's unit is one of {units}"),
                };
                self.error(
                    Diagnostic::error(codes::UNKNOWN_UNIT, format!("unknown unit `{word}`"))
                        .with_label(sp, "not a unit")
                        .with_help(help),
                );
                Unit::Day
            }
        }
    }

    // -------------------------------------------------------------- items

    fn build_chunk(&mut self, pair: Pair<'_, Rule>) {
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::header => {
                    let h = self.build_header(p);
                    if let Some(first) = &self.header {
                        let prev = first.span;
                        self.error(
                            Diagnostic::error(
                                codes::HEADER_PLACE,
                                "a file has only one policy header",
                            )
                            .with_label(h.name.span, "a second header")
                            .with_label(prev, "the first header")
                            .with_help("put the other policy in a file of its own and import it"),
                        );
                    } else if let Some(item) = self.items.first() {
                        let at = item.span();
                        self.error(
                            Diagnostic::error(
                                codes::HEADER_PLACE,
                                "the policy header must come first in the file",
                            )
                            .with_label(h.name.span, "the header")
                            .with_label(at, "an item before it")
                            .with_help("move the header to the top of the file"),
                        );
                        self.header = Some(h);
                    } else {
                        self.header = Some(h);
                    }
                }
                Rule::import => {
                    let span = self.span(&p);
                    let path = p
                        .into_inner()
                        .find(|c| c.as_rule() == Rule::string)
                        .map(|c| self.string(&c))
                        .unwrap_or(Str {
                            value: String::new(),
                            span,
                        });
                    self.items.push(Item::Import(ImportDecl {
                        path,
                        doc: None,
                        span,
                    }));
                }
                Rule::enum_decl => {
                    let span = self.span(&p);
                    let mut ids = p
                        .into_inner()
                        .filter(|c| c.as_rule() == Rule::ident)
                        .map(|c| self.ident(&c));
                    let name = ids.next().unwrap_or_else(|| self.missing_ident(span));
                    let values = ids.collect();
                    self.items.push(Item::Enum(EnumDecl {
                        name,
                        values,
                        doc: None,
                        span,
                    }));
                }
                Rule::case_decl => {
                    let span = self.span(&p);
                    let fields = p
                        .into_inner()
                        .filter(|c| c.as_rule() == Rule::field)
                        .map(|c| self.build_field(c))
                        .collect();
                    self.items.push(Item::Case(CaseDecl {
                        fields,
                        doc: None,
                        span,
                    }));
                }
                Rule::event_decl => self.push_item(Self::build_event, p),
                Rule::param_decl => self.push_item(Self::build_param, p),
                Rule::group => self.push_item(Self::build_group, p),
                Rule::rule => self.push_item(Self::build_rule, p),
                Rule::exemption => self.push_item(Self::build_exemption, p),
                Rule::target => self.push_item(Self::build_target, p),
                Rule::test => self.push_item(Self::build_test, p),
                _ => {}
            }
        }
    }

    fn build_effective(&mut self, p: Pair<'_, Rule>) -> Effective {
        let span = self.span(&p);
        let mut dates = Vec::new();
        for c in p.into_inner() {
            if c.as_rule() == Rule::date {
                dates.push(self.date(&c));
            }
        }
        let mut it = dates.into_iter();
        let from = it.next().unwrap_or(DateLit {
            date: NaiveDate::default(),
            span,
        });
        Effective {
            from,
            until: it.next(),
            span,
        }
    }

    fn build_source(&mut self, p: Pair<'_, Rule>) -> Option<Str> {
        p.into_inner()
            .find(|c| c.as_rule() == Rule::string)
            .map(|c| self.string(&c))
    }

    fn build_header(&mut self, p: Pair<'_, Rule>) -> Header {
        let span = self.span(&p);
        let mut h = Header {
            name: self.missing_ident(span),
            title: None,
            version: None,
            effective: None,
            sources: Vec::new(),
            doc: None,
            span,
        };
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::ident => h.name = self.ident(&c),
                Rule::string => h.title = Some(self.string(&c)),
                Rule::version => {
                    h.version = c
                        .into_inner()
                        .find(|x| x.as_rule() == Rule::string)
                        .map(|x| self.string(&x));
                }
                Rule::effective => h.effective = Some(self.build_effective(c)),
                Rule::source => h.sources.extend(self.build_source(c)),
                _ => {}
            }
        }
        h
    }

    fn build_field(&mut self, p: Pair<'_, Rule>) -> Field {
        let span = self.span(&p);
        let mut name = self.missing_ident(span);
        let mut ty = TypeExpr {
            kind: TypeKind::Int,
            optional: false,
            span,
        };
        let mut default = None;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::ident => name = self.ident(&c),
                Rule::type_expr => ty = self.build_type(c),
                Rule::literal => default = Some(self.build_literal(c)),
                _ => {}
            }
        }
        Field {
            name,
            ty,
            default,
            doc: None,
            span,
        }
    }

    fn build_type(&mut self, p: Pair<'_, Rule>) -> TypeExpr {
        let span = self.span(&p);
        let mut kind = TypeKind::Int;
        let mut optional = false;
        for c in p.into_inner() {
            kind = match c.as_rule() {
                Rule::ty_bool => TypeKind::Bool,
                Rule::ty_int => TypeKind::Int,
                Rule::ty_decimal => TypeKind::Decimal,
                Rule::ty_percent => TypeKind::Percent,
                Rule::ty_text => TypeKind::Text,
                Rule::ty_date => TypeKind::Date,
                Rule::ty_duration => TypeKind::Duration,
                Rule::ty_periods => TypeKind::Periods,
                Rule::ident => TypeKind::Named(self.ident(&c)),
                Rule::opt_mark => {
                    optional = true;
                    continue;
                }
                _ => continue,
            };
        }
        TypeExpr {
            kind,
            optional,
            span,
        }
    }

    fn build_literal(&mut self, p: Pair<'_, Rule>) -> Literal {
        let span = self.span(&p);
        let kind = match p.into_inner().next() {
            Some(c) => match c.as_rule() {
                Rule::kw_true => LiteralKind::Bool(true),
                Rule::kw_false => LiteralKind::Bool(false),
                Rule::date => LiteralKind::Date(self.date(&c).date),
                Rule::percent => LiteralKind::Percent(self.percent(&c)),
                Rule::decimal => LiteralKind::Decimal(self.scaled(&c)),
                Rule::duration => LiteralKind::Duration(self.duration(&c)),
                Rule::int => LiteralKind::Int(self.int(&c)),
                Rule::neg_number => match c.into_inner().next() {
                    Some(n) => match n.as_rule() {
                        Rule::percent => LiteralKind::Percent(-self.percent(&n)),
                        Rule::decimal => LiteralKind::Decimal(-self.scaled(&n)),
                        _ => LiteralKind::Int(-self.int(&n)),
                    },
                    None => LiteralKind::Int(0),
                },
                Rule::string => LiteralKind::Text(self.string(&c).value),
                Rule::lit_periods => {
                    let mut ps = Vec::new();
                    for lp in c.into_inner().filter(|x| x.as_rule() == Rule::lit_period) {
                        let mut ds = lp
                            .into_inner()
                            .filter(|x| x.as_rule() == Rule::date)
                            .map(|x| self.date(&x))
                            .collect::<Vec<_>>()
                            .into_iter();
                        if let Some(from) = ds.next() {
                            ps.push((from, ds.next()));
                        }
                    }
                    LiteralKind::Periods(ps)
                }
                Rule::ident => LiteralKind::Name(self.ident(&c)),
                _ => LiteralKind::Int(0),
            },
            None => LiteralKind::Int(0),
        };
        Literal { kind, span }
    }

    fn build_event(&mut self, p: Pair<'_, Rule>) -> Item {
        let span = self.span(&p);
        let mut name = None;
        let mut fields = Vec::new();
        let mut cost = None;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::ident => name = Some(self.ident(&c)),
                Rule::field => fields.push(self.build_field(c)),
                Rule::cost => cost = Some(self.build_cost(c)),
                _ => {}
            }
        }
        Item::Event(EventDecl {
            name: name.unwrap_or_else(|| self.missing_ident(span)),
            fields,
            cost,
            doc: None,
            span,
        })
    }

    /// Builds one item with `build` and keeps it.
    fn push_item<'i>(&mut self, build: fn(&mut Self, Pair<'i, Rule>) -> Item, p: Pair<'i, Rule>) {
        let item = build(self, p);
        self.items.push(item);
    }

    fn build_param(&mut self, p: Pair<'_, Rule>) -> Item {
        let span = self.span(&p);
        let mut d = ParamDecl {
            name: self.missing_ident(span),
            title: None,
            ty: TypeExpr {
                kind: TypeKind::Int,
                optional: false,
                span,
            },
            default: None,
            sources: Vec::new(),
            doc: None,
            span,
        };
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::ident => d.name = self.ident(&c),
                Rule::string => d.title = Some(self.string(&c)),
                Rule::type_expr => d.ty = self.build_type(c),
                Rule::literal => d.default = Some(self.build_literal(c)),
                Rule::source => d.sources.extend(self.build_source(c)),
                _ => {}
            }
        }
        Item::Param(d)
    }

    fn build_cost(&mut self, p: Pair<'_, Rule>) -> Cost {
        let span = self.span(&p);
        let mut amount = 0;
        let mut unit = CostUnit::Minutes;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::int => amount = self.int(&c).saturating_mul(SCALE),
                Rule::decimal => amount = self.scaled(&c),
                Rule::unit => {
                    let w = c.as_str();
                    let sp = self.span(&c);
                    if let Some(l) = Kw::Minutes.language_of(w) {
                        unit = CostUnit::Minutes;
                        self.check_word_language(w, l, Kw::Minutes, sp);
                    } else if let Some(l) = Kw::Hours.language_of(w) {
                        unit = CostUnit::Hours;
                        self.check_word_language(w, l, Kw::Hours, sp);
                    } else {
                        let (m, h) = (Kw::Minutes.word(self.lang), Kw::Hours.word(self.lang));
                        let guess = keywords::suggest(w, self.lang, &[Kw::Minutes, Kw::Hours]).or(
                            match w {
                                "min" | "m" | "mins" => Some(m),
                                "h" | "t" | "hrs" | "hr" | "timer." => Some(h),
                                _ => None,
                            },
                        );
                        let help = match guess {
                            Some(g) => format!("did you mean `{g}`? a cost is in `{m}` or `{h}`"),
                            None => format!("a cost is in `{m}` or `{h}`"),
                        };
                        self.error(
                            Diagnostic::error(codes::UNKNOWN_UNIT, format!("unknown unit `{w}`"))
                                .with_label(sp, "not a unit of time")
                                .with_help(help),
                        );
                    }
                }
                _ => {}
            }
        }
        Cost { amount, unit, span }
    }

    fn check_word_language(&mut self, word: &str, l: Language, kw: Kw, sp: Span) {
        if l != self.lang {
            let right = kw.word(self.lang);
            self.error(
                Diagnostic::error(
                    codes::MIXED_LANGUAGE,
                    format!(
                        "`{word}` is {} but this file is written in {}",
                        lang_name(l),
                        lang_name(self.lang)
                    ),
                )
                .with_label(sp, format!("{} word", lang_name(l)))
                .with_help(format!(
                    "write `{right}`: a file uses one keyword language throughout"
                )),
            );
        }
    }

    fn idents_after_keyword(&self, p: Pair<'_, Rule>) -> Vec<Ident> {
        p.into_inner()
            .filter(|c| c.as_rule() == Rule::ident)
            .map(|c| self.ident(&c))
            .collect()
    }

    fn build_group(&mut self, p: Pair<'_, Rule>) -> Item {
        let span = self.span(&p);
        let mut g = GroupDecl {
            name: self.missing_ident(span),
            title: None,
            expr: Expr {
                kind: ExprKind::Error,
                span,
            },
            priority: None,
            overlaps: Vec::new(),
            overlaps_all: false,
            sources: Vec::new(),
            doc: None,
            span,
        };
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::ident => g.name = self.ident(&c),
                Rule::string => g.title = Some(self.string(&c)),
                Rule::expr => g.expr = self.build_expr(c),
                Rule::priority => {
                    if let Some(n) = c.into_inner().find(|x| x.as_rule() == Rule::int) {
                        g.priority = Some(self.int_lit(&n));
                    }
                }
                Rule::overlaps => {
                    g.overlaps_all = c.clone().into_inner().any(|x| x.as_rule() == Rule::kw_all);
                    g.overlaps = self.idents_after_keyword(c);
                }
                Rule::source => g.sources.extend(self.build_source(c)),
                _ => {}
            }
        }
        Item::Group(g)
    }

    fn build_rule(&mut self, p: Pair<'_, Rule>) -> Item {
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
                Rule::if_body | Rule::requirement => body = Some(self.build_body(c, 0)),
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

    fn error_body(&self, span: Span) -> Body {
        Body::Require(Requirement {
            counts: Vec::new(),
            window: error_window(span),
            span,
        })
    }

    fn build_body(&mut self, p: Pair<'_, Rule>, depth: usize) -> Body {
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
        if p.as_rule() == Rule::requirement {
            return Body::Require(self.build_requirement(p));
        }
        let mut cond = None;
        let mut bodies = Vec::new();
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::expr => cond = Some(self.build_expr(c)),
                Rule::if_body | Rule::requirement => bodies.push(self.build_body(c, depth + 1)),
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

    fn build_requirement(&mut self, p: Pair<'_, Rule>) -> Requirement {
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

    fn build_count(&mut self, p: Pair<'_, Rule>) -> Count {
        let span = self.span(&p);
        let mut n = None;
        let mut kind = None;
        let mut filter = None;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::int => n = Some(self.int_lit(&c)),
                Rule::ident => kind = Some(self.ident(&c)),
                Rule::count_filter => filter = Some(self.build_expr(c)),
                _ => {}
            }
        }
        Count {
            n,
            kind: kind.unwrap_or_else(|| self.missing_ident(span)),
            filter,
            span,
        }
    }

    fn build_window(&mut self, p: Pair<'_, Rule>) -> Window {
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
    fn build_each(&mut self, p: Pair<'_, Rule>) -> Each {
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

    fn build_exemption(&mut self, p: Pair<'_, Rule>) -> Item {
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

    fn build_scope(&mut self, p: Pair<'_, Rule>) -> Vec<ScopeItem> {
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

    fn build_target(&mut self, p: Pair<'_, Rule>) -> Item {
        let span = self.span(&p);
        let mut t = TargetDecl {
            name: self.missing_ident(span),
            title: None,
            measure: Measure::Share { share: 0, span },
            group: self.missing_ident(span),
            filter: None,
            satisfy: None,
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
                Rule::source => t.sources.extend(self.build_source(c)),
                _ => {}
            }
        }
        Item::Target(t)
    }

    /// The part of a target after its `:` (and before its sources).
    fn build_measure(&mut self, p: Pair<'_, Rule>, t: &mut TargetDecl) {
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
    fn build_average_limit(&mut self, p: &Pair<'_, Rule>) -> AverageLimit {
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

    fn build_field_values(&mut self, p: Pair<'_, Rule>) -> Vec<FieldValue> {
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

    fn build_test(&mut self, p: Pair<'_, Rule>) -> Item {
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

    fn build_expect(&mut self, p: Pair<'_, Rule>) -> Expect {
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

    // -------------------------------------------------------- expressions

    fn build_expr(&mut self, p: Pair<'_, Rule>) -> Expr {
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

    fn build_primary(&mut self, p: Pair<'_, Rule>) -> Expr {
        let span = self.span(&p);
        let kind = match p.as_rule() {
            Rule::paren => match p.into_inner().find(|c| c.as_rule() == Rule::expr) {
                Some(e) => ExprKind::Paren(Box::new(self.build_expr(e))),
                None => ExprKind::Error,
            },
            Rule::agg => self.build_agg(p),
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

    fn build_agg(&mut self, p: Pair<'_, Rule>) -> ExprKind {
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

    // ------------------------------------------------------------- errors

    fn report_pest_error(&mut self, e: &pest::error::Error<Rule>, chunk: &Chunk) {
        let rel = match e.location {
            InputLocation::Pos(p) => p,
            InputLocation::Span((s, _)) => s,
        };
        let pos = (chunk.start + rel).min(self.text.len());
        let d = match &e.variant {
            ErrorVariant::ParsingError { positives, .. } => {
                describe(self.file, self.text, self.lang, pos, chunk, positives)
            }
            ErrorVariant::CustomError { message } => Diagnostic::error(
                codes::TOO_DEEP,
                format!("this item is too complex to read: {message}"),
            )
            .with_label(Span::new(self.file, pos, pos), "here")
            .with_help("split the item into smaller ones"),
        };
        self.error(d);
    }
}
