//! The grammar's name rule against the list of reserved words.

use super::*;

/// The words `reserved` in pol.pest refuses as names, in both languages.
#[rustfmt::skip]
const RESERVED: &[&str] = &[
    "af", "after", "age", "alder", "all", "alle", "and", "antal", "apart", "at", "average",
    "before", "between", "case", "costs", "count", "den", "due", "during", "each", "effective",
    "efter", "eller", "ellers", "else", "enum", "er", "event", "every", "exemption", "expect",
    "false", "falsk", "first", "for", "forbid", "forbyd", "forvent", "fra", "frist", "fritager", "from", "første",
    "gennemsnit", "group", "gælder", "hver", "hvis", "hvor", "hændelse", "højst", "i", "idag",
    "if", "ikke", "imellem", "import", "importer", "in", "inden", "is", "kalenderår", "kilde",
    "koster", "kræv", "last", "medmindre", "mellem", "mens", "mindst", "must", "mål", "målgruppe", "not",
    "når", "of", "og", "on", "opfylder", "opremsning", "or", "overlapper", "overlaps", "overrides",
    "parameter", "per", "policy", "politik", "pr", "prioritet", "priority", "regel", "require",
    "rettidigt", "rule", "sag", "sand", "satisfy", "sidste", "skal", "source", "standser", "sum",
    "suspends", "så", "target", "test", "then", "til", "tilsidesætter", "today", "true",
    "undtagelse", "unless", "until", "waives", "when", "where", "while", "within",
];

/// The words the `reserved` rule of pol.pest spells: each `"x" ~ (…)` group
/// is a first letter and the rests of its words (`)?`: the letter alone is a
/// word too).
fn grammar_words() -> Vec<String> {
    let grammar = include_str!("../pol.pest");
    let start = grammar.find("\nreserved = @{").expect("a reserved rule");
    let rule = &grammar[start..];
    // up to the test that a word ends: `) ~ !(…)`
    let rule = &rule[..rule.find("\n}").expect("the rule's end")];
    let rule = &rule[..rule.rfind(") ~ !").expect("the word's end")];
    let strings: Vec<(usize, &str)> = rule
        .match_indices('"')
        .collect::<Vec<_>>()
        .chunks(2)
        .map(|q| (q[0].0, &rule[q[0].0 + 1..q[1].0]))
        .collect();
    let mut words = Vec::new();
    let mut first = "";
    for (at, text) in strings {
        let after = &rule[at + text.len() + 2..];
        if after.starts_with(" ~ (") {
            first = text;
            let close = after.find(')').expect("a group's end");
            if after[close + 1..].starts_with('?') {
                words.push(first.to_string());
            }
        } else {
            words.push(format!("{first}{text}"));
        }
    }
    words
}

/// Whether `ident` reads all of `text` as one name.
fn is_name(text: &str) -> bool {
    PolParser::parse(Rule::ident, text)
        .ok()
        .and_then(|mut pairs| pairs.next())
        .is_some_and(|p| p.as_str() == text)
}

#[test]
fn the_grammar_spells_the_reserved_words() {
    let mut spelled = grammar_words();
    spelled.sort();
    let mut listed: Vec<String> = RESERVED.iter().map(|w| w.to_string()).collect();
    listed.sort();
    assert_eq!(spelled, listed);
}

#[test]
fn reserved_words_are_not_names() {
    for w in RESERVED {
        assert!(!is_name(w), "`{w}` is reserved");
        for tail in ["x", "_", "1", "e", "s", "er", "é", "\u{301}", "ø"] {
            let longer = format!("{w}{tail}");
            let reserved = RESERVED.contains(&longer.as_str());
            assert_eq!(is_name(&longer), !reserved, "`{longer}`");
        }
        for head in ["x", "_", "Æ"] {
            let longer = format!("{head}{w}");
            assert!(is_name(&longer), "`{longer}` is a name");
        }
        let chars: Vec<char> = w.chars().collect();
        for k in 1..chars.len() {
            let prefix: String = chars.iter().take(k).collect();
            assert_eq!(
                is_name(&prefix),
                !RESERVED.contains(&prefix.as_str()),
                "prefix `{prefix}` of `{w}`"
            );
        }
    }
}

#[test]
fn only_reserved_keywords_are_refused() {
    let words = [Language::English, Language::Danish]
        .into_iter()
        .flat_map(keywords::all_words)
        .map(|(_, w)| w)
        .filter(|w| !w.contains(' '));
    for w in words {
        assert_eq!(is_name(w), !RESERVED.contains(&w), "`{w}`");
    }
    for w in [
        "hours", "weeks", "uger", "måneder", "date", "dato", "met", "ÆBLE", "_", "a1", "æble",
    ] {
        assert!(is_name(w), "`{w}` is a name");
    }
}
