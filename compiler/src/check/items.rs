//! Checking items: the checker's state and the order of its passes, the
//! policy header, item names and their lookups, groups, and the bytecode's
//! size limits. Rules, exemptions, targets and tests are checked in their
//! own modules (`rules.rs`, `exemptions.rs`, `targets.rs`, `tests.rs`).

use std::collections::HashMap;

use pol_runtime::vm::dates::from_naive;

use super::exprs::Scope;
use super::ir::{Checked, GroupIr, MetaIr};
use super::suggest::did_you_mean;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::syntax::ast::{self, Language};
use crate::syntax::span::{FileId, SourceMap, Span};

/// The checker's state while it walks a program.
pub(crate) struct Checker<'a> {
    pub(super) files: &'a [(FileId, ast::File)],
    pub(super) sources: &'a SourceMap,
    pub(super) diags: &'a mut Diagnostics,
    pub(super) checked: Checked,
    pub(super) enum_by_name: HashMap<String, usize>,
    pub(super) field_by_name: HashMap<String, usize>,
    pub(super) event_by_name: HashMap<String, usize>,
    pub(super) group_by_name: HashMap<String, usize>,
    pub(super) rule_by_name: HashMap<String, usize>,
    pub(super) exemption_by_name: HashMap<String, usize>,
    pub(super) param_by_name: HashMap<String, usize>,
    /// every declared target name (a target that fails to check is left
    /// out of `checked.targets`, but a test naming it is not an unknown name)
    pub(super) target_names: Vec<String>,
    /// enum value name -> (enum, variant) for every enum that has it
    pub(super) variant_owners: HashMap<String, Vec<(usize, usize)>>,
    /// which case fields some expression reads (for W0405)
    pub(super) field_used: Vec<bool>,
    /// Names of items a syntax error left out: a reference to one is not
    /// reported again as unknown (the syntax error already says what is wrong).
    pub(super) unparsed: std::collections::HashSet<String>,
}

/// Checks a whole program: `files[0]` is the root.
pub(crate) fn check_program(
    root: FileId,
    files: &[(FileId, ast::File)],
    sources: &SourceMap,
    diags: &mut Diagnostics,
) -> Checked {
    let mut c = Checker {
        files,
        sources,
        diags,
        checked: Checked::default(),
        enum_by_name: HashMap::new(),
        field_by_name: HashMap::new(),
        event_by_name: HashMap::new(),
        group_by_name: HashMap::new(),
        rule_by_name: HashMap::new(),
        exemption_by_name: HashMap::new(),
        param_by_name: HashMap::new(),
        target_names: Vec::new(),
        variant_owners: HashMap::new(),
        field_used: Vec::new(),
        unparsed: files
            .iter()
            .flat_map(|(_, f)| f.unparsed.iter().cloned())
            .collect(),
    };
    c.meta(root);
    c.modules_hold_no_policy_items();
    c.collect_schema();
    c.check_params();
    c.declare_names();
    c.check_groups();
    c.check_rules();
    c.check_exemptions();
    c.check_targets();
    c.check_tests(root);
    c.within_bytecode_limits();
    super::analysis::run(&mut c);
    c.checked
}

/// The most items of one kind the bytecode can index (16-bit indices).
const MAX_ITEMS: usize = u16::MAX as usize;

/// A date literal as a day number.
pub(super) fn day(d: &ast::DateLit) -> i32 {
    from_naive(d.date)
}

pub(super) fn effective(e: Option<&ast::Effective>) -> (Option<i32>, Option<i32>) {
    match e {
        None => (None, None),
        Some(e) => (Some(day(&e.from)), e.until.as_ref().map(day)),
    }
}

pub(super) fn strs(list: &[ast::Str]) -> Vec<String> {
    list.iter().map(|s| s.value.clone()).collect()
}

impl<'a> Checker<'a> {
    pub(super) fn items(&self) -> impl Iterator<Item = &'a ast::Item> + 'a {
        let files: &'a [(FileId, ast::File)] = self.files;
        files.iter().flat_map(|(_, f)| f.items.iter())
    }

    fn meta(&mut self, root: FileId) {
        let Some((_, file)) = self.files.first() else {
            return;
        };
        let language = match file.language {
            Language::English => 0,
            Language::Danish => 1,
        };
        let name_from_file = || {
            let name = self
                .sources
                .get(root)
                .map(|f| f.name.as_str())
                .unwrap_or("policy");
            let stem = name.rsplit('/').next().unwrap_or(name);
            stem.strip_suffix(".pol").unwrap_or(stem).to_string()
        };
        self.checked.meta = match &file.header {
            Some(h) => {
                if let Some(e) = &h.effective {
                    self.check_effective(e);
                }
                MetaIr {
                    name: h.name.name.clone(),
                    title: h.title.as_ref().map(|s| s.value.clone()),
                    version: h.version.as_ref().map(|s| s.value.clone()),
                    effective: effective(h.effective.as_ref()),
                    sources: strs(&h.sources),
                    language,
                }
            }
            None => MetaIr {
                name: name_from_file(),
                language,
                ..MetaIr::default()
            },
        };
    }

    /// A file without a `policy` header is a module: schema items only.
    fn modules_hold_no_policy_items(&mut self) {
        for (_, file) in self.files {
            if file.header.is_some() {
                continue;
            }
            for item in &file.items {
                let what = match item {
                    ast::Item::Group(_) => "group",
                    ast::Item::Rule(_) => "rule",
                    ast::Item::Exemption(_) => "exemption",
                    ast::Item::Target(_) => "target",
                    ast::Item::Test(_) => "test",
                    _ => continue,
                };
                let span = item.span();
                let head = Span {
                    end: span.start.saturating_add(what.len() as u32).min(span.end),
                    ..span
                };
                self.diags.push(
                    Diagnostic::error("E0212", format!("{} {what} needs a policy: this file has no `policy` header", if what.starts_with(['e', 'a']) { "an" } else { "a" }))
                        .with_label(head, format!("{what} in a module"))
                        .with_help("add a header such as `policy name \"title\"` at the top, or move the item into a policy file"),
                );
            }
        }
    }

    pub(super) fn check_effective(&mut self, e: &ast::Effective) {
        if let Some(until) = &e.until {
            if until.date < e.from.date {
                self.diags.push(
                    Diagnostic::error("E0317", "the effective period ends before it starts")
                        .with_label(e.from.span, "starts here")
                        .with_label(until.span, "ends here")
                        .with_help("swap the dates, or correct the one that is wrong"),
                );
            }
        }
    }

    /// The bytecode indexes groups, rules, exemptions, targets, case fields
    /// and event kinds with 16 bits: more would silently point at the wrong
    /// item, so a program past the limit is refused.
    fn within_bytecode_limits(&mut self) {
        let c = &self.checked;
        let counts = [
            (
                "groups",
                c.groups.len(),
                c.groups.last().map(|x| x.name_span),
            ),
            ("rules", c.rules.len(), c.rules.last().map(|x| x.name_span)),
            (
                "exemptions",
                c.exemptions.len(),
                c.exemptions.last().map(|x| x.name_span),
            ),
            ("targets", c.targets.len(), c.targets.last().map(|x| x.span)),
            (
                "case fields",
                c.fields.len(),
                c.fields.last().map(|x| x.span),
            ),
            (
                "event kinds",
                c.events.len(),
                c.events.last().map(|x| x.span),
            ),
        ];
        let mut found = Vec::new();
        for (what, n, span) in counts {
            if n > MAX_ITEMS {
                let mut d = Diagnostic::error(
                    "E0109",
                    format!("the policy has {n} {what}; at most {MAX_ITEMS} are possible"),
                )
                .with_help("split the policy into smaller policies");
                if let Some(span) = span {
                    d = d.with_label(span, "one too many");
                }
                found.push(d);
            }
        }
        for d in found {
            self.diags.push(d);
        }
    }

    /// Names of groups, rules and exemptions, so items may refer to each
    /// other in any order.
    fn declare_names(&mut self) {
        let mut groups: Vec<(String, Span)> = Vec::new();
        let mut rules: Vec<(String, Span)> = Vec::new();
        let mut exemptions: Vec<(String, Span)> = Vec::new();
        let mut targets: Vec<(String, Span)> = Vec::new();
        for item in self.items() {
            match item {
                ast::Item::Group(g) => groups.push((g.name.name.clone(), g.name.span)),
                ast::Item::Rule(r) => rules.push((r.name.name.clone(), r.name.span)),
                ast::Item::Exemption(e) => exemptions.push((e.name.name.clone(), e.name.span)),
                ast::Item::Target(t) => targets.push((t.name.name.clone(), t.name.span)),
                _ => {}
            }
        }
        fn index(
            diags: &mut Diagnostics,
            what: &str,
            list: &[(String, Span)],
            map: &mut HashMap<String, usize>,
        ) {
            let mut firsts: HashMap<&str, Span> = HashMap::new();
            for (name, span) in list {
                if let Some(first) = firsts.get(name.as_str()) {
                    super::duplicate(diags, what, name, *span, *first);
                    continue;
                }
                firsts.insert(name, *span);
                let i = map.len();
                map.insert(name.clone(), i);
            }
        }
        index(self.diags, "group", &groups, &mut self.group_by_name);
        index(self.diags, "rule", &rules, &mut self.rule_by_name);
        index(
            self.diags,
            "exemption",
            &exemptions,
            &mut self.exemption_by_name,
        );
        let mut target_names = HashMap::new();
        index(self.diags, "target", &targets, &mut target_names);
        self.target_names = targets.into_iter().map(|(n, _)| n).collect();
    }

    pub(super) fn group(&mut self, id: &ast::Ident) -> Option<usize> {
        if let Some(&g) = self.group_by_name.get(&id.name) {
            return Some(g);
        }
        if self.unparsed.contains(&id.name) {
            return None;
        }
        let help = did_you_mean(
            &id.name,
            self.group_by_name.keys().map(String::as_str),
            "group",
        );
        self.diags.push(
            Diagnostic::error("E0205", format!("there is no group `{}`", id.name))
                .with_label(id.span, "unknown group")
                .with_help(help),
        );
        None
    }

    pub(super) fn rule(&mut self, id: &ast::Ident) -> Option<usize> {
        if let Some(&r) = self.rule_by_name.get(&id.name) {
            return Some(r);
        }
        if self.unparsed.contains(&id.name) {
            return None;
        }
        let help = did_you_mean(
            &id.name,
            self.rule_by_name.keys().map(String::as_str),
            "rule",
        );
        self.diags.push(
            Diagnostic::error("E0207", format!("there is no rule `{}`", id.name))
                .with_label(id.span, "unknown rule")
                .with_help(help),
        );
        None
    }

    pub(super) fn exemption(&mut self, id: &ast::Ident) -> Option<usize> {
        if let Some(&e) = self.exemption_by_name.get(&id.name) {
            return Some(e);
        }
        if self.unparsed.contains(&id.name) {
            return None;
        }
        let help = did_you_mean(
            &id.name,
            self.exemption_by_name.keys().map(String::as_str),
            "exemption",
        );
        self.diags.push(
            Diagnostic::error("E0208", format!("there is no exemption `{}`", id.name))
                .with_label(id.span, "unknown exemption")
                .with_help(help),
        );
        None
    }

    /// `group.rule`: the rule, if it is declared and belongs to the group.
    pub(super) fn rule_in_group(&mut self, g: usize, rule: &ast::Ident) -> Option<usize> {
        let r = self.rule(rule)?;
        let belongs = self
            .rule_groups(r)
            .is_none_or(|gs| gs.is_empty() || gs.contains(&g));
        if belongs {
            return Some(r);
        }
        let gname = self
            .checked
            .groups
            .get(g)
            .map(|x| x.name.clone())
            .unwrap_or_default();
        self.diags.push(
            Diagnostic::error(
                "E0207",
                format!("rule `{}` is not a rule of group `{gname}`", rule.name),
            )
            .with_label(rule.span, "not in this group")
            .with_help(format!(
                "refer to it as `{}`, or add `{gname}` to its `for` list",
                rule.name
            )),
        );
        None
    }

    /// A rule's groups by index: from the checked rule if done, else from its declaration.
    fn rule_groups(&self, r: usize) -> Option<Vec<usize>> {
        if let Some(rule) = self.checked.rules.get(r) {
            return Some(rule.groups.clone());
        }
        let decl = self.items().filter_map(ast::Item::as_rule).nth(r)?;
        Some(
            decl.groups
                .iter()
                .filter_map(|g| self.group_by_name.get(&g.name).copied())
                .collect(),
        )
    }

    fn check_groups(&mut self) {
        let decls: Vec<&ast::GroupDecl> = self.items().filter_map(ast::Item::as_group).collect();
        let mut seen = std::collections::HashSet::new();
        for g in &decls {
            if !seen.insert(g.name.name.clone()) {
                continue;
            }
            let pred = self.cond(&g.expr, Scope::CASE);
            self.checked.groups.push(GroupIr {
                name: g.name.name.clone(),
                title: g.title.as_ref().map(|s| s.value.clone()),
                pred,
                priority: g.priority.map(|p| p.value),
                overlaps: Vec::new(),
                sources: strs(&g.sources),
                doc: g.doc.clone(),
                span: g.span,
                name_span: g.name.span,
            });
        }
        // `overlaps` may name any group, so resolve after all are known.
        for g in decls {
            let Some(&gi) = self.group_by_name.get(&g.name.name) else {
                continue;
            };
            let overlaps: Vec<usize> = if g.overlaps_all {
                (0..self.checked.groups.len())
                    .filter(|o| *o != gi)
                    .collect()
            } else {
                g.overlaps.iter().filter_map(|o| self.group(o)).collect()
            };
            if let Some(ir) = self.checked.groups.get_mut(gi) {
                if ir.span == g.span {
                    ir.overlaps = overlaps;
                }
            }
        }
    }
}
