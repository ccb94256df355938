//! Logging: `tracing` to stderr, filtered by `RUST_LOG` (default `info` for the server, `warn`
//! for CLI commands so their stdout/stderr stay plain). Secrets are never passed to a log macro.

use tracing_subscriber::EnvFilter;

pub fn init(serving: bool) {
    let default = if serving { "info" } else { "warn" };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}
