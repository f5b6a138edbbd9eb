//! `pol fmt`: rewrites `.pol` files in the canonical layout, or with
//! `--check` lists those that would change (for CI).
//!
//! A file with syntax errors is never touched: the formatter works on the
//! syntax tree, and items that did not parse are missing from it, so
//! formatting would delete the author's text. For the same reason the
//! formatter's output is parsed again before it replaces anything.

use std::fs;
use std::path::{Path, PathBuf};

use pol_compiler::diagnostics::Diagnostics;
use pol_compiler::format::format_file;
use pol_compiler::syntax::parse::parse_file;
use pol_compiler::syntax::span::SourceMap;

use crate::common::{
    collect_pol_files, display_name, io_reason, plural, print_out, read_source, render_diagnostics,
    stderr_color, CliError, CliResult, Exit,
};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files and directories (searched recursively for `.pol`)
    #[arg(required = true, value_name = "FILE|DIR")]
    paths: Vec<PathBuf>,
    /// Change nothing; list the files that would change and exit 1 if any
    #[arg(long)]
    check: bool,
}

enum Outcome {
    Unchanged,
    Changed(String),
    /// Syntax errors (already printed).
    Refused,
}

fn format_one(path: &Path) -> Result<Outcome, CliError> {
    let text = read_source(path)?;
    let name = display_name(path);
    let mut sources = SourceMap::new();
    let id = sources.add(name.clone(), text.clone());
    let mut diags = Diagnostics::new();
    let file = parse_file(id, &text, &mut diags);
    if diags.has_errors() {
        let errors: Vec<_> = diags
            .into_sorted()
            .into_iter()
            .filter(|d| d.is_error())
            .collect();
        eprint!("{}", render_diagnostics(&errors, &sources, stderr_color()));
        eprintln!("{name}: not formatted: fix the syntax errors first");
        return Ok(Outcome::Refused);
    }
    let formatted = format_file(&file, &text);
    if formatted == text {
        return Ok(Outcome::Unchanged);
    }
    let mut check = Diagnostics::new();
    let mut again = SourceMap::new();
    let id = again.add(name.clone(), formatted.clone());
    parse_file(id, &formatted, &mut check);
    if check.has_errors() {
        return Err(CliError::failed(format!(
            "{name}: the formatter produced text that does not parse; the file is left unchanged (a formatter bug; please report it)"
        )));
    }
    Ok(Outcome::Changed(formatted))
}

/// Replaces the file through a temporary file beside it, so an interrupted
/// run never leaves a half-written policy.
fn write_in_place(path: &Path, text: &str) -> Result<(), CliError> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".pol-fmt.tmp");
    let tmp = PathBuf::from(tmp);
    let fail = |e: std::io::Error| {
        CliError::input(format!(
            "cannot write `{}`: {}",
            path.display(),
            io_reason(&e)
        ))
    };
    fs::write(&tmp, text).map_err(fail)?;
    if let Ok(meta) = fs::metadata(path) {
        // keep the file's permissions; a failure here only loses a mode bit
        let _ = fs::set_permissions(&tmp, meta.permissions());
    }
    fs::rename(&tmp, path).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        fail(e)
    })
}

pub fn run(args: Args) -> CliResult {
    let files = collect_pol_files(&args.paths)?;
    let mut changed = 0;
    let mut refused = 0;
    let mut listing = String::new();
    for path in &files {
        match format_one(path)? {
            Outcome::Unchanged => {}
            Outcome::Refused => refused += 1,
            Outcome::Changed(text) => {
                changed += 1;
                if args.check {
                    listing.push_str(&format!("would reformat {}\n", display_name(path)));
                } else {
                    write_in_place(path, &text)?;
                    listing.push_str(&format!("formatted {}\n", display_name(path)));
                }
            }
        }
    }
    let verb = if args.check {
        "would be reformatted"
    } else {
        "reformatted"
    };
    listing.push_str(&format!(
        "{} {verb}, {} already formatted",
        plural(changed, "file", "files"),
        files.len() - changed - refused
    ));
    if refused > 0 {
        listing.push_str(&format!(", {} with syntax errors", refused));
    }
    listing.push('\n');
    print_out(&listing)?;
    let exit = if refused > 0 || (args.check && changed > 0) {
        Exit::Failed
    } else {
        Exit::Ok
    };
    Ok(exit)
}
