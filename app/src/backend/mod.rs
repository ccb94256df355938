//! The server-side domain layer: the only code that opens transactions and enforces rules.
//!
//! `#[server]` functions and the axum routes (SCIM, sign-in callback, CLI) are thin peers over
//! [`Backend`]; none of them writes SQL. One folder per capability (`auth`, `sso`, `scim`,
//! `console`, `access`, `crypto`); what every capability shares sits at this level.

pub mod access;
pub mod activity;
pub mod alerts;
pub mod auth;
pub mod clock;
pub mod console;
pub mod crypto;
pub mod db;
pub mod entra_setup;
pub mod error;
pub mod expiry_reminders;
pub mod identity_providers;
pub mod keyed_locks;
pub mod outbound;
pub mod provisioning_health;
pub mod provisioning_tokens;
pub mod scim;
pub mod sql;
pub mod sso;
pub mod tenants;

use std::sync::Arc;

pub use crypto::secret_key::SecretKey;
pub use db::Db;
pub use error::DomainError;

/// Settings the domain needs from the process configuration.
#[derive(Debug, Clone)]
pub struct BackendConfig {
    /// External base URL without a trailing slash, e.g. `https://console.example.com`.
    pub public_url: String,
    /// Encrypts client secrets at rest.
    pub secret_key: SecretKey,
    /// `CANTARA_ALLOW_PRIVATE_IDP_URLS`: identity providers on private, loopback or link-local
    /// addresses may be contacted (labs and tests; never needed for Entra).
    pub allow_private_idp_urls: bool,
}

impl BackendConfig {
    /// Session cookies get `Secure` when the console is served over https.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

/// `/oauth/start` per address and minute: each start writes a row, so it is bounded.
const SIGN_IN_STARTS_PER_MINUTE: std::num::NonZeroU32 = match std::num::NonZeroU32::new(30) {
    Some(n) => n,
    None => std::num::NonZeroU32::MIN,
};

/// Handle to everything the domain needs; cheap to clone: one `Arc`. (Every SCIM request
/// clones it a few times — axum state, the middleware, the extractors — and cloning each
/// field's own `Arc` and channel sender was a few percent of a lookup's time.)
#[derive(Debug, Clone)]
pub struct Backend(Arc<BackendState>);

impl std::ops::Deref for Backend {
    type Target = BackendState;
    fn deref(&self) -> &BackendState {
        &self.0
    }
}

/// What a [`Backend`] holds.
#[derive(Debug)]
pub struct BackendState {
    pub db: Db,
    pub config: Arc<BackendConfig>,
    pub activity: activity::ActivityLog,
    pub(crate) token_cache: Arc<provisioning_tokens::TokenCache>,
    pub(crate) jwks: Arc<sso::jwks::JwksCache>,
    pub(crate) outbound: outbound::Outbound,
    /// Sign-in starts per address (an IPv6 /64 as one): 30 a minute, bursts of 30.
    pub(crate) sign_in_starts: Arc<governor::DefaultKeyedRateLimiter<String>>,
    /// Requests refused for their token that each tenant's log records: 30 a minute.
    pub(crate) refusals_recorded: Arc<governor::DefaultKeyedRateLimiter<String>>,
    /// One SSO session refresh at a time per session (the refresh token may rotate).
    pub(crate) refresh_locks: Arc<keyed_locks::KeyedLocks>,
}

impl Backend {
    /// Must be called inside a tokio runtime: it starts the activity log's writer.
    pub fn new(db: Db, config: BackendConfig) -> Self {
        let activity = activity::ActivityLog::start(db.clone());
        let outbound = outbound::Outbound::new(config.allow_private_idp_urls);
        Self(Arc::new(BackendState {
            db,
            config: Arc::new(config),
            activity,
            token_cache: Arc::default(),
            jwks: Arc::new(sso::jwks::JwksCache::new(outbound.clone())),
            outbound,
            refresh_locks: Arc::default(),
            refusals_recorded: Arc::new(governor::RateLimiter::keyed(governor::Quota::per_minute(
                std::num::NonZeroU32::new(activity::REFUSALS_PER_MINUTE)
                    .unwrap_or(std::num::NonZeroU32::MIN),
            ))),
            sign_in_starts: Arc::new(governor::RateLimiter::keyed(governor::Quota::per_minute(
                SIGN_IN_STARTS_PER_MINUTE,
            ))),
        }))
    }

    pub fn public_url(&self) -> &str {
        &self.config.public_url
    }
}
