//! Diagnostics: what every phase reports, collected (never thrown) and
//! rendered for people (miette, human) or tools (JSON).
//!
//! Every phase takes `&mut Diagnostics`, pushes what it finds and keeps
//! going with a partial result, so one run reports every problem of a file.

pub mod codes;
mod render;

pub use render::{render_human, render_json, JsonDiagnostic};

use crate::syntax::span::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A labelled stretch of source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub text: String,
}

/// One problem found in a policy.
///
/// Wording (STYLE.md §2): `message` starts lowercase, has no final period and
/// quotes the author's own words in backticks; the fix goes in `help`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// A stable code from `codes::REGISTRY` (`E0312`).
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    /// The first label is the primary location.
    pub labels: Vec<Label>,
    pub help: Option<String>,
    /// Further facts, one line each (e.g. an example case for an overlap).
    pub notes: Vec<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            labels: Vec::new(),
            help: None,
            notes: Vec::new(),
        }
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    pub fn with_label(mut self, span: Span, text: impl Into<String>) -> Diagnostic {
        self.labels.push(Label {
            span,
            text: text.into(),
        });
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    /// The primary location (the first label's span).
    pub fn span(&self) -> Option<Span> {
        self.labels.first().map(|l| l.span)
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// The accumulator every phase writes to.
#[derive(Debug, Clone, Default)]
pub struct Diagnostics {
    list: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn new() -> Diagnostics {
        Diagnostics::default()
    }

    pub fn push(&mut self, d: Diagnostic) {
        self.list.push(d);
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.list.extend(other.list);
    }

    pub fn has_errors(&self) -> bool {
        self.list.iter().any(Diagnostic::is_error)
    }

    pub fn error_count(&self) -> usize {
        self.list.iter().filter(|d| d.is_error()).count()
    }

    pub fn warning_count(&self) -> usize {
        self.list.len() - self.error_count()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Sorted by file and position, then code; duplicates removed.
    pub fn into_sorted(mut self) -> Vec<Diagnostic> {
        self.list.sort_by(|a, b| {
            let ka = a.span().map(|s| (s.file, s.start, s.end));
            let kb = b.span().map(|s| (s.file, s.start, s.end));
            ka.cmp(&kb)
                .then(a.code.cmp(b.code))
                .then(a.message.cmp(&b.message))
        });
        self.list.dedup();
        self.list
    }

    /// Applies `f` to every diagnostic pushed since the accumulator held
    /// `start` of them (one phase's own diagnostics).
    pub fn map_from(&mut self, start: usize, f: impl Fn(&mut Diagnostic)) {
        for d in self.list.iter_mut().skip(start) {
            f(d);
        }
    }

    /// Drops every diagnostic pushed since the accumulator held `len` of
    /// them (a repeated check whose problems were already reported).
    pub fn truncate(&mut self, len: usize) {
        self.list.truncate(len);
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.list.iter()
    }
}
