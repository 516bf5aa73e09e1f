//! The sample: reference communes and the synthetic demo survey.

pub mod communes;
pub mod demo;
