//! Local sign-in with username and password, slowed down after repeated failures.
//!
//! Every attempt is counted before the password is checked, in one atomic statement per key that
//! also refuses it when the key must still wait: parallel guesses cannot slip past the limit, and
//! a refused attempt costs no password hash. A success gives its attempt back. Three keys count,
//! in the database so every server instance sees them:
//! - username + address: a few free attempts, then waits doubling up to five minutes (the
//!   attacker's own key);
//! - username alone, from any address: a softer limit whose wait never exceeds a minute, so an
//!   attacker elsewhere slows the real person down but never locks them out;
//! - address (an IPv6 /64 as one address): a NAT's worth of free attempts, then waits.
//!
//! Every refusal reads the same, whether or not the user exists.

use crate::domain::ids::TenantId;
use std::net::IpAddr;

use sqlx::Row;

use crate::backend::auth::client_address::address_prefix;
use crate::backend::auth::passwords::{self, Standing};
use crate::backend::auth::sessions::SessionInfo;
use crate::backend::clock::now;
use crate::backend::error::{DomainError, Result};
use crate::backend::Backend;
use crate::domain::account::{AccountSource, Username};

/// The three kinds of throttle counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Counter {
    /// Username alone, from any address: a soft limit.
    User,
    /// Username from one address: the attacker's own key.
    UserAtAddress,
    /// One address (an IPv6 /64 as one), whatever the username.
    Address,
}

impl Counter {
    const ALL: [Counter; 3] = [Counter::User, Counter::UserAtAddress, Counter::Address];

    /// Free attempts before waits start.
    fn free(self) -> i64 {
        match self {
            Counter::User => FREE_PER_USER,
            Counter::UserAtAddress => FREE_PER_USER_AND_ADDRESS,
            Counter::Address => FREE_PER_ADDRESS,
        }
    }

    /// The longest wait the counter imposes.
    fn max_delay_secs(self) -> i64 {
        match self {
            Counter::User => MAX_USER_DELAY_SECS,
            Counter::UserAtAddress | Counter::Address => MAX_DELAY_SECS,
        }
    }

    /// Whether a success forgets the counter (username keys) or only gives its attempt back.
    fn cleared_on_success(self) -> bool {
        self != Counter::Address
    }

    /// The conditional upsert that counts one attempt unless the key must still wait; built
    /// once per kind.
    fn take_sql(self) -> &'static str {
        static SQL: std::sync::OnceLock<Vec<(Counter, String)>> = std::sync::OnceLock::new();
        SQL.get_or_init(|| {
            Counter::ALL
                .into_iter()
                .map(|c| {
                    let sql = format!(
                        "INSERT INTO login_throttle (throttle_key, failures, last_failure_at) \
                         VALUES ($1, 1, $2) \
                         ON CONFLICT (throttle_key) DO UPDATE SET \
                           failures = CASE WHEN login_throttle.last_failure_at <= $3 THEN 1 \
                                           ELSE login_throttle.failures + 1 END, \
                           last_failure_at = $2 \
                         WHERE login_throttle.last_failure_at <= $3 \
                            OR login_throttle.last_failure_at + ({}) <= $2 \
                         RETURNING failures",
                        delay_sql(c.free(), c.max_delay_secs())
                    );
                    (c, sql)
                })
                .collect()
        })
        .iter()
        .find(|(c, _)| *c == self)
        .map_or("", |(_, sql)| sql.as_str())
    }
}

/// One throttle counter: its kind and its key.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Limit {
    counter: Counter,
    key: String,
}

/// Attempts per username from one address before they are spaced out.
const FREE_PER_USER_AND_ADDRESS: i64 = 5;
/// Attempts per username from all addresses together (an attacker may use many).
const FREE_PER_USER: i64 = 20;
/// Attempts per address (it may be a NAT with many people).
const FREE_PER_ADDRESS: i64 = 20;
/// Attempts older than this are forgotten.
const WINDOW_SECS: i64 = 15 * 60;
/// The longest wait between attempts for one username from one address, or from one address.
const MAX_DELAY_SECS: i64 = 5 * 60;
/// The longest the username alone ever makes anyone wait.
const MAX_USER_DELAY_SECS: i64 = 60;

pub(crate) fn username_key(tenant_id: &TenantId, username: &Username) -> String {
    format!("u:{tenant_id}:{}", username.folded())
}

fn limits(tenant_id: &TenantId, username: &Username, address: Option<IpAddr>) -> Vec<Limit> {
    let user = username_key(tenant_id, username);
    let mut out = vec![Limit {
        counter: Counter::User,
        key: user.clone(),
    }];
    if let Some(addr) = address {
        let prefix = address_prefix(addr);
        out.push(Limit {
            counter: Counter::UserAtAddress,
            key: format!("{user}@{prefix}"),
        });
        out.push(Limit {
            counter: Counter::Address,
            key: format!("a:{prefix}"),
        });
    }
    out
}

/// Seconds to wait before the next attempt, after `attempts` attempts, `free` of them free.
fn delay_after(attempts: i64, free: i64, max: i64) -> i64 {
    if attempts < free {
        return 0;
    }
    let exp = u32::try_from((attempts - free).min(16)).unwrap_or(16);
    (1i64 << exp).min(max)
}

/// [`delay_after`] as SQL over the row's `failures` column, for the atomic statement.
fn delay_sql(free: i64, max: i64) -> String {
    let mut sql = format!("CASE WHEN login_throttle.failures < {free} THEN 0");
    let mut n = free;
    loop {
        let d = delay_after(n, free, max);
        if d >= max {
            break;
        }
        sql.push_str(&format!(" WHEN login_throttle.failures = {n} THEN {d}"));
        n += 1;
    }
    sql.push_str(&format!(" ELSE {max} END"));
    sql
}

/// A successful sign-in: the cookie value and the session it stands for.
pub struct SignedIn {
    pub token: String,
    pub session: SessionInfo,
}

impl Backend {
    /// Signs in a local administrator. `tenant_id` `None` means the default tenant. Every
    /// attempt is counted for `/metrics` by its outcome.
    pub async fn sign_in_local(
        &self,
        tenant_id: Option<&str>,
        username: &str,
        password: &str,
        address: Option<IpAddr>,
    ) -> Result<SignedIn> {
        let result = self
            .check_local_sign_in(tenant_id, username, password, address)
            .await;
        let outcome = match &result {
            Ok(_) => "success",
            Err(DomainError::Internal(_) | DomainError::Db(_)) => "error",
            Err(_) => "refused",
        };
        metrics::counter!("cantara_sign_ins_total", "method" => "password", "outcome" => outcome)
            .increment(1);
        result
    }

    async fn check_local_sign_in(
        &self,
        tenant_id: Option<&str>,
        username: &str,
        password: &str,
        address: Option<IpAddr>,
    ) -> Result<SignedIn> {
        let tenant_id = match tenant_id {
            Some(id) => self.get_tenant(&TenantId::from(id)).await?.id,
            None => self.default_tenant().await?.id,
        };
        let username = Username::parse(username).map_err(|_| DomainError::InvalidCredentials)?;
        let limits = limits(&tenant_id, &username, address);
        let standing = self.take_attempt(&limits).await?;

        let creds = self.find_credentials(&tenant_id, &username).await?;
        let stored = creds.as_ref().and_then(|c| c.password_hash.clone());
        let password_ok = passwords::verify(stored, password, standing).await?;
        // Only local accounts have a password here; SCIM accounts sign in through the IdP.
        let account =
            creds.filter(|c| password_ok && c.is_active && c.source == Some(AccountSource::Local));
        let Some(account) = account else {
            tracing::info!(tenant_id = %tenant_id, "local sign-in refused");
            return Err(DomainError::InvalidCredentials);
        };

        self.give_back_attempt(&limits).await?;
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

    /// Counts one attempt on every key, or on none and refuses when any key must still wait:
    /// one conditional upsert per key inside one write transaction. Returns where the password
    /// check stands in line: by the attempts from its address (without one, its username's).
    async fn take_attempt(&self, limits: &[Limit]) -> Result<Standing> {
        let ts = now();
        let mut tx = self.db.begin_write().await?;
        let mut standing = Standing::FIRST;
        for limit in limits {
            let taken = sqlx::query(sqlx::AssertSqlSafe(limit.counter.take_sql()))
                .bind(&limit.key)
                .bind(ts)
                .bind(ts - WINDOW_SECS)
                .fetch_optional(&mut *tx)
                .await?;
            let Some(taken) = taken else {
                let row = sqlx::query(
                    "SELECT failures, last_failure_at FROM login_throttle WHERE throttle_key = $1",
                )
                .bind(&limit.key)
                .fetch_one(&mut *tx)
                .await?;
                let failures: i64 = row.try_get("failures")?;
                let last: i64 = row.try_get("last_failure_at")?;
                let c = limit.counter;
                let wait = delay_after(failures, c.free(), c.max_delay_secs()) - (ts - last);
                tx.rollback().await?;
                return Err(DomainError::Throttled {
                    retry_after_secs: wait.max(1).unsigned_abs(),
                });
            };
            if limit.counter == Counter::Address || limits.len() == 1 {
                standing = Standing::after_attempts(taken.try_get("failures")?);
            }
        }
        tx.commit().await?;
        Ok(standing)
    }

    /// After a success: username counters are forgotten, the address gets its attempt back.
    async fn give_back_attempt(&self, limits: &[Limit]) -> Result<()> {
        let mut tx = self.db.begin_write().await?;
        for limit in limits {
            let sql = if limit.counter.cleared_on_success() {
                "DELETE FROM login_throttle WHERE throttle_key = $1"
            } else {
                "UPDATE login_throttle SET failures = failures - 1 \
                 WHERE throttle_key = $1 AND failures > 0"
            };
            sqlx::query(sql).bind(&limit.key).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_grows_after_free_attempts_and_is_capped() {
        assert_eq!(delay_after(0, 5, MAX_DELAY_SECS), 0);
        assert_eq!(delay_after(4, 5, MAX_DELAY_SECS), 0);
        assert_eq!(delay_after(5, 5, MAX_DELAY_SECS), 1);
        assert_eq!(delay_after(6, 5, MAX_DELAY_SECS), 2);
        assert_eq!(delay_after(10, 5, MAX_DELAY_SECS), 32);
        assert_eq!(delay_after(100, 5, MAX_DELAY_SECS), MAX_DELAY_SECS);
        assert_eq!(delay_after(100, 20, MAX_USER_DELAY_SECS), 60);
    }

    #[test]
    fn the_sql_delay_is_the_same_table() {
        let sql = delay_sql(5, MAX_USER_DELAY_SECS);
        assert!(
            sql.starts_with("CASE WHEN login_throttle.failures < 5 THEN 0"),
            "{sql}"
        );
        assert!(
            sql.contains("WHEN login_throttle.failures = 10 THEN 32"),
            "{sql}"
        );
        assert!(sql.ends_with("ELSE 60 END"), "{sql}");
    }
}
