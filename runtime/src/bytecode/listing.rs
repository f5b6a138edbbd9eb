//! A readable text listing of a program (placeholder).
