//! Resolves, once per run, what the generator knows by name against the
//! program's schema: field and event-kind indices, enum variants with their
//! weights, and the deadlines the policy's rules count from `benefit_start`.
//! Names the schema lacks resolve to `None` and their values are skipped, so
//! the generator works for any schema, not only `policies/schema.pol`.

use std::collections::HashMap;

use pol_runtime::bytecode::program::{Body, Dur, FieldType, Form, Op, Program};

use crate::rng::Rng;

/// Enum variants with weights, resolved to variant indices.
#[derive(Debug, Clone, Default)]
pub struct Table {
    idx: Vec<u16>,
    w: Vec<u32>,
    names: Vec<&'static str>,
}

impl Table {
    /// `None` when the field is not an enum or no listed variant exists.
    pub fn pick(&self, rng: &mut Rng) -> Option<u16> {
        if self.idx.is_empty() {
            return None;
        }
        self.idx.get(rng.weighted(&self.w)).copied()
    }

    /// The variant of the table's first entry (by convention the field's
    /// default or the common case).
    pub fn idx_of_first(&self) -> Option<u16> {
        self.idx.first().copied()
    }

    /// The variant named `name`, if the table lists it and the enum has it.
    pub fn idx_of(&self, name: &str) -> Option<u16> {
        let i = self.names.iter().position(|n| *n == name)?;
        self.idx.get(i).copied()
    }
}

/// Deadlines (durations from the anchor) the policy's rules use, per event
/// kind and in all.
#[derive(Debug, Clone, Default)]
pub struct Deadlines {
    /// Per event kind: one-off deadlines (`within`, `before week`, the first
    /// slot) from `benefit_start`.
    pub first: Vec<Vec<Dur>>,
    /// Per event kind: the longest gap a recurring form allows.
    pub gap: Vec<Vec<Dur>>,
    /// Every duration a rule or group compares `benefit_start` with.
    pub all: Vec<Dur>,
}

/// Indices of the case fields the generator knows by name.
#[derive(Debug, Clone, Default)]
pub struct Fields {
    pub birth_date: Option<u16>,
    pub benefit: Option<u16>,
    pub benefit_start: Option<u16>,
    pub readiness: Option<u16>,
    pub match_group: Option<u16>,
    pub flex_track: Option<u16>,
    pub immigrant: Option<u16>,
    pub residence_permit: Option<u16>,
    pub integration_start: Option<u16>,
    pub municipality: Option<u16>,
    pub gender: Option<u16>,
    pub employed: Option<u16>,
    pub self_employed: Option<u16>,
    pub expected_recovery: Option<u16>,
    pub partially_recovered: Option<u16>,
    pub hours_resumed: Option<u16>,
    pub barsel_start: Option<u16>,
    pub barsel: Option<u16>,
    pub standby: Option<u16>,
    pub job_contract_start: Option<u16>,
    pub concrete_job_on: Option<u16>,
    pub repatriation_covered: Option<u16>,
    /// Bool fields with a chance that depends on the case (`model::flag`).
    pub flags: Vec<(u16, Flag)>,
}

/// The assessment flags and other booleans the model gives a case-dependent
/// chance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    VocationalQualification,
    ProblemsBeyondUnemployment,
    Reregistered,
    IllnessPrevents,
    SeriousIllness,
    LongIllnessExpected,
    DoubtIncapacity,
    ClearPlan,
    PlanFollowed,
    NeedsInterdisciplinary,
    RiskLongTerm,
    MotivationAbsent,
    HealthWorsens,
    PermanentHealth,
    NotNearJob,
    ComplexProblems,
    RequestedByCitizen,
    SamtaleNeeded,
    DigitalPostExempt,
    CvInadequate,
    CannotTakeOrdinaryEducation,
    DevelopmentalDisorder,
    InEducation,
}

const FLAGS: &[(&str, Flag)] = &[
    ("vocational_qualification", Flag::VocationalQualification),
    (
        "problems_beyond_unemployment",
        Flag::ProblemsBeyondUnemployment,
    ),
    ("reregistered", Flag::Reregistered),
    ("illness_prevents", Flag::IllnessPrevents),
    ("serious_illness", Flag::SeriousIllness),
    ("long_illness_expected", Flag::LongIllnessExpected),
    ("doubt_incapacity", Flag::DoubtIncapacity),
    ("clear_plan", Flag::ClearPlan),
    ("plan_followed", Flag::PlanFollowed),
    ("needs_interdisciplinary", Flag::NeedsInterdisciplinary),
    ("risk_long_term", Flag::RiskLongTerm),
    ("motivation_absent", Flag::MotivationAbsent),
    ("health_worsens", Flag::HealthWorsens),
    ("permanent_health", Flag::PermanentHealth),
    ("not_near_job", Flag::NotNearJob),
    ("complex_problems", Flag::ComplexProblems),
    ("requested_by_citizen", Flag::RequestedByCitizen),
    ("samtale_needed", Flag::SamtaleNeeded),
    ("digital_post_exempt", Flag::DigitalPostExempt),
    ("cv_inadequate", Flag::CvInadequate),
    (
        "cannot_take_ordinary_education",
        Flag::CannotTakeOrdinaryEducation,
    ),
    ("developmental_disorder", Flag::DevelopmentalDisorder),
    ("in_education", Flag::InEducation),
];

/// An event kind the generator knows, with its known fields' indices.
#[derive(Debug, Clone, Default)]
pub struct Kind {
    pub kind: Option<u16>,
    /// Field name -> index within the kind.
    pub fields: HashMap<&'static str, u16>,
}

impl Kind {
    pub fn field(&self, name: &str) -> Option<u16> {
        self.fields.get(name).copied()
    }
}

/// The benefit of a case, as the model reasons about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ben {
    Dagpenge,
    Kontanthjaelp,
    Uddannelseshjaelp,
    Sygedagpenge,
    Jobafklaring,
    Ressourceforloeb,
    Ledighedsydelse,
    Hjemrejseydelse,
    Foertidspension,
    Selvforsoergende,
    /// A variant the model does not know.
    Other,
}

/// A jobcenter's benefit mix (stock, not inflow): many on dagpenge and
/// kontanthjælp, a large sickness group, fewer on the long courses.
const BENEFITS: &[(&str, Ben, u32)] = &[
    ("dagpenge", Ben::Dagpenge, 280),
    ("kontanthjaelp", Ben::Kontanthjaelp, 220),
    ("uddannelseshjaelp", Ben::Uddannelseshjaelp, 80),
    ("sygedagpenge", Ben::Sygedagpenge, 200),
    ("jobafklaring", Ben::Jobafklaring, 45),
    ("ressourceforloeb", Ben::Ressourceforloeb, 50),
    ("ledighedsydelse", Ben::Ledighedsydelse, 60),
    ("hjemrejseydelse", Ben::Hjemrejseydelse, 30),
    ("foertidspension", Ben::Foertidspension, 15),
    ("selvforsoergende", Ben::Selvforsoergende, 20),
];

pub struct Tables {
    pub f: Fields,
    /// Benefit variant -> what the model makes of it, with the mix's weights.
    pub benefit: Table,
    pub benefit_of: Vec<Ben>,
    pub readiness_job: Table,
    pub readiness_activity: Table,
    pub readiness_young: Table,
    pub readiness_none: Table,
    pub match_ledig: Table,
    pub match_other: Table,
    pub flex: Table,
    pub immigrant: Table,
    pub immigrant_hjemrejse: Table,
    pub municipality: Table,
    pub gender: Table,
    pub form: Table,
    pub form_syge: Table,
    pub held_by_dagpenge: Table,
    pub held_by: Table,
    pub purpose: Table,
    pub purpose_syge: Table,
    pub channel_post: Table,
    pub offer_job: Table,
    pub offer_activity: Table,
    pub offer_young: Table,
    pub offer_syge: Table,
    /// What a request (anmodning) asks for, and who asks.
    pub asked: Table,
    pub requester: Table,
    /// Where a referral goes.
    pub referral: Table,
    /// Assessment variants by name.
    pub assessment: HashMap<&'static str, u16>,
    pub samtale: Kind,
    pub tilbud: Kind,
    pub tilbud_slut: Kind,
    pub vurdering: Kind,
    pub loentimer: Kind,
    pub rehab_moede: Kind,
    pub sundhedskoordinator_samtale: Kind,
    pub vejledning: Kind,
    pub informationsmoede: Kind,
    pub serviceopkald: Kind,
    pub telefonkontakt: Kind,
    pub henvisning: Kind,
    pub jobmakker_tildelt: Kind,
    pub mentor_tildelt: Kind,
    pub anmodning: Kind,
    pub hjemrejseoenske: Kind,
    pub ledighedsuge: Kind,
    /// Event kinds the model does not know: they get a few generic events.
    pub other_kinds: Vec<u16>,
    /// Periods fields the model does not know.
    pub other_periods: Vec<u16>,
    /// Fields the model fills (the rest get generic values).
    pub known: Vec<bool>,
    pub deadlines: Deadlines,
}

const KNOWN_KINDS: &[&str] = &[
    "samtale",
    "tilbud",
    "tilbud_slut",
    "vurdering",
    "loentimer",
    "rehab_moede",
    "sundhedskoordinator_samtale",
    "vejledning",
    "informationsmoede",
    "serviceopkald",
    "telefonkontakt",
    "henvisning",
    "jobmakker_tildelt",
    "mentor_tildelt",
    "anmodning",
    "hjemrejseoenske",
    "ledighedsuge",
];

const EVENT_FIELDS: &[&str] = &[
    "form",
    "held_by",
    "purpose",
    "ordered_personal",
    "channel",
    "vk_present",
    "ret_og_pligt_info",
    "repatriation_guidance",
    "offer",
    "hours",
    "company_directed",
    "in_paalaeg",
    "assessment",
    "degree",
    "completed",
    "about",
    "by",
    "to",
];

impl Tables {
    pub fn new(p: &Program) -> Tables {
        let s = &p.schema;
        let text = |id: u32| p.strings.get(id as usize).map_or("", String::as_str);
        let field_ix: HashMap<&str, u16> = s
            .fields
            .iter()
            .enumerate()
            .map(|(i, f)| (text(f.name), i as u16))
            .collect();
        let get = |n: &str| field_ix.get(n).copied();
        let mut f = Fields {
            birth_date: s.birth_field.or_else(|| get("birth_date")),
            benefit: get("benefit"),
            benefit_start: get("benefit_start"),
            readiness: get("readiness"),
            match_group: get("match_group"),
            flex_track: get("flex_track"),
            immigrant: get("immigrant"),
            residence_permit: get("residence_permit"),
            integration_start: get("integration_start"),
            municipality: get("municipality"),
            gender: get("gender"),
            employed: get("employed"),
            self_employed: get("self_employed"),
            expected_recovery: get("expected_recovery"),
            partially_recovered: get("partially_recovered"),
            hours_resumed: get("hours_resumed"),
            barsel_start: get("barsel_start"),
            barsel: get("barsel"),
            standby: get("standby"),
            job_contract_start: get("job_contract_start"),
            concrete_job_on: get("concrete_job_on"),
            repatriation_covered: get("repatriation_covered"),
            flags: Vec::new(),
        };
        // Known only when the type is what the model writes; a schema that
        // declares `benefit_start: text` gets generic values instead.
        let want = |ix: &mut Option<u16>, ok: &dyn Fn(FieldType) -> bool| {
            if let Some(i) = *ix {
                if !s.fields.get(i as usize).is_some_and(|d| ok(d.ty)) {
                    *ix = None;
                }
            }
        };
        let is_date = |t: FieldType| t == FieldType::Date;
        let is_bool = |t: FieldType| t == FieldType::Bool;
        let is_enum = |t: FieldType| matches!(t, FieldType::Enum(_));
        let is_periods = |t: FieldType| t == FieldType::Periods;
        for d in [
            &mut f.birth_date,
            &mut f.benefit_start,
            &mut f.residence_permit,
            &mut f.integration_start,
            &mut f.expected_recovery,
            &mut f.barsel_start,
            &mut f.job_contract_start,
            &mut f.concrete_job_on,
        ] {
            want(d, &is_date);
        }
        for b in [
            &mut f.employed,
            &mut f.self_employed,
            &mut f.partially_recovered,
            &mut f.repatriation_covered,
        ] {
            want(b, &is_bool);
        }
        for e in [
            &mut f.benefit,
            &mut f.readiness,
            &mut f.match_group,
            &mut f.flex_track,
            &mut f.immigrant,
            &mut f.municipality,
            &mut f.gender,
        ] {
            want(e, &is_enum);
        }
        want(&mut f.barsel, &is_periods);
        want(&mut f.standby, &is_periods);
        want(&mut f.hours_resumed, &|t| t == FieldType::Decimal);
        for (name, flag) in FLAGS {
            if let Some(i) = get(name) {
                if s.fields
                    .get(i as usize)
                    .is_some_and(|d| d.ty == FieldType::Bool)
                {
                    f.flags.push((i, *flag));
                }
            }
        }

        let mut known = vec![false; s.fields.len()];
        for i in [
            f.birth_date,
            f.benefit,
            f.benefit_start,
            f.readiness,
            f.match_group,
            f.flex_track,
            f.immigrant,
            f.residence_permit,
            f.integration_start,
            f.municipality,
            f.gender,
            f.employed,
            f.self_employed,
            f.expected_recovery,
            f.partially_recovered,
            f.hours_resumed,
            f.barsel_start,
            f.barsel,
            f.standby,
            f.job_contract_start,
            f.concrete_job_on,
            f.repatriation_covered,
        ]
        .into_iter()
        .flatten()
        .chain(f.flags.iter().map(|(i, _)| *i))
        {
            if let Some(k) = known.get_mut(i as usize) {
                *k = true;
            }
        }
        let other_periods = s
            .fields
            .iter()
            .enumerate()
            .filter(|(i, d)| d.ty == FieldType::Periods && !known.get(*i).copied().unwrap_or(true))
            .map(|(i, _)| i as u16)
            .collect();

        // enum tables, resolved against the enum of the field (or event field)
        let variants_of = |ty: Option<FieldType>| -> Vec<&str> {
            match ty {
                Some(FieldType::Enum(e)) => s
                    .enums
                    .get(e as usize)
                    .map(|d| d.variants.iter().map(|v| text(*v)).collect())
                    .unwrap_or_default(),
                _ => Vec::new(),
            }
        };
        let field_ty = |ix: Option<u16>| ix.and_then(|i| s.fields.get(i as usize)).map(|d| d.ty);
        let table = |ty: Option<FieldType>, list: &[(&'static str, u32)]| -> Table {
            let names = variants_of(ty);
            let mut t = Table::default();
            for (n, w) in list {
                if let Some(i) = names.iter().position(|v| v == n) {
                    t.idx.push(i as u16);
                    t.w.push(*w);
                    t.names.push(n);
                }
            }
            t
        };

        // benefit: the mix for known variants, a little of each unknown one
        let ben_names = variants_of(field_ty(f.benefit));
        let mut benefit = Table::default();
        let mut benefit_of = Vec::new();
        for (i, n) in ben_names.iter().enumerate() {
            let (ben, w) = BENEFITS
                .iter()
                .find(|(b, _, _)| b == n)
                .map_or((Ben::Other, 10), |(_, b, w)| (*b, *w));
            benefit.idx.push(i as u16);
            benefit.w.push(w);
            benefit.names.push("");
            benefit_of.push(ben);
        }

        let rd = field_ty(f.readiness);
        let mg = field_ty(f.match_group);

        let kind_ix: HashMap<&str, u16> = s
            .events
            .iter()
            .enumerate()
            .map(|(i, k)| (text(k.name), i as u16))
            .collect();
        let kind = |name: &str| -> Kind {
            let Some(&k) = kind_ix.get(name) else {
                return Kind::default();
            };
            let mut fields = HashMap::new();
            if let Some(def) = s.events.get(k as usize) {
                for (i, fd) in def.fields.iter().enumerate() {
                    if let Some(n) = EVENT_FIELDS.iter().find(|n| **n == text(fd.name)) {
                        fields.insert(*n, i as u16);
                    }
                }
            }
            Kind {
                kind: Some(k),
                fields,
            }
        };
        let ev_ty = |k: &Kind, name: &str| -> Option<FieldType> {
            let kind = s.events.get(k.kind? as usize)?;
            kind.fields.get(k.field(name)? as usize).map(|d| d.ty)
        };
        let samtale = kind("samtale");
        let tilbud = kind("tilbud");
        let vurdering = kind("vurdering");
        let form_ty = ev_ty(&samtale, "form");
        let held_ty = ev_ty(&samtale, "held_by");
        let purpose_ty = ev_ty(&samtale, "purpose");
        let offer_ty = ev_ty(&tilbud, "offer");
        let anmodning = kind("anmodning");
        let henvisning = kind("henvisning");
        let assessment = variants_of(ev_ty(&vurdering, "assessment"))
            .iter()
            .enumerate()
            .filter_map(|(i, n)| {
                [
                    "indsatsvurdering",
                    "helbredsvurdering",
                    "aarlig_afklaring",
                    "ressourceprofil",
                    "rehab_relevans",
                    "forlaengelse_26_uger",
                    "visitation",
                ]
                .into_iter()
                .find(|a| a == n)
                .map(|a| (a, i as u16))
            })
            .collect();
        let other_kinds = s
            .events
            .iter()
            .enumerate()
            .filter(|(_, k)| !KNOWN_KINDS.contains(&text(k.name)))
            .map(|(i, _)| i as u16)
            .collect();

        Tables {
            readiness_job: table(rd, &[("jobparat", 45), ("aktivitetsparat", 55)]),
            readiness_activity: table(rd, &[("aktivitetsparat", 90), ("ingen_kategori", 10)]),
            readiness_young: table(
                rd,
                &[
                    ("uddannelsesparat", 50),
                    ("aktivitetsparat", 45),
                    ("jobparat", 5),
                ],
            ),
            readiness_none: table(rd, &[("ingen_kategori", 85), ("jobparat", 15)]),
            match_ledig: table(
                mg,
                &[
                    ("match_1", 40),
                    ("match_2", 30),
                    ("match_3", 15),
                    ("umatchet", 15),
                ],
            ),
            match_other: table(
                mg,
                &[
                    ("umatchet", 70),
                    ("match_1", 10),
                    ("match_2", 10),
                    ("match_3", 10),
                ],
            ),
            flex: table(
                field_ty(f.flex_track),
                &[("fleks_1", 50), ("fleks_2", 40), ("ingen_fleks", 10)],
            ),
            immigrant: table(
                field_ty(f.immigrant),
                &[
                    ("ikke_omfattet", 84),
                    ("flygtning", 6),
                    ("familiesammenfoert", 4),
                    ("indvandrer", 6),
                ],
            ),
            immigrant_hjemrejse: table(
                field_ty(f.immigrant),
                &[("flygtning", 65), ("familiesammenfoert", 35)],
            ),
            gender: table(field_ty(f.gender), &[("kvinde", 50), ("mand", 50)]),
            municipality: table(
                field_ty(f.municipality),
                &[
                    ("anden_kommune", 40),
                    ("hilleroed", 12),
                    ("koege", 12),
                    ("rudersdal", 12),
                    ("faaborg_midtfyn", 12),
                    ("broendby", 12),
                ],
            ),
            form: table(
                form_ty,
                &[
                    ("personal", 55),
                    ("phone", 20),
                    ("video", 15),
                    ("letter", 6),
                    ("group_session", 4),
                ],
            ),
            form_syge: table(
                form_ty,
                &[
                    ("personal", 40),
                    ("phone", 30),
                    ("video", 8),
                    ("letter", 4),
                    ("medical_records", 10),
                    ("activity_site", 8),
                ],
            ),
            held_by_dagpenge: table(held_ty, &[("jobcenter", 75), ("akasse", 15), ("joint", 10)]),
            held_by: table(
                held_ty,
                &[
                    ("jobcenter", 94),
                    ("mentor", 4),
                    ("stoettekontaktperson", 2),
                ],
            ),
            purpose: table(
                purpose_ty,
                &[
                    ("jobsamtale", 85),
                    ("activity_start", 4),
                    ("activity_end", 4),
                    ("intensive", 4),
                    ("citizen_request", 3),
                ],
            ),
            purpose_syge: table(
                purpose_ty,
                &[
                    ("opfoelgning", 90),
                    ("activity_start", 5),
                    ("citizen_request", 5),
                ],
            ),
            channel_post: table(
                ev_ty(&samtale, "channel"),
                &[("digital_post", 70), ("fysisk_post", 30)],
            ),
            offer_job: table(
                offer_ty,
                &[
                    ("virksomhedspraktik", 30),
                    ("loentilskud", 18),
                    ("jobrettet_uddannelse", 12),
                    ("vejledning_opkvalificering", 12),
                    ("jobklub", 8),
                    ("jobsoegningskursus", 8),
                    ("loennede_timer", 4),
                    ("vikarjob", 3),
                    ("jobnet_cv", 3),
                    ("intensivt_samtaleforloeb", 2),
                ],
            ),
            offer_activity: table(
                offer_ty,
                &[
                    ("virksomhedspraktik", 30),
                    ("afklaringsforloeb", 18),
                    ("motivationsforloeb", 14),
                    ("nytteindsats", 10),
                    ("vejledning_opkvalificering", 10),
                    ("frivilligt_arbejde", 6),
                    ("loentilskud", 8),
                    ("jobklub", 4),
                ],
            ),
            offer_young: table(
                offer_ty,
                &[
                    ("uddannelsesafklarende", 30),
                    ("ordinaer_uddannelse", 25),
                    ("virksomhedspraktik", 20),
                    ("nytteindsats", 10),
                    ("vejledning_opkvalificering", 15),
                ],
            ),
            offer_syge: table(
                offer_ty,
                &[
                    ("delvis_raskmelding", 50),
                    ("fastholdelse", 25),
                    ("virksomhedspraktik", 15),
                    ("afklaringsforloeb", 10),
                ],
            ),
            asked: table(
                ev_ty(&anmodning, "about"),
                &[
                    ("samtale", 70),
                    ("vejledning", 10),
                    ("tilbud", 10),
                    ("fastholdelse", 10),
                ],
            ),
            requester: table(
                ev_ty(&anmodning, "by"),
                &[("citizen", 90), ("employer", 10)],
            ),
            referral: table(
                ev_ty(&henvisning, "to"),
                &[
                    ("til_aktiv_indsats", 60),
                    ("til_ressourceforloeb", 25),
                    ("til_dansk_flygtningehjaelp", 15),
                ],
            ),
            benefit,
            benefit_of,
            assessment,
            samtale,
            tilbud,
            tilbud_slut: kind("tilbud_slut"),
            vurdering,
            loentimer: kind("loentimer"),
            rehab_moede: kind("rehab_moede"),
            sundhedskoordinator_samtale: kind("sundhedskoordinator_samtale"),
            vejledning: kind("vejledning"),
            informationsmoede: kind("informationsmoede"),
            serviceopkald: kind("serviceopkald"),
            telefonkontakt: kind("telefonkontakt"),
            henvisning,
            jobmakker_tildelt: kind("jobmakker_tildelt"),
            mentor_tildelt: kind("mentor_tildelt"),
            anmodning,
            hjemrejseoenske: kind("hjemrejseoenske"),
            ledighedsuge: kind("ledighedsuge"),
            other_kinds,
            other_periods,
            known,
            deadlines: deadlines(p, f.benefit_start),
            f,
        }
    }
}

/// Reads the deadlines out of the compiled rules: every requirement anchored
/// on the `benefit_start` field itself, and every `benefit_start + d` a group
/// or condition compares with.
fn deadlines(p: &Program, anchor: Option<u16>) -> Deadlines {
    let nkinds = p.schema.events.len();
    let mut d = Deadlines {
        first: vec![Vec::new(); nkinds],
        gap: vec![Vec::new(); nkinds],
        all: Vec::new(),
    };
    let Some(anchor) = anchor else {
        return d;
    };
    let code = |start: u32, len: u32| -> &[Op] {
        p.code
            .get(start as usize..(start + len) as usize)
            .unwrap_or(&[])
    };
    for rule in &p.rules {
        for body in &rule.body {
            let Body::Require(req) = body else { continue };
            if code(req.anchor.start, req.anchor.len) != [Op::Field(anchor)] {
                continue;
            }
            for term in &req.counts {
                let k = term.kind as usize;
                let n = term.n.max(1) as i32;
                let (first, gap) = match req.form {
                    Form::Within { len } => (Some(len), None),
                    Form::BeforeWeek { week } => (Some(Dur::Days(week as i32 * 7 - 1)), None),
                    Form::Slots { every, .. } => (Some(every), Some(every)),
                    Form::Interval { gap, after } => {
                        let after = match after {
                            Dur::Days(0) | Dur::Months(0) => None,
                            a => Some(a),
                        };
                        (after, Some(gap))
                    }
                    Form::Rolling { len } => (
                        Some(len),
                        Some(match len {
                            Dur::Days(x) => Dur::Days((x / n).max(1)),
                            Dur::Months(m) if m % n == 0 => Dur::Months(m / n),
                            Dur::Months(m) => Dur::Days((m * 30 / n).max(1)),
                        }),
                    ),
                    Form::CalendarYear => (None, Some(Dur::Days((365 / n).max(1)))),
                    // the window's end is an expression, not a constant
                    Form::Between { .. } => (None, None),
                    // no due date, or due after each triggering event rather
                    // than after the anchor
                    Form::After | Form::Each { .. } => (None, None),
                    // a prohibition demands nothing: no deadline to place
                    // events around
                    Form::Forbid { .. } => (None, None),
                };
                if let Some(x) = first {
                    push_unique(d.first.get_mut(k), x);
                    push_unique(Some(&mut d.all), x);
                }
                if let Some(x) = gap {
                    push_unique(d.gap.get_mut(k), x);
                }
            }
        }
    }
    // `benefit_start + <const>` anywhere in the code: group boundaries such
    // as "more than 39 weeks" or "15 to 16 months".
    for w in p.code.windows(3) {
        if let [Op::Field(f), Op::Const(c), op] = w {
            if *f == anchor && (0..=240).contains(c) {
                let c = *c as i32;
                match op {
                    Op::AddDays if c > 0 => push_unique(Some(&mut d.all), Dur::Days(c)),
                    Op::AddMonths if c > 0 => push_unique(Some(&mut d.all), Dur::Months(c)),
                    _ => {}
                }
            }
        }
    }
    for list in d.first.iter_mut().chain(d.gap.iter_mut()) {
        list.sort();
    }
    d.all.sort();
    d
}

fn push_unique(list: Option<&mut Vec<Dur>>, x: Dur) {
    if let Some(list) = list {
        if !list.contains(&x) {
            list.push(x);
        }
    }
}
