//! Examples for embedding `pol-runtime`.
