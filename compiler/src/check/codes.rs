//! Name, type and analysis diagnostic codes (E02xx, E03xx, E04xx, W04xx).

use crate::diagnostics::codes::CodeInfo;

pub static CHECK: &[CodeInfo] = &[];
