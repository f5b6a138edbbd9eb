//! The NDJSON case reader: one case per line, checked against the schema,
//! streamed into `CaseBatch` chunks so memory stays bounded by the chunk.
//!
//! Lines are gathered in blocks (`lines.rs`) and each is first read by the
//! fast path (`scan.rs`: straight into reused buffers, no tree). A line it
//! cannot vouch for goes the general path (`rows.rs`: a borrowed JSON tree
//! converted field by field), which alone words the errors. A bad row is
//! reported and skipped; every other row is read.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{self, BufRead};

use rayon::prelude::*;

use crate::bytecode::program::Program;
use crate::caseload::batch::{CaseBatch, CaseData};
use crate::caseload::errors::{redact_id, siphash24, InputCode, InputError, ReadSummary};
use crate::caseload::values::SchemaIndex;
use crate::caseload::CaseReader;

mod lines;
mod rows;
mod scan;

use lines::{Gatherer, RawLine};
pub(crate) use lines::{Line, LineReader};
use rows::parse_row;
pub(crate) use rows::RowError;
use scan::RowScanner;

/// How readers treat their input. `Default` is what the CLI uses.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Longer lines are rejected (E0507) without being parsed.
    pub max_line_bytes: usize,
    /// Errors past this many are counted, not kept.
    pub max_errors: usize,
    /// Named in every error (`--> cases.ndjson:12`).
    pub file_name: Option<String>,
    /// When set, case ids in errors are `redact_id(id, key)`.
    pub redact_key: Option<Vec<u8>>,
}

impl Default for ReadOptions {
    fn default() -> ReadOptions {
        ReadOptions {
            max_line_bytes: 1 << 20,
            max_errors: 1000,
            file_name: None,
            redact_key: None,
        }
    }
}

impl ReadOptions {
    pub(crate) fn shown_id(&self, id: &str) -> String {
        match &self.redact_key {
            Some(key) => redact_id(id, key),
            None => id.to_owned(),
        }
    }
}

// ---------------------------------------------------------------------------
// Duplicate ids
// ---------------------------------------------------------------------------

/// The ids seen so far, as 128-bit hashes with the line of first sight:
/// a fixed 24 bytes per case however long the ids, so files with millions of
/// cases fit. Two distinct ids collide with probability ~2^-128 per pair.
/// Kept in shards by the hash's top bits, so a chunk's ids are checked
/// shard by shard in parallel (`claim`).
#[derive(Debug, Default)]
pub(crate) struct IdSet {
    shards: Vec<IdMap>,
}

type IdMap = HashMap<u128, u64, BuildHasherDefault<PassThrough>>;

const ID_SHARDS: usize = 16;

/// The shard of a key: its top four bits (the maps hash by the low 64).
fn shard_of(key: u128) -> usize {
    (key >> 124) as usize
}

/// Records `key` first seen on `line` in `map`; if it was there, the earlier line.
fn insert_into(map: &mut IdMap, key: u128, line: u64) -> Option<u64> {
    match map.entry(key) {
        std::collections::hash_map::Entry::Occupied(e) => Some(*e.get()),
        std::collections::hash_map::Entry::Vacant(e) => {
            e.insert(line);
            None
        }
    }
}

/// One id a chunk claims, in input order: its key, its line, and the
/// case's number in the chunk (`u32::MAX` for a rejected row's id, which
/// claims the id but is no case).
pub(crate) type Claim = (u128, u64, u32);

impl IdSet {
    fn shards(&mut self) -> &mut [IdMap] {
        if self.shards.is_empty() {
            self.shards.resize_with(ID_SHARDS, IdMap::default);
        }
        &mut self.shards
    }

    /// Records `id` first seen on `line`; if it was seen before, the earlier line.
    pub fn insert(&mut self, id: &str, line: u64) -> Option<u64> {
        self.insert_key(IdSet::key(id), line)
    }

    /// The 128-bit hash `insert` keeps: computed apart so the NDJSON
    /// reader's workers can hash in parallel.
    pub fn key(id: &str) -> u128 {
        let a = siphash24((0x6964_2d73_6574_2d61, 1), id.as_bytes());
        let b = siphash24((0x6964_2d73_6574_2d62, 2), id.as_bytes());
        (u128::from(a) << 64) | u128::from(b)
    }

    /// `insert` with the hash already made by `key`.
    pub fn insert_key(&mut self, key: u128, line: u64) -> Option<u64> {
        let map = self.shards().get_mut(shard_of(key))?;
        insert_into(map, key, line)
    }

    /// Records every claim, as `insert_key` in the claims' order would;
    /// returns the cases that were duplicates, `(case number, first
    /// line)`, by case number. The shards are independent and each sees
    /// its claims in input order, so on a pool they are checked in
    /// parallel with the same result.
    pub fn claim(&mut self, claims: &[Claim], parallel: bool) -> Vec<(u32, u64)> {
        let work = |(s, map): (usize, &mut IdMap)| {
            let mut dups = Vec::new();
            for &(key, line, case) in claims.iter().filter(|c| shard_of(c.0) == s) {
                if let Some(first) = insert_into(map, key, line) {
                    if case != u32::MAX {
                        dups.push((case, first));
                    }
                }
            }
            dups
        };
        let shards = self.shards();
        let mut dups: Vec<(u32, u64)> = if parallel {
            shards
                .par_iter_mut()
                .enumerate()
                .flat_map_iter(work)
                .collect()
        } else {
            shards.iter_mut().enumerate().flat_map(work).collect()
        };
        dups.sort_unstable();
        dups
    }
}

/// The keys are already uniform hashes; hashing them again would be waste.
#[derive(Debug, Default)]
pub(crate) struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }
    fn write_u128(&mut self, n: u128) {
        self.0 = n as u64;
    }
}

// ---------------------------------------------------------------------------
// The reader
// ---------------------------------------------------------------------------

/// Reads NDJSON cases in chunks. See `docs/caseload-format.md`.
///
/// A chunk is read in three steps: its lines are gathered into one buffer
/// (serial, cheap: find newlines and copy), parsed in pieces into a batch
/// per piece, and merged in input order, which is where ids are checked for
/// duplicates and errors and counts are recorded, so the result does not
/// depend on the split. The pieces are parsed in parallel when `read_chunk`
/// is called on a rayon pool of more than one thread (as the caseload driver
/// calls it), else on the caller's thread alone, so a caller timing one
/// thread gets what it measures.
pub struct NdjsonReader<R> {
    lines: Gatherer<R>,
    ix: SchemaIndex,
    options: ReadOptions,
    ids: IdSet,
    summary: ReadSummary,
    /// The gathered lines' bytes, end to end.
    raw: Vec<u8>,
    raw_lines: Vec<RawLine>,
    /// Reused between chunks; grown to the number of pieces needed.
    pieces: Vec<Piece>,
    /// The ids a chunk claims, in input order (reused).
    claims: Vec<Claim>,
    /// A batch and a case of the reader's schema, to shape new pieces.
    empty_batch: CaseBatch,
    template: CaseData,
    scanner: RowScanner,
    done: bool,
}

/// What a line gave, before the ids are checked.
#[derive(Debug)]
enum Outcome {
    Blank,
    /// The piece's next case; its id hashed for `IdSet::insert_key`.
    Case {
        line: u64,
        key: u128,
    },
    Rejected {
        line: u64,
        error: Box<RowError>,
        id: Option<String>,
    },
}

/// A piece of a chunk being parsed: its cases, and one outcome per line.
#[derive(Debug)]
struct Piece {
    batch: CaseBatch,
    outcomes: Vec<Outcome>,
    scanner: RowScanner,
    /// The general path's scratch.
    template: CaseData,
    seen: Vec<bool>,
}

/// Lines gathered per round at most, whatever the chunk size: bounds the
/// raw buffer (with the 1 MiB line limit, 65,536 lines could be 64 GiB).
const MAX_GATHER_BYTES: usize = 64 << 20;

pub(crate) fn not_utf8(column: u64) -> RowError {
    let mut err = RowError::new(InputCode::NotUtf8, None, "the line is not valid UTF-8")
        .help("save the file as UTF-8 (exports in Latin-1 or Windows-1252 must be converted)");
    err.column = Some(column);
    err
}

pub(crate) fn too_long(limit: usize) -> RowError {
    RowError::new(
        InputCode::LineTooLong,
        None,
        format!("the line is longer than {limit} bytes"),
    )
    .help("check that each case is on its own line (one JSON object per line); a case this large usually means missing newlines")
}

impl Piece {
    fn parse(&mut self, ix: &SchemaIndex, raw: &[u8], lines: &[RawLine], limit: usize) {
        self.batch.clear();
        self.outcomes.clear();
        for l in lines {
            let outcome = if l.too_long {
                Outcome::Rejected {
                    line: l.line,
                    error: Box::new(too_long(limit)),
                    id: None,
                }
            } else {
                let bytes = raw.get(l.start..l.end).unwrap_or(&[]);
                self.parse_line(ix, l.line, bytes)
            };
            self.outcomes.push(outcome);
        }
    }

    /// One line: the fast path, else the general one (which alone words errors).
    fn parse_line(&mut self, ix: &SchemaIndex, line: u64, bytes: &[u8]) -> Outcome {
        let bytes = match bytes.strip_prefix(b"\xef\xbb\xbf") {
            Some(rest) if line == 1 => rest,
            _ => bytes,
        };
        let text = match std::str::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                return Outcome::Rejected {
                    line,
                    error: Box::new(not_utf8(e.valid_up_to() as u64 + 1)),
                    id: None,
                }
            }
        };
        if text.trim().is_empty() {
            return Outcome::Blank;
        }
        if self.scanner.scan(ix, text).is_ok() {
            let key = IdSet::key(&self.scanner.buf.id);
            self.batch.push_buf(&mut self.scanner.buf, line);
            return Outcome::Case { line, key };
        }
        let mut case = self.template.clone();
        match parse_row(ix, text, &mut case, &mut self.seen) {
            Ok(()) => {
                let key = IdSet::key(&case.id);
                self.batch.push(case, line);
                Outcome::Case { line, key }
            }
            Err((e, id)) => Outcome::Rejected {
                line,
                error: Box::new(e),
                id,
            },
        }
    }
}

impl<R: BufRead> NdjsonReader<R> {
    pub fn new(program: &Program, input: R, options: ReadOptions) -> NdjsonReader<R> {
        let ix = SchemaIndex::new(program);
        let scanner = RowScanner::new(&ix, &program.schema);
        NdjsonReader {
            lines: Gatherer::new(input, options.max_line_bytes),
            ix,
            options,
            ids: IdSet::default(),
            summary: ReadSummary::default(),
            raw: Vec::new(),
            raw_lines: Vec::new(),
            pieces: Vec::new(),
            claims: Vec::new(),
            empty_batch: CaseBatch::new(&program.schema),
            template: CaseData::new(&program.schema, ""),
            scanner,
            done: false,
        }
    }

    fn reject(&mut self, e: RowError, line: u64, id: Option<&str>) {
        self.summary.rows_rejected += 1;
        let err = InputError {
            code: e.code,
            file: self.options.file_name.clone(),
            line,
            column: e.column,
            case_id: id.map(|id| self.options.shown_id(id)),
            field: e.field,
            message: e.message,
            help: e.help,
        };
        self.summary.push_error(err, self.options.max_errors);
    }

    /// Gathers up to `want` lines (and about `MAX_GATHER_BYTES`) into `raw`.
    /// An I/O error is returned after the lines before it are kept.
    fn gather(&mut self, want: usize) -> io::Result<()> {
        let result = self
            .lines
            .gather(&mut self.raw, &mut self.raw_lines, want, MAX_GATHER_BYTES);
        self.done = matches!(result, Ok(true));
        result.map(|_| ())
    }

    /// Parses the gathered lines in pieces, in parallel on a pool.
    fn parse_gathered(&mut self) -> usize {
        let n = self.raw_lines.len();
        let parallel = rayon::current_thread_index().is_some() && rayon::current_num_threads() > 1;
        let per = if parallel {
            (n / (rayon::current_num_threads() * 4)).clamp(64, 4096)
        } else {
            n.max(1)
        };
        let count = n.div_ceil(per);
        while self.pieces.len() < count {
            self.pieces.push(Piece {
                batch: self.empty_batch.clone(),
                outcomes: Vec::new(),
                scanner: self.scanner.clone(),
                template: self.template.clone(),
                seen: Vec::new(),
            });
        }
        let (ix, raw, limit) = (&self.ix, self.raw.as_slice(), self.options.max_line_bytes);
        let pieces = self.pieces.get_mut(..count).unwrap_or(&mut []);
        let work = |(p, piece): (usize, &mut Piece)| {
            let lines = self.raw_lines.get(p * per..((p + 1) * per).min(n));
            piece.parse(ix, raw, lines.unwrap_or(&[]), limit);
        };
        if parallel {
            pieces.par_iter_mut().enumerate().for_each(work);
        } else {
            pieces.iter_mut().enumerate().for_each(work);
        }
        count
    }

    /// Adds the first `count` pieces' cases to `batch` in input order, and
    /// their errors and counts to the summary; a case whose id an earlier
    /// row had is rejected (the ids are checked first, in parallel on a
    /// pool: `IdSet::claim`).
    fn merge(&mut self, count: usize, batch: &mut CaseBatch) {
        let mut pieces = std::mem::take(&mut self.pieces);
        let live = pieces.get(..count).unwrap_or(&[]);
        self.claims.clear();
        let mut case = 0u32;
        for outcome in live.iter().flat_map(|p| &p.outcomes) {
            match outcome {
                Outcome::Case { line, key } => {
                    self.claims.push((*key, *line, case));
                    case += 1;
                }
                // a rejected row still claims its id: a later row with it
                // is a duplicate in the export either way
                Outcome::Rejected {
                    line, id: Some(id), ..
                } => self.claims.push((IdSet::key(id), *line, u32::MAX)),
                _ => {}
            }
        }
        let parallel = rayon::current_thread_index().is_some() && rayon::current_num_threads() > 1;
        let dups = self.ids.claim(&self.claims, parallel);
        let mut dups = dups.iter().peekable();
        let mut case = 0u32;
        for piece in pieces.iter_mut().take(count) {
            let mut run = 0;
            let mut i = 0;
            for outcome in piece.outcomes.drain(..) {
                match outcome {
                    Outcome::Blank => {}
                    Outcome::Case { line, .. } => {
                        self.summary.rows_read += 1;
                        match dups.next_if(|d| d.0 == case) {
                            Some(&(_, first)) => {
                                batch.take_from(&mut piece.batch, run..i);
                                run = i + 1;
                                let id = piece.batch.id(i).to_owned();
                                self.reject(duplicate(first), line, Some(&id));
                            }
                            None => self.summary.cases_ok += 1,
                        }
                        i += 1;
                        case += 1;
                    }
                    Outcome::Rejected { line, error, id } => {
                        self.summary.rows_read += 1;
                        self.reject(*error, line, id.as_deref());
                    }
                }
            }
            if count == 1 && run == 0 && batch.is_empty() && i == piece.batch.len() {
                // the whole chunk in one piece (one thread): hand the buffers
                // over; with several pieces, copying keeps `batch` at its size
                std::mem::swap(batch, &mut piece.batch);
            } else {
                batch.take_from(&mut piece.batch, run..i);
            }
        }
        self.pieces = pieces;
    }
}

pub(crate) fn duplicate(first: u64) -> RowError {
    RowError::new(
        InputCode::DuplicateId,
        Some("id".into()),
        format!("the case id was already given on line {first}"),
    )
    .help("each case appears once; merge the rows or fix the id (this row is skipped; the first row stands as it was read)")
}

impl<R: BufRead> CaseReader for NdjsonReader<R> {
    fn read_chunk(&mut self, batch: &mut CaseBatch, max_cases: usize) -> io::Result<usize> {
        batch.clear();
        let max = max_cases.max(1);
        while !self.done && batch.len() < max {
            let gathered = self.gather(max - batch.len());
            let count = self.parse_gathered();
            self.merge(count, batch);
            gathered?;
            if self.done {
                // Nothing more will be read: the gathered lines (up to
                // MAX_GATHER_BYTES), the pieces' batches and the ids seen
                // (24 bytes a case, for duplicates in rows yet to come) are
                // scratch a caller keeping the cases in memory should not
                // pay for.
                self.raw = Vec::new();
                self.raw_lines = Vec::new();
                self.pieces = Vec::new();
                self.claims = Vec::new();
                self.ids = IdSet::default();
            }
            if self.done && self.summary.rows_read == 0 {
                let mut w = InputError::new(InputCode::EmptyInput, 0, "the input holds no cases")
                    .with_help("check that the export ran; an empty caseload evaluates to nothing");
                w.file = self.options.file_name.clone();
                self.summary.warnings.push(w);
            }
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
