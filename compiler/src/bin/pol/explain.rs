//! `pol explain`: why one case has each of its statuses, or what a
//! diagnostic code means (`pol explain E0312` prints its page).

use std::path::{Path, PathBuf};

use pol_compiler::diagnostics::codes::lookup;

use crate::caseload::{self, redact_key, shown_id, CaseloadArgs};
use crate::common::{
    load_policy, parse_date_arg, print_out, to_json, today_or, CliError, CliResult, Exit, Format,
};
use crate::report::case_explanation;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A policy (`.pol` or `.polc`) to explain a case with, or a diagnostic code such as E0312
    #[arg(value_name = "POLICY|CODE")]
    subject: String,
    /// The caseload holding the case
    #[arg(long, value_name = "FILE")]
    caseload: Option<PathBuf>,
    /// The events file of a CSV caseload
    #[arg(long, value_name = "FILE")]
    events: Option<PathBuf>,
    /// The case id
    #[arg(long = "case", value_name = "ID")]
    case_id: Option<String>,
    /// The evaluation date (default: today)
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date_arg)]
    as_of: Option<i32>,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Show the case id as its keyed pseudonym (see `pol eval --redact-ids`)
    #[arg(long, value_name = "KEY", num_args = 0..=1, require_equals = true, default_missing_value = "")]
    redact_ids: Option<String>,
}

/// `E0312`, `w0401`: a code, not a file name.
fn looks_like_code(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 5
        && matches!(b.first(), Some(b'E' | b'e' | b'W' | b'w'))
        && b.iter().skip(1).all(u8::is_ascii_digit)
}

pub fn run(args: Args) -> CliResult {
    if looks_like_code(&args.subject) && !Path::new(&args.subject).exists() {
        return explain_code(&args.subject);
    }
    let (Some(caseload), Some(id)) = (args.caseload.clone(), args.case_id.clone()) else {
        return Err(CliError::usage(
            "explaining a case needs `--caseload FILE` and `--case ID` (or give a code: `pol explain E0312`)",
        ));
    };
    let policy = load_policy(Path::new(&args.subject))?;
    let today = today_or(args.as_of);
    let key = redact_key(args.redact_ids.as_deref());
    let cl = CaseloadArgs {
        caseload,
        events: args.events.clone(),
    };
    let mut opened = caseload::open(policy.program(), &cl, key.as_deref(), false)?;
    let shown = shown_id(&id, key.as_deref());
    let (batch, i) = match caseload::find_case(policy.program(), &mut opened.reader, &id)? {
        Ok(found) => found,
        Err(summary) => {
            // the case may be there but rejected: show its own errors only
            let own: Vec<_> = summary
                .errors
                .iter()
                .filter(|e| e.case_id.as_deref() == Some(shown.as_str()))
                .collect();
            if own.is_empty() {
                return Err(CliError::input(format!(
                    "no case `{shown}` in `{}`",
                    cl.caseload.display()
                )));
            }
            for e in &own {
                eprint!("{}", e.render());
            }
            return Err(CliError::failed(format!(
                "case `{shown}` was rejected by the reader"
            )));
        }
    };
    let mut explanation = policy.explain_case(batch.case(i), today);
    explanation.id.clone_from(&shown);
    match args.format {
        Format::Human => print_out(&case_explanation(&explanation, &shown))?,
        Format::Json => print_out(&to_json(&explanation)?)?,
    }
    Ok(Exit::Ok)
}

fn explain_code(code: &str) -> CliResult {
    match lookup(code) {
        Some(info) => {
            let body = info.explain.trim();
            // pages carry their own `# E0312 ...` heading; only a bare page
            // gets the registry's title on top
            let mut page = String::new();
            if !body.starts_with('#') {
                page.push_str(&format!("{}: {}\n\n", info.code, info.title));
            }
            if info.retired {
                page.push_str("(retired: no longer reported)\n\n");
            }
            if body.is_empty() {
                page.push_str("(no explanation page has been written for this code yet)\n");
            } else {
                page.push_str(body);
                page.push('\n');
            }
            print_out(&page)?;
            Ok(Exit::Ok)
        }
        None => Err(CliError::usage(format!(
            "no explanation for `{code}`: it is not a diagnostic code of `pol`"
        ))),
    }
}
