//! The registry of diagnostic codes: one table, one row per code, each with
//! its explanation page (`pol explain E0312`). Codes never change meaning;
//! retired codes stay listed as retired.
//!
//! Ranges: E01xx syntax, E02xx names and imports, E03xx types, E04xx/W04xx
//! analysis, E05xx case input (runtime), E06xx artifact loading (runtime).

/// One diagnostic code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeInfo {
    pub code: &'static str,
    /// A short title for listings.
    pub title: &'static str,
    /// The explanation page (Markdown): what it means, a failing `.pol`, the fix.
    pub explain: &'static str,
    pub retired: bool,
}

/// Every table of codes, by phase.
pub fn registry() -> impl Iterator<Item = &'static CodeInfo> {
    crate::syntax::codes::SYNTAX
        .iter()
        .chain(crate::check::codes::CHECK.iter())
}

/// Looks a code up (case-insensitive: `e0312` finds `E0312`).
pub fn lookup(code: &str) -> Option<&'static CodeInfo> {
    registry().find(|c| c.code.eq_ignore_ascii_case(code))
}
