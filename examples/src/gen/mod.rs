//! A deterministic synthetic caseload generator, driven by a compiled
//! policy's schema: every case field and event kind the schema declares gets
//! valid values, so the output always passes the runtime's readers. Fields
//! and events it knows by name (RULES.md §4, `policies/schema.pol`) get a
//! jobcenter's spreads instead of noise; the policy's own deadlines (read
//! from its compiled rules) decide where benefit starts and events cluster,
//! so statuses land on, just before and just after due dates.
//!
//! Case `i` is generated from its own PRNG stream (`Rng::for_item(seed, i)`),
//! so a case does not depend on the ones before it; the only cross-case
//! state is the set of ids already handed out.
//!
//! Memory: one case at a time, in buffers reused for every case.

mod comply;
mod model;
mod tables;
mod write;

use std::collections::HashSet;
use std::io::{self, Write};

use pol_runtime::bytecode::program::{FieldDef, FieldType, Program, Schema};

use crate::rng::Rng;

pub use tables::Deadlines;

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenOptions {
    pub cases: u64,
    pub seed: u64,
    /// The evaluation date the caseload is made for (days since 1970-01-01):
    /// benefit starts and events are placed relative to it.
    pub as_of: i32,
}

/// What a run produced.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GenStats {
    pub cases: u64,
    pub events: u64,
    /// Bytes written (both files for CSV).
    pub bytes: u64,
}

/// A value of a field, before it is written in one format or the other.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Val {
    Bool(bool),
    Int(i64),
    /// Fixed point, `DECIMAL_SCALE` units per 1 (the program's own scale).
    Dec(i64),
    /// Percent, in `DECIMAL_SCALE` units per 1% (75% is 750_000).
    Pct(i64),
    /// A synthetic text: written as `t<n>`.
    Text(u32),
    Date(i32),
    Days(i32),
    Months(i32),
    Enum(u16),
    /// `periods[start..start + len]` of the current case.
    Periods(u32, u32),
    /// An explicit `null` (an absent optional or a default, written out as a
    /// full export would).
    Null,
}

impl Val {
    /// The value as the program holds it (`None` for text, periods and null,
    /// which never equal a default the generator could compare).
    pub(crate) fn as_i64(self) -> Option<i64> {
        match self {
            Val::Bool(b) => Some(i64::from(b)),
            Val::Int(n) | Val::Dec(n) => Some(n),
            Val::Pct(x) => Some(x / 100),
            Val::Date(d) | Val::Days(d) | Val::Months(d) => Some(i64::from(d)),
            Val::Enum(i) => Some(i64::from(i)),
            Val::Text(_) | Val::Periods(..) | Val::Null => None,
        }
    }
}

/// One event of the current case; its field values are
/// `ev_vals[vals..vals + width]` (`None`: left out).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ev {
    pub date: i32,
    pub kind: u16,
    /// Insertion order: the tie-break that keeps sorting deterministic.
    pub seq: u32,
    pub vals: u32,
}

/// Generates cases for one program. Build once, then call `ndjson` or `csv`.
pub struct Generator<'p> {
    program: &'p Program,
    opts: GenOptions,
    tables: tables::Tables,
    /// Pre-rendered names: `"field":` for NDJSON keys and bare for CSV.
    field_names: Vec<String>,
    kind_names: Vec<String>,
    /// Variant names per enum.
    variants: Vec<Vec<String>>,
    // --- the current case ---
    id: [u8; 10],
    b: CaseBuf,
    /// Write defaults and absent optionals as explicit values/nulls.
    full_export: bool,
    ids: HashSet<u64>,
    /// The runtime, judging each case against the policy (`comply.rs`).
    judge: Option<comply::Judge>,
}

impl<'p> Generator<'p> {
    pub fn new(program: &'p Program, opts: GenOptions) -> Generator<'p> {
        let name = |id: u32| -> String {
            program
                .strings
                .get(id as usize)
                .cloned()
                .unwrap_or_default()
        };
        let schema = &program.schema;
        Generator {
            program,
            tables: tables::Tables::new(program),
            field_names: schema.fields.iter().map(|f| name(f.name)).collect(),
            kind_names: schema.events.iter().map(|k| name(k.name)).collect(),
            variants: schema
                .enums
                .iter()
                .map(|e| e.variants.iter().map(|v| name(*v)).collect())
                .collect(),
            id: [b'0'; 10],
            b: CaseBuf {
                vals: vec![None; schema.fields.len()],
                ..CaseBuf::default()
            },
            full_export: false,
            judge: comply::Judge::new(program),
            ids: HashSet::with_capacity(opts.cases.min(1 << 24) as usize),
            opts,
        }
    }

    /// The deadlines read from the policy's rules (for reports and tests).
    pub fn deadlines(&self) -> &Deadlines {
        &self.tables.deadlines
    }

    /// Writes the caseload as NDJSON, one case per line.
    pub fn ndjson<W: Write>(&mut self, out: W) -> io::Result<GenStats> {
        let mut out = io::BufWriter::with_capacity(1 << 20, out);
        let mut line = Vec::with_capacity(4096);
        let mut stats = GenStats::default();
        for i in 0..self.opts.cases {
            self.case(i);
            line.clear();
            self.write_ndjson(&mut line);
            out.write_all(&line)?;
            stats.cases += 1;
            stats.events += self.b.events.len() as u64;
            stats.bytes += line.len() as u64;
        }
        out.flush()?;
        Ok(stats)
    }

    /// Writes the caseload as a CSV pair with `;` separators and `,` as the
    /// decimal mark, as Danish case systems export it.
    pub fn csv<C: Write, E: Write>(&mut self, cases: C, events: E) -> io::Result<GenStats> {
        let mut cases = io::BufWriter::with_capacity(1 << 20, cases);
        let mut events = io::BufWriter::with_capacity(1 << 20, events);
        let columns = self.event_columns();
        let mut a = Vec::with_capacity(4096);
        let mut b = Vec::with_capacity(4096);
        self.write_csv_headers(&columns, &mut a, &mut b);
        cases.write_all(&a)?;
        events.write_all(&b)?;
        let mut stats = GenStats {
            bytes: (a.len() + b.len()) as u64,
            ..GenStats::default()
        };
        for i in 0..self.opts.cases {
            self.case(i);
            a.clear();
            b.clear();
            self.write_csv(&columns, &mut a, &mut b);
            cases.write_all(&a)?;
            events.write_all(&b)?;
            stats.cases += 1;
            stats.events += self.b.events.len() as u64;
            stats.bytes += (a.len() + b.len()) as u64;
        }
        cases.flush()?;
        events.flush()?;
        Ok(stats)
    }

    /// Fills the current-case buffers with case `index`.
    fn case(&mut self, index: u64) {
        let mut rng = Rng::for_item(self.opts.seed, index);
        self.b.vals.iter_mut().for_each(|v| *v = None);
        self.b.periods.clear();
        self.b.events.clear();
        self.b.ev_vals.clear();
        self.full_export = rng.chance(2.0);
        let mut facts = model::facts(&mut rng, &self.tables, self.opts.as_of);
        self.assign_id(&mut rng, facts.birth, index);
        let program = self.program;
        let mut cx = Cx {
            t: &self.tables,
            schema: &program.schema,
            as_of: self.opts.as_of,
            b: &mut self.b,
        };
        model::fill_case(&mut cx, &mut rng, &facts);
        // what the policy's targets test on the case, then the events as
        // the caseworker holds them, then what the policy asks of them
        if let Some(judge) = self.judge.as_mut() {
            judge.targets_on_fields(&mut cx, &mut rng, program);
            model::follow_fields(&mut facts, &cx);
        }
        model::fill_events(&mut cx, &mut rng, &facts);
        if let Some(judge) = self.judge.as_mut() {
            judge.events(&mut cx, &mut rng, &facts, program);
        }
        self.b.events.sort_unstable_by_key(|e| (e.date, e.seq));
    }

    /// A CPR-like id: the birth date as DDMMYY and four digits, unique in
    /// the run (on a clash the four digits count up). Synthetic: the digits
    /// are random and carry no check digit.
    fn assign_id(&mut self, rng: &mut Rng, birth: i32, index: u64) {
        let c = pol_runtime::vm::dates::civil_from_days(i64::from(birth));
        let ddmmyy =
            u64::from(c.day) * 10_000 + u64::from(c.month) * 100 + (c.year.rem_euclid(100)) as u64;
        let start = rng.below(10_000);
        let mut n = None;
        for k in 0..10_000 {
            let candidate = ddmmyy * 10_000 + (start + k) % 10_000;
            if self.ids.insert(candidate) {
                n = Some(candidate);
                break;
            }
        }
        // Ten thousand people born on one day is beyond any caseload; the
        // case index keeps the id unique even then.
        let n = n.unwrap_or(9_000_000_000 + index % 1_000_000_000);
        let mut x = n;
        for slot in self.id.iter_mut().rev() {
            *slot = b'0' + (x % 10) as u8;
            x /= 10;
        }
    }
}

/// The current case, in buffers reused for every case.
#[derive(Debug, Default)]
pub(crate) struct CaseBuf {
    /// One per schema field; `None` leaves the field out.
    pub vals: Vec<Option<Val>>,
    pub periods: Vec<(i32, Option<i32>)>,
    pub events: Vec<Ev>,
    pub ev_vals: Vec<Option<Val>>,
}

/// What the model needs while it fills a case.
pub(crate) struct Cx<'a> {
    pub t: &'a tables::Tables,
    pub schema: &'a Schema,
    pub as_of: i32,
    pub b: &'a mut CaseBuf,
}

impl Cx<'_> {
    /// Starts an event of `kind` on `date` with generic values in its fields,
    /// which the model then overrides where it knows better; returns where
    /// its values start.
    pub fn event(&mut self, rng: &mut Rng, kind: u16, date: i32) -> Option<usize> {
        let k = self.schema.events.get(kind as usize)?;
        let start = self.b.ev_vals.len();
        for f in &k.fields {
            let v = generic_value(rng, f, &self.schema.enums, self.as_of, true);
            self.b.ev_vals.push(v);
        }
        let seq = self.b.events.len() as u32;
        self.b.events.push(Ev {
            date,
            kind,
            seq,
            vals: start as u32,
        });
        Some(start)
    }

    /// Sets field `field` of the event whose values start at `start`.
    pub fn set_ev(&mut self, start: usize, field: Option<u16>, v: Option<Val>) {
        if let Some(f) = field {
            if let Some(slot) = self.b.ev_vals.get_mut(start + f as usize) {
                *slot = v;
            }
        }
    }

    pub fn set(&mut self, field: Option<u16>, v: Option<Val>) {
        if let Some(slot) = field.and_then(|f| self.b.vals.get_mut(f as usize)) {
            *slot = v;
        }
    }

    pub fn add_periods(&mut self, field: Option<u16>, list: &[(i32, Option<i32>)]) {
        if list.is_empty() {
            return;
        }
        let start = self.b.periods.len() as u32;
        self.b.periods.extend_from_slice(list);
        self.set(field, Some(Val::Periods(start, list.len() as u32)));
    }
}

/// A valid value for a field the generator has no domain knowledge of:
/// required fields always get one; fields with a default keep it most of the
/// time; optionals are present half the time.
pub(crate) fn generic_value(
    rng: &mut Rng,
    f: &FieldDef,
    enums: &[pol_runtime::bytecode::program::EnumDef],
    as_of: i32,
    quiet: bool,
) -> Option<Val> {
    let required = f.required();
    if !required {
        let keep = if quiet { 92.0 } else { 50.0 };
        if f.default.is_some() && rng.chance(keep) {
            return None;
        }
        if f.optional && rng.chance(50.0) {
            return None;
        }
    }
    Some(match f.ty {
        FieldType::Bool => Val::Bool(match f.default {
            Some(d) => d == 0,
            None => rng.chance(50.0),
        }),
        FieldType::Int => Val::Int(rng.range(0, 40)),
        FieldType::Decimal => Val::Dec(rng.range(0, 80) * 5_000),
        FieldType::Percent => Val::Pct(rng.range(0, 100) * 10_000),
        FieldType::Text => Val::Text(rng.below(1000) as u32),
        FieldType::Date => Val::Date(as_of - rng.range(0, 730) as i32),
        FieldType::Days => Val::Days(rng.range(1, 26) as i32 * 7),
        FieldType::Months => Val::Months(rng.range(1, 24) as i32),
        FieldType::Enum(e) => {
            let n = enums.get(e as usize).map_or(0, |d| d.variants.len());
            Val::Enum(rng.below(n as u64) as u16)
        }
        // a few percent of cases get one period, some still running
        FieldType::Periods => return None,
    })
}
