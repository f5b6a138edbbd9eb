//! The synthetic benchmark policy `benches/policies/ten_rules.pol`: a case
//! generator that fills a `CaseBatch` directly (about six events per case),
//! and a hand-written Rust evaluator of the same policy, the baseline the VM
//! is measured against. `tests/hand_vs_vm.rs` checks that the two agree on
//! every case.
//!
//! The evaluator resolves every name (fields, event kinds, enum variants,
//! groups, rules) against the compiled program once, so a change to the
//! policy's layout is an error at construction, not a silent mismatch.

use pol_examples::rng::Rng;
use pol_runtime::bytecode::program::{Program, NONE};
use pol_runtime::vm::dates::{add_months, age_on};
use pol_runtime::{CaseBatch, CaseData, CaseRef, CaseResult, RuleResult, Status};

/// Index of `name` among `names` (names as the program's string ids).
fn find(p: &Program, ids: impl IntoIterator<Item = u32>, name: &str) -> Result<usize, String> {
    ids.into_iter()
        .position(|id| p.strings.get(id as usize).is_some_and(|s| s == name))
        .ok_or_else(|| format!("`{name}` is not in the program"))
}

/// Where everything the policy reads lives in the program's layout.
#[derive(Debug, Clone)]
struct Layout {
    // case fields
    birth: usize,
    benefit: usize,
    start: usize,
    employed: usize,
    jobparat: usize,
    contract: usize,
    // event kinds
    samtale: u16,
    tilbud: u16,
    vurdering: u16,
    jobmakker: u16,
    // event fields
    form: usize,
    jobcenter: usize,
    offer: usize,
    assessment: usize,
    // enum variants
    dagpenge: i64,
    kontanthjaelp: i64,
    sygedagpenge: i64,
    jobafklaring: i64,
    personal: i64,
    praktik: i64,
    loentilskud: i64,
    indsats: i64,
    afklaring_v: i64,
}

impl Layout {
    fn new(p: &Program) -> Result<Layout, String> {
        let s = &p.schema;
        let field = |n: &str| find(p, s.fields.iter().map(|f| f.name), n);
        let kind = |n: &str| find(p, s.events.iter().map(|k| k.name), n).map(|k| k as u16);
        let ev_field = |k: u16, n: &str| {
            let kind = s
                .events
                .get(usize::from(k))
                .ok_or_else(|| format!("no event kind {k}"))?;
            find(p, kind.fields.iter().map(|f| f.name), n)
        };
        let variant = |e: &str, v: &str| -> Result<i64, String> {
            let ei = find(p, s.enums.iter().map(|x| x.name), e)?;
            let def = s.enums.get(ei).ok_or("enum index")?;
            find(p, def.variants.iter().copied(), v).map(|i| i as i64)
        };
        let samtale = kind("samtale")?;
        let tilbud = kind("tilbud")?;
        let vurdering = kind("vurdering")?;
        Ok(Layout {
            birth: field("birth_date")?,
            benefit: field("benefit")?,
            start: field("benefit_start")?,
            employed: field("employed")?,
            jobparat: field("jobparat")?,
            contract: field("job_contract_start")?,
            samtale,
            tilbud,
            vurdering,
            jobmakker: kind("jobmakker")?,
            form: ev_field(samtale, "form")?,
            jobcenter: ev_field(samtale, "jobcenter")?,
            offer: ev_field(tilbud, "offer")?,
            assessment: ev_field(vurdering, "assessment")?,
            dagpenge: variant("Benefit", "dagpenge")?,
            kontanthjaelp: variant("Benefit", "kontanthjaelp")?,
            sygedagpenge: variant("Benefit", "sygedagpenge")?,
            jobafklaring: variant("Benefit", "jobafklaring")?,
            personal: variant("Form", "personal")?,
            praktik: variant("Offer", "praktik")?,
            loentilskud: variant("Offer", "loentilskud")?,
            indsats: variant("Assess", "indsats")?,
            afklaring_v: variant("Assess", "afklaring")?,
        })
    }
}

// ---------------------------------------------------------------------------
// Generator
// ---------------------------------------------------------------------------

/// `cases` generated cases for `ten_rules.pol`, evaluated on `today`: four
/// benefits, ages 18 to 65, benefit starts up to 400 days back, and 3 to 9
/// events per case (6 on average) around the benefit start, some before it
/// and some after today, so every status occurs.
pub fn generate(
    program: &Program,
    cases: usize,
    seed: u64,
    today: i32,
) -> Result<CaseBatch, String> {
    let l = Layout::new(program)?;
    let schema = &program.schema;
    let mut batch = CaseBatch::new(schema);
    let t = i64::from(today);
    for i in 0..cases {
        let mut rng = Rng::for_item(seed, i as u64);
        let mut c = CaseData::new(schema, format!("c{i:07}"));
        let benefit = match rng.weighted(&[35, 35, 20, 10]) {
            0 => l.dagpenge,
            1 => l.kontanthjaelp,
            2 => l.sygedagpenge,
            _ => l.jobafklaring,
        };
        let start = t - rng.range(0, 400);
        let set = |c: &mut CaseData, f: usize, v: i64| {
            if let Some(slot) = c.fields.get_mut(f) {
                *slot = v;
            }
        };
        set(&mut c, l.birth, t - rng.range(18 * 365, 65 * 365));
        set(&mut c, l.benefit, benefit);
        set(&mut c, l.start, start);
        set(&mut c, l.employed, i64::from(rng.chance(15.0)));
        set(&mut c, l.jobparat, i64::from(rng.chance(60.0)));
        let contract = if rng.chance(10.0) {
            t + rng.range(-30, 180)
        } else {
            NONE
        };
        set(&mut c, l.contract, contract);
        let span = t - start;
        for _ in 0..rng.range(3, 9) {
            let date = (start + rng.range(-10, span + 10)) as i32;
            let (kind, values) = match rng.weighted(&[50, 20, 20, 10]) {
                0 => {
                    let mut v = vec![0; 2];
                    v[l.form] = rng.range(0, 2);
                    v[l.jobcenter] = i64::from(rng.chance(80.0));
                    (l.samtale, v)
                }
                1 => (l.tilbud, vec![rng.range(0, 2)]),
                2 => (l.vurdering, vec![rng.range(0, 2)]),
                _ => (l.jobmakker, Vec::new()),
            };
            if let Some(list) = c.events.get_mut(usize::from(kind)) {
                list.push((date, values));
            }
        }
        batch.push(c, 0);
    }
    Ok(batch)
}

// ---------------------------------------------------------------------------
// The hand-written evaluator
// ---------------------------------------------------------------------------

/// `ten_rules.pol` written out in Rust, over the same `CaseBatch`.
#[derive(Debug, Clone)]
pub struct HandEval {
    l: Layout,
    // group indices
    g_ledige: usize,
    g_aktiv: usize,
    g_syg: usize,
    g_afkl: usize,
    g_unge: usize,
    // rule indices
    r: [usize; 10],
    /// The exemption `job_contract` (its index in the program).
    e_contract: u16,
    n_groups: usize,
    n_rules: usize,
}

/// The date of the `n`-th event (in date order) dated in `[from, to]` whose
/// field values satisfy `pred`.
#[inline]
fn nth(
    case: &CaseRef<'_>,
    kind: u16,
    from: i64,
    to: i64,
    n: u32,
    pred: impl Fn(&[i64]) -> bool,
) -> Option<i64> {
    let ev = case.events(kind);
    let lo = ev.dates.partition_point(|d| i64::from(*d) < from);
    let mut got = 0;
    for (k, d) in ev.dates.iter().enumerate().skip(lo) {
        if i64::from(*d) > to {
            break;
        }
        if pred(ev.row(k)) {
            got += 1;
            if got == n {
                return Some(i64::from(*d));
            }
        }
    }
    None
}

/// A deadline's status: fulfilled on `f` (or not) against `due` on `today`.
#[inline]
fn deadline(today: i64, due: i64, f: Option<i64>) -> RuleResult {
    let status = match f {
        Some(f) if f <= due => Status::Met,
        Some(_) => Status::MetLate,
        None if due < today => Status::Overdue,
        None => Status::Pending,
    };
    RuleResult {
        status,
        met_on: f.map(|d| d as i32),
        due: Some(due as i32),
        next_due: None,
        exemption: None,
    }
}

impl HandEval {
    pub fn new(p: &Program) -> Result<HandEval, String> {
        let group = |n: &str| find(p, p.groups.iter().map(|g| g.name), n);
        let rule = |n: &str| find(p, p.rules.iter().map(|r| r.name), n);
        Ok(HandEval {
            l: Layout::new(p)?,
            g_ledige: group("ledige")?,
            g_aktiv: group("aktivitetsparate")?,
            g_syg: group("sygemeldte")?,
            g_afkl: group("afklaring")?,
            g_unge: group("unge")?,
            r: [
                rule("contact_6m")?,
                rule("first_2w")?,
                rule("personal_week8")?,
                rule("four_samtaler")?,
                rule("jobmakker_day0")?,
                rule("indsats_1m")?,
                rule("offer_3m")?,
                rule("afklaring_4w")?,
                rule("afklaring_samtaler")?,
                rule("followup_offer")?,
            ],
            e_contract: find(p, p.exemptions.iter().map(|e| e.name), "job_contract")? as u16,
            n_groups: p.groups.len(),
            n_rules: p.rules.len(),
        })
    }

    /// A result shaped like the VM's (`Policy::new_result`).
    pub fn new_result(&self) -> CaseResult {
        CaseResult {
            groups: vec![false; self.n_groups],
            rules: vec![RuleResult::NOT_APPLICABLE; self.n_rules],
            targets: Vec::new(),
        }
    }

    /// Evaluates one case on `today` into `out` (shaped by `new_result`).
    pub fn evaluate(&self, case: CaseRef<'_>, today: i32, out: &mut CaseResult) {
        let l = &self.l;
        let t = i64::from(today);
        let f = case.fields();
        let get = |i: usize| f.get(i).copied().unwrap_or(NONE);
        let truthy = |v: i64| v != 0 && v != NONE;
        let benefit = get(l.benefit);
        let jobparat = truthy(get(l.jobparat));
        let s = get(l.start);
        let age = age_on(get(l.birth), t).unwrap_or(NONE);

        let ledige = benefit == l.dagpenge || (benefit == l.kontanthjaelp && jobparat);
        let aktiv = benefit == l.kontanthjaelp && !jobparat;
        let syg = benefit == l.sygedagpenge;
        let afkl = benefit == l.jobafklaring;
        let unge = age != NONE && age < 30 && benefit != l.jobafklaring;
        for (g, v) in [
            (self.g_ledige, ledige),
            (self.g_aktiv, aktiv),
            (self.g_syg, syg),
            (self.g_afkl, afkl),
            (self.g_unge, unge),
        ] {
            if let Some(slot) = out.groups.get_mut(g) {
                *slot = v;
            }
        }

        // benefit_start is required, so the anchor is absent only for bad data
        let started = s != NONE && s <= t;
        let any = |_: &[i64]| true;
        let na = RuleResult::NOT_APPLICABLE;
        let within_months = |m: i64| add_months(s, m).unwrap_or(NONE);

        let contact_6m = if ledige && started {
            let due = within_months(6);
            let a = nth(&case, l.samtale, s, t, 2, |v| {
                truthy(v.get(l.jobcenter).copied().unwrap_or(NONE))
            });
            let b = nth(&case, l.tilbud, s, t, 1, any);
            let f = match (a, b) {
                (Some(a), Some(b)) => Some(a.max(b)),
                _ => None,
            };
            deadline(t, due, f)
        } else {
            na
        };
        let first_2w = if (ledige || aktiv) && started {
            deadline(t, s + 14, nth(&case, l.samtale, s, t, 1, any))
        } else {
            na
        };
        let personal_week8 = if syg && started {
            let f = nth(&case, l.samtale, s, t, 1, |v| {
                v.get(l.form).copied() == Some(l.personal)
            });
            deadline(t, s + 55, f)
        } else {
            na
        };
        let four_samtaler = if syg && started {
            deadline(t, within_months(6), nth(&case, l.samtale, s, t, 4, any))
        } else {
            na
        };
        let jobmakker_day0 = if aktiv && started {
            deadline(t, s, nth(&case, l.jobmakker, s, t, 1, any))
        } else {
            na
        };
        let indsats_1m = if aktiv && started {
            let f = nth(&case, l.vurdering, s, t, 1, |v| {
                v.get(l.assessment).copied() == Some(l.indsats)
            });
            deadline(t, within_months(1), f)
        } else {
            na
        };
        let offer_3m = if unge && !truthy(get(l.employed)) && started {
            let f = nth(&case, l.tilbud, s, t, 1, |v| {
                let o = v.get(l.offer).copied().unwrap_or(NONE);
                o == l.praktik || o == l.loentilskud
            });
            deadline(t, within_months(3), f)
        } else {
            na
        };
        let afklaring_4w = if afkl && started {
            let f = nth(&case, l.vurdering, s, t, 1, |v| {
                v.get(l.assessment).copied() == Some(l.afklaring_v)
            });
            deadline(t, s + 28, f)
        } else {
            na
        };
        let afklaring_samtaler = if afkl && started {
            deadline(t, within_months(3), nth(&case, l.samtale, s, t, 2, any))
        } else {
            na
        };
        let followup_offer = if ledige || unge {
            // first(tilbud): the earliest offer dated on or before today
            match case.events(l.tilbud).dates.first().map(|d| i64::from(*d)) {
                Some(a) if a <= t => deadline(t, a + 28, nth(&case, l.samtale, a, t, 1, any)),
                _ => na,
            }
        } else {
            na
        };

        // job_contract waives the rules of `ledige` while the job starts
        // within three months of today
        let contract = get(l.contract);
        let exempt = contract != NONE && add_months(t, 3).is_some_and(|d| contract <= d);
        let waive = |r: RuleResult| {
            if exempt && r.status != Status::NotApplicable {
                RuleResult {
                    status: Status::Exempt,
                    met_on: None,
                    exemption: Some(self.e_contract),
                    ..r
                }
            } else {
                r
            }
        };
        let results = [
            waive(contact_6m),
            waive(first_2w),
            personal_week8,
            four_samtaler,
            jobmakker_day0,
            indsats_1m,
            offer_3m,
            afklaring_4w,
            afklaring_samtaler,
            waive(followup_offer),
        ];
        for (r, v) in self.r.iter().zip(results) {
            if let Some(slot) = out.rules.get_mut(*r) {
                *slot = v;
            }
        }
    }
}
