//! The security audit trail of a tenant: Security Topic changes and assignments, refused
//! permission checks, and sign-ins. Identical refusals within a few minutes are folded into one
//! row with a count, so a page that retries cannot flood the trail.

use crate::domain::ids::TenantId;
use sqlx::{AnyConnection, Row};

use crate::backend::auth::sessions::SessionInfo;
use crate::backend::clock::now;
use crate::backend::error::Result;
use crate::backend::Backend;
use crate::domain::security_topic::SecurityAuditEntry;

/// Repeats of the same refusal by the same person within this window add to one row.
const FOLD_WINDOW_SECS: i64 = 10 * 60;
/// The trail keeps at most this many rows per tenant (oldest go first).
const KEEP_PER_TENANT: i64 = 10_000;

/// What is recorded (the `action` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    TopicCreated,
    TopicChanged,
    TopicDeleted,
    TopicAssigned,
    TopicRemoved,
    PermissionRefused,
    SignedIn,
}

impl AuditAction {
    pub fn as_db(self) -> &'static str {
        match self {
            AuditAction::TopicCreated => "Topic created",
            AuditAction::TopicChanged => "Topic changed",
            AuditAction::TopicDeleted => "Topic deleted",
            AuditAction::TopicAssigned => "Topic assigned",
            AuditAction::TopicRemoved => "Topic removed",
            AuditAction::PermissionRefused => "Permission refused",
            AuditAction::SignedIn => "Signed in",
        }
    }
}

/// Appends a row inside the caller's transaction (so a change and its record land together),
/// keeping the newest [`KEEP_PER_TENANT`] rows of the tenant.
/// Records what the signed-in `caller` did in the tenant they are working in.
pub(crate) async fn record_by(
    conn: &mut AnyConnection,
    caller: &SessionInfo,
    action: AuditAction,
    detail: &str,
) -> Result<()> {
    record(conn, &caller.tenant_id, &caller.username, action, detail).await
}

pub(crate) async fn record(
    conn: &mut AnyConnection,
    tenant_id: &TenantId,
    actor: &str,
    action: AuditAction,
    detail: &str,
) -> Result<()> {
    let ts = now();
    sqlx::query(
        "INSERT INTO security_audit (tenant_id, at, last_at, actor, action, detail, repeats) \
         VALUES ($1, $2, $2, $3, $4, $5, 1)",
    )
    .bind(tenant_id)
    .bind(ts)
    .bind(actor)
    .bind(action.as_db())
    .bind(detail)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "DELETE FROM security_audit WHERE tenant_id = $1 AND audit_id <= \
         (SELECT MAX(audit_id) FROM security_audit WHERE tenant_id = $1) - $2",
    )
    .bind(tenant_id)
    .bind(KEEP_PER_TENANT)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

impl Backend {
    /// Records a refused permission check, folding repeats of the last ten minutes.
    pub async fn record_refusal(
        &self,
        tenant_id: &TenantId,
        actor: &str,
        detail: &str,
    ) -> Result<()> {
        let ts = now();
        let action = AuditAction::PermissionRefused.as_db();
        let mut tx = self.db.begin_write().await?;
        let folded = sqlx::query(
            "UPDATE security_audit SET repeats = repeats + 1, last_at = $1 \
             WHERE audit_id = (SELECT MAX(audit_id) FROM security_audit \
               WHERE tenant_id = $2 AND actor = $3 AND action = $4 AND detail = $5 AND last_at >= $6)",
        )
        .bind(ts)
        .bind(tenant_id)
        .bind(actor)
        .bind(action)
        .bind(detail)
        .bind(ts - FOLD_WINDOW_SECS)
        .execute(&mut *tx)
        .await?;
        if folded.rows_affected() == 0 {
            record(
                &mut tx,
                tenant_id,
                actor,
                AuditAction::PermissionRefused,
                detail,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Records a sign-in to the console (`how`: "password" or "single sign-on").
    pub async fn record_sign_in(
        &self,
        tenant_id: &TenantId,
        username: &str,
        how: &str,
    ) -> Result<()> {
        let mut tx = self.db.begin_write().await?;
        record(&mut tx, tenant_id, username, AuditAction::SignedIn, how).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The newest entries of the tenant's trail, newest first.
    pub async fn security_audit(
        &self,
        tenant_id: &TenantId,
        limit: i64,
    ) -> Result<Vec<SecurityAuditEntry>> {
        let rows = sqlx::query(
            "SELECT at, last_at, actor, action, detail, repeats FROM security_audit \
             WHERE tenant_id = $1 ORDER BY audit_id DESC LIMIT $2",
        )
        .bind(tenant_id)
        .bind(limit.clamp(1, 500))
        .fetch_all(&self.db.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(SecurityAuditEntry {
                    at: r.try_get("at")?,
                    last_at: r.try_get("last_at")?,
                    actor: r.try_get("actor")?,
                    action: r.try_get("action")?,
                    detail: r.try_get("detail")?,
                    repeats: r.try_get("repeats")?,
                })
            })
            .collect()
    }
}
