//! Where and how log lines are written: stderr, as text for people or as one JSON object per
//! line for log collectors.

use tracing::Subscriber;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::util::SubscriberInitExt;

/// The log line format (`cati serve --log-format`). The variants' docs are the CLI help, in
/// French.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Lignes lisibles.
    #[default]
    Text,
    /// Un objet JSON par ligne, avec les champs des spans englobants (dont l'identifiant de la
    /// requête).
    Json,
}

/// Sends the log lines of the whole process to stderr in `format`, at the level given by
/// `RUST_LOG` (`info` by default).
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    subscriber(format, filter, std::io::stderr).init();
}

/// The subscriber writing lines at the levels `filter` lets through to `writer`.
pub fn subscriber<W>(
    format: LogFormat,
    filter: EnvFilter,
    writer: W,
) -> Box<dyn Subscriber + Send + Sync>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    match format {
        LogFormat::Text => Box::new(builder.finish()),
        LogFormat::Json => Box::new(builder.json().finish()),
    }
}
