//! Due lists: each case's obligations that are overdue, come due within a
//! horizon, or are open without a due date — what a jobcenter acts on next.
//! The driver collects them while it evaluates (`EvalOptions::due_within`),
//! in input order; a caller sorts them as it needs.

use crate::caseload::driver::WorkItem;
use crate::vm::result::{CaseResult, Status};

/// One obligation to act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueItem {
    /// The case's 1-based line (NDJSON) or row (CSV); 0 if built in code.
    pub line: u64,
    pub id: String,
    /// Index into `Program::rules`.
    pub rule: u16,
    pub state: DueState,
    /// When it is (or was) due; `None` for an open obligation without a
    /// due date (`after …`, language reference §6.1).
    pub due: Option<i32>,
    /// The events still needed, per event kind (index into the schema's
    /// kinds), from the VM's forecast over the same horizon.
    pub needs: Vec<(u16, u32)>,
}

/// Why an obligation is on the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DueState {
    /// The due date has passed unmet (`overdue`).
    Overdue,
    /// Not yet met and due within the horizon (`pending`).
    Due,
    /// Met so far; its next instance is due within the horizon (a
    /// recurring rule's `next_due`).
    Next,
    /// Pending without a due date: asked for, never overdue.
    Open,
}

impl DueState {
    pub fn as_str(self) -> &'static str {
        match self {
            DueState::Overdue => "overdue",
            DueState::Due => "due",
            DueState::Next => "next_due",
            DueState::Open => "open",
        }
    }
}

/// Whether rule result `status`/`due`/`next_due` belongs on a due list on
/// `today` with a horizon of `within` days, and as what.
pub fn due_state(
    status: Status,
    due: Option<i32>,
    next_due: Option<i32>,
    today: i32,
    within: u32,
) -> Option<(DueState, Option<i32>)> {
    let horizon = today.saturating_add(i32::try_from(within).unwrap_or(i32::MAX));
    match status {
        Status::Overdue => Some((DueState::Overdue, due)),
        Status::Pending => match due {
            None => Some((DueState::Open, None)),
            Some(d) if d <= horizon => Some((DueState::Due, Some(d))),
            Some(_) => None,
        },
        Status::Met | Status::MetLate => match next_due {
            Some(d) if d <= horizon => Some((DueState::Next, Some(d))),
            _ => None,
        },
        _ => None,
    }
}

/// Appends `result`'s obligations on the list; returns how many.
pub(crate) fn collect(
    id: &str,
    line: u64,
    result: &CaseResult,
    today: i32,
    within: u32,
    out: &mut Vec<DueItem>,
) -> usize {
    let start = out.len();
    for (r, rr) in result.rules.iter().enumerate() {
        if let Some((state, due)) = due_state(rr.status, rr.due, rr.next_due, today, within) {
            out.push(DueItem {
                line,
                id: id.to_owned(),
                rule: r as u16,
                state,
                due,
                needs: Vec::new(),
            });
        }
    }
    out.len() - start
}

/// Fills each item's `needs` from the case's forecast `work`.
pub(crate) fn attach_needs(items: &mut [DueItem], work: &[WorkItem]) {
    for item in items {
        for w in work.iter().filter(|w| w.rule == item.rule && w.events > 0) {
            match item.needs.iter_mut().find(|(k, _)| *k == w.kind) {
                Some((_, n)) => *n += w.events,
                None => item.needs.push((w.kind, w.events)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_goes_on_the_list() {
        let today = 100;
        let st = |s, due, next| due_state(s, due, next, today, 14);
        assert_eq!(
            st(Status::Overdue, Some(90), None),
            Some((DueState::Overdue, Some(90)))
        );
        assert_eq!(
            st(Status::Pending, Some(114), None),
            Some((DueState::Due, Some(114)))
        );
        assert_eq!(st(Status::Pending, Some(115), None), None);
        assert_eq!(
            st(Status::Pending, None, None),
            Some((DueState::Open, None))
        );
        assert_eq!(
            st(Status::Met, Some(80), Some(110)),
            Some((DueState::Next, Some(110)))
        );
        assert_eq!(st(Status::MetLate, Some(80), Some(120)), None);
        assert_eq!(st(Status::Met, Some(80), None), None);
        assert_eq!(st(Status::Exempt, Some(90), None), None);
        assert_eq!(st(Status::NotApplicable, None, None), None);
    }

    #[test]
    fn needs_add_up_per_kind() {
        let mut items = [DueItem {
            line: 1,
            id: "a".into(),
            rule: 2,
            state: DueState::Due,
            due: Some(5),
            needs: Vec::new(),
        }];
        let w = |rule, kind, events| WorkItem {
            rule,
            kind,
            due: 5,
            events,
        };
        attach_needs(
            &mut items,
            &[w(2, 0, 1), w(1, 0, 3), w(2, 1, 1), w(2, 0, 2)],
        );
        assert_eq!(items[0].needs, [(0, 3), (1, 1)]);
    }
}
