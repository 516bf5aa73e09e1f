//! A client of cati's own HTTP API, and a `cati serve` child process to point it at: what the
//! benchmarks and the fieldwork simulator drive the real server with, the way interviewers'
//! browsers do (session cookie, CSRF token, JSON).

mod child;
mod session;

pub use child::ServerProcess;
pub use session::Session;
