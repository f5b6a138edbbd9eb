//! What every subcommand shares: exit codes, reading sources from disk (the
//! library's `SourceLoader`), finding `.pol` files, printing diagnostics,
//! dates, and loading a policy from source or artifact.

use std::fs;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

use pol_compiler::check::join_relative;
use pol_compiler::diagnostics::{render_human, Diagnostic};
use pol_compiler::syntax::span::SourceMap;
use pol_compiler::{check_source, lower_compilation, Compilation, SourceLoader};
use pol_runtime::vm::dates::{format_day, from_naive, parse_day};
use pol_runtime::Policy;

/// The process exit codes, as `pol --help` documents them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Ok = 0,
    /// Errors in what was checked: diagnostics, failed tests, rejected rows,
    /// targets not attained, files `fmt --check` would change.
    Failed = 1,
    Usage = 2,
    /// A missing file, a damaged artifact, a caseload that cannot be opened.
    Input = 3,
}

impl Exit {
    /// The worse of two outcomes, so one run can report the most serious.
    pub fn max(self, other: Exit) -> Exit {
        if (other as u8) > (self as u8) {
            other
        } else {
            self
        }
    }
}

/// A failure that ends the command: printed as `error: ...` on stderr.
#[derive(Debug)]
pub struct CliError {
    pub exit: Exit,
    pub message: String,
}

impl CliError {
    pub fn input(message: impl Into<String>) -> CliError {
        CliError {
            exit: Exit::Input,
            message: message.into(),
        }
    }

    pub fn usage(message: impl Into<String>) -> CliError {
        CliError {
            exit: Exit::Usage,
            message: message.into(),
        }
    }

    pub fn failed(message: impl Into<String>) -> CliError {
        CliError {
            exit: Exit::Failed,
            message: message.into(),
        }
    }

    /// Writing our own output failed (a closed pipe, a full disk).
    pub fn write(what: &str, e: &io::Error) -> CliError {
        CliError::input(format!("cannot write {what}: {e}"))
    }
}

pub type CliResult = Result<Exit, CliError>;

/// A path as shown to people and used as a source name: `/` separators,
/// `.` and `..` folded, relative paths kept relative (so snapshots and CI
/// logs do not depend on where the repository is checked out).
pub fn display_name(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    // join_relative drops the last component of `from`: a dummy one keeps `s` whole
    join_relative("_", &s)
}

/// Reads imports from disk, relative to the importing file. Names are the
/// lexically folded paths, so a file imported twice is loaded once.
#[derive(Debug, Default)]
pub struct FsLoader;

impl SourceLoader for FsLoader {
    fn load(&mut self, from: &str, path: &str) -> Result<(String, String), String> {
        let name = join_relative(from, path);
        match fs::read_to_string(&name) {
            Ok(text) => Ok((name, text)),
            Err(e) => Err(io_reason(&e)),
        }
    }

    fn canonical_name(&mut self, from: &str, path: &str) -> Option<String> {
        Some(join_relative(from, path))
    }
}

/// An IO error in the diagnostics' wording: lowercase, no final period.
pub fn io_reason(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file".to_string(),
        io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        io::ErrorKind::InvalidData => "the file is not UTF-8 text".to_string(),
        io::ErrorKind::IsADirectory => "it is a directory".to_string(),
        _ => e.to_string(),
    }
}

/// Every `.pol` file named or under a named directory, in a stable order
/// (directories sorted, hidden ones skipped). A missing path is exit 3.
pub fn collect_pol_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, CliError> {
    let mut out = Vec::new();
    for p in paths {
        let meta = fs::metadata(p).map_err(|e| {
            CliError::input(format!("cannot read `{}`: {}", p.display(), io_reason(&e)))
        })?;
        if meta.is_dir() {
            walk(p, &mut out)?;
        } else {
            out.push(p.clone());
        }
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|p| seen.insert(display_name(p)));
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), CliError> {
    let entries = fs::read_dir(dir).map_err(|e| {
        CliError::input(format!(
            "cannot read `{}`: {}",
            dir.display(),
            io_reason(&e)
        ))
    })?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        let hidden = p
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        if p.is_dir() {
            walk(&p, out)?;
        } else if p.extension().is_some_and(|e| e == "pol") {
            out.push(p);
        }
    }
    Ok(())
}

/// Reads a source file; unreadable is exit 3.
pub fn read_source(path: &Path) -> Result<String, CliError> {
    fs::read_to_string(path).map_err(|e| {
        CliError::input(format!(
            "cannot read `{}`: {}",
            path.display(),
            io_reason(&e)
        ))
    })
}

/// Parses, loads imports and checks one file from disk.
pub fn compile_file(path: &Path) -> Result<Compilation, CliError> {
    let text = read_source(path)?;
    Ok(check_source(&display_name(path), &text, &mut FsLoader))
}

/// Whether to colour output for this stream: a terminal, and `NO_COLOR`
/// unset or empty (no-color.org).
pub fn use_color(stream_is_terminal: bool) -> bool {
    stream_is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

pub fn stdout_color() -> bool {
    use_color(io::stdout().is_terminal())
}

pub fn stderr_color() -> bool {
    use_color(io::stderr().is_terminal())
}

/// The width diagnostics are wrapped to: `COLUMNS` when set (shells export
/// it for terminals), otherwise 100.
pub fn render_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|w| *w >= 40)
        .unwrap_or(100)
}

/// Renders diagnostics for people, each once.
pub fn render_diagnostics(diags: &[Diagnostic], sources: &SourceMap, color: bool) -> String {
    let width = render_width();
    let mut s = String::new();
    for d in diags {
        s.push_str(&render_human(d, sources, width, color));
        s.push('\n');
    }
    s
}

/// "2 errors, 1 warning": English plurals for counts.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

/// Compiles a policy source and stops with exit 1 if it has errors (printed
/// on stderr; warnings are `pol check`'s business and not repeated here).
pub fn compile_policy(path: &Path) -> Result<Policy, CliError> {
    let comp = compile_file(path)?;
    policy_of(path, &comp)
}

/// The verified policy of a compilation, or its errors.
pub fn policy_of(path: &Path, comp: &Compilation) -> Result<Policy, CliError> {
    if comp.has_errors() {
        let errors: Vec<Diagnostic> = comp
            .diagnostics
            .clone()
            .into_sorted()
            .into_iter()
            .filter(Diagnostic::is_error)
            .collect();
        eprint!(
            "{}",
            render_diagnostics(&errors, &comp.sources, stderr_color())
        );
        return Err(CliError::failed(format!(
            "`{}` has {}; `pol check` shows every diagnostic",
            display_name(path),
            plural(errors.len(), "error", "errors")
        )));
    }
    let program = lower_compilation(comp)
        .ok_or_else(|| CliError::failed(format!("`{}` did not compile", display_name(path))))?;
    Policy::from_program(program).map_err(|e| {
        CliError::input(format!(
            "[{}] the compiled `{}` does not verify: {e} (a compiler bug; please report it)",
            e.code(),
            display_name(path)
        ))
    })
}

/// A policy from a `.pol` source or a `.polc` artifact; artifacts are
/// recognised by their magic bytes, so the extension does not matter.
pub fn load_policy(path: &Path) -> Result<Policy, CliError> {
    let bytes = fs::read(path).map_err(|e| {
        CliError::input(format!(
            "cannot read `{}`: {}",
            path.display(),
            io_reason(&e)
        ))
    })?;
    let is_artifact = bytes.starts_with(b"POLC") || path.extension().is_some_and(|e| e == "polc");
    if is_artifact {
        return Policy::load(&bytes).map_err(|e| {
            CliError::input(format!(
                "[{}] cannot load `{}`: {e}",
                e.code(),
                display_name(path)
            ))
        });
    }
    let text = String::from_utf8(bytes).map_err(|_| {
        CliError::input(format!(
            "cannot read `{}`: neither a compiled policy nor UTF-8 `.pol` text",
            display_name(path)
        ))
    })?;
    let comp = check_source(&display_name(path), &text, &mut FsLoader);
    policy_of(path, &comp)
}

/// `--as-of` values: a strict calendar date.
pub fn parse_date_arg(s: &str) -> Result<i32, String> {
    parse_day(s).ok_or_else(|| format!("`{s}` is not a date; write it as YYYY-MM-DD"))
}

/// The evaluation date: `--as-of`, or today in local time (a jobcenter's
/// day, not UTC's).
pub fn today_or(as_of: Option<i32>) -> i32 {
    as_of.unwrap_or_else(|| from_naive(chrono::Local::now().date_naive()))
}

pub fn day(d: i32) -> String {
    format_day(d)
}

/// A file to write, or stdout for `-`.
pub fn create_output(path: &Path) -> Result<Box<dyn Write + Send>, CliError> {
    if path == Path::new("-") {
        return Ok(Box::new(io::stdout()));
    }
    let f = fs::File::create(path).map_err(|e| {
        CliError::input(format!(
            "cannot create `{}`: {}",
            path.display(),
            io_reason(&e)
        ))
    })?;
    Ok(Box::new(io::BufWriter::new(f)))
}

/// Prints to stdout, turning a write failure into an exit 3.
pub fn print_out(s: &str) -> Result<(), CliError> {
    let mut out = io::stdout().lock();
    out.write_all(s.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| CliError::write("to stdout", &e))
}

/// `--format` for commands with a human and a JSON form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
}

/// Pretty JSON for stdout.
pub fn to_json<T: serde::Serialize>(value: &T) -> Result<String, CliError> {
    serde_json::to_string_pretty(value)
        .map(|mut s| {
            s.push('\n');
            s
        })
        .map_err(|e| CliError::input(format!("cannot encode JSON: {e}")))
}
