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
mod exprs;
mod literals;
mod rules;
mod scan;
mod targets;
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
        Rule::kw_forbid => Kw::Forbid,
        Rule::kw_must => Kw::Must,
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
        Rule::st_violated => Kw::Violated,
        Rule::st_exempt => Kw::Exempt,
        Rule::st_not_applicable => Kw::NotApplicable,
        Rule::kw_between => Kw::Between,
        Rule::kw_average => Kw::Average,
        Rule::kw_min => Kw::Min,
        Rule::kw_max => Kw::Max,
        Rule::to_satisfied => Kw::Satisfied,
        Rule::to_failed => Kw::Failed,
        Rule::to_excluded => Kw::Excluded,
        Rule::to_not_counted => Kw::NotCounted,
        _ => return None,
    })
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
