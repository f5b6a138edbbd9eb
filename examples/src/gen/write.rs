//! Serialization of the current case as NDJSON or as CSV rows, into byte
//! buffers the caller reuses: no `format!`, no per-value allocation, since a
//! benchmark caseload is a million cases.

use std::io::Write;

use pol_runtime::bytecode::program::DECIMAL_SCALE;
use pol_runtime::vm::dates::civil_from_days;

use super::{Generator, Val};

/// How a value is written: JSON or a CSV cell (`,` decimal mark, periods as
/// `start..end|…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Json,
    Csv,
}

fn push_num(out: &mut Vec<u8>, n: i64) {
    // writing to a Vec cannot fail
    let _ = write!(out, "{n}");
}

fn push_date(out: &mut Vec<u8>, day: i32) {
    let c = civil_from_days(i64::from(day));
    let y = c.year.clamp(0, 9999) as u32;
    let digits = [
        y / 1000,
        y / 100 % 10,
        y / 10 % 10,
        y % 10,
        10,
        c.month / 10,
        c.month % 10,
        10,
        c.day / 10,
        c.day % 10,
    ];
    for d in digits {
        out.push(if d == 10 { b'-' } else { b'0' + d as u8 });
    }
}

/// A fixed-point number (`scale` units per 1) with its decimals trimmed.
fn push_fixed(out: &mut Vec<u8>, x: i64, scale: i64, mark: u8) {
    if x < 0 {
        out.push(b'-');
    }
    let x = x.unsigned_abs();
    let scale = scale.unsigned_abs().max(1);
    let _ = write!(out, "{}", x / scale);
    let mut frac = x % scale;
    if frac == 0 {
        return;
    }
    out.push(mark);
    let mut unit = scale / 10;
    while frac > 0 && unit > 0 {
        out.push(b'0' + (frac / unit) as u8);
        frac %= unit;
        unit /= 10;
    }
}

impl Generator<'_> {
    fn push_val(&self, out: &mut Vec<u8>, v: Val, enum_ix: Option<u16>, style: Style) {
        let json = style == Style::Json;
        let mark = if json { b'.' } else { b',' };
        let quote = |out: &mut Vec<u8>| {
            if json {
                out.push(b'"');
            }
        };
        match v {
            Val::Bool(b) => out.extend_from_slice(if b { b"true" } else { b"false" }),
            Val::Int(n) => push_num(out, n),
            Val::Days(n) | Val::Months(n) => push_num(out, i64::from(n)),
            Val::Dec(x) => push_fixed(out, x, DECIMAL_SCALE, mark),
            Val::Pct(x) => push_fixed(out, x, DECIMAL_SCALE, mark),
            Val::Text(n) => {
                quote(out);
                out.push(b't');
                push_num(out, i64::from(n));
                quote(out);
            }
            Val::Date(d) => {
                quote(out);
                push_date(out, d);
                quote(out);
            }
            Val::Enum(i) => {
                let name = enum_ix
                    .and_then(|e| self.variants.get(e as usize))
                    .and_then(|vs| vs.get(i as usize))
                    .map_or("", String::as_str);
                quote(out);
                out.extend_from_slice(name.as_bytes());
                quote(out);
            }
            Val::Periods(start, len) => {
                let list = self
                    .b
                    .periods
                    .get(start as usize..(start + len) as usize)
                    .unwrap_or(&[]);
                if json {
                    out.push(b'[');
                }
                for (k, (from, to)) in list.iter().enumerate() {
                    if json {
                        if k > 0 {
                            out.push(b',');
                        }
                        out.extend_from_slice(b"[\"");
                        push_date(out, *from);
                        out.extend_from_slice(b"\",");
                        match to {
                            Some(to) => {
                                out.push(b'"');
                                push_date(out, *to);
                                out.push(b'"');
                            }
                            None => out.extend_from_slice(b"null"),
                        }
                        out.push(b']');
                    } else {
                        if k > 0 {
                            out.push(b'|');
                        }
                        push_date(out, *from);
                        out.extend_from_slice(b"..");
                        if let Some(to) = to {
                            push_date(out, *to);
                        }
                    }
                }
                if json {
                    out.push(b']');
                }
            }
            Val::Null => {
                if json {
                    out.extend_from_slice(b"null");
                }
            }
        }
    }

    /// The value to write for field `i` of the case: its own, or in a full
    /// export an explicit null where it has none.
    fn case_val(&self, i: usize) -> Option<Val> {
        let default = self.program.schema.fields.get(i).and_then(|f| f.default);
        match self.b.vals.get(i).copied().flatten() {
            // an export leaves a default out; a full export writes it
            Some(v) if !self.full_export && default.is_some() && v.as_i64() == default => None,
            Some(v) => Some(v),
            None if self.full_export => Some(Val::Null),
            None => None,
        }
    }

    /// One NDJSON line (with its newline) for the current case.
    pub(super) fn write_ndjson(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"id\":\"");
        out.extend_from_slice(&self.id);
        out.push(b'"');
        for (i, def) in self.program.schema.fields.iter().enumerate() {
            let Some(v) = self.case_val(i) else { continue };
            out.extend_from_slice(b",\"");
            out.extend_from_slice(
                self.field_names
                    .get(i)
                    .map_or("", String::as_str)
                    .as_bytes(),
            );
            out.extend_from_slice(b"\":");
            self.push_val(out, v, enum_of(def.ty), Style::Json);
        }
        if !self.b.events.is_empty() {
            out.extend_from_slice(b",\"events\":[");
            for (n, e) in self.b.events.iter().enumerate() {
                if n > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(b"{\"kind\":\"");
                let kind = self
                    .kind_names
                    .get(e.kind as usize)
                    .map_or("", String::as_str);
                out.extend_from_slice(kind.as_bytes());
                out.extend_from_slice(b"\",\"date\":\"");
                push_date(out, e.date);
                out.push(b'"');
                let Some(def) = self.program.schema.events.get(e.kind as usize) else {
                    continue;
                };
                for (j, f) in def.fields.iter().enumerate() {
                    let v = self.b.ev_vals.get(e.vals as usize + j).copied().flatten();
                    let Some(v) = v else { continue };
                    out.extend_from_slice(b",\"");
                    out.extend_from_slice(self.ev_field_name(f.name).as_bytes());
                    out.extend_from_slice(b"\":");
                    self.push_val(out, v, enum_of(f.ty), Style::Json);
                }
                out.push(b'}');
            }
            out.push(b']');
        }
        out.extend_from_slice(b"}\n");
    }

    fn ev_field_name(&self, id: u32) -> &str {
        self.program
            .strings
            .get(id as usize)
            .map_or("", String::as_str)
    }

    /// The events file's columns after `id;kind;date`: every event field
    /// name once, in schema order; per kind, the column of each field.
    pub(super) fn event_columns(&self) -> EventColumns {
        let mut names: Vec<String> = Vec::new();
        let mut of_kind = Vec::new();
        for k in &self.program.schema.events {
            let mut cols = Vec::new();
            for f in &k.fields {
                let name = self.ev_field_name(f.name);
                let c = match names.iter().position(|n| n == name) {
                    Some(c) => c,
                    None => {
                        names.push(name.to_string());
                        names.len() - 1
                    }
                };
                cols.push(c);
            }
            of_kind.push(cols);
        }
        EventColumns { names, of_kind }
    }

    pub(super) fn write_csv_headers(
        &self,
        cols: &EventColumns,
        cases: &mut Vec<u8>,
        events: &mut Vec<u8>,
    ) {
        cases.extend_from_slice(b"id");
        for name in &self.field_names {
            cases.push(b';');
            cases.extend_from_slice(name.as_bytes());
        }
        cases.push(b'\n');
        events.extend_from_slice(b"id;kind;date");
        for name in &cols.names {
            events.push(b';');
            events.extend_from_slice(name.as_bytes());
        }
        events.push(b'\n');
    }

    /// The current case's row in the cases file and its rows in the events file.
    pub(super) fn write_csv(&self, cols: &EventColumns, cases: &mut Vec<u8>, events: &mut Vec<u8>) {
        cases.extend_from_slice(&self.id);
        for (i, def) in self.program.schema.fields.iter().enumerate() {
            cases.push(b';');
            let v = self.b.vals.get(i).copied().flatten();
            if let Some(v) = v.filter(|v| def.default.is_none() || v.as_i64() != def.default) {
                self.push_val(cases, v, enum_of(def.ty), Style::Csv);
            }
        }
        cases.push(b'\n');
        for e in &self.b.events {
            events.extend_from_slice(&self.id);
            events.push(b';');
            events.extend_from_slice(
                self.kind_names
                    .get(e.kind as usize)
                    .map_or("", String::as_str)
                    .as_bytes(),
            );
            events.push(b';');
            push_date(events, e.date);
            let def = self.program.schema.events.get(e.kind as usize);
            let map = cols.of_kind.get(e.kind as usize);
            for c in 0..cols.names.len() {
                events.push(b';');
                // the kind's field in this column, if it has one
                let Some(j) = map.and_then(|m| m.iter().position(|&x| x == c)) else {
                    continue;
                };
                let v = self.b.ev_vals.get(e.vals as usize + j).copied().flatten();
                let ty = def.and_then(|d| d.fields.get(j)).map(|f| f.ty);
                if let (Some(v), Some(ty)) = (v, ty) {
                    self.push_val(events, v, enum_of(ty), Style::Csv);
                }
            }
            events.push(b'\n');
        }
    }
}

fn enum_of(ty: pol_runtime::bytecode::program::FieldType) -> Option<u16> {
    match ty {
        pol_runtime::bytecode::program::FieldType::Enum(e) => Some(e),
        _ => None,
    }
}

/// The events file's columns.
pub(super) struct EventColumns {
    pub names: Vec<String>,
    /// Per kind, per field: its column.
    pub of_kind: Vec<Vec<usize>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_point_trims_decimals() {
        let mut v = Vec::new();
        push_fixed(&mut v, 375_000, 10_000, b'.');
        v.push(b' ');
        push_fixed(&mut v, 200_000, 10_000, b',');
        v.push(b' ');
        push_fixed(&mut v, 5_000, 10_000, b',');
        v.push(b' ');
        push_fixed(&mut v, 12_345, 10_000, b'.');
        assert_eq!(String::from_utf8_lossy(&v), "37.5 20 0,5 1.2345");
    }

    #[test]
    fn dates_are_iso() {
        let mut v = Vec::new();
        push_date(&mut v, 0);
        push_date(&mut v, 20_000);
        assert_eq!(String::from_utf8_lossy(&v), "1970-01-012024-10-04");
    }
}
