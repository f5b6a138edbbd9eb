//! Turning input text and JSON scalars into the VM's `i64` values, shared by
//! the NDJSON and CSV readers so both accept exactly the same values.
//!
//! No message built here quotes the input value: the readers add the field
//! and line, and the value may be personal data.

use crate::bytecode::program::{text_hash, FieldType, Program, DECIMAL_SCALE, NONE};
use crate::caseload::batch::OPEN_END;
use crate::caseload::errors::InputCode;

/// The schema's name maps (field, kind and enum value names), looked up for
/// every key and enum value of every row: a general hash map's hashing and
/// probing was a tenth of NDJSON reading. Names are hashed from at most two
/// word loads, and the table keeps each hash so most misses and all hits
/// compare the bytes once. A name given twice keeps its last value, as
/// collecting into a `HashMap` does.
#[derive(Debug, Clone)]
pub(crate) struct NameMap<V> {
    entries: Vec<(String, V)>,
    /// An entry's index + 1 (0 marks an empty slot) and its name's `Words`.
    /// Power-of-two length.
    slots: Vec<(u32, Words)>,
}

/// A name's length and its first and last (up to) eight bytes: for names of
/// up to 16 bytes these cover every byte, so equal `Words` are equal names
/// and no byte comparison is needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Words {
    len: usize,
    a: u64,
    b: u64,
}

impl Words {
    fn of(key: &[u8]) -> Words {
        let n = key.len();
        let w8 = |at: usize| {
            key.get(at..at + 8)
                .and_then(|b| <[u8; 8]>::try_from(b).ok())
                .map_or(0, u64::from_le_bytes)
        };
        let w4 = |at: usize| {
            key.get(at..at + 4)
                .and_then(|b| <[u8; 4]>::try_from(b).ok())
                .map_or(0, |b| u64::from(u32::from_le_bytes(b)))
        };
        let (a, b) = if n >= 8 {
            (w8(0), w8(n - 8))
        } else if n >= 4 {
            (w4(0), w4(n - 4))
        } else {
            (
                key.iter().fold(0u64, |acc, &x| (acc << 8) | u64::from(x)),
                0,
            )
        };
        Words { len: n, a, b }
    }

    fn hash(&self) -> usize {
        let h = (self.a ^ self.b.rotate_left(29) ^ (self.len as u64).rotate_left(56))
            .wrapping_mul(0x9e37_79b9_7f4a_7c15);
        (h >> 32) as usize
    }
}

impl<V> NameMap<V> {
    pub fn get(&self, key: &str) -> Option<&V> {
        let w = Words::of(key.as_bytes());
        let mask = self.slots.len().wrapping_sub(1);
        let mut at = w.hash() & mask;
        for _ in 0..self.slots.len() {
            let &(ix, sw) = self.slots.get(at)?;
            if ix == 0 {
                return None;
            }
            if sw == w {
                if let Some((k, v)) = self.entries.get(ix as usize - 1) {
                    if w.len <= 16 || k.as_bytes() == key.as_bytes() {
                        return Some(v);
                    }
                }
            }
            at = (at + 1) & mask;
        }
        None
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }
}

impl<V> FromIterator<(String, V)> for NameMap<V> {
    fn from_iter<I: IntoIterator<Item = (String, V)>>(iter: I) -> NameMap<V> {
        let mut entries: Vec<(String, V)> = Vec::new();
        for (k, v) in iter {
            match entries.iter_mut().find(|(e, _)| *e == k) {
                Some(e) => e.1 = v,
                None => entries.push((k, v)),
            }
        }
        let len = (entries.len() * 2).max(4).next_power_of_two();
        let mut slots = vec![(0u32, Words::default()); len];
        let mask = len - 1;
        for (i, (k, _)) in entries.iter().enumerate() {
            let w = Words::of(k.as_bytes());
            let mut at = w.hash() & mask;
            while slots.get(at).is_some_and(|s| s.0 != 0) {
                at = (at + 1) & mask;
            }
            if let Some(slot) = slots.get_mut(at) {
                *slot = (i as u32 + 1, w);
            }
        }
        NameMap { entries, slots }
    }
}

/// Why a value was refused; the reader adds where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ValueError {
    pub code: InputCode,
    pub message: String,
    pub help: Option<String>,
}

impl ValueError {
    fn new(code: InputCode, message: impl Into<String>) -> ValueError {
        ValueError {
            code,
            message: message.into(),
            help: None,
        }
    }

    fn help(mut self, help: impl Into<String>) -> ValueError {
        self.help = Some(help.into());
        self
    }
}

/// A JSON scalar (or the shape of a non-scalar), borrowed from the line.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Scalar<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(&'a str),
    Array,
    Object,
}

impl Scalar<'_> {
    fn shape(&self) -> &'static str {
        match self {
            Scalar::Null => "null",
            Scalar::Bool(_) => "a boolean",
            Scalar::Int(_) | Scalar::Float(_) => "a number",
            Scalar::Str(_) => "a string",
            Scalar::Array => "a list",
            Scalar::Object => "an object",
        }
    }
}

/// One field of a case or an event, as the readers need it.
#[derive(Debug, Clone)]
pub(crate) struct FieldSpec {
    pub name: String,
    pub ty: FieldType,
    pub optional: bool,
    pub default: Option<i64>,
    /// For periods fields: the index among the case's periods fields.
    pub period_slot: usize,
}

impl FieldSpec {
    pub fn required(&self) -> bool {
        !self.optional && self.default.is_none()
    }

    /// The value when the input leaves the field out (or gives null).
    pub fn absent_value(&self) -> i64 {
        match self.default {
            Some(d) => d,
            None if self.optional => NONE,
            None => 0,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct EnumSpec {
    pub name: String,
    pub variants: Vec<String>,
    pub index: NameMap<i64>,
}

#[derive(Debug, Clone)]
pub(crate) struct KindSpec {
    pub name: String,
    pub fields: Vec<FieldSpec>,
    pub index: NameMap<usize>,
}

/// The schema with its names resolved and indexed, built once per reader.
#[derive(Debug, Clone)]
pub(crate) struct SchemaIndex {
    pub fields: Vec<FieldSpec>,
    pub field_index: NameMap<usize>,
    pub enums: Vec<EnumSpec>,
    pub kinds: Vec<KindSpec>,
    pub kind_index: NameMap<usize>,
}

fn name(program: &Program, id: u32) -> String {
    program
        .strings
        .get(id as usize)
        .cloned()
        .unwrap_or_else(|| format!("#{id}"))
}

impl SchemaIndex {
    pub fn new(program: &Program) -> SchemaIndex {
        let schema = &program.schema;
        let mut nperiods = 0;
        let fields: Vec<FieldSpec> = schema
            .fields
            .iter()
            .map(|f| {
                let slot = nperiods;
                if f.ty == FieldType::Periods {
                    nperiods += 1;
                }
                FieldSpec {
                    name: name(program, f.name),
                    ty: f.ty,
                    optional: f.optional,
                    default: f.default,
                    period_slot: slot,
                }
            })
            .collect();
        let field_index = fields
            .iter()
            .enumerate()
            .map(|(i, f)| (f.name.clone(), i))
            .collect();
        let enums = schema
            .enums
            .iter()
            .map(|e| {
                let variants: Vec<String> = e.variants.iter().map(|v| name(program, *v)).collect();
                let index = variants
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (v.clone(), i as i64))
                    .collect();
                EnumSpec {
                    name: name(program, e.name),
                    variants,
                    index,
                }
            })
            .collect();
        let kinds: Vec<KindSpec> = schema
            .events
            .iter()
            .map(|k| {
                let fields: Vec<FieldSpec> = k
                    .fields
                    .iter()
                    .map(|f| FieldSpec {
                        name: name(program, f.name),
                        ty: f.ty,
                        optional: f.optional,
                        default: f.default,
                        period_slot: 0,
                    })
                    .collect();
                let index = fields
                    .iter()
                    .enumerate()
                    .map(|(i, f)| (f.name.clone(), i))
                    .collect();
                KindSpec {
                    name: name(program, k.name),
                    fields,
                    index,
                }
            })
            .collect();
        let kind_index = kinds
            .iter()
            .enumerate()
            .map(|(i, k)| (k.name.clone(), i))
            .collect();
        SchemaIndex {
            fields,
            field_index,
            enums,
            kinds,
            kind_index,
        }
    }

    /// Converts a JSON scalar for a non-periods field.
    pub fn convert(&self, ty: FieldType, v: &Scalar<'_>) -> Result<i64, ValueError> {
        match (ty, v) {
            (FieldType::Bool, Scalar::Bool(b)) => Ok(i64::from(*b)),
            (FieldType::Int, Scalar::Int(n)) => Ok(*n),
            (FieldType::Int, Scalar::Float(f)) if f.fract() == 0.0 => float_to_i64(*f),
            (FieldType::Decimal, Scalar::Int(n)) => scale(*n, DECIMAL_SCALE),
            (FieldType::Decimal, Scalar::Float(f)) => float_fixed(*f, DECIMAL_SCALE),
            (FieldType::Percent, Scalar::Int(n)) => scale(*n, DECIMAL_SCALE / 100),
            (FieldType::Percent, Scalar::Float(f)) => float_fixed(*f, DECIMAL_SCALE / 100),
            (FieldType::Days | FieldType::Months, Scalar::Int(n)) => {
                if *n < 0 {
                    Err(
                        ValueError::new(InputCode::OutOfRange, "a duration cannot be negative")
                            .help("give the length as a positive number"),
                    )
                } else {
                    Ok(*n)
                }
            }
            (_, Scalar::Str(s)) => self.convert_str(ty, s),
            _ => Err(wrong_type_for(ty, v.shape())),
        }
    }

    /// Converts text (a CSV cell, a JSON string) for a non-periods field.
    pub fn convert_str(&self, ty: FieldType, s: &str) -> Result<i64, ValueError> {
        match ty {
            FieldType::Bool => match s {
                "true" => Ok(1),
                "false" => Ok(0),
                _ => Err(wrong_type_for(ty, "other text")),
            },
            FieldType::Int => parse_int(s),
            FieldType::Decimal => parse_fixed(s, 4),
            FieldType::Percent => parse_fixed(s.strip_suffix('%').unwrap_or(s).trim_end(), 2),
            FieldType::Text => Ok(text_hash(s)),
            FieldType::Date => parse_date(s).map(i64::from),
            FieldType::Days | FieldType::Months => parse_duration(ty, s),
            FieldType::Enum(e) => self.variant(e, s),
            FieldType::Periods => Err(wrong_type_for(ty, "a single value")),
        }
    }

    /// Enum `e`'s value named `s`, if it is one (the readers' fast path).
    pub(crate) fn variant_index(&self, e: u16, s: &str) -> Option<i64> {
        self.enums.get(e as usize)?.index.get(s).copied()
    }

    fn variant(&self, e: u16, s: &str) -> Result<i64, ValueError> {
        let Some(spec) = self.enums.get(e as usize) else {
            return Err(ValueError::new(InputCode::UnknownVariant, "unknown enum"));
        };
        if let Some(i) = spec.index.get(s) {
            return Ok(*i);
        }
        let mut err = ValueError::new(
            InputCode::UnknownVariant,
            format!("not a value of `{}`", spec.name),
        );
        let all = spec.variants.join("`, `");
        err = match closest(s, spec.variants.iter().map(String::as_str)) {
            Some(best) => err.help(format!("did you mean `{best}`? the values are `{all}`")),
            None => err.help(format!("the values are `{all}`")),
        };
        Err(err)
    }
}

/// What a field of type `ty` takes, and an example, for wrong-type errors.
fn expected(ty: FieldType) -> (&'static str, &'static str) {
    match ty {
        FieldType::Bool => ("`true` or `false`", "`true`"),
        FieldType::Int => ("a whole number", "`3`"),
        FieldType::Decimal => ("a number", "`37.5`"),
        FieldType::Percent => ("a percentage", "`75` for 75%"),
        FieldType::Text => ("a string", "`\"Job First\"`"),
        FieldType::Date => ("a date", "`\"2026-03-10\"`"),
        FieldType::Days => ("a duration in days or weeks", "`\"8 weeks\"`"),
        FieldType::Months => ("a duration in months or years", "`\"6 months\"`"),
        FieldType::Enum(_) => ("one of the enum's values, as a string", "`\"dagpenge\"`"),
        FieldType::Periods => ("a list of periods", "`[[\"2026-01-01\", null]]`"),
    }
}

fn wrong_type_for(ty: FieldType, found: &str) -> ValueError {
    let (what, example) = expected(ty);
    ValueError::new(
        InputCode::WrongType,
        format!("expected {what}, found {found}"),
    )
    .help(format!("write {what}, e.g. {example}"))
}

fn out_of_range() -> ValueError {
    ValueError::new(InputCode::OutOfRange, "the number is too large")
        .help("numbers must lie within ±9.2e18 (decimals within ±9.2e14)")
}

fn scale(n: i64, by: i64) -> Result<i64, ValueError> {
    n.checked_mul(by)
        .filter(|v| *v != NONE)
        .ok_or_else(out_of_range)
}

fn float_to_i64(f: f64) -> Result<i64, ValueError> {
    // 2^62 keeps clear of NONE and of the f64 -> i64 saturation edge.
    if f.is_finite() && f.abs() < 4.6e18 {
        Ok(f as i64)
    } else {
        Err(out_of_range())
    }
}

/// A JSON number as fixed point; refuses digits the scale cannot hold
/// rather than rounding them away silently.
fn float_fixed(f: f64, by: i64) -> Result<i64, ValueError> {
    let x = f * by as f64;
    let r = x.round();
    if (x - r).abs() > 1e-6 * r.abs().max(1.0) {
        return Err(ValueError::new(InputCode::OutOfRange, "too many decimals")
            .help(format!("at most {} decimals", digits(by))));
    }
    float_to_i64(r)
}

fn digits(by: i64) -> u32 {
    by.checked_ilog10().unwrap_or(0)
}

pub(crate) fn parse_int(s: &str) -> Result<i64, ValueError> {
    let t = s.trim();
    if t.is_empty()
        || !t
            .bytes()
            .enumerate()
            .all(|(i, b)| b.is_ascii_digit() || (i == 0 && (b == b'-' || b == b'+')))
    {
        return Err(wrong_type_for(FieldType::Int, "other text"));
    }
    t.parse::<i64>()
        .ok()
        .filter(|v| *v != NONE)
        .ok_or_else(out_of_range)
}

/// `37.5` with `places` decimals allowed, to fixed point with `10^places`
/// units per 1 and then to `DECIMAL_SCALE`; `,` is accepted as the decimal
/// mark (Danish exports write `37,5`).
pub(crate) fn parse_fixed(s: &str, places: u32) -> Result<i64, ValueError> {
    let t = s.trim();
    let (neg, body) = match t.as_bytes().first() {
        Some(b'-') => (true, t.get(1..).unwrap_or("")),
        Some(b'+') => (false, t.get(1..).unwrap_or("")),
        _ => (false, t),
    };
    let (whole, frac) = match body.find(['.', ',']) {
        Some(i) => (body.get(..i).unwrap_or(""), body.get(i + 1..).unwrap_or("")),
        None => (body, ""),
    };
    let all_digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() && frac.is_empty()
        || !all_digits(whole)
        || !all_digits(frac)
        || (whole.is_empty() && body.len() == frac.len())
    {
        return Err(wrong_type_for(FieldType::Decimal, "other text"));
    }
    let frac = frac.trim_end_matches('0');
    if frac.len() > places as usize {
        return Err(ValueError::new(InputCode::OutOfRange, "too many decimals")
            .help(format!("at most {places} decimals")));
    }
    let unit = 10i64.pow(places);
    let mut v: i64 = 0;
    for b in whole.bytes() {
        v = v
            .checked_mul(10)
            .and_then(|v| v.checked_add(i64::from(b - b'0')))
            .ok_or_else(out_of_range)?;
    }
    v = v.checked_mul(unit).ok_or_else(out_of_range)?;
    let mut f: i64 = 0;
    for b in frac.bytes() {
        f = f * 10 + i64::from(b - b'0');
    }
    f *= 10i64.pow(places - frac.len() as u32);
    v = v.checked_add(f).ok_or_else(out_of_range)?;
    // to DECIMAL_SCALE: decimals have 4 places already; percent (2 places) is
    // a share, 75% = 0.75 = 7_500 = 75_00, so it needs no rescaling either.
    let v = if neg { -v } else { v };
    if v == NONE {
        return Err(out_of_range());
    }
    Ok(v)
}

/// `YYYY-MM-DD` to days since 1970-01-01.
pub(crate) fn parse_date(s: &str) -> Result<i32, ValueError> {
    let digit = |c: u8| u32::from(c.wrapping_sub(b'0'));
    let parts = <[u8; 10]>::try_from(s.as_bytes()).ok().and_then(|b| {
        let [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = b else {
            return None;
        };
        let ds = [y0, y1, y2, y3, m0, m1, d0, d1].map(digit);
        ds.iter().all(|d| *d < 10).then(|| {
            let [y0, y1, y2, y3, m0, m1, d0, d1] = ds;
            (
                y0 * 1000 + y1 * 100 + y2 * 10 + y3,
                m0 * 10 + m1,
                d0 * 10 + d1,
            )
        })
    });
    let Some((y, m, d)) = parts else {
        return Err(ValueError::new(InputCode::InvalidDate, "not a date")
            .help("write dates as `YYYY-MM-DD`, e.g. `2026-03-10`"));
    };
    days_from_ymd(y as i32, m, d).ok_or_else(|| {
        ValueError::new(
            InputCode::InvalidDate,
            "not a calendar date (no such day in that month)",
        )
        .help("check the day and the month; dates are `YYYY-MM-DD`")
    })
}

/// Days since 1970-01-01 of a valid calendar day, else `None`.
pub(crate) fn days_from_ymd(y: i32, m: u32, d: u32) -> Option<i32> {
    if (0..=9999).contains(&y) {
        // every row has a dozen dates: chrono's checks and day count were a
        // twentieth of reading; this is the proleptic Gregorian count
        // (days_from_civil), the same as chrono's for these years
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        let last = match m {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        if d == 0 || d > last {
            return None;
        }
        let (m, d) = (m as i32, d as i32);
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y.rem_euclid(400);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return Some(era * 146_097 + doe - 719_468);
    }
    let date = chrono::NaiveDate::from_ymd_opt(y, m, d)?;
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1)?;
    i32::try_from(date.signed_duration_since(epoch).num_days()).ok()
}

/// Days since 1970-01-01 as `YYYY-MM-DD`; out-of-range days print as their number.
pub(crate) fn format_date(days: i32, out: &mut Vec<u8>) {
    // Every result line has a few dates: convert by arithmetic (the same
    // proleptic Gregorian count as chrono's) in the common range.
    let c = crate::vm::dates::civil_from_days(i64::from(days));
    if let Ok(y @ 0..=9999) = u32::try_from(c.year) {
        let (m, dd) = (c.month, c.day);
        out.extend_from_slice(&[
            b'0' + (y / 1000) as u8,
            b'0' + (y / 100 % 10) as u8,
            b'0' + (y / 10 % 10) as u8,
            b'0' + (y % 10) as u8,
            b'-',
            b'0' + (m / 10) as u8,
            b'0' + (m % 10) as u8,
            b'-',
            b'0' + (dd / 10) as u8,
            b'0' + (dd % 10) as u8,
        ]);
        return;
    }
    let date = chrono::NaiveDate::from_ymd_opt(1970, 1, 1)
        .and_then(|e| e.checked_add_signed(chrono::TimeDelta::days(i64::from(days))));
    match date {
        Some(d) => {
            use chrono::Datelike;
            let (y, m, dd) = (d.year(), d.month(), d.day());
            if (0..=9999).contains(&y) {
                let y = y as u32;
                out.extend_from_slice(&[
                    b'0' + (y / 1000) as u8,
                    b'0' + (y / 100 % 10) as u8,
                    b'0' + (y / 10 % 10) as u8,
                    b'0' + (y % 10) as u8,
                    b'-',
                    b'0' + (m / 10) as u8,
                    b'0' + (m % 10) as u8,
                    b'-',
                    b'0' + (dd / 10) as u8,
                    b'0' + (dd % 10) as u8,
                ]);
            } else {
                out.extend_from_slice(d.to_string().as_bytes());
            }
        }
        None => out.extend_from_slice(days.to_string().as_bytes()),
    }
}

/// `8 weeks`, `6 months`, `1 year`, `10 days` (also the Danish `uger`,
/// `måneder`, `år`, `dage`); a bare number is in the field's own unit.
pub(crate) fn parse_duration(ty: FieldType, s: &str) -> Result<i64, ValueError> {
    let t = s.trim();
    let (num, unit) = match t.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => (t.get(..i).unwrap_or(""), t.get(i..).unwrap_or("").trim()),
        None => (t, ""),
    };
    let bad = || {
        let example = if ty == FieldType::Months {
            "`6 months` or `1 year`"
        } else {
            "`8 weeks` or `10 days`"
        };
        ValueError::new(InputCode::WrongType, "not a duration")
            .help(format!("write a number and a unit, e.g. {example}"))
    };
    if num.is_empty() {
        return Err(bad());
    }
    let n: i64 = num.parse().map_err(|_| out_of_range())?;
    let per = match (ty, unit) {
        (_, "") => 1,
        (FieldType::Days, "day" | "days" | "dag" | "dage") => 1,
        (FieldType::Days, "week" | "weeks" | "uge" | "uger") => 7,
        (FieldType::Months, "month" | "months" | "måned" | "måneder") => 1,
        (FieldType::Months, "year" | "years" | "år") => 12,
        (FieldType::Days, "month" | "months" | "måned" | "måneder" | "year" | "years" | "år") => {
            return Err(ValueError::new(
                InputCode::WrongType,
                "a calendar duration where days are expected",
            )
            .help("this field counts days or weeks (months have no fixed number of days)"))
        }
        (
            FieldType::Months,
            "day" | "days" | "dag" | "dage" | "week" | "weeks" | "uge" | "uger",
        ) => {
            return Err(ValueError::new(
                InputCode::WrongType,
                "an exact duration where months are expected",
            )
            .help("this field counts months or years"))
        }
        _ => return Err(bad()),
    };
    n.checked_mul(per).ok_or_else(out_of_range)
}

/// A period's end in input: a date, or open (`null`, empty).
pub(crate) fn period(start: Option<&str>, end: Option<&str>) -> Result<(i32, i32), ValueError> {
    let Some(start) = start else {
        return Err(
            ValueError::new(InputCode::MissingField, "a period needs a start date")
                .help("write `[\"2026-01-01\", \"2026-03-31\"]`; only the end may be open (null)"),
        );
    };
    let s = parse_date(start)?;
    let e = match end {
        Some(end) => parse_date(end)?,
        None => OPEN_END,
    };
    if e < s {
        return Err(ValueError::new(
            InputCode::PeriodEndsBeforeStart,
            "the period ends before it starts",
        )
        .help("periods are closed intervals `[start, end]`; swap the dates"));
    }
    Ok((s, e))
}

/// A CSV periods cell: `2026-01-01..2026-03-31|2026-05-01..`.
pub(crate) fn parse_periods_cell(s: &str, out: &mut Vec<(i32, i32)>) -> Result<(), ValueError> {
    for part in s.split('|') {
        let part = part.trim();
        let Some((a, b)) = part.split_once("..") else {
            return Err(ValueError::new(InputCode::WrongType, "not a period")
                .help("write periods as `2026-01-01..2026-03-31|2026-05-01..`"));
        };
        let b = b.trim();
        out.push(period(
            Some(a.trim()),
            if b.is_empty() { None } else { Some(b) },
        )?);
    }
    Ok(())
}

/// The candidate nearest to `s` by edit distance, if it is near enough to
/// be a plausible typo.
pub(crate) fn closest<'a>(s: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let s = s.to_lowercase();
    let max = (s.chars().count() / 3).max(2);
    candidates
        .map(|c| (edit_distance(&s, &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= max)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance over chars.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    strsim::levenshtein(a, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(parse_date("1970-01-01"), Ok(0));
        assert_eq!(parse_date("2026-03-10"), Ok(20522));
        assert_eq!(parse_date("2024-02-29"), Ok(19782));
        assert_eq!(
            parse_date("2026-02-30").map_err(|e| e.code),
            Err(InputCode::InvalidDate)
        );
        assert_eq!(
            parse_date("10/03/2026").map_err(|e| e.code),
            Err(InputCode::InvalidDate)
        );
        let mut s = Vec::new();
        format_date(20522, &mut s);
        assert_eq!(s, b"2026-03-10");
    }

    #[test]
    fn formatted_dates_agree_with_chrono() {
        let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
        let days = (-719_600..=2_933_000).step_by(7).chain([
            -719_529,
            -719_528,
            2_932_896,
            2_932_897,
            i32::MIN,
            i32::MAX,
        ]);
        for day in days {
            let mut ours = Vec::new();
            format_date(day, &mut ours);
            let theirs = match epoch.checked_add_signed(chrono::TimeDelta::days(i64::from(day))) {
                Some(d) => d.to_string(),
                None => day.to_string(),
            };
            assert_eq!(String::from_utf8_lossy(&ours), theirs, "day {day}");
        }
    }

    #[test]
    fn civil_days_agree_with_chrono() {
        let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
        let by_chrono = |y: i32, m: u32, d: u32| {
            chrono::NaiveDate::from_ymd_opt(y, m, d)
                .map(|x| x.signed_duration_since(epoch).num_days() as i32)
        };
        let years = (0..=30).chain(1590..=2450).chain(9970..=9999);
        for y in years {
            for m in 0..=13 {
                for d in 0..=32 {
                    assert_eq!(days_from_ymd(y, m, d), by_chrono(y, m, d), "{y}-{m}-{d}");
                }
            }
        }
        assert_eq!(days_from_ymd(-1, 1, 1), by_chrono(-1, 1, 1));
        assert_eq!(days_from_ymd(10_000, 1, 1), by_chrono(10_000, 1, 1));
    }

    #[test]
    fn name_maps() {
        let names = [
            "id",
            "a",
            "ab",
            "abc",
            "abcd",
            "abcde",
            "birth_date",
            "benefit",
            "benefit_start",
            "digital_post_exempt",
            "digital_post_exempx",
            "xigital_post_exempt",
            "æøå",
        ];
        let map: NameMap<usize> = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.to_string(), i))
            .collect();
        for (i, n) in names.iter().enumerate() {
            assert_eq!(map.get(n), Some(&i));
        }
        for miss in [
            "",
            "b",
            "abcdef",
            "birth_datE",
            "digital_post_exemp",
            "ø",
            "abcdefgh_32345678",
            "abcdefghi12345678",
        ] {
            assert_eq!(map.get(miss), None);
        }
        let twice: NameMap<u8> = [("x".to_string(), 1), ("x".to_string(), 2)]
            .into_iter()
            .collect();
        assert_eq!(twice.get("x"), Some(&2));
        let empty: NameMap<u8> = std::iter::empty().collect();
        assert_eq!(empty.get("x"), None);
    }

    #[test]
    fn fixed_point() {
        assert_eq!(parse_fixed("37.5", 4), Ok(375_000));
        assert_eq!(parse_fixed("37,5", 4), Ok(375_000));
        assert_eq!(parse_fixed("-0.0001", 4), Ok(-1));
        assert_eq!(parse_fixed("75", 2), Ok(7_500));
        assert_eq!(parse_fixed("12.5", 2), Ok(1_250));
        assert!(parse_fixed("1.23456", 4).is_err());
        assert!(parse_fixed(".", 4).is_err());
        assert!(parse_fixed("1e5", 4).is_err());
        assert_eq!(float_fixed(37.5, DECIMAL_SCALE), Ok(375_000));
        assert_eq!(float_fixed(0.1, DECIMAL_SCALE), Ok(1_000));
        assert_eq!(float_fixed(75.0, 100), Ok(7_500));
        assert!(float_fixed(0.12345, DECIMAL_SCALE).is_err());
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration(FieldType::Days, "8 weeks"), Ok(56));
        assert_eq!(parse_duration(FieldType::Days, "10"), Ok(10));
        assert_eq!(parse_duration(FieldType::Months, "2 years"), Ok(24));
        assert_eq!(parse_duration(FieldType::Months, "6 måneder"), Ok(6));
        assert!(parse_duration(FieldType::Months, "4 weeks").is_err());
        assert!(parse_duration(FieldType::Days, "weeks").is_err());
    }

    #[test]
    fn suggestions() {
        let names = ["dagpenge", "kontanthjaelp", "sygedagpenge"];
        assert_eq!(closest("dagpenje", names.into_iter()), Some("dagpenge"));
        assert_eq!(
            closest("Kontanthjælp", names.into_iter()),
            Some("kontanthjaelp")
        );
        assert_eq!(closest("xyz", names.into_iter()), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn periods_cell() {
        let mut v = Vec::new();
        assert!(parse_periods_cell("2026-01-01..2026-03-31|2026-05-01..", &mut v).is_ok());
        assert_eq!(v, vec![(20454, 20543), (20574, OPEN_END)]);
        assert!(parse_periods_cell("2026-03-01..2026-01-01", &mut v).is_err());
    }
}
