//! The `pol` command line.

fn main() {}
