//! Splitting input into lines no longer than a limit, without holding an
//! overlong line in memory: `LineReader` gives one line at a time (the CSV
//! reader's), `Gatherer` many lines at once into one buffer (the NDJSON
//! reader's, which parses them in parallel).

use std::io::{self, BufRead, Read};

pub(crate) enum Line {
    Eof,
    Text,
    TooLong,
}

/// Splits input into lines no longer than a limit, without reading an
/// overlong line into memory; strips `\n`, `\r\n` and a leading BOM.
pub(crate) struct LineReader<R> {
    input: R,
    limit: usize,
    pub line_no: u64,
    buf: Vec<u8>,
}

impl<R: BufRead> LineReader<R> {
    pub fn new(input: R, limit: usize) -> LineReader<R> {
        LineReader {
            input,
            limit,
            line_no: 0,
            buf: Vec::with_capacity(4096),
        }
    }

    pub fn next_line(&mut self) -> io::Result<Line> {
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        let line = self.next_line_into(&mut buf);
        self.buf = buf;
        line
    }

    /// Like `next_line`, but appends the line to `out` (nothing if it is
    /// too long).
    fn next_line_into(&mut self, out: &mut Vec<u8>) -> io::Result<Line> {
        let start = out.len();
        let limit = self.limit;
        let n = (&mut self.input)
            .take(limit as u64 + 1)
            .read_until(b'\n', out)?;
        if n == 0 {
            return Ok(Line::Eof);
        }
        self.line_no += 1;
        if out.last() == Some(&b'\n') {
            out.pop();
        } else if out.len() - start > limit {
            out.truncate(start);
            self.input.skip_until(b'\n')?;
            return Ok(Line::TooLong);
        }
        if out.len() > start && out.last() == Some(&b'\r') {
            out.pop();
        }
        Ok(Line::Text)
    }

    /// The current line as text, or the 1-based column of its first bad byte.
    pub fn text(&self) -> Result<&str, u64> {
        let bytes = match self.buf.strip_prefix(b"\xef\xbb\xbf") {
            Some(rest) if self.line_no == 1 => rest,
            _ => self.buf.as_slice(),
        };
        std::str::from_utf8(bytes).map_err(|e| e.valid_up_to() as u64 + 1)
    }
}

/// One gathered line: where its bytes are in the buffer (without `\n` or
/// `\r\n`), or that it was longer than the limit (then `start == end`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct RawLine {
    pub line: u64,
    pub start: usize,
    pub end: usize,
    pub too_long: bool,
}

/// Bytes asked of the input per read: more than `BufReader`'s buffer, so
/// std's `BufReader` reads them straight into the gathering buffer.
const BLOCK: usize = 1 << 20;

/// Gathers many lines into one buffer: the input is read in blocks straight
/// into the buffer and split at newlines there, so each byte is copied once
/// (by the kernel) rather than again line by line. The bytes after the last
/// whole line stay at the buffer's end and move to its front next time.
#[derive(Debug)]
pub(crate) struct Gatherer<R> {
    input: R,
    limit: usize,
    /// Bytes asked of the input per read (`BLOCK`; small in tests).
    block: usize,
    /// Lines counted so far (1-based numbers of the lines given).
    line_no: u64,
    /// Bytes at the buffer's end that belong to lines not given yet.
    tail: usize,
    /// An overlong line was reported and the rest of it is being dropped.
    skipping: bool,
    eof: bool,
}

impl<R: Read> Gatherer<R> {
    pub fn new(input: R, limit: usize) -> Gatherer<R> {
        Gatherer {
            input,
            limit,
            block: BLOCK,
            line_no: 0,
            tail: 0,
            skipping: false,
            eof: false,
        }
    }

    /// Replaces `lines` with up to `want` (at least 1) whole lines, their
    /// bytes in `buf`, reading until the lines are there, `buf` holds about
    /// `max_bytes`, or the input ends. Returns true when the input is
    /// exhausted and every line has been given. An I/O error is returned
    /// after the lines before it are in `lines`.
    pub fn gather(
        &mut self,
        buf: &mut Vec<u8>,
        lines: &mut Vec<RawLine>,
        want: usize,
        max_bytes: usize,
    ) -> io::Result<bool> {
        let keep = buf.len().saturating_sub(self.tail);
        buf.drain(..keep);
        lines.clear();
        let want = want.max(1);
        let mut start = 0;
        let mut search = 0;
        let result = loop {
            while lines.len() < want {
                let Some(at) = buf.get(search..).and_then(|b| memchr::memchr(b'\n', b)) else {
                    break;
                };
                let nl = search + at;
                search = nl + 1;
                if self.skipping {
                    // the end of a line already reported as too long
                    self.skipping = false;
                } else {
                    self.line_no += 1;
                    lines.push(self.line(buf, start, nl));
                }
                start = search;
            }
            if lines.len() >= want || (!lines.is_empty() && buf.len() >= max_bytes) {
                break Ok(false);
            }
            if !self.skipping && buf.len() - start > self.limit {
                self.line_no += 1;
                lines.push(RawLine {
                    line: self.line_no,
                    start,
                    end: start,
                    too_long: true,
                });
                self.skipping = true;
            }
            if self.skipping {
                // an overlong line is never held: drop what is read of it
                buf.truncate(start);
                search = start;
            }
            if self.eof {
                if buf.len() > start {
                    self.line_no += 1;
                    lines.push(self.line(buf, start, buf.len()));
                    start = buf.len();
                }
                break Ok(true);
            }
            let filled = buf.len();
            buf.resize(filled + self.block, 0);
            let read = loop {
                match self.input.read(buf.get_mut(filled..).unwrap_or(&mut [])) {
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    other => break other,
                }
            };
            match read {
                Ok(n) => {
                    buf.truncate(filled + n);
                    self.eof = n == 0;
                }
                Err(e) => {
                    buf.truncate(filled);
                    break Err(e);
                }
            }
        };
        self.tail = buf.len() - start;
        result
    }

    /// The line in `buf[start..end]` (`end` at its `\n` or the input's end).
    fn line(&self, buf: &[u8], start: usize, end: usize) -> RawLine {
        if end - start > self.limit {
            return RawLine {
                line: self.line_no,
                start,
                end: start,
                too_long: true,
            };
        }
        let end = if end > start && buf.get(end - 1) == Some(&b'\r') {
            end - 1
        } else {
            end
        };
        RawLine {
            line: self.line_no,
            start,
            end,
            too_long: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Gives at most `step` bytes a read, and `Interrupted` every third call.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
        calls: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            self.calls += 1;
            if self.calls % 3 == 0 {
                return Err(io::ErrorKind::Interrupted.into());
            }
            let n = self.step.min(out.len()).min(self.data.len());
            let (head, rest) = self.data.split_at(n);
            out.get_mut(..n).unwrap_or(&mut []).copy_from_slice(head);
            self.data = rest;
            Ok(n)
        }
    }

    /// (line number, bytes or None when too long), one line at a time.
    fn by_line_reader(data: &[u8], limit: usize) -> Vec<(u64, Option<Vec<u8>>)> {
        let mut r = LineReader::new(data, limit);
        let mut out = Vec::new();
        loop {
            let mut buf = Vec::new();
            match r.next_line_into(&mut buf).unwrap_or(Line::Eof) {
                Line::Eof => return out,
                Line::Text => out.push((r.line_no, Some(buf))),
                Line::TooLong => out.push((r.line_no, None)),
            }
        }
    }

    fn by_gatherer(
        data: &[u8],
        limit: usize,
        block: usize,
        step: usize,
        want: usize,
        max_bytes: usize,
    ) -> Vec<(u64, Option<Vec<u8>>)> {
        let input = Trickle {
            data,
            step,
            calls: 0,
        };
        let mut g = Gatherer::new(input, limit);
        g.block = block;
        let (mut buf, mut lines, mut out) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..10_000 {
            let done = g
                .gather(&mut buf, &mut lines, want, max_bytes)
                .unwrap_or(true);
            assert!(done || !lines.is_empty(), "a round gave no line");
            assert!(lines.len() <= want.max(1));
            for l in &lines {
                let bytes = (!l.too_long).then(|| buf.get(l.start..l.end).unwrap_or(&[]).to_vec());
                out.push((l.line, bytes));
            }
            if done {
                return out;
            }
        }
        panic!("the gatherer did not finish")
    }

    #[test]
    fn gathers_what_the_line_reader_reads() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        for round in 0..400 {
            let mut data = Vec::new();
            for _ in 0..next(30) {
                let long = next(6) == 0;
                let len = next(if long { 90 } else { 25 }) as usize;
                data.extend((0..len).map(|i| b'a' + (i % 26) as u8));
                match next(5) {
                    0 => data.extend_from_slice(b"\r\n"),
                    1 => data.push(b'\r'),
                    _ => data.push(b'\n'),
                }
            }
            if next(3) == 0 {
                data.extend_from_slice(b"no newline at the end");
            }
            let limit = 1 + next(40) as usize;
            let block = 1 + next(50) as usize;
            let step = 1 + next(70) as usize;
            let want = 1 + next(5) as usize;
            let max_bytes = 1 + next(100) as usize;
            assert_eq!(
                by_gatherer(&data, limit, block, step, want, max_bytes),
                by_line_reader(&data, limit),
                "round {round}: limit {limit}, block {block}, step {step}, want {want}, max {max_bytes}, data {:?}",
                String::from_utf8_lossy(&data)
            );
        }
    }

    #[test]
    fn an_overlong_line_is_never_held() {
        let mut data = b"short\n".to_vec();
        data.extend(std::iter::repeat_n(b'x', 10_000));
        data.extend_from_slice(b"\nafter\n");
        let mut g = Gatherer::new(data.as_slice(), 100);
        g.block = 64;
        let (mut buf, mut lines) = (Vec::new(), Vec::new());
        let mut seen = Vec::new();
        loop {
            let done = g.gather(&mut buf, &mut lines, 10, 1 << 20).unwrap_or(true);
            assert!(buf.len() <= 100 + 2 * 64, "held {} bytes", buf.len());
            seen.extend(lines.iter().map(|l| (l.line, l.too_long)));
            if done {
                break;
            }
        }
        assert_eq!(seen, [(1, false), (2, true), (3, false)]);
    }
}
