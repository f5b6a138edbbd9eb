//! Lowering: the checked program to `pol-runtime` bytecode. Runs only when
//! checking found no errors, so every index here is valid by construction.

use std::collections::HashMap;

use pol_runtime::bytecode::program::{
    self as bc, Body, CodeRef, CountTerm, Effective, EnumDef, EventKind, FieldDef, FieldType,
    Filter, Op, Program,
};

use crate::check::ir::{
    AggFunc, AggWindow, BinOp, BodyIr, Checked, ConditionIr, EffectIr, FieldIr, ForbidIr, FormIr,
    MeasureIr, TExpr, TExprKind, Ty,
};
use crate::syntax::span::{SourceMap, Span};

fn bound(at_most: bool) -> bc::Bound {
    if at_most {
        bc::Bound::AtMost
    } else {
        bc::Bound::AtLeast
    }
}

/// Lowers a checked program. The file names in the span table are as the
/// source map has them.
pub fn lower(checked: &Checked, sources: &SourceMap) -> Program {
    let mut l = Lowerer {
        sources,
        strings: Vec::new(),
        string_ids: HashMap::new(),
        code: Vec::new(),
        filters: Vec::new(),
        sets: Vec::new(),
        also_kinds: Vec::new(),
        spans: Vec::new(),
        files: Vec::new(),
        file_ids: HashMap::new(),
    };
    let meta = bc::Meta {
        name: l.str(&checked.meta.name),
        title: checked.meta.title.as_deref().map(|s| l.str(s)),
        version: checked.meta.version.as_deref().map(|s| l.str(s)),
        effective: effective(checked.meta.effective),
        sources: checked.meta.sources.iter().map(|s| l.str(s)).collect(),
        language: checked.meta.language,
    };
    let schema = bc::Schema {
        enums: checked
            .enums
            .iter()
            .map(|e| EnumDef {
                name: l.str(&e.name),
                variants: e.variants.iter().map(|v| l.str(v)).collect(),
            })
            .collect(),
        fields: checked.fields.iter().map(|f| l.field(f)).collect(),
        events: checked
            .events
            .iter()
            .map(|e| EventKind {
                name: l.str(&e.name),
                fields: e.fields.iter().map(|f| l.field(f)).collect(),
                cost_minutes: e.cost_minutes,
            })
            .collect(),
        birth_field: checked.birth_field.map(|i| i as u16),
    };
    let groups = checked
        .groups
        .iter()
        .map(|g| bc::Group {
            name: l.str(&g.name),
            title: g.title.as_deref().map(|s| l.str(s)),
            pred: l.expr(&g.pred),
            priority: g.priority,
            citations: g.sources.iter().map(|s| l.str(s)).collect(),
            span: l.span(g.span),
        })
        .collect();
    let rules = checked
        .rules
        .iter()
        .map(|r| {
            let mut body = Vec::new();
            l.body(&r.body, &mut body);
            bc::Rule {
                name: l.str(&r.name),
                title: r.title.as_deref().map(|s| l.str(s)),
                groups: r.groups.iter().map(|g| *g as u16).collect(),
                when: r.when.as_ref().map(|w| l.expr(w)),
                effective: effective(r.effective),
                body,
                citations: r.sources.iter().map(|s| l.str(s)).collect(),
                span: l.span(r.span),
            }
        })
        .collect();
    let exemptions = checked
        .exemptions
        .iter()
        .map(|e| bc::Exemption {
            name: l.str(&e.name),
            title: e.title.as_deref().map(|s| l.str(s)),
            effect: match e.effect {
                EffectIr::Waive => bc::Effect::Waive,
                EffectIr::Suspend => bc::Effect::Suspend,
            },
            rules: e.rules.iter().map(|r| *r as u16).collect(),
            condition: match &e.condition {
                ConditionIr::When(c) => bc::ExemptionCondition::When(l.expr(c)),
                ConditionIr::While(f) => bc::ExemptionCondition::While(*f as u16),
            },
            unless: e.unless.as_ref().map(|u| l.expr(u)),
            overrides: e.overrides.iter().map(|o| *o as u16).collect(),
            citations: e.sources.iter().map(|s| l.str(s)).collect(),
            span: l.span(e.span),
        })
        .collect();
    let params = checked
        .params
        .iter()
        .map(|p| bc::Param {
            name: l.str(&p.name),
            title: p.title.as_deref().map(|s| l.str(s)),
            ty: field_type(p.ty),
            default: p.default,
            citations: p.sources.iter().map(|s| l.str(s)).collect(),
            span: l.span(p.span),
        })
        .collect();
    let targets = checked
        .targets
        .iter()
        .map(|t| bc::Target {
            name: l.str(&t.name),
            title: t.title.as_deref().map(|s| l.str(s)),
            kind: match &t.measure {
                MeasureIr::Share(share) => bc::TargetKind::Share { share: *share },
                MeasureIr::Count { at_most, n } => bc::TargetKind::Count {
                    bound: bound(*at_most),
                    n: *n,
                },
                MeasureIr::Average {
                    value,
                    at_most,
                    limit,
                } => bc::TargetKind::Average {
                    value: l.expr(value),
                    // whole numbers and durations are averaged in fixed point
                    per_unit: if matches!(value.ty, Ty::Decimal | Ty::Percent) {
                        1
                    } else {
                        bc::DECIMAL_SCALE
                    },
                    bound: bound(*at_most),
                    limit: *limit,
                },
            },
            group: t.group as u16,
            filter: t.filter.as_ref().map(|f| l.expr(f)),
            satisfy: l.expr(&t.satisfy),
            rules: t.rules.iter().map(|r| *r as u16).collect(),
            threshold: t.threshold.map(|th| bc::Threshold {
                param: th.param as u16,
                scale: th.scale,
                offset: th.offset,
            }),
            effective: effective(t.effective),
            citations: t.sources.iter().map(|s| l.str(s)).collect(),
            span: l.span(t.span),
        })
        .collect();
    Program {
        meta,
        schema,
        strings: l.strings,
        code: l.code,
        filters: l.filters,
        sets: l.sets,
        also_kinds: l.also_kinds,
        groups,
        rules,
        exemptions,
        params,
        targets,
        spans: l.spans,
        files: l.files,
    }
}

fn effective((from, until): (Option<i32>, Option<i32>)) -> Effective {
    Effective { from, until }
}

struct Lowerer<'a> {
    sources: &'a SourceMap,
    strings: Vec<String>,
    string_ids: HashMap<String, u32>,
    code: Vec<Op>,
    filters: Vec<Filter>,
    sets: Vec<u64>,
    also_kinds: Vec<Vec<bc::KindFilter>>,
    spans: Vec<bc::Span>,
    files: Vec<u32>,
    file_ids: HashMap<u32, u16>,
}

impl Lowerer<'_> {
    fn str(&mut self, s: &str) -> u32 {
        if let Some(id) = self.string_ids.get(s) {
            return *id;
        }
        let id = self.strings.len() as u32;
        self.strings.push(s.to_string());
        self.string_ids.insert(s.to_string(), id);
        id
    }

    fn span(&mut self, span: Span) -> u32 {
        let Some(file) = self.sources.get(span.file) else {
            return 0;
        };
        let file_idx = match self.file_ids.get(&span.file.0) {
            Some(i) => *i,
            None => {
                let name = self.str(&file.name);
                self.files.push(name);
                let i = (self.files.len() - 1) as u16;
                self.file_ids.insert(span.file.0, i);
                i
            }
        };
        let (line_start, _) = file.line_col(span.start);
        let (line_end, _) = file.line_col(span.end.saturating_sub(1).max(span.start));
        let text = file.lines(line_start, line_end).to_string();
        let text = self.str(&text);
        self.spans.push(bc::Span {
            file: file_idx,
            line_start,
            line_end,
            text,
        });
        (self.spans.len() - 1) as u32
    }

    fn field(&mut self, f: &FieldIr) -> FieldDef {
        FieldDef {
            name: self.str(&f.name),
            ty: field_type(f.ty),
            optional: f.optional,
            default: f.default,
        }
    }

    fn body(&mut self, b: &BodyIr, out: &mut Vec<Body>) -> u32 {
        let at = out.len();
        match b {
            BodyIr::Require(req) => {
                let anchor = self.expr(&req.anchor);
                let counts = req
                    .counts
                    .iter()
                    .map(|c| CountTerm {
                        kind: c.kind as u16,
                        n: c.n,
                        filter: match &c.filter {
                            Some(f) => self.filter(c.kind, f),
                            None => u32::MAX,
                        },
                        also: if c.also.is_empty() {
                            u32::MAX
                        } else {
                            let list = c
                                .also
                                .iter()
                                .map(|(k, f)| bc::KindFilter {
                                    kind: *k as u16,
                                    filter: match f {
                                        Some(f) => self.filter(*k, f),
                                        None => u32::MAX,
                                    },
                                })
                                .collect();
                            self.also_kinds.push(list);
                            (self.also_kinds.len() - 1) as u32
                        },
                    })
                    .collect();
                let form = match req.form {
                    FormIr::Within { len } => bc::Form::Within { len },
                    FormIr::BeforeWeek { week } => bc::Form::BeforeWeek { week },
                    FormIr::Slots { every, first } => bc::Form::Slots { every, first },
                    FormIr::Interval { gap, after } => bc::Form::Interval { gap, after },
                    FormIr::Rolling { len } => bc::Form::Rolling { len },
                    FormIr::CalendarYear => bc::Form::CalendarYear,
                    FormIr::Between => bc::Form::Between {
                        end: match &req.end {
                            Some(e) => self.expr(e),
                            // INVARIANT (checker): `between` always has an end.
                            None => self.expr(&req.anchor),
                        },
                    },
                    FormIr::After => bc::Form::After,
                    FormIr::Forbid(w) => bc::Form::Forbid {
                        window: match w {
                            ForbidIr::Within { len } => bc::ForbidWindow::Within { len },
                            ForbidIr::BeforeWeek { week } => bc::ForbidWindow::BeforeWeek { week },
                            ForbidIr::Between => bc::ForbidWindow::Between {
                                end: match &req.end {
                                    Some(e) => self.expr(e),
                                    // INVARIANT (checker): `between` always has an end.
                                    None => self.expr(&req.anchor),
                                },
                            },
                            ForbidIr::After => bc::ForbidWindow::After,
                        },
                    },
                    FormIr::Each { len } => match &req.each {
                        Some(each) => bc::Form::Each {
                            kind: each.kind as u16,
                            filter: match &each.filter {
                                Some(f) => self.filter(each.kind, f),
                                None => u32::MAX,
                            },
                            len,
                        },
                        // INVARIANT (checker): a per-event form names its event kind.
                        None => bc::Form::After,
                    },
                };
                let span = self.span(req.span);
                out.push(Body::Require(bc::Requirement {
                    anchor,
                    form,
                    counts,
                    span,
                }));
            }
            BodyIr::If {
                cond,
                then,
                otherwise,
            } => {
                let cond = self.expr(cond);
                // Reserve this node, then lay out the branches after it:
                // INVARIANT (verifier): branch targets point forward.
                out.push(Body::Branch {
                    cond,
                    then: 0,
                    otherwise: None,
                });
                let t = self.body(then, out);
                let o = otherwise.as_ref().map(|o| self.body(o, out));
                if let Some(Body::Branch {
                    then, otherwise, ..
                }) = out.get_mut(at)
                {
                    *then = t;
                    *otherwise = o;
                }
            }
        }
        at as u32
    }

    fn filter(&mut self, kind: usize, f: &TExpr) -> u32 {
        let code = self.expr(f);
        self.filters.push(Filter {
            kind: kind as u16,
            code,
        });
        (self.filters.len() - 1) as u32
    }

    /// Emits an expression as its own code stretch.
    fn expr(&mut self, e: &TExpr) -> CodeRef {
        let mut ops = Vec::new();
        self.emit(e, &mut ops);
        let start = self.code.len() as u32;
        self.code.extend(ops);
        CodeRef {
            start,
            len: self.code.len() as u32 - start,
        }
    }

    fn emit(&mut self, e: &TExpr, ops: &mut Vec<Op>) {
        match &e.kind {
            TExprKind::Const(v) => ops.push(Op::Const(*v)),
            TExprKind::Field(i) => ops.push(Op::Field(*i as u16)),
            TExprKind::EvField(i) => ops.push(Op::EvField(*i as u16)),
            TExprKind::EvDate => ops.push(Op::EvDate),
            TExprKind::Today => ops.push(Op::Today),
            TExprKind::AgeOn(d) => {
                self.emit(d, ops);
                ops.push(Op::AgeOn);
            }
            TExprKind::IsPresent(x) => {
                self.emit(x, ops);
                ops.push(Op::IsPresent);
            }
            TExprKind::Not(x) => {
                self.emit(x, ops);
                ops.push(Op::Not);
            }
            TExprKind::Neg(x) => {
                self.emit(x, ops);
                ops.push(Op::Neg);
            }
            TExprKind::IntToDec(x) => {
                self.emit(x, ops);
                ops.push(Op::IntToDec);
            }
            TExprKind::Binary(op, a, b) => {
                self.emit(a, ops);
                self.emit(b, ops);
                match op {
                    BinOp::SubDays => {
                        ops.push(Op::Neg);
                        ops.push(Op::AddDays);
                    }
                    BinOp::SubMonths => {
                        ops.push(Op::Neg);
                        ops.push(Op::AddMonths);
                    }
                    _ => ops.push(bin_op(*op)),
                }
            }
            TExprKind::InSet(x, mask) => {
                self.emit(x, ops);
                let idx = match self.sets.iter().position(|m| m == mask) {
                    Some(i) => i,
                    None => {
                        self.sets.push(*mask);
                        self.sets.len() - 1
                    }
                };
                ops.push(Op::InSet(idx as u32));
            }
            TExprKind::InPeriods(d, field) => {
                self.emit(d, ops);
                ops.push(Op::InPeriods(*field as u16));
            }
            TExprKind::Agg {
                func,
                kind,
                filter,
                window,
            } => {
                let window = match window {
                    AggWindow::All => bc::AggWindow::All,
                    AggWindow::Last(d) => bc::AggWindow::Last(*d),
                    AggWindow::Range(from, to) => {
                        self.emit(from, ops);
                        self.emit(to, ops);
                        bc::AggWindow::Range
                    }
                };
                let filter = match filter {
                    Some(f) => self.filter(*kind, f),
                    None => u32::MAX,
                };
                ops.push(Op::Agg {
                    func: match func {
                        AggFunc::Count => bc::AggFunc::Count,
                        AggFunc::Sum(f) => bc::AggFunc::Sum(*f as u16),
                        AggFunc::First => bc::AggFunc::First,
                        AggFunc::Last => bc::AggFunc::Last,
                    },
                    kind: *kind as u16,
                    filter,
                    window,
                });
            }
            TExprKind::RuleMet(r) => ops.push(Op::RuleMet(*r as u16)),
            TExprKind::RuleOnTime(r) => ops.push(Op::RuleOnTime(*r as u16)),
            // INVARIANT: lowering runs only on error-free programs.
            TExprKind::Error => ops.push(Op::Const(0)),
        }
    }
}

fn bin_op(op: BinOp) -> Op {
    match op {
        BinOp::And => Op::And,
        BinOp::Or => Op::Or,
        BinOp::Eq => Op::Eq,
        BinOp::Ne => Op::Ne,
        BinOp::Lt => Op::Lt,
        BinOp::Le => Op::Le,
        BinOp::Gt => Op::Gt,
        BinOp::Ge => Op::Ge,
        BinOp::Add => Op::Add,
        BinOp::Sub => Op::Sub,
        BinOp::Mul => Op::Mul,
        BinOp::Div => Op::Div,
        BinOp::MulDec => Op::MulDec,
        BinOp::DivDec => Op::DivDec,
        BinOp::AddDays | BinOp::SubDays => Op::AddDays,
        BinOp::AddMonths | BinOp::SubMonths => Op::AddMonths,
        BinOp::Min => Op::Min,
        BinOp::Max => Op::Max,
    }
}

fn field_type(ty: Ty) -> FieldType {
    match ty {
        Ty::Bool => FieldType::Bool,
        Ty::Int => FieldType::Int,
        Ty::Decimal => FieldType::Decimal,
        Ty::Percent => FieldType::Percent,
        Ty::Text => FieldType::Text,
        Ty::Date => FieldType::Date,
        Ty::Days => FieldType::Days,
        Ty::Months => FieldType::Months,
        Ty::Enum(e) | Ty::EnumSet(e) => FieldType::Enum(e as u16),
        Ty::Periods => FieldType::Periods,
        // INVARIANT: error-typed fields never reach lowering.
        Ty::Error => FieldType::Int,
    }
}
