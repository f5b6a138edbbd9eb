//! The NDJSON reader's fast path: one pass over the line's bytes, writing
//! values straight into reused buffers, with no JSON tree and no allocation
//! but the case id.
//!
//! It reads only rows it is sure of: strict JSON without string escapes,
//! every value valid for its field. On anything else (an escape, a number it
//! does not parse itself the way serde_json would, any error at all) it gives
//! up with `Fallback`, and the general path in `input.rs` reads the line
//! again; that path alone decides errors and their wording. So a row the fast
//! path accepts must be one the general path accepts with the same values,
//! which the differential tests below check.

use crate::bytecode::program::{FieldType, Schema};
use crate::caseload::batch::{CaseBuf, EventBuf};
use crate::caseload::values::{parse_date, period, Scalar, SchemaIndex};

/// The fast path cannot vouch for the row; read it the general way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fallback;

type Res<T> = Result<T, Fallback>;

/// The row parser's per-schema tables and scratch; one per worker.
#[derive(Debug, Clone)]
pub(crate) struct RowScanner {
    /// Each case field's value when the row leaves it out.
    absent: Vec<i64>,
    /// Case fields that must be given.
    required: Vec<usize>,
    /// Per kind: absent values and a bit mask of required fields; kinds with
    /// more than 64 fields are left to the general path.
    kinds: Vec<KindTable>,
    seen: Vec<bool>,
    pub buf: CaseBuf,
}

#[derive(Debug, Clone)]
struct KindTable {
    absent: Vec<i64>,
    required: u64,
    fits: bool,
}

impl RowScanner {
    pub fn new(ix: &SchemaIndex, schema: &Schema) -> RowScanner {
        let absent = ix
            .fields
            .iter()
            .map(|f| {
                if f.ty == FieldType::Periods {
                    0
                } else {
                    f.absent_value()
                }
            })
            .collect();
        let required = (0..ix.fields.len())
            .filter(|&i| ix.fields.get(i).is_some_and(|f| f.required()))
            .collect();
        let kinds = ix
            .kinds
            .iter()
            .map(|k| KindTable {
                absent: k.fields.iter().map(|f| f.absent_value()).collect(),
                required: k
                    .fields
                    .iter()
                    .enumerate()
                    .filter(|(i, f)| f.required() && *i < 64)
                    .fold(0u64, |m, (i, _)| m | (1u64 << i)),
                fits: k.fields.len() <= 64,
            })
            .collect();
        RowScanner {
            absent,
            required,
            kinds,
            seen: Vec::new(),
            buf: CaseBuf::new(schema),
        }
    }

    /// Reads `line` into `self.buf`, or gives up (leaving `buf` half written).
    pub fn scan(&mut self, ix: &SchemaIndex, line: &str) -> Res<()> {
        self.buf.clear();
        self.buf.fields.clear();
        self.buf.fields.extend_from_slice(&self.absent);
        self.seen.clear();
        self.seen.resize(self.absent.len(), false);
        let mut s = Scanner { line, i: 0 };
        s.expect(b'{')?;
        let mut have_id = false;
        let mut have_events = false;
        if !s.close_or_first(b'}')? {
            loop {
                let key = s.key()?;
                match key {
                    "id" => {
                        if have_id {
                            return Err(Fallback);
                        }
                        have_id = true;
                        match s.scalar()? {
                            Scalar::Str(id) if !id.is_empty() => self.buf.id.push_str(id),
                            Scalar::Int(n) => {
                                use std::fmt::Write;
                                write!(self.buf.id, "{n}").map_err(|_| Fallback)?;
                            }
                            _ => return Err(Fallback),
                        }
                    }
                    "events" => {
                        if have_events {
                            return Err(Fallback);
                        }
                        have_events = true;
                        self.events(ix, &mut s)?;
                    }
                    name => {
                        let i = *ix.field_index.get(name).ok_or(Fallback)?;
                        let spec = ix.fields.get(i).ok_or(Fallback)?;
                        let flag = self.seen.get_mut(i).ok_or(Fallback)?;
                        if *flag {
                            return Err(Fallback);
                        }
                        *flag = true;
                        if spec.ty == FieldType::Periods {
                            let list =
                                self.buf.periods.get_mut(spec.period_slot).ok_or(Fallback)?;
                            s.periods(list)?;
                        } else {
                            if let Some(x) = s.value(ix, spec.ty)? {
                                *self.buf.fields.get_mut(i).ok_or(Fallback)? = x;
                            } else if spec.required() {
                                return Err(Fallback);
                            }
                        }
                    }
                }
                if s.next_or_close(b'}')? {
                    break;
                }
            }
        }
        s.end()?;
        if !have_id
            || self
                .required
                .iter()
                .any(|&i| self.seen.get(i) != Some(&true))
        {
            return Err(Fallback);
        }
        Ok(())
    }

    /// `"events": [...]` or `null`, after the colon.
    fn events(&mut self, ix: &SchemaIndex, s: &mut Scanner<'_>) -> Res<()> {
        s.ws();
        if s.literal("null") {
            return Ok(());
        }
        s.expect(b'[')?;
        if s.close_or_first(b']')? {
            return Ok(());
        }
        loop {
            self.event(ix, s)?;
            if s.next_or_close(b']')? {
                return Ok(());
            }
        }
    }

    /// One event object. Its kind decides its fields, so a kind that is not
    /// the first key is looked up ahead first.
    fn event(&mut self, ix: &SchemaIndex, s: &mut Scanner<'_>) -> Res<()> {
        s.expect(b'{')?;
        let body = s.i;
        if s.close_or_first(b'}')? {
            return Err(Fallback);
        }
        let mut k = Scanner {
            line: s.line,
            i: body,
        };
        let mut first = true;
        let mut have_kind = false;
        let kind_name = loop {
            let key = k.key()?;
            let v = k.scalar()?;
            if key == "kind" {
                match v {
                    Scalar::Str(name) => {
                        if first {
                            // exports put the kind first: go on after it
                            // rather than read it twice
                            have_kind = true;
                            s.i = k.i;
                        }
                        break name;
                    }
                    _ => return Err(Fallback),
                }
            }
            first = false;
            if k.next_or_close(b'}')? {
                return Err(Fallback);
            }
        };
        let kind = *ix.kind_index.get(kind_name).ok_or(Fallback)?;
        let spec = ix.kinds.get(kind).ok_or(Fallback)?;
        let table = self.kinds.get(kind).ok_or(Fallback)?;
        if !table.fits {
            return Err(Fallback);
        }
        let ev = self.buf.events.get_mut(kind).ok_or(Fallback)?;
        let base = ev.values.len();
        ev.values.extend_from_slice(&table.absent);
        let mut seen = 0u64;
        let mut date = None;
        // after a kind read first, the object closes or a comma and more follow
        if have_kind && s.next_or_close(b'}')? {
            return date_row(ev, date, table, seen);
        }
        loop {
            let key = s.key()?;
            match key {
                "kind" => {
                    if have_kind {
                        return Err(Fallback);
                    }
                    have_kind = true;
                    s.scalar()?;
                }
                "date" => {
                    if date.is_some() {
                        return Err(Fallback);
                    }
                    match s.scalar()? {
                        Scalar::Str(d) => date = Some(parse_date(d).map_err(|_| Fallback)?),
                        _ => return Err(Fallback),
                    }
                }
                name => {
                    let i = *spec.index.get(name).ok_or(Fallback)?;
                    let f = spec.fields.get(i).ok_or(Fallback)?;
                    let bit = 1u64 << i;
                    if seen & bit != 0 || f.ty == FieldType::Periods {
                        return Err(Fallback);
                    }
                    seen |= bit;
                    if let Some(x) = s.value(ix, f.ty)? {
                        *ev.values.get_mut(base + i).ok_or(Fallback)? = x;
                    } else if f.required() {
                        return Err(Fallback);
                    }
                }
            }
            if s.next_or_close(b'}')? {
                break;
            }
        }
        date_row(ev, date, table, seen)
    }
}

/// Ends an event: its date given and every required field seen.
fn date_row(ev: &mut EventBuf, date: Option<i32>, table: &KindTable, seen: u64) -> Res<()> {
    let date = date.ok_or(Fallback)?;
    if table.required & !seen != 0 {
        return Err(Fallback);
    }
    ev.dates.push(date);
    Ok(())
}

/// A cursor over one line; `line` is valid UTF-8, so cutting it at ASCII
/// bytes gives valid `&str`s.
struct Scanner<'a> {
    line: &'a str,
    i: usize,
}

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.line.as_bytes().get(self.i).copied()
    }

    /// JSON's whitespace, exactly (not Unicode's).
    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.i += 1;
        }
    }

    fn expect(&mut self, c: u8) -> Res<()> {
        self.ws();
        if self.peek() == Some(c) {
            self.i += 1;
            Ok(())
        } else {
            Err(Fallback)
        }
    }

    /// After an opening bracket: true if the container closes at once.
    fn close_or_first(&mut self, close: u8) -> Res<bool> {
        self.ws();
        if self.peek() == Some(close) {
            self.i += 1;
            return Ok(true);
        }
        Ok(false)
    }

    /// After a member: true at the closing bracket, false after a comma
    /// (which must be followed by another member, checked by the caller).
    fn next_or_close(&mut self, close: u8) -> Res<bool> {
        self.ws();
        match self.peek() {
            Some(b',') => {
                self.i += 1;
                Ok(false)
            }
            Some(c) if c == close => {
                self.i += 1;
                Ok(true)
            }
            _ => Err(Fallback),
        }
    }

    /// Only whitespace may follow the row.
    fn end(&mut self) -> Res<()> {
        self.ws();
        if self.i == self.line.len() {
            Ok(())
        } else {
            Err(Fallback)
        }
    }

    fn literal(&mut self, word: &str) -> bool {
        let hit = self
            .line
            .as_bytes()
            .get(self.i..)
            .is_some_and(|rest| rest.starts_with(word.as_bytes()));
        if hit {
            self.i += word.len();
        }
        hit
    }

    /// A key and its colon.
    fn key(&mut self) -> Res<&'a str> {
        self.ws();
        let k = self.string()?;
        self.expect(b':')?;
        Ok(k)
    }

    /// A string without escapes or control characters, at the cursor.
    fn string(&mut self) -> Res<&'a str> {
        if self.peek() != Some(b'"') {
            return Err(Fallback);
        }
        let start = self.i + 1;
        let rest = self.line.as_bytes().get(start..).unwrap_or(&[]);
        let n = rest
            .iter()
            .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
            .ok_or(Fallback)?;
        if rest.get(n) != Some(&b'"') {
            return Err(Fallback);
        }
        let j = start + n;
        self.i = j + 1;
        self.line.get(start..j).ok_or(Fallback)
    }

    /// A string, number, boolean or null; lists and objects give up.
    fn scalar(&mut self) -> Res<Scalar<'a>> {
        self.ws();
        match self.peek() {
            Some(b'"') => self.string().map(Scalar::Str),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b't') if self.literal("true") => Ok(Scalar::Bool(true)),
            Some(b'f') if self.literal("false") => Ok(Scalar::Bool(false)),
            Some(b'n') if self.literal("null") => Ok(Scalar::Null),
            _ => Err(Fallback),
        }
    }

    /// A field's value converted for type `ty`, or `None` for `null`: what
    /// `SchemaIndex::convert` makes of `scalar()`, with dates and enum
    /// values (most of a row) converted straight from the string. (Built
    /// as a `Scalar` and converted by reference, each value was stored
    /// narrow and loaded wide: a store-forwarding stall per value.)
    fn value(&mut self, ix: &SchemaIndex, ty: FieldType) -> Res<Option<i64>> {
        self.ws();
        if self.peek() == Some(b'"') {
            let text = self.string()?;
            let x = match ty {
                FieldType::Date => parse_date(text).ok().map(i64::from),
                FieldType::Enum(e) => ix.variant_index(e, text),
                _ => ix.convert_str(ty, text).ok(),
            };
            return x.map(Some).ok_or(Fallback);
        }
        match self.scalar()? {
            Scalar::Null => Ok(None),
            v => ix.convert(ty, &v).map(Some).map_err(|_| Fallback),
        }
    }

    /// A JSON number. Integers of up to 18 digits are read here (what
    /// serde_json makes `i64` of); `-0` (serde_json's `-0.0`) and longer
    /// integers give up; fractions and exponents go to serde_json's own
    /// float parser, so the value is the general path's to the bit.
    fn number(&mut self) -> Res<Scalar<'a>> {
        let bytes = self.line.as_bytes();
        let start = self.i;
        let mut j = start;
        let neg = bytes.get(j) == Some(&b'-');
        if neg {
            j += 1;
        }
        let digits_from = j;
        match bytes.get(j) {
            Some(b'0') => j += 1,
            Some(b'1'..=b'9') => {
                while let Some(b'0'..=b'9') = bytes.get(j) {
                    j += 1;
                }
            }
            _ => return Err(Fallback),
        }
        let int_end = j;
        if bytes.get(j) == Some(&b'.') {
            j += 1;
            let from = j;
            while let Some(b'0'..=b'9') = bytes.get(j) {
                j += 1;
            }
            if j == from {
                return Err(Fallback);
            }
        }
        if let Some(b'e' | b'E') = bytes.get(j) {
            j += 1;
            if let Some(b'+' | b'-') = bytes.get(j) {
                j += 1;
            }
            let from = j;
            while let Some(b'0'..=b'9') = bytes.get(j) {
                j += 1;
            }
            if j == from {
                return Err(Fallback);
            }
        }
        self.i = j;
        if j == int_end {
            if int_end - digits_from > 18 {
                return Err(Fallback);
            }
            let mut n: i64 = 0;
            for &c in bytes.get(digits_from..int_end).unwrap_or(&[]) {
                n = n * 10 + i64::from(c - b'0');
            }
            if neg && n == 0 {
                return Err(Fallback);
            }
            return Ok(Scalar::Int(if neg { -n } else { n }));
        }
        let text = self.line.get(start..j).ok_or(Fallback)?;
        serde_json::from_str::<f64>(text)
            .map(Scalar::Float)
            .map_err(|_| Fallback)
    }

    /// A periods value after the colon: `null` or `[[start, end], ...]`,
    /// each end a date string or `null`.
    fn periods(&mut self, out: &mut Vec<(i32, i32)>) -> Res<()> {
        out.clear();
        self.ws();
        if self.literal("null") {
            return Ok(());
        }
        self.expect(b'[')?;
        if self.close_or_first(b']')? {
            return Ok(());
        }
        loop {
            self.expect(b'[')?;
            let start = self.date_or_null()?;
            self.expect(b',')?;
            let end = self.date_or_null()?;
            self.expect(b']')?;
            out.push(period(start, end).map_err(|_| Fallback)?);
            if self.next_or_close(b']')? {
                return Ok(());
            }
        }
    }

    fn date_or_null(&mut self) -> Res<Option<&'a str>> {
        match self.scalar()? {
            Scalar::Str(s) => Ok(Some(s)),
            Scalar::Null => Ok(None),
            _ => Err(Fallback),
        }
    }
}
