//! The per-case NDJSON writer: one line per evaluated case, in input order.
//!
//! Names are escaped once when the writer is built; a case line is written
//! straight into a byte buffer, so the per-case loop allocates nothing once
//! the buffer has grown.

use crate::bytecode::program::Program;
use crate::caseload::values::format_date;
use crate::vm::result::{CaseResult, Status};

/// Writes `{"id", "groups": [...], "rules": [{"rule", "status", "met_on",
/// "due", "next_due", "exemption"}]}` lines; absent values are left out. A
/// violated prohibition's date (its first forbidden event) is written as
/// `violated_on` instead of `met_on`.
#[derive(Debug, Clone)]
pub struct CaseWriter {
    groups: Vec<Vec<u8>>,
    rules: Vec<Vec<u8>>,
    exemptions: Vec<Vec<u8>>,
}

fn json_name(program: &Program, id: u32) -> Vec<u8> {
    let mut out = Vec::new();
    json_str(program.text(id), &mut out);
    out
}

/// Appends `s` as a JSON string literal.
pub(crate) fn json_str(s: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    let mut start = 0;
    let bytes = s.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        let esc: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0..=0x1f => b"",
            _ => continue,
        };
        out.extend_from_slice(bytes.get(start..i).unwrap_or(&[]));
        if esc.is_empty() {
            out.extend_from_slice(format!("\\u{b:04x}").as_bytes());
        } else {
            out.extend_from_slice(esc);
        }
        start = i + 1;
    }
    out.extend_from_slice(bytes.get(start..).unwrap_or(&[]));
    out.push(b'"');
}

impl CaseWriter {
    pub fn new(program: &Program) -> CaseWriter {
        CaseWriter {
            groups: program
                .groups
                .iter()
                .map(|g| json_name(program, g.name))
                .collect(),
            rules: program
                .rules
                .iter()
                .map(|r| json_name(program, r.name))
                .collect(),
            exemptions: program
                .exemptions
                .iter()
                .map(|e| json_name(program, e.name))
                .collect(),
        }
    }

    /// Appends one case's line (with its `\n`) to `out`.
    pub fn write_case(&self, id: &str, result: &CaseResult, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"id\":");
        json_str(id, out);
        out.extend_from_slice(b",\"groups\":[");
        let mut first = true;
        for (name, _) in self
            .groups
            .iter()
            .zip(&result.groups)
            .filter(|(_, inside)| **inside)
        {
            if !first {
                out.push(b',');
            }
            first = false;
            out.extend_from_slice(name);
        }
        out.extend_from_slice(b"],\"rules\":[");
        for (i, (name, r)) in self.rules.iter().zip(&result.rules).enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"rule\":");
            out.extend_from_slice(name);
            out.extend_from_slice(b",\"status\":\"");
            out.extend_from_slice(r.status.as_str().as_bytes());
            out.push(b'"');
            let on_key: &[u8] = if r.status == Status::Violated {
                b",\"violated_on\":\""
            } else {
                b",\"met_on\":\""
            };
            for (key, day) in [
                (on_key, r.met_on),
                (b",\"due\":\"", r.due),
                (b",\"next_due\":\"", r.next_due),
            ] {
                if let Some(d) = day {
                    out.extend_from_slice(key);
                    format_date(d, out);
                    out.push(b'"');
                }
            }
            if let Some(name) = r.exemption.and_then(|e| self.exemptions.get(e as usize)) {
                out.extend_from_slice(b",\"exemption\":");
                out.extend_from_slice(name);
            }
            out.push(b'}');
        }
        out.extend_from_slice(b"]}\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        let mut out = Vec::new();
        json_str("a\"b\\c\nd\u{1}é", &mut out);
        assert_eq!(String::from_utf8_lossy(&out), r#""a\"b\\c\nd\u0001é""#);
    }
}
