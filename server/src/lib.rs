//! Cantara's server: configuration, the CLI, and the axum router around the Leptos console.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// Nothing panics on input: no byte-index slicing of text, no unchecked indexing (checked `get` instead).
#![deny(clippy::string_slice, clippy::indexing_slicing)]
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::string_slice,
        clippy::indexing_slicing
    )
)]
#![recursion_limit = "256"]

mod allocator;
pub mod cli;
pub mod config;
pub mod http;
pub mod malloc_tuning;
pub mod router;
pub mod scim;
pub mod serve;
pub mod telemetry;

use anyhow::Context;
use app::backend::{Backend, BackendConfig, Db, SecretKey};

use crate::config::Config;

/// `CANTARA_ALLOW_PRIVATE_IDP_URLS=true`: identity providers on private, loopback or link-local
/// addresses may be contacted (labs and tests). Anything but `true`/`false` is an error.
fn allow_private_idp_urls() -> anyhow::Result<bool> {
    match std::env::var(app::backend::outbound::ALLOW_PRIVATE_ENV) {
        Err(_) => Ok(false),
        Ok(v) if v.eq_ignore_ascii_case("true") || v == "1" => Ok(true),
        Ok(v) if v.eq_ignore_ascii_case("false") || v == "0" || v.is_empty() => Ok(false),
        Ok(v) => anyhow::bail!(
            "{}={v:?}: expected true or false",
            app::backend::outbound::ALLOW_PRIVATE_ENV
        ),
    }
}

/// Opens the database (migrating it) and loads the secret key: what every command needs.
pub async fn open_backend(config: &Config) -> anyhow::Result<Backend> {
    let public_url = config.public_url()?;
    let secret_key = SecretKey::load_or_create(
        &config.data_dir,
        std::env::var("CANTARA_SECRET_KEY").ok().as_deref(),
    )
    .context("loading the secret key")?;
    let db = Db::connect_with(&config.database_url, &config.pool_settings())
        .await
        .context("opening the database")?;
    Ok(Backend::new(
        db,
        BackendConfig {
            public_url,
            secret_key,
            allow_private_idp_urls: allow_private_idp_urls()?,
        },
    ))
}
