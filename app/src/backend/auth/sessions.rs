//! Console sessions, kept in the database so several server instances share them.
//!
//! The browser holds a random 256-bit id; the database holds only its SHA-256, so a copy of the
//! database cannot be replayed as cookies. Sessions end after an idle period or an absolute limit.
//! This module is the plain repository of the `session` table; what a cookie is worth on a given
//! request (limits, SSO refresh, grants) is decided by `auth::session_guard`.

use crate::domain::ids::AccountId;
use crate::domain::ids::IdpId;
use crate::domain::ids::TenantId;
use sqlx::Row;

use crate::backend::clock::now;
use crate::backend::db::flag;
use crate::backend::error::{DomainError, Result};
use crate::backend::Backend;

/// A session unused for this long ends.
pub const IDLE_TIMEOUT_SECS: i64 = 60 * 60;
/// No session lives longer than this, used or not.
pub const ABSOLUTE_TIMEOUT_SECS: i64 = 12 * 60 * 60;
/// `last_seen_at` is written at most this often, so reads stay reads.
pub(crate) const TOUCH_EVERY_SECS: i64 = 60;

/// A valid session, as resolved for one request.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub session_hash: String,
    pub account_id: AccountId,
    pub username: String,
    pub display_name: String,
    /// The tenant the account belongs to.
    pub home_tenant_id: TenantId,
    /// The tenant the console currently shows.
    pub tenant_id: TenantId,
    pub tenant_name: String,
    /// A local administrator of the default tenant: manages every tenant.
    pub is_operator: bool,
    /// What this person holds in `tenant_id`, resolved for this request (no longer cache).
    pub grants: Grants,
}

impl SessionInfo {
    pub fn may_access(&self, tenant_id: &TenantId) -> bool {
        self.is_operator || self.home_tenant_id == *tenant_id
    }

    pub fn has(&self, p: Permission) -> bool {
        self.grants.has(p)
    }

    /// An Administrator of the current tenant (or the operator): the break-glass rights that no
    /// Security Topic gives (granting Administrator, changing another Administrator).
    pub fn is_admin(&self) -> bool {
        self.grants.is_admin || self.is_operator
    }
}

use crate::backend::crypto::secrets::{random_token as new_token, sha256_hex as hash_token};
use crate::domain::permission::{Grants, Permission};

/// A session row as stored, with its account's and tenants' columns.
#[derive(Debug, Clone)]
pub(crate) struct StoredSession {
    pub account_id: AccountId,
    pub tenant_id: TenantId,
    pub tenant_name: String,
    pub last_seen_at: i64,
    pub expires_at: i64,
    pub via_sso: bool,
    pub has_refresh_token: bool,
    pub id_token_expires_at: Option<i64>,
    pub username: String,
    pub display_name: String,
    pub is_active: bool,
    pub is_admin: bool,
    pub home_tenant_id: TenantId,
    pub home_is_default: bool,
    pub home_tenant_name: String,
}

/// What refreshing a single sign-on session needs.
#[derive(Debug, Clone)]
pub(crate) struct RefreshState {
    pub tenant_id: TenantId,
    pub idp_id: Option<IdpId>,
    pub refresh_token_enc: Option<String>,
    pub id_token_expires_at: Option<i64>,
    pub sso_key: Option<String>,
}

/// Where a single sign-on session came from, for its sign-out.
#[derive(Debug, Clone)]
pub(crate) struct SsoOrigin {
    pub tenant_id: TenantId,
    pub idp_id: IdpId,
    pub id_token_enc: Option<String>,
}

/// What a session made by single sign-on keeps from its provider (tokens encrypted).
#[derive(Debug, Clone)]
pub struct SsoTokens {
    pub idp_id: IdpId,
    pub id_token_enc: String,
    pub refresh_token_enc: Option<String>,
    pub id_token_expires_at: i64,
}

impl Backend {
    /// Starts a session for an account in its own tenant; returns the cookie value.
    pub async fn start_session(
        &self,
        account_id: &AccountId,
        tenant_id: &TenantId,
    ) -> Result<String> {
        self.start_session_with(account_id, tenant_id, None).await
    }

    /// Starts a session; `sso` when it was made by single sign-on.
    pub async fn start_session_with(
        &self,
        account_id: &AccountId,
        tenant_id: &TenantId,
        sso: Option<&SsoTokens>,
    ) -> Result<String> {
        let token = new_token();
        let ts = now();
        sqlx::query(
            "INSERT INTO session (session_hash, account_id, tenant_id, created_at, last_seen_at, expires_at, \
             idp_id, id_token_enc, refresh_token_enc, id_token_expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(hash_token(&token))
        .bind(account_id)
        .bind(tenant_id)
        .bind(ts)
        .bind(ts)
        .bind(ts + ABSOLUTE_TIMEOUT_SECS)
        .bind(sso.map(|s| s.idp_id.as_str()))
        .bind(sso.map(|s| s.id_token_enc.as_str()))
        .bind(sso.and_then(|s| s.refresh_token_enc.as_deref()))
        .bind(sso.map(|s| s.id_token_expires_at))
        .execute(&self.db.pool)
        .await?;
        Ok(token)
    }

    pub(crate) async fn store_refreshed_tokens(
        &self,
        session_hash: &str,
        id_token_enc: Option<String>,
        refresh_token_enc: Option<String>,
        id_token_expires_at: i64,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE session SET id_token_enc = COALESCE($1, id_token_enc), \
             refresh_token_enc = COALESCE($2, refresh_token_enc), id_token_expires_at = $3 WHERE session_hash = $4",
        )
        .bind(id_token_enc)
        .bind(refresh_token_enc)
        .bind(id_token_expires_at)
        .bind(session_hash)
        .execute(&self.db.pool)
        .await?;
        Ok(())
    }

    /// The stored session behind a cookie's hash, with its account and tenants; `None` when
    /// there is none. Reads only: the guard decides what to do with it.
    pub(crate) async fn load_session(&self, hash: &str) -> Result<Option<StoredSession>> {
        let row = sqlx::query(
            "SELECT s.account_id, s.tenant_id, s.last_seen_at, s.expires_at, \
                    s.idp_id, s.refresh_token_enc, s.id_token_expires_at, \
                    a.username, a.display_name, a.is_active, a.is_admin, a.tenant_id AS home_tenant_id, \
                    h.is_default AS home_is_default, h.name AS home_tenant_name, t.name AS tenant_name \
             FROM session s \
             JOIN account a ON a.account_id = s.account_id \
             JOIN tenant h ON h.tenant_id = a.tenant_id \
             JOIN tenant t ON t.tenant_id = s.tenant_id \
             WHERE s.session_hash = $1",
        )
        .bind(hash)
        .fetch_optional(&self.db.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(StoredSession {
            account_id: row.try_get("account_id")?,
            tenant_id: row.try_get("tenant_id")?,
            tenant_name: row.try_get("tenant_name")?,
            last_seen_at: row.try_get("last_seen_at")?,
            expires_at: row.try_get("expires_at")?,
            via_sso: row.try_get::<Option<String>, _>("idp_id")?.is_some(),
            has_refresh_token: row
                .try_get::<Option<String>, _>("refresh_token_enc")?
                .is_some(),
            id_token_expires_at: row.try_get("id_token_expires_at")?,
            username: row.try_get("username")?,
            display_name: row.try_get("display_name")?,
            is_active: flag(&row, "is_active")?,
            is_admin: flag(&row, "is_admin")?,
            home_tenant_id: row.try_get("home_tenant_id")?,
            home_is_default: flag(&row, "home_is_default")?,
            home_tenant_name: row.try_get("home_tenant_name")?,
        }))
    }

    /// What refreshing an SSO session needs; `None` when the session is gone.
    pub(crate) async fn session_refresh_state(&self, hash: &str) -> Result<Option<RefreshState>> {
        let row = sqlx::query(
            "SELECT a.tenant_id, s.idp_id, s.refresh_token_enc, s.id_token_expires_at, a.sso_key \
             FROM session s JOIN account a ON a.account_id = s.account_id WHERE s.session_hash = $1",
        )
        .bind(hash)
        .fetch_optional(&self.db.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(RefreshState {
            tenant_id: row.try_get("tenant_id")?,
            idp_id: row.try_get("idp_id")?,
            refresh_token_enc: row.try_get("refresh_token_enc")?,
            id_token_expires_at: row.try_get("id_token_expires_at")?,
            sso_key: row.try_get("sso_key")?,
        }))
    }

    /// The provider and ID token of a session, for its sign-out; `None` when gone or local.
    pub(crate) async fn session_sso_origin(&self, hash: &str) -> Result<Option<SsoOrigin>> {
        let row = sqlx::query(
            "SELECT a.tenant_id, s.idp_id, s.id_token_enc FROM session s \
             JOIN account a ON a.account_id = s.account_id WHERE s.session_hash = $1",
        )
        .bind(hash)
        .fetch_optional(&self.db.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let Some(idp_id) = row.try_get::<Option<IdpId>, _>("idp_id")? else {
            return Ok(None);
        };
        Ok(Some(SsoOrigin {
            tenant_id: row.try_get("tenant_id")?,
            idp_id,
            id_token_enc: row.try_get("id_token_enc")?,
        }))
    }

    /// Records that the session was used at `ts`.
    pub(crate) async fn touch_session(&self, hash: &str, ts: i64) -> Result<()> {
        sqlx::query("UPDATE session SET last_seen_at = $1 WHERE session_hash = $2")
            .bind(ts)
            .bind(hash)
            .execute(&self.db.pool)
            .await?;
        Ok(())
    }

    /// Points the session back at the account's own tenant.
    pub(crate) async fn move_session_home(
        &self,
        hash: &str,
        home_tenant_id: &TenantId,
    ) -> Result<()> {
        sqlx::query("UPDATE session SET tenant_id = $1 WHERE session_hash = $2")
            .bind(home_tenant_id)
            .bind(hash)
            .execute(&self.db.pool)
            .await?;
        Ok(())
    }

    /// Test helper: make an SSO session's ID token expire now (so the next request refreshes).
    #[doc(hidden)]
    pub async fn expire_id_token_for_tests(&self, token: &str) -> Result<()> {
        sqlx::query("UPDATE session SET id_token_expires_at = $1 WHERE session_hash = $2")
            .bind(now() - 1)
            .bind(hash_token(token))
            .execute(&self.db.pool)
            .await?;
        Ok(())
    }

    pub(crate) async fn end_session_by_hash(&self, hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM session WHERE session_hash = $1")
            .bind(hash)
            .execute(&self.db.pool)
            .await?;
        Ok(())
    }

    /// Makes `tenant_id` the tenant the console shows for this session.
    pub async fn switch_tenant(&self, session: &SessionInfo, tenant_id: &TenantId) -> Result<()> {
        if !session.may_access(tenant_id) {
            // Same answer as for a tenant that does not exist: no probing.
            return Err(DomainError::NotFound("tenant"));
        }
        let done = sqlx::query(
            "UPDATE session SET tenant_id = $1 \
             WHERE session_hash = $2 AND EXISTS (SELECT 1 FROM tenant WHERE tenant_id = $1)",
        )
        .bind(tenant_id)
        .bind(&session.session_hash)
        .execute(&self.db.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(DomainError::NotFound("tenant"));
        }
        Ok(())
    }

    /// Removes sessions past their limits; run now and then so the table stays small.
    pub async fn purge_expired_sessions(&self) -> Result<u64> {
        let ts = now();
        let done = sqlx::query("DELETE FROM session WHERE expires_at <= $1 OR last_seen_at <= $2")
            .bind(ts)
            .bind(ts - IDLE_TIMEOUT_SECS)
            .execute(&self.db.pool)
            .await?;
        Ok(done.rows_affected())
    }

    /// Test helper and maintenance: move a session's clock back (simulate idle time).
    #[doc(hidden)]
    pub async fn age_session_for_tests(&self, token: &str, secs: i64) -> Result<()> {
        sqlx::query(
            "UPDATE session SET last_seen_at = last_seen_at - $1, created_at = created_at - $1, \
             expires_at = expires_at - $1 WHERE session_hash = $2",
        )
        .bind(secs)
        .bind(hash_token(token))
        .execute(&self.db.pool)
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hashes_hex() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        let h = hash_token(&a);
        assert_eq!(h.len(), 64);
        assert_ne!(h, a);
    }
}
