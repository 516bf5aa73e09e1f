//! The questionnaire: its model, its TOML file format, the expression language, static checks
//! and the interview engine. Pure: no I/O, no async, no database.

pub mod date;
pub mod expr;
