//! SARIF 2.1.0 output for `pol check --error-format sarif`, so code-scanning
//! dashboards can show policy diagnostics next to the source.
//!
//! One run; the tool's rules are the whole code registry (each with its
//! explanation page as help), results point at the primary label and list
//! the other labels as related locations. Columns count characters, as the
//! human and JSON outputs do, and end columns are exclusive.

use serde_json::{json, Value};

use pol_compiler::diagnostics::codes::registry;
use pol_compiler::diagnostics::{JsonDiagnostic, Severity};

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

pub fn log(diags: &[&JsonDiagnostic]) -> Value {
    let codes: Vec<&str> = registry().map(|c| c.code).collect();
    let rules: Vec<Value> = registry()
        .map(|c| {
            json!({
                "id": c.code,
                "shortDescription": { "text": c.title },
                "help": { "text": c.explain, "markdown": c.explain },
                "properties": { "retired": c.retired },
            })
        })
        .collect();
    let results: Vec<Value> = diags
        .iter()
        .map(|d| result(d, codes.iter().position(|c| *c == d.code)))
        .collect();
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "pol",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

fn location(file: &str, line: u32, column: u32, end_line: u32, end_column: u32) -> Value {
    json!({
        "physicalLocation": {
            "artifactLocation": { "uri": file },
            "region": {
                "startLine": line,
                "startColumn": column,
                "endLine": end_line,
                "endColumn": end_column,
            }
        }
    })
}

fn result(d: &JsonDiagnostic, rule_index: Option<usize>) -> Value {
    let level = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut text = d.message.clone();
    if let Some(help) = &d.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    for n in &d.notes {
        text.push_str("\nnote: ");
        text.push_str(n);
    }
    let mut r = json!({
        "ruleId": d.code,
        "level": level,
        "message": { "text": text },
    });
    if let Some(i) = rule_index {
        r["ruleIndex"] = json!(i);
    }
    // SARIF wants at least one location for a result to show in a file; a
    // diagnostic without a span (rare) is reported on the run only.
    if let (Some(file), Some(line), Some(col), Some(el), Some(ec)) =
        (&d.file, d.line, d.column, d.end_line, d.end_column)
    {
        r["locations"] = json!([location(file, line, col, el, ec)]);
        let related: Vec<Value> = d
            .labels
            .iter()
            .skip(1)
            .enumerate()
            .map(|(i, l)| {
                let mut loc = location(&l.file, l.line, l.column, l.end_line, l.end_column);
                loc["id"] = json!(i + 1);
                loc["message"] = json!({ "text": l.text });
                loc
            })
            .collect();
        if !related.is_empty() {
            r["relatedLocations"] = json!(related);
        }
    }
    r
}
