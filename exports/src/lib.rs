//! exports (being built).
