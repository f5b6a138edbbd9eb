//! The parser never panics: every `.pol` in the repository, mutated many
//! ways (tokens deleted, lines swapped or repeated, bytes inserted, text cut
//! short), must parse to a partial tree plus diagnostics; a mutant that
//! parses cleanly must format to text that parses cleanly. Also the
//! resource limits: deep nesting and huge expressions give an error, not a
//! stack overflow. The stable twin of the `parse` fuzz target.

use std::path::{Path, PathBuf};

use pol_compiler::diagnostics::Diagnostics;
use pol_compiler::format::format_file;
use pol_compiler::syntax::parse_file;
use pol_compiler::syntax::span::FileId;

/// xorshift64*: deterministic, so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

fn pol_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            pol_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "pol") {
            out.push(p);
        }
    }
}

const SPICE: &[&str] = &[
    "(",
    ")",
    "{",
    "}",
    "[",
    "]",
    "\"",
    "/*",
    "*/",
    "//",
    "///",
    "=",
    "==",
    ",",
    ".",
    "..",
    ":",
    "?",
    "%",
    "-",
    "7",
    "37,5",
    "2026-02-30",
    " and 1 ",
    " og ",
    " regel ",
    " rule ",
    " i ",
    " within ",
    " inden for ",
    "æ",
    "\u{feff}",
    "\n",
    "\t",
    "ü",
    "9999999999999999999999",
];

fn char_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn mutate(text: &str, rng: &mut Rng) -> String {
    match rng.below(6) {
        0 => {
            // delete one whitespace-separated token
            let words: Vec<&str> = text.split(' ').collect();
            let k = rng.below(words.len());
            words
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != k)
                .map(|(_, w)| *w)
                .collect::<Vec<_>>()
                .join(" ")
        }
        1 => {
            let mut lines: Vec<&str> = text.lines().collect();
            if lines.len() > 1 {
                let (a, b) = (rng.below(lines.len()), rng.below(lines.len()));
                lines.swap(a, b);
            }
            lines.join("\n")
        }
        2 => {
            let mut lines: Vec<&str> = text.lines().collect();
            if !lines.is_empty() {
                let a = rng.below(lines.len());
                let dup = lines[a];
                lines.insert(rng.below(lines.len()), dup);
            }
            lines.join("\n")
        }
        3 => {
            let at = char_boundary(text, rng.below(text.len() + 1));
            let spice = SPICE[rng.below(SPICE.len())];
            format!("{}{spice}{}", &text[..at], &text[at..])
        }
        4 => {
            let at = char_boundary(text, rng.below(text.len() + 1));
            text[..at].to_string()
        }
        _ => {
            // overwrite a few bytes with arbitrary ones (then read lossily)
            let mut bytes = text.as_bytes().to_vec();
            for _ in 0..3 {
                if !bytes.is_empty() {
                    let i = rng.below(bytes.len());
                    bytes[i] = (rng.next() & 0xff) as u8;
                }
            }
            String::from_utf8_lossy(&bytes).into_owned()
        }
    }
}

fn check(text: &str, what: &str) {
    let mut diags = Diagnostics::new();
    let file = parse_file(FileId(0), text, &mut diags);
    if !diags.has_errors() {
        let formatted = format_file(&file, text);
        let mut again = Diagnostics::new();
        parse_file(FileId(0), &formatted, &mut again);
        assert!(
            !again.has_errors(),
            "{what}: the formatted text of a clean mutant does not parse: {:?}\n--- mutant\n{text}\n--- formatted\n{formatted}",
            again.iter().map(|d| &d.message).collect::<Vec<_>>()
        );
    }
}

#[test]
fn mutated_policies_never_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    pol_files(&root.join("tests"), &mut files);
    pol_files(&root.join("../policies"), &mut files);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    // a fixed budget of parses however many policies there are
    let per_file = (1000 / files.len().max(1)).clamp(10, 200);
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let mut mutant = text.clone();
        for i in 0..per_file {
            // mutations accumulate for a while, then start over from the original
            if i % 4 == 0 {
                mutant = text.clone();
            }
            mutant = mutate(&mutant, &mut rng);
            check(&mutant, &format!("{} #{i}", path.display()));
        }
    }
}

fn errors_with(text: &str, code: &str) {
    let mut diags = Diagnostics::new();
    parse_file(FileId(0), text, &mut diags);
    assert!(
        diags.iter().any(|d| d.code == code),
        "expected {code}, got {:?}",
        diags
            .iter()
            .map(|d| (d.code, &d.message))
            .collect::<Vec<_>>()
    );
}

#[test]
fn limits_give_errors_not_overflows() {
    let deep = format!("group g: {}x{}", "(".repeat(10_000), ")".repeat(10_000));
    errors_with(&deep, "E0109");
    let nots = format!("group g: {}x", "not ".repeat(20_000));
    errors_with(&nots, "E0109");
    let negs = format!("group g: {}x > 1", "-".repeat(20_000));
    errors_with(&negs, "E0109");
    let long = format!("group g: x{}", " or x".repeat(20_000));
    errors_with(&long, "E0109");
    let ifs = format!(
        "rule r: {} require 1 samtale within 1 week of s",
        "if x then ".repeat(2_000)
    );
    let mut diags = Diagnostics::new();
    parse_file(FileId(0), &ifs, &mut diags);
    assert!(diags.has_errors());
    let brackets = "[".repeat(50_000);
    errors_with(&format!("group g: {brackets}"), "E0109");
    // Each bracket level within its own limits, but thousands of levels of
    // tree in all: the total is limited, or the checker's recursion would
    // overflow its stack.
    let mut nested = "x".to_string();
    for _ in 0..16 {
        nested = format!("{} or ({nested})", vec!["x"; 249].join(" or "));
    }
    errors_with(&format!("group g: {nested}"), "E0109");
}

#[test]
fn large_inputs_stay_linear() {
    let group = "group g: benefit == dagpenge or (benefit == kontanthjaelp and readiness == jobparat)\n  source \"x\"\n\n";
    let text = group.repeat(2_000);
    let start = std::time::Instant::now();
    let mut diags = Diagnostics::new();
    let file = parse_file(FileId(0), &text, &mut diags);
    assert!(!diags.has_errors());
    assert_eq!(file.items.len(), 2_000);
    assert!(start.elapsed().as_secs() < 20, "took {:?}", start.elapsed());
    let garbage = "((((]]]] \"x\" ,,,, regel rule 1 2 3 ? ? \n".repeat(2_000);
    let mut diags = Diagnostics::new();
    parse_file(FileId(0), &garbage, &mut diags);
    assert!(diags.has_errors());
}
