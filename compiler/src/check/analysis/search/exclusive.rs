//! A quick test, before any search, for conditions that contradict each
//! other whatever the values (`age < 30` and `age >= 30`).

use crate::check::ir::{BinOp, TExpr, TExprKind};

/// Whether no case can satisfy every one of `all` because two of their
/// conjuncts contradict each other whatever the values: the same two sides
/// compared both ways (`age < 30`, `age >= 30`), or the same side equal to
/// two different constants. Groups are usually kept apart like this, and
/// the search would otherwise try every candidate of the fields involved to
/// find nothing.
pub(in crate::check::analysis) fn exclusive(all: &[&TExpr]) -> bool {
    let mut parts = Vec::new();
    for e in all {
        and_operands(e, &mut parts);
    }
    parts.iter().enumerate().any(|(i, a)| {
        parts
            .iter()
            .skip(i + 1)
            .any(|b| never_both(a, b) || never_both(b, a))
    })
}

fn and_operands<'a>(e: &'a TExpr, out: &mut Vec<&'a TExpr>) {
    if let TExprKind::Binary(BinOp::And, a, b) = &e.kind {
        and_operands(a, out);
        and_operands(b, out);
    } else {
        out.push(e);
    }
}

/// Two comparisons that are never both true: a comparison is false when a
/// side is absent, and of two values `x < y` and `x >= y` (and so on) hold
/// one at a time.
fn never_both(a: &TExpr, b: &TExpr) -> bool {
    let (TExprKind::Binary(p, l1, r1), TExprKind::Binary(q, l2, r2)) = (&a.kind, &b.kind) else {
        return false;
    };
    if !same_value(l1, l2) {
        return false;
    }
    use BinOp::*;
    match (p, q) {
        (Lt, Ge | Gt | Eq) | (Gt, Le | Eq) | (Eq, Ne) => same_value(r1, r2),
        (Eq, Eq) => matches!(
            (&r1.kind, &r2.kind),
            (TExprKind::Const(x), TExprKind::Const(y)) if x != y
        ),
        _ => false,
    }
}

/// Whether `a` and `b` take the same value under every assignment of the
/// search: the same expression, wherever written. Aggregates are variables
/// of their own, told apart by where they are written (as `Env::eval` does).
fn same_value(a: &TExpr, b: &TExpr) -> bool {
    use TExprKind::*;
    match (&a.kind, &b.kind) {
        (Const(x), Const(y)) => x == y,
        (Field(f), Field(g)) => f == g,
        (Today, Today) => true,
        (AgeOn(x), AgeOn(y))
        | (IsPresent(x), IsPresent(y))
        | (Not(x), Not(y))
        | (Neg(x), Neg(y))
        | (IntToDec(x), IntToDec(y)) => same_value(x, y),
        (Binary(p, x1, y1), Binary(q, x2, y2)) => {
            p == q && same_value(x1, x2) && same_value(y1, y2)
        }
        (InSet(x, m), InSet(y, n)) => m == n && same_value(x, y),
        (InPeriods(x, f), InPeriods(y, g)) => f == g && same_value(x, y),
        (Agg { .. }, Agg { .. }) => a.span == b.span,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::ir::{AggFunc, AggWindow, Ty};
    use crate::syntax::span::{FileId, Span};

    /// A node written at `at` (positions tell aggregates apart).
    fn node(kind: TExprKind, at: usize) -> TExpr {
        TExpr {
            kind,
            ty: Ty::Int,
            optional: false,
            span: Span::new(FileId(0), at, at + 1),
        }
    }

    fn field(f: usize, at: usize) -> TExpr {
        node(TExprKind::Field(f), at)
    }

    fn num(v: i64, at: usize) -> TExpr {
        node(TExprKind::Const(v), at)
    }

    fn count(at: usize) -> TExpr {
        node(
            TExprKind::Agg {
                func: AggFunc::Count,
                kind: 0,
                filter: None,
                window: AggWindow::All,
            },
            at,
        )
    }

    fn bin(op: BinOp, a: TExpr, b: TExpr) -> TExpr {
        let at = a.span.start as usize + 100;
        node(TExprKind::Binary(op, Box::new(a), Box::new(b)), at)
    }

    fn exclusive2(a: TExpr, b: TExpr) -> bool {
        exclusive(&[&a, &b])
    }

    #[test]
    fn comparisons_both_ways_are_exclusive() {
        use BinOp::*;
        let age = || bin(Add, field(0, 1), num(0, 2));
        for (p, q) in [
            (Lt, Ge),
            (Ge, Lt),
            (Le, Gt),
            (Lt, Gt),
            (Eq, Ne),
            (Eq, Lt),
            (Gt, Eq),
        ] {
            let a = bin(p, age(), num(30, 3));
            let b = bin(q, age(), num(30, 4));
            assert!(exclusive2(a, b), "{p:?} {q:?}");
        }
        for (p, q) in [(Le, Ge), (Lt, Le), (Ne, Lt), (Ge, Gt)] {
            let a = bin(p, age(), num(30, 3));
            let b = bin(q, age(), num(30, 4));
            assert!(!exclusive2(a, b), "{p:?} {q:?}");
        }
    }

    #[test]
    fn equal_to_two_constants_is_exclusive() {
        let a = bin(BinOp::Eq, field(2, 1), num(1, 2));
        let b = bin(BinOp::Eq, field(2, 3), num(2, 4));
        assert!(exclusive2(a, b));
        let a = bin(BinOp::Eq, field(2, 1), num(1, 2));
        let b = bin(BinOp::Eq, field(3, 3), num(2, 4));
        assert!(!exclusive2(a, b));
    }

    #[test]
    fn conjuncts_of_either_condition_count() {
        use BinOp::*;
        let a = bin(
            And,
            bin(Eq, field(5, 1), num(1, 2)),
            bin(Lt, field(0, 3), num(30, 4)),
        );
        let b = bin(
            And,
            bin(Ge, field(0, 5), num(30, 6)),
            bin(Eq, field(6, 7), num(1, 8)),
        );
        assert!(exclusive2(a, b));
    }

    #[test]
    fn different_aggregates_are_different_values() {
        let a = bin(BinOp::Lt, count(1), num(2, 2));
        let b = bin(BinOp::Ge, count(1), num(2, 4));
        assert!(exclusive2(a, b));
        let a = bin(BinOp::Lt, count(1), num(2, 2));
        let b = bin(BinOp::Ge, count(9), num(2, 4));
        assert!(!exclusive2(a, b));
    }
}
