//! Provisioning tokens: the bearer secrets Entra's provisioning service presents, per tenant.
//!
//! A token is 256 random bits, shown once; only its SHA-256 is stored. Tokens can carry a
//! description and an expiry, and can be revoked; a revoked or expired token is refused at once.

use crate::domain::ids::TenantId;
use crate::domain::provisioning::TokenRefusal;
use crate::domain::time::format_utc;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sqlx::Row;

use crate::backend::clock::now;
use crate::backend::error::{DomainError, Result};
use crate::backend::Backend;
pub use crate::domain::provisioning::{NewToken, TokenInfo};

/// How long a successful token check is reused by this process. Revocation through this
/// process clears it at once; one through another instance takes effect within this time.
const CHECK_TTL: Duration = Duration::from_secs(1);

/// (tenant id, token hash).
type CacheKey = (TenantId, String);
/// (token id, expiry, when it was verified).
type CacheEntry = (String, Option<i64>, Instant);

/// Recently verified tokens.
#[derive(Debug, Default)]
pub struct TokenCache(Mutex<HashMap<CacheKey, CacheEntry>>);

impl TokenCache {
    fn get(&self, key: &CacheKey) -> Option<Option<i64>> {
        let map = self.0.lock().ok()?;
        map.get(key)
            .filter(|(_, _, at)| at.elapsed() < CHECK_TTL)
            .map(|(_, exp, _)| *exp)
    }
    fn put(&self, key: CacheKey, token_id: String, expires: Option<i64>) {
        if let Ok(mut map) = self.0.lock() {
            if map.len() > 10_000 {
                map.clear();
            }
            map.insert(key, (token_id, expires, Instant::now()));
        }
    }
    fn forget(&self, token_id: &str) {
        if let Ok(mut map) = self.0.lock() {
            map.retain(|_, (id, _, _)| id != token_id);
        }
    }
}

/// Tokens start with this, so a leaked one is recognisable in a secret scanner.
const PREFIX: &str = "cantara_scim_";
/// `last_used_at` is written at most this often per token.
const TOUCH_EVERY_SECS: i64 = 60;
pub const MAX_EXPIRY_DAYS: i64 = 3650;

use crate::backend::crypto::secrets::{random_token, sha256_hex as hash};

impl Backend {
    pub async fn create_provisioning_token(
        &self,
        tenant_id: &TenantId,
        description: &str,
        expires_days: Option<i64>,
    ) -> Result<NewToken> {
        let description = description.trim();
        if description.chars().count() > 200 {
            return Err(DomainError::invalid(
                "description",
                "The description is too long (at most 200 characters).",
            ));
        }
        if let Some(d) = expires_days {
            if !(1..=MAX_EXPIRY_DAYS).contains(&d) {
                return Err(DomainError::invalid(
                    "expires_days",
                    format!("The expiry must be between 1 and {MAX_EXPIRY_DAYS} days."),
                ));
            }
        }
        self.get_tenant(tenant_id).await?;
        let secret = format!("{PREFIX}{}", random_token());
        let ts = now();
        let info = TokenInfo {
            id: uuid::Uuid::new_v4().to_string(),
            description: description.to_owned(),
            created_at: ts,
            last_used_at: None,
            expires_at: expires_days.map(|d| ts + d * 86_400),
            revoked_at: None,
        };
        sqlx::query(
            "INSERT INTO provisioning_token (token_id, tenant_id, token_hash, description, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&info.id)
        .bind(tenant_id)
        .bind(hash(&secret))
        .bind(&info.description)
        .bind(ts)
        .bind(info.expires_at)
        .execute(&self.db.pool)
        .await?;
        tracing::info!(tenant_id = %tenant_id, token_id = %info.id, "provisioning token created");
        Ok(NewToken { secret, info })
    }

    pub async fn list_provisioning_tokens(&self, tenant_id: &TenantId) -> Result<Vec<TokenInfo>> {
        let rows = sqlx::query(
            "SELECT token_id, description, created_at, last_used_at, expires_at, revoked_at \
             FROM provisioning_token WHERE tenant_id = $1 ORDER BY created_at DESC, token_id",
        )
        .bind(tenant_id)
        .fetch_all(&self.db.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(TokenInfo {
                    id: r.try_get("token_id")?,
                    description: r.try_get("description")?,
                    created_at: r.try_get("created_at")?,
                    last_used_at: r.try_get("last_used_at")?,
                    expires_at: r.try_get("expires_at")?,
                    revoked_at: r.try_get("revoked_at")?,
                })
            })
            .collect()
    }

    pub async fn revoke_provisioning_token(
        &self,
        tenant_id: &TenantId,
        token_id: &str,
    ) -> Result<()> {
        let done = sqlx::query(
            "UPDATE provisioning_token SET revoked_at = $1 WHERE token_id = $2 AND tenant_id = $3 AND revoked_at IS NULL",
        )
        .bind(now())
        .bind(token_id)
        .bind(tenant_id)
        .execute(&self.db.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(DomainError::NotFound("token"));
        }
        self.token_cache.forget(token_id);
        tracing::info!(tenant_id = %tenant_id, token_id = %token_id, "provisioning token revoked");
        Ok(())
    }

    /// Checks a bearer token for a tenant: known, of this tenant, not revoked, not expired.
    pub async fn authenticate_provisioning(&self, tenant_id: &TenantId, token: &str) -> Result<()> {
        match self.check_provisioning_token(tenant_id, token).await? {
            Ok(()) => Ok(()),
            Err(_) => Err(DomainError::Unauthorized),
        }
    }

    /// [`Self::authenticate_provisioning`], saying why a token is refused (for the log only).
    pub async fn check_provisioning_token(
        &self,
        tenant_id: &TenantId,
        token: &str,
    ) -> Result<std::result::Result<(), TokenRefusal>> {
        if !token.starts_with(PREFIX) {
            return Ok(Err(TokenRefusal::Unknown));
        }
        let key = (tenant_id.to_owned(), hash(token));
        // A cached token that has expired since is looked up again, to say which one it was.
        if let Some(expires) = self.token_cache.get(&key) {
            if expires.is_none_or(|e| now() < e) {
                return Ok(Ok(()));
            }
        }
        let Some(row) = sqlx::query(
            "SELECT token_id, description, created_at, last_used_at, expires_at, revoked_at FROM provisioning_token \
             WHERE token_hash = $1 AND tenant_id = $2",
        )
        .bind(&key.1)
        .bind(tenant_id)
        .fetch_optional(&self.db.pool)
        .await?
        else {
            return Ok(Err(TokenRefusal::Unknown));
        };
        let ts = now();
        let revoked: Option<i64> = row.try_get("revoked_at")?;
        let expires: Option<i64> = row.try_get("expires_at")?;
        let name = || -> Result<String> {
            let description: String = row.try_get("description")?;
            let created: i64 = row.try_get("created_at")?;
            Ok(if description.is_empty() {
                format!("the token created {}", format_utc(created))
            } else {
                format!("“{description}”")
            })
        };
        if let Some(at) = revoked {
            return Ok(Err(TokenRefusal::Revoked { name: name()?, at }));
        }
        if let Some(at) = expires.filter(|e| ts >= *e) {
            return Ok(Err(TokenRefusal::Expired { name: name()?, at }));
        }
        let last: Option<i64> = row.try_get("last_used_at")?;
        let id: String = row.try_get("token_id")?;
        self.token_cache.put(key, id.clone(), expires);
        if last.is_none_or(|l| ts - l >= TOUCH_EVERY_SECS) {
            sqlx::query("UPDATE provisioning_token SET last_used_at = $1 WHERE token_id = $2")
                .bind(ts)
                .bind(id)
                .execute(&self.db.pool)
                .await?;
        }
        Ok(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn hashes_are_hex_sha256() {
        assert_eq!(super::hash("x").len(), 64);
    }
}
