//! Cases laid out for the VM: a struct of arrays per batch of cases, so
//! evaluation touches contiguous memory and allocates nothing per case.
//!
//! INVARIANT: within a case, each kind's events are sorted by date
//! (ascending), so window counts are binary searches; each periods field's
//! intervals are sorted by start and have `start <= end`.

use crate::bytecode::program::{FieldType, Schema};

/// An open period end (the period is still running).
pub const OPEN_END: i32 = i32::MAX;

/// Many cases in columnar form. Build with `CaseBatch::new` and `push`.
#[derive(Debug, Clone, Default)]
pub struct CaseBatch {
    ids: Vec<String>,
    /// 1-based line (NDJSON) or row (CSV) each case came from; 0 if built in code.
    lines: Vec<u64>,
    nfields: usize,
    /// Case i's fields are `fields[i * nfields..(i + 1) * nfields]`.
    fields: Vec<i64>,
    /// Schema field index of each periods field, in schema order.
    period_fields: Vec<u16>,
    periods: Vec<(i32, i32)>,
    /// Case i, periods field j: `periods[period_offsets[i * np + j]..period_offsets[i * np + j + 1]]`.
    period_offsets: Vec<u32>,
    events: Vec<EventColumn>,
}

/// One event kind's events for every case in the batch.
#[derive(Debug, Clone, Default)]
struct EventColumn {
    width: usize,
    dates: Vec<i32>,
    /// Event e's fields are `values[e * width..(e + 1) * width]`.
    values: Vec<i64>,
    /// Case i's events are `case_offsets[i]..case_offsets[i + 1]`.
    case_offsets: Vec<u32>,
}

/// One case's data before it joins a batch.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CaseData {
    pub id: String,
    /// One value per schema field (periods fields: 0).
    pub fields: Vec<i64>,
    /// One list per periods field, in schema order.
    pub periods: Vec<Vec<(i32, i32)>>,
    /// One list per event kind: (date, field values).
    pub events: Vec<Vec<(i32, Vec<i64>)>>,
}

impl CaseData {
    /// An empty case shaped for `schema`.
    pub fn new(schema: &Schema, id: impl Into<String>) -> CaseData {
        let nperiods = schema
            .fields
            .iter()
            .filter(|f| f.ty == FieldType::Periods)
            .count();
        CaseData {
            id: id.into(),
            fields: vec![0; schema.fields.len()],
            periods: vec![Vec::new(); nperiods],
            events: vec![Vec::new(); schema.events.len()],
        }
    }
}

/// One case's data in buffers that are cleared, not freed, between rows.
#[derive(Debug, Clone, Default)]
pub(crate) struct CaseBuf {
    pub id: String,
    /// One value per schema field (periods fields: 0).
    pub fields: Vec<i64>,
    /// One list per periods field, in schema order.
    pub periods: Vec<Vec<(i32, i32)>>,
    /// One per event kind, in input order (`push_buf` sorts).
    pub events: Vec<EventBuf>,
    /// Scratch for sorting events.
    order: Vec<u32>,
}

/// One kind's events of one case: event e's fields are
/// `values[e * width..(e + 1) * width]`, `width` the kind's field count.
#[derive(Debug, Clone, Default)]
pub(crate) struct EventBuf {
    pub dates: Vec<i32>,
    pub values: Vec<i64>,
}

impl CaseBuf {
    pub fn new(schema: &Schema) -> CaseBuf {
        let nperiods = schema
            .fields
            .iter()
            .filter(|f| f.ty == FieldType::Periods)
            .count();
        CaseBuf {
            id: String::new(),
            fields: vec![0; schema.fields.len()],
            periods: vec![Vec::new(); nperiods],
            events: vec![EventBuf::default(); schema.events.len()],
            order: Vec::new(),
        }
    }

    /// Empties the id, the periods and the events; fields are the caller's.
    pub fn clear(&mut self) {
        self.id.clear();
        for list in &mut self.periods {
            list.clear();
        }
        for ev in &mut self.events {
            ev.dates.clear();
            ev.values.clear();
        }
    }
}

impl EventColumn {
    /// Appends `ev`'s events ordered by date, ties in input order (the
    /// stable sort `push` does); exports are nearly always sorted already.
    fn push_sorted(&mut self, ev: &EventBuf, order: &mut Vec<u32>) {
        let w = self.width;
        let n = ev.dates.len();
        let start = self.values.len();
        if ev.dates.windows(2).all(|p| matches!(p, [a, b] if a <= b)) {
            self.dates.extend_from_slice(&ev.dates);
            self.values
                .extend_from_slice(ev.values.get(..n * w).unwrap_or(&[]));
        } else {
            order.clear();
            order.extend(0..n as u32);
            order.sort_by_key(|&e| ev.dates.get(e as usize).copied().unwrap_or(0));
            for &e in order.iter() {
                let e = e as usize;
                self.dates.push(ev.dates.get(e).copied().unwrap_or(0));
                self.values
                    .extend_from_slice(ev.values.get(e * w..(e + 1) * w).unwrap_or(&[]));
            }
        }
        // short rows (never from the reader) are padded as `push` pads them
        self.values.resize(start + n * w, 0);
    }
}

impl CaseBatch {
    pub fn new(schema: &Schema) -> CaseBatch {
        let period_fields = schema
            .fields
            .iter()
            .enumerate()
            .filter(|(_, f)| f.ty == FieldType::Periods)
            .map(|(i, _)| i as u16)
            .collect();
        CaseBatch {
            ids: Vec::new(),
            lines: Vec::new(),
            nfields: schema.fields.len(),
            fields: Vec::new(),
            period_fields,
            periods: Vec::new(),
            period_offsets: vec![0],
            events: schema
                .events
                .iter()
                .map(|k| EventColumn {
                    width: k.fields.len(),
                    case_offsets: vec![0],
                    ..EventColumn::default()
                })
                .collect(),
        }
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    pub fn clear(&mut self) {
        self.ids.clear();
        self.lines.clear();
        self.fields.clear();
        self.periods.clear();
        self.period_offsets.truncate(1);
        for col in &mut self.events {
            col.dates.clear();
            col.values.clear();
            col.case_offsets.truncate(1);
        }
    }

    /// Adds a case; sorts its events and periods. `line` is where it came from
    /// (0 if built in code). The case must be shaped by `CaseData::new` for
    /// the same schema; missing values are filled with 0.
    pub fn push(&mut self, mut case: CaseData, line: u64) {
        self.ids.push(std::mem::take(&mut case.id));
        self.lines.push(line);
        case.fields.resize(self.nfields, 0);
        self.fields.extend_from_slice(&case.fields);
        case.periods.resize(self.period_fields.len(), Vec::new());
        for list in &mut case.periods {
            list.sort_unstable();
            self.periods.extend_from_slice(list);
            self.period_offsets.push(self.periods.len() as u32);
        }
        case.events.resize(self.events.len(), Vec::new());
        for (col, mut list) in self.events.iter_mut().zip(case.events) {
            list.sort_by_key(|(d, _)| *d);
            for (date, mut values) in list {
                col.dates.push(date);
                values.resize(col.width, 0);
                col.values.extend_from_slice(&values);
            }
            col.case_offsets.push(col.dates.len() as u32);
        }
    }

    /// Adds a case from reusable buffers (the NDJSON reader's, which keeps
    /// their capacity from row to row, so a row costs no allocation but its
    /// id). Sorts as `push` does: periods by value, each kind's events by
    /// date, stably. `case` must be shaped by `CaseBuf::new` for the same schema.
    pub(crate) fn push_buf(&mut self, case: &mut CaseBuf, line: u64) {
        self.ids.push(case.id.clone());
        self.lines.push(line);
        let start = self.fields.len();
        self.fields.extend_from_slice(&case.fields);
        self.fields.resize(start + self.nfields, 0);
        for j in 0..self.period_fields.len() {
            if let Some(list) = case.periods.get_mut(j) {
                list.sort_unstable();
                self.periods.extend_from_slice(list);
            }
            self.period_offsets.push(self.periods.len() as u32);
        }
        for (k, col) in self.events.iter_mut().enumerate() {
            if let Some(ev) = case.events.get(k) {
                col.push_sorted(ev, &mut case.order);
            }
            col.case_offsets.push(col.dates.len() as u32);
        }
    }

    /// Appends cases `range` of `other` (a batch of the same schema), as
    /// if they had been pushed one by one. Their ids are moved, not copied:
    /// `other` is left with empty ids there, fit only to be cleared.
    pub(crate) fn take_from(&mut self, other: &mut CaseBatch, range: std::ops::Range<usize>) {
        let (s, e) = (range.start, range.end.min(other.len()));
        if s >= e {
            return;
        }
        if let Some(ids) = other.ids.get_mut(s..e) {
            self.ids.extend(ids.iter_mut().map(std::mem::take));
        }
        self.lines
            .extend_from_slice(other.lines.get(s..e).unwrap_or(&[]));
        let n = self.nfields;
        self.fields
            .extend_from_slice(other.fields.get(s * n..e * n).unwrap_or(&[]));
        let np = self.period_fields.len();
        let offsets = other.period_offsets.get(s * np..=e * np).unwrap_or(&[]);
        if let (Some(&first), Some(&last)) = (offsets.first(), offsets.last()) {
            let base = self.periods.len() as u32;
            self.periods.extend_from_slice(
                other
                    .periods
                    .get(first as usize..last as usize)
                    .unwrap_or(&[]),
            );
            self.period_offsets
                .extend(offsets.iter().skip(1).map(|o| o - first + base));
        }
        for (col, from) in self.events.iter_mut().zip(&other.events) {
            let offsets = from.case_offsets.get(s..=e).unwrap_or(&[]);
            let (Some(&first), Some(&last)) = (offsets.first(), offsets.last()) else {
                continue;
            };
            let (first, last) = (first as usize, last as usize);
            let base = col.dates.len();
            col.dates
                .extend_from_slice(from.dates.get(first..last).unwrap_or(&[]));
            col.values.extend_from_slice(
                from.values
                    .get(first * from.width..last * from.width)
                    .unwrap_or(&[]),
            );
            col.case_offsets.extend(
                offsets
                    .iter()
                    .skip(1)
                    .map(|o| (*o as usize - first + base) as u32),
            );
        }
    }

    /// A view of case `i`. INVARIANT: `i < self.len()`.
    pub fn case(&self, i: usize) -> CaseRef<'_> {
        CaseRef { batch: self, i }
    }

    pub fn id(&self, i: usize) -> &str {
        self.ids.get(i).map(String::as_str).unwrap_or("")
    }

    pub fn line(&self, i: usize) -> u64 {
        self.lines.get(i).copied().unwrap_or(0)
    }
}

/// A borrowed view of one case in a batch.
#[derive(Debug, Clone, Copy)]
pub struct CaseRef<'a> {
    batch: &'a CaseBatch,
    i: usize,
}

impl<'a> CaseRef<'a> {
    pub fn id(&self) -> &'a str {
        self.batch.id(self.i)
    }

    /// All field values (periods fields hold 0).
    pub fn fields(&self) -> &'a [i64] {
        let n = self.batch.nfields;
        self.batch
            .fields
            .get(self.i * n..(self.i + 1) * n)
            .unwrap_or(&[])
    }

    /// The intervals of schema field `field` (a periods field), sorted by start.
    pub fn periods(&self, field: u16) -> &'a [(i32, i32)] {
        let b = self.batch;
        let Some(j) = b.period_fields.iter().position(|f| *f == field) else {
            return &[];
        };
        let np = b.period_fields.len();
        let at = self.i * np + j;
        match (b.period_offsets.get(at), b.period_offsets.get(at + 1)) {
            (Some(&s), Some(&e)) => b.periods.get(s as usize..e as usize).unwrap_or(&[]),
            _ => &[],
        }
    }

    /// Kind `kind`'s events: their dates (ascending) and their field values
    /// (row-major, `width` values per event).
    pub fn events(&self, kind: u16) -> Events<'a> {
        let Some(col) = self.batch.events.get(kind as usize) else {
            return Events::EMPTY;
        };
        let (s, e) = match (
            col.case_offsets.get(self.i),
            col.case_offsets.get(self.i + 1),
        ) {
            (Some(&s), Some(&e)) => (s as usize, e as usize),
            _ => return Events::EMPTY,
        };
        Events {
            dates: col.dates.get(s..e).unwrap_or(&[]),
            values: col.values.get(s * col.width..e * col.width).unwrap_or(&[]),
            width: col.width,
        }
    }
}

/// One case's events of one kind.
#[derive(Debug, Clone, Copy)]
pub struct Events<'a> {
    /// ascending
    pub dates: &'a [i32],
    pub values: &'a [i64],
    pub width: usize,
}

impl<'a> Events<'a> {
    pub const EMPTY: Events<'static> = Events {
        dates: &[],
        values: &[],
        width: 0,
    };

    pub fn len(&self) -> usize {
        self.dates.len()
    }

    pub fn is_empty(&self) -> bool {
        self.dates.is_empty()
    }

    /// Event `e`'s field values.
    pub fn row(&self, e: usize) -> &'a [i64] {
        self.values
            .get(e * self.width..(e + 1) * self.width)
            .unwrap_or(&[])
    }
}
