//! Exemptions (docs/language.md §7): waivers and suspensions, their
//! conditions and periods, the rules their scope reaches, and `overrides`.

use super::exprs::Scope;
use super::ir::{ConditionIr, EffectIr, ExemptionIr, Ty};
use super::items::{strs, Checker};
use crate::diagnostics::Diagnostic;
use crate::syntax::ast;

impl Checker<'_> {
    pub(super) fn check_exemptions(&mut self) {
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
