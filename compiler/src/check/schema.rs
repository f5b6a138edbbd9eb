//! The schema pass: enums, case fields and event kinds from every file,
//! into one flat namespace per kind of name.

use pol_runtime::bytecode::program::{text_hash, NONE};
use pol_runtime::vm::dates::from_naive;

use super::ir::{EnumIr, EventIr, FieldIr, Ty};
use super::items::Checker;
use super::suggest::did_you_mean;
use crate::diagnostics::Diagnostic;
use crate::syntax::ast::{self, LiteralKind, TypeKind, Unit};

/// Field names the input format keeps for itself.
const RESERVED_FIELDS: [&str; 2] = ["id", "events"];

/// Names `age` is computed from.
const BIRTH_FIELDS: [&str; 2] = ["birth_date", "fødselsdato"];

impl Checker<'_> {
    /// Declares every enum first (fields refer to them), then fields and events.
    pub(super) fn collect_schema(&mut self) {
        let files = self.files;
        for (_, file) in files {
            for item in &file.items {
                if let ast::Item::Enum(e) = item {
                    self.declare_enum(e);
                }
            }
        }
        for (_, file) in files {
            for item in &file.items {
                match item {
                    ast::Item::Case(c) => {
                        for f in &c.fields {
                            if RESERVED_FIELDS.contains(&f.name.name.as_str()) {
                                self.diags.push(
                                    Diagnostic::error(
                                        "E0214",
                                        format!("`{}` cannot be a case field name", f.name.name),
                                    )
                                    .with_label(f.name.span, "reserved")
                                    .with_help("`id` and `events` are the case id and event list of the input format; choose another name"),
                                );
                                continue;
                            }
                            let field = self.field_decl(f);
                            if let Some(first) = self.field_by_name.get(&field.name) {
                                let first_span = self.checked.fields.get(*first).map(|x| x.span);
                                super::duplicate(
                                    self.diags,
                                    "case field",
                                    &field.name,
                                    f.name.span,
                                    first_span.unwrap_or(f.name.span),
                                );
                                continue;
                            }
                            self.field_by_name
                                .insert(field.name.clone(), self.checked.fields.len());
                            self.checked.fields.push(field);
                        }
                    }
                    ast::Item::Event(ev) => self.declare_event(ev),
                    _ => {}
                }
            }
        }
        self.field_used = vec![false; self.checked.fields.len()];
        self.checked.birth_field = self.checked.fields.iter().position(|f| {
            BIRTH_FIELDS.contains(&f.name.as_str()) && f.ty == Ty::Date && !f.optional
        });
    }

    fn declare_enum(&mut self, e: &ast::EnumDecl) {
        if let Some(first) = self.enum_by_name.get(&e.name.name) {
            let first_span = self.checked.enums.get(*first).map(|x| x.span);
            super::duplicate(
                self.diags,
                "enum",
                &e.name.name,
                e.name.span,
                first_span.unwrap_or(e.name.span),
            );
            return;
        }
        let mut variants: Vec<String> = Vec::new();
        for v in &e.values {
            if variants.contains(&v.name) {
                self.diags.push(
                    Diagnostic::error(
                        "E0203",
                        format!("`{}` is listed twice in enum `{}`", v.name, e.name.name),
                    )
                    .with_label(v.span, "listed again here")
                    .with_help("remove the repeated value"),
                );
                continue;
            }
            variants.push(v.name.clone());
        }
        if variants.len() > 64 {
            self.diags.push(
                Diagnostic::error(
                    "E0215",
                    format!(
                        "enum `{}` has {} values; at most 64 are allowed",
                        e.name.name,
                        variants.len()
                    ),
                )
                .with_label(e.name.span, "too many values")
                .with_help("split the enum, or group rare values under one name"),
            );
            variants.truncate(64);
        }
        let idx = self.checked.enums.len();
        for (vi, v) in variants.iter().enumerate() {
            self.variant_owners
                .entry(v.clone())
                .or_default()
                .push((idx, vi));
        }
        self.enum_by_name.insert(e.name.name.clone(), idx);
        self.checked.enums.push(EnumIr {
            name: e.name.name.clone(),
            variants,
            span: e.name.span,
        });
    }

    fn declare_event(&mut self, ev: &ast::EventDecl) {
        if let Some(first) = self.event_by_name.get(&ev.name.name) {
            let first_span = self.checked.events.get(*first).map(|x| x.span);
            super::duplicate(
                self.diags,
                "event kind",
                &ev.name.name,
                ev.name.span,
                first_span.unwrap_or(ev.name.span),
            );
            return;
        }
        let mut fields: Vec<FieldIr> = Vec::new();
        for f in &ev.fields {
            if f.name.name == "date" || f.name.name == "kind" {
                self.diags.push(
                    Diagnostic::error(
                        "E0214",
                        format!("`{}` cannot be an event field name", f.name.name),
                    )
                    .with_label(f.name.span, "reserved")
                    .with_help(
                        "every event already has a `date` and a `kind`; choose another name",
                    ),
                );
                continue;
            }
            let field = self.field_decl(f);
            if field.ty == Ty::Periods {
                self.diags.push(
                    Diagnostic::error(
                        "E0301",
                        format!("event field `{}` cannot be `periods`", field.name),
                    )
                    .with_label(f.ty.span, "not allowed on events")
                    .with_help("an event happens on one date; put periods on the case"),
                );
                continue;
            }
            if let Some(first) = fields.iter().find(|x| x.name == field.name) {
                super::duplicate(
                    self.diags,
                    "event field",
                    &field.name,
                    f.name.span,
                    first.span,
                );
                continue;
            }
            fields.push(field);
        }
        let cost_minutes = ev.cost.map(|c| {
            let minutes = match c.unit {
                ast::CostUnit::Minutes => c.amount,
                ast::CostUnit::Hours => c.amount * 60,
            };
            (minutes / ast::SCALE).clamp(0, u32::MAX as i64) as u32
        });
        self.event_by_name
            .insert(ev.name.name.clone(), self.checked.events.len());
        self.checked.events.push(EventIr {
            name: ev.name.name.clone(),
            fields,
            cost_minutes,
            doc: ev.doc.clone(),
            span: ev.name.span,
        });
    }

    fn field_decl(&mut self, f: &ast::Field) -> FieldIr {
        let ty = self.type_of(&f.ty);
        if let Some(
            lit @ ast::Literal {
                kind: LiteralKind::Periods(list),
                ..
            },
        ) = &f.default
        {
            if !list.is_empty() {
                // The artifact keeps one value per default, not intervals: a
                // non-empty default would be silently dropped.
                self.diags.push(
                    Diagnostic::error(
                        "E0321",
                        format!("`{}` can only default to no periods, `[]`", f.name.name),
                    )
                    .with_label(lit.span, "periods as a default")
                    .with_help("write `= []`, and give the periods in each case's data"),
                );
            }
        }
        let default = f
            .default
            .as_ref()
            .map(|lit| self.literal_value(lit, ty, &f.name.name));
        FieldIr {
            name: f.name.name.clone(),
            ty,
            optional: f.ty.optional,
            default: default.flatten(),
            doc: f.doc.clone(),
            span: f.name.span,
        }
    }

    pub(super) fn type_of(&mut self, t: &ast::TypeExpr) -> Ty {
        match &t.kind {
            TypeKind::Bool => Ty::Bool,
            TypeKind::Int => Ty::Int,
            TypeKind::Decimal => Ty::Decimal,
            TypeKind::Percent => Ty::Percent,
            TypeKind::Text => Ty::Text,
            TypeKind::Date => Ty::Date,
            // A duration field holds exact days; calendar lengths are written
            // in rules, not stored on cases.
            TypeKind::Duration => Ty::Days,
            TypeKind::Periods => Ty::Periods,
            TypeKind::Named(id) => match self.enum_by_name.get(&id.name) {
                Some(i) => Ty::Enum(*i),
                // an enum a syntax error left out: already reported
                None if self.unparsed.contains(&id.name) => Ty::Error,
                None => {
                    let names: Vec<&str> =
                        self.checked.enums.iter().map(|e| e.name.as_str()).collect();
                    let help = did_you_mean(&id.name, names.iter().copied(), "enum");
                    self.diags.push(
                        Diagnostic::error("E0209", format!("there is no type `{}`", id.name))
                            .with_label(id.span, "unknown type")
                            .with_help(format!(
                                "{help} (built-in types: bool, int, decimal, percent, text, date, duration, periods)"
                            )),
                    );
                    Ty::Error
                }
            },
        }
    }

    /// A literal as a value of type `ty` in the runtime value model, for
    /// defaults and test data. `None` (after a diagnostic) when it does not fit.
    /// Periods literals give `Some(0)` here; their intervals come from
    /// `periods_value`.
    pub(super) fn literal_value(&mut self, lit: &ast::Literal, ty: Ty, field: &str) -> Option<i64> {
        let value = match (&lit.kind, ty) {
            (_, Ty::Error) => return None,
            (LiteralKind::Bool(b), Ty::Bool) => Some(i64::from(*b)),
            (LiteralKind::Int(n), Ty::Int) => Some(*n),
            (LiteralKind::Int(n), Ty::Decimal) => n.checked_mul(ast::SCALE),
            (LiteralKind::Decimal(d), Ty::Decimal) => Some(*d),
            (LiteralKind::Percent(p), Ty::Percent) => Some(*p / 100),
            (LiteralKind::Text(s), Ty::Text) => Some(text_hash(s)),
            (LiteralKind::Date(d), Ty::Date) => Some(i64::from(from_naive(*d))),
            (LiteralKind::Duration(d), Ty::Days) if !d.unit.is_calendar() => Some(match d.unit {
                Unit::Week => d.n * 7,
                _ => d.n,
            }),
            (LiteralKind::Name(id), Ty::Enum(e)) => {
                let en = self.checked.enums.get(e)?;
                match en.variants.iter().position(|v| *v == id.name) {
                    Some(i) => Some(i as i64),
                    None => {
                        let help =
                            did_you_mean(&id.name, en.variants.iter().map(String::as_str), "value");
                        self.diags.push(
                            Diagnostic::error(
                                "E0211",
                                format!("`{}` is not a value of `{}`", id.name, en.name),
                            )
                            .with_label(id.span, "unknown value")
                            .with_help(help),
                        );
                        return None;
                    }
                }
            }
            (LiteralKind::Periods(_), Ty::Periods) => Some(0),
            _ => None,
        };
        if value.is_none() {
            self.diags.push(
                Diagnostic::error(
                    "E0321",
                    format!(
                        "`{field}` is {}, so it cannot be `{}`",
                        self.ty_words(ty),
                        self.sources.slice(lit.span)
                    ),
                )
                .with_label(lit.span, format!("not {}", self.ty_words(ty)))
                .with_help(literal_help(ty)),
            );
        }
        value
    }

    /// The intervals of a periods literal; an open end is `OPEN_END`.
    pub(super) fn periods_value(lit: &ast::Literal) -> Vec<(i32, i32)> {
        match &lit.kind {
            LiteralKind::Periods(list) => list
                .iter()
                .map(|(from, to)| {
                    (
                        from_naive(from.date),
                        to.map(|t| from_naive(t.date))
                            .unwrap_or(pol_runtime::caseload::batch::OPEN_END),
                    )
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// A type in words, for messages: "a date", "a `Benefit` value".
    pub(super) fn ty_words(&self, ty: Ty) -> String {
        match ty {
            Ty::Bool => "a condition (true or false)".into(),
            Ty::Int => "a whole number".into(),
            Ty::Decimal => "a number".into(),
            Ty::Percent => "a percentage".into(),
            Ty::Text => "a text".into(),
            Ty::Date => "a date".into(),
            Ty::Days => "a duration in days or weeks".into(),
            Ty::Months => "a duration in months or years".into(),
            Ty::Enum(e) => match self.checked.enums.get(e) {
                Some(en) => {
                    let an = en
                        .name
                        .starts_with(['A', 'E', 'I', 'O', 'U', 'Æ', 'Ø', 'Å']);
                    format!("{} `{}` value", if an { "an" } else { "a" }, en.name)
                }
                None => "an enum value".into(),
            },
            Ty::EnumSet(e) => match self.checked.enums.get(e) {
                Some(en) => format!("a set of `{}` values", en.name),
                None => "a set of values".into(),
            },
            Ty::Periods => "periods".into(),
            Ty::Error => "unknown".into(),
        }
    }

    /// The absent value, for optional fields left out of test data.
    pub(super) fn absent() -> i64 {
        NONE
    }
}

fn literal_help(ty: Ty) -> String {
    match ty {
        Ty::Bool => "write `true` or `false`".into(),
        Ty::Int => "write a whole number, e.g. `12`".into(),
        Ty::Decimal => "write a number with a decimal point, e.g. `37.5`".into(),
        Ty::Percent => "write a percentage, e.g. `75%`".into(),
        Ty::Text => "write a text in double quotes".into(),
        Ty::Date => "write a date as YYYY-MM-DD, e.g. `2026-03-02`".into(),
        Ty::Days => "write a duration in days or weeks, e.g. `8 weeks`".into(),
        Ty::Periods => "write periods as `[2026-01-01 .. 2026-02-15]`".into(),
        _ => "write one of the type's values".into(),
    }
}
