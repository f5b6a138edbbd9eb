//! Diagnostics in the author's keyword language: the checker writes its
//! messages with English keywords in backticks; for a Danish file every
//! keyword inside backticks is replaced by its Danish form, so the help says
//! `overlapper x`, not `overlaps x`.

use crate::diagnostics::Diagnostic;
use crate::syntax::ast::Language;
use crate::syntax::keywords::{all_words, unit, unit_word};

/// Rewrites the diagnostic's texts for a file in `lang`.
pub(crate) fn localize(d: &mut Diagnostic, lang: Language) {
    if lang == Language::English {
        return;
    }
    d.message = in_backticks(&d.message, lang);
    d.help = d.help.as_deref().map(|h| in_backticks(h, lang));
    for n in &mut d.notes {
        *n = in_backticks(n, lang);
    }
    for l in &mut d.labels {
        l.text = in_backticks(&l.text, lang);
    }
}

/// Translates the keywords of every `quoted` stretch of `text`.
fn in_backticks(text: &str, lang: Language) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, part) in text.split('`').enumerate() {
        if i > 0 {
            out.push('`');
        }
        if i % 2 == 1 {
            out.push_str(&translate_code(part, lang));
        } else {
            out.push_str(part);
        }
    }
    out
}

/// Translates one code snippet word by word; names and numbers stay.
fn translate_code(code: &str, lang: Language) -> String {
    let mut out = String::with_capacity(code.len());
    let mut word = String::new();
    let mut last_number: Option<i64> = None;
    let flush = |word: &mut String, out: &mut String, last_number: &mut Option<i64>| {
        if word.is_empty() {
            return;
        }
        out.push_str(&translate_word(word, *last_number, lang));
        *last_number = word.parse().ok();
        word.clear();
    };
    for ch in code.chars() {
        if ch.is_alphanumeric() || ch == '_' {
            word.push(ch);
        } else {
            flush(&mut word, &mut out, &mut last_number);
            if !ch.is_whitespace() {
                last_number = None;
            }
            out.push(ch);
        }
    }
    flush(&mut word, &mut out, &mut last_number);
    out
}

fn translate_word(word: &str, number_before: Option<i64>, lang: Language) -> String {
    if let Some((u, Language::English)) = unit(word) {
        return unit_word(u, number_before.unwrap_or(2), lang).to_string();
    }
    // Only single-word English keywords translate one to one.
    for (kw, en) in all_words(Language::English) {
        if en == word && !en.contains(' ') {
            let da = kw.word(lang);
            if !da.is_empty() {
                return da.to_string();
            }
        }
    }
    word.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_in_backticks_become_danish() {
        let s = in_backticks(
            "declare `overlaps ledige` on `unge`, or compare `today > benefit_start + 6 months`",
            Language::Danish,
        );
        assert_eq!(
            s,
            "declare `overlapper ledige` on `unge`, or compare `idag > benefit_start + 6 måneder`"
        );
    }

    #[test]
    fn english_files_are_untouched() {
        let mut d = Diagnostic::error("E0312", "cannot mix `8 weeks` with `2 months`");
        localize(&mut d, Language::English);
        assert_eq!(d.message, "cannot mix `8 weeks` with `2 months`");
    }
}
