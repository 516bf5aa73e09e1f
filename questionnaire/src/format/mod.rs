//! The TOML file format (docs/questionnaire-format.md) → the model, with every problem located.

mod build;
mod location;
mod question;
mod raw;
mod texts;

pub(crate) use build::build;
pub(crate) use location::SourceMap;
