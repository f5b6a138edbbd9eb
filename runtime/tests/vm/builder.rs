//! A test-only builder of small programs and cases, so VM tests read as the
//! `.pol` they stand for without a compiler.
#![allow(dead_code, reason = "each test binary uses a part of the builder")]
#![allow(
    clippy::panic,
    reason = "test helper: a broken test program should stop the test"
)]

use pol_runtime::bytecode::program::*;
use pol_runtime::vm::dates::parse_day;
use pol_runtime::{CaseBatch, CaseData, Policy};

pub fn d(s: &str) -> i32 {
    parse_day(s).unwrap_or_else(|| panic!("bad date {s}"))
}

// Schema field indices.
pub const BIRTH: u16 = 0;
pub const BENEFIT: u16 = 1;
pub const START: u16 = 2;
pub const STANDBY: u16 = 3;
pub const FLAG: u16 = 4;
pub const OTHER_START: u16 = 5;
pub const LEAVE: u16 = 6;
// Event kinds.
pub const SAMTALE: u16 = 0;
pub const TILBUD: u16 = 1;
// Enum values.
pub const DAGPENGE: i64 = 0;
pub const SYGEDAGPENGE: i64 = 1;
pub const PERSONAL: i64 = 0;
pub const PHONE: i64 = 1;

pub struct Builder {
    pub p: Program,
}

fn field(p: &mut Program, name: &str, ty: FieldType, optional: bool) -> FieldDef {
    let name = intern(p, name);
    FieldDef {
        name,
        ty,
        optional,
        default: None,
    }
}

fn intern(p: &mut Program, s: &str) -> StrId {
    if let Some(i) = p.strings.iter().position(|x| x == s) {
        return i as StrId;
    }
    p.strings.push(s.to_string());
    (p.strings.len() - 1) as StrId
}

impl Builder {
    /// The schema every VM test uses:
    /// case { birth_date: date, benefit: Benefit, benefit_start: date,
    ///        standby: periods = [], flag: bool = false, other_start: date?, leave: periods = [] }
    /// event samtale { form: Form }   event tilbud { hours: decimal }
    pub fn new() -> Builder {
        let mut p = Program {
            meta: Meta {
                name: 0,
                title: None,
                version: None,
                effective: Effective::default(),
                sources: vec![],
                language: 0,
            },
            schema: Schema {
                enums: vec![],
                fields: vec![],
                events: vec![],
                birth_field: Some(BIRTH),
            },
            strings: vec!["test".into()],
            code: vec![],
            filters: vec![],
            sets: vec![],
            also_kinds: vec![],
            groups: vec![],
            rules: vec![],
            exemptions: vec![],
            params: vec![],
            targets: vec![],
            spans: vec![],
            files: vec![],
        };
        let benefit = EnumDef {
            name: intern(&mut p, "Benefit"),
            variants: vec![intern(&mut p, "dagpenge"), intern(&mut p, "sygedagpenge")],
        };
        let form = EnumDef {
            name: intern(&mut p, "Form"),
            variants: vec![intern(&mut p, "personal"), intern(&mut p, "phone")],
        };
        p.schema.enums = vec![benefit, form];
        p.schema.fields = vec![
            field(&mut p, "birth_date", FieldType::Date, false),
            field(&mut p, "benefit", FieldType::Enum(0), false),
            field(&mut p, "benefit_start", FieldType::Date, false),
            field(&mut p, "standby", FieldType::Periods, false),
            field(&mut p, "flag", FieldType::Bool, false),
            field(&mut p, "other_start", FieldType::Date, true),
            field(&mut p, "leave", FieldType::Periods, false),
        ];
        let f = field(&mut p, "form", FieldType::Enum(1), false);
        let h = field(&mut p, "hours", FieldType::Decimal, false);
        p.schema.events = vec![
            EventKind {
                name: intern(&mut p, "samtale"),
                fields: vec![f],
                cost_minutes: Some(45),
            },
            EventKind {
                name: intern(&mut p, "tilbud"),
                fields: vec![h],
                cost_minutes: None,
            },
        ];
        let file = intern(&mut p, "test.pol");
        p.files.push(file);
        let text = intern(
            &mut p,
            "rule x: require 1 samtale within 2 weeks of benefit_start",
        );
        p.spans.push(Span {
            file: 0,
            line_start: 3,
            line_end: 4,
            text,
        });
        Builder { p }
    }

    pub fn s(&mut self, s: &str) -> StrId {
        intern(&mut self.p, s)
    }

    pub fn code(&mut self, ops: &[Op]) -> CodeRef {
        let start = self.p.code.len() as u32;
        self.p.code.extend_from_slice(ops);
        CodeRef {
            start,
            len: ops.len() as u32,
        }
    }

    pub fn filter(&mut self, kind: u16, ops: &[Op]) -> u32 {
        let code = self.code(ops);
        self.p.filters.push(Filter { kind, code });
        (self.p.filters.len() - 1) as u32
    }

    /// `samtale where form == personal`
    pub fn personal(&mut self) -> u32 {
        self.filter(SAMTALE, &[Op::EvField(0), Op::Const(PERSONAL), Op::Eq])
    }

    pub fn group(&mut self, name: &str, pred: &[Op], priority: Option<u32>) -> u16 {
        let name = self.s(name);
        let pred = self.code(pred);
        self.p.groups.push(Group {
            name,
            title: None,
            pred,
            priority,
            citations: vec![],
            span: 0,
        });
        (self.p.groups.len() - 1) as u16
    }

    pub fn requirement(&mut self, form: Form, counts: &[CountTerm], anchor: &[Op]) -> Requirement {
        let anchor = self.code(anchor);
        Requirement {
            anchor,
            form,
            counts: counts.to_vec(),
            span: 0,
        }
    }

    /// A rule for every case anchored on `benefit_start`.
    pub fn rule(&mut self, name: &str, form: Form, counts: &[CountTerm]) -> u16 {
        let req = self.requirement(form, counts, &[Op::Field(START)]);
        self.rule_with(name, vec![], None, vec![Body::Require(req)])
    }

    pub fn rule_with(
        &mut self,
        name: &str,
        groups: Vec<u16>,
        when: Option<&[Op]>,
        body: Vec<Body>,
    ) -> u16 {
        let name = self.s(name);
        let cite = self.s("HED-25 «Første samtale»");
        let when = when.map(|w| self.code(w));
        self.p.rules.push(Rule {
            name,
            title: None,
            groups,
            when,
            effective: Effective::default(),
            body,
            citations: vec![cite],
            span: 0,
        });
        (self.p.rules.len() - 1) as u16
    }

    pub fn exemption(
        &mut self,
        name: &str,
        effect: Effect,
        rules: &[u16],
        condition: ExemptionCondition,
        unless: Option<&[Op]>,
        overrides: &[u16],
    ) -> u16 {
        let name = self.s(name);
        let unless = unless.map(|u| self.code(u));
        self.p.exemptions.push(Exemption {
            name,
            title: None,
            effect,
            rules: rules.to_vec(),
            condition,
            unless,
            overrides: overrides.to_vec(),
            citations: vec![],
            span: 0,
        });
        (self.p.exemptions.len() - 1) as u16
    }

    pub fn policy(&self) -> Policy {
        match Policy::from_program(self.p.clone()) {
            Ok(p) => p,
            Err(e) => panic!("test program refused: {e}"),
        }
    }
}

pub fn count(kind: u16, n: u32) -> CountTerm {
    CountTerm {
        kind,
        n,
        filter: u32::MAX,
        also: u32::MAX,
    }
}

pub fn count_where(kind: u16, n: u32, filter: u32) -> CountTerm {
    CountTerm {
        kind,
        n,
        filter,
        also: u32::MAX,
    }
}

/// A test case: benefit_start and events `(kind, date, field value)`.
pub struct Case {
    pub data: CaseData,
}

impl Case {
    pub fn new(p: &Program, start: &str) -> Case {
        let mut data = CaseData::new(&p.schema, "c1");
        data.fields[BIRTH as usize] = i64::from(d("1980-05-01"));
        data.fields[BENEFIT as usize] = DAGPENGE;
        data.fields[START as usize] = i64::from(d(start));
        data.fields[OTHER_START as usize] = NONE;
        Case { data }
    }

    pub fn field(mut self, f: u16, v: i64) -> Case {
        self.data.fields[f as usize] = v;
        self
    }

    pub fn event(mut self, kind: u16, date: &str, value: i64) -> Case {
        self.data.events[kind as usize].push((d(date), vec![value]));
        self
    }

    /// A standby period (`to` None: still running).
    pub fn standby(mut self, from: &str, to: Option<&str>) -> Case {
        let end = to.map_or(pol_runtime::caseload::batch::OPEN_END, d);
        self.data.periods[0].push((d(from), end));
        self
    }

    pub fn leave(mut self, from: &str, to: Option<&str>) -> Case {
        let end = to.map_or(pol_runtime::caseload::batch::OPEN_END, d);
        self.data.periods[1].push((d(from), end));
        self
    }

    pub fn batch(self, p: &Program) -> CaseBatch {
        let mut b = CaseBatch::new(&p.schema);
        b.push(self.data, 0);
        b
    }
}

/// (status, met_on, due, next_due, exemption) of rule `r`, dates as text.
pub fn eval(policy: &Policy, case: Case, today: &str, r: u16) -> String {
    let batch = case.batch(policy.program());
    let mut out = policy.new_result();
    policy.evaluate_case(batch.case(0), d(today), &mut out);
    let x = out.rules[r as usize];
    let f = |v: Option<i32>| v.map(pol_runtime::vm::dates::format_day);
    let mut s = x.status.as_str().to_string();
    if let Some(m) = f(x.met_on) {
        s += &format!("({m})");
    }
    if let Some(dd) = f(x.due) {
        s += &format!(" due {dd}");
    }
    if let Some(n) = f(x.next_due) {
        s += &format!(" next {n}");
    }
    if let Some(e) = x.exemption {
        let p = policy.program();
        s += &format!(" by {}", p.strings[p.exemptions[e as usize].name as usize]);
    }
    s
}
