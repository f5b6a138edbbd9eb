//! Static analysis of a checked program: groups that can overlap (with an
//! example case), exemptions that can never apply, rules that can never
//! apply or never be met, exemptions in conflict, and unused schema fields.
//!
//! Satisfiability is decided by search: each field a condition reads gets a
//! small set of candidate values around the constants the policy mentions
//! (dates on both sides of every deadline, ages on both sides of every
//! threshold), searched depth first in three-valued logic (`search.rs`). A
//! found example is real; "never" means "not on any candidate", which covers
//! the comparisons the language can state; a search that runs out of budget
//! claims nothing.

use pol_runtime::vm::dates;

use super::ir::{ConditionIr, EffectIr, FormIr, TExpr, TExprKind, Ty};
use super::items::Checker;
use crate::diagnostics::Diagnostic;

mod search;

use search::{Search, Space, TODAY};

pub(super) fn run(c: &mut Checker<'_>) {
    unused_fields(c);
    conflicting_exemptions(c);
    if c.diags.has_errors() {
        // The searches below assume well-typed conditions.
        return;
    }
    let space = Space::new(c);
    overlapping_groups(c, &space);
    rules_that_never_apply(c, &space);
    targets_never_in_effect(c);
    exemptions_that_never_apply(c, &space);
    windows_that_never_close(c);
}

fn unused_fields(c: &mut Checker<'_>) {
    let mut reads: Vec<bool> = c.field_used.clone();
    for e in &c.checked.exemptions {
        if let ConditionIr::While(f) = e.condition {
            if let Some(r) = reads.get_mut(f) {
                *r = true;
            }
        }
    }
    // Fields declared only in imported modules are shared: only warn about
    // the root file's own fields.
    let root = c.files.first().map(|(id, _)| *id);
    if c.files.first().is_some_and(|(_, f)| f.header.is_none()) {
        // A module checked on its own: its fields are for the policies that import it.
        return;
    }
    for (i, f) in c.checked.fields.iter().enumerate() {
        if reads.get(i).copied().unwrap_or(true) || Some(f.span.file) != root {
            continue;
        }
        c.diags.push(
            Diagnostic::warning("W0405", format!("case field `{}` is never used", f.name))
                .with_label(f.span, "declared here")
                .with_help("remove it from the schema, or use it in a group, rule or exemption"),
        );
    }
}

fn conflicting_exemptions(c: &mut Checker<'_>) {
    let ex = &c.checked.exemptions;
    let mut found = Vec::new();
    for (i, a) in ex.iter().enumerate() {
        for (j, b) in ex.iter().enumerate().skip(i + 1) {
            if a.effect == b.effect || a.overrides.contains(&j) || b.overrides.contains(&i) {
                continue;
            }
            let Some(&shared) = a.rules.iter().find(|r| b.rules.contains(r)) else {
                continue;
            };
            let rule = c
                .checked
                .rules
                .get(shared)
                .map(|r| r.name.clone())
                .unwrap_or_default();
            found.push(
                Diagnostic::error(
                    "E0404",
                    format!(
                        "exemptions `{}` and `{}` both reach rule `{rule}` with different effects",
                        a.name, b.name
                    ),
                )
                .with_label(b.name_span, effect_word(b.effect))
                .with_label(a.name_span, effect_word(a.effect))
                .with_help(format!(
                    "say which one wins: add `overrides {}` to `{}` (or the other way round)",
                    a.name, b.name
                )),
            );
        }
    }
    for d in found {
        c.diags.push(d);
    }
}

fn effect_word(e: EffectIr) -> &'static str {
    match e {
        EffectIr::Waive => "waives",
        EffectIr::Suspend => "suspends",
    }
}

fn overlapping_groups(c: &mut Checker<'_>, space: &Space) {
    let root = c.files.first().map(|(id, _)| *id);
    let groups = &c.checked.groups;
    let mut found = Vec::new();
    for (i, a) in groups.iter().enumerate() {
        for (j, b) in groups.iter().enumerate().skip(i + 1) {
            if a.overlaps.contains(&j) || b.overlaps.contains(&i) {
                continue;
            }
            if a.priority.is_some() && b.priority.is_some() {
                continue;
            }
            // Two imported groups are the imported file's business.
            let (a_here, b_here) = (Some(a.span.file) == root, Some(b.span.file) == root);
            if !a_here && !b_here {
                continue;
            }
            // A search of exclusive conditions would find no example.
            if search::exclusive(&[&a.pred, &b.pred]) {
                continue;
            }
            let Search::Found(example) = space.find(c, &[&a.pred, &b.pred], &[]) else {
                continue;
            };
            // Point at the group the author is editing.
            let (here, other) = if b_here { (b, a) } else { (a, b) };
            found.push(
                Diagnostic::warning(
                    "W0401",
                    format!("groups `{}` and `{}` can overlap", here.name, other.name),
                )
                .with_label(here.name_span, "this group")
                .with_label(other.name_span, format!("and `{}` can hold the same case", other.name))
                .with_note(format!(
                    "for example a case with {}",
                    space.describe(c, &example, &[&a.pred, &b.pred])
                ))
                .with_help(format!(
                    "make the conditions exclusive, give both groups a `priority`, or declare `overlaps {}` on `{}` if a case may be in both",
                    other.name, here.name
                )),
            );
        }
    }
    for d in found {
        c.diags.push(d);
    }
}

/// Whether an item's `effective` range lies wholly outside the policy's.
fn outside_policy(item: (Option<i32>, Option<i32>), policy: (Option<i32>, Option<i32>)) -> bool {
    let (from, until) = item;
    match (from, policy.1) {
        (Some(f), Some(pu)) if f > pu => true,
        _ => matches!((until, policy.0), (Some(u), Some(pf)) if u < pf),
    }
}

/// W0403 for targets: a target dated wholly outside the policy's dates is
/// never judged (reported "not in effect" on every evaluation date the
/// policy is in force).
fn targets_never_in_effect(c: &mut Checker<'_>) {
    let policy = c.checked.meta.effective;
    let root = c.files.first().map(|(id, _)| *id);
    let found: Vec<Diagnostic> = c
        .checked
        .targets
        .iter()
        // An imported file's targets are judged when that file is checked.
        .filter(|t| Some(t.span.file) == root && outside_policy(t.effective, policy))
        .map(|t| {
            Diagnostic::warning(
                "W0403",
                format!("target `{}` is never in effect while the policy is", t.name),
            )
            .with_label(t.name_span, "effective dates outside the policy's")
            .with_help("align the target's `effective from … until` with the policy header's")
        })
        .collect();
    for d in found {
        c.diags.push(d);
    }
}

fn rules_that_never_apply(c: &mut Checker<'_>, space: &Space) {
    let mut found = Vec::new();
    let policy = c.checked.meta.effective;
    let root = c.files.first().map(|(id, _)| *id);
    for r in &c.checked.rules {
        // An imported file's rules are judged when that file is checked.
        if Some(r.span.file) != root {
            continue;
        }
        let mut conds: Vec<&TExpr> = Vec::new();
        if let Some(w) = &r.when {
            conds.push(w);
        }
        // A rule applies if some case is in one of its groups and `when` holds.
        let applies = if r.groups.is_empty() {
            !space.find(c, &conds, &[]).never()
        } else {
            r.groups.iter().any(|g| {
                let Some(group) = c.checked.groups.get(*g) else {
                    return true;
                };
                let mut all = conds.clone();
                all.push(&group.pred);
                !space.find(c, &all, &[]).never()
            })
        };
        if !applies {
            found.push(
                Diagnostic::warning("W0403", format!("rule `{}` can never apply", r.name))
                    .with_label(r.name_span, "no case satisfies its groups and condition")
                    .with_help(
                        "check the rule's `for` groups and its `when` condition against each other",
                    ),
            );
            continue;
        }
        if outside_policy(r.effective, policy) {
            found.push(
                Diagnostic::warning(
                    "W0403",
                    format!("rule `{}` is never in effect while the policy is", r.name),
                )
                .with_label(r.name_span, "effective dates outside the policy's")
                .with_help("align the rule's `effective from … until` with the policy header's"),
            );
        }
    }
    for d in found {
        c.diags.push(d);
    }
}

fn exemptions_that_never_apply(c: &mut Checker<'_>, space: &Space) {
    let mut found = Vec::new();
    let root = c.files.first().map(|(id, _)| *id);
    for e in &c.checked.exemptions {
        // An imported file's exemptions are judged when that file is checked.
        if Some(e.span.file) != root {
            continue;
        }
        if e.rules.is_empty() {
            found.push(
                Diagnostic::warning("W0402", format!("exemption `{}` reaches no rule", e.name))
                    .with_label(e.name_span, "empty scope")
                    .with_help("the groups it names have no rules yet; name rules, `group.*` of a group with rules, or `all`"),
            );
            continue;
        }
        let ConditionIr::When(cond) = &e.condition else {
            continue;
        };
        let negated_unless: Vec<&TExpr> = e.unless.iter().collect();
        let holds = !space.find(c, &[cond], &negated_unless).never();
        if !holds {
            found.push(
                Diagnostic::warning("W0402", format!("exemption `{}` can never apply", e.name))
                    .with_label(e.name_span, "its condition never holds")
                    .with_help("check the condition: as written, no case satisfies it (with `unless` false)"),
            );
            continue;
        }
        // Always holds, waives, no exception: its rules are always exempt.
        if e.effect == EffectIr::Waive && e.unless.is_none() {
            let not_cond = TExpr {
                kind: TExprKind::Not(Box::new(cond.clone())),
                ty: Ty::Bool,
                optional: false,
                span: cond.span,
            };
            if space.find(c, &[&not_cond], &[]).never() {
                found.push(
                    Diagnostic::warning(
                        "W0406",
                        format!(
                            "exemption `{}` always applies, so its rules are always exempt",
                            e.name
                        ),
                    )
                    .with_label(e.name_span, "condition always true")
                    .with_help("narrow the condition, or remove the rules it shadows"),
                );
            }
        }
    }
    for d in found {
        c.diags.push(d);
    }
}

fn windows_that_never_close(c: &mut Checker<'_>) {
    let mut found = Vec::new();
    for r in &c.checked.rules {
        let mut reqs = Vec::new();
        collect_requirements(&r.body, &mut reqs);
        for req in reqs {
            if let FormIr::Slots { every, first } = req.form {
                let base = TODAY;
                let one = dates::add_dur(base, every);
                let end = dates::add_dur(base, first);
                if let (Some(one), Some(end)) = (one, end) {
                    if one > end {
                        found.push(
                            Diagnostic::warning(
                                "W0407",
                                format!(
                                    "rule `{}` has no slot: its period is longer than its window",
                                    r.name
                                ),
                            )
                            .with_label(req.span, "nothing is ever due")
                            .with_help(
                                "the slot length (`every …`) must fit inside `during first …`",
                            ),
                        );
                    }
                }
            }
        }
    }
    for d in found {
        c.diags.push(d);
    }
}

fn collect_requirements<'a>(b: &'a super::ir::BodyIr, out: &mut Vec<&'a super::ir::RequirementIr>) {
    match b {
        super::ir::BodyIr::Require(r) => out.push(r),
        super::ir::BodyIr::If {
            then, otherwise, ..
        } => {
            collect_requirements(then, out);
            if let Some(o) = otherwise {
                collect_requirements(o, out);
            }
        }
    }
}
