//! The schema the caseload fuzz targets read against: every field type, an
//! optional, defaults, periods, and event kinds with fields.

use pol_runtime::bytecode::program::*;

pub fn program() -> Program {
    let strings: Vec<String> = [
        "B",
        "dagpenge",
        "kontanthjaelp",
        "birth_date",
        "benefit",
        "employed",
        "hours",
        "degree",
        "children",
        "note",
        "grace",
        "horizon",
        "standby",
        "samtale",
        "form",
        "tilbud",
        "t",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let f = |name: u32, ty: FieldType, optional: bool, default: Option<i64>| FieldDef {
        name,
        ty,
        optional,
        default,
    };
    Program {
        meta: Meta {
            name: 16,
            title: None,
            version: None,
            effective: Effective::default(),
            sources: vec![],
            language: 0,
        },
        schema: Schema {
            enums: vec![EnumDef {
                name: 0,
                variants: vec![1, 2],
            }],
            fields: vec![
                f(3, FieldType::Date, false, None),
                f(4, FieldType::Enum(0), false, None),
                f(5, FieldType::Bool, false, Some(0)),
                f(6, FieldType::Decimal, true, None),
                f(7, FieldType::Percent, false, Some(10_000)),
                f(8, FieldType::Int, false, Some(0)),
                f(9, FieldType::Text, true, None),
                f(10, FieldType::Days, true, None),
                f(11, FieldType::Months, false, Some(6)),
                f(12, FieldType::Periods, false, Some(0)),
            ],
            events: vec![
                EventKind {
                    name: 13,
                    fields: vec![f(14, FieldType::Enum(0), false, None)],
                    cost_minutes: Some(45),
                },
                EventKind {
                    name: 15,
                    fields: vec![f(6, FieldType::Decimal, false, Some(0))],
                    cost_minutes: None,
                },
            ],
            birth_field: Some(0),
        },
        strings,
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
    }
}
