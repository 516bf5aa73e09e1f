//! The `cati` server: storage (SQLite or PostgreSQL), accounts and roles, the interviewer's
//! workstation (pages and JSON API) and the command line.

pub mod api;
pub mod apiclient;
pub mod assets;
pub mod auth;
pub mod bench;
pub mod cli;
pub mod clock;
pub mod error;
pub mod pages;
pub mod sample;
pub mod scheduling;
pub mod server;
pub mod services;
pub mod simulate;
pub mod state;
pub mod store;
pub mod telemetry;
