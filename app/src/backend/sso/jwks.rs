//! The providers' signing keys (JSON Web Key Sets), cached per JWKS URL.
//!
//! A set is kept for an hour. A token whose `kid` is not in the cached set, or whose signature
//! fails with a key that is (a rotation under the same `kid`), makes one early refetch; such
//! refetches are rate-limited per URL so a flood of made-up tokens cannot turn Cantara into a
//! load generator against the provider. Each URL has its own lock: concurrent sign-ins through
//! one provider wait for one fetch, and a slow provider never holds up another tenant's.

use std::collections::HashMap;
use std::sync::{Arc, Mutex as SyncMutex};
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{Jwk, JwkSet};
use tokio::sync::Mutex;

use crate::backend::outbound::Outbound;

/// A cached set is refetched after this long even if every `kid` is found.
const TTL: Duration = Duration::from_secs(60 * 60);
/// At most one early refetch per URL in this period (unknown `kid` or failed signature).
const EARLY_REFETCH_EVERY: Duration = Duration::from_secs(60);

#[derive(Debug)]
struct Entry {
    set: Arc<JwkSet>,
    fetched_at: Instant,
    early_refetch_at: Option<Instant>,
}

type Slot = Arc<Mutex<Option<Entry>>>;

/// Why no key could be had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyProblem {
    /// The set was read but has no such key (even after a refetch, or refetching is throttled).
    Unknown,
    /// The set could not be fetched or read; the sentence says why (for the log).
    Unavailable(String),
}

#[derive(Debug)]
pub struct JwksCache {
    outbound: Outbound,
    slots: SyncMutex<HashMap<String, Slot>>,
}

impl JwksCache {
    pub fn new(outbound: Outbound) -> Self {
        Self {
            outbound,
            slots: SyncMutex::default(),
        }
    }

    /// The URL's own lock (made on first use); the map's lock is held only to find it.
    fn slot(&self, url: &str) -> Slot {
        let mut slots = self
            .slots
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        slots.entry(url.to_owned()).or_default().clone()
    }

    /// The key with this `kid` (or the only key, when the token names none).
    pub async fn key(
        &self,
        url: &str,
        kid: Option<&str>,
        allow_http: bool,
    ) -> Result<Jwk, KeyProblem> {
        let slot = self.slot(url);
        let mut entry = slot.lock().await;
        let now = Instant::now();
        if let Some(e) = entry
            .as_ref()
            .filter(|e| now.duration_since(e.fetched_at) < TTL)
        {
            if let Some(k) = find(&e.set, kid) {
                return Ok(k);
            }
            if !may_refetch_early(e, now) {
                return Err(KeyProblem::Unknown);
            }
            let set = self.fetch(url, allow_http).await?;
            tracing::info!(jwks_url = %url, "signing key set refetched for an unknown kid");
            let found = find(&set, kid);
            *entry = Some(Entry {
                set: Arc::new(set),
                fetched_at: now,
                early_refetch_at: Some(now),
            });
            return found.ok_or(KeyProblem::Unknown);
        }
        let set = self.fetch(url, allow_http).await?;
        let found = find(&set, kid);
        let previous = entry.as_ref().and_then(|e| e.early_refetch_at);
        *entry = Some(Entry {
            set: Arc::new(set),
            fetched_at: now,
            early_refetch_at: previous,
        });
        found.ok_or(KeyProblem::Unknown)
    }

    /// A signature failed with `used`, found under `kid`: the provider may have rotated the key
    /// under the same `kid`. Refetches once (rate-limited) and gives the new key if it differs.
    pub async fn refetch_after_bad_signature(
        &self,
        url: &str,
        kid: Option<&str>,
        allow_http: bool,
        used: &Jwk,
    ) -> Option<Jwk> {
        let slot = self.slot(url);
        let mut entry = slot.lock().await;
        let now = Instant::now();
        // Another request may have refetched meanwhile: use its set first.
        if let Some(k) = entry.as_ref().and_then(|e| find(&e.set, kid)) {
            if !same_key(&k, used) {
                return Some(k);
            }
        }
        if entry.as_ref().is_some_and(|e| !may_refetch_early(e, now)) {
            return None;
        }
        let set = self.fetch(url, allow_http).await.ok()?;
        tracing::info!(jwks_url = %url, "signing key set refetched after a failed signature");
        let found = find(&set, kid);
        *entry = Some(Entry {
            set: Arc::new(set),
            fetched_at: now,
            early_refetch_at: Some(now),
        });
        found.filter(|k| !same_key(k, used))
    }

    async fn fetch(&self, url: &str, allow_http: bool) -> Result<JwkSet, KeyProblem> {
        let value = self
            .outbound
            .get_json(url, allow_http)
            .await
            .map_err(|e| KeyProblem::Unavailable(e.to_string()))?;
        serde_json::from_value(value)
            .map_err(|e| KeyProblem::Unavailable(format!("the key set is not a JWKS ({e})")))
    }
}

fn may_refetch_early(e: &Entry, now: Instant) -> bool {
    e.early_refetch_at
        .is_none_or(|at| now.duration_since(at) >= EARLY_REFETCH_EVERY)
}

fn same_key(a: &Jwk, b: &Jwk) -> bool {
    serde_json::to_value(a).ok() == serde_json::to_value(b).ok()
}

fn find(set: &JwkSet, kid: Option<&str>) -> Option<Jwk> {
    match kid {
        Some(kid) => set.find(kid).cloned(),
        None if set.keys.len() == 1 => set.keys.first().cloned(),
        None => None,
    }
}
