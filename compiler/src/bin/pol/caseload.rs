//! Opening a caseload for the commands that evaluate one: NDJSON, or CSV (a
//! cases file plus an events file), with a progress bar on long runs and
//! keyed pseudonyms for case ids when asked.

use std::fs::File;
use std::hash::{BuildHasher, Hasher};
use std::io::{self, BufReader, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use pol_runtime::bytecode::program::Program;
use pol_runtime::caseload::{
    redact_id, CaseBatch, CaseReader, CsvError, CsvOptions, CsvReader, NdjsonReader, ReadOptions,
    ReadSummary,
};

use crate::common::{display_name, io_reason, CliError};

/// The caseload options every evaluating command takes.
#[derive(Debug, Clone, clap::Args)]
pub struct CaseloadArgs {
    /// The cases: NDJSON (one case per line), or CSV (`.csv`, or with `--events`)
    #[arg(long, value_name = "FILE")]
    pub caseload: PathBuf,
    /// The events file of a CSV caseload (`id;kind;date;<event fields>`)
    #[arg(long, value_name = "FILE")]
    pub events: Option<PathBuf>,
}

/// Runs shorter than this many input bytes finish before a bar would help.
const PROGRESS_MIN_BYTES: u64 = 8 << 20;

/// Counts the bytes the reader consumes into the progress bar.
pub struct Counted<R> {
    inner: R,
    bar: ProgressBar,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bar.inc(n as u64);
        Ok(n)
    }
}

type Input = BufReader<Counted<File>>;

/// Either reader, so the driver (generic over one reader type) takes both.
pub enum AnyReader {
    // boxed, both: the readers keep their parse buffers inline
    Ndjson(Box<NdjsonReader<Input>>),
    Csv(Box<CsvReader<Input>>),
}

impl CaseReader for AnyReader {
    fn read_chunk(&mut self, batch: &mut CaseBatch, max_cases: usize) -> io::Result<usize> {
        match self {
            AnyReader::Ndjson(r) => r.read_chunk(batch, max_cases),
            AnyReader::Csv(r) => r.read_chunk(batch, max_cases),
        }
    }

    fn summary(&self) -> &ReadSummary {
        match self {
            AnyReader::Ndjson(r) => r.summary(),
            AnyReader::Csv(r) => r.summary(),
        }
    }

    fn take_summary(&mut self) -> ReadSummary {
        match self {
            AnyReader::Ndjson(r) => r.take_summary(),
            AnyReader::Csv(r) => r.take_summary(),
        }
    }
}

/// An opened caseload and its progress bar (hidden unless useful).
pub struct Opened {
    pub reader: AnyReader,
    pub bar: ProgressBar,
}

fn open_file(path: &Path) -> Result<File, CliError> {
    File::open(path).map_err(|e| {
        CliError::input(format!(
            "cannot read `{}`: {}",
            path.display(),
            io_reason(&e)
        ))
    })
}

/// Opens the caseload for `program`. `progress` asks for a bar; it is drawn
/// only when stderr is a terminal and the input is large.
pub fn open(
    program: &Program,
    args: &CaseloadArgs,
    redact_key: Option<&[u8]>,
    progress: bool,
) -> Result<Opened, CliError> {
    let file = open_file(&args.caseload)?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let bar = if progress && io::stderr().is_terminal() && size >= PROGRESS_MIN_BYTES {
        let bar = ProgressBar::with_draw_target(Some(size), ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template(
            "{spinner} evaluating [{bar:40}] {bytes}/{total_bytes} ({eta} left)",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar
    } else {
        ProgressBar::hidden()
    };
    let input = BufReader::with_capacity(
        1 << 16,
        Counted {
            inner: file,
            bar: bar.clone(),
        },
    );
    let read = ReadOptions {
        file_name: Some(display_name(&args.caseload)),
        redact_key: redact_key.map(<[u8]>::to_vec),
        ..ReadOptions::default()
    };
    let is_csv = args.events.is_some()
        || args
            .caseload
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let reader = if is_csv {
        let events = match &args.events {
            Some(p) => Some(BufReader::new(open_file(p)?)),
            None => None,
        };
        let options = CsvOptions {
            read,
            events_file_name: args.events.as_deref().map(display_name),
        };
        let r = CsvReader::new(program, input, events, options).map_err(|e| match e {
            CsvError::Io(e) => CliError::input(format!(
                "cannot read `{}`: {}",
                args.caseload.display(),
                io_reason(&e)
            )),
            CsvError::Header(err) => CliError::input(format!(
                "the CSV caseload cannot be read:\n{}",
                err.render().trim_end()
            )),
            other => CliError::input(other.to_string()),
        })?;
        AnyReader::Csv(Box::new(r))
    } else {
        AnyReader::Ndjson(Box::new(NdjsonReader::new(program, input, read)))
    };
    Ok(Opened { reader, bar })
}

/// `--redact-ids [KEY]`: the key given, else `POL_REDACT_KEY`, else a key
/// made for this run only (ids are hidden and cannot be joined later).
pub fn redact_key(arg: Option<&str>) -> Option<Vec<u8>> {
    let arg = arg?;
    if !arg.is_empty() {
        return Some(arg.as_bytes().to_vec());
    }
    if let Some(k) = std::env::var_os("POL_REDACT_KEY").filter(|k| !k.is_empty()) {
        return Some(k.to_string_lossy().into_owned().into_bytes());
    }
    // std's hasher builder is seeded from the OS's randomness per process
    let mut key = Vec::with_capacity(16);
    for i in 0..2u8 {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u8(i);
        key.extend_from_slice(&h.finish().to_le_bytes());
    }
    Some(key)
}

/// How a case id is shown: as is, or as its keyed pseudonym.
pub fn shown_id(id: &str, key: Option<&[u8]>) -> String {
    match key {
        Some(k) => redact_id(id, k),
        None => id.to_string(),
    }
}

/// Rewrites the `id` of each per-case NDJSON line (the writer puts it first:
/// `{"id":"...",`) into its pseudonym, so `--out` holds no real ids.
pub struct RedactIds<W> {
    inner: W,
    key: Vec<u8>,
    pending: Vec<u8>,
}

impl<W: Write> RedactIds<W> {
    pub fn new(inner: W, key: Vec<u8>) -> RedactIds<W> {
        RedactIds {
            inner,
            key,
            pending: Vec::new(),
        }
    }

    fn line(&mut self, line: &[u8]) -> io::Result<()> {
        const PREFIX: &[u8] = b"{\"id\":";
        let Some(rest) = line.strip_prefix(PREFIX) else {
            return Err(io::Error::other("unexpected per-case line"));
        };
        let end = string_end(rest).ok_or_else(|| io::Error::other("unexpected per-case line"))?;
        let (id_json, tail) = rest.split_at(end);
        let id: String = serde_json::from_slice(id_json).map_err(io::Error::other)?;
        self.inner.write_all(PREFIX)?;
        let pseudonym = redact_id(&id, &self.key);
        self.inner.write_all(b"\"")?;
        self.inner.write_all(pseudonym.as_bytes())?;
        self.inner.write_all(b"\"")?;
        self.inner.write_all(tail)
    }
}

/// The length of the JSON string literal at the start of `s`, quotes included.
fn string_end(s: &[u8]) -> Option<usize> {
    if s.first() != Some(&b'"') {
        return None;
    }
    let mut i = 1;
    while let Some(&b) = s.get(i) {
        match b {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

impl<W: Write> Write for RedactIds<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        while let Some(nl) = self.pending.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = self.pending.drain(..=nl).collect();
            self.line(&line)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.pending.is_empty() {
            let rest = std::mem::take(&mut self.pending);
            self.line(&rest)?;
        }
        self.inner.flush()
    }
}

/// Finds one case by id, reading the caseload in chunks. Returns the batch
/// holding it and its index, or the read summary if it is not there.
pub fn find_case(
    program: &Program,
    reader: &mut AnyReader,
    id: &str,
) -> Result<Result<(CaseBatch, usize), ReadSummary>, CliError> {
    let mut batch = CaseBatch::new(&program.schema);
    loop {
        let n = reader
            .read_chunk(&mut batch, 4096)
            .map_err(|e| CliError::input(format!("cannot read the caseload: {}", io_reason(&e))))?;
        if n == 0 {
            return Ok(Err(reader.take_summary()));
        }
        if let Some(i) = (0..batch.len()).find(|i| batch.id(*i) == id) {
            return Ok(Ok((batch, i)));
        }
    }
}

/// Prints the input errors (never field values: the readers do not keep
/// them) on stderr.
pub fn report_input_errors(summary: &ReadSummary) {
    if summary.errors.is_empty() && summary.warnings.is_empty() {
        return;
    }
    eprint!("{}", summary.render());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_the_leading_id_only() {
        let mut out = Vec::new();
        {
            let mut w = RedactIds::new(&mut out, b"k".to_vec());
            let line = b"{\"id\":\"a\\\"b\",\"groups\":[],\"rules\":[]}\n";
            let (a, b) = line.split_at(9);
            assert!(w.write_all(a).is_ok());
            assert!(w.write_all(b).is_ok());
            assert!(w.flush().is_ok());
        }
        let expected = format!(
            "{{\"id\":\"{}\",\"groups\":[],\"rules\":[]}}\n",
            redact_id("a\"b", b"k")
        );
        assert_eq!(String::from_utf8_lossy(&out), expected);
    }
}
