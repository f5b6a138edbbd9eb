//! The two keyword sets (docs/language.md §12), so the parser can tell which
//! language a file is written in, quote the author's own words back to them,
//! and suggest the right word in the right language.

use super::ast::{Language, OutcomeWord, StatusWord, Unit};

/// One keyword (or keyword phrase) of the language, independent of the
/// language it is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kw {
    Policy,
    Version,
    Parameter,
    Effective,
    From,
    Until,
    Source,
    Import,
    Enum,
    Case,
    Event,
    Costs,
    Group,
    Priority,
    Overlaps,
    Rule,
    For,
    When,
    Require,
    /// `forbid K … <window>`: Danish `forbyd`
    Forbid,
    /// `every K … <window> must <condition>`: Danish `skal`
    Must,
    Where,
    Within,
    /// the `of` of a window (`within 2 weeks of S`): Danish `fra`
    Of,
    BeforeWeek,
    Every,
    OnTime,
    Each,
    DuringFirst,
    AtMost,
    Apart,
    After,
    Per,
    CalendarYear,
    If,
    Then,
    Else,
    And,
    Or,
    Not,
    In,
    InLast,
    Today,
    Age,
    /// `age on`, `event … on DATE`: Danish `den`
    On,
    Count,
    Sum,
    First,
    Last,
    True,
    False,
    Exemption,
    Waives,
    Suspends,
    While,
    Unless,
    Overrides,
    All,
    Target,
    AtLeast,
    /// the `of` of a target (`at least 75% of ledige`): Danish `af`
    OfGroup,
    Satisfy,
    Test,
    Expect,
    Is,
    Due,
    /// a test's evaluation date (`at 2026-05-01`): Danish `dato`
    At,
    Minutes,
    Hours,
    TyBool,
    TyInt,
    TyDecimal,
    TyPercent,
    TyText,
    TyDate,
    TyDuration,
    TyPeriods,
    Met,
    MetLate,
    Pending,
    Overdue,
    Violated,
    Exempt,
    NotApplicable,
    /// `require … between A and B`: Danish `mellem … og …`
    Between,
    /// `target … average X of G`: Danish `gennemsnit`
    Average,
    /// `min(a, b)`: the same word in Danish
    Min,
    /// `max(a, b)`: Danish `maks`
    Max,
    /// the outcomes of `expect target NAME is …`
    Satisfied,
    Failed,
    Excluded,
    NotCounted,
}

/// (keyword, English forms, Danish forms); the first form is the one the
/// formatter and the suggestions use.
const TABLE: &[(Kw, &[&str], &[&str])] = &[
    (Kw::Policy, &["policy"], &["politik"]),
    (Kw::Version, &["version"], &["version"]),
    (Kw::Parameter, &["parameter"], &["parameter"]),
    (Kw::Effective, &["effective"], &["gælder"]),
    (Kw::Min, &["min"], &["min"]),
    (Kw::Max, &["max"], &["maks"]),
    (Kw::From, &["from"], &["fra"]),
    (Kw::Until, &["until"], &["til"]),
    (Kw::Source, &["source"], &["kilde"]),
    (Kw::Import, &["import"], &["importer"]),
    (Kw::Enum, &["enum"], &["opremsning"]),
    (Kw::Case, &["case"], &["sag"]),
    (Kw::Event, &["event"], &["hændelse"]),
    (Kw::Costs, &["costs"], &["koster"]),
    (Kw::Group, &["group"], &["målgruppe"]),
    (Kw::Priority, &["priority"], &["prioritet"]),
    (Kw::Overlaps, &["overlaps"], &["overlapper"]),
    (Kw::Rule, &["rule"], &["regel"]),
    (Kw::For, &["for"], &["for"]),
    (Kw::When, &["when"], &["når"]),
    (Kw::Require, &["require"], &["kræv"]),
    (Kw::Forbid, &["forbid"], &["forbyd"]),
    (Kw::Must, &["must"], &["skal"]),
    (Kw::Where, &["where"], &["hvor"]),
    (Kw::Within, &["within"], &["inden for"]),
    (Kw::Of, &["of"], &["fra"]),
    (Kw::BeforeWeek, &["before week"], &["inden uge"]),
    (Kw::Every, &["every"], &["hver"]),
    (Kw::Each, &["each"], &["hver"]),
    (Kw::OnTime, &["on time"], &["rettidigt"]),
    (Kw::DuringFirst, &["during first"], &["i de første"]),
    (Kw::AtMost, &["at most"], &["højst"]),
    (Kw::Apart, &["apart"], &["imellem"]),
    (Kw::After, &["after"], &["efter"]),
    (Kw::Per, &["per"], &["pr"]),
    (Kw::CalendarYear, &["calendar year"], &["kalenderår"]),
    (Kw::If, &["if"], &["hvis"]),
    (Kw::Then, &["then"], &["så"]),
    (Kw::Else, &["else"], &["ellers"]),
    (Kw::And, &["and"], &["og"]),
    (Kw::Or, &["or"], &["eller"]),
    (Kw::Not, &["not"], &["ikke"]),
    (Kw::In, &["in"], &["i"]),
    (Kw::InLast, &["in last"], &["i seneste"]),
    (Kw::Today, &["today"], &["idag"]),
    (Kw::Age, &["age"], &["alder"]),
    (Kw::On, &["on"], &["den"]),
    (Kw::Count, &["count"], &["antal"]),
    (Kw::Sum, &["sum"], &["sum"]),
    (Kw::First, &["first"], &["første"]),
    (Kw::Last, &["last"], &["sidste"]),
    (Kw::True, &["true"], &["sand"]),
    (Kw::False, &["false"], &["falsk"]),
    (Kw::Exemption, &["exemption"], &["undtagelse"]),
    (Kw::Waives, &["waives"], &["fritager"]),
    (Kw::Suspends, &["suspends"], &["standser"]),
    (Kw::While, &["while"], &["mens"]),
    (Kw::Unless, &["unless"], &["medmindre"]),
    (Kw::Overrides, &["overrides"], &["tilsidesætter"]),
    (Kw::All, &["all"], &["alle"]),
    (Kw::Target, &["target"], &["mål"]),
    (Kw::AtLeast, &["at least"], &["mindst"]),
    (Kw::OfGroup, &["of"], &["af"]),
    (Kw::Satisfy, &["satisfy"], &["opfylder"]),
    (Kw::Test, &["test"], &["test"]),
    (Kw::Expect, &["expect"], &["forvent"]),
    (Kw::Is, &["is"], &["er"]),
    (Kw::Due, &["due"], &["frist"]),
    (Kw::At, &["at"], &["dato"]),
    (Kw::Minutes, &["minutes", "minute"], &["minutter", "minut"]),
    (Kw::Hours, &["hours", "hour"], &["timer", "time"]),
    (Kw::TyBool, &["bool"], &["sandhed"]),
    (Kw::TyInt, &["int"], &["heltal"]),
    (Kw::TyDecimal, &["decimal"], &["decimaltal"]),
    (Kw::TyPercent, &["percent"], &["procent"]),
    (Kw::TyText, &["text"], &["tekst"]),
    (Kw::TyDate, &["date"], &["dato"]),
    (Kw::TyDuration, &["duration"], &["varighed"]),
    (Kw::TyPeriods, &["periods"], &["perioder"]),
    (Kw::Met, &["met"], &["opfyldt"]),
    (Kw::MetLate, &["met_late"], &["opfyldt_for_sent"]),
    (Kw::Pending, &["pending"], &["afventer"]),
    (Kw::Overdue, &["overdue"], &["overskredet"]),
    (Kw::Violated, &["violated"], &["overtrådt"]),
    (Kw::Exempt, &["exempt"], &["fritaget"]),
    (Kw::NotApplicable, &["not_applicable"], &["ikke_relevant"]),
    (Kw::Between, &["between"], &["mellem"]),
    (Kw::Average, &["average"], &["gennemsnit"]),
    (Kw::Satisfied, &["satisfied"], &["opfyldt"]),
    (Kw::Failed, &["failed"], &["ikke_opfyldt"]),
    (Kw::Excluded, &["excluded"], &["udeladt"]),
    (Kw::NotCounted, &["not_counted"], &["ikke_talt"]),
];

/// Keywords that start an item; at the start of a line they are where the
/// parser restarts after an error (the `policy` header counts as one).
pub const ITEM_KEYWORDS: &[Kw] = &[
    Kw::Policy,
    Kw::Import,
    Kw::Enum,
    Kw::Case,
    Kw::Event,
    Kw::Parameter,
    Kw::Group,
    Kw::Rule,
    Kw::Exemption,
    Kw::Target,
    Kw::Test,
];

/// Unit words, singular and plural, by language.
const UNITS: &[(Unit, &[&str], &[&str])] = &[
    (Unit::Day, &["days", "day"], &["dage", "dag"]),
    (Unit::Week, &["weeks", "week"], &["uger", "uge"]),
    (Unit::Month, &["months", "month"], &["måneder", "måned"]),
    (Unit::Year, &["years", "year"], &["år"]),
];

/// Abbreviations and spellings people type for units, and the unit meant.
const UNIT_GUESSES: &[(&str, Unit)] = &[
    ("d", Unit::Day),
    ("dg", Unit::Day),
    ("wk", Unit::Week),
    ("wks", Unit::Week),
    ("w", Unit::Week),
    ("u", Unit::Week),
    ("ug", Unit::Week),
    ("mo", Unit::Month),
    ("mos", Unit::Month),
    ("mth", Unit::Month),
    ("mths", Unit::Month),
    ("mon", Unit::Month),
    ("md", Unit::Month),
    ("mdr", Unit::Month),
    ("mnd", Unit::Month),
    ("mdr.", Unit::Month),
    ("maaned", Unit::Month),
    ("maaneder", Unit::Month),
    ("maneder", Unit::Month),
    ("y", Unit::Year),
    ("yr", Unit::Year),
    ("yrs", Unit::Year),
    ("aar", Unit::Year),
    ("å", Unit::Year),
];

/// TABLE's index of each keyword's row, by the keyword's discriminant
/// (`u16::MAX`: none), so that `row` is one look-up: the scan before parsing
/// asks about every word of a file.
const ROWS: [u16; 256] = {
    let mut rows = [u16::MAX; 256];
    let mut i = 0;
    while i < TABLE.len() {
        let kw = TABLE[i].0 as usize;
        // the first row of a keyword counts, as in a search from the top
        if kw < rows.len() && rows[kw] == u16::MAX {
            rows[kw] = i as u16;
        }
        i += 1;
    }
    rows
};

fn row(kw: Kw) -> Option<&'static (Kw, &'static [&'static str], &'static [&'static str])> {
    let at = ROWS
        .get(kw as usize)
        .map_or(usize::MAX, |i| usize::from(*i));
    match TABLE.get(at) {
        Some(r) if r.0 == kw => Some(r),
        _ => TABLE.iter().find(|(k, _, _)| *k == kw),
    }
}

impl Kw {
    /// The forms of this keyword in one language.
    pub fn forms(self, lang: Language) -> &'static [&'static str] {
        match (row(self), lang) {
            (Some((_, en, _)), Language::English) => en,
            (Some((_, _, da)), Language::Danish) => da,
            (None, _) => &[],
        }
    }

    /// The word the formatter writes and suggestions name.
    pub fn word(self, lang: Language) -> &'static str {
        self.forms(lang).first().copied().unwrap_or("")
    }

    /// Which language `text` (whitespace collapsed) is written in, as a form
    /// of this keyword: `None` when both languages share it (`for`, `sum`)
    /// or it is no form of this keyword.
    pub fn language_of(self, text: &str) -> Option<Language> {
        let en = self.forms(Language::English).contains(&text);
        let da = self.forms(Language::Danish).contains(&text);
        match (en, da) {
            (true, false) => Some(Language::English),
            (false, true) => Some(Language::Danish),
            _ => None,
        }
    }
}

/// Every keyword form of one language, for "did you mean".
pub fn all_words(lang: Language) -> impl Iterator<Item = (Kw, &'static str)> {
    TABLE.iter().flat_map(move |(kw, en, da)| {
        let forms: &[&str] = match lang {
            Language::English => en,
            Language::Danish => da,
        };
        forms.iter().map(move |f| (*kw, *f))
    })
}

/// The language an item keyword at the start of a line is written in, if
/// it is one (`regel` → Danish); used to guess a file's language early.
pub fn item_keyword_language(word: &str) -> Option<(Kw, Option<Language>)> {
    ITEM_KEYWORDS.iter().find_map(|kw| {
        let en = kw.forms(Language::English).contains(&word);
        let da = kw.forms(Language::Danish).contains(&word);
        match (en, da) {
            (true, true) => Some((*kw, None)),
            (true, false) => Some((*kw, Some(Language::English))),
            (false, true) => Some((*kw, Some(Language::Danish))),
            _ => None,
        }
    })
}

/// A unit word in either language, with the language it belongs to.
pub fn unit(word: &str) -> Option<(Unit, Language)> {
    UNITS.iter().find_map(|(u, en, da)| {
        if en.contains(&word) {
            Some((*u, Language::English))
        } else if da.contains(&word) {
            Some((*u, Language::Danish))
        } else {
            None
        }
    })
}

/// The unit word the formatter writes: plural unless `n` is 1.
pub fn unit_word(unit: Unit, n: i64, lang: Language) -> &'static str {
    let forms = UNITS
        .iter()
        .find(|(u, _, _)| *u == unit)
        .map(|(_, en, da)| match lang {
            Language::English => *en,
            Language::Danish => *da,
        })
        .unwrap_or(&[]);
    let i = if n == 1 {
        forms.len().saturating_sub(1)
    } else {
        0
    };
    forms.get(i).copied().unwrap_or("")
}

/// A guess at the unit a misspelt or abbreviated unit word means, written
/// in `lang`: `mdr` → `måneder`.
pub fn guess_unit(word: &str, lang: Language) -> Option<&'static str> {
    let lower = word.to_lowercase();
    if let Some((u, _)) = unit(&lower) {
        return Some(unit_word(u, 2, lang));
    }
    if let Some((_, u)) = UNIT_GUESSES.iter().find(|(w, _)| *w == lower) {
        return Some(unit_word(*u, 2, lang));
    }
    let mut best: Option<(usize, &'static str)> = None;
    for (_, en, da) in UNITS {
        let forms: &[&str] = match lang {
            Language::English => en,
            Language::Danish => da,
        };
        for f in forms {
            let d = edit_distance(&lower, f);
            if d <= 2 && best.is_none_or(|(bd, _)| d < bd) {
                best = Some((d, forms.first().copied().unwrap_or(f)));
            }
        }
    }
    best.map(|(_, w)| w)
}

/// The status word of a status keyword.
pub fn status_word(kw: Kw) -> Option<StatusWord> {
    Some(match kw {
        Kw::Met => StatusWord::Met,
        Kw::MetLate => StatusWord::MetLate,
        Kw::Pending => StatusWord::Pending,
        Kw::Overdue => StatusWord::Overdue,
        Kw::Violated => StatusWord::Violated,
        Kw::Exempt => StatusWord::Exempt,
        Kw::NotApplicable => StatusWord::NotApplicable,
        _ => return None,
    })
}

/// The target outcome of an outcome keyword (`expect target t is satisfied`).
pub fn outcome_word(kw: Kw) -> Option<OutcomeWord> {
    Some(match kw {
        Kw::Satisfied => OutcomeWord::Satisfied,
        Kw::Failed => OutcomeWord::Failed,
        Kw::Excluded => OutcomeWord::Excluded,
        Kw::NotCounted => OutcomeWord::NotCounted,
        _ => return None,
    })
}

pub fn outcome_kw(o: OutcomeWord) -> Kw {
    match o {
        OutcomeWord::Satisfied => Kw::Satisfied,
        OutcomeWord::Failed => Kw::Failed,
        OutcomeWord::Excluded => Kw::Excluded,
        OutcomeWord::NotCounted => Kw::NotCounted,
    }
}

pub fn status_kw(s: StatusWord) -> Kw {
    match s {
        StatusWord::Met => Kw::Met,
        StatusWord::MetLate => Kw::MetLate,
        StatusWord::Pending => Kw::Pending,
        StatusWord::Overdue => Kw::Overdue,
        StatusWord::Violated => Kw::Violated,
        StatusWord::Exempt => Kw::Exempt,
        StatusWord::NotApplicable => Kw::NotApplicable,
    }
}

/// Levenshtein distance in characters (æøå count as one).
pub fn edit_distance(a: &str, b: &str) -> usize {
    strsim::levenshtein(a, b)
}

/// The keyword of `lang` closest to `word`, if it is close enough to be a
/// plausible slip (`requre` → `require`), among `candidates` when given.
pub fn suggest(word: &str, lang: Language, candidates: &[Kw]) -> Option<&'static str> {
    let limit = match word.chars().count() {
        0..=2 => 0,
        3..=5 => 1,
        _ => 2,
    };
    let mut best: Option<(usize, &'static str)> = None;
    for (kw, form) in all_words(lang) {
        if !candidates.is_empty() && !candidates.contains(&kw) {
            continue;
        }
        // a phrase keyword is suggested for its first word (`inden` → `inden for`)
        let first = form.split(' ').next().unwrap_or(form);
        let d = edit_distance(word, first).min(edit_distance(word, form));
        if d <= limit && d > 0 && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, form));
        }
    }
    best.map(|(_, w)| w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_is_found_by_index() {
        for (i, (kw, _, _)) in TABLE.iter().enumerate() {
            let first = TABLE.iter().position(|(k, _, _)| k == kw);
            assert_eq!(ROWS.get(*kw as usize).map(|r| usize::from(*r)), first);
            assert_eq!(row(*kw).map(|r| r.0), Some(*kw), "{kw:?} (row {i})");
        }
    }

    #[test]
    fn distance_counts_characters() {
        assert_eq!(edit_distance("maned", "måned"), 1);
        assert_eq!(edit_distance("requre", "require"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    #[test]
    fn units_are_guessed_in_the_files_language() {
        assert_eq!(guess_unit("mdr", Language::Danish), Some("måneder"));
        assert_eq!(guess_unit("wks", Language::English), Some("weeks"));
        assert_eq!(guess_unit("mdr", Language::English), Some("months"));
    }

    #[test]
    fn suggestions_stay_in_the_files_language() {
        assert_eq!(suggest("requre", Language::English, &[]), Some("require"));
        assert_eq!(suggest("kræver", Language::Danish, &[]), Some("kræv"));
    }
}
