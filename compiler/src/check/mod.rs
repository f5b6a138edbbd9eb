//! Checking: loads imports, resolves every name, types every expression
//! against the case schema, and runs the analyses. The result is a
//! `Checked` program (with error nodes where something failed) plus every
//! diagnostic found; lowering runs only when there are no errors.

mod aggregates;
pub mod analysis;
pub mod codes;
mod exemptions;
mod exprs;
pub mod ir;
mod items;
mod localize;
mod operators;
mod params;
mod rules;
mod schema;
pub mod suggest;
mod targets;
mod tests;

use std::collections::HashMap;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::syntax::ast;
use crate::syntax::parse::parse_file;
use crate::syntax::span::{FileId, SourceMap, Span};
use ir::Checked;

/// Where imported files come from. The library does no IO: the `pol`
/// binary reads files; tests serve them from memory.
pub trait SourceLoader {
    /// Loads `path` as written in an `import` of the file named `from`.
    /// Returns the file's canonical name (equal names are the same file) and
    /// its text, or a reason it could not be read.
    fn load(&mut self, from: &str, path: &str) -> Result<(String, String), String>;

    /// The canonical name `load` would return for the same arguments, when
    /// it can be told without reading the file: a file imported again (a
    /// schema imported by a policy and by a module it imports) is then not
    /// read again. `None` (the default) always loads.
    fn canonical_name(&mut self, from: &str, path: &str) -> Option<String> {
        let _ = (from, path);
        None
    }
}

/// A loader that serves files from memory, by name; imports resolve
/// relative to the importing file's directory.
#[derive(Debug, Default, Clone)]
pub struct MemoryLoader {
    pub files: HashMap<String, String>,
}

impl SourceLoader for MemoryLoader {
    fn load(&mut self, from: &str, path: &str) -> Result<(String, String), String> {
        let name = join_relative(from, path);
        match self.files.get(&name) {
            Some(text) => Ok((name, text.clone())),
            None => Err("no such file".to_string()),
        }
    }

    fn canonical_name(&mut self, from: &str, path: &str) -> Option<String> {
        Some(join_relative(from, path))
    }
}

/// `dir/of/from` + `path`, with `.` and `..` folded; `/` separators.
pub fn join_relative(from: &str, path: &str) -> String {
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    if path.starts_with('/') {
        parts.clear();
    }
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                if matches!(parts.last(), Some(l) if *l != "..") {
                    parts.pop();
                } else {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    if path.starts_with('/') {
        format!("/{joined}")
    } else {
        joined
    }
}

/// Everything one compilation produced.
#[derive(Debug, Clone)]
pub struct Compilation {
    pub sources: SourceMap,
    pub root: FileId,
    /// Every parsed file, the root first, then imports in load order.
    pub files: Vec<(FileId, ast::File)>,
    pub checked: Checked,
    pub diagnostics: Diagnostics,
}

impl Compilation {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.has_errors()
    }

    /// The root file's syntax tree.
    pub fn root_file(&self) -> Option<&ast::File> {
        self.files.first().map(|(_, f)| f)
    }
}

/// How deep imports may nest before we call it a mistake.
const MAX_IMPORT_DEPTH: usize = 32;

/// Parses `text` (named `name`), loads its imports through `loader`, and
/// checks the whole program.
pub fn check_source(name: &str, text: &str, loader: &mut dyn SourceLoader) -> Compilation {
    let mut sources = SourceMap::new();
    let mut diags = Diagnostics::new();
    let root = sources.add(name, text);
    let root_ast = parse_file(root, text, &mut diags);
    let mut files = vec![(root, root_ast)];
    let mut by_name: HashMap<String, FileId> = HashMap::new();
    by_name.insert(name.to_string(), root);
    // Load imports breadth-first; `stack` holds (file index, depth, chain).
    let mut next = 0;
    let mut chains: HashMap<FileId, Vec<FileId>> = HashMap::new();
    // Every import as (importer, imported, where), for the cycle check.
    let mut edges: Vec<(FileId, FileId, Span, String)> = Vec::new();
    chains.insert(root, vec![root]);
    while let Some((file_id, file)) = files.get(next) {
        let file_id = *file_id;
        // Only the imports are needed below, while `files` grows.
        let imports: Vec<ast::ImportDecl> = file
            .items
            .iter()
            .filter_map(|item| match item {
                ast::Item::Import(imp) => Some(imp.clone()),
                _ => None,
            })
            .collect();
        next += 1;
        let from_name = sources
            .get(file_id)
            .map(|f| f.name.clone())
            .unwrap_or_default();
        let chain = chains.get(&file_id).cloned().unwrap_or_default();
        for imp in &imports {
            let known = loader
                .canonical_name(&from_name, &imp.path.value)
                .and_then(|name| by_name.get(&name).copied());
            if let Some(existing) = known {
                edges.push((file_id, existing, imp.path.span, imp.path.value.clone()));
                continue;
            }
            match loader.load(&from_name, &imp.path.value) {
                Err(reason) => diags.push(
                    Diagnostic::error(
                        "E0201",
                        format!("cannot import `{}`: {reason}", imp.path.value),
                    )
                    .with_label(imp.path.span, "imported here")
                    .with_help("import paths are relative to the importing file; check the name and that the file exists"),
                ),
                Ok((canon, text)) => {
                    if let Some(existing) = by_name.get(&canon) {
                        edges.push((file_id, *existing, imp.path.span, imp.path.value.clone()));
                        continue;
                    }
                    if chain.len() >= MAX_IMPORT_DEPTH {
                        diags.push(
                            Diagnostic::error("E0202", "imports nest too deeply")
                                .with_label(imp.path.span, "imported here")
                                .with_help("imports may nest at most 32 files deep"),
                        );
                        continue;
                    }
                    let id = sources.add(canon.clone(), text.clone());
                    edges.push((file_id, id, imp.path.span, imp.path.value.clone()));
                    by_name.insert(canon, id);
                    let parsed = parse_file(id, &text, &mut diags);
                    let mut c = chain.clone();
                    c.push(id);
                    chains.insert(id, c);
                    files.push((id, parsed));
                }
            }
        }
    }
    report_cycles(&edges, &mut diags);
    let before = diags.len();
    let checked = items::check_program(root, &files, &sources, &mut diags);
    // Each diagnostic speaks the keyword language of the file it points
    // into: an English schema imported by a Danish policy stays English.
    let root_lang = files.first().map(|(_, f)| f.language).unwrap_or_default();
    let langs: HashMap<FileId, ast::Language> =
        files.iter().map(|(id, f)| (*id, f.language)).collect();
    diags.map_from(before, |d| {
        let lang = d
            .span()
            .and_then(|s| langs.get(&s.file).copied())
            .unwrap_or(root_lang);
        localize::localize(d, lang)
    });
    Compilation {
        sources,
        root,
        files,
        checked,
        diagnostics: diags,
    }
}

/// Reports every import that closes a cycle (each file is loaded once, so a
/// cycle does no harm to loading, but it always means the files are split
/// wrongly). Depth-first over the import graph: an import to a file still on
/// the current path closes a cycle, whatever order the imports came in.
fn report_cycles(edges: &[(FileId, FileId, Span, String)], diags: &mut Diagnostics) {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        OnPath,
        Done,
    }
    let nodes = edges
        .iter()
        .flat_map(|(a, b, _, _)| [a.0, b.0])
        .max()
        .map_or(0, |m| m as usize + 1);
    let mut mark = vec![Mark::New; nodes];
    for start in 0..nodes {
        if mark.get(start) != Some(&Mark::New) {
            continue;
        }
        // (node, index of the next edge to follow), iteratively: import
        // chains may be long, recursion is not needed.
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        if let Some(m) = mark.get_mut(start) {
            *m = Mark::OnPath;
        }
        while let Some((node, next)) = stack.last().copied() {
            let out: Vec<&(FileId, FileId, Span, String)> = edges
                .iter()
                .filter(|(a, _, _, _)| a.0 as usize == node)
                .collect();
            match out.get(next) {
                None => {
                    if let Some(m) = mark.get_mut(node) {
                        *m = Mark::Done;
                    }
                    stack.pop();
                }
                Some((_, to, span, path)) => {
                    if let Some(top) = stack.last_mut() {
                        top.1 += 1;
                    }
                    let to = to.0 as usize;
                    match mark.get(to) {
                        Some(Mark::OnPath) => diags.push(
                            Diagnostic::error(
                                "E0202",
                                format!("`{path}` leads back to this file: the imports form a cycle"),
                            )
                            .with_label(*span, "this import closes the cycle")
                                .with_help("move the shared declarations into a file both can import, such as a schema module"),
                        ),
                        Some(Mark::New) => {
                            if let Some(m) = mark.get_mut(to) {
                                *m = Mark::OnPath;
                            }
                            stack.push((to, 0));
                        }
                        _ => {}
                    }
                }
            }
        }
    }
}

/// Reports a name declared twice.
pub(crate) fn duplicate(diags: &mut Diagnostics, what: &str, name: &str, here: Span, first: Span) {
    diags.push(
        Diagnostic::error("E0203", format!("{what} `{name}` is declared twice"))
            .with_label(here, "declared again here")
            .with_label(first, "first declared here")
            .with_help(format!("rename one of them, or remove the repeated {what}")),
    );
}
