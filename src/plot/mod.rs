//! Figures (next).
