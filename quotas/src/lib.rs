//! quotas (being built).
