//! Logging: `tracing` to stderr, filtered by `RUST_LOG` (default `info` for the server, `warn`
//! for CLI commands so their stdout/stderr stay plain). `CANTARA_LOG_FORMAT=json` writes one
//! JSON object per line, with the request's span (its `request_id`, method and path) on every
//! line logged inside a request, for log collectors. Secrets are never passed to a log macro.

use tracing_subscriber::EnvFilter;

pub const FORMAT_ENV: &str = "CANTARA_LOG_FORMAT";

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

impl Format {
    /// From `CANTARA_LOG_FORMAT` (`text`, the default, or `json`).
    pub fn from_env() -> Result<Self, String> {
        match std::env::var(FORMAT_ENV) {
            Err(_) => Ok(Format::Text),
            Ok(v) => match v.trim().to_ascii_lowercase().as_str() {
                "" | "text" => Ok(Format::Text),
                "json" => Ok(Format::Json),
                _ => Err(format!("{FORMAT_ENV}={v:?}: expected text or json")),
            },
        }
    }
}

pub fn init(serving: bool, format: Format) {
    let default = if serving { "info" } else { "warn" };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false);
    let _ = match format {
        Format::Text => builder.try_init(),
        Format::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
    };
}
