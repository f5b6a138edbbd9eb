//! The verifier: refuses any program a correct compiler cannot produce, so
//! the VM may rely on every index being in range and every expression being
//! well formed (it still never panics on what slips through).
//!
//! What the compiler must produce, beyond "every index in range":
//! * every `CodeRef` is non-empty and leaves exactly one value; the stack
//!   never underflows nor grows past `MAX_STACK`;
//! * `EvField`/`EvDate` only in a filter's code (the filter's own kind);
//!   no `Agg` inside a filter; `RuleMet` only in a target's `satisfy`;
//! * `Field` never names a periods field; `InPeriods` and `While` only do;
//! * a filter used by a count, an aggregate or a per-event trigger reads
//!   that kind;
//! * `Body::Branch` targets point forward; a requirement has 1 to
//!   `MAX_COUNTS` counts, each with `n >= 1`; `Interval`/`Rolling` have one;
//! * durations are non-negative; `Slots::every`, `Interval::gap` and
//!   `Rolling::len` are positive; `BeforeWeek::week` is 1 to 10 000;
//! * an `InSet` right after a `Field`/`EvField` of an enum names only that
//!   enum's variants; at most `MAX_SUSPENDS_PER_RULE` suspensions per rule.

use crate::bytecode::format::LoadError;
use crate::bytecode::program::{
    AggFunc, AggWindow, Body, CodeRef, Dur, ExemptionCondition, FieldType, ForbidWindow, Form, Op,
    Program, TargetKind, DECIMAL_SCALE,
};

/// The deepest expression stack the VM provides (a fixed array per case).
pub const MAX_STACK: usize = 64;
/// The most counts one requirement may join with `and` (the VM keeps one
/// cursor per count in a fixed array).
pub const MAX_COUNTS: usize = 16;
/// The most event kinds one count may name (`samtale or telefonkontakt`):
/// the VM merges them with one position per kind in a fixed array.
pub const MAX_KINDS_PER_COUNT: usize = 4;
/// The most parameters a program may declare (16-bit indices).
pub const MAX_PARAMS: usize = u16::MAX as usize;
/// The most suspending exemptions that may reach one rule (the VM merges
/// their periods with one cursor each in a fixed array).
pub const MAX_SUSPENDS_PER_RULE: usize = 8;

/// Where an expression stands, which decides the ops it may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// a group, `when`, anchor, branch, exemption or target filter
    Case,
    /// an event filter of this kind
    Filter(u16),
    /// a target's `satisfy`
    Satisfy,
}

/// Checks `p`; the first problem found is the error.
pub fn verify(p: &Program) -> Result<(), LoadError> {
    Verifier { p }.run()
}

struct Verifier<'a> {
    p: &'a Program,
}

type Check = Result<(), String>;

fn err<T>(at: impl Into<String>, problem: impl Into<String>) -> Result<T, LoadError> {
    Err(LoadError::Invalid {
        at: at.into(),
        problem: problem.into(),
    })
}

fn in_range(what: &str, i: usize, len: usize) -> Check {
    if i < len {
        Ok(())
    } else {
        Err(format!("{what} {i} out of range (there are {len})"))
    }
}

impl Verifier<'_> {
    fn run(&self) -> Result<(), LoadError> {
        let p = self.p;
        let at = |a: &str, r: Check| r.or_else(|e| err(a, e));

        // Strings, files and spans first: every later message names items by them.
        at("the file table", self.strs(&p.files))?;
        for (i, s) in p.spans.iter().enumerate() {
            at(
                &format!("span {i}"),
                in_range("file", usize::from(s.file), p.files.len())
                    .and_then(|_| self.str(s.text))
                    .and_then(|_| {
                        if s.line_start == 0 || s.line_end < s.line_start {
                            Err(format!(
                                "lines {}..{} are not a range",
                                s.line_start, s.line_end
                            ))
                        } else {
                            Ok(())
                        }
                    }),
            )?;
        }
        if p.meta.language > 1 {
            return err(
                "the policy header",
                format!(
                    "keyword language {} is neither English (0) nor Danish (1)",
                    p.meta.language
                ),
            );
        }
        at(
            "the policy header",
            self.str(p.meta.name)
                .and_then(|_| self.opt_str(p.meta.title))
                .and_then(|_| self.opt_str(p.meta.version))
                .and_then(|_| self.strs(&p.meta.sources)),
        )?;
        self.schema()?;
        for (i, s) in p.sets.iter().enumerate() {
            let widest = p
                .schema
                .enums
                .iter()
                .map(|e| e.variants.len())
                .max()
                .unwrap_or(0);
            if *s != 0 && (64 - s.leading_zeros()) as usize > widest {
                return err(format!("set {i}"), "names a variant no enum has");
            }
        }
        for (i, f) in p.filters.iter().enumerate() {
            at(
                &format!("filter {i}"),
                in_range("event kind", usize::from(f.kind), p.schema.events.len())
                    .and_then(|_| self.code(f.code, Place::Filter(f.kind))),
            )?;
        }
        for (i, g) in p.groups.iter().enumerate() {
            let a = format!("group {i} ({})", self.name(g.name));
            at(
                &a,
                self.str(g.name)
                    .and_then(|_| self.opt_str(g.title))
                    .and_then(|_| self.strs(&g.citations))
                    .and_then(|_| self.span(g.span))
                    .and_then(|_| self.code(g.pred, Place::Case)),
            )?;
        }
        for (i, r) in p.rules.iter().enumerate() {
            let a = format!("rule {i} ({})", self.name(r.name));
            at(&a, self.rule(r))?;
            if self.suspends_reaching(i) > MAX_SUSPENDS_PER_RULE {
                return err(
                    a,
                    format!("more than {MAX_SUSPENDS_PER_RULE} suspending exemptions reach it"),
                );
            }
        }
        for (i, e) in p.exemptions.iter().enumerate() {
            let a = format!("exemption {i} ({})", self.name(e.name));
            at(&a, self.exemption(i, e))?;
        }
        if p.params.len() > MAX_PARAMS {
            return err("parameters", format!("more than {MAX_PARAMS}"));
        }
        for (i, x) in p.params.iter().enumerate() {
            let a = format!("parameter {i} ({})", self.name(x.name));
            at(&a, self.param(x))?;
        }
        for (i, t) in p.targets.iter().enumerate() {
            let a = format!("target {i} ({})", self.name(t.name));
            at(&a, self.target(t))?;
        }
        Ok(())
    }

    /// An item's name for messages, quoted as the author wrote it.
    fn name(&self, s: u32) -> String {
        match self.p.strings.get(s as usize) {
            Some(n) => format!("`{n}`"),
            None => format!("name {s} out of range"),
        }
    }

    fn str(&self, s: u32) -> Check {
        in_range("string", s as usize, self.p.strings.len())
    }

    fn opt_str(&self, s: Option<u32>) -> Check {
        s.map_or(Ok(()), |s| self.str(s))
    }

    fn strs(&self, s: &[u32]) -> Check {
        s.iter().try_for_each(|s| self.str(*s))
    }

    fn span(&self, s: u32) -> Check {
        in_range("span", s as usize, self.p.spans.len())
    }

    fn field_type(&self, i: u16) -> Option<FieldType> {
        self.p.schema.fields.get(usize::from(i)).map(|f| f.ty)
    }

    fn schema(&self) -> Result<(), LoadError> {
        let s = &self.p.schema;
        for (i, e) in s.enums.iter().enumerate() {
            let a = format!("enum {i} ({})", self.name(e.name));
            if e.variants.is_empty() || e.variants.len() > 64 {
                return err(
                    a,
                    format!("has {} variants (1 to 64 allowed)", e.variants.len()),
                );
            }
            self.str(e.name)
                .and_then(|_| self.strs(&e.variants))
                .or_else(|m| err(&a, m))?;
        }
        let field = |f: &crate::bytecode::program::FieldDef, periods_ok: bool| -> Check {
            self.str(f.name)?;
            match f.ty {
                FieldType::Enum(e) => in_range("enum", usize::from(e), s.enums.len()),
                FieldType::Periods if !periods_ok => Err("an event field cannot be periods".into()),
                _ => Ok(()),
            }
        };
        for (i, f) in s.fields.iter().enumerate() {
            field(f, true)
                .or_else(|m| err(format!("case field {i} ({})", self.name(f.name)), m))?;
        }
        if s.events.len() > usize::from(u16::MAX) {
            return err("the schema", "too many event kinds");
        }
        for (i, k) in s.events.iter().enumerate() {
            let a = format!("event {i} ({})", self.name(k.name));
            self.str(k.name).or_else(|m| err(&a, m))?;
            for f in &k.fields {
                field(f, false).or_else(|m| err(&a, m))?;
            }
        }
        if let Some(b) = s.birth_field {
            if self.field_type(b) != Some(FieldType::Date) {
                return err("the schema", format!("birth field {b} is not a date field"));
            }
        }
        Ok(())
    }

    fn rule(&self, r: &crate::bytecode::program::Rule) -> Check {
        self.str(r.name)?;
        self.opt_str(r.title)?;
        self.strs(&r.citations)?;
        self.span(r.span)?;
        for g in &r.groups {
            in_range("group", usize::from(*g), self.p.groups.len())?;
        }
        if let Some(w) = r.when {
            self.code(w, Place::Case)
                .map_err(|e| format!("`when`: {e}"))?;
        }
        if r.body.is_empty() {
            return Err("has no body".into());
        }
        for (i, b) in r.body.iter().enumerate() {
            match b {
                Body::Branch {
                    cond,
                    then,
                    otherwise,
                } => {
                    self.code(*cond, Place::Case)
                        .map_err(|e| format!("body {i} condition: {e}"))?;
                    for t in std::iter::once(*then).chain(*otherwise) {
                        if (t as usize) <= i || (t as usize) >= r.body.len() {
                            return Err(format!(
                                "body {i} branches to {t}, not a later body node (there are {})",
                                r.body.len()
                            ));
                        }
                    }
                }
                Body::Require(req) => self
                    .requirement(req)
                    .map_err(|e| format!("body {i}: {e}"))?,
            }
        }
        Ok(())
    }

    fn requirement(&self, req: &crate::bytecode::program::Requirement) -> Check {
        self.span(req.span)?;
        self.code(req.anchor, Place::Case)
            .map_err(|e| format!("anchor: {e}"))?;
        if req.counts.is_empty() {
            return Err("requires no events".into());
        }
        if req.counts.len() > MAX_COUNTS {
            return Err(format!("joins more than {MAX_COUNTS} counts"));
        }
        let single = matches!(req.form, Form::Interval { .. } | Form::Rolling { .. });
        if single && req.counts.len() != 1 {
            return Err(format!(
                "an interval or rolling requirement takes exactly one count, not {}",
                req.counts.len()
            ));
        }
        // A prohibition's one count names the forbidden events: the first
        // of them violates, so there is no n to reach.
        if matches!(req.form, Form::Forbid { .. })
            && (req.counts.len() != 1 || req.counts.iter().any(|c| c.n != 1))
        {
            return Err("a prohibition takes exactly one count of 1 event".into());
        }
        if matches!(req.form, Form::Forbid { .. }) && req.counts.iter().any(|c| c.merged()) {
            return Err("a prohibition names one event kind".into());
        }
        for c in &req.counts {
            if c.n == 0 {
                return Err("requires 0 events".into());
            }
            if c.merged() {
                in_range("kind list", c.also as usize, self.p.also_kinds.len())?;
            }
            let also = self.p.also(c);
            if c.merged() && also.is_empty() {
                return Err(format!("kind list {} is empty", c.also));
            }
            if also.len() >= MAX_KINDS_PER_COUNT {
                return Err(format!(
                    "a count names more than {MAX_KINDS_PER_COUNT} event kinds"
                ));
            }
            let lanes =
                std::iter::once((c.kind, c.filter)).chain(also.iter().map(|a| (a.kind, a.filter)));
            for (i, (kind, filter)) in lanes.enumerate() {
                in_range("event kind", usize::from(kind), self.p.schema.events.len())?;
                if filter != u32::MAX {
                    in_range("filter", filter as usize, self.p.filters.len())?;
                    if self.p.filters.get(filter as usize).map(|f| f.kind) != Some(kind) {
                        return Err(format!("filter {filter} reads another event kind"));
                    }
                }
                // a kind twice would count its events twice
                let earlier = std::iter::once(c.kind).chain(also.iter().map(|a| a.kind));
                if earlier.take(i).any(|k| k == kind) {
                    return Err(format!("a count names event kind {kind} twice"));
                }
            }
        }
        let nonneg = |d: Dur| match d {
            Dur::Days(n) | Dur::Months(n) => n >= 0,
        };
        let positive = |d: Dur| match d {
            Dur::Days(n) | Dur::Months(n) => n > 0,
        };
        let ok = match req.form {
            Form::Within { len } => nonneg(len),
            Form::BeforeWeek { week } => (1..=10_000).contains(&week),
            Form::Slots { every, first } => positive(every) && nonneg(first),
            Form::Interval { gap, after } => positive(gap) && nonneg(after),
            Form::Rolling { len } => positive(len),
            Form::CalendarYear => true,
            Form::Between { end } => {
                self.code(end, Place::Case)
                    .map_err(|e| format!("window end: {e}"))?;
                true
            }
            Form::After => true,
            Form::Forbid { window } => match window {
                ForbidWindow::Within { len } => nonneg(len),
                ForbidWindow::BeforeWeek { week } => (1..=10_000).contains(&week),
                ForbidWindow::Between { end } => {
                    self.code(end, Place::Case)
                        .map_err(|e| format!("window end: {e}"))?;
                    true
                }
                ForbidWindow::After => true,
            },
            Form::Each { kind, filter, len } => {
                in_range(
                    "triggering event kind",
                    usize::from(kind),
                    self.p.schema.events.len(),
                )?;
                if filter != u32::MAX {
                    in_range("trigger filter", filter as usize, self.p.filters.len())?;
                    if self.p.filters.get(filter as usize).map(|f| f.kind) != Some(kind) {
                        return Err(format!("trigger filter {filter} reads another event kind"));
                    }
                }
                len.is_none_or(nonneg)
            }
        };
        if ok {
            Ok(())
        } else {
            Err(format!("{:?} has a duration out of range", req.form))
        }
    }

    fn suspends_reaching(&self, rule: usize) -> usize {
        self.p
            .exemptions
            .iter()
            .filter(|e| {
                e.effect == crate::bytecode::program::Effect::Suspend
                    && e.rules.iter().any(|r| usize::from(*r) == rule)
            })
            .count()
    }

    fn exemption(&self, i: usize, e: &crate::bytecode::program::Exemption) -> Check {
        self.str(e.name)?;
        self.opt_str(e.title)?;
        self.strs(&e.citations)?;
        self.span(e.span)?;
        for r in &e.rules {
            in_range("rule", usize::from(*r), self.p.rules.len())?;
        }
        for o in &e.overrides {
            in_range("exemption", usize::from(*o), self.p.exemptions.len())?;
            if usize::from(*o) == i {
                return Err("overrides itself".into());
            }
        }
        match e.condition {
            ExemptionCondition::When(c) => self.code(c, Place::Case)?,
            ExemptionCondition::While(f) => {
                if self.field_type(f) != Some(FieldType::Periods) {
                    return Err(format!("`while` reads field {f}, which is not periods"));
                }
            }
        }
        if let Some(u) = e.unless {
            self.code(u, Place::Case)
                .map_err(|m| format!("`unless`: {m}"))?;
        }
        Ok(())
    }

    fn param(&self, p: &crate::bytecode::program::Param) -> Check {
        self.str(p.name)?;
        self.opt_str(p.title)?;
        self.strs(&p.citations)?;
        self.span(p.span)?;
        if !matches!(
            p.ty,
            FieldType::Int | FieldType::Decimal | FieldType::Percent | FieldType::Days
        ) {
            return Err(format!("a parameter cannot be of type {:?}", p.ty));
        }
        Ok(())
    }

    fn target(&self, t: &crate::bytecode::program::Target) -> Check {
        self.str(t.name)?;
        self.opt_str(t.title)?;
        self.strs(&t.citations)?;
        self.span(t.span)?;
        match t.kind {
            TargetKind::Share { share } => {
                if !(0..=100 * DECIMAL_SCALE).contains(&share) {
                    return Err(format!("share {share} is not between 0% and 100%"));
                }
            }
            TargetKind::Count { .. } => {}
            TargetKind::Average {
                value, per_unit, ..
            } => {
                if per_unit != 1 && per_unit != DECIMAL_SCALE {
                    return Err(format!(
                        "average scale {per_unit} is neither 1 nor {DECIMAL_SCALE}"
                    ));
                }
                self.code(value, Place::Case)
                    .map_err(|m| format!("average: {m}"))?;
            }
        }
        if let Some(th) = t.threshold {
            let param = self
                .p
                .params
                .get(usize::from(th.param))
                .ok_or_else(|| format!("threshold parameter {} is out of range", th.param))?;
            let fits = matches!(
                (t.kind, param.ty),
                (TargetKind::Share { .. }, FieldType::Percent)
                    | (
                        TargetKind::Count { .. },
                        FieldType::Int | FieldType::Decimal
                    )
                    | (
                        TargetKind::Average { .. },
                        FieldType::Int | FieldType::Decimal | FieldType::Days
                    )
            );
            if !fits {
                return Err(format!(
                    "a {:?} parameter cannot bound this kind of target",
                    param.ty
                ));
            }
        }
        in_range("group", usize::from(t.group), self.p.groups.len())?;
        for r in &t.rules {
            in_range("rule", usize::from(*r), self.p.rules.len())?;
        }
        if let Some(f) = t.filter {
            self.code(f, Place::Case)
                .map_err(|m| format!("`where`: {m}"))?;
        }
        self.code(t.satisfy, Place::Satisfy)
            .map_err(|m| format!("`satisfy`: {m}"))
    }

    /// One expression: in bounds, ops allowed where it stands, operands in
    /// range, and a stack that never underflows, stays within `MAX_STACK`
    /// and ends with exactly one value.
    fn code(&self, c: CodeRef, place: Place) -> Check {
        let p = self.p;
        let end = c
            .start
            .checked_add(c.len)
            .filter(|e| (*e as usize) <= p.code.len() && c.len > 0)
            .ok_or_else(|| {
                format!(
                    "code {}..+{} out of range (there are {} ops)",
                    c.start,
                    c.len,
                    p.code.len()
                )
            })?;
        let ops = p.code.get(c.start as usize..end as usize).unwrap_or(&[]);
        let mut depth: usize = 0;
        let mut prev: Option<&Op> = None;
        for (k, op) in ops.iter().enumerate() {
            let pc = c.start as usize + k;
            let here = |m: String| format!("op {pc} ({op:?}): {m}");
            let (pops, _) = op_effect(op);
            self.operands(op, prev, place).map_err(here)?;
            depth = depth
                .checked_sub(pops)
                .ok_or_else(|| here("the stack underflows".into()))?
                + 1;
            if depth > MAX_STACK {
                return Err(here(format!("the stack grows past {MAX_STACK}")));
            }
            prev = Some(op);
        }
        if depth != 1 {
            return Err(format!(
                "code {}..+{} leaves {depth} values, not 1",
                c.start, c.len
            ));
        }
        Ok(())
    }

    fn operands(&self, op: &Op, prev: Option<&Op>, place: Place) -> Check {
        let p = self.p;
        let s = &p.schema;
        match *op {
            Op::Field(i) => match self.field_type(i) {
                None => in_range("case field", usize::from(i), s.fields.len()),
                Some(FieldType::Periods) => Err(format!(
                    "field {i} is periods; it can only be tested with `in`"
                )),
                Some(_) => Ok(()),
            },
            Op::EvField(i) => match place {
                Place::Filter(k) => {
                    let n = s.events.get(usize::from(k)).map_or(0, |e| e.fields.len());
                    in_range("event field", usize::from(i), n)
                }
                _ => Err("event fields can only be read inside an event filter".into()),
            },
            Op::EvDate => match place {
                Place::Filter(_) => Ok(()),
                _ => Err("the event date can only be read inside an event filter".into()),
            },
            Op::AgeOn => match s.birth_field {
                Some(_) => Ok(()),
                None => Err("`age` needs a birth date field in the schema".into()),
            },
            Op::InSet(i) => {
                in_range("set", i as usize, p.sets.len())?;
                let set = p.sets.get(i as usize).copied().unwrap_or(0);
                let enum_of = |f: Option<&crate::bytecode::program::FieldDef>| match f.map(|f| f.ty)
                {
                    Some(FieldType::Enum(e)) => s.enums.get(usize::from(e)),
                    _ => None,
                };
                let e = match (prev, place) {
                    (Some(Op::Field(f)), _) => enum_of(s.fields.get(usize::from(*f))),
                    (Some(Op::EvField(f)), Place::Filter(k)) => enum_of(
                        s.events
                            .get(usize::from(k))
                            .and_then(|ev| ev.fields.get(usize::from(*f))),
                    ),
                    _ => None,
                };
                match e {
                    Some(e) if e.variants.len() < 64 && set >> e.variants.len() != 0 => {
                        Err(format!("set {i} names a variant the enum does not have"))
                    }
                    _ => Ok(()),
                }
            }
            Op::InPeriods(i) => match self.field_type(i) {
                Some(FieldType::Periods) => Ok(()),
                _ => Err(format!("field {i} is not a periods field")),
            },
            Op::Agg {
                func,
                kind,
                filter,
                window,
            } => {
                if let Place::Filter(_) = place {
                    return Err("an event filter cannot aggregate events".into());
                }
                in_range("event kind", usize::from(kind), s.events.len())?;
                if filter != u32::MAX {
                    in_range("filter", filter as usize, p.filters.len())?;
                    if p.filters.get(filter as usize).map(|f| f.kind) != Some(kind) {
                        return Err(format!("filter {filter} reads another event kind"));
                    }
                }
                if let AggFunc::Sum(f) = func {
                    let n = s
                        .events
                        .get(usize::from(kind))
                        .map_or(0, |e| e.fields.len());
                    in_range("summed event field", usize::from(f), n)?;
                }
                if let AggWindow::Last(Dur::Days(n) | Dur::Months(n)) = window {
                    if n < 0 {
                        return Err("a negative window".into());
                    }
                }
                Ok(())
            }
            Op::RuleMet(r) | Op::RuleOnTime(r) => match place {
                Place::Satisfy => in_range("rule", usize::from(r), p.rules.len()),
                _ => Err("a rule's status can only be read in a target's `satisfy`".into()),
            },
            _ => Ok(()),
        }
    }
}

/// How many values an op pops, and that it pushes one. Public so tools that
/// read a program's expressions (the examples' generator) rebuild their
/// trees with the verifier's arities, not a copy of them.
pub fn op_effect(op: &Op) -> (usize, usize) {
    let pops = match op {
        Op::Const(_)
        | Op::Field(_)
        | Op::EvField(_)
        | Op::EvDate
        | Op::Today
        | Op::RuleMet(_)
        | Op::RuleOnTime(_) => 0,
        Op::AgeOn
        | Op::IsPresent
        | Op::Not
        | Op::Neg
        | Op::IntToDec
        | Op::InSet(_)
        | Op::InPeriods(_) => 1,
        Op::And
        | Op::Or
        | Op::Eq
        | Op::Ne
        | Op::Lt
        | Op::Le
        | Op::Gt
        | Op::Ge
        | Op::Add
        | Op::Sub
        | Op::Mul
        | Op::Div
        | Op::MulDec
        | Op::DivDec
        | Op::AddDays
        | Op::AddMonths
        | Op::Min
        | Op::Max => 2,
        Op::Agg { window, .. } => match window {
            AggWindow::Range => 2,
            AggWindow::All | AggWindow::Last(_) => 0,
        },
    };
    (pops, 1)
}
