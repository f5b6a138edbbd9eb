//! The untyped syntax tree of a `.pol` file, as the author wrote it.
//!
//! The tree is keyword-language neutral: `regel` and `rule` both give a
//! `RuleDecl`. Where a later phase must quote the author's own words (a
//! window's `inden for`), the node keeps a `Keyword` with the source text.
//! Every node carries a `Span`; the checker resolves names and types over
//! this tree, the formatter prints it back (docs/language.md is the
//! reference for every construct).
//!
//! Numbers with decimals are fixed point, scaled by `SCALE` (10 000): the
//! language allows up to 4 decimals, and fixed point keeps equality exact.

use chrono::NaiveDate;

use super::span::Span;

/// Fixed-point scale of `Decimal` and `Percent` values: `37.5` is `375_000`,
/// `75%` is `750_000` (the number before `%`, scaled).
pub const SCALE: i64 = 10_000;

/// The keyword language of a file (docs/language.md §12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Language {
    #[default]
    English,
    Danish,
}

/// One parsed file. `header` is `None` for a module (schema-only file).
#[derive(Debug, Clone, PartialEq)]
pub struct File {
    pub language: Language,
    pub header: Option<Header>,
    pub items: Vec<Item>,
    /// Ordinary comments (`//`, `/* */`, and `///` lines that document
    /// nothing), in source order; the formatter puts them back.
    pub comments: Vec<Comment>,
    /// Names of items left out because of a syntax error (`group g: …` that
    /// did not parse): references to them are not reported again as unknown.
    pub unparsed: Vec<String>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// The whole comment, markers included (`// note`, `/* x */`).
    pub text: String,
    pub span: Span,
}

/// A name as written: field, enum value, group, rule, event kind …
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// A string literal; `value` has its escapes resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Str {
    pub value: String,
    pub span: Span,
}

/// A keyword as the author wrote it (whitespace inside a phrase such as
/// `inden  for` collapsed to one space), for diagnostics in their words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keyword {
    pub text: String,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateLit {
    pub date: NaiveDate,
    pub span: Span,
}

/// A whole number in a fixed position (`before week 8`, `priority 1`, the
/// `2` of `require 2 samtale`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IntLit {
    pub value: u32,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    Day,
    Week,
    Month,
    Year,
}

impl Unit {
    /// Days and weeks are exact; months and years are calendar units
    /// (docs/language.md §2).
    pub fn is_calendar(self) -> bool {
        matches!(self, Unit::Month | Unit::Year)
    }
}

/// `8 weeks`, `6 måneder`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DurationLit {
    pub n: i64,
    pub unit: Unit,
    pub span: Span,
}

/// `effective from D [until D]` / `gælder fra D [til D]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Effective {
    pub from: DateLit,
    pub until: Option<DateLit>,
    pub span: Span,
}

/// `policy name "title" version "…" effective from … source "…"`.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    pub name: Ident,
    pub title: Option<Str>,
    pub version: Option<Str>,
    pub effective: Option<Effective>,
    pub sources: Vec<Str>,
    pub doc: Option<String>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Import(ImportDecl),
    Enum(EnumDecl),
    Case(CaseDecl),
    Event(EventDecl),
    Param(ParamDecl),
    Group(GroupDecl),
    Rule(RuleDecl),
    Exemption(ExemptionDecl),
    Target(TargetDecl),
    Test(TestDecl),
}

impl Item {
    pub fn span(&self) -> Span {
        match self {
            Item::Import(x) => x.span,
            Item::Enum(x) => x.span,
            Item::Case(x) => x.span,
            Item::Event(x) => x.span,
            Item::Param(x) => x.span,
            Item::Group(x) => x.span,
            Item::Rule(x) => x.span,
            Item::Exemption(x) => x.span,
            Item::Target(x) => x.span,
            Item::Test(x) => x.span,
        }
    }

    pub fn as_group(&self) -> Option<&GroupDecl> {
        match self {
            Item::Group(x) => Some(x),
            _ => None,
        }
    }

    pub fn as_rule(&self) -> Option<&RuleDecl> {
        match self {
            Item::Rule(x) => Some(x),
            _ => None,
        }
    }

    pub fn as_exemption(&self) -> Option<&ExemptionDecl> {
        match self {
            Item::Exemption(x) => Some(x),
            _ => None,
        }
    }

    pub fn as_target(&self) -> Option<&TargetDecl> {
        match self {
            Item::Target(x) => Some(x),
            _ => None,
        }
    }

    pub fn doc(&self) -> Option<&str> {
        match self {
            Item::Import(x) => x.doc.as_deref(),
            Item::Enum(x) => x.doc.as_deref(),
            Item::Case(x) => x.doc.as_deref(),
            Item::Event(x) => x.doc.as_deref(),
            Item::Param(x) => x.doc.as_deref(),
            Item::Group(x) => x.doc.as_deref(),
            Item::Rule(x) => x.doc.as_deref(),
            Item::Exemption(x) => x.doc.as_deref(),
            Item::Target(x) => x.doc.as_deref(),
            Item::Test(x) => x.doc.as_deref(),
        }
    }
}

/// `parameter name "title": type [= default] source …`: a value the policy
/// does not know itself (a baseline, a national average), given when a
/// caseload is evaluated.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamDecl {
    pub name: Ident,
    pub title: Option<Str>,
    pub ty: TypeExpr,
    pub default: Option<Literal>,
    pub sources: Vec<Str>,
    pub doc: Option<String>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ImportDecl {
    pub path: Str,
    pub doc: Option<String>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EnumDecl {
    pub name: Ident,
    pub values: Vec<Ident>,
    pub doc: Option<String>,
    pub span: Span,
}

/// `case { … }`: the case schema's fields.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseDecl {
    pub fields: Vec<Field>,
    pub doc: Option<String>,
    pub span: Span,
}

/// `event samtale { form: Form } costs 45 minutes`.
#[derive(Debug, Clone, PartialEq)]
pub struct EventDecl {
    pub name: Ident,
    pub fields: Vec<Field>,
    pub cost: Option<Cost>,
    pub doc: Option<String>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CostUnit {
    Minutes,
    Hours,
}

/// `costs 45 minutes`; `amount` is scaled by `SCALE` (`1.5 hours` allowed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cost {
    pub amount: i64,
    pub unit: CostUnit,
    pub span: Span,
}

/// `name: type [= literal]`, in a case or event declaration.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub name: Ident,
    pub ty: TypeExpr,
    pub default: Option<Literal>,
    pub doc: Option<String>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeKind {
    Bool,
    Int,
    Decimal,
    Percent,
    Text,
    Date,
    Duration,
    Periods,
    /// An enum, by name.
    Named(Ident),
}

/// `date`, `Benefit`, `date?`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeExpr {
    pub kind: TypeKind,
    pub optional: bool,
    pub span: Span,
}

/// A constant: field defaults and the values in tests.
#[derive(Debug, Clone, PartialEq)]
pub struct Literal {
    pub kind: LiteralKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum LiteralKind {
    Bool(bool),
    Int(i64),
    /// Scaled by `SCALE`.
    Decimal(i64),
    /// The number before `%`, scaled by `SCALE`.
    Percent(i64),
    Text(String),
    Date(NaiveDate),
    Duration(DurationLit),
    /// An enum value.
    Name(Ident),
    /// `[2026-01-01 .. 2026-02-15, 2026-05-01 ..]`; an open end is `None`.
    Periods(Vec<(DateLit, Option<DateLit>)>),
}

/// `group ledige "title": expr priority 1 overlaps x source "…"`.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupDecl {
    pub name: Ident,
    pub title: Option<Str>,
    pub expr: Expr,
    pub priority: Option<IntLit>,
    pub overlaps: Vec<Ident>,
    /// `overlaps all`: the group cuts across every other group.
    pub overlaps_all: bool,
    pub sources: Vec<Str>,
    pub doc: Option<String>,
    pub span: Span,
}

/// `rule name for g1, g2 "title": [when e] body [effective …] source …`.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleDecl {
    pub name: Ident,
    /// Empty: the rule applies to every case.
    pub groups: Vec<Ident>,
    pub title: Option<Str>,
    pub when: Option<Expr>,
    pub body: Body,
    pub effective: Option<Effective>,
    pub sources: Vec<Str>,
    pub doc: Option<String>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    If {
        cond: Expr,
        then: Box<Body>,
        otherwise: Option<Box<Body>>,
        span: Span,
    },
    Require(Requirement),
    Forbid(Box<Prohibition>),
}

impl Body {
    pub fn span(&self) -> Span {
        match self {
            Body::If { span, .. } => *span,
            Body::Require(r) => r.span,
            Body::Forbid(f) => f.span,
        }
    }
}

/// `forbid K [where filter] <window>`, or its sugar `every K [where filter]
/// <window> must <condition>` (`must` set): no event of kind K matching the
/// filter (and, for `every`, failing the condition) may be dated in the
/// window (docs/language.md §6.1).
#[derive(Debug, Clone, PartialEq)]
pub struct Prohibition {
    /// `forbid`/`forbyd`, or `every`/`hver` for the sugar, as written.
    pub keyword: Keyword,
    pub kind: Ident,
    pub filter: Option<Expr>,
    pub window: Window,
    /// `must <condition>`: what every event in the window must satisfy.
    pub must: Option<Expr>,
    pub span: Span,
}

/// `require <counts> <window>`.
#[derive(Debug, Clone, PartialEq)]
pub struct Requirement {
    pub counts: Vec<Count>,
    pub window: Window,
    pub span: Span,
}

/// `N kind [or kind …] [where filter]`; `n` is `None` when the author left
/// it out (it means 1).
#[derive(Debug, Clone, PartialEq)]
pub struct Count {
    pub n: Option<IntLit>,
    pub kind: Ident,
    /// The further kinds after `or` (`samtale or telefonkontakt`): their
    /// events count too.
    pub also: Vec<Ident>,
    pub filter: Option<Expr>,
    pub span: Span,
}

/// A requirement's window. `keyword` is the form's first keyword as written
/// (`within`, `inden for`, `before week`, `every`, `at most`, `per`, `pr`).
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    pub kind: WindowKind,
    pub keyword: Keyword,
    pub span: Span,
}

/// The window forms of docs/language.md §6.1. Every anchor is a `date`
/// expression (possibly optional).
#[derive(Debug, Clone, PartialEq)]
pub enum WindowKind {
    /// `within 2 weeks of S`
    Within { len: DurationLit, anchor: Expr },
    /// `before week 8 of S`
    BeforeWeek { week: IntLit, anchor: Expr },
    /// `every 4 weeks during first 6 months of S`
    Slots {
        every: DurationLit,
        first: DurationLit,
        anchor: Expr,
    },
    /// `every 6 months from S`
    Every { every: DurationLit, anchor: Expr },
    /// `at most 6 weeks apart from S` / `… apart after 6 months of S`
    Apart {
        gap: DurationLit,
        after: Option<DurationLit>,
        anchor: Expr,
    },
    /// `per 12 months from S`
    Per { len: DurationLit, anchor: Expr },
    /// `per calendar year from S`
    PerCalendarYear { anchor: Expr },
    /// `between S and E`: the closed window [S, E], due E
    Between { anchor: Expr, end: Box<Expr> },
    /// `after S`: N events from S on, no due date
    After { anchor: Expr },
    /// `within 2 weeks of each K …` (`len` set), `after each K …` (no
    /// due date): one obligation per event of kind K
    Each {
        len: Option<DurationLit>,
        each: Box<Each>,
    },
}

/// `each K [where filter] [from S]`: the events that each start an
/// obligation, from the anchor S on (every one when `from` is absent).
#[derive(Debug, Clone, PartialEq)]
pub struct Each {
    pub kind: Ident,
    pub filter: Option<Expr>,
    pub from: Option<Expr>,
    pub span: Span,
}

impl WindowKind {
    /// The anchor expression; a per-event window without `from` has none.
    pub fn anchor(&self) -> Option<&Expr> {
        Some(match self {
            WindowKind::Within { anchor, .. }
            | WindowKind::BeforeWeek { anchor, .. }
            | WindowKind::Slots { anchor, .. }
            | WindowKind::Every { anchor, .. }
            | WindowKind::Apart { anchor, .. }
            | WindowKind::Per { anchor, .. }
            | WindowKind::PerCalendarYear { anchor }
            | WindowKind::Between { anchor, .. }
            | WindowKind::After { anchor } => anchor,
            WindowKind::Each { each, .. } => return each.from.as_ref(),
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    Waives,
    Suspends,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScopeItem {
    /// `all`
    All(Span),
    /// `group.*`
    GroupRules(Ident),
    /// `rule`
    Rule(Ident),
    /// `group.rule`
    GroupRule(Ident, Ident),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// `when <bool>`: judged on `today`.
    When(Expr),
    /// `while <periods>`.
    While(Expr),
}

#[derive(Debug, Clone, PartialEq)]
pub struct ExemptionDecl {
    pub name: Ident,
    pub title: Option<Str>,
    pub effect: Effect,
    /// `waives`/`fritager`, `suspends`/`standser` as written.
    pub effect_keyword: Keyword,
    pub scope: Vec<ScopeItem>,
    pub condition: Condition,
    pub unless: Option<Expr>,
    pub overrides: Vec<Ident>,
    pub sources: Vec<Str>,
    pub doc: Option<String>,
    pub span: Span,
}

/// `target name "title": at least 75% of g [where f] satisfy e source …`,
/// `… at most 288 of g [where f] [satisfy e]`,
/// `… average x of g [where f] at most 9.9 weeks`.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetDecl {
    pub name: Ident,
    pub title: Option<Str>,
    pub measure: Measure,
    pub group: Ident,
    pub filter: Option<Expr>,
    /// Always present for a share target; optional for a count target
    /// (every case of the group counts); never for an average.
    pub satisfy: Option<Expr>,
    /// `effective from D [until D]`: evaluation dates outside the range
    /// leave the target not in effect (not judged).
    pub effective: Option<Effective>,
    pub sources: Vec<Str>,
    pub doc: Option<String>,
    pub span: Span,
}

/// `at most` / `at least` in a count or average target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    AtMost,
    AtLeast,
}

/// What a target measures over its group's cases.
#[derive(Debug, Clone, PartialEq)]
pub enum Measure {
    /// `at least 75%`: the share of the counted cases that satisfy. The
    /// percentage is scaled by `SCALE` (`75%` is `750_000`).
    Share { share: i64, span: Span },
    /// `at most 288` / `at least 1`: the number of cases that satisfy.
    Count { bound: Bound, n: IntLit },
    /// `average x … at most 9.9 weeks`: the mean of `x` over the cases.
    /// `param` is set when the bound is a parameter (`at most klynge`);
    /// `limit` is then unused.
    Average {
        value: Expr,
        bound: Bound,
        limit: AverageLimit,
        param: Option<Ident>,
    },
    /// `at least landsgennemsnit`, `at most niveau_2019 * 0.9`: a share
    /// (the expression is a percentage) or a count bound computed from
    /// parameters when the caseload is evaluated.
    Param { bound: Bound, threshold: Expr },
}

/// `9.9 weeks`, `2.5`: the bound of an average; `value` scaled by `SCALE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AverageLimit {
    pub value: i64,
    pub unit: Option<Unit>,
    pub span: Span,
}

/// `test "name" { case {…} event … at D expect … }`.
#[derive(Debug, Clone, PartialEq)]
pub struct TestDecl {
    pub name: Str,
    /// `None` when the test has no `case { }` block.
    pub case: Option<TestCase>,
    pub events: Vec<TestEvent>,
    pub at: DateLit,
    pub expects: Vec<Expect>,
    pub doc: Option<String>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TestCase {
    pub fields: Vec<FieldValue>,
    pub span: Span,
}

/// `name: literal` in a test's case or event.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldValue {
    pub name: Ident,
    pub value: Literal,
    pub span: Span,
}

/// `event samtale on 2026-03-10 { form: phone }`.
#[derive(Debug, Clone, PartialEq)]
pub struct TestEvent {
    pub kind: Ident,
    pub date: DateLit,
    pub fields: Vec<FieldValue>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusWord {
    Met,
    MetLate,
    Pending,
    Overdue,
    Violated,
    Exempt,
    NotApplicable,
}

/// `met(2026-03-10)`, `exempt(standby)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusArg {
    Date(DateLit),
    Name(Ident),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Expect {
    pub kind: ExpectKind,
    pub span: Span,
}

/// A case's outcome for one target (`expect target t is satisfied`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutcomeWord {
    Satisfied,
    Failed,
    Excluded,
    NotCounted,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExpectKind {
    /// `expect target NAME is satisfied|failed|excluded|not_counted`
    Target {
        target: Ident,
        outcome: OutcomeWord,
        /// The outcome word as written (`udeladt`).
        outcome_keyword: Keyword,
    },
    /// `expect [not] in GROUP`
    InGroup { negated: bool, group: Ident },
    /// `expect [group.]rule is STATUS[(arg)] [due DATE]`
    Status {
        group: Option<Ident>,
        rule: Ident,
        status: StatusWord,
        /// The status word as written (`overskredet`).
        status_keyword: Keyword,
        arg: Option<StatusArg>,
        due: Option<DateLit>,
    },
}

/// An expression (docs/language.md §4).
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnOp {
    /// `not` / `ikke`
    Not,
    /// `-`
    Neg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// `x in {a, b}`, `d in periods`
    In,
    Add,
    Sub,
    Mul,
    Div,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AggFunc {
    Count,
    Sum,
    First,
    Last,
}

/// `min(a, b)` or `max(a, b)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pick {
    Min,
    Max,
}

/// An aggregate's window: `in last 6 months` or `in [from, to]`.
#[derive(Debug, Clone, PartialEq)]
pub enum AggWindow {
    Last(DurationLit),
    Range(Box<Expr>, Box<Expr>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    Bool(bool),
    Int(i64),
    /// Scaled by `SCALE`.
    Decimal(i64),
    /// The number before `%`, scaled by `SCALE`.
    Percent(i64),
    Text(String),
    Date(NaiveDate),
    Duration(DurationLit),
    /// A field, enum value, rule (in targets) …: resolved by the checker.
    Name(Ident),
    /// `a.b`: `group.rule` in targets, `kind.field` nowhere else.
    Path(Ident, Ident),
    /// `{a, b}`: enum values, the right side of `in`.
    Set(Vec<Ident>),
    /// `[d1 .. d2, d3 ..]`; an open end is `None`.
    Periods(Vec<(Expr, Option<Expr>)>),
    /// `today` / `idag`
    Today,
    /// `age` or `age on <date>`
    Age(Option<Box<Expr>>),
    /// `x?`
    Present(Box<Expr>),
    /// `rule on time` (targets): met by its due date, not late
    OnTime(Box<Expr>),
    /// `( e )`, kept so the formatter keeps the author's grouping.
    Paren(Box<Expr>),
    Unary {
        op: UnOp,
        op_span: Span,
        operand: Box<Expr>,
    },
    Binary {
        op: BinOp,
        /// The operator as written (`og`, `==`).
        op_span: Span,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// `count(samtale where … in last 6 months)`, `sum(tilbud.hours …)`.
    Agg {
        func: AggFunc,
        kind: Ident,
        /// `sum(tilbud.hours)`: the summed field.
        field: Option<Ident>,
        filter: Option<Box<Expr>>,
        window: Option<AggWindow>,
    },
    /// `min(a, b)`, `max(a, b)`: the earlier (later) date, the smaller
    /// (larger) number or duration.
    Pick {
        pick: Pick,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// Stands in for an expression that did not parse (already reported).
    Error,
}
