//! Syntax diagnostic codes (E01xx), with their explanation pages.

use crate::diagnostics::codes::CodeInfo;

pub static SYNTAX: &[CodeInfo] = &[];
