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
    /// The explanation page (Markdown): what it means, a failing `.pol` (or,
    /// for runtime codes, a failing input), the fix.
    pub explain: &'static str,
    pub retired: bool,
}

/// Every table of codes, by phase: the compiler's, then the runtime's.
pub fn registry() -> impl Iterator<Item = &'static CodeInfo> {
    crate::syntax::codes::SYNTAX
        .iter()
        .chain(crate::check::codes::CHECK.iter())
        .chain(RUNTIME.iter())
}

/// The runtime's codes (case input, artifact loading), whose pages live in
/// `pol_runtime::codes`, as registry rows: converted at compile time, so the
/// runtime's table stays the one list and nothing is allocated.
static RUNTIME: [CodeInfo; RUNTIME_LEN] = runtime_rows();

const RUNTIME_LEN: usize = pol_runtime::codes::RUNTIME_CODES.len();

const fn runtime_rows() -> [CodeInfo; RUNTIME_LEN] {
    let pages = pol_runtime::codes::RUNTIME_CODES;
    let mut rows = [CodeInfo {
        code: "",
        title: "",
        explain: "",
        retired: false,
    }; RUNTIME_LEN];
    let mut i = 0;
    while i < RUNTIME_LEN {
        let p = &pages[i];
        rows[i] = CodeInfo {
            code: p.code,
            title: p.title,
            explain: p.page,
            retired: false,
        };
        i += 1;
    }
    rows
}

/// Looks a code up (case-insensitive: `e0312` finds `E0312`).
pub fn lookup(code: &str) -> Option<&'static CodeInfo> {
    registry().find(|c| c.code.eq_ignore_ascii_case(code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_registry_holds_the_runtimes_codes() {
        for p in pol_runtime::codes::RUNTIME_CODES {
            let info = lookup(&p.code.to_ascii_lowercase());
            assert_eq!(info.map(|c| (c.code, c.title)), Some((p.code, p.title)));
            assert_eq!(info.map(|c| c.explain), Some(p.page));
        }
    }

    #[test]
    fn every_code_is_listed_once() {
        let mut codes: Vec<&str> = registry().map(|c| c.code).collect();
        let n = codes.len();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), n, "a code is in two tables");
    }
}
