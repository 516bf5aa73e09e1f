//! The command line beyond `serve`: accounts, questionnaire authoring, quota planning and
//! weighting. Each subcommand lives in its own module with its clap arguments.

pub mod export;
pub mod questionnaire;
pub mod quotas;
pub mod user;
pub mod weight;

use std::io::Write;

/// Writes a command's result on standard output. A closed pipe (`cati … | head`) is not an
/// error: the reader has all it wanted.
pub(crate) fn print_stdout(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}
