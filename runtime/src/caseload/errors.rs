//! Case input errors (E05xx) and the read summary that accounts for every row.
//!
//! Errors name the line, the case id and the field, never another field's
//! value: reports end up in tickets and logs, and case data is personal data.

use std::fmt;

use serde::Serialize;

/// A stable case-input error code. Codes never change meaning; retired
/// codes stay reserved. `docs/caseload-format.md` lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum InputCode {
    /// E0501: the line is not valid JSON (also: it ends in the middle of a value).
    InvalidJson,
    /// E0502: a required field (or the case id, an event's kind or date) is missing.
    MissingField,
    /// E0503: an enum field names no variant of its enum.
    UnknownVariant,
    /// E0504: a value of the wrong type (a string for an int, an object for a date).
    WrongType,
    /// E0505: not a calendar date (`2026-02-30`, `10/03/2026`).
    InvalidDate,
    /// E0506: a case id given before, on an earlier line.
    DuplicateId,
    /// E0507: a line longer than the configured limit.
    LineTooLong,
    /// E0508: bytes that are not UTF-8.
    NotUtf8,
    /// E0509: a field the schema does not declare.
    UnknownField,
    /// E0510: an event kind the schema does not declare.
    UnknownEventKind,
    /// E0511: a number out of range (too large, too many decimals, a negative duration).
    OutOfRange,
    /// E0512: a period that ends before it starts.
    PeriodEndsBeforeStart,
    /// E0513: the same field twice in one case or event.
    RepeatedField,
    /// E0514: a CSV row with more or fewer cells than its header.
    CellCount,
    /// E0515: a CSV header that cannot be read (no `id` column, a repeated column).
    BadHeader,
    /// E0516: a CSV event row whose case id is not in the cases file.
    EventForUnknownCase,
    /// E0517: a CSV cell with an unterminated quote.
    BadQuote,
    /// W0501: the input holds no cases (not an error; reported so an empty
    /// export does not pass for an empty caseload unnoticed).
    EmptyInput,
}

impl InputCode {
    pub const ALL: [InputCode; 18] = [
        InputCode::InvalidJson,
        InputCode::MissingField,
        InputCode::UnknownVariant,
        InputCode::WrongType,
        InputCode::InvalidDate,
        InputCode::DuplicateId,
        InputCode::LineTooLong,
        InputCode::NotUtf8,
        InputCode::UnknownField,
        InputCode::UnknownEventKind,
        InputCode::OutOfRange,
        InputCode::PeriodEndsBeforeStart,
        InputCode::RepeatedField,
        InputCode::CellCount,
        InputCode::BadHeader,
        InputCode::EventForUnknownCase,
        InputCode::BadQuote,
        InputCode::EmptyInput,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            InputCode::InvalidJson => "E0501",
            InputCode::MissingField => "E0502",
            InputCode::UnknownVariant => "E0503",
            InputCode::WrongType => "E0504",
            InputCode::InvalidDate => "E0505",
            InputCode::DuplicateId => "E0506",
            InputCode::LineTooLong => "E0507",
            InputCode::NotUtf8 => "E0508",
            InputCode::UnknownField => "E0509",
            InputCode::UnknownEventKind => "E0510",
            InputCode::OutOfRange => "E0511",
            InputCode::PeriodEndsBeforeStart => "E0512",
            InputCode::RepeatedField => "E0513",
            InputCode::CellCount => "E0514",
            InputCode::BadHeader => "E0515",
            InputCode::EventForUnknownCase => "E0516",
            InputCode::BadQuote => "E0517",
            InputCode::EmptyInput => "W0501",
        }
    }

    /// Warnings are reported but reject nothing.
    pub fn is_warning(self) -> bool {
        matches!(self, InputCode::EmptyInput)
    }
}

impl fmt::Display for InputCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for InputCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One problem with one row of case input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{code}: {message}")]
pub struct InputError {
    pub code: InputCode,
    /// The file, when the reader was given a name for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// 1-based line (NDJSON) or row (CSV, the header is row 1); 0 for the file as a whole.
    pub line: u64,
    /// 1-based byte column within the line, where known (JSON syntax, UTF-8).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u64>,
    /// The case id (redacted when the reader was given a key).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case_id: Option<String>,
    /// The field, as a path: `benefit`, `standby[1]`, `events[2].form`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Lowercase, one line, no input values.
    pub message: String,
    pub help: Option<String>,
}

impl InputError {
    pub fn new(code: InputCode, line: u64, message: impl Into<String>) -> InputError {
        InputError {
            code,
            file: None,
            line,
            column: None,
            case_id: None,
            field: None,
            message: message.into(),
            help: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> InputError {
        self.help = Some(help.into());
        self
    }

    pub fn with_field(mut self, field: impl Into<String>) -> InputError {
        self.field = Some(field.into());
        self
    }

    /// One plain-text line per error plus a help line: for terminals, logs and snapshots.
    pub fn render(&self) -> String {
        let mut s = String::new();
        let kind = if self.code.is_warning() {
            "warning"
        } else {
            "error"
        };
        s.push_str(&format!("{kind}[{}]: {}\n", self.code, self.message));
        s.push_str("  --> ");
        if let Some(file) = &self.file {
            s.push_str(file);
            s.push(':');
        }
        s.push_str(&self.line.to_string());
        if let Some(c) = self.column {
            s.push(':');
            s.push_str(&c.to_string());
        }
        if let Some(id) = &self.case_id {
            s.push_str(&format!(" case `{id}`"));
        }
        if let Some(field) = &self.field {
            s.push_str(&format!(" field `{field}`"));
        }
        s.push('\n');
        if let Some(help) = &self.help {
            s.push_str(&format!("  help: {help}\n"));
        }
        s
    }
}

/// What reading a caseload gave. INVARIANT: `rows_read == cases_ok + rows_rejected`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReadSummary {
    /// Rows that held something (blank lines are not rows).
    pub rows_read: u64,
    pub cases_ok: u64,
    pub rows_rejected: u64,
    /// In input order, at most `ReadOptions::max_errors` of them.
    pub errors: Vec<InputError>,
    /// Errors counted but not kept, past `max_errors`.
    pub errors_not_kept: u64,
    /// Reported, rejecting nothing (an empty input).
    pub warnings: Vec<InputError>,
}

impl ReadSummary {
    pub fn counts_add_up(&self) -> bool {
        self.rows_read == self.cases_ok + self.rows_rejected
    }

    /// Every error and warning, then a count line.
    pub fn render(&self) -> String {
        let mut s = String::new();
        for e in self.errors.iter().chain(&self.warnings) {
            s.push_str(&e.render());
        }
        if self.errors_not_kept > 0 {
            s.push_str(&format!(
                "... and {} more errors not shown\n",
                self.errors_not_kept
            ));
        }
        s.push_str(&format!(
            "{} rows read: {} cases ok, {} rejected\n",
            self.rows_read, self.cases_ok, self.rows_rejected
        ));
        s
    }

    pub(crate) fn push_error(&mut self, e: InputError, max_errors: usize) {
        if self.errors.len() < max_errors {
            self.errors.push(e);
        } else {
            self.errors_not_kept += 1;
        }
    }
}

/// A keyed pseudonym for a case id, so error reports and outputs can be
/// shared without the ids (often CPR numbers) while staying joinable by
/// whoever holds the key. SipHash-2-4 (a keyed PRF) under a key derived
/// from `key`; 64 bits, as `id-` and 16 hex digits.
pub fn redact_id(id: &str, key: &[u8]) -> String {
    let k = derive_key(key);
    format!("id-{:016x}", siphash24(k, id.as_bytes()))
}

fn derive_key(key: &[u8]) -> (u64, u64) {
    // Two hashes under fixed, distinct keys fold any key length into 128 bits.
    (
        siphash24((0x706f_6c2d_6b65_7930, 0), key),
        siphash24((0x706f_6c2d_6b65_7931, 0), key),
    )
}

/// SipHash-2-4 (Aumasson and Bernstein, 2012), written from the paper.
pub(crate) fn siphash24(key: (u64, u64), msg: &[u8]) -> u64 {
    let (k0, k1) = key;
    let mut v = [
        k0 ^ 0x736f_6d65_7073_6575,
        k1 ^ 0x646f_7261_6e64_6f6d,
        k0 ^ 0x6c79_6765_6e65_7261,
        k1 ^ 0x7465_6462_7974_6573,
    ];
    fn round(v: &mut [u64; 4]) {
        v[0] = v[0].wrapping_add(v[1]);
        v[1] = v[1].rotate_left(13);
        v[1] ^= v[0];
        v[0] = v[0].rotate_left(32);
        v[2] = v[2].wrapping_add(v[3]);
        v[3] = v[3].rotate_left(16);
        v[3] ^= v[2];
        v[0] = v[0].wrapping_add(v[3]);
        v[3] = v[3].rotate_left(21);
        v[3] ^= v[0];
        v[2] = v[2].wrapping_add(v[1]);
        v[1] = v[1].rotate_left(17);
        v[1] ^= v[2];
        v[2] = v[2].rotate_left(32);
    }
    let mut chunks = msg.chunks_exact(8);
    for c in &mut chunks {
        let mut b = [0u8; 8];
        b.copy_from_slice(c);
        let m = u64::from_le_bytes(b);
        v[3] ^= m;
        round(&mut v);
        round(&mut v);
        v[0] ^= m;
    }
    let mut last = [0u8; 8];
    let rest = chunks.remainder();
    last[..rest.len()].copy_from_slice(rest);
    last[7] = msg.len() as u8;
    let m = u64::from_le_bytes(last);
    v[3] ^= m;
    round(&mut v);
    round(&mut v);
    v[0] ^= m;
    v[2] ^= 0xff;
    for _ in 0..4 {
        round(&mut v);
    }
    v[0] ^ v[1] ^ v[2] ^ v[3]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn siphash_matches_the_papers_vectors() {
        // Appendix A: key 00..0f, messages 00, 00 01, ...
        let key = (0x0706_0504_0302_0100, 0x0f0e_0d0c_0b0a_0908);
        assert_eq!(siphash24(key, &[]), 0x726f_db47_dd0e_0e31);
        let msg: Vec<u8> = (0..15).collect();
        assert_eq!(siphash24(key, &msg), 0xa129_ca61_49be_45e5);
    }

    #[test]
    fn redaction_is_keyed_and_stable() {
        let a = redact_id("0101901234", b"secret");
        assert_eq!(a, redact_id("0101901234", b"secret"));
        assert_ne!(a, redact_id("0101901234", b"other"));
        assert_ne!(a, redact_id("0101901235", b"secret"));
        assert!(a.starts_with("id-") && a.len() == 19);
    }

    #[test]
    fn codes_are_distinct() {
        let mut seen: Vec<&str> = InputCode::ALL.iter().map(|c| c.as_str()).collect();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), InputCode::ALL.len());
    }
}
