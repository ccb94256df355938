//! Reads what provisioning health is derived from: a tenant's newest recorded SCIM requests,
//! the request and failure counts of the last hour and day, and whether Entra has provisioned
//! the tenant before. The state itself: `domain::provisioning_health`.

use sqlx::Row;

use crate::backend::clock::now;
use crate::backend::error::Result;
use crate::backend::Backend;
use crate::domain::ids::TenantId;
use crate::domain::provisioning_health::{
    assess, HealthFacts, ProvisioningHealth, RecentRequest, RECENT,
};

impl Backend {
    pub async fn provisioning_health(&self, tenant_id: &TenantId) -> Result<ProvisioningHealth> {
        let ts = now();
        let rows = sqlx::query(
            "SELECT at, method, path, status, detail FROM provisioning_event WHERE tenant_id = $1 \
             ORDER BY event_id DESC LIMIT $2",
        )
        .bind(tenant_id)
        .bind(RECENT as i64)
        .fetch_all(&self.db.pool)
        .await?;
        let recent = rows
            .iter()
            .map(|r| {
                Ok(RecentRequest {
                    at: r.try_get("at")?,
                    method: r.try_get("method")?,
                    path: r.try_get("path")?,
                    status: u16::try_from(r.try_get::<i64, _>("status")?).unwrap_or(0),
                    detail: r.try_get("detail")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let hour = self.requests_since(tenant_id, ts - 3600).await?;
        let day = self.requests_since(tenant_id, ts - 86_400).await?;
        let has_run = self.milestones(tenant_id).await?.cycle_started_at.is_some()
            || self.has_provisioned_users(tenant_id).await?;
        let mut health = assess(&HealthFacts {
            now: ts,
            recent,
            hour,
            day,
            has_run,
        });
        health.mass_deprovisioning = self.mass_deprovisioning(tenant_id).await?;
        Ok(health)
    }

    /// Requests and failures (status ≥ 400) recorded since `since`.
    async fn requests_since(&self, tenant_id: &TenantId, since: i64) -> Result<(i64, i64)> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(CASE WHEN status >= 400 THEN 1 ELSE 0 END), 0) AS BIGINT) AS failed \
             FROM provisioning_event WHERE tenant_id = $1 AND at >= $2",
        )
        .bind(tenant_id)
        .bind(since)
        .fetch_one(&self.db.pool)
        .await?;
        Ok((row.try_get("n")?, row.try_get("failed")?))
    }
}
