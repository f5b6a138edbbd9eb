//! The checked program: every name resolved to an index, every expression
//! typed. The checker builds it from the AST; lowering turns it into
//! bytecode; the test runner and the reference evaluator read it.

use crate::syntax::span::Span;
use pol_runtime::bytecode::program::Dur;

/// A value's type after checking. Optionality is a separate flag on `TExpr`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ty {
    Bool,
    Int,
    Decimal,
    Percent,
    Text,
    Date,
    /// an exact duration, counted in days
    Days,
    /// a calendar duration, counted in months
    Months,
    /// an enum by index into `Checked::enums`
    Enum(usize),
    /// a set of an enum's variants (only as the right side of `in`)
    EnumSet(usize),
    Periods,
    /// the type of an expression that failed to check (suppresses follow-on errors)
    Error,
}

/// A typed expression.
#[derive(Debug, Clone, PartialEq)]
pub struct TExpr {
    pub kind: TExprKind,
    pub ty: Ty,
    /// May be absent (an optional field, `first(...)`, arithmetic on those).
    pub optional: bool,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TExprKind {
    /// a constant in the runtime value model (see `pol_runtime::bytecode::program`)
    Const(i64),
    /// case field by index
    Field(usize),
    /// field of the event being filtered, by index in its kind
    EvField(usize),
    /// date of the event being filtered
    EvDate,
    Today,
    /// whole years of age on the date
    AgeOn(Box<TExpr>),
    /// `x?` alone: is it present
    IsPresent(Box<TExpr>),
    Not(Box<TExpr>),
    Neg(Box<TExpr>),
    IntToDec(Box<TExpr>),
    Binary(BinOp, Box<TExpr>, Box<TExpr>),
    /// enum value in a set (bit mask of variants)
    InSet(Box<TExpr>, u64),
    /// date in a periods field
    InPeriods(Box<TExpr>, usize),
    Agg {
        func: AggFunc,
        kind: usize,
        filter: Option<Box<TExpr>>,
        window: AggWindow,
    },
    /// rule met or met_late for the case (targets only)
    RuleMet(usize),
    /// rule met on time for the case (targets only)
    RuleOnTime(usize),
    /// a node that failed to check
    Error,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    And,
    Or,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    MulDec,
    DivDec,
    AddDays,
    SubDays,
    AddMonths,
    SubMonths,
    /// `min(a, b)` of two values of one ordered type (absent if either is)
    Min,
    /// `max(a, b)`
    Max,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggFunc {
    Count,
    /// sum of an event field (by index in the kind)
    Sum(usize),
    First,
    Last,
}

#[derive(Debug, Clone, PartialEq)]
pub enum AggWindow {
    All,
    Range(Box<TExpr>, Box<TExpr>),
    Last(Dur),
}

#[derive(Debug, Clone, PartialEq)]
pub struct EnumIr {
    pub name: String,
    pub variants: Vec<String>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FieldIr {
    pub name: String,
    pub ty: Ty,
    pub optional: bool,
    /// A default in the runtime value model (`= []` on periods is `Some(0)`).
    pub default: Option<i64>,
    pub doc: Option<String>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EventIr {
    pub name: String,
    pub fields: Vec<FieldIr>,
    pub cost_minutes: Option<u32>,
    pub doc: Option<String>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GroupIr {
    pub name: String,
    pub title: Option<String>,
    pub pred: TExpr,
    pub priority: Option<u32>,
    /// Groups this one is declared to overlap on purpose.
    pub overlaps: Vec<usize>,
    pub sources: Vec<String>,
    pub doc: Option<String>,
    pub span: Span,
    /// The span of the group's name, for diagnostics.
    pub name_span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RuleIr {
    pub name: String,
    pub title: Option<String>,
    pub groups: Vec<usize>,
    pub when: Option<TExpr>,
    pub body: BodyIr,
    pub effective: (Option<i32>, Option<i32>),
    pub sources: Vec<String>,
    pub doc: Option<String>,
    pub span: Span,
    pub name_span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum BodyIr {
    If {
        cond: TExpr,
        then: Box<BodyIr>,
        otherwise: Option<Box<BodyIr>>,
    },
    Require(RequirementIr),
}

#[derive(Debug, Clone, PartialEq)]
pub struct RequirementIr {
    /// For a per-event form without `from`, a constant before every date.
    pub anchor: TExpr,
    /// `between S and E`: the window's end `E` (a date); `None` for the
    /// other forms.
    pub end: Option<TExpr>,
    /// The per-event forms: the events that each start an obligation.
    pub each: Option<Box<EachIr>>,
    pub form: FormIr,
    pub counts: Vec<CountIr>,
    pub span: Span,
}

/// `each K [where filter]`: an obligation per matching event of kind K.
#[derive(Debug, Clone, PartialEq)]
pub struct EachIr {
    pub kind: usize,
    pub filter: Option<TExpr>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CountIr {
    pub kind: usize,
    pub n: u32,
    pub filter: Option<TExpr>,
    /// `samtale or telefonkontakt`: the further kinds, each with the
    /// count's filter checked against that kind (the fields it reads are
    /// shared, with one type)
    pub also: Vec<(usize, Option<TExpr>)>,
    pub span: Span,
}

/// The rule forms, as in `pol_runtime::bytecode::program::Form`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormIr {
    Within {
        len: Dur,
    },
    BeforeWeek {
        week: u32,
    },
    Slots {
        every: Dur,
        first: Dur,
    },
    Interval {
        gap: Dur,
        after: Dur,
    },
    Rolling {
        len: Dur,
    },
    CalendarYear,
    /// `between S and E`: events in [S, E], due E (`end` of the requirement)
    Between,
    /// `after S`: events from S on, no due date
    After,
    /// `within len of each K` / `after each K` (`len` absent): one instance
    /// per triggering event (`each` of the requirement)
    Each {
        len: Option<Dur>,
    },
    /// `forbid K where F <window>` (and `every K … must C`, whose filter
    /// is `F and not (C)`): the one count (n = 1) names the forbidden
    /// events; the first dated in the window up to today violates the rule
    Forbid(ForbidIr),
}

/// A prohibition's window, from the anchor `S`, as in
/// `pol_runtime::bytecode::program::ForbidWindow`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForbidIr {
    /// `[S, S + len]`
    Within { len: Dur },
    /// `[S, S + 7·week − 1]`
    BeforeWeek { week: u32 },
    /// `[S, E]`, `E` the requirement's `end`
    Between,
    /// `[S, …)`: open-ended
    After,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EffectIr {
    Waive,
    Suspend,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ConditionIr {
    When(TExpr),
    /// a periods field
    While(usize),
}

#[derive(Debug, Clone, PartialEq)]
pub struct ExemptionIr {
    pub name: String,
    pub title: Option<String>,
    pub effect: EffectIr,
    pub rules: Vec<usize>,
    pub condition: ConditionIr,
    pub unless: Option<TExpr>,
    pub overrides: Vec<usize>,
    pub sources: Vec<String>,
    pub doc: Option<String>,
    pub span: Span,
    pub name_span: Span,
}

/// `parameter name "title": type = default` (docs/language.md §8.1).
#[derive(Debug, Clone, PartialEq)]
pub struct ParamIr {
    pub name: String,
    pub title: Option<String>,
    /// `Int`, `Decimal`, `Percent` or `Days`
    pub ty: Ty,
    /// in the runtime value model of `ty`
    pub default: Option<i64>,
    pub sources: Vec<String>,
    pub doc: Option<String>,
    pub span: Span,
}

/// A target bound computed when the caseload is evaluated: `scale ×
/// param + offset`, real numbers scaled by `SCALE` (as in
/// `pol_runtime::bytecode::program::Threshold`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThresholdIr {
    pub param: usize,
    pub scale: i64,
    pub offset: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TargetIr {
    pub name: String,
    pub name_span: Span,
    pub title: Option<String>,
    pub measure: MeasureIr,
    /// Set when the bound is written with a parameter; the literal in
    /// `measure` is then unused.
    pub threshold: Option<ThresholdIr>,
    pub group: usize,
    pub filter: Option<TExpr>,
    /// bool; `true` for a count target without `satisfy` and for averages
    pub satisfy: TExpr,
    pub rules: Vec<usize>,
    /// `effective from … until`: outside it the target is not in effect
    pub effective: (Option<i32>, Option<i32>),
    pub sources: Vec<String>,
    pub doc: Option<String>,
    pub span: Span,
}

/// What a target measures, as in `pol_runtime::bytecode::program::TargetKind`.
#[derive(Debug, Clone, PartialEq)]
pub enum MeasureIr {
    /// required share, scaled like decimals (75% = 7_500)
    Share(i64),
    /// the number of cases that satisfy, at most / at least `n`
    Count { at_most: bool, n: u32 },
    /// the mean of `value` over the counted cases, at most / at least
    /// `limit` (in the value's unit: days, months, or the number itself),
    /// scaled by `DECIMAL_SCALE`
    Average {
        value: TExpr,
        at_most: bool,
        limit: i64,
    },
}

/// An inline test with its case built in the runtime value model.
#[derive(Debug, Clone, PartialEq)]
pub struct TestIr {
    pub name: String,
    /// One value per case field (defaults filled in).
    pub fields: Vec<i64>,
    /// One list per periods field, in schema order.
    pub periods: Vec<Vec<(i32, i32)>>,
    /// (kind, date, field values)
    pub events: Vec<(usize, i32, Vec<i64>)>,
    pub at: i32,
    pub expects: Vec<ExpectIr>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExpectIr {
    Target {
        target: usize,
        outcome: pol_runtime::vm::result::TargetOutcome,
        span: Span,
    },
    InGroup {
        group: usize,
        negated: bool,
        span: Span,
    },
    Status {
        rule: usize,
        status: pol_runtime::vm::result::Status,
        /// met(DATE) / met_late(DATE)
        on: Option<i32>,
        /// exempt(NAME)
        exemption: Option<usize>,
        due: Option<i32>,
        span: Span,
    },
}

/// Policy-level facts.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MetaIr {
    pub name: String,
    pub title: Option<String>,
    pub version: Option<String>,
    pub effective: (Option<i32>, Option<i32>),
    pub sources: Vec<String>,
    /// 0 English, 1 Danish
    pub language: u8,
}

/// A whole checked policy (the root file and everything it imports).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Checked {
    pub meta: MetaIr,
    pub enums: Vec<EnumIr>,
    pub fields: Vec<FieldIr>,
    pub events: Vec<EventIr>,
    pub birth_field: Option<usize>,
    pub groups: Vec<GroupIr>,
    pub rules: Vec<RuleIr>,
    pub exemptions: Vec<ExemptionIr>,
    pub params: Vec<ParamIr>,
    pub targets: Vec<TargetIr>,
    pub tests: Vec<TestIr>,
}
