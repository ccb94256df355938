//! Reads what the mass-deprovisioning notice is judged on: the tenant's threshold, the accounts
//! deactivated or deleted over SCIM in the last hour, and the groups holding a Security Topic
//! that the hour emptied, with who was removed. The judgement: `domain::mass_deprovisioning`.

use sqlx::Row;

use crate::backend::clock::now;
use crate::backend::error::Result;
use crate::backend::Backend;
use crate::domain::ids::TenantId;
use crate::domain::mass_deprovisioning::{
    assess, Affected, EmptiedGroup, MassDeprovisioning, MassThreshold, Removal, WINDOW_SECS,
};

/// Removal records older than this are trimmed.
const KEEP_REMOVALS_SECS: i64 = 86_400;

impl Backend {
    pub async fn mass_threshold(&self, tenant_id: &TenantId) -> Result<MassThreshold> {
        let row = sqlx::query(
            "SELECT mass_share_percent, mass_min_people FROM alert_settings WHERE tenant_id = $1",
        )
        .bind(tenant_id)
        .fetch_optional(&self.db.pool)
        .await?;
        Ok(match row {
            Some(r) => MassThreshold {
                share_percent: r.try_get("mass_share_percent")?,
                min_people: r.try_get("mass_min_people")?,
            },
            None => MassThreshold::default(),
        })
    }

    pub async fn set_mass_threshold(
        &self,
        tenant_id: &TenantId,
        share_percent: &str,
        min_people: &str,
    ) -> Result<MassThreshold> {
        let t = MassThreshold::parse(share_percent, min_people)?;
        let _writer = self.db.lock_writes().await;
        sqlx::query(
            "INSERT INTO alert_settings (tenant_id, mass_share_percent, mass_min_people, updated_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id) DO UPDATE SET \
             mass_share_percent = excluded.mass_share_percent, mass_min_people = excluded.mass_min_people, \
             updated_at = excluded.updated_at",
        )
        .bind(tenant_id)
        .bind(t.share_percent)
        .bind(t.min_people)
        .bind(now())
        .execute(&self.db.pool)
        .await?;
        Ok(t)
    }

    /// The notice for the last hour, if one is due.
    pub async fn mass_deprovisioning(
        &self,
        tenant_id: &TenantId,
    ) -> Result<Option<MassDeprovisioning>> {
        let since = now() - WINDOW_SECS;
        let threshold = self.mass_threshold(tenant_id).await?;
        let active_now: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM account WHERE tenant_id = $1 AND source = 'scim' AND is_active = 1 \
             AND scim_deleted_at IS NULL",
        )
        .bind(tenant_id)
        .fetch_one(&self.db.pool)
        .await?;
        let rows = sqlx::query(
            "SELECT account_id, username, display_name, deactivated_at, scim_deleted_at FROM account \
             WHERE tenant_id = $1 AND source = 'scim' AND (deactivated_at >= $2 OR scim_deleted_at >= $2)",
        )
        .bind(tenant_id)
        .bind(since)
        .fetch_all(&self.db.pool)
        .await?;
        let mut deprovisioned = Vec::with_capacity(rows.len());
        for r in rows {
            let deleted: Option<i64> = r.try_get("scim_deleted_at")?;
            let deactivated: Option<i64> = r.try_get("deactivated_at")?;
            let (what, at) = match deleted.filter(|at| *at >= since) {
                Some(at) => (Removal::Deleted, at),
                None => (Removal::Deactivated, deactivated.unwrap_or(since)),
            };
            deprovisioned.push(Affected {
                account_id: r.try_get("account_id")?,
                username: r.try_get("username")?,
                display_name: r.try_get("display_name")?,
                what,
                group: None,
                at,
            });
        }
        let emptied = self.groups_emptied_since(tenant_id, since).await?;
        Ok(assess(threshold, active_now, deprovisioned, emptied))
    }

    /// Groups that hold a Security Topic, have no member now and lost members since `since`.
    async fn groups_emptied_since(
        &self,
        tenant_id: &TenantId,
        since: i64,
    ) -> Result<Vec<EmptiedGroup>> {
        let rows = sqlx::query(
            "SELECT g.display_name, r.account_id, MAX(r.at) AS at, a.username, a.display_name AS person \
             FROM membership_removal r JOIN security_group g ON g.group_id = r.group_id \
             LEFT JOIN account a ON a.account_id = r.account_id \
             WHERE r.tenant_id = $1 AND r.at >= $2 \
             AND EXISTS (SELECT 1 FROM group_topic t WHERE t.group_id = r.group_id) \
             AND NOT EXISTS (SELECT 1 FROM group_member m WHERE m.group_id = r.group_id) \
             GROUP BY r.group_id, g.display_name, r.account_id, a.username, a.display_name \
             ORDER BY g.display_name",
        )
        .bind(tenant_id)
        .bind(since)
        .fetch_all(&self.db.pool)
        .await?;
        let mut groups: Vec<EmptiedGroup> = Vec::new();
        for r in rows {
            let name: String = r.try_get("display_name")?;
            let account_id: String = r.try_get("account_id")?;
            let person = Affected {
                username: r
                    .try_get::<Option<String>, _>("username")?
                    .unwrap_or_else(|| account_id.clone()),
                display_name: r
                    .try_get::<Option<String>, _>("person")?
                    .unwrap_or_default(),
                account_id,
                what: Removal::RemovedFromGroup,
                group: Some(name.clone()),
                at: r.try_get("at")?,
            };
            match groups.last_mut().filter(|g| g.name == name) {
                Some(g) => g.removed.push(person),
                None => groups.push(EmptiedGroup {
                    name,
                    removed: vec![person],
                }),
            }
        }
        Ok(groups)
    }

    /// Drops removal records older than a day (the timer calls it).
    pub async fn trim_membership_removals(&self) -> Result<u64> {
        let _writer = self.db.lock_writes().await;
        let done = sqlx::query("DELETE FROM membership_removal WHERE at < $1")
            .bind(now() - KEEP_REMOVALS_SECS)
            .execute(&self.db.pool)
            .await?;
        Ok(done.rows_affected())
    }
}
