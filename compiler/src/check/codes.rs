//! Name, type and analysis diagnostic codes (E02xx, E03xx, E04xx, W04xx),
//! with their explanation pages. Codes never change meaning; a retired code
//! stays listed as retired. Gaps in the numbering (E0303–E0305, E0307–E0311,
//! E0322, W0408) were never issued.

use crate::diagnostics::codes::CodeInfo;

const fn code(code: &'static str, title: &'static str, explain: &'static str) -> CodeInfo {
    CodeInfo {
        code,
        title,
        explain,
        retired: false,
    }
}

pub static CHECK: &[CodeInfo] = &[
    // Names and imports.
    code(
        "E0201",
        "import not found",
        include_str!("../diagnostics/explain/E0201.md"),
    ),
    code(
        "E0202",
        "import cycle or imports too deep",
        include_str!("../diagnostics/explain/E0202.md"),
    ),
    code(
        "E0203",
        "name declared twice",
        include_str!("../diagnostics/explain/E0203.md"),
    ),
    code(
        "E0204",
        "unknown name",
        include_str!("../diagnostics/explain/E0204.md"),
    ),
    code(
        "E0205",
        "unknown group",
        include_str!("../diagnostics/explain/E0205.md"),
    ),
    code(
        "E0206",
        "unknown event kind",
        include_str!("../diagnostics/explain/E0206.md"),
    ),
    code(
        "E0207",
        "unknown rule, or rule not in the group",
        include_str!("../diagnostics/explain/E0207.md"),
    ),
    code(
        "E0208",
        "unknown exemption",
        include_str!("../diagnostics/explain/E0208.md"),
    ),
    code(
        "E0209",
        "unknown type",
        include_str!("../diagnostics/explain/E0209.md"),
    ),
    code(
        "E0210",
        "unknown event field",
        include_str!("../diagnostics/explain/E0210.md"),
    ),
    code(
        "E0211",
        "unknown enum value",
        include_str!("../diagnostics/explain/E0211.md"),
    ),
    code(
        "E0212",
        "policy item in a module",
        include_str!("../diagnostics/explain/E0212.md"),
    ),
    code(
        "E0213",
        "`age` without a birth date",
        include_str!("../diagnostics/explain/E0213.md"),
    ),
    code(
        "E0214",
        "reserved field name",
        include_str!("../diagnostics/explain/E0214.md"),
    ),
    code(
        "E0215",
        "enum with more than 64 values",
        include_str!("../diagnostics/explain/E0215.md"),
    ),
    code(
        "E0216",
        "incomplete test case or event",
        include_str!("../diagnostics/explain/E0216.md"),
    ),
    code(
        "E0217",
        "unknown target",
        include_str!("../diagnostics/explain/E0217.md"),
    ),
    // Types.
    code(
        "E0301",
        "wrong kind of value",
        include_str!("../diagnostics/explain/E0301.md"),
    ),
    code(
        "E0302",
        "operator not defined for these values",
        include_str!("../diagnostics/explain/E0302.md"),
    ),
    code(
        "E0306",
        "optional field used without `?`",
        include_str!("../diagnostics/explain/E0306.md"),
    ),
    code(
        "E0312",
        "exact and calendar durations mixed",
        include_str!("../diagnostics/explain/E0312.md"),
    ),
    code(
        "E0313",
        "`suspends … when`",
        include_str!("../diagnostics/explain/E0313.md"),
    ),
    code(
        "E0314",
        "requirement of 0 events",
        include_str!("../diagnostics/explain/E0314.md"),
    ),
    code(
        "E0315",
        "form takes one count",
        include_str!("../diagnostics/explain/E0315.md"),
    ),
    code(
        "E0316",
        "unusable length or week 0",
        include_str!("../diagnostics/explain/E0316.md"),
    ),
    code(
        "E0317",
        "effective period ends before it starts",
        include_str!("../diagnostics/explain/E0317.md"),
    ),
    code(
        "E0318",
        "target share out of range",
        include_str!("../diagnostics/explain/E0318.md"),
    ),
    code(
        "E0319",
        "`while` without periods",
        include_str!("../diagnostics/explain/E0319.md"),
    ),
    code(
        "E0320",
        "date arithmetic not allowed",
        include_str!("../diagnostics/explain/E0320.md"),
    ),
    code(
        "E0321",
        "value does not fit the field's type",
        include_str!("../diagnostics/explain/E0321.md"),
    ),
    code(
        "E0323",
        "count inside a count",
        include_str!("../diagnostics/explain/E0323.md"),
    ),
    code(
        "E0324",
        "cannot average this value",
        include_str!("../diagnostics/explain/E0324.md"),
    ),
    code(
        "E0325",
        "an average's bound in another unit",
        include_str!("../diagnostics/explain/E0325.md"),
    ),
    code(
        "E0326",
        "a bound that cannot be computed from parameters",
        include_str!("../diagnostics/explain/E0326.md"),
    ),
    code(
        "E0327",
        "`on time` after something that is not a rule",
        include_str!("../diagnostics/explain/E0327.md"),
    ),
    code(
        "E0328",
        "a prohibition's window is a schedule or per event",
        include_str!("../diagnostics/explain/E0328.md"),
    ),
    code(
        "E0329",
        "a test expects a status the rule can never have",
        include_str!("../diagnostics/explain/E0329.md"),
    ),
    code(
        "E0330",
        "`min` or `max` of two values that cannot be compared",
        include_str!("../diagnostics/explain/E0330.md"),
    ),
    code(
        "E0331",
        "the kinds of a count do not fit together",
        include_str!("../diagnostics/explain/E0331.md"),
    ),
    // Analysis.
    code(
        "W0401",
        "groups can overlap",
        include_str!("../diagnostics/explain/W0401.md"),
    ),
    code(
        "W0402",
        "exemption never applies",
        include_str!("../diagnostics/explain/W0402.md"),
    ),
    code(
        "W0403",
        "rule never applies",
        include_str!("../diagnostics/explain/W0403.md"),
    ),
    code(
        "E0404",
        "conflicting exemptions",
        include_str!("../diagnostics/explain/E0404.md"),
    ),
    code(
        "W0405",
        "unused case field",
        include_str!("../diagnostics/explain/W0405.md"),
    ),
    code(
        "W0406",
        "exemption always applies",
        include_str!("../diagnostics/explain/W0406.md"),
    ),
    code(
        "W0407",
        "slots with no slot",
        include_str!("../diagnostics/explain/W0407.md"),
    ),
    code(
        "W0409",
        "needless `?`",
        include_str!("../diagnostics/explain/W0409.md"),
    ),
];
