//! The CSV case reader: a cases file (`id` + field columns) and an events
//! file (`id;kind;date;<event field columns>`) joined by case id.
//!
//! The events file is read whole when the reader is opened and indexed by
//! case id (its events are compact; case systems rarely export them sorted
//! by case), then the cases file is streamed in chunks like NDJSON. Header
//! problems stop the reader: no row of a file whose columns are unknown can
//! be read reliably.

use std::collections::HashMap;
use std::io::{self, BufRead};

use crate::bytecode::program::{FieldType, Program};
use crate::caseload::batch::{CaseBatch, CaseData};
use crate::caseload::errors::{InputCode, InputError, ReadSummary};
use crate::caseload::input::{
    duplicate, not_utf8, too_long, IdSet, Line, LineReader, ReadOptions, RowError,
};
use crate::caseload::values::{closest, parse_date, parse_periods_cell, SchemaIndex};
use crate::caseload::CaseReader;

/// Why a CSV caseload cannot be read at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CsvError {
    #[error("cannot read the input: {0}")]
    Io(#[from] io::Error),
    #[error("{0}")]
    Header(Box<InputError>),
}

/// Splits one line into cells at `sep`, honouring `"..."` quoting with `""`
/// for a quote. Cells are pushed as byte ranges into `line` when unquoted.
fn split_cells(line: &str, sep: u8, out: &mut Vec<String>) -> Result<(), u64> {
    out.clear();
    let b = line.as_bytes();
    let mut i = 0;
    loop {
        if b.get(i) == Some(&b'"') {
            let mut cell = String::new();
            let mut j = i + 1;
            loop {
                match b.get(j) {
                    None => return Err(i as u64 + 1),
                    Some(b'"') if b.get(j + 1) == Some(&b'"') => {
                        cell.push('"');
                        j += 2;
                    }
                    Some(b'"') => {
                        j += 1;
                        break;
                    }
                    Some(_) => {
                        let next = (j + 1..=b.len())
                            .find(|k| b.get(*k).is_none_or(|c| *c == b'"'))
                            .unwrap_or(b.len());
                        cell.push_str(line.get(j..next).unwrap_or(""));
                        j = next;
                    }
                }
            }
            out.push(cell);
            match b.get(j) {
                None => return Ok(()),
                Some(c) if *c == sep => i = j + 1,
                Some(_) => return Err(j as u64 + 1),
            }
        } else {
            let end = b
                .get(i..)
                .and_then(|rest| rest.iter().position(|c| *c == sep))
                .map_or(b.len(), |p| i + p);
            out.push(line.get(i..end).unwrap_or("").trim().to_owned());
            if end >= b.len() {
                return Ok(());
            }
            i = end + 1;
        }
    }
}

/// `;` or `,`, whichever the header uses more.
fn detect_separator(header: &str) -> u8 {
    let semi = header.bytes().filter(|c| *c == b';').count();
    let comma = header.bytes().filter(|c| *c == b',').count();
    if comma > semi {
        b','
    } else {
        b';'
    }
}

fn bad_quote(column: u64) -> RowError {
    let mut e = RowError::new(
        InputCode::BadQuote,
        None,
        "a quoted cell is not closed, or text follows its closing quote",
    )
    .help("quote a whole cell as `\"...\"` and write a quote inside it as `\"\"`");
    e.column = Some(column);
    e
}

fn header_error(file: &Option<String>, e: RowError) -> CsvError {
    CsvError::Header(Box::new(InputError {
        code: e.code,
        file: file.clone(),
        line: 1,
        column: e.column,
        case_id: None,
        field: e.field,
        message: e.message,
        help: e.help,
    }))
}

/// Reads the header line of `lines`; `None` if the file is empty.
fn read_header<R: BufRead>(
    lines: &mut LineReader<R>,
    file: &Option<String>,
    limit: usize,
) -> Result<Option<(u8, Vec<String>)>, CsvError> {
    loop {
        match lines.next_line()? {
            Line::Eof => return Ok(None),
            Line::TooLong => return Err(header_error(file, too_long(limit))),
            Line::Text => {
                let text = lines.text().map_err(|c| header_error(file, not_utf8(c)))?;
                if text.trim().is_empty() {
                    continue;
                }
                let sep = detect_separator(text);
                let mut cells = Vec::new();
                split_cells(text, sep, &mut cells).map_err(|c| header_error(file, bad_quote(c)))?;
                let mut seen = HashMap::new();
                for c in &cells {
                    if seen.insert(c.clone(), ()).is_some() {
                        return Err(header_error(
                            file,
                            RowError::new(
                                InputCode::BadHeader,
                                Some(c.clone()),
                                format!("the column `{c}` appears twice"),
                            )
                            .help("give each column once"),
                        ));
                    }
                }
                return Ok(Some((sep, cells)));
            }
        }
    }
}

struct EventRow {
    kind: u16,
    date: i32,
    values: Vec<i64>,
}

#[derive(Default)]
struct CaseEvents {
    /// The first events-file row for this id.
    first_line: u64,
    events: Vec<EventRow>,
    /// The first bad event row: it rejects the case.
    bad: Option<InputError>,
}

/// Reads a CSV caseload in chunks. See `docs/caseload-format.md`.
pub struct CsvReader<R> {
    lines: LineReader<R>,
    ix: SchemaIndex,
    options: ReadOptions,
    sep: u8,
    /// Column -> schema field; `None` for `id`.
    columns: Vec<Option<usize>>,
    id_col: usize,
    events: HashMap<String, CaseEvents>,
    ids: IdSet,
    summary: ReadSummary,
    template: CaseData,
    cells: Vec<String>,
    done: bool,
    events_file: Option<String>,
}

/// Names the events file in its errors.
#[derive(Debug, Clone, Default)]
pub struct CsvOptions {
    pub read: ReadOptions,
    pub events_file_name: Option<String>,
}

impl<R: BufRead> CsvReader<R> {
    /// Opens a caseload: reads the cases file's header and the whole events
    /// file (if any). Bad event rows are kept to reject their cases.
    pub fn new<E: BufRead>(
        program: &Program,
        cases: R,
        events: Option<E>,
        options: CsvOptions,
    ) -> Result<CsvReader<R>, CsvError> {
        let ix = SchemaIndex::new(program);
        let read = options.read;
        let mut lines = LineReader::new(cases, read.max_line_bytes);
        let file = read.file_name.clone();
        let header = read_header(&mut lines, &file, read.max_line_bytes)?;
        let (sep, names) = header.unwrap_or((b';', Vec::new()));
        let mut columns = Vec::new();
        let mut id_col = None;
        let mut has = vec![false; ix.fields.len()];
        for (c, name) in names.iter().enumerate() {
            if name == "id" {
                id_col = Some(c);
                columns.push(None);
                continue;
            }
            let Some(&f) = ix.field_index.get(name.as_str()) else {
                let help = closest(name, ix.fields.iter().map(|f| f.name.as_str()))
                    .map(|s| format!("did you mean `{s}`?"))
                    .unwrap_or_else(|| "the schema does not declare this field".into());
                return Err(header_error(
                    &file,
                    RowError::new(
                        InputCode::UnknownField,
                        Some(name.clone()),
                        format!("unknown column `{name}`"),
                    )
                    .help(help),
                ));
            };
            if let Some(h) = has.get_mut(f) {
                *h = true;
            }
            columns.push(Some(f));
        }
        if !names.is_empty() {
            let Some(id_col_found) = id_col else {
                return Err(header_error(
                    &file,
                    RowError::new(InputCode::BadHeader, Some("id".into()), "no `id` column")
                        .help("the first line names the columns: `id` and the case fields"),
                ));
            };
            id_col = Some(id_col_found);
            if let Some(missing) = ix
                .fields
                .iter()
                .zip(&has)
                .find(|(f, h)| f.required() && !**h)
            {
                return Err(header_error(
                    &file,
                    RowError::new(
                        InputCode::MissingField,
                        Some(missing.0.name.clone()),
                        format!("no column for the required field `{}`", missing.0.name),
                    )
                    .help("add the column; every row must give required fields"),
                ));
            }
        }
        let mut reader = CsvReader {
            lines,
            template: CaseData::new(&program.schema, ""),
            ix,
            sep,
            columns,
            id_col: id_col.unwrap_or(0),
            events: HashMap::new(),
            ids: IdSet::default(),
            summary: ReadSummary::default(),
            cells: Vec::new(),
            done: names.is_empty(),
            options: read,
            events_file: options.events_file_name.clone(),
        };
        if let Some(events) = events {
            reader.load_events(events, options.events_file_name)?;
        }
        Ok(reader)
    }

    fn load_events<E: BufRead>(&mut self, input: E, file: Option<String>) -> Result<(), CsvError> {
        let limit = self.options.max_line_bytes;
        let mut lines = LineReader::new(input, limit);
        let Some((sep, names)) = read_header(&mut lines, &file, limit)? else {
            return Ok(());
        };
        let fixed = ["id", "kind", "date"];
        if names
            .get(..3)
            .map(|n| n.iter().map(String::as_str).eq(fixed))
            != Some(true)
        {
            return Err(header_error(
                &file,
                RowError::new(
                    InputCode::BadHeader,
                    None,
                    "the events file must start with the columns `id`, `kind`, `date`",
                )
                .help("write the header as `id;kind;date;<event fields...>`"),
            ));
        }
        let field_cols: Vec<String> = names.get(3..).unwrap_or(&[]).to_vec();
        for name in &field_cols {
            if !self.ix.kinds.iter().any(|k| k.index.contains_key(name)) {
                let all = self
                    .ix
                    .kinds
                    .iter()
                    .flat_map(|k| k.fields.iter().map(|f| f.name.as_str()));
                let help = closest(name, all)
                    .map(|s| format!("did you mean `{s}`?"))
                    .unwrap_or_else(|| "no event kind declares this field".into());
                return Err(header_error(
                    &file,
                    RowError::new(
                        InputCode::UnknownField,
                        Some(name.clone()),
                        format!("unknown event field column `{name}`"),
                    )
                    .help(help),
                ));
            }
        }
        let mut cells = Vec::new();
        loop {
            let line = lines.line_no + 1;
            let parsed = match lines.next_line()? {
                Line::Eof => break,
                Line::TooLong => Err((too_long(limit), None)),
                Line::Text => match lines.text() {
                    Err(c) => Err((not_utf8(c), None)),
                    Ok(t) if t.trim().is_empty() => continue,
                    Ok(t) => self.event_row(t, sep, &field_cols, &mut cells),
                },
            };
            let line = lines.line_no.max(line);
            match parsed {
                Ok((id, ev)) => {
                    let entry = self.events.entry(id).or_default();
                    if entry.first_line == 0 {
                        entry.first_line = line;
                    }
                    entry.events.push(ev);
                }
                Err((e, id)) => {
                    let err = InputError {
                        code: e.code,
                        file: file.clone(),
                        line,
                        column: e.column,
                        case_id: id.as_deref().map(|i| self.options.shown_id(i)),
                        field: e.field,
                        message: e.message,
                        help: e.help,
                    };
                    match id {
                        Some(id) => {
                            let entry = self.events.entry(id).or_default();
                            if entry.first_line == 0 {
                                entry.first_line = line;
                            }
                            entry.bad.get_or_insert(err);
                        }
                        // no case to reject: report it on its own
                        None => self.summary.push_error(err, self.options.max_errors),
                    }
                }
            }
        }
        Ok(())
    }

    fn event_row(
        &self,
        text: &str,
        sep: u8,
        field_cols: &[String],
        cells: &mut Vec<String>,
    ) -> Result<(String, EventRow), (RowError, Option<String>)> {
        split_cells(text, sep, cells).map_err(|c| (bad_quote(c), None))?;
        let id = cells.first().filter(|s| !s.is_empty()).cloned();
        if cells.len() != field_cols.len() + 3 {
            return Err((cell_count(cells.len(), field_cols.len() + 3), id));
        }
        let Some(id) = id else {
            return Err((
                RowError::new(
                    InputCode::MissingField,
                    Some("id".into()),
                    "the case id is empty",
                )
                .help("every event row names its case"),
                None,
            ));
        };
        let fail = |e: RowError| Err((e, Some(id.clone())));
        let kind_name = cells.get(1).map_or("", String::as_str);
        let Some(&kind) = self.ix.kind_index.get(kind_name) else {
            let names = self.ix.kinds.iter().map(|k| k.name.as_str());
            let e = if kind_name.is_empty() {
                RowError::new(
                    InputCode::MissingField,
                    Some("kind".into()),
                    "missing the event kind",
                )
            } else {
                RowError::new(
                    InputCode::UnknownEventKind,
                    Some("kind".into()),
                    format!("unknown event kind `{kind_name}`"),
                )
            };
            let help = closest(kind_name, names)
                .map(|s| format!("did you mean `{s}`?"))
                .unwrap_or_else(|| "name one of the schema's event kinds".into());
            return fail(e.help(help));
        };
        let date_cell = cells.get(2).map_or("", String::as_str);
        if date_cell.is_empty() {
            return fail(
                RowError::new(
                    InputCode::MissingField,
                    Some("date".into()),
                    "missing the event date",
                )
                .help("every event has a date `YYYY-MM-DD`"),
            );
        }
        let date = match parse_date(date_cell) {
            Ok(d) => d,
            Err(e) => return fail(RowError::from_value("date", e)),
        };
        let Some(spec) = self.ix.kinds.get(kind) else {
            return fail(RowError::new(
                InputCode::UnknownEventKind,
                None,
                "unknown event kind",
            ));
        };
        let mut values: Vec<i64> = spec.fields.iter().map(|f| f.absent_value()).collect();
        let mut given = vec![false; spec.fields.len()];
        for (name, cell) in field_cols.iter().zip(cells.iter().skip(3)) {
            if cell.is_empty() {
                continue;
            }
            let Some(&f) = spec.index.get(name.as_str()) else {
                return fail(
                    RowError::new(
                        InputCode::UnknownField,
                        Some(name.clone()),
                        format!("events of kind `{}` have no field `{name}`", spec.name),
                    )
                    .help("leave the cell empty for this kind"),
                );
            };
            let Some(fs) = spec.fields.get(f) else {
                continue;
            };
            if fs.ty == FieldType::Periods {
                return fail(RowError::new(
                    InputCode::WrongType,
                    Some(name.clone()),
                    "event fields cannot be periods",
                ));
            }
            match self.ix.convert_str(fs.ty, cell) {
                Ok(v) => {
                    if let (Some(slot), Some(g)) = (values.get_mut(f), given.get_mut(f)) {
                        *slot = v;
                        *g = true;
                    }
                }
                Err(e) => return fail(RowError::from_value(name.as_str(), e)),
            }
        }
        if let Some((fs, _)) = spec
            .fields
            .iter()
            .zip(&given)
            .find(|(fs, g)| fs.required() && !**g)
        {
            return fail(
                RowError::new(
                    InputCode::MissingField,
                    Some(fs.name.clone()),
                    format!(
                        "missing required field `{}` for event kind `{}`",
                        fs.name, spec.name
                    ),
                )
                .help("give the field in its column"),
            );
        }
        Ok((
            id,
            EventRow {
                kind: kind as u16,
                date,
                values,
            },
        ))
    }

    fn reject(&mut self, e: RowError, id: Option<&str>) {
        self.summary.rows_rejected += 1;
        let err = InputError {
            code: e.code,
            file: self.options.file_name.clone(),
            line: self.lines.line_no,
            column: e.column,
            case_id: id.map(|id| self.options.shown_id(id)),
            field: e.field,
            message: e.message,
            help: e.help,
        };
        self.summary.push_error(err, self.options.max_errors);
    }

    /// Converts the current cells into `case`, or says why not.
    fn case_row(&self, case: &mut CaseData) -> Result<(), RowError> {
        if self.cells.len() != self.columns.len() {
            return Err(cell_count(self.cells.len(), self.columns.len()));
        }
        let id = self.cells.get(self.id_col).map_or("", String::as_str);
        if id.is_empty() {
            return Err(RowError::new(
                InputCode::MissingField,
                Some("id".into()),
                "the case id is empty",
            )
            .help("every case needs a unique, non-empty `id`"));
        }
        case.id = id.to_owned();
        for (col, cell) in self.columns.iter().zip(&self.cells) {
            let Some(f) = *col else { continue };
            let Some(spec) = self.ix.fields.get(f) else {
                continue;
            };
            if spec.ty == FieldType::Periods {
                if let Some(list) = case.periods.get_mut(spec.period_slot) {
                    list.clear();
                    if !cell.is_empty() {
                        parse_periods_cell(cell, list)
                            .map_err(|e| RowError::from_value(spec.name.as_str(), e))?;
                    }
                }
                continue;
            }
            let value = if cell.is_empty() {
                if spec.required() {
                    return Err(RowError::new(
                        InputCode::MissingField,
                        Some(spec.name.clone()),
                        format!("required field `{}` is empty", spec.name),
                    )
                    .help("give a value; only optional fields (`T?`) and fields with a default may be empty"));
                }
                spec.absent_value()
            } else {
                self.ix
                    .convert_str(spec.ty, cell)
                    .map_err(|e| RowError::from_value(spec.name.as_str(), e))?
            };
            if let Some(slot) = case.fields.get_mut(f) {
                *slot = value;
            }
        }
        // fields without a column: defaults (required ones were checked in the header)
        for (f, spec) in self.ix.fields.iter().enumerate() {
            if self.columns.contains(&Some(f)) || spec.ty == FieldType::Periods {
                continue;
            }
            if let Some(slot) = case.fields.get_mut(f) {
                *slot = spec.absent_value();
            }
        }
        Ok(())
    }

    fn read_row(&mut self, batch: &mut CaseBatch) {
        let line_no = self.lines.line_no;
        let text = match self.lines.text() {
            Ok(t) => t,
            Err(c) => {
                self.summary.rows_read += 1;
                self.reject(not_utf8(c), None);
                return;
            }
        };
        if text.trim().is_empty() {
            return;
        }
        self.summary.rows_read += 1;
        if let Err(c) = split_cells(text, self.sep, &mut self.cells) {
            self.reject(bad_quote(c), None);
            return;
        }
        let mut case = self.template.clone();
        let parsed = self.case_row(&mut case);
        let id = self
            .cells
            .get(self.id_col)
            .filter(|s| !s.is_empty())
            .cloned();
        let events = id.as_ref().and_then(|id| self.events.remove(id));
        if let Some(id) = &id {
            if let Some(first) = self.ids.insert(id, line_no) {
                if parsed.is_ok() {
                    self.reject(duplicate(first), Some(id));
                    return;
                }
            }
        }
        if let Err(e) = parsed {
            self.reject(e, id.as_deref());
            return;
        }
        if let Some(ev) = events {
            if let Some(bad) = ev.bad {
                // the case is rejected by its bad event row, which the error names
                self.summary.rows_rejected += 1;
                self.summary.push_error(bad, self.options.max_errors);
                return;
            }
            for e in ev.events {
                if let Some(list) = case.events.get_mut(e.kind as usize) {
                    list.push((e.date, e.values));
                }
            }
        }
        self.summary.cases_ok += 1;
        batch.push(case, line_no);
    }

    /// Reports event rows whose case never appeared.
    fn report_orphans(&mut self) {
        let mut orphans: Vec<(String, CaseEvents)> = self.events.drain().collect();
        orphans.sort_by_key(|(_, e)| e.first_line);
        for (id, ev) in orphans {
            let n = ev.events.len() + usize::from(ev.bad.is_some());
            let err = InputError {
                code: InputCode::EventForUnknownCase,
                file: self.events_file.clone(),
                line: ev.first_line,
                column: None,
                case_id: Some(self.options.shown_id(&id)),
                field: Some("id".into()),
                message: format!("{n} event row(s) for a case id not in the cases file"),
                help: Some("check the export: the events belong to no case read".into()),
            };
            self.summary.push_error(err, self.options.max_errors);
        }
    }
}

fn cell_count(found: usize, expected: usize) -> RowError {
    RowError::new(
        InputCode::CellCount,
        None,
        format!("the row has {found} cells, the header {expected}"),
    )
    .help("check the separator and quote cells that contain it")
}

impl<R: BufRead> CaseReader for CsvReader<R> {
    fn read_chunk(&mut self, batch: &mut CaseBatch, max_cases: usize) -> io::Result<usize> {
        batch.clear();
        while !self.done && batch.len() < max_cases.max(1) {
            match self.lines.next_line()? {
                Line::Eof => self.done = true,
                Line::TooLong => {
                    self.summary.rows_read += 1;
                    self.reject(too_long(self.options.max_line_bytes), None);
                }
                Line::Text => self.read_row(batch),
            }
        }
        if self.done && !self.events.is_empty() {
            self.report_orphans();
        }
        if self.done && self.summary.rows_read == 0 && self.summary.warnings.is_empty() {
            let mut w = InputError::new(InputCode::EmptyInput, 0, "the input holds no cases")
                .with_help("check that the export ran; an empty caseload evaluates to nothing");
            w.file = self.options.file_name.clone();
            self.summary.warnings.push(w);
        }
        Ok(batch.len())
    }

    fn summary(&self) -> &ReadSummary {
        &self.summary
    }

    fn take_summary(&mut self) -> ReadSummary {
        std::mem::take(&mut self.summary)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells() {
        let mut out = Vec::new();
        assert_eq!(split_cells("a;b;;c", b';', &mut out), Ok(()));
        assert_eq!(out, ["a", "b", "", "c"]);
        assert_eq!(
            split_cells(r#""x;y";"say ""hi""";z"#, b';', &mut out),
            Ok(())
        );
        assert_eq!(out, ["x;y", "say \"hi\"", "z"]);
        assert_eq!(split_cells("a;", b';', &mut out), Ok(()));
        assert_eq!(out, ["a", ""]);
        assert!(split_cells(r#"a;"open"#, b';', &mut out).is_err());
        assert!(split_cells(r#""a"b;c"#, b';', &mut out).is_err());
        assert_eq!(detect_separator("id,benefit"), b',');
        assert_eq!(detect_separator("id;benefit"), b';');
    }
}
