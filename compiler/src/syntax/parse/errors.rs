//! Pest's errors in the author's words: what was expected, named as
//! keywords of the file's language and kinds of value, never grammar rules.

use super::*;

/// What pest expected at a position, for people: words, not rule names.
pub(super) enum Want {
    Keyword(Kw),
    Item(Kw),
    Operator,
    Expression,
    Other(String),
}

pub(super) fn want(r: Rule, lang: Language) -> Option<Want> {
    use Want::*;
    if let Some(kw) = keyword_of(r) {
        return Some(match kw {
            Kw::Met
            | Kw::MetLate
            | Kw::Pending
            | Kw::Overdue
            | Kw::Violated
            | Kw::Exempt
            | Kw::NotApplicable => Other(format!("a status such as `{}`", Kw::Met.word(lang))),
            Kw::Satisfied | Kw::Failed | Kw::Excluded | Kw::NotCounted => {
                Other(format!("an outcome such as `{}`", Kw::Satisfied.word(lang)))
            }
            Kw::TyBool
            | Kw::TyInt
            | Kw::TyDecimal
            | Kw::TyPercent
            | Kw::TyText
            | Kw::TyDate
            | Kw::TyDuration
            | Kw::TyPeriods => Other(format!("a type such as `{}`", Kw::TyDate.word(lang))),
            Kw::True
            | Kw::False
            | Kw::Today
            | Kw::Age
            | Kw::Count
            | Kw::Sum
            | Kw::First
            | Kw::Last => Expression,
            k => Keyword(k),
        });
    }
    let duration = match lang {
        Language::English => "a duration such as `8 weeks`",
        Language::Danish => "a duration such as `8 uger`",
    };
    let unit = match lang {
        Language::English => "a unit such as `weeks`",
        Language::Danish => "a unit such as `uger`",
    };
    Some(match r {
        Rule::w_within => Keyword(Kw::Within),
        Rule::w_before_week => Keyword(Kw::BeforeWeek),
        Rule::w_slots | Rule::w_every => Keyword(Kw::Every),
        Rule::w_apart => Keyword(Kw::AtMost),
        Rule::w_per | Rule::w_per_calendar => Keyword(Kw::Per),
        Rule::w_between => Keyword(Kw::Between),
        Rule::w_after => Keyword(Kw::After),
        Rule::each => Keyword(Kw::Each),
        Rule::target_average => Keyword(Kw::Average),
        Rule::target_share | Rule::target_count => Keyword(Kw::AtLeast),
        Rule::if_body => Keyword(Kw::If),
        Rule::requirement => Keyword(Kw::Require),
        Rule::prohibition => Keyword(Kw::Forbid),
        Rule::every_must => Keyword(Kw::Every),
        Rule::when | Rule::cond_when => Keyword(Kw::When),
        Rule::cond_while => Keyword(Kw::While),
        Rule::effective => Keyword(Kw::Effective),
        Rule::source => Keyword(Kw::Source),
        Rule::version => Keyword(Kw::Version),
        Rule::priority => Keyword(Kw::Priority),
        Rule::overlaps => Keyword(Kw::Overlaps),
        Rule::rule_groups => Keyword(Kw::For),
        Rule::unless => Keyword(Kw::Unless),
        Rule::overrides_clause => Keyword(Kw::Overrides),
        Rule::target_filter => Keyword(Kw::Where),
        Rule::satisfy => Keyword(Kw::Satisfy),
        Rule::test_case => Keyword(Kw::Case),
        Rule::test_event => Keyword(Kw::Event),
        Rule::test_at => Keyword(Kw::At),
        Rule::expect => Keyword(Kw::Expect),
        Rule::due => Keyword(Kw::Due),
        Rule::cost => Keyword(Kw::Costs),
        Rule::agg_last => Keyword(Kw::InLast),
        Rule::agg_range => Keyword(Kw::In),
        Rule::apart_from => Keyword(Kw::From),
        Rule::apart_after => Keyword(Kw::After),
        Rule::header => Item(Kw::Policy),
        Rule::import => Item(Kw::Import),
        Rule::enum_decl => Item(Kw::Enum),
        Rule::case_decl => Item(Kw::Case),
        Rule::event_decl => Item(Kw::Event),
        Rule::group => Item(Kw::Group),
        Rule::rule => Item(Kw::Rule),
        Rule::exemption => Item(Kw::Exemption),
        Rule::target => Item(Kw::Target),
        Rule::test => Item(Kw::Test),
        r if is_operator(r) && !matches!(r, Rule::op_not | Rule::op_neg) => Operator,
        Rule::expr
        | Rule::between_start
        | Rule::count_filter
        | Rule::agg_filter
        | Rule::paren
        | Rule::agg
        | Rule::age
        | Rule::today
        | Rule::set
        | Rule::periods
        | Rule::path
        | Rule::op_not
        | Rule::op_neg => Expression,
        Rule::ident | Rule::scope_rule => Other("a name".into()),
        Rule::scope_group_all | Rule::scope_path => Other("a rule or `group.*`".into()),
        Rule::unit => Other(unit.into()),
        Rule::string => Other("a text in quotes".into()),
        Rule::date => Other("a date such as `2026-03-02`".into()),
        Rule::int | Rule::decimal | Rule::neg_number => Other("a number".into()),
        Rule::percent => Other("a percentage such as `75%`".into()),
        Rule::duration => Other(duration.into()),
        Rule::colon => Other("`:`".into()),
        Rule::lbrace => Other("`{`".into()),
        Rule::rbrace => Other("`}`".into()),
        Rule::lparen | Rule::status_arg => Other("`(`".into()),
        Rule::rparen => Other("`)`".into()),
        Rule::lbracket => Other("`[`".into()),
        Rule::rbracket => Other("`]`".into()),
        Rule::comma => Other("`,`".into()),
        Rule::default_eq => Other("`=`".into()),
        Rule::opt_mark => Other("`?`".into()),
        Rule::type_expr => Other(format!("a type such as `{}`", Kw::TyDate.word(lang))),
        Rule::literal | Rule::lit_periods | Rule::lit_period => Other("a value".into()),
        Rule::field => Other("a field such as `birth_date: date`".into()),
        Rule::field_value => Other("a value such as `benefit_start: 2026-03-02`".into()),
        Rule::scope => Other(format!("`{}` or the rules it covers", Kw::All.word(lang))),
        Rule::count => Other("an event kind such as `samtale`".into()),
        Rule::average_limit => Other(duration.into()),
        Rule::expect_target | Rule::expect_in | Rule::expect_status => {
            Other(format!("`{}` or a rule", Kw::In.word(lang)))
        }
        Rule::EOI => Other("the end of the file".into()),
        _ => return None,
    })
}

/// The token at `pos` as the author wrote it, and its length in bytes.
pub(super) fn found_at(text: &str, pos: usize) -> (String, usize) {
    let rest = text.get(pos..).unwrap_or("");
    let Some(c) = rest.chars().next() else {
        return ("the end of the file".into(), 0);
    };
    let len = if is_ident_char(c) && !c.is_ascii_digit() {
        word_at(text, pos).len()
    } else if c.is_ascii_digit() {
        rest.find(|x: char| !(x.is_ascii_digit() || x == '-' || x == '.'))
            .unwrap_or(rest.len())
    } else if c == '"' {
        rest.get(1..)
            .and_then(|r| r.find(['"', '\n']))
            .map(|n| n + 2)
            .unwrap_or(rest.len())
            .min(rest.len())
    } else {
        ["==", "!=", "<=", ">=", ".."]
            .iter()
            .find(|op| rest.starts_with(**op))
            .map(|op| op.len())
            .unwrap_or(c.len_utf8())
    };
    let tok = rest.get(..len).unwrap_or("");
    let shown: String = if tok.chars().count() > 40 {
        tok.chars().take(37).chain("…".chars()).collect()
    } else {
        tok.to_string()
    };
    (format!("`{shown}`"), len)
}

pub(super) fn join_words(words: &[String]) -> String {
    match words {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    }
}

/// The item keyword nearest before `pos` in the chunk (`case` inside a
/// test counts: it names the block being written).
pub(super) fn item_before(text: &str, chunk: &Chunk, pos: usize) -> Option<Kw> {
    let src = text.get(chunk.start..pos)?;
    let mut found = None;
    let mut i = 0;
    while i < src.len() {
        let w = word_at(src, i);
        if w.is_empty() {
            i += src.get(i..)?.chars().next()?.len_utf8();
        } else {
            if let Some((kw, _)) = keywords::item_keyword_language(w) {
                found = Some(kw);
            }
            i += w.len();
        }
    }
    found
}

/// Whether the rule body being written in `before` (the item's text up to
/// the error) is a prohibition: its last body keyword is `forbid`, or an
/// `every` right after the rule's `:`, `then` or `else`, followed by an
/// event kind rather than a duration.
fn in_prohibition(before: &str) -> bool {
    let mut words = Vec::new();
    let mut i = 0;
    while i < before.len() {
        let w = word_at(before, i);
        if w.is_empty() {
            let Some(c) = before.get(i..).and_then(|r| r.chars().next()) else {
                break;
            };
            if c == ':' {
                words.push(":");
            }
            i += c.len_utf8();
        } else {
            words.push(w);
            i += w.len();
        }
    }
    let mut forbids = false;
    for (k, w) in words.iter().enumerate() {
        match *w {
            "require" | "kræv" => forbids = false,
            "forbid" | "forbyd" => forbids = true,
            "every" | "hver" => {
                let opens = k
                    .checked_sub(1)
                    .and_then(|p| words.get(p))
                    .is_some_and(|p| matches!(*p, ":" | "then" | "else" | "så" | "ellers"));
                let kind = words
                    .get(k + 1)
                    .is_some_and(|n| !n.starts_with(|c: char| c.is_ascii_digit()));
                if opens && kind {
                    forbids = true;
                }
            }
            _ => {}
        }
    }
    forbids
}

pub(super) fn is_any_keyword(word: &str) -> bool {
    keywords::all_words(Language::English)
        .chain(keywords::all_words(Language::Danish))
        .any(|(_, w)| w == word || w.split(' ').next() == Some(word))
}

/// Turns pest's "expected one of these rules at this position" into a
/// diagnostic in the file's words; common slips get their own code and help.
pub(super) fn describe(
    file: FileId,
    text: &str,
    lang: Language,
    pos: usize,
    chunk: &Chunk,
    positives: &[Rule],
) -> Diagnostic {
    let (found, len) = found_at(text, pos);
    let here = Span::new(file, pos, pos + len);
    let mut words: Vec<String> = Vec::new();
    let mut kws: Vec<Kw> = Vec::new();
    let mut items: Vec<Kw> = Vec::new();
    let (mut operator, mut expression, mut colon) = (false, false, false);
    let push = |w: String, words: &mut Vec<String>| {
        if !words.contains(&w) {
            words.push(w);
        }
    };
    for r in positives {
        match want(*r, lang) {
            Some(Want::Keyword(k)) => {
                kws.push(k);
                push(format!("`{}`", k.word(lang)), &mut words);
            }
            Some(Want::Item(k)) => items.push(k),
            Some(Want::Operator) => operator = true,
            Some(Want::Expression) => expression = true,
            Some(Want::Other(w)) => {
                colon |= w == "`:`";
                push(w, &mut words);
            }
            None => {}
        }
    }
    // `on time` may follow any name, but it is never what a broken line is
    // missing
    let on_time = format!("`{}`", Kw::OnTime.word(lang));
    words.retain(|w| *w != on_time);
    kws.retain(|k| *k != Kw::OnTime);
    // `at least 75 ledige`: a target's bound may go on with an operator,
    // but a name after it means `of` is missing
    if kws.contains(&Kw::OfGroup) {
        let noise = [Kw::And, Kw::Or, Kw::In];
        let drop: Vec<String> = noise
            .iter()
            .map(|k| format!("`{}`", k.word(lang)))
            .collect();
        words.retain(|w| !drop.contains(w));
        kws.retain(|k| !noise.contains(k));
        operator = false;
    }
    if expression {
        words.insert(0, "an expression".into());
    }
    if items.len() > 2 {
        words.push(format!(
            "a new item (`{}`, `{}`, `{}` …)",
            Kw::Rule.word(lang),
            Kw::Group.word(lang),
            Kw::Target.word(lang)
        ));
        words.retain(|w| w != "the end of the file");
    } else {
        for k in &items {
            kws.push(*k);
            push(format!("`{}`", k.word(lang)), &mut words);
        }
    }
    if words.is_empty() && operator {
        words.push("an operator".into());
    }
    let window_wanted = kws.contains(&Kw::Within) || kws.contains(&Kw::Every);
    let forbids = window_wanted && in_prohibition(text.get(chunk.start..pos).unwrap_or(""));
    if window_wanted {
        // the window is what is missing; operators and `and` are noise here
        let windows: &[Kw] = if forbids {
            // the windows a prohibition may have
            &[Kw::Within, Kw::BeforeWeek, Kw::Between, Kw::After]
        } else {
            &[
                Kw::Within,
                Kw::BeforeWeek,
                Kw::Every,
                Kw::AtMost,
                Kw::Per,
                Kw::Between,
                Kw::After,
            ]
        };
        words = windows
            .iter()
            .map(|k| format!("`{}`", k.word(lang)))
            .collect();
    }
    if words.len() > 8 {
        words.truncate(7);
        words.push("another word".into());
    }
    let rest = text.get(pos..).unwrap_or("");
    let single_eq = rest.starts_with('=') && !rest.starts_with("==");
    // `when benefit = dagpenge`
    if single_eq && (operator || expression) && !colon {
        return Diagnostic::error(codes::SINGLE_EQUALS, "`=` does not compare: write `==`")
            .with_label(Span::new(file, pos, pos + 1), "a single `=`")
            .with_help("compare with `==`, e.g. `benefit == dagpenge`");
    }
    // `rule x for g "title"` followed by the body on the next line
    let before = text.get(chunk.start..pos).unwrap_or("");
    let prev_end = chunk.start + before.trim_end().len();
    let gap = text.get(prev_end..pos).unwrap_or("");
    let found_word = word_at(text, pos);
    if colon && (single_eq || gap.contains('\n') || is_any_keyword(found_word)) {
        let item = item_before(text, chunk, pos);
        let help = match item {
            Some(Kw::Rule | Kw::Group | Kw::Exemption | Kw::Target) => format!(
                "end the {} line with `:`, e.g. `{} first_contact \"…\":`",
                match item {
                    Some(Kw::Rule) => "rule's first",
                    Some(Kw::Group) => "group's first",
                    Some(Kw::Exemption) => "exemption's first",
                    _ => "target's first",
                },
                item.map(|k| k.word(lang)).unwrap_or("rule")
            ),
            _ => "put `:` between a name and its type or value, e.g. `birth_date: date`".into(),
        };
        return Diagnostic::error(codes::MISSING_COLON, "missing `:`")
            .with_label(Span::new(file, prev_end, prev_end), "expected `:` here")
            .with_help(help);
    }
    if !found_word.is_empty()
        && !kws.is_empty()
        && !found_word.starts_with(|c: char| c.is_ascii_digit())
    {
        if let Some(s) = keywords::suggest(found_word, lang, &kws) {
            return Diagnostic::error(
                codes::MISSPELLED_KEYWORD,
                format!("unknown word `{found_word}`"),
            )
            .with_label(here, format!("did you mean `{s}`?"))
            .with_help(format!("write `{s}`"));
        }
    }
    let message = if words.is_empty() {
        format!("unexpected {found}")
    } else {
        format!("expected {}, found {found}", join_words(&words))
    };
    let help = if forbids {
        match lang {
            Language::English => "a prohibition ends with its window, e.g. `within 13 weeks of benefit_start` or `after benefit_start`".to_string(),
            Language::Danish => "a prohibition ends with its window, e.g. `inden for 13 uger fra benefit_start` or `efter benefit_start`".to_string(),
        }
    } else if kws.contains(&Kw::Must) {
        format!(
            "after its window, `{} …` ends with `{}` and the condition every such event must meet, e.g. `{} form == personal`",
            Kw::Every.word(lang),
            Kw::Must.word(lang),
            Kw::Must.word(lang)
        )
    } else if window_wanted {
        match lang {
            Language::English => "a requirement ends with its window, e.g. `within 2 weeks of benefit_start` or `per 12 months from benefit_start`".to_string(),
            Language::Danish => "a requirement ends with its window, e.g. `inden for 2 uger fra benefit_start` or `pr 12 måneder fra benefit_start`".to_string(),
        }
    } else if words.first().map(String::as_str) == Some("an expression") {
        "write a value or a condition here, e.g. `benefit == dagpenge`".to_string()
    } else if let (1, [kw]) = (words.len(), kws.as_slice()) {
        format!("write `{}` before {found}", kw.word(lang))
    } else if words.iter().any(|w| w == "`}`") {
        "close the block with `}`".to_string()
    } else if items.len() > 2 {
        format!(
            "an item starts with a keyword such as `{}` or `{}` at the start of a line",
            Kw::Rule.word(lang),
            Kw::Group.word(lang)
        )
    } else {
        "compare with the form of this item in the language reference (docs/language.md §11)"
            .to_string()
    };
    Diagnostic::error(codes::SYNTAX_ERROR, message)
        .with_label(here, "unexpected here")
        .with_help(help)
}
