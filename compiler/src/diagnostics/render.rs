//! Rendering diagnostics: miette's graphical report for people, JSON for tools.

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource};
use serde::Serialize;

use super::{Diagnostic, Severity};
use crate::syntax::span::SourceMap;

/// How many lines apart two labels may be and still share one snippet.
const NEAR_LINES: u32 = 6;

/// Renders one diagnostic as miette's graphical report (no colour when
/// `color` is false). Labels in another file than the primary one become
/// notes naming that file, line and column.
pub fn render_human(d: &Diagnostic, sources: &SourceMap, width: usize, color: bool) -> String {
    // A snippet of a very long line (a generated or minified file) would
    // print the whole line and an underline as long: name the place instead.
    let huge_line = d.labels.iter().any(|l| {
        sources.get(l.span.file).is_some_and(|f| {
            let (line, _) = f.line_col(l.span.start);
            f.lines(line, line).len() > MAX_SNIPPET_LINE
        })
    });
    if huge_line {
        return render_without_snippet(d, sources);
    }
    let primary_file = d.span().map(|s| s.file);
    let primary_line = d
        .span()
        .and_then(|s| sources.get(s.file).map(|f| f.line_col(s.start).0));
    let mut notes: Vec<String> = Vec::new();
    let mut labels = Vec::new();
    for (i, label) in d.labels.iter().enumerate() {
        // miette draws one snippet from the first label to the last, so a
        // label far from the primary one becomes a note instead.
        let near = match (primary_line, sources.get(label.span.file)) {
            (Some(p), Some(f)) => f.line_col(label.span.start).0.abs_diff(p) <= NEAR_LINES,
            _ => false,
        };
        if Some(label.span.file) == primary_file && (i == 0 || near) {
            let text = if label.text.is_empty() {
                None
            } else {
                Some(label.text.clone())
            };
            let span = (label.span.start as usize, label.span.len());
            labels.push(if i == 0 {
                LabeledSpan::new_primary_with_span(text, span)
            } else {
                LabeledSpan::new_with_span(text, span)
            });
        } else if let Some(file) = sources.get(label.span.file) {
            let (line, col) = file.line_col(label.span.start);
            notes.push(format!("{}: {}:{}:{}", label.text, file.name, line, col));
        }
    }
    notes.extend(d.notes.iter().cloned());
    let help = d.help.clone().unwrap_or_default();
    let mut md = MietteDiagnostic::new(d.message.clone())
        .with_code(d.code)
        .with_severity(match d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
        .with_labels(labels);
    if !help.is_empty() {
        md = md.with_help(help);
    }
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(width)
        .with_links(false);
    let mut out = String::new();
    let report = match primary_file.and_then(|f| sources.get(f)) {
        Some(file) => miette::Report::new(md)
            .with_source_code(NamedSource::new(file.name.clone(), file.text.clone())),
        None => miette::Report::new(md),
    };
    if handler.render_report(&mut out, report.as_ref()).is_err() {
        out = format!(
            "{}: [{}] {}\n",
            severity_word(d.severity),
            d.code,
            d.message
        );
    }
    for n in &notes {
        out.push_str("  note: ");
        out.push_str(n);
        out.push('\n');
    }
    out
}

/// Lines longer than this are not drawn as snippets.
const MAX_SNIPPET_LINE: usize = 1_000;

/// The plain form of a diagnostic: code, message, each label as a position.
fn render_without_snippet(d: &Diagnostic, sources: &SourceMap) -> String {
    let mut out = format!("{}[{}]: {}\n", severity_word(d.severity), d.code, d.message);
    for l in &d.labels {
        if let Some(f) = sources.get(l.span.file) {
            let (line, col) = f.line_col(l.span.start);
            out.push_str(&format!("  --> {}:{line}:{col}: {}\n", f.name, l.text));
        }
    }
    if let Some(h) = &d.help {
        out.push_str(&format!("  help: {h}\n"));
    }
    for n in &d.notes {
        out.push_str(&format!("  note: {n}\n"));
    }
    out
}

fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// The JSON shape of a diagnostic (`--error-format json`): stable field
/// names, 1-based lines and columns.
#[derive(Debug, Clone, Serialize)]
pub struct JsonDiagnostic {
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    pub file: Option<String>,
    pub line: Option<u32>,
    pub column: Option<u32>,
    pub end_line: Option<u32>,
    pub end_column: Option<u32>,
    pub labels: Vec<JsonLabel>,
    pub help: Option<String>,
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct JsonLabel {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    pub text: String,
}

pub fn render_json(d: &Diagnostic, sources: &SourceMap) -> JsonDiagnostic {
    let labels: Vec<JsonLabel> = d
        .labels
        .iter()
        .filter_map(|l| {
            let f = sources.get(l.span.file)?;
            let (line, column) = f.line_col(l.span.start);
            let (end_line, end_column) = f.line_col(l.span.end);
            Some(JsonLabel {
                file: f.name.clone(),
                line,
                column,
                end_line,
                end_column,
                text: l.text.clone(),
            })
        })
        .collect();
    let first = labels.first();
    JsonDiagnostic {
        code: d.code,
        severity: d.severity,
        message: d.message.clone(),
        file: first.map(|l| l.file.clone()),
        line: first.map(|l| l.line),
        column: first.map(|l| l.column),
        end_line: first.map(|l| l.end_line),
        end_column: first.map(|l| l.end_column),
        labels,
        help: d.help.clone(),
        notes: d.notes.clone(),
    }
}
