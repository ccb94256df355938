//! Local sign-in with username and password, slowed down after repeated failures.
//!
//! Failures are counted per username (in its tenant) and per client address, in the database so
//! every server instance sees them. After a few free failures each further attempt must wait,
//! doubling each time (capped). Every refusal reads the same, whether or not the user exists.

use std::net::IpAddr;

use sqlx::Row;

use super::clock::now;
use super::error::{DomainError, Result};
use super::sessions::SessionInfo;
use super::{passwords, Backend};
use crate::domain::account::{AccountSource, Username};

/// Failures allowed per username before attempts are spaced out.
const FREE_FAILURES_PER_USER: i64 = 5;
/// Failures allowed per address (it may be a NAT with many people) before spacing out.
const FREE_FAILURES_PER_ADDRESS: i64 = 20;
/// Failures older than this are forgotten.
const WINDOW_SECS: i64 = 15 * 60;
/// The longest wait between attempts.
const MAX_DELAY_SECS: i64 = 5 * 60;

pub(crate) fn username_key(tenant_id: &str, username: &Username) -> String {
    format!("u:{tenant_id}:{}", username.folded())
}

fn address_key(address: IpAddr) -> String {
    format!("a:{address}")
}

/// Seconds to wait before the next attempt, after `failures` failures, `free` of them free.
fn delay_after(failures: i64, free: i64) -> i64 {
    if failures < free {
        return 0;
    }
    let exp = u32::try_from((failures - free).min(16)).unwrap_or(16);
    (1i64 << exp).min(MAX_DELAY_SECS)
}

/// A successful sign-in: the cookie value and the session it stands for.
pub struct SignedIn {
    pub token: String,
    pub session: SessionInfo,
}

impl Backend {
    /// Signs in a local administrator. `tenant_id` `None` means the default tenant.
    pub async fn sign_in_local(
        &self,
        tenant_id: Option<&str>,
        username: &str,
        password: &str,
        address: Option<IpAddr>,
    ) -> Result<SignedIn> {
        let tenant_id = match tenant_id {
            Some(id) => self.get_tenant(id).await?.id,
            None => self.default_tenant().await?.id,
        };
        let username = Username::parse(username).map_err(|_| DomainError::InvalidCredentials)?;
        let mut keys = vec![(username_key(&tenant_id, &username), FREE_FAILURES_PER_USER)];
        if let Some(addr) = address {
            keys.push((address_key(addr), FREE_FAILURES_PER_ADDRESS));
        }
        self.check_throttle(&keys).await?;

        let creds = self.find_credentials(&tenant_id, &username).await?;
        let stored = creds.as_ref().and_then(|c| c.password_hash.clone());
        let password_ok = passwords::verify(stored, password).await?;
        // Only local accounts have a password here; SCIM accounts sign in through the IdP.
        let account =
            creds.filter(|c| password_ok && c.is_active && c.source == Some(AccountSource::Local));
        let Some(account) = account else {
            self.record_failure(&keys).await?;
            tracing::info!(tenant_id = %tenant_id, "local sign-in refused");
            return Err(DomainError::InvalidCredentials);
        };

        self.clear_throttle(&keys).await?;
        let token = self.start_session(&account.account_id, &tenant_id).await?;
        let session = self
            .resolve_session(&token)
            .await?
            .ok_or_else(|| DomainError::Internal("new session not found".into()))?;
        tracing::info!(account_id = %account.account_id, "local sign-in");
        self.record_sign_in(&tenant_id, &session.username, "password")
            .await?;
        Ok(SignedIn { token, session })
    }

    async fn check_throttle(&self, keys: &[(String, i64)]) -> Result<()> {
        let ts = now();
        for (key, free) in keys {
            let row = sqlx::query(
                "SELECT failures, last_failure_at FROM login_throttle WHERE throttle_key = $1",
            )
            .bind(key)
            .fetch_optional(&self.db.pool)
            .await?;
            let Some(row) = row else { continue };
            let failures: i64 = row.try_get("failures")?;
            let last: i64 = row.try_get("last_failure_at")?;
            if ts - last >= WINDOW_SECS {
                continue;
            }
            let wait = delay_after(failures, *free) - (ts - last);
            if wait > 0 {
                return Err(DomainError::Throttled {
                    retry_after_secs: wait.unsigned_abs(),
                });
            }
        }
        Ok(())
    }

    async fn record_failure(&self, keys: &[(String, i64)]) -> Result<()> {
        let ts = now();
        let mut tx = self.db.begin_write().await?;
        for (key, _) in keys {
            sqlx::query(
                "INSERT INTO login_throttle (throttle_key, failures, last_failure_at) VALUES ($1, 1, $2) \
                 ON CONFLICT (throttle_key) DO UPDATE SET \
                   failures = CASE WHEN login_throttle.last_failure_at <= $3 THEN 1 \
                                   ELSE login_throttle.failures + 1 END, \
                   last_failure_at = $2",
            )
            .bind(key)
            .bind(ts)
            .bind(ts - WINDOW_SECS)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn clear_throttle(&self, keys: &[(String, i64)]) -> Result<()> {
        for (key, _) in keys {
            sqlx::query("DELETE FROM login_throttle WHERE throttle_key = $1")
                .bind(key)
                .execute(&self.db.pool)
                .await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_grows_after_free_failures_and_is_capped() {
        assert_eq!(delay_after(0, 5), 0);
        assert_eq!(delay_after(4, 5), 0);
        assert_eq!(delay_after(5, 5), 1);
        assert_eq!(delay_after(6, 5), 2);
        assert_eq!(delay_after(10, 5), 32);
        assert_eq!(delay_after(100, 5), MAX_DELAY_SECS);
    }
}
