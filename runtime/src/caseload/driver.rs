//! The caseload driver: read a chunk, evaluate it on all cores, write its
//! lines in input order, merge its sums; read the next chunk while the
//! current one is evaluated, and write the chunk before on a thread of its own.
//! Memory is bounded by two chunks and two chunks' output.

use std::io::{self, Write};
use std::ops::Range;
use std::sync::mpsc;

use rayon::prelude::*;

use crate::bytecode::program::{Program, NONE};
use crate::caseload::aggregate::Aggregate;
use crate::caseload::batch::{CaseBatch, CaseRef};
use crate::caseload::due::{self, DueItem};
use crate::caseload::errors::ReadSummary;
use crate::caseload::output::CaseWriter;
use crate::caseload::CaseReader;
use crate::vm::result::CaseResult;

/// Events of one kind a rule needs by one date (the VM's forecast).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkItem {
    pub rule: u16,
    pub kind: u16,
    pub due: i32,
    pub events: u32,
}

/// What the driver needs of an evaluator: the VM's `Policy`, or a stand-in in tests.
pub trait Evaluator: Sync {
    fn program(&self) -> &Program;
    fn new_result(&self) -> CaseResult;
    fn evaluate_case(&self, case: CaseRef<'_>, today: i32, out: &mut CaseResult);
    /// The values the case adds to the average targets after
    /// `evaluate_case` gave `result` (`Policy::target_values`). The default
    /// adds none (every slot `NONE`).
    fn target_values(
        &self,
        _case: CaseRef<'_>,
        _today: i32,
        _result: &CaseResult,
        values: &mut Vec<i64>,
    ) {
        values.clear();
        values.resize(self.program().targets.len(), NONE);
    }
    /// The events the case still needs within `horizon_days` (and every
    /// overdue one), appended to `out`.
    fn forecast_case(
        &self,
        case: CaseRef<'_>,
        today: i32,
        horizon_days: u32,
        out: &mut Vec<WorkItem>,
    );
}

#[derive(Debug, Clone)]
pub struct EvalOptions {
    /// Cases per chunk: the memory bound (two chunks are alive at once).
    /// The default, 8,192, keeps a chunk's lines, batches and output to a
    /// few megabytes: 65,536 cost twice the fresh pages (80,000 page faults
    /// on a million cases against 40,000) and 5–10 % more CPU.
    pub chunk_cases: usize,
    /// Worker threads; 0 means every core.
    pub jobs: usize,
    /// Weeks of workload forecast from today's ISO week; 0 skips the forecast.
    pub forecast_weeks: u32,
    /// Collect a due list (`CaseloadSummary::due`): the obligations overdue,
    /// due within this many days, or open without a due date. `None`
    /// collects none.
    pub due_within: Option<u32>,
}

impl Default for EvalOptions {
    fn default() -> EvalOptions {
        EvalOptions {
            chunk_cases: 8_192,
            jobs: 0,
            forecast_weeks: 0,
            due_within: None,
        }
    }
}

/// What evaluating a caseload gave.
#[derive(Debug, Clone)]
pub struct CaseloadSummary {
    pub read: ReadSummary,
    pub aggregate: Aggregate,
    /// With `EvalOptions::due_within`: every case's obligations to act on,
    /// in input order (cases), then rule order.
    pub due: Vec<DueItem>,
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DriverError {
    #[error("cannot read the caseload: {0}")]
    Read(#[source] io::Error),
    #[error("cannot write the results: {0}")]
    Write(#[source] io::Error),
    #[error("cannot start the worker threads: {0}")]
    Threads(#[from] rayon::ThreadPoolBuildError),
}

/// Evaluates every case `reader` yields on `today`; writes one NDJSON line
/// per case to `out` (if given) in input order; returns the read summary and
/// the merged aggregate.
pub fn evaluate_caseload<E, R>(
    policy: &E,
    reader: &mut R,
    today: i32,
    options: &EvalOptions,
    out: Option<&mut (dyn Write + Send)>,
) -> Result<CaseloadSummary, DriverError>
where
    E: Evaluator,
    R: CaseReader + Send,
{
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.jobs)
        .build()?;
    pool.install(|| run(policy, reader, today, options, out))
}

fn run<E, R>(
    policy: &E,
    reader: &mut R,
    today: i32,
    options: &EvalOptions,
    out: Option<&mut (dyn Write + Send)>,
) -> Result<CaseloadSummary, DriverError>
where
    E: Evaluator,
    R: CaseReader + Send,
{
    let Some(w) = out else {
        let (total, due) = chunks(policy, reader, today, options, None)?;
        return Ok(CaseloadSummary {
            read: reader.take_summary(),
            aggregate: total,
            due,
        });
    };
    // A thread of its own writes each chunk's lines while the next chunk is
    // read and evaluated: written in turn, the copy into the page cache held
    // up both. The hand-over waits for the writer to take the lines, so at
    // most two chunks' output is alive; emptied buffers come back for reuse.
    let (to_writer, lines) = mpsc::sync_channel::<Vec<Vec<u8>>>(0);
    let (give_back, returned) = mpsc::channel::<Vec<Vec<u8>>>();
    let total = std::thread::scope(|s| {
        let writer = s.spawn(move || -> io::Result<()> {
            for pieces in lines {
                for b in &pieces {
                    w.write_all(b)?;
                }
                // the driver may have finished: then the buffers just go
                let _ = give_back.send(pieces);
            }
            w.flush()
        });
        let mut emit = |pieces: Vec<Vec<u8>>| -> Option<Vec<Vec<u8>>> {
            // a send fails only when the writer stopped on an error, which
            // joining it reports
            to_writer.send(pieces).ok()?;
            Some(returned.try_recv().unwrap_or_default())
        };
        let total = chunks(policy, reader, today, options, Some(&mut emit));
        drop(to_writer);
        let written = writer
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the writer thread failed")));
        match (total, written) {
            (_, Err(e)) => Err(DriverError::Write(e)),
            (total, Ok(())) => total,
        }
    })?;
    let (total, due) = total;
    Ok(CaseloadSummary {
        read: reader.take_summary(),
        aggregate: total,
        due,
    })
}

/// Hands a chunk's output (one buffer per piece, in order) to be written;
/// gives back empty buffers to fill next, or `None` when writing stopped.
type Emit<'a> = &'a mut dyn FnMut(Vec<Vec<u8>>) -> Option<Vec<Vec<u8>>>;

/// Reads, evaluates and (with `emit`) hands over the output of every chunk;
/// returns the merged sums and the due list.
fn chunks<E, R>(
    policy: &E,
    reader: &mut R,
    today: i32,
    options: &EvalOptions,
    mut emit: Option<Emit<'_>>,
) -> Result<(Aggregate, Vec<DueItem>), DriverError>
where
    E: Evaluator,
    R: CaseReader + Send,
{
    let program = policy.program();
    let writer = CaseWriter::new(program);
    let chunk = options.chunk_cases.max(1);
    let mut total = Aggregate::new(program);
    let mut due = Vec::new();
    let mut current = CaseBatch::new(&program.schema);
    let mut next = CaseBatch::new(&program.schema);
    // One output buffer per piece, kept from chunk to chunk: a chunk's
    // lines run to megabytes per piece, and buffers freed and grown anew
    // for every chunk cost a page fault per fresh page and a copy per
    // doubling.
    let mut bytes: Vec<Vec<u8>> = Vec::new();
    reader
        .read_chunk(&mut current, chunk)
        .map_err(DriverError::Read)?;
    while !current.is_empty() {
        let want_output = emit.is_some();
        let (read, mut pieces) = rayon::join(
            || reader.read_chunk(&mut next, chunk),
            || {
                evaluate_chunk(
                    policy,
                    &writer,
                    &current,
                    today,
                    options,
                    want_output.then_some(&mut bytes),
                )
            },
        );
        for (agg, items) in pieces.iter_mut() {
            total.merge(agg);
            due.append(items);
        }
        if let Some(emit) = emit.as_deref_mut() {
            bytes.truncate(pieces.len());
            match emit(std::mem::take(&mut bytes)) {
                Some(empty) => bytes = empty,
                // the writer stopped: its error is the one to report
                None => return Ok((total, due)),
            }
        }
        read.map_err(DriverError::Read)?;
        std::mem::swap(&mut current, &mut next);
    }
    Ok((total, due))
}

/// Splits the chunk into pieces (several per thread, so uneven cases
/// balance), evaluates them in parallel, and returns each piece's sums and
/// due items in input order. With `output`, piece p's lines are in `output[p]` (the
/// buffers are cleared and reused; there are at least as many as pieces).
fn evaluate_chunk<E: Evaluator>(
    policy: &E,
    writer: &CaseWriter,
    batch: &CaseBatch,
    today: i32,
    options: &EvalOptions,
    output: Option<&mut Vec<Vec<u8>>>,
) -> Vec<(Aggregate, Vec<DueItem>)> {
    let n = batch.len();
    let per = (n / (rayon::current_num_threads() * 4)).clamp(256, 8192);
    let count = n.div_ceil(per);
    let want_output = output.is_some();
    let mut none = Vec::new();
    let buffers = match output {
        Some(b) => {
            if b.len() < count {
                b.resize_with(count, Vec::new);
            }
            b
        }
        None => {
            none.resize_with(count, Vec::new);
            &mut none
        }
    };
    let ranges: Vec<Range<usize>> = (0..count)
        .map(|p| p * per..((p + 1) * per).min(n))
        .collect();
    let horizon = options.forecast_weeks.saturating_mul(7);
    ranges
        .into_par_iter()
        .zip(buffers.par_iter_mut())
        .map(|(range, bytes)| {
            bytes.clear();
            let mut result = policy.new_result();
            let mut agg = Aggregate::new(policy.program());
            let mut work = Vec::new();
            let mut values = Vec::new();
            let mut due = Vec::new();
            let averages = agg.has_averages();
            for i in range {
                let case = batch.case(i);
                policy.evaluate_case(case, today, &mut result);
                agg.add_case(&result);
                if averages {
                    policy.target_values(case, today, &result, &mut values);
                    agg.add_values(&values);
                }
                if want_output {
                    writer.write_case(case.id(), &result, bytes);
                }
                if horizon > 0 {
                    work.clear();
                    policy.forecast_case(case, today, horizon, &mut work);
                    for w in &work {
                        agg.add_demand(today, w.rule, w.kind, w.due, w.events);
                    }
                }
                if let Some(within) = options.due_within {
                    let start = due.len();
                    if due::collect(case.id(), batch.line(i), &result, today, within, &mut due) > 0
                    {
                        work.clear();
                        policy.forecast_case(case, today, within, &mut work);
                        due::attach_needs(due.get_mut(start..).unwrap_or(&mut []), &work);
                    }
                }
            }
            (agg, due)
        })
        .collect()
}

impl Evaluator for crate::vm::policy::Policy {
    fn program(&self) -> &Program {
        crate::vm::policy::Policy::program(self)
    }

    fn new_result(&self) -> CaseResult {
        crate::vm::policy::Policy::new_result(self)
    }

    fn evaluate_case(&self, case: CaseRef<'_>, today: i32, out: &mut CaseResult) {
        crate::vm::policy::Policy::evaluate_case(self, case, today, out);
    }

    fn target_values(
        &self,
        case: CaseRef<'_>,
        today: i32,
        result: &CaseResult,
        values: &mut Vec<i64>,
    ) {
        crate::vm::policy::Policy::target_values(self, case, today, result, values);
    }

    fn forecast_case(
        &self,
        case: CaseRef<'_>,
        today: i32,
        horizon_days: u32,
        out: &mut Vec<WorkItem>,
    ) {
        let demands = crate::vm::policy::Policy::forecast_case(self, case, today, horizon_days);
        out.extend(demands.iter().map(|d| WorkItem {
            rule: d.rule,
            kind: d.kind,
            due: d.due,
            events: d.events,
        }));
    }
}
