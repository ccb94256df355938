//! The providers' signing keys (JSON Web Key Sets), cached per JWKS URL.
//!
//! A set is kept for an hour. A token whose `kid` is not in the cached set makes one early
//! refetch (the provider rotated its keys); such refetches are rate-limited per URL so a flood of
//! made-up `kid`s cannot turn Cantara into a load generator against the provider.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{Jwk, JwkSet};
use tokio::sync::Mutex;

use super::idp_check::fetch_json;

/// A cached set is refetched after this long even if every `kid` is found.
const TTL: Duration = Duration::from_secs(60 * 60);
/// At most one refetch per URL in this period is caused by an unknown `kid`.
const UNKNOWN_KID_REFETCH_EVERY: Duration = Duration::from_secs(60);

#[derive(Debug)]
struct Entry {
    set: Arc<JwkSet>,
    fetched_at: Instant,
    unknown_kid_refetch_at: Option<Instant>,
}

/// Why no key could be had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyProblem {
    /// The set was read but has no such key (even after a refetch, or refetching is throttled).
    Unknown,
    /// The set could not be fetched or read; the sentence says why (for the log).
    Unavailable(String),
}

#[derive(Debug, Default)]
pub struct JwksCache {
    entries: Mutex<HashMap<String, Entry>>,
}

impl JwksCache {
    /// The key with this `kid` (or the only key, when the token names none).
    pub async fn key(
        &self,
        url: &str,
        kid: Option<&str>,
        allow_http: bool,
    ) -> Result<Jwk, KeyProblem> {
        // One lock for look-up and fetch: concurrent sign-ins wait for one fetch instead of
        // each fetching. Fetches are bounded to 10 s.
        let mut entries = self.entries.lock().await;
        let now = Instant::now();
        let fresh = entries
            .get(url)
            .filter(|e| now.duration_since(e.fetched_at) < TTL);
        if let Some(e) = fresh {
            if let Some(k) = find(&e.set, kid) {
                return Ok(k);
            }
            let throttled = e
                .unknown_kid_refetch_at
                .is_some_and(|at| now.duration_since(at) < UNKNOWN_KID_REFETCH_EVERY);
            if throttled {
                return Err(KeyProblem::Unknown);
            }
            let set = fetch(url, allow_http).await?;
            tracing::info!(jwks_url = %url, "signing key set refetched for an unknown kid");
            let found = find(&set, kid);
            entries.insert(
                url.to_owned(),
                Entry {
                    set: Arc::new(set),
                    fetched_at: now,
                    unknown_kid_refetch_at: Some(now),
                },
            );
            return found.ok_or(KeyProblem::Unknown);
        }
        let set = fetch(url, allow_http).await?;
        let found = find(&set, kid);
        let previous = entries.get(url).and_then(|e| e.unknown_kid_refetch_at);
        entries.insert(
            url.to_owned(),
            Entry {
                set: Arc::new(set),
                fetched_at: now,
                unknown_kid_refetch_at: previous,
            },
        );
        found.ok_or(KeyProblem::Unknown)
    }
}

fn find(set: &JwkSet, kid: Option<&str>) -> Option<Jwk> {
    match kid {
        Some(kid) => set.find(kid).cloned(),
        None if set.keys.len() == 1 => set.keys.first().cloned(),
        None => None,
    }
}

async fn fetch(url: &str, allow_http: bool) -> Result<JwkSet, KeyProblem> {
    let value = fetch_json(url, allow_http)
        .await
        .map_err(KeyProblem::Unavailable)?;
    serde_json::from_value(value)
        .map_err(|e| KeyProblem::Unavailable(format!("the key set is not a JWKS ({e})")))
}
