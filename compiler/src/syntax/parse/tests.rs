//! The grammar's name rule against the list of reserved words.

use super::*;

/// The words `reserved` in pol.pest refuses as names, in both languages.
#[rustfmt::skip]
const RESERVED: &[&str] = &[
    "af", "after", "age", "alder", "all", "alle", "and", "antal", "apart", "at", "average",
    "before", "between", "case", "costs", "count", "den", "due", "during", "each", "effective",
    "efter", "eller", "ellers", "else", "enum", "er", "event", "every", "exemption", "expect",
    "false", "falsk", "first", "for", "forvent", "fra", "frist", "fritager", "from", "første",
    "gennemsnit", "group", "gælder", "hver", "hvis", "hvor", "hændelse", "højst", "i", "idag",
    "if", "ikke", "imellem", "import", "importer", "in", "inden", "is", "kalenderår", "kilde",
    "koster", "kræv", "last", "medmindre", "mellem", "mens", "mindst", "mål", "målgruppe", "not",
    "når", "of", "og", "on", "opfylder", "opremsning", "or", "overlapper", "overlaps", "overrides",
    "parameter", "per", "policy", "politik", "pr", "prioritet", "priority", "regel", "require",
    "rettidigt", "rule", "sag", "sand", "satisfy", "sidste", "source", "standser", "sum",
    "suspends", "så", "target", "test", "then", "til", "tilsidesætter", "today", "true",
    "undtagelse", "unless", "until", "waives", "when", "where", "while", "within",
];

/// Whether `ident` reads all of `text` as one name.
fn is_name(text: &str) -> bool {
    PolParser::parse(Rule::ident, text)
        .ok()
        .and_then(|mut pairs| pairs.next())
        .is_some_and(|p| p.as_str() == text)
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
