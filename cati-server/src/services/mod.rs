//! The services: one function per operation a user can do, shared by the pages and the JSON
//! API. Each checks the caller's role, opens the transaction it needs (a read transaction for
//! what only reads), calls the store, writes the audit entry of what managers change on the
//! same transaction, and commits. Pages and API handlers only translate HTTP in and out.

pub mod abandoned;
pub mod accounts;
pub mod calls;
pub mod dashboard;
pub mod dispatch;
pub mod export;
pub mod interview;
pub mod live;
pub mod manage;
pub mod outcome_frame;
pub mod publication;
pub mod quota;
pub mod report;
pub mod results;
pub mod rules;
pub mod sample;
pub mod settings_file;
pub mod simulation;
pub mod surveys;
pub mod text;
pub mod waves;
pub mod weighting;
