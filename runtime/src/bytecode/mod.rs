//! The bytecode artifact: the program types, (later) its file format, verifier and listing.

pub mod program;
