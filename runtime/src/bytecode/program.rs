//! The compiled policy: schema, expression code, groups, rules, exemptions,
//! targets and the span table. The compiler builds it (lowering); the
//! runtime serializes, verifies and evaluates it.
//!
//! Value model (INVARIANT, relied on by the VM and the verifier): every value
//! on the expression stack is an `i64`.
//! * `bool`: 0 or 1.
//! * `int`: the number.
//! * `decimal` and `percent`: fixed point, `DECIMAL_SCALE` units per 1
//!   (`37.5` is `375_000`; `75%` is `0.75`, i.e. `7_500`).
//! * `date`: days since 1970-01-01 (see `vm::dates`).
//! * a duration: its count in its unit (days, or months); the op that uses it
//!   knows the unit, never the value.
//! * an enum: the variant's index in its `EnumDef`.
//! * `text`: a 64-bit FNV-1a hash of the UTF-8 bytes (`text_hash`); text is
//!   only ever compared for equality.
//! * an absent optional: `NONE`. Comparisons with `NONE` are false, arithmetic
//!   with `NONE` gives `NONE`.

use serde::{Deserialize, Serialize};

/// The absent value of an optional.
pub const NONE: i64 = i64::MIN;

/// Fixed-point scale of `decimal` and `percent` values.
pub const DECIMAL_SCALE: i64 = 10_000;

/// Index into `Program::strings`.
pub type StrId = u32;

/// Index into `Program::spans`.
pub type SpanId = u32;

/// A stretch of `Program::code`: one expression, ending with the value it
/// leaves on the stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeRef {
    pub start: u32,
    pub len: u32,
}

/// A compiled policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Program {
    pub meta: Meta,
    pub schema: Schema,
    /// Every string the program names: item names, titles, citations, enum
    /// variants, quoted source lines.
    pub strings: Vec<String>,
    /// All expression code, one flat vector; expressions are `CodeRef`s into it.
    pub code: Vec<Op>,
    /// Event filters: code evaluated once per event of `kind`.
    pub filters: Vec<Filter>,
    /// Enum sets used by `Op::InSet`: bit `i` set means variant `i` is in the set.
    pub sets: Vec<u64>,
    /// The further kinds of the counts over several kinds (`CountTerm::also`),
    /// each with the count's `where` compiled for that kind: 1 to
    /// `MAX_KINDS_PER_COUNT - 1` of them, every kind distinct (the count's
    /// own included). Never reached from a prohibition.
    pub also_kinds: Vec<Vec<KindFilter>>,
    pub groups: Vec<Group>,
    pub rules: Vec<Rule>,
    pub exemptions: Vec<Exemption>,
    /// Values given when a caseload is evaluated (target bounds).
    pub params: Vec<Param>,
    pub targets: Vec<Target>,
    /// Source locations with the quoted source lines, for explanations.
    pub spans: Vec<Span>,
    /// Source file names, indexed by `Span::file`.
    pub files: Vec<StrId>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    /// The policy's name (`policy hedensted`).
    pub name: StrId,
    pub title: Option<StrId>,
    pub version: Option<StrId>,
    pub effective: Effective,
    pub sources: Vec<StrId>,
    /// The keyword language the policy was written in: 0 English, 1 Danish.
    /// Reports use it for status words.
    pub language: u8,
}

/// A closed range of evaluation dates (days since 1970-01-01); `None` is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Effective {
    pub from: Option<i32>,
    pub until: Option<i32>,
}

impl Program {
    /// The text of string `id` (names, titles, citations); empty if `id`
    /// is out of range, which a verified program never has.
    #[inline]
    pub fn text(&self, id: StrId) -> &str {
        self.strings.get(id as usize).map_or("", String::as_str)
    }

    /// The further kinds of a count (empty for a count of one kind).
    #[inline]
    pub fn also(&self, t: &CountTerm) -> &[KindFilter] {
        if !t.merged() {
            return &[];
        }
        self.also_kinds
            .get(t.also as usize)
            .map_or(&[], |v| v.as_slice())
    }
}

impl Effective {
    pub fn contains(&self, day: i32) -> bool {
        self.from.is_none_or(|f| day >= f) && self.until.is_none_or(|u| day <= u)
    }
}

// ---------------------------------------------------------------------------
// Schema
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Schema {
    pub enums: Vec<EnumDef>,
    /// Case fields; `Op::Field(i)` reads `fields[i]`.
    pub fields: Vec<FieldDef>,
    pub events: Vec<EventKind>,
    /// The field `age` is computed from, if the schema has one.
    pub birth_field: Option<u16>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnumDef {
    pub name: StrId,
    /// At most 64 variants (sets are `u64` masks).
    pub variants: Vec<StrId>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldDef {
    pub name: StrId,
    pub ty: FieldType,
    pub optional: bool,
    /// The value when the input leaves the field out. `Some` for fields
    /// declared with `= value`; periods default to empty only when declared
    /// `= []` (represented as `Some(0)`).
    pub default: Option<i64>,
}

impl FieldDef {
    /// Whether case input must give this field.
    pub fn required(&self) -> bool {
        !self.optional && self.default.is_none()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FieldType {
    Bool,
    Int,
    Decimal,
    Percent,
    Text,
    Date,
    /// A duration in days (`days`, `weeks` in the source).
    Days,
    /// A duration in months (`months`, `years`).
    Months,
    /// An enum, by index into `Schema::enums`.
    Enum(u16),
    /// A list of closed date intervals. The field's value slot holds nothing
    /// useful; the intervals live beside the case (see `caseload`).
    Periods,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventKind {
    pub name: StrId,
    /// The event's own fields (not its date); `Op::EvField(i)` reads `fields[i]`.
    pub fields: Vec<FieldDef>,
    /// Staff minutes one event takes (`costs 45 minutes`).
    pub cost_minutes: Option<u32>,
}

// ---------------------------------------------------------------------------
// Expression code
// ---------------------------------------------------------------------------

/// One instruction of the expression machine: a stack machine over `i64`
/// with no jumps, so every expression runs in time linear in its length
/// (plus the events its aggregates scan).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Op {
    /// push a constant
    Const(i64),
    /// push case field `i` (not a `Periods` field)
    Field(u16),
    /// push field `i` of the current event (only inside a filter)
    EvField(u16),
    /// push the current event's date (only inside a filter)
    EvDate,
    /// push the evaluation date
    Today,
    /// pop a date; push the case's age in whole years on it (`NONE` if the
    /// birth field or the date is absent)
    AgeOn,
    /// pop a; push 1 if a != NONE else 0
    IsPresent,
    /// pop a; push !a (0/1)
    Not,
    /// pop b, a; push a && b (0/1)
    And,
    /// pop b, a; push a || b (0/1)
    Or,
    /// pop b, a; push a == b (0 if either is NONE)
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// pop b, a; push a + b (NONE-propagating; saturating)
    Add,
    Sub,
    /// int * int
    Mul,
    /// int / int, truncating; division by 0 gives NONE
    Div,
    /// decimal * decimal (rescaled)
    MulDec,
    /// decimal / decimal (rescaled); division by 0 gives NONE
    DivDec,
    /// pop b, a; push the smaller of a and b (dates: the earlier; NONE if
    /// either is NONE)
    Min,
    /// pop b, a; push the larger (dates: the later; NONE if either is NONE)
    Max,
    /// pop a; push -a
    Neg,
    /// pop an int; push it as a decimal (× DECIMAL_SCALE)
    IntToDec,
    /// pop days n, date d; push d + n (NONE-propagating)
    AddDays,
    /// pop months n, date d; push d + n months, clamped to the month's end
    AddMonths,
    /// pop an enum value; push 1 if it is in `sets[i]`
    InSet(u32),
    /// pop a date; push 1 if it lies in a period of case field `i` (a `Periods` field)
    InPeriods(u16),
    /// Event aggregate. Pops the window bounds its `Window` asks for; pushes
    /// the result. `filter` indexes `Program::filters` (`u32::MAX`: none).
    Agg {
        func: AggFunc,
        kind: u16,
        filter: u32,
        window: AggWindow,
    },
    /// push 1 if rule `i`'s status for this case is met or met_late (targets only)
    RuleMet(u16),
    /// push 1 if rule `i`'s status for this case is met, on time (targets only)
    RuleOnTime(u16),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AggFunc {
    /// number of matching events (int)
    Count,
    /// sum of event field `i` over matching events (its type: int or decimal)
    Sum(u16),
    /// date of the earliest matching event, or NONE
    First,
    /// date of the latest matching event, or NONE
    Last,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AggWindow {
    /// every event dated on or before today
    All,
    /// pops `to`, then `from`: events in `[from, min(to, today)]`
    Range,
    /// events in `[today - d, today]`
    Last(Dur),
}

/// A duration constant in a rule form. Weeks are lowered to days, years to months.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Dur {
    Days(i32),
    Months(i32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filter {
    /// The event kind the filter reads (`EvField` indexes its fields).
    pub kind: u16,
    /// Evaluates to 0/1; may read case fields too; contains no `Agg`.
    pub code: CodeRef,
}

// ---------------------------------------------------------------------------
// Groups, rules, exemptions, targets
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    pub name: StrId,
    pub title: Option<StrId>,
    /// bool
    pub pred: CodeRef,
    /// Among groups with a priority a case is in the lowest-numbered match only.
    pub priority: Option<u32>,
    pub citations: Vec<StrId>,
    pub span: SpanId,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    pub name: StrId,
    pub title: Option<StrId>,
    /// The groups the rule applies to (any of them); empty means every case.
    pub groups: Vec<u16>,
    /// `when` condition (bool).
    pub when: Option<CodeRef>,
    pub effective: Effective,
    /// The body as a tree in a vector; the root is `body[0]`.
    pub body: Vec<Body>,
    pub citations: Vec<StrId>,
    pub span: SpanId,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Body {
    /// `if cond then body[then] else body[otherwise]`; no else: not applicable.
    /// INVARIANT: `then` and `otherwise` point forward (greater index), so the
    /// tree has no cycles.
    Branch {
        cond: CodeRef,
        then: u32,
        otherwise: Option<u32>,
    },
    Require(Requirement),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Requirement {
    /// A date (possibly NONE: then the rule is not applicable).
    pub anchor: CodeRef,
    pub form: Form,
    /// One or more counts; `Interval`, `Rolling` take exactly one.
    pub counts: Vec<CountTerm>,
    pub span: SpanId,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountTerm {
    pub kind: u16,
    /// at least 1
    pub n: u32,
    /// index into `Program::filters`, or `u32::MAX` for none
    pub filter: u32,
    /// `1 samtale or telefonkontakt`: index into `Program::also_kinds`, the
    /// further kinds whose events count too (merged with `kind`'s by
    /// date), or `u32::MAX` for a count of one kind. An index, not a list,
    /// so a count stays small and `Copy` on the hot path.
    pub also: u32,
}

impl CountTerm {
    /// Whether the count names several kinds.
    #[inline]
    pub fn merged(&self) -> bool {
        self.also != u32::MAX
    }
}

/// One further kind of a count over several kinds (`CountTerm::also`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindFilter {
    pub kind: u16,
    /// index into `Program::filters` (a filter on this kind), or `u32::MAX`
    pub filter: u32,
}

/// The rule forms of the language reference §6.1. `S` is the anchor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Form {
    /// `within len of S`: one instance due `S + len`.
    Within { len: Dur },
    /// `before week k of S`: one instance due `S + 7k - 1` days.
    BeforeWeek { week: u32 },
    /// `every every during first first of S`: instance k (k >= 1) due `S + k·every`
    /// for each k with `S + k·every <= S + first`; cumulative count `k·n`.
    Slots { every: Dur, first: Dur },
    /// `at most gap apart after after of S` (`from S`: after = 0 days):
    /// starts at `P = S + after`; the previous event is the last one in
    /// `[S, P]`, or P; each next event is due `previous + gap`.
    /// `every gap from S` lowers to this with `after` 0.
    Interval { gap: Dur, after: Dur },
    /// `per len from S`: at least n in every window of length len once
    /// `today >= S + len`; before that, n in `[S, S + len]`.
    Rolling { len: Dur },
    /// `per calendar year from S`: n in each calendar year of the case
    /// (the current and the previous year are judged).
    CalendarYear,
    /// `between S and E`: one instance counting events from S on, due E
    /// (`end`, a date; NONE: not applicable). Like `Within`, a fulfilment
    /// after E is late.
    Between { end: CodeRef },
    /// `after S`: one instance counting events from S on, with no due date:
    /// `pending` until fulfilled, never `overdue`.
    After,
    /// `within len of each K where filter from S` (`len` set) or `after
    /// each K …` (no due date): one instance per event of kind `kind`
    /// passing `filter` (`u32::MAX`: none) dated in `[S, today]`; the
    /// instance of a trigger on day T counts events from T on and is due
    /// `T + len`.
    Each {
        kind: u16,
        filter: u32,
        len: Option<Dur>,
    },
    /// `forbid K where F <window>` (and `every K … must C`, lowered with
    /// the filter `F and not (C)`): the requirement's one count (n = 1)
    /// names the forbidden events. The first of them dated in the window
    /// `[S, end]`, up to today and outside any suspended period, makes the
    /// rule `violated` on its date; without one the rule is `met` (on the
    /// window's end once that has passed).
    Forbid { window: ForbidWindow },
}

/// A prohibition's window from the anchor `S` (language reference §6.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ForbidWindow {
    /// `within len of S`: `[S, S + len]`.
    Within { len: Dur },
    /// `before week k of S`: `[S, S + 7k - 1]`.
    BeforeWeek { week: u32 },
    /// `between S and E`: `[S, E]` (`end`, a date; NONE: not applicable).
    Between { end: CodeRef },
    /// `after S`: from S on, with no end.
    After,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Effect {
    Waive,
    Suspend,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExemptionCondition {
    /// `when <bool>`: judged on today.
    When(CodeRef),
    /// `while <periods field>`.
    While(u16),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exemption {
    pub name: StrId,
    pub title: Option<StrId>,
    pub effect: Effect,
    /// The rules in scope (resolved from `all`, `group.*`, names).
    pub rules: Vec<u16>,
    pub condition: ExemptionCondition,
    /// `unless <bool>`.
    pub unless: Option<CodeRef>,
    /// Exemptions this one overrides when both apply.
    pub overrides: Vec<u16>,
    pub citations: Vec<StrId>,
    pub span: SpanId,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    pub name: StrId,
    pub title: Option<StrId>,
    pub kind: TargetKind,
    pub group: u16,
    /// bool; cases where it is false leave the denominator.
    pub filter: Option<CodeRef>,
    /// bool; may use `RuleMet`. `Const(1)` for a count target without
    /// `satisfy` and for an average.
    pub satisfy: CodeRef,
    /// Rules named in `satisfy`: a case exempt from any of them leaves the denominator.
    pub rules: Vec<u16>,
    /// Set when the bound comes from a parameter: it replaces the literal
    /// share, N or limit of `kind`.
    pub threshold: Option<Threshold>,
    /// Evaluation dates on which the target is in effect; on any other
    /// date every case is `NotCounted` and the report does not judge it.
    pub effective: Effective,
    pub citations: Vec<StrId>,
    pub span: SpanId,
}

/// `parameter name "title": type = default` (language reference §8.1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Param {
    pub name: StrId,
    pub title: Option<StrId>,
    /// `Int`, `Decimal`, `Percent` or `Days`.
    pub ty: FieldType,
    /// In the value model of `ty`.
    pub default: Option<i64>,
    pub citations: Vec<StrId>,
    pub span: SpanId,
}

impl Param {
    /// A value of this parameter as a real number scaled by
    /// `DECIMAL_SCALE` (ints and days are stored whole).
    pub fn real(&self, value: i64) -> i128 {
        match self.ty {
            FieldType::Int | FieldType::Days | FieldType::Months => {
                i128::from(value) * i128::from(DECIMAL_SCALE)
            }
            _ => i128::from(value),
        }
    }
}

/// A target bound computed from a parameter's value `v` (as a real number
/// scaled by `DECIMAL_SCALE`): `v × scale / DECIMAL_SCALE + offset`, in the
/// unit of the target's own bound scaled by `DECIMAL_SCALE` (a share as
/// `share`, a count's N times `DECIMAL_SCALE`, an average's `limit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Threshold {
    pub param: u16,
    pub scale: i64,
    pub offset: i64,
}

impl Threshold {
    /// The bound for the parameter's real value `v`.
    pub fn at(&self, v: i128) -> i128 {
        v * i128::from(self.scale) / i128::from(DECIMAL_SCALE) + i128::from(self.offset)
    }
}

/// What a target measures over a caseload (language reference §8). Per case
/// the VM gives a `TargetOutcome`; the caseload report adds them up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TargetKind {
    /// `at least 75% of g`: the share of the counted cases that satisfy, in
    /// basis points of `DECIMAL_SCALE` (75% = 7_500), is at least `share`.
    Share { share: i64 },
    /// `at most 288 of g`: the number of cases that satisfy, compared with `n`.
    Count { bound: Bound, n: u32 },
    /// `average x of g … at most 9.9 weeks`: the mean of `value` over the
    /// cases that satisfy (a case whose value is NONE is excluded), each
    /// value multiplied by `per_unit` (`DECIMAL_SCALE` for whole numbers and
    /// durations, 1 for decimals), compared with `limit` (fixed point, in
    /// the value's unit).
    Average {
        value: CodeRef,
        per_unit: i64,
        bound: Bound,
        limit: i64,
    },
}

/// `at most` (≤) or `at least` (≥).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Bound {
    AtMost,
    AtLeast,
}

impl Bound {
    /// Whether `value` keeps to the bound `limit`.
    pub fn holds<T: PartialOrd>(self, value: T, limit: T) -> bool {
        match self {
            Bound::AtMost => value <= limit,
            Bound::AtLeast => value >= limit,
        }
    }
}

/// A source location with its lines quoted, so explanations need no `.pol` file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub file: u16,
    /// 1-based, inclusive
    pub line_start: u32,
    pub line_end: u32,
    /// The source lines `line_start..=line_end`, verbatim.
    pub text: StrId,
}

/// The hash `text` values are compared by (FNV-1a, 64 bit), as an `i64`.
pub fn text_hash(s: &str) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    // INVARIANT: never NONE, so a text value is never mistaken for absent.
    let v = h as i64;
    if v == NONE {
        0
    } else {
        v
    }
}
