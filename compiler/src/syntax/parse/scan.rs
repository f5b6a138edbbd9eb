//! The light pass before pest: comments, strings, chunk boundaries (an item
//! keyword at the start of a line), nesting limits, decimal commas and the
//! file's keyword language; then doc comments attached to their items.

use super::*;

pub(super) struct RawComment {
    pub(super) start: usize,
    pub(super) end: usize,
    /// `///` (not `////`): a doc comment if it stands right before an item.
    pub(super) doc: bool,
}

pub(super) struct Chunk {
    pub(super) start: usize,
    pub(super) end: usize,
    /// A lexical error was reported inside: pest would only add noise.
    pub(super) broken: bool,
}

pub(super) struct Scan {
    pub(super) comments: Vec<RawComment>,
    pub(super) chunks: Vec<Chunk>,
    pub(super) language: Option<Language>,
}

pub(super) fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The name an item declares, read from the words at the start of a chunk
/// (`group g …` → `g`), for a chunk that did not parse.
pub(super) fn item_name(text: &str, start: usize) -> Option<String> {
    let keyword = word_at(text, start);
    keywords::item_keyword_language(keyword)?;
    let rest = text.get(start + keyword.len()..)?;
    let skipped = rest.len() - rest.trim_start().len();
    let name = word_at(text, start + keyword.len() + skipped);
    (!name.is_empty()).then(|| name.to_string())
}

pub(super) fn word_at(text: &str, at: usize) -> &str {
    let rest = text.get(at..).unwrap_or("");
    let end = rest
        .char_indices()
        .find(|(_, c)| !is_ident_char(*c))
        .map(|(i, _)| i)
        .unwrap_or(rest.len());
    rest.get(..end).unwrap_or("")
}

/// The light pass before pest: comments, strings, chunk boundaries,
/// nesting, decimal commas and the file's keyword language.
pub(super) fn scan(file: FileId, text: &str, diags: &mut Diagnostics) -> Scan {
    let bytes = text.as_bytes();
    let mut comments = Vec::new();
    let mut cuts = vec![0usize];
    let mut broken_at: Vec<usize> = Vec::new();
    let mut item_lang: Option<Language> = None;
    let mut any_lang: Option<Language> = None;
    let mut braces: usize = 0;
    let mut nesting: usize = 0;
    let mut nesting_reported = false;
    let mut line_start = true;
    let mut i = 0;
    let at = |i: usize| bytes.get(i).copied().unwrap_or(0);
    while i < bytes.len() {
        let c = at(i);
        if c == b'\n' {
            line_start = true;
            i += 1;
            continue;
        }
        let was_line_start = line_start;
        line_start = false;
        if c == b'/' && at(i + 1) == b'/' {
            let end = text
                .get(i..)
                .and_then(|r| r.find('\n'))
                .map(|n| i + n)
                .unwrap_or(text.len());
            let doc = at(i + 2) == b'/' && at(i + 3) != b'/';
            comments.push(RawComment { start: i, end, doc });
            i = end;
            continue;
        }
        if c == b'/' && at(i + 1) == b'*' {
            match text.get(i + 2..).and_then(|r| r.find("*/")) {
                Some(n) => {
                    let end = i + 2 + n + 2;
                    comments.push(RawComment {
                        start: i,
                        end,
                        doc: false,
                    });
                    i = end;
                }
                None => {
                    diags.push(
                        Diagnostic::error(
                            codes::UNTERMINATED_COMMENT,
                            "this comment is never closed",
                        )
                        .with_label(Span::new(file, i, i + 2), "the comment starts here")
                        .with_help("end the comment with `*/`"),
                    );
                    broken_at.push(i);
                    i = text.len();
                }
            }
            continue;
        }
        if c == b'"' {
            let mut j = i + 1;
            let mut closed = false;
            while j < bytes.len() {
                match at(j) {
                    b'\\' if at(j + 1) != b'\n' => j += 2,
                    b'"' => {
                        closed = true;
                        j += 1;
                        break;
                    }
                    b'\n' => break,
                    _ => j += 1,
                }
            }
            if !closed {
                let end = j.min(text.len());
                diags.push(
                    Diagnostic::error(codes::UNTERMINATED_STRING, "this text is never closed")
                        .with_label(Span::new(file, i, end), "the text starts here")
                        .with_help("end the text with `\"` on the same line"),
                );
                broken_at.push(i);
            }
            i = j;
            continue;
        }
        if c.is_ascii_digit() {
            let start = i;
            while at(i).is_ascii_digit() {
                i += 1;
            }
            let plain = i - start < 4 || at(i) != b'-';
            if plain && at(i) == b',' && at(i + 1).is_ascii_digit() {
                let mut j = i + 1;
                while at(j).is_ascii_digit() {
                    j += 1;
                }
                let written = text.get(start..j).unwrap_or("");
                diags.push(
                    Diagnostic::error(
                        codes::DECIMAL_COMMA,
                        format!("`{written}` uses a decimal comma"),
                    )
                    .with_label(Span::new(file, i, i + 1), "a comma separates items here")
                    .with_help(format!(
                        "write decimals with a point: `{}`",
                        written.replacen(',', ".", 1)
                    )),
                );
                broken_at.push(start);
            }
            // a date's `-` parts are consumed on the next rounds; harmless
            continue;
        }
        if matches!(c, b'{' | b'(' | b'[') {
            nesting += 1;
            if c == b'{' {
                braces += 1;
            }
            if nesting > MAX_NESTING && !nesting_reported {
                nesting_reported = true;
                diags.push(
                    Diagnostic::error(codes::TOO_DEEP, "brackets are nested too deeply")
                        .with_label(Span::new(file, i, i + 1), "this bracket")
                        .with_help(format!(
                            "split the condition: at most {MAX_NESTING} brackets may be open at once"
                        )),
                );
                broken_at.push(i);
            }
            i += 1;
            continue;
        }
        if matches!(c, b'}' | b')' | b']') {
            nesting = nesting.saturating_sub(1);
            if c == b'}' {
                braces = braces.saturating_sub(1);
            }
            i += 1;
            continue;
        }
        let ch = text.get(i..).and_then(|r| r.chars().next()).unwrap_or(' ');
        if ch.is_alphabetic() || ch == '_' {
            let word = word_at(text, i);
            if let Some((kw, lang)) = keywords::item_keyword_language(word) {
                if item_lang.is_none() {
                    item_lang = lang;
                }
                let inner = matches!(kw, Kw::Case | Kw::Event) && braces > 0;
                if was_line_start && !inner && i > 0 {
                    cuts.push(i);
                    braces = 0;
                    nesting = 0;
                    nesting_reported = false;
                }
            } else if any_lang.is_none() {
                any_lang = keywords::all_words(Language::English)
                    .any(|(_, w)| w == word)
                    .then_some(Language::English)
                    .xor(
                        keywords::all_words(Language::Danish)
                            .any(|(_, w)| w == word)
                            .then_some(Language::Danish),
                    );
            }
            i += word.len().max(1);
            continue;
        }
        i += ch.len_utf8().max(1);
    }
    cuts.push(text.len());
    let chunks = cuts
        .windows(2)
        .filter_map(|w| match w {
            [s, e] if s < e => Some(Chunk {
                start: *s,
                end: *e,
                broken: broken_at.iter().any(|b| b >= s && b < e),
            }),
            _ => None,
        })
        .collect();
    Scan {
        comments,
        chunks,
        language: item_lang.or(any_lang),
    }
}

/// Gives items and fields the `///` lines right above them; the other
/// comments go to `File::comments` for the formatter.
pub(super) fn attach_docs(file: &mut File, raw: &[RawComment], text: &str) {
    let mut used = vec![false; raw.len()];
    let mut take = |start: u32| -> Option<String> {
        let mut pos = start as usize;
        let mut lines = Vec::new();
        let mut idx = raw.partition_point(|c| c.end <= pos);
        while idx > 0 {
            let Some(c) = raw.get(idx - 1) else { break };
            let between = text.get(c.end..pos).unwrap_or("x");
            if !c.doc || !between.trim().is_empty() || between.matches('\n').count() > 1 {
                break;
            }
            // a doc line must stand on its own line
            let line_before = text
                .get(..c.start)
                .and_then(|t| t.rsplit('\n').next())
                .unwrap_or("");
            if !line_before.trim().is_empty() {
                break;
            }
            let body = text.get(c.start + 3..c.end).unwrap_or("");
            lines.push(
                body.strip_prefix(' ')
                    .unwrap_or(body)
                    .trim_end()
                    .to_string(),
            );
            if let Some(u) = used.get_mut(idx - 1) {
                *u = true;
            }
            pos = c.start;
            idx -= 1;
        }
        if lines.is_empty() {
            return None;
        }
        lines.reverse();
        Some(lines.join("\n"))
    };
    if let Some(h) = &mut file.header {
        h.doc = take(h.span.start);
    }
    for item in &mut file.items {
        match item {
            Item::Import(x) => x.doc = take(x.span.start),
            Item::Enum(x) => x.doc = take(x.span.start),
            Item::Case(x) => {
                x.doc = take(x.span.start);
                for f in &mut x.fields {
                    f.doc = take(f.span.start);
                }
            }
            Item::Event(x) => {
                x.doc = take(x.span.start);
                for f in &mut x.fields {
                    f.doc = take(f.span.start);
                }
            }
            Item::Param(x) => x.doc = take(x.span.start),
            Item::Group(x) => x.doc = take(x.span.start),
            Item::Rule(x) => x.doc = take(x.span.start),
            Item::Exemption(x) => x.doc = take(x.span.start),
            Item::Target(x) => x.doc = take(x.span.start),
            Item::Test(x) => x.doc = take(x.span.start),
        }
    }
    file.comments = raw
        .iter()
        .zip(used)
        .filter(|(_, u)| !u)
        .map(|(c, _)| Comment {
            text: text
                .get(c.start..c.end)
                .unwrap_or("")
                .trim_end()
                .to_string(),
            span: Span::new(file.span.file, c.start, c.end),
        })
        .collect();
}
