//! The lookups a `Policy` precomputes once at load: each rule's exemptions,
//! each exemption's overriders, group priorities and rule masks, and the
//! expression trees, filter plans and group plans the evaluator reads.

use crate::bytecode::program::{
    Body, CodeRef, Effect, ExemptionCondition, ForbidWindow, Form, Program, TargetKind,
};
use crate::vm::plans::{plan_filter, FilterPlan, GroupPlan, Step};
use crate::vm::trees::{DateCache, Node, NO_TREE};

#[derive(Debug, Clone, Default)]
pub(crate) struct Lookups {
    /// Rule r's exemptions are `rule_exemptions[rule_ranges[r].0..rule_ranges[r].1]`.
    pub rule_ranges: Vec<(u32, u32)>,
    pub rule_exemptions: Vec<u16>,
    /// Whether any suspending exemption reaches rule r (skips the shift work).
    pub rule_has_suspend: Vec<bool>,
    /// Exemption e is overridden by `overriders[over_ranges[e].0..over_ranges[e].1]`.
    pub over_ranges: Vec<(u32, u32)>,
    pub overriders: Vec<u16>,
    pub filters: Vec<FilterPlan>,
    /// Groups with a priority, lowest number first (ties by declaration).
    pub priority_groups: Vec<u16>,
    /// Expression trees, one arena for the whole program.
    pub nodes: Vec<Node>,
    /// `trees[code.start] == (code.len, root)` when that expression has a
    /// tree (`root == NO_TREE`: run the stack machine).
    pub trees: Vec<(u32, u32)>,
    /// The cheap conditions group predicates are made of (tree roots),
    /// shared by every group: each is decided once per case.
    pub group_atoms: Vec<u32>,
    /// `group_plans[g]`: how group g's predicate is decided.
    pub group_plans: Vec<GroupPlan>,
    /// The filters' branching programs (`FilterPlan::Branch`).
    pub steps: Vec<Step>,
    /// `group_rules[g]`: bit r is set when rule r is for group g. `None`
    /// for programs of more than 64 rules.
    pub group_rules: Option<Vec<u64>>,
    /// Bit r is set when rule r is for every case (names no group).
    pub ungrouped_rules: u64,
    /// `today + n months` for each distinct n the trees ask
    /// (`Node::TodayMonths`, `Node::AgeAtLeast`), kept per evaluation date.
    pub today_cache: DateCache,
}

impl Lookups {
    pub(super) fn build(p: &Program) -> Lookups {
        let mut l = Lookups::default();
        for r in 0..p.rules.len() {
            let start = l.rule_exemptions.len() as u32;
            let mut suspend = false;
            for (e, ex) in p.exemptions.iter().enumerate() {
                if ex.rules.iter().any(|x| usize::from(*x) == r) {
                    l.rule_exemptions.push(e as u16);
                    suspend |= ex.effect == Effect::Suspend;
                }
            }
            l.rule_ranges.push((start, l.rule_exemptions.len() as u32));
            l.rule_has_suspend.push(suspend);
        }
        for e in 0..p.exemptions.len() {
            let start = l.overriders.len() as u32;
            for (o, ex) in p.exemptions.iter().enumerate() {
                if ex.overrides.iter().any(|x| usize::from(*x) == e) {
                    l.overriders.push(o as u16);
                }
            }
            l.over_ranges.push((start, l.overriders.len() as u32));
        }
        l.filters = p.filters.iter().map(|f| plan_filter(p, f.code)).collect();
        l.trees = vec![(0, NO_TREE); p.code.len()];
        for code in code_refs(p) {
            l.plant(p, code);
        }
        for plan in 0..l.filters.len() {
            if let Some(&FilterPlan::Code(code)) = l.filters.get(plan) {
                if let Some(root) = l.branch_plan(code) {
                    if let Some(slot) = l.filters.get_mut(plan) {
                        *slot = FilterPlan::Branch { root };
                    }
                }
            }
        }
        let mut prio: Vec<(u32, u16)> = p
            .groups
            .iter()
            .enumerate()
            .filter_map(|(i, g)| g.priority.map(|pr| (pr, i as u16)))
            .collect();
        prio.sort_unstable();
        l.priority_groups = prio.into_iter().map(|(_, g)| g).collect();
        l.group_plans = p.groups.iter().map(|g| l.plan_group(g.pred)).collect();
        if p.rules.len() <= 64 {
            let mut group_rules = vec![0u64; p.groups.len()];
            for (r, rule) in p.rules.iter().enumerate() {
                if rule.groups.is_empty() {
                    l.ungrouped_rules |= 1 << r;
                }
                for g in &rule.groups {
                    if let Some(m) = group_rules.get_mut(usize::from(*g)) {
                        *m |= 1 << r;
                    }
                }
            }
            l.group_rules = Some(group_rules);
        }
        l
    }

    /// The tree of expression `code`, if it has one.
    #[inline]
    pub fn tree(&self, code: CodeRef) -> Option<u32> {
        match self.trees.get(code.start as usize) {
            Some(&(len, root)) if len == code.len && root != NO_TREE => Some(root),
            _ => None,
        }
    }

    #[inline]
    pub fn exemptions_of(&self, rule: usize) -> &[u16] {
        match self.rule_ranges.get(rule) {
            Some(&(s, e)) => self
                .rule_exemptions
                .get(s as usize..e as usize)
                .unwrap_or(&[]),
            None => &[],
        }
    }

    #[inline]
    pub fn overriders_of(&self, exemption: u16) -> &[u16] {
        match self.over_ranges.get(usize::from(exemption)) {
            Some(&(s, e)) => self.overriders.get(s as usize..e as usize).unwrap_or(&[]),
            None => &[],
        }
    }
}

/// Every expression the program holds (filters included).
fn code_refs(p: &Program) -> Vec<CodeRef> {
    let mut v: Vec<CodeRef> = p.filters.iter().map(|f| f.code).collect();
    v.extend(p.groups.iter().map(|g| g.pred));
    for r in &p.rules {
        v.extend(r.when);
        for b in &r.body {
            match b {
                Body::Branch { cond, .. } => v.push(*cond),
                Body::Require(req) => {
                    v.push(req.anchor);
                    if let Form::Between { end }
                    | Form::Forbid {
                        window: ForbidWindow::Between { end },
                    } = req.form
                    {
                        v.push(end);
                    }
                }
            }
        }
    }
    for e in &p.exemptions {
        if let ExemptionCondition::When(c) = e.condition {
            v.push(c);
        }
        v.extend(e.unless);
    }
    for t in &p.targets {
        v.extend(t.filter);
        v.push(t.satisfy);
        if let TargetKind::Average { value, .. } = t.kind {
            v.push(value);
        }
    }
    v
}
