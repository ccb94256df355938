//! One check of a tenant's alerts: the conditions now against the levels last alerted
//! (`alert_state`). Each change is applied as a compare-and-set on that row and, in the same
//! transaction, queued for every channel of the tenant — so an alert is queued once, also when
//! several instances check at the same moment, and nothing is queued for a change not recorded.

use sqlx::Row;

use crate::backend::clock::now;
use crate::backend::error::Result;
use crate::backend::Backend;
use crate::domain::alerts::{changes, AlertEvent, Change, EventKind, Sent};
use crate::domain::ids::TenantId;
use crate::domain::tenant::Tenant;

/// Where in the console an alert's key is looked into.
fn console_path(key: &str) -> &'static str {
    match key {
        "client_secret" => "/identity-providers",
        k if k.starts_with("token:") => "/tenants",
        _ => "/provisioning",
    }
}

impl Backend {
    pub(crate) fn alert_event(
        &self,
        tenant: &Tenant,
        kind: EventKind,
        key: &str,
        level: &str,
        title: &str,
        detail: &str,
    ) -> AlertEvent {
        AlertEvent {
            id: uuid::Uuid::new_v4().to_string(),
            kind,
            tenant_id: tenant.id.to_string(),
            tenant_name: tenant.name.clone(),
            key: key.to_owned(),
            level: level.to_owned(),
            title: title.to_owned(),
            detail: detail.to_owned(),
            at: now(),
            console_url: format!("{}{}", self.public_url(), console_path(key)),
        }
    }

    async fn alerted(&self, tenant_id: &TenantId) -> Result<Vec<Sent>> {
        let rows =
            sqlx::query("SELECT alert_key, level, title FROM alert_state WHERE tenant_id = $1")
                .bind(tenant_id)
                .fetch_all(&self.db.pool)
                .await?;
        rows.iter()
            .map(|r| {
                Ok(Sent {
                    key: r.try_get("alert_key")?,
                    level: r.try_get("level")?,
                    title: r.try_get("title")?,
                })
            })
            .collect()
    }

    /// Checks one tenant; how many events were queued (one per change and channel).
    pub async fn check_alerts(&self, tenant: &Tenant) -> Result<usize> {
        let conditions = self.alert_conditions(&tenant.id).await?;
        let sent = self.alerted(&tenant.id).await?;
        let mut queued = 0;
        for change in changes(&conditions, &sent) {
            let ts = now();
            let mut tx = self.db.begin_write().await?;
            let (applied, event) = match &change {
                Change::Raised {
                    condition: c,
                    was: None,
                } => {
                    let done = sqlx::query(
                        "INSERT INTO alert_state (tenant_id, alert_key, level, title, since) VALUES ($1, $2, $3, $4, $5) \
                         ON CONFLICT (tenant_id, alert_key) DO NOTHING",
                    )
                    .bind(&tenant.id)
                    .bind(&c.key)
                    .bind(&c.level)
                    .bind(&c.title)
                    .bind(ts)
                    .execute(&mut *tx)
                    .await?;
                    let e = self.alert_event(
                        tenant,
                        EventKind::Alert,
                        &c.key,
                        &c.level,
                        &c.title,
                        &c.detail,
                    );
                    (done.rows_affected() == 1, e)
                }
                Change::Raised {
                    condition: c,
                    was: Some(old),
                } => {
                    let done = sqlx::query(
                        "UPDATE alert_state SET level = $1, title = $2, since = $3 \
                         WHERE tenant_id = $4 AND alert_key = $5 AND level = $6",
                    )
                    .bind(&c.level)
                    .bind(&c.title)
                    .bind(ts)
                    .bind(&tenant.id)
                    .bind(&c.key)
                    .bind(old)
                    .execute(&mut *tx)
                    .await?;
                    let e = self.alert_event(
                        tenant,
                        EventKind::Alert,
                        &c.key,
                        &c.level,
                        &c.title,
                        &c.detail,
                    );
                    (done.rows_affected() == 1, e)
                }
                Change::Resolved { key, was, title } => {
                    let done = sqlx::query(
                        "DELETE FROM alert_state WHERE tenant_id = $1 AND alert_key = $2 AND level = $3",
                    )
                    .bind(&tenant.id)
                    .bind(key)
                    .bind(was)
                    .execute(&mut *tx)
                    .await?;
                    let detail = format!("Resolved: {title} ({was}) no longer holds.");
                    let e = self.alert_event(
                        tenant,
                        EventKind::Resolved,
                        key,
                        "resolved",
                        title,
                        &detail,
                    );
                    (done.rows_affected() == 1, e)
                }
            };
            if applied {
                queued += self
                    .queue_event(&mut tx, &tenant.id, &event, None)
                    .await?
                    .len();
                tracing::info!(tenant = %tenant.id, key = %event.key, level = %event.level, "alert state changed");
            }
            tx.commit().await?;
        }
        Ok(queued)
    }

    /// Checks every tenant; how many events were queued. One tenant failing does not stop the rest.
    pub async fn check_all_alerts(&self) -> Result<usize> {
        let mut queued = 0;
        for tenant in self.list_tenants().await? {
            match self.check_alerts(&tenant).await {
                Ok(n) => queued += n,
                Err(e) => tracing::warn!(tenant = %tenant.id, error = %e, "checking alerts failed"),
            }
        }
        Ok(queued)
    }
}
