//! Syntax diagnostic codes (E01xx), with their explanation pages. Codes
//! never change meaning; a retired code stays listed as retired.

use crate::diagnostics::codes::CodeInfo;

/// Anything the grammar does not accept and no more specific code covers.
pub const SYNTAX_ERROR: &str = "E0101";
/// A keyword of the other language (`regel` in an English file).
pub const MIXED_LANGUAGE: &str = "E0102";
/// A duration or cost with an unknown unit (`6 mdr`).
pub const UNKNOWN_UNIT: &str = "E0103";
/// `=` where a comparison `==` is meant.
pub const SINGLE_EQUALS: &str = "E0104";
/// `37,5` instead of `37.5`.
pub const DECIMAL_COMMA: &str = "E0105";
/// A `"` with no closing `"` on its line.
pub const UNTERMINATED_STRING: &str = "E0106";
/// A word close to the keyword expected there (`requre`).
pub const MISSPELLED_KEYWORD: &str = "E0107";
/// A header or field without its `:`.
pub const MISSING_COLON: &str = "E0108";
/// Nesting or expression size beyond the parser's limits.
pub const TOO_DEEP: &str = "E0109";
/// A date that does not exist (`2026-02-30`).
pub const BAD_DATE: &str = "E0110";
/// A number too large, or with more than 4 decimals.
pub const NUMBER_RANGE: &str = "E0111";
/// A `policy` header after items, or a second one.
pub const HEADER_PLACE: &str = "E0112";
/// A `/*` with no closing `*/`.
pub const UNTERMINATED_COMMENT: &str = "E0113";
/// `a < b < c`.
pub const CHAINED_COMPARISON: &str = "E0114";

const fn code(code: &'static str, title: &'static str, explain: &'static str) -> CodeInfo {
    CodeInfo {
        code,
        title,
        explain,
        retired: false,
    }
}

pub static SYNTAX: &[CodeInfo] = &[
    code(
        SYNTAX_ERROR,
        "syntax error",
        include_str!("../diagnostics/explain/E0101.md"),
    ),
    code(
        MIXED_LANGUAGE,
        "keyword of the other language",
        include_str!("../diagnostics/explain/E0102.md"),
    ),
    code(
        UNKNOWN_UNIT,
        "unknown unit",
        include_str!("../diagnostics/explain/E0103.md"),
    ),
    code(
        SINGLE_EQUALS,
        "`=` instead of `==`",
        include_str!("../diagnostics/explain/E0104.md"),
    ),
    code(
        DECIMAL_COMMA,
        "decimal comma",
        include_str!("../diagnostics/explain/E0105.md"),
    ),
    code(
        UNTERMINATED_STRING,
        "unterminated text",
        include_str!("../diagnostics/explain/E0106.md"),
    ),
    code(
        MISSPELLED_KEYWORD,
        "misspelled keyword",
        include_str!("../diagnostics/explain/E0107.md"),
    ),
    code(
        MISSING_COLON,
        "missing `:`",
        include_str!("../diagnostics/explain/E0108.md"),
    ),
    code(
        TOO_DEEP,
        "nesting too deep",
        include_str!("../diagnostics/explain/E0109.md"),
    ),
    code(
        BAD_DATE,
        "no such date",
        include_str!("../diagnostics/explain/E0110.md"),
    ),
    code(
        NUMBER_RANGE,
        "number out of range",
        include_str!("../diagnostics/explain/E0111.md"),
    ),
    code(
        HEADER_PLACE,
        "misplaced policy header",
        include_str!("../diagnostics/explain/E0112.md"),
    ),
    code(
        UNTERMINATED_COMMENT,
        "unterminated comment",
        include_str!("../diagnostics/explain/E0113.md"),
    ),
    code(
        CHAINED_COMPARISON,
        "chained comparison",
        include_str!("../diagnostics/explain/E0114.md"),
    ),
];
