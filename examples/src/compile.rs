//! `.pol` files on disk to a runtime `Policy`. The compiler library does no
//! IO; this is the few lines of file loading a tool around it needs.

use std::fs;
use std::path::Path;

use pol_compiler::check::join_relative;
use pol_compiler::{check_source, lower_compilation, SourceLoader};
use pol_runtime::Policy;

/// Reads imports from disk, relative to the importing file.
#[derive(Debug, Default)]
pub struct FsLoader;

impl SourceLoader for FsLoader {
    fn load(&mut self, from: &str, path: &str) -> Result<(String, String), String> {
        let name = join_relative(from, path);
        fs::read_to_string(&name)
            .map(|text| (name, text))
            .map_err(|e| e.to_string())
    }

    fn canonical_name(&mut self, from: &str, path: &str) -> Option<String> {
        Some(join_relative(from, path))
    }
}

/// Compiles the policy at `path` (a `.pol` source) and loads it. Errors list
/// each diagnostic's code and message; `pol check` shows them in full.
pub fn compile_policy(path: &Path) -> Result<Policy, String> {
    let name = path.to_string_lossy().replace('\\', "/");
    let text = fs::read_to_string(path).map_err(|e| format!("cannot read `{name}`: {e}"))?;
    let comp = check_source(&name, &text, &mut FsLoader);
    let program = lower_compilation(&comp).ok_or_else(|| {
        let errors: Vec<String> = comp
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| format!("{}: {}", d.code, d.message))
            .collect();
        format!(
            "`{name}` does not compile ({}); run `pol check {name}` for details",
            errors.join("; ")
        )
    })?;
    Policy::from_program(program).map_err(|e| format!("the compiled `{name}` does not verify: {e}"))
}

/// A `.polc` artifact's bytes or a `.pol` source, told apart by the
/// artifact's magic bytes.
pub fn load_policy(path: &Path) -> Result<Policy, String> {
    let bytes = fs::read(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    if bytes.starts_with(b"POLC") {
        return Policy::load(&bytes).map_err(|e| format!("cannot load `{}`: {e}", path.display()));
    }
    compile_policy(path)
}
