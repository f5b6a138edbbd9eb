//! A small hand-built `Program` for the caseload tests: every field type,
//! optionals, defaults, periods, three event kinds, groups, rules, a target.
//! Built in code so these tests do not depend on the compiler crate.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(dead_code)]

use pol_runtime::bytecode::program::*;

pub struct Names(pub Vec<String>);

impl Names {
    pub fn id(&mut self, s: &str) -> StrId {
        if let Some(i) = self.0.iter().position(|x| x == s) {
            return i as StrId;
        }
        self.0.push(s.to_owned());
        (self.0.len() - 1) as StrId
    }
}

fn field(
    n: &mut Names,
    name: &str,
    ty: FieldType,
    optional: bool,
    default: Option<i64>,
) -> FieldDef {
    FieldDef {
        name: n.id(name),
        ty,
        optional,
        default,
    }
}

pub const CODE: CodeRef = CodeRef { start: 0, len: 1 };

/// The schema of the tests (field order matters: the tests index fields).
///
/// ```pol
/// enum Benefit { dagpenge, kontanthjaelp, sygedagpenge }
/// enum Form { personal, phone, video, letter }
/// case {
///   birth_date: date              // 0
///   benefit: Benefit              // 1
///   benefit_start: date           // 2
///   employed: bool = false        // 3
///   hours: decimal?               // 4
///   degree: percent = 100%        // 5
///   children: int = 0             // 6
///   municipality: text?           // 7
///   expected_recovery: date?      // 8
///   grace: days?                  // 9
///   horizon: months = 6 months    // 10
///   standby: periods = []         // 11
///   leave: periods?               // 12
/// }
/// event samtale { form: Form } costs 45 minutes
/// event tilbud { hours: decimal = 0 } costs 30 minutes
/// event vurdering { }
/// ```
pub fn program() -> Program {
    let mut n = Names(Vec::new());
    let benefit = EnumDef {
        name: n.id("Benefit"),
        variants: vec![
            n.id("dagpenge"),
            n.id("kontanthjaelp"),
            n.id("sygedagpenge"),
        ],
    };
    let form = EnumDef {
        name: n.id("Form"),
        variants: vec![
            n.id("personal"),
            n.id("phone"),
            n.id("video"),
            n.id("letter"),
        ],
    };
    let fields = vec![
        field(&mut n, "birth_date", FieldType::Date, false, None),
        field(&mut n, "benefit", FieldType::Enum(0), false, None),
        field(&mut n, "benefit_start", FieldType::Date, false, None),
        field(&mut n, "employed", FieldType::Bool, false, Some(0)),
        field(&mut n, "hours", FieldType::Decimal, true, None),
        field(
            &mut n,
            "degree",
            FieldType::Percent,
            false,
            Some(DECIMAL_SCALE),
        ),
        field(&mut n, "children", FieldType::Int, false, Some(0)),
        field(&mut n, "municipality", FieldType::Text, true, None),
        field(&mut n, "expected_recovery", FieldType::Date, true, None),
        field(&mut n, "grace", FieldType::Days, true, None),
        field(&mut n, "horizon", FieldType::Months, false, Some(6)),
        field(&mut n, "standby", FieldType::Periods, false, Some(0)),
        field(&mut n, "leave", FieldType::Periods, true, None),
    ];
    let events = vec![
        EventKind {
            name: n.id("samtale"),
            fields: vec![field(&mut n, "form", FieldType::Enum(1), false, None)],
            cost_minutes: Some(45),
        },
        EventKind {
            name: n.id("tilbud"),
            fields: vec![field(&mut n, "hours", FieldType::Decimal, false, Some(0))],
            cost_minutes: Some(30),
        },
        EventKind {
            name: n.id("vurdering"),
            fields: vec![],
            cost_minutes: None,
        },
    ];
    let span = Span {
        file: 0,
        line_start: 1,
        line_end: 1,
        text: n.id(""),
    };
    let group = |n: &mut Names, name: &str| Group {
        name: n.id(name),
        title: None,
        pred: CODE,
        priority: None,
        citations: vec![],
        span: 0,
    };
    let rule = |n: &mut Names, name: &str, groups: Vec<u16>| Rule {
        name: n.id(name),
        title: None,
        groups,
        when: None,
        effective: Effective::default(),
        body: vec![],
        citations: vec![],
        span: 0,
    };
    let groups = vec![group(&mut n, "ledige"), group(&mut n, "sygemeldte")];
    let rules = vec![
        rule(&mut n, "contact", vec![0]),
        rule(&mut n, "offer", vec![0]),
        rule(&mut n, "follow_up", vec![1]),
    ];
    let exemptions = vec![Exemption {
        name: n.id("standby"),
        title: None,
        effect: Effect::Suspend,
        rules: vec![0, 1, 2],
        condition: ExemptionCondition::While(11),
        unless: None,
        overrides: vec![],
        citations: vec![],
        span: 0,
    }];
    let targets = vec![Target {
        name: n.id("contact_75"),
        title: None,
        kind: TargetKind::Share { share: 7_500 },
        group: 0,
        filter: None,
        satisfy: CODE,
        rules: vec![0],
        threshold: None,
        effective: Effective::default(),
        citations: vec![],
        span: 0,
    }];
    let file = n.id("test.pol");
    let name = n.id("test");
    Program {
        meta: Meta {
            name,
            title: None,
            version: None,
            effective: Effective::default(),
            sources: vec![],
            language: 0,
        },
        schema: Schema {
            enums: vec![benefit, form],
            fields,
            events,
            birth_field: Some(0),
        },
        strings: n.0,
        code: vec![Op::Const(1)],
        filters: vec![],
        params: vec![],
        sets: vec![],
        also_kinds: vec![],
        groups,
        rules,
        exemptions,
        targets,
        spans: vec![span],
        files: vec![file],
    }
}

/// Days since 1970-01-01 for a test date.
pub fn day(s: &str) -> i32 {
    let d = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    (d - chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()).num_days() as i32
}
