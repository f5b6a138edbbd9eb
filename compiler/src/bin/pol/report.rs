//! Human renderings shared by `pol test` and `pol explain`: why a rule has
//! its status, in the words of the language reference (§6.3): the anchor,
//! the windows judged, the events counted, the exemption, the quoted rule
//! and its citations.

use pol_runtime::vm::explain::{CaseExplanation, RuleExplanation};
use pol_runtime::{Status, TargetOutcome};

/// `pending due 2026-04-26`, `met(2026-03-10)`, `exempt(standby)`: the
/// status as a test would expect it.
pub fn status_line(r: &RuleExplanation) -> String {
    let mut s = r.status.as_str().to_string();
    if let Some(on) = &r.met_on {
        s.push_str(&format!("({on})"));
    } else if let Some(x) = &r.exemption {
        s.push_str(&format!("({})", x.name));
    }
    if let Some(due) = &r.due {
        s.push_str(&format!(" due {due}"));
    }
    if let Some(next) = &r.next_due {
        s.push_str(&format!(", next due {next}"));
    }
    s
}

/// The explanation of one rule, every line prefixed by `indent`.
pub fn rule_explanation(r: &RuleExplanation, indent: &str) -> String {
    let mut out = Vec::new();
    let mut head = format!("rule `{}`", r.rule);
    if let Some(t) = &r.title {
        head.push_str(&format!(" \"{t}\""));
    }
    head.push_str(&format!(": {}", status_line(r)));
    out.push(head);
    out.push(format!("  why: {}", r.reason));
    if let Some(a) = &r.anchor {
        out.push(format!("  anchor (day 0): {a}"));
    }
    if r.forbids {
        for w in &r.windows {
            let to = w.due.as_deref().unwrap_or("(open-ended)");
            out.push(format!("  forbidden window: {} .. {to}", w.from));
        }
        if r.events.is_empty() {
            out.push("  forbidden events: none".to_string());
        } else {
            let list: Vec<String> = r
                .events
                .iter()
                .map(|e| format!("{} {}", e.kind, e.date))
                .collect();
            out.push(format!("  forbidden events: {}", list.join(", ")));
        }
    } else if !r.windows.is_empty() {
        out.push("  windows:".to_string());
        for w in &r.windows {
            let state = match &w.fulfilled {
                Some(d) => format!("fulfilled {d}"),
                None => "not fulfilled".to_string(),
            };
            match &w.due {
                Some(due) => out.push(format!("    {} .. {due}  {state}", w.from)),
                None => out.push(format!("    {} ..  (no due date)  {state}", w.from)),
            }
        }
    }
    if !r.forbids && (r.anchor.is_some() || !r.windows.is_empty()) {
        if r.events.is_empty() {
            out.push("  events counted: none".to_string());
        } else {
            let list: Vec<String> = r
                .events
                .iter()
                .map(|e| format!("{} {}", e.kind, e.date))
                .collect();
            out.push(format!("  events counted: {}", list.join(", ")));
        }
    }
    for (due, days) in &r.suspended {
        out.push(format!("  suspended: due {due} moved {days} days later"));
    }
    if let Some(x) = &r.exemption {
        let mut line = format!("  exemption `{}`", x.name);
        if let Some(t) = &x.title {
            line.push_str(&format!(" \"{t}\""));
        }
        line.push_str(&format!(": {}", x.reason));
        out.push(line);
        for c in &x.citations {
            out.push(format!("    source: {c}"));
        }
    }
    if !r.span.text.is_empty() {
        let lines = if r.span.line_end > r.span.line_start {
            format!("{}-{}", r.span.line_start, r.span.line_end)
        } else {
            r.span.line_start.to_string()
        };
        out.push(format!("  rule source: {}:{lines}", r.span.file));
        let width = r.span.line_end.max(r.span.line_start).to_string().len();
        for (i, text) in r.span.text.lines().enumerate() {
            let n = r.span.line_start as usize + i;
            out.push(format!("    {n:>width$} | {text}"));
        }
    }
    for c in &r.citations {
        out.push(format!("  citation: {c}"));
    }
    let mut s = String::new();
    for line in out {
        s.push_str(indent);
        s.push_str(line.trim_end());
        s.push('\n');
    }
    s
}

fn outcome_word(o: TargetOutcome) -> &'static str {
    match o {
        TargetOutcome::NotCounted => "not counted (not in the target's group or filter)",
        TargetOutcome::Excluded => {
            "excluded (exempt from a rule the target names, or no value to average)"
        }
        TargetOutcome::Fails => "counted, does not satisfy",
        TargetOutcome::Satisfies => "counted, satisfies",
    }
}

/// Every rule's explanation for one case, then its targets.
pub fn case_explanation(c: &CaseExplanation, shown_id: &str) -> String {
    let mut s = format!("case `{shown_id}` on {}\n", c.today);
    if c.groups.is_empty() {
        s.push_str("groups: none\n");
    } else {
        s.push_str(&format!("groups: {}\n", c.groups.join(", ")));
    }
    // The rules that bind this case in full; the others in one line each,
    // so the answer to "why" is not buried under rules that do not apply.
    let (applicable, not): (Vec<_>, Vec<_>) = c
        .rules
        .iter()
        .partition(|r| r.status != Status::NotApplicable);
    for r in &applicable {
        s.push('\n');
        s.push_str(&rule_explanation(r, ""));
    }
    if !not.is_empty() {
        s.push_str(&format!("\nnot applicable ({}):\n", not.len()));
        for r in &not {
            s.push_str(&format!("  {}: {}\n", r.rule, r.reason));
        }
    }
    if !c.targets.is_empty() {
        s.push_str("\ntargets:\n");
        for t in &c.targets {
            s.push_str(&format!("  {}: {}\n", t.target, outcome_word(t.outcome)));
        }
    }
    s
}
