//! Load-time plans over the expression trees: event filters as a single
//! comparison or a branching program (`FilterPlan`, `Step`), and group
//! predicates as truth tables over atoms shared by every group (`GroupPlan`).

use crate::bytecode::program::{CodeRef, Op, Program};
use crate::vm::lookups::Lookups;
use crate::vm::trees::Node;

/// How an event filter is evaluated: most filters are one comparison of an
/// event field with a constant, which we test without running the stack
/// machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FilterPlan {
    /// `field == value`
    FieldEq { field: u16, value: i64 },
    /// `field in set`
    FieldIn { field: u16, mask: u64 },
    /// `field != value`
    FieldNe { field: u16, value: i64 },
    /// a bare bool field (`where jobcenter`)
    FieldTrue { field: u16 },
    /// `and`/`or`/`not` of tests: the steps from `Lookups::steps[root]`
    Branch { root: u32 },
    /// anything else: run the code
    Code(CodeRef),
}

/// One test of a filter's branching program (see `Step`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Test {
    /// the event's `field == value` (value not `NONE`)
    EvEq { field: u16, value: i64 },
    /// the event's `field != value` (value not `NONE`)
    EvNe { field: u16, value: i64 },
    /// the event's `field in set`
    EvIn { field: u16, mask: u64 },
    /// the event's bool field
    EvTrue { field: u16 },
    /// anything else: the truth of this expression tree
    Node(u32),
}

/// A filter such as `purpose == jobsamtale and form != personal` as a
/// branching program: test, then go to `then` or `otherwise` (a step of a
/// lower index, or `STEP_TRUE`/`STEP_FALSE`). The same short-circuit
/// order as the tree, without a call per node; filters run once per event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Step {
    pub test: Test,
    pub then: u32,
    pub otherwise: u32,
}

pub(crate) const STEP_TRUE: u32 = u32::MAX;
pub(crate) const STEP_FALSE: u32 = u32::MAX - 1;

/// How a group predicate is decided. Most are `and`/`or`/`not` over a few
/// field tests (`benefit == dagpenge`, `age < 30`), repeated across groups:
/// those become a truth table over their atoms, so a case's groups cost one
/// test per distinct atom and a table look-up per group instead of a tree
/// walk per group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GroupPlan {
    /// Bit `i` of the index is `group_atoms[atoms[i]]`; the predicate is
    /// bit `index` of `table`.
    Table {
        atoms: [u8; MAX_GROUP_ATOMS],
        n: u8,
        table: u64,
    },
    /// Run the expression.
    Code,
}

/// Atoms in one group's truth table (2^6 = 64 rows, one `u64`).
pub(crate) const MAX_GROUP_ATOMS: usize = 6;

/// Atoms shared across all groups (bits of one `u64` per case).
const MAX_SHARED_ATOMS: usize = 64;

impl Lookups {
    /// Group predicate `code` as a truth table over shared atoms, when it
    /// is `and`/`or`/`not` over at most `MAX_GROUP_ATOMS` cheap atoms.
    pub(super) fn plan_group(&mut self, code: CodeRef) -> GroupPlan {
        let Some(root) = self.tree(code) else {
            return GroupPlan::Code;
        };
        let mut local: Vec<u32> = Vec::new();
        if !self.collect_atoms(root, &mut local) || local.len() > MAX_GROUP_ATOMS {
            return GroupPlan::Code;
        }
        let mut atoms = [0u8; MAX_GROUP_ATOMS];
        let mut shared_added = 0;
        for (slot, &a) in atoms.iter_mut().zip(&local) {
            let found = self
                .group_atoms
                .iter()
                .position(|&b| same_tree(&self.nodes, a, b));
            let at = match found {
                Some(i) => i,
                None if self.group_atoms.len() < MAX_SHARED_ATOMS => {
                    self.group_atoms.push(a);
                    shared_added += 1;
                    self.group_atoms.len() - 1
                }
                None => {
                    let keep = self.group_atoms.len() - shared_added;
                    self.group_atoms.truncate(keep);
                    return GroupPlan::Code;
                }
            };
            *slot = at as u8;
        }
        let mut table = 0u64;
        for row in 0..1u32 << local.len() {
            let value = |atom: u32| {
                local
                    .iter()
                    .position(|&a| a == atom)
                    .is_some_and(|i| row >> i & 1 == 1)
            };
            if self.skeleton(root, &value) {
                table |= 1 << row;
            }
        }
        GroupPlan::Table {
            atoms,
            n: local.len() as u8,
            table,
        }
    }

    /// Filter `code` as a branching program when its tree is `and`/`or`/`not`.
    pub(super) fn branch_plan(&mut self, code: CodeRef) -> Option<u32> {
        let root = self.tree(code)?;
        match self.nodes.get(root as usize)? {
            Node::And(..) | Node::Or(..) | Node::Un(Op::Not, _) => {}
            _ => return None,
        }
        let base = self.steps.len();
        match self.emit(root, STEP_TRUE, STEP_FALSE, 0) {
            Some(at) => Some(at),
            None => {
                self.steps.truncate(base);
                None
            }
        }
    }

    /// Emits the steps deciding `n`, going to `then` when it holds and to
    /// `otherwise` when not; returns its first step. What comes after is
    /// emitted first, so every jump goes to a lower index.
    fn emit(&mut self, n: u32, then: u32, otherwise: u32, depth: u32) -> Option<u32> {
        if depth > 64 {
            return None;
        }
        let node = *self.nodes.get(n as usize)?;
        let test = match node {
            Node::And(a, b) => {
                let b = self.emit(b, then, otherwise, depth + 1)?;
                return self.emit(a, b, otherwise, depth + 1);
            }
            Node::Or(a, b) => {
                let b = self.emit(b, then, otherwise, depth + 1)?;
                return self.emit(a, then, b, depth + 1);
            }
            Node::Un(Op::Not, a) => return self.emit(a, otherwise, then, depth + 1),
            Node::EvFieldEq { field, value } => Test::EvEq { field, value },
            Node::EvFieldNe { field, value } => Test::EvNe { field, value },
            Node::EvFieldIn { field, mask } => Test::EvIn { field, mask },
            Node::EvField(field) => Test::EvTrue { field },
            _ => Test::Node(n),
        };
        let at = u32::try_from(self.steps.len())
            .ok()
            .filter(|at| *at < STEP_FALSE)?;
        self.steps.push(Step {
            test,
            then,
            otherwise,
        });
        Some(at)
    }

    /// Gathers the atoms under the `and`/`or`/`not` skeleton at `n` (distinct
    /// node indices, in first-seen order); false if one is not cheap.
    fn collect_atoms(&self, n: u32, out: &mut Vec<u32>) -> bool {
        match self.nodes.get(n as usize) {
            Some(Node::And(a, b) | Node::Or(a, b)) => {
                let (a, b) = (*a, *b);
                self.collect_atoms(a, out) && self.collect_atoms(b, out)
            }
            Some(Node::Un(Op::Not, a)) => {
                let a = *a;
                self.collect_atoms(a, out)
            }
            Some(_) if cheap(&self.nodes, n) => {
                if !out.contains(&n) {
                    out.push(n);
                }
                true
            }
            _ => false,
        }
    }

    /// The truth of the skeleton at `n` when each atom's truth is `value(atom)`
    /// (as the tree walk: `and`/`or` of truthy operands, `not` of a truthy one).
    fn skeleton(&self, n: u32, value: &dyn Fn(u32) -> bool) -> bool {
        match self.nodes.get(n as usize) {
            Some(Node::And(a, b)) => self.skeleton(*a, value) && self.skeleton(*b, value),
            Some(Node::Or(a, b)) => self.skeleton(*a, value) || self.skeleton(*b, value),
            Some(Node::Un(Op::Not, a)) => !self.skeleton(*a, value),
            _ => value(n),
        }
    }
}

/// Whether the subtree at `n` is cheap enough to decide for every case
/// whether or not a group asks: no aggregates, nothing of an event or of
/// another rule, and small.
fn cheap(nodes: &[Node], n: u32) -> bool {
    fn size(nodes: &[Node], n: u32, budget: &mut u32) -> bool {
        if *budget == 0 {
            return false;
        }
        *budget -= 1;
        match nodes.get(n as usize) {
            Some(
                Node::Const(_)
                | Node::Field(_)
                | Node::Today
                | Node::AgeToday
                | Node::FieldEq { .. }
                | Node::FieldNe { .. }
                | Node::FieldIn { .. }
                | Node::TodayMonths { .. }
                | Node::AgeAtLeast { .. },
            ) => true,
            Some(Node::Un(_, a)) => size(nodes, *a, budget),
            Some(Node::And(a, b) | Node::Or(a, b) | Node::Bin(_, a, b)) => {
                size(nodes, *a, budget) && size(nodes, *b, budget)
            }
            Some(
                Node::EvField(_)
                | Node::EvDate
                | Node::EvFieldEq { .. }
                | Node::EvFieldNe { .. }
                | Node::EvFieldIn { .. }
                | Node::RuleMet(_)
                | Node::RuleOnTime(_)
                | Node::Agg { .. },
            )
            | None => false,
        }
    }
    size(nodes, n, &mut 8)
}

/// Whether the subtrees at `a` and `b` compute the same thing.
fn same_tree(nodes: &[Node], a: u32, b: u32) -> bool {
    let (Some(x), Some(y)) = (nodes.get(a as usize), nodes.get(b as usize)) else {
        return false;
    };
    match (*x, *y) {
        (Node::Un(o, p), Node::Un(q, r)) => o == q && same_tree(nodes, p, r),
        (Node::And(p, q), Node::And(r, s)) | (Node::Or(p, q), Node::Or(r, s)) => {
            same_tree(nodes, p, r) && same_tree(nodes, q, s)
        }
        (Node::Bin(o, p, q), Node::Bin(t, r, s)) => {
            o == t && same_tree(nodes, p, r) && same_tree(nodes, q, s)
        }
        (Node::Agg { .. }, _) | (_, Node::Agg { .. }) => false,
        (x, y) => x == y,
    }
}

pub(super) fn plan_filter(p: &Program, code: CodeRef) -> FilterPlan {
    let ops = p
        .code
        .get(code.start as usize..(code.start as usize).saturating_add(code.len as usize));
    match ops {
        // NONE never equals anything, so a NONE constant cannot take the fast path.
        Some([Op::EvField(f), Op::Const(c), Op::Eq] | [Op::Const(c), Op::EvField(f), Op::Eq])
            if *c != crate::bytecode::program::NONE =>
        {
            FilterPlan::FieldEq {
                field: *f,
                value: *c,
            }
        }
        Some([Op::EvField(f), Op::Const(c), Op::Ne] | [Op::Const(c), Op::EvField(f), Op::Ne])
            if *c != crate::bytecode::program::NONE =>
        {
            FilterPlan::FieldNe {
                field: *f,
                value: *c,
            }
        }
        Some([Op::EvField(f)]) => FilterPlan::FieldTrue { field: *f },
        Some([Op::EvField(f), Op::InSet(s)]) => match p.sets.get(*s as usize) {
            Some(mask) => FilterPlan::FieldIn {
                field: *f,
                mask: *mask,
            },
            None => FilterPlan::Code(code),
        },
        _ => FilterPlan::Code(code),
    }
}
