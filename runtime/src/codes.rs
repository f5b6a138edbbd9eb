//! The explanation pages of the runtime's diagnostic codes: case input
//! (E05xx, W0501, see `caseload::errors::InputCode`) and artifact loading
//! (E06xx, see `bytecode::format::LoadError::code`). `pol explain E0503`
//! prints them; the compiler's code registry lists them next to its own.
//!
//! The pages are written for someone holding a caseload file or a `.polc`
//! artifact, not a `.pol` source: what the code means, an input that
//! triggers it, and the fix. Codes never change meaning.

/// One runtime diagnostic code and its page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodePage {
    pub code: &'static str,
    /// A short title for listings; the page's heading is `# CODE: title`.
    pub title: &'static str,
    /// The explanation page (Markdown).
    pub page: &'static str,
}

const fn page(code: &'static str, title: &'static str, page: &'static str) -> CodePage {
    CodePage { code, title, page }
}

/// Every runtime code, in code order.
pub static RUNTIME_CODES: &[CodePage] = &[
    // Case input.
    page(
        "E0501",
        "invalid JSON line",
        include_str!("../docs/codes/E0501.md"),
    ),
    page(
        "E0502",
        "missing field",
        include_str!("../docs/codes/E0502.md"),
    ),
    page(
        "E0503",
        "unknown enum value",
        include_str!("../docs/codes/E0503.md"),
    ),
    page(
        "E0504",
        "value of the wrong type",
        include_str!("../docs/codes/E0504.md"),
    ),
    page(
        "E0505",
        "invalid date",
        include_str!("../docs/codes/E0505.md"),
    ),
    page(
        "E0506",
        "duplicate case id",
        include_str!("../docs/codes/E0506.md"),
    ),
    page(
        "E0507",
        "line too long",
        include_str!("../docs/codes/E0507.md"),
    ),
    page(
        "E0508",
        "input is not UTF-8",
        include_str!("../docs/codes/E0508.md"),
    ),
    page(
        "E0509",
        "unknown field",
        include_str!("../docs/codes/E0509.md"),
    ),
    page(
        "E0510",
        "unknown event kind",
        include_str!("../docs/codes/E0510.md"),
    ),
    page(
        "E0511",
        "number out of range",
        include_str!("../docs/codes/E0511.md"),
    ),
    page(
        "E0512",
        "period ends before it starts",
        include_str!("../docs/codes/E0512.md"),
    ),
    page(
        "E0513",
        "field given twice",
        include_str!("../docs/codes/E0513.md"),
    ),
    page(
        "E0514",
        "wrong number of CSV cells",
        include_str!("../docs/codes/E0514.md"),
    ),
    page(
        "E0515",
        "unusable CSV header",
        include_str!("../docs/codes/E0515.md"),
    ),
    page(
        "E0516",
        "events for a case not in the cases file",
        include_str!("../docs/codes/E0516.md"),
    ),
    page(
        "E0517",
        "broken CSV quote",
        include_str!("../docs/codes/E0517.md"),
    ),
    page(
        "W0501",
        "the caseload holds no cases",
        include_str!("../docs/codes/W0501.md"),
    ),
    // Artifact loading.
    page(
        "E0601",
        "not a compiled policy",
        include_str!("../docs/codes/E0601.md"),
    ),
    page(
        "E0602",
        "truncated policy file",
        include_str!("../docs/codes/E0602.md"),
    ),
    page(
        "E0603",
        "bytes after the end of the policy file",
        include_str!("../docs/codes/E0603.md"),
    ),
    page(
        "E0604",
        "unsupported artifact format",
        include_str!("../docs/codes/E0604.md"),
    ),
    page(
        "E0605",
        "corrupted policy file",
        include_str!("../docs/codes/E0605.md"),
    ),
    page(
        "E0606",
        "malformed policy file",
        include_str!("../docs/codes/E0606.md"),
    ),
    page(
        "E0607",
        "invalid policy",
        include_str!("../docs/codes/E0607.md"),
    ),
];

/// The page of `code` (case-insensitive: `e0503` finds `E0503`).
pub fn lookup(code: &str) -> Option<&'static CodePage> {
    RUNTIME_CODES
        .iter()
        .find(|c| c.code.eq_ignore_ascii_case(code))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bytecode::format::LoadError;
    use crate::caseload::errors::InputCode;

    /// One error of each kind; the match makes a new variant a compile
    /// error here until it is listed (and given a page).
    fn every_load_error() -> Vec<LoadError> {
        let all = vec![
            LoadError::NotAnArtifact,
            LoadError::Truncated {
                section: "the header",
                expected: 14,
                found: 3,
            },
            LoadError::TrailingBytes { extra: 1 },
            LoadError::UnsupportedVersion {
                found: 2,
                supported: 1,
            },
            LoadError::Corrupted {
                expected: 1,
                found: 2,
            },
            LoadError::Malformed("x".into()),
            LoadError::Invalid {
                at: "rule 0".into(),
                problem: "x".into(),
            },
        ];
        for e in &all {
            match e {
                LoadError::NotAnArtifact
                | LoadError::Truncated { .. }
                | LoadError::TrailingBytes { .. }
                | LoadError::UnsupportedVersion { .. }
                | LoadError::Corrupted { .. }
                | LoadError::Malformed(_)
                | LoadError::Invalid { .. } => {}
            }
        }
        all
    }

    /// `InputCode::ALL` lists every variant: the match breaks the build
    /// when a variant is added, and the count must then be raised.
    #[test]
    fn input_code_all_is_complete() {
        let listed = |c: InputCode| match c {
            InputCode::InvalidJson
            | InputCode::MissingField
            | InputCode::UnknownVariant
            | InputCode::WrongType
            | InputCode::InvalidDate
            | InputCode::DuplicateId
            | InputCode::LineTooLong
            | InputCode::NotUtf8
            | InputCode::UnknownField
            | InputCode::UnknownEventKind
            | InputCode::OutOfRange
            | InputCode::PeriodEndsBeforeStart
            | InputCode::RepeatedField
            | InputCode::CellCount
            | InputCode::BadHeader
            | InputCode::EventForUnknownCase
            | InputCode::BadQuote
            | InputCode::EmptyInput => c.as_str(),
        };
        let mut codes: Vec<&str> = InputCode::ALL.iter().map(|c| listed(*c)).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), 18, "a variant is missing from InputCode::ALL");
    }

    fn assert_page(code: &str) {
        let Some(p) = lookup(code) else {
            panic!("{code} has no page in RUNTIME_CODES");
        };
        assert!(!p.title.is_empty(), "{code}: no title");
        let heading = format!("# {}: {}\n", p.code, p.title);
        assert!(
            p.page.starts_with(&heading),
            "{code}: the page starts with `{}`",
            heading.trim_end()
        );
        assert!(p.page.lines().count() > 5, "{code}: the page is too short");
        assert!(
            p.page.matches(code).count() >= 2,
            "{code}: the page mentions its code only in the heading"
        );
        assert!(p.page.contains("Fix"), "{code}: the page says no fix");
    }

    #[test]
    fn every_input_code_has_a_page() {
        for c in InputCode::ALL {
            assert_page(c.as_str());
        }
    }

    #[test]
    fn every_load_error_has_a_page() {
        for e in every_load_error() {
            assert_page(e.code());
        }
    }

    #[test]
    fn the_table_has_only_codes_in_use_once_each() {
        let mut used: Vec<&str> = InputCode::ALL.iter().map(|c| c.as_str()).collect();
        used.extend(every_load_error().iter().map(LoadError::code));
        let mut table: Vec<&str> = RUNTIME_CODES.iter().map(|c| c.code).collect();
        assert_eq!(table.len(), used.len());
        used.sort_unstable();
        table.sort_unstable();
        table.dedup();
        assert_eq!(table, used);
    }

    #[test]
    fn lookup_ignores_case() {
        assert_eq!(lookup("e0503").map(|c| c.code), Some("E0503"));
        assert_eq!(lookup("w0501").map(|c| c.code), Some("W0501"));
        assert!(lookup("E0599").is_none());
    }

    /// Examples use synthetic ids (`case-0001`), never CPR-like numbers.
    #[test]
    fn examples_hold_no_cpr_like_ids() {
        for c in RUNTIME_CODES {
            let digits_run = c
                .page
                .as_bytes()
                .split(|b| !b.is_ascii_digit())
                .map(<[u8]>::len)
                .max()
                .unwrap_or(0);
            assert!(digits_run < 10, "{}: a 10-digit number", c.code);
        }
    }
}
