//! Entra's Test Connection and first provisioning cycle, noticed by the activity log's writer in
//! the same transaction as the log rows (off the SCIM requests' path) and kept per tenant, so
//! they outlive the log's trimming. Each tenant's row is read and written under the write lock
//! (SQLite) or a row lock (PostgreSQL), so several instances count every request once.

use std::collections::BTreeMap;

use crate::backend::sql::{self, Conn, Row};

use crate::backend::db::{bit, DbKind};
use crate::backend::error::Result;
use crate::backend::Backend;
use crate::domain::entra_setup::{Milestones, Seen};
use crate::domain::ids::TenantId;
use crate::domain::provisioning::ActivityEvent;
use crate::scim::filter::{self, CompValue, CompareOp, Filter};

/// What one logged request means for the milestones; None for refused tokens.
pub fn seen(e: &ActivityEvent) -> Option<Seen> {
    if e.status == 401 {
        return None;
    }
    let mut parts = e.path.trim_start_matches('/').split('/');
    let resource = parts.next().unwrap_or("");
    let has_id = parts.next().is_some_and(|p| !p.is_empty());
    let users = resource.eq_ignore_ascii_case("Users");
    let groups = resource.eq_ignore_ascii_case("Groups");
    let get = e.method == "GET";
    Some(match e.status {
        s if s >= 500 || (s >= 400 && !(get && s == 404)) => Seen::Failure,
        200 if get
            && users
            && !has_id
            && e.listed == Some(0)
            && is_username_query(e.filter.as_deref()) =>
        {
            Seen::Probe
        }
        201 if e.method == "POST" && users && !has_id => Seen::UserCreated,
        201 if e.method == "POST" && groups && !has_id => Seen::GroupCreated,
        _ if get => Seen::Read,
        _ => Seen::Write,
    })
}

/// `userName eq "…"`: the query Entra's Test Connection (and its matching step) sends.
fn is_username_query(text: Option<&str>) -> bool {
    matches!(
        text.map(filter::parse),
        Some(Ok(Filter::Compare(path, CompareOp::Eq, CompValue::Str(_))))
            if path.attr.eq_ignore_ascii_case("userName") && path.sub.is_none() && path.urn.is_none()
    )
}

const COLUMNS: &str =
    "test_connection_at, cycle_started_at, cycle_last_at, cycle_users, cycle_groups, \
     cycle_failures, cycle_ended";

pub fn from_row(r: &Row) -> Result<Milestones> {
    Ok(Milestones {
        test_connection_at: r.get("test_connection_at")?,
        cycle_started_at: r.get("cycle_started_at")?,
        cycle_last_at: r.get("cycle_last_at")?,
        cycle_users: r.get("cycle_users")?,
        cycle_groups: r.get("cycle_groups")?,
        cycle_failures: r.get("cycle_failures")?,
        cycle_ended: r.flag("cycle_ended")?,
    })
}

impl Backend {
    /// A tenant's milestones (none seen yet: the default).
    pub async fn milestones(&self, tenant_id: &TenantId) -> Result<Milestones> {
        let mut reader = self.db.reader().await?;
        let row = sql::query_assembled(format!(
            "SELECT {COLUMNS} FROM provisioning_milestone WHERE tenant_id = $1"
        ))
        .bind(tenant_id)
        .fetch_optional(&mut reader.conn())
        .await?;
        row.as_ref()
            .map(from_row)
            .transpose()
            .map(Option::unwrap_or_default)
    }

    /// Whether Entra has provisioned anyone into the tenant.
    pub async fn has_provisioned_users(&self, tenant_id: &TenantId) -> Result<bool> {
        let any: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM account WHERE tenant_id = $1 AND source = 'scim' LIMIT 1",
        )
        .bind(tenant_id)
        .fetch_optional(&self.db.pool)
        .await?;
        Ok(any.is_some())
    }
}

/// Folds a batch of logged requests into their tenants' milestones (inside the batch's write
/// transaction). Tenants whose milestones cannot change any more are only read.
pub async fn record(conn: &mut Conn<'_>, kind: DbKind, batch: &[ActivityEvent]) -> Result<()> {
    let mut by_tenant: BTreeMap<&str, Vec<(i64, Seen)>> = BTreeMap::new();
    for e in batch {
        if let Some(s) = seen(e) {
            by_tenant
                .entry(e.tenant_id.as_str())
                .or_default()
                .push((e.at, s));
        }
    }
    for (tenant, events) in by_tenant {
        // Made-up tenant ids never get here (only refusals are logged for them), but a tenant
        // deleted meanwhile may: the row is made only for a tenant that exists.
        sql::query(
            "INSERT INTO provisioning_milestone (tenant_id) SELECT $1 WHERE EXISTS \
             (SELECT 1 FROM tenant WHERE tenant_id = $1) ON CONFLICT (tenant_id) DO NOTHING",
        )
        .bind(tenant)
        .execute(conn)
        .await?;
        let lock = if kind == DbKind::Postgres {
            " FOR UPDATE"
        } else {
            ""
        };
        let Some(row) = sql::query_assembled(format!(
            "SELECT {COLUMNS} FROM provisioning_milestone WHERE tenant_id = $1{lock}"
        ))
        .bind(tenant)
        .fetch_optional(conn)
        .await?
        else {
            continue;
        };
        let before = from_row(&row)?;
        let mut after = before.clone();
        for (at, s) in events {
            after.observe(at, s);
        }
        if after == before {
            continue;
        }
        sql::query(
            "UPDATE provisioning_milestone SET test_connection_at = $2, cycle_started_at = $3, cycle_last_at = $4, \
             cycle_users = $5, cycle_groups = $6, cycle_failures = $7, cycle_ended = $8 WHERE tenant_id = $1",
        )
        .bind(tenant)
        .bind(after.test_connection_at)
        .bind(after.cycle_started_at)
        .bind(after.cycle_last_at)
        .bind(after.cycle_users)
        .bind(after.cycle_groups)
        .bind(after.cycle_failures)
        .bind(bit(after.cycle_ended))
        .execute(conn)
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(
        method: &str,
        path: &str,
        status: u16,
        filter: Option<&str>,
        listed: Option<i64>,
    ) -> ActivityEvent {
        ActivityEvent {
            tenant_id: TenantId::from("t"),
            at: 1,
            method: method.into(),
            path: path.into(),
            status,
            resource_id: None,
            detail: None,
            filter: filter.map(str::to_owned),
            listed,
        }
    }

    #[test]
    fn requests_are_told_apart() {
        let probe = r#"userName eq "d1f4e8a0-1b2c-4d5e-8f90-123456789abc""#;
        assert_eq!(
            seen(&event("GET", "/Users", 200, Some(probe), Some(0))),
            Some(Seen::Probe)
        );
        // A query that found someone, or on another attribute, is no probe.
        assert_eq!(
            seen(&event("GET", "/Users", 200, Some(probe), Some(1))),
            Some(Seen::Read)
        );
        assert_eq!(
            seen(&event(
                "GET",
                "/Users",
                200,
                Some(r#"externalId eq "x""#),
                Some(0)
            )),
            Some(Seen::Read)
        );
        assert_eq!(
            seen(&event("GET", "/Users", 200, Some("userName eq"), Some(0))),
            Some(Seen::Read)
        );
        assert_eq!(
            seen(&event("POST", "/Users", 201, None, None)),
            Some(Seen::UserCreated)
        );
        assert_eq!(
            seen(&event("POST", "/Groups", 201, None, None)),
            Some(Seen::GroupCreated)
        );
        assert_eq!(
            seen(&event("PATCH", "/Groups/g1", 204, None, None)),
            Some(Seen::Write)
        );
        assert_eq!(
            seen(&event("POST", "/Users", 400, None, None)),
            Some(Seen::Failure)
        );
        assert_eq!(
            seen(&event("GET", "/Users/u1", 404, None, None)),
            Some(Seen::Read)
        );
        assert_eq!(seen(&event("GET", "/Users", 401, None, None)), None);
    }
}
