//! The bytecode artifact: the program types, its file format, verifier and listing.

pub mod cost;
pub mod format;
pub mod listing;
pub mod program;
pub mod verify;
