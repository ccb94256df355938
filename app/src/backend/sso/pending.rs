//! Sign-ins under way: between the redirect to the provider and its answer at `/oauth`.
//!
//! Kept in the database (so any server instance can finish a sign-in another started), keyed by
//! the SHA-256 of `state`, bound to the browser by the hash of a cookie, single use (taking one
//! deletes it) and valid for ten minutes. The PKCE verifier is stored encrypted.

use crate::domain::ids::AccountId;
use crate::domain::ids::IdpId;
use crate::domain::ids::TenantId;
use sqlx::Row;

use crate::backend::clock::now;
use crate::backend::crypto::secrets::{decrypt, encrypt, sha256_hex};
use crate::backend::error::Result;
use crate::backend::Backend;

/// How long a started sign-in may take.
pub const PENDING_TTL_SECS: i64 = 10 * 60;
/// Sign-ins under way at once in one tenant; more are refused until some finish or expire.
pub const MAX_PENDING_PER_TENANT: i64 = 5_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    SignIn,
    /// "Test sign-in" from the wizard: no session is made, the result is stored on the IdP.
    Test,
}

impl Purpose {
    fn as_db(self) -> &'static str {
        match self {
            Self::SignIn => "sign_in",
            Self::Test => "test",
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewPending<'a> {
    pub state: &'a str,
    pub browser_token: &'a str,
    pub tenant_id: &'a TenantId,
    pub idp_id: &'a IdpId,
    pub purpose: Purpose,
    /// For a test: the administrator who started it.
    pub account_id: Option<&'a AccountId>,
    pub nonce: &'a str,
    pub pkce_verifier: Option<&'a str>,
}

#[derive(Debug, Clone)]
pub struct Pending {
    pub browser_hash: String,
    pub tenant_id: TenantId,
    pub idp_id: IdpId,
    pub purpose: Purpose,
    pub account_id: Option<AccountId>,
    pub nonce: String,
    pub pkce_verifier: Option<String>,
}

impl Backend {
    pub(crate) async fn save_pending(&self, p: &NewPending<'_>) -> Result<()> {
        let verifier = p
            .pkce_verifier
            .map(|v| encrypt(&self.config.secret_key, v))
            .transpose()?;
        let ts = now();
        let mut tx = self.db.begin_write().await?;
        // Old entries go as new ones come, so the table never grows.
        sqlx::query("DELETE FROM sso_pending WHERE expires_at <= $1")
            .bind(ts)
            .execute(&mut *tx)
            .await?;
        let under_way: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM sso_pending WHERE tenant_id = $1")
                .bind(p.tenant_id)
                .fetch_one(&mut *tx)
                .await?;
        if under_way >= MAX_PENDING_PER_TENANT {
            return Err(crate::backend::error::DomainError::Throttled {
                retry_after_secs: 60,
            });
        }
        sqlx::query(
            "INSERT INTO sso_pending (state_hash, browser_hash, tenant_id, idp_id, purpose, account_id, \
             nonce, pkce_verifier_enc, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(sha256_hex(p.state))
        .bind(sha256_hex(p.browser_token))
        .bind(p.tenant_id)
        .bind(p.idp_id)
        .bind(p.purpose.as_db())
        .bind(p.account_id)
        .bind(p.nonce)
        .bind(verifier)
        .bind(ts)
        .bind(ts + PENDING_TTL_SECS)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Takes (and deletes) the sign-in started with `state`; `None` if unknown, used or expired.
    pub(crate) async fn take_pending(&self, state: &str) -> Result<Option<Pending>> {
        let hash = sha256_hex(state);
        let mut tx = self.db.begin_write().await?;
        let row = sqlx::query(
            "SELECT browser_hash, tenant_id, idp_id, purpose, account_id, nonce, pkce_verifier_enc, expires_at \
             FROM sso_pending WHERE state_hash = $1",
        )
        .bind(&hash)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let deleted = sqlx::query("DELETE FROM sso_pending WHERE state_hash = $1")
            .bind(&hash)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        let expires: i64 = row.try_get("expires_at")?;
        // rows_affected guards against a concurrent taker on engines without the write lock.
        if deleted.rows_affected() != 1 || expires <= now() {
            return Ok(None);
        }
        let verifier: Option<String> = row.try_get("pkce_verifier_enc")?;
        let purpose: String = row.try_get("purpose")?;
        Ok(Some(Pending {
            browser_hash: row.try_get("browser_hash")?,
            tenant_id: row.try_get("tenant_id")?,
            idp_id: row.try_get("idp_id")?,
            purpose: if purpose == "test" {
                Purpose::Test
            } else {
                Purpose::SignIn
            },
            account_id: row.try_get("account_id")?,
            nonce: row.try_get("nonce")?,
            pkce_verifier: verifier
                .map(|v| decrypt(&self.config.secret_key, &v))
                .transpose()?,
        }))
    }
}
