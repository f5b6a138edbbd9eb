//! Checking items: the policy header, groups, rules, exemptions, targets and
//! tests, in declaration order across all files of a program.

use std::collections::HashMap;

use pol_runtime::bytecode::program::Dur;
use pol_runtime::bytecode::verify::MAX_KINDS_PER_COUNT;
use pol_runtime::vm::dates::{from_naive, MIN_DAY};

use super::exprs::{dur_of, Scope};
use super::ir::{
    BinOp, BodyIr, Checked, ConditionIr, CountIr, EachIr, EffectIr, ExemptionIr, ForbidIr, FormIr,
    GroupIr, MetaIr, RequirementIr, RuleIr, TExpr, TExprKind, Ty,
};
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

    fn check_rules(&mut self) {
        let decls: Vec<&ast::RuleDecl> = self.items().filter_map(ast::Item::as_rule).collect();
        let mut seen = std::collections::HashSet::new();
        for r in decls {
            if !seen.insert(r.name.name.clone()) {
                continue;
            }
            let groups: Vec<usize> = r.groups.iter().filter_map(|g| self.group(g)).collect();
            let when = r.when.as_ref().map(|w| self.cond(w, Scope::CASE));
            let body = self.body(&r.body);
            if let Some(e) = &r.effective {
                self.check_effective(e);
            }
            self.checked.rules.push(RuleIr {
                name: r.name.name.clone(),
                title: r.title.as_ref().map(|s| s.value.clone()),
                groups,
                when,
                body,
                effective: effective(r.effective.as_ref()),
                sources: strs(&r.sources),
                doc: r.doc.clone(),
                span: r.span,
                name_span: r.name.span,
            });
        }
    }

    fn body(&mut self, b: &ast::Body) -> BodyIr {
        match b {
            ast::Body::If {
                cond,
                then,
                otherwise,
                ..
            } => BodyIr::If {
                cond: self.cond(cond, Scope::CASE),
                then: Box::new(self.body(then)),
                otherwise: otherwise.as_ref().map(|o| Box::new(self.body(o))),
            },
            ast::Body::Require(req) => BodyIr::Require(self.requirement(req)),
            ast::Body::Forbid(f) => BodyIr::Require(self.prohibition(f)),
        }
    }

    /// `before week k`: week 0 does not exist (E0316).
    fn week(&mut self, week: &ast::IntLit) -> u32 {
        if week.value == 0 {
            self.diags.push(
                Diagnostic::error(
                    "E0316",
                    "there is no week 0: week 1 is the anchor's first seven days",
                )
                .with_label(week.span, "week 0")
                .with_help("write `before week 1` for a deadline six days after the anchor"),
            );
        }
        week.value.max(1)
    }

    /// `forbid K [where F] <window>`, and `every K [where F] <window> must
    /// C` as `forbid K where F and not (C) <window>` (docs/language.md
    /// §6.1): a requirement of the `Forbid` form whose one count names the
    /// forbidden events.
    fn prohibition(&mut self, f: &ast::Prohibition) -> RequirementIr {
        let kind = self.event_kind(&f.kind);
        let mut filter = None;
        if let Some(kind) = kind {
            let scope = Scope {
                event: Some(kind),
                rules: false,
            };
            filter = f.filter.as_ref().map(|x| self.cond(x, scope));
            if let Some(c) = &f.must {
                let c = self.cond(c, scope);
                let span = c.span;
                let not_c = TExpr {
                    kind: TExprKind::Not(Box::new(c)),
                    ty: Ty::Bool,
                    optional: false,
                    span,
                };
                filter = Some(match filter {
                    None => not_c,
                    Some(x) => TExpr {
                        span: x.span,
                        kind: TExprKind::Binary(BinOp::And, Box::new(x), Box::new(not_c)),
                        ty: Ty::Bool,
                        optional: false,
                    },
                });
            }
        }
        let w = &f.window;
        let window = match &w.kind {
            ast::WindowKind::Within { len, .. } => {
                if len.n < 0 {
                    self.bad_duration(len);
                }
                ForbidIr::Within { len: dur_of(len) }
            }
            ast::WindowKind::BeforeWeek { week, .. } => ForbidIr::BeforeWeek {
                week: self.week(week),
            },
            ast::WindowKind::Between { .. } => ForbidIr::Between,
            ast::WindowKind::After { .. } => ForbidIr::After,
            ast::WindowKind::Each { .. } => {
                self.diags.push(
                    Diagnostic::error(
                        "E0328",
                        format!(
                            "`{}` needs one window from a date, not one window per event",
                            f.keyword.text
                        ),
                    )
                    .with_label(w.span, "a window per event")
                    .with_label(f.keyword.span, "a prohibition")
                    .with_help("forbid the events in a window from a date, e.g. `within 13 weeks of benefit_start` or `after benefit_start`"),
                );
                ForbidIr::After
            }
            ast::WindowKind::Slots { .. }
            | ast::WindowKind::Every { .. }
            | ast::WindowKind::Apart { .. }
            | ast::WindowKind::Per { .. }
            | ast::WindowKind::PerCalendarYear { .. } => {
                self.diags.push(
                    Diagnostic::error(
                        "E0328",
                        format!(
                            "`{}` needs one stretch of days, but `{}` is a schedule",
                            f.keyword.text, w.keyword.text
                        ),
                    )
                    .with_label(w.span, "a schedule")
                    .with_label(f.keyword.span, "a prohibition")
                    .with_help("write one window: `within 6 months of S`, `before week 8 of S`, `between A and B` or `after S`"),
                );
                ForbidIr::After
            }
        };
        let anchor = match w.kind.anchor() {
            Some(a) => self.date(a, Scope::CASE, "the anchor"),
            None => TExpr {
                kind: TExprKind::Const(MIN_DAY),
                ty: Ty::Date,
                optional: false,
                span: w.span,
            },
        };
        let end = match &w.kind {
            ast::WindowKind::Between { end, .. } => {
                Some(self.date(end, Scope::CASE, "the window's end"))
            }
            _ => None,
        };
        RequirementIr {
            anchor,
            end,
            each: None,
            form: FormIr::Forbid(window),
            counts: kind
                .map(|kind| CountIr {
                    kind,
                    n: 1,
                    filter,
                    also: Vec::new(),
                    span: f.kind.span,
                })
                .into_iter()
                .collect(),
            span: f.span,
        }
    }

    /// A count over several kinds (`samtale or telefonkontakt where …`):
    /// at most `MAX_KINDS_PER_COUNT` kinds, each once, and a filter that
    /// reads only fields every kind has, with one type (E0331). `kind` and
    /// `also` are the resolved kinds.
    fn kinds_fit(&mut self, c: &ast::Count, kind: usize, also: &[(usize, &ast::Ident)]) -> bool {
        if also.is_empty() {
            return true;
        }
        let mut ok = true;
        if also.len() >= MAX_KINDS_PER_COUNT {
            let last = also.last().map_or(c.kind.span, |(_, k)| k.span);
            self.diags.push(
                Diagnostic::error(
                    "E0331",
                    format!("a count names at most {MAX_KINDS_PER_COUNT} event kinds"),
                )
                .with_label(c.kind.span.to(last), format!("{} kinds", also.len() + 1))
                .with_help("split the count: require the kinds in two rules, or record the contacts as one event kind with a field for the channel"),
            );
            ok = false;
        }
        let names = |k: usize| {
            self.checked
                .events
                .get(k)
                .map_or_else(String::new, |e| e.name.clone())
        };
        for (i, (k, id)) in also.iter().enumerate() {
            let twice = *k == kind || also.iter().take(i).any(|(o, _)| o == k);
            if twice {
                self.diags.push(
                    Diagnostic::error(
                        "E0331",
                        format!("`{}` is named twice in one count", id.name),
                    )
                    .with_label(id.span, "again here")
                    .with_help(format!(
                        "name each kind once: its events would otherwise count twice (`1 {}`)",
                        names(*k)
                    )),
                );
                ok = false;
            }
        }
        let Some(filter) = &c.filter else {
            return ok;
        };
        let kinds: Vec<usize> = std::iter::once(kind)
            .chain(also.iter().map(|(k, _)| *k))
            .collect();
        let field_of = |me: &Self, k: usize, name: &str| {
            me.checked
                .events
                .get(k)
                .and_then(|e| e.fields.iter().find(|f| f.name == name))
                .map(|f| (f.ty, f.optional))
        };
        let mut used = Vec::new();
        event_names(filter, &mut used);
        let mut seen = std::collections::HashSet::new();
        for id in used {
            if id.name == "date" || id.name == "dato" || !seen.insert(id.name.as_str()) {
                continue;
            }
            let types: Vec<Option<(Ty, bool)>> =
                kinds.iter().map(|k| field_of(self, *k, &id.name)).collect();
            let Some(first) = types.iter().flatten().next().copied() else {
                continue; // a case field or an enum value: the same for every kind
            };
            if types.iter().all(|t| *t == Some(first)) {
                continue;
            }
            let shared: Vec<String> = self
                .checked
                .events
                .get(kind)
                .map(|e| {
                    e.fields
                        .iter()
                        .filter(|f| {
                            kinds
                                .iter()
                                .all(|k| field_of(self, *k, &f.name) == Some((f.ty, f.optional)))
                        })
                        .map(|f| format!("`{}`", f.name))
                        .collect()
                })
                .unwrap_or_default();
            let lacking: Vec<String> = kinds
                .iter()
                .zip(&types)
                .filter(|(_, t)| t.is_none())
                .map(|(k, _)| format!("`{}`", names(*k)))
                .collect();
            let having: Vec<String> = kinds
                .iter()
                .zip(&types)
                .filter(|(_, t)| t.is_some())
                .map(|(k, _)| format!("`{}`", names(*k)))
                .collect();
            let message = if lacking.is_empty() {
                let each: Vec<String> = kinds
                    .iter()
                    .zip(&types)
                    .filter_map(|(k, t)| {
                        t.map(|(ty, _)| format!("{} in `{}`", self.ty_words(ty), names(*k)))
                    })
                    .collect();
                format!("`{}` is not of one type: {}", id.name, each.join(", "))
            } else {
                format!(
                    "`{}` is a field of {} but not of {}",
                    id.name,
                    having.join(", "),
                    lacking.join(", ")
                )
            };
            let share = if shared.is_empty() {
                "they share no field but `date`".to_string()
            } else {
                format!("they share {} (and `date`)", shared.join(", "))
            };
            self.diags.push(
                Diagnostic::error("E0331", message)
                    .with_label(id.span, "not a field every kind has, with one type")
                    .with_help(format!(
                        "a filter over several kinds reads only the fields they share: {share}; or write one count per kind, e.g. `1 {} where …`",
                        names(kind)
                    )),
            );
            ok = false;
        }
        ok
    }

    fn positive(&mut self, d: &ast::DurationLit) -> Dur {
        if d.n <= 0 {
            self.bad_duration(d);
        }
        dur_of(d)
    }

    fn requirement(&mut self, req: &ast::Requirement) -> RequirementIr {
        let mut counts = Vec::new();
        for c in &req.counts {
            let n = c.n.map(|n| n.value).unwrap_or(1);
            // A literal too large for a count was already reported by the
            // parser (which stands 0 in for it): only a written 0 is this error.
            if n == 0
                && c.n
                    .is_some_and(|lit| self.sources.slice(lit.span).trim() == "0")
            {
                if let Some(lit) = c.n {
                    self.diags.push(
                        Diagnostic::error("E0314", "a requirement of 0 events is always met")
                            .with_label(lit.span, "zero")
                            .with_help("require at least 1, or remove the rule"),
                    );
                }
            }
            let Some(kind) = self.event_kind(&c.kind) else {
                continue;
            };
            let mut also = Vec::new();
            for k in &c.also {
                also.extend(self.event_kind(k).map(|a| (a, k)));
            }
            if also.len() != c.also.len() || !self.kinds_fit(c, kind, &also) {
                continue;
            }
            let filter_for = |me: &mut Self, kind: usize| {
                c.filter.as_ref().map(|f| {
                    me.cond(
                        f,
                        Scope {
                            event: Some(kind),
                            rules: false,
                        },
                    )
                })
            };
            let filter = filter_for(self, kind);
            // The filter reads only fields every kind has, with one type
            // (`kinds_fit`): checked again per kind for that kind's field
            // numbers, any problem was reported by the first check.
            let reported = self.diags.len();
            let also = also
                .into_iter()
                .map(|(a, _)| (a, filter_for(self, a)))
                .collect();
            self.diags.truncate(reported);
            counts.push(CountIr {
                kind,
                n: n.max(1),
                filter,
                also,
                span: c.span,
            });
        }
        let w = &req.window;
        let form = match &w.kind {
            // `within 0 days of X` is "on X itself": a legitimate deadline.
            ast::WindowKind::Within { len, .. } => {
                if len.n < 0 {
                    self.bad_duration(len);
                }
                FormIr::Within { len: dur_of(len) }
            }
            ast::WindowKind::BeforeWeek { week, .. } => FormIr::BeforeWeek {
                week: self.week(week),
            },
            ast::WindowKind::Slots { every, first, .. } => FormIr::Slots {
                every: self.positive(every),
                first: self.positive(first),
            },
            ast::WindowKind::Every { every, .. } => FormIr::Interval {
                gap: self.positive(every),
                after: Dur::Days(0),
            },
            ast::WindowKind::Apart { gap, after, .. } => FormIr::Interval {
                gap: self.positive(gap),
                after: match after {
                    Some(a) => self.positive(a),
                    None => Dur::Days(0),
                },
            },
            ast::WindowKind::Per { len, .. } => FormIr::Rolling {
                len: self.positive(len),
            },
            ast::WindowKind::PerCalendarYear { .. } => FormIr::CalendarYear,
            ast::WindowKind::Between { .. } => FormIr::Between,
            ast::WindowKind::After { .. } => FormIr::After,
            ast::WindowKind::Each { len, .. } => FormIr::Each {
                len: len.as_ref().map(|len| {
                    if len.n < 0 {
                        self.bad_duration(len);
                    }
                    dur_of(len)
                }),
            },
        };
        if matches!(form, FormIr::Interval { .. } | FormIr::Rolling { .. }) && req.counts.len() > 1
        {
            self.diags.push(
                Diagnostic::error(
                    "E0315",
                    format!(
                        "`{}` takes one count, but this requirement has {}",
                        w.keyword.text,
                        req.counts.len()
                    ),
                )
                .with_label(req.span, "several counts")
                .with_label(w.keyword.span, "this form")
                .with_help("write one rule per event kind"),
            );
        }
        let anchor = match w.kind.anchor() {
            Some(a) => self.date(a, Scope::CASE, "the anchor"),
            // every triggering event counts: an anchor before every date
            None => TExpr {
                kind: TExprKind::Const(MIN_DAY),
                ty: Ty::Date,
                optional: false,
                span: w.span,
            },
        };
        let end = match &w.kind {
            ast::WindowKind::Between { end, .. } => {
                Some(self.date(end, Scope::CASE, "the window's end"))
            }
            _ => None,
        };
        let each = match &w.kind {
            ast::WindowKind::Each { each, .. } => self.each(each).map(Box::new),
            _ => None,
        };
        RequirementIr {
            anchor,
            end,
            each,
            form,
            counts,
            span: req.span,
        }
    }

    /// `each K [where filter]`: the triggering events.
    fn each(&mut self, each: &ast::Each) -> Option<EachIr> {
        let kind = self.event_kind(&each.kind)?;
        let filter = each.filter.as_ref().map(|f| {
            self.cond(
                f,
                Scope {
                    event: Some(kind),
                    rules: false,
                },
            )
        });
        Some(EachIr {
            kind,
            filter,
            span: each.span,
        })
    }

    fn check_exemptions(&mut self) {
        let decls: Vec<&ast::ExemptionDecl> =
            self.items().filter_map(ast::Item::as_exemption).collect();
        let mut seen = std::collections::HashSet::new();
        for e in &decls {
            if !seen.insert(e.name.name.clone()) {
                continue;
            }
            let rules = self.scope(&e.scope);
            let effect = match e.effect {
                ast::Effect::Waives => EffectIr::Waive,
                ast::Effect::Suspends => EffectIr::Suspend,
            };
            let condition = match &e.condition {
                ast::Condition::When(c) => {
                    if effect == EffectIr::Suspend {
                        self.diags.push(
                            Diagnostic::error(
                                "E0313",
                                format!("`{}` needs periods to stop the clock for, but `when` gives a condition", e.effect_keyword.text),
                            )
                            .with_label(e.effect_keyword.span, "stops the clock")
                            .with_label(c.span, "a condition has no start or end")
                            .with_help("write `while <periods field>`, e.g. `suspends all while standby`, or use `waives … when …`"),
                        );
                    }
                    ConditionIr::When(self.cond(c, Scope::CASE))
                }
                ast::Condition::While(p) => {
                    let t = self.expr(p, Scope::CASE, None, false);
                    match (&t.kind, t.ty) {
                        (super::ir::TExprKind::Field(f), Ty::Periods) => ConditionIr::While(*f),
                        (_, Ty::Error) => ConditionIr::When(t),
                        (_, ty) => {
                            self.diags.push(
                                Diagnostic::error(
                                    "E0319",
                                    format!("`while` needs a periods field, but `{}` is {}", self.sources.slice(p.span), self.ty_words(ty)),
                                )
                                .with_label(p.span, "not periods")
                                .with_help("name a field declared as `periods` (e.g. `standby`), or write `when <condition>`"),
                            );
                            ConditionIr::When(t)
                        }
                    }
                }
            };
            let unless = e.unless.as_ref().map(|u| self.cond(u, Scope::CASE));
            self.checked.exemptions.push(ExemptionIr {
                name: e.name.name.clone(),
                title: e.title.as_ref().map(|s| s.value.clone()),
                effect,
                rules,
                condition,
                unless,
                overrides: Vec::new(),
                sources: strs(&e.sources),
                doc: e.doc.clone(),
                span: e.span,
                name_span: e.name.span,
            });
        }
        // `overrides` may name any exemption, so resolve after all are known.
        for e in decls {
            let overrides: Vec<usize> = e
                .overrides
                .iter()
                .filter_map(|o| self.exemption(o))
                .collect();
            if let Some(&i) = self.exemption_by_name.get(&e.name.name) {
                if let Some(ir) = self.checked.exemptions.get_mut(i) {
                    if ir.span == e.span {
                        ir.overrides = overrides;
                    }
                }
            }
        }
    }

    /// The rules an exemption's scope reaches, without repeats.
    fn scope(&mut self, items: &[ast::ScopeItem]) -> Vec<usize> {
        let mut out: Vec<usize> = Vec::new();
        for item in items {
            let add: Vec<usize> = match item {
                ast::ScopeItem::All(_) => (0..self.checked.rules.len()).collect(),
                ast::ScopeItem::GroupRules(g) => match self.group(g) {
                    Some(gi) => self
                        .checked
                        .rules
                        .iter()
                        .enumerate()
                        .filter(|(_, r)| r.groups.contains(&gi))
                        .map(|(i, _)| i)
                        .collect(),
                    None => Vec::new(),
                },
                ast::ScopeItem::Rule(r) => self.rule(r).into_iter().collect(),
                ast::ScopeItem::GroupRule(g, r) => match self.group(g) {
                    Some(gi) => self.rule_in_group(gi, r).into_iter().collect(),
                    None => Vec::new(),
                },
            };
            for r in add {
                if !out.contains(&r) {
                    out.push(r);
                }
            }
        }
        out.sort_unstable();
        out
    }
}

/// The bare names an expression reads, outside nested aggregates (whose
/// filters read their own kind's fields).
fn event_names<'e>(e: &'e ast::Expr, out: &mut Vec<&'e ast::Ident>) {
    use ast::ExprKind as K;
    match &e.kind {
        K::Name(id) => out.push(id),
        K::Present(x) | K::OnTime(x) | K::Paren(x) => event_names(x, out),
        K::Unary { operand, .. } => event_names(operand, out),
        K::Binary { lhs, rhs, .. } | K::Pick { lhs, rhs, .. } => {
            event_names(lhs, out);
            event_names(rhs, out);
        }
        K::Age(Some(on)) => event_names(on, out),
        K::Periods(ps) => {
            for (a, b) in ps {
                event_names(a, out);
                if let Some(b) = b {
                    event_names(b, out);
                }
            }
        }
        K::Bool(_)
        | K::Int(_)
        | K::Decimal(_)
        | K::Percent(_)
        | K::Text(_)
        | K::Date(_)
        | K::Duration(_)
        | K::Path(..)
        | K::Set(_)
        | K::Today
        | K::Age(None)
        | K::Agg { .. }
        | K::Error => {}
    }
}
