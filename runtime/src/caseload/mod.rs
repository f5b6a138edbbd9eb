//! Case data: the VM's columnar layout, the NDJSON and CSV readers, the
//! per-case writer, the aggregate report and the caseload driver.

pub mod aggregate;
pub mod batch;
pub mod csv;
pub mod driver;
pub mod due;
pub mod errors;
pub mod input;
pub mod output;
mod values;

use std::io;

pub use aggregate::{Aggregate, Report};
pub use batch::{CaseBatch, CaseData, CaseRef};
pub use csv::{CsvError, CsvOptions, CsvReader};
pub use driver::{
    evaluate_caseload, CaseloadSummary, DriverError, EvalOptions, Evaluator, WorkItem,
};
pub use due::{DueItem, DueState};
pub use errors::{redact_id, InputCode, InputError, ReadSummary};
pub use input::{NdjsonReader, ReadOptions};
pub use output::CaseWriter;

/// A source of cases, read in chunks so memory stays bounded by the chunk.
pub trait CaseReader {
    /// Clears `batch` and fills it with up to `max_cases` good cases, in
    /// input order; bad rows are recorded in the summary and skipped.
    /// Returns the number of cases read; 0 means the input is exhausted.
    /// `Err` is an I/O failure of the input itself, not a bad row.
    fn read_chunk(&mut self, batch: &mut CaseBatch, max_cases: usize) -> io::Result<usize>;

    /// What has been read so far.
    fn summary(&self) -> &ReadSummary;

    /// Hands over the summary, leaving an empty one.
    fn take_summary(&mut self) -> ReadSummary;
}
