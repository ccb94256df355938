//! The provisioning activity log: one row per SCIM request (time, method, path, status,
//! resource id, error detail; never a token), trimmed to the newest [`KEEP_PER_TENANT`] per tenant
//! every [`TRIM_EVERY`] events written.
//!
//! Requests hand their event to a channel; one writer task stores them in batches, so the log
//! costs SCIM requests no extra write transaction each. The writer waits to collect a batch
//! only while fewer than a batch are queued, so it keeps up with any sustained SCIM rate (a
//! writer that always waited stored at most 2,500 events a second and dropped the rest).

use crate::domain::ids::TenantId;
use sqlx::Row;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

use crate::backend::db::Db;
use crate::backend::error::Result;
use crate::backend::sql;
use crate::backend::Backend;
use crate::domain::provisioning::{ActivityEntry, ActivityPage, ResourceRef};
pub use crate::domain::provisioning::{ActivityEvent, ProvisioningSummary};

/// Newest events kept per tenant.
pub const KEEP_PER_TENANT: i64 = 10_000;
/// Events waiting to be written; beyond this, new events are dropped (and counted in the log).
const QUEUE: usize = 20_000;
/// Events per write. A batch is one savepoint of the group writer (`sql::group`), whose
/// sub-journal keeps, in memory, every index page the batch touches first (random resource
/// ids touch one page each): 250 keeps that near a megabyte.
const BATCH: usize = 250;
const COLLECT: std::time::Duration = std::time::Duration::from_millis(100);

enum Message {
    Event(ActivityEvent),
    Flush(oneshot::Sender<()>),
}

/// At most one warning about dropped events per this many seconds (each drop is counted).
const WARN_EVERY_SECS: i64 = 10;

#[derive(Debug, Clone)]
pub struct ActivityLog {
    tx: mpsc::Sender<Message>,
    drops: Arc<Drops>,
}

/// Events dropped since the last warning, and when that warning was.
#[derive(Debug, Default)]
struct Drops {
    unreported: AtomicU64,
    warned_at: AtomicI64,
}

impl ActivityLog {
    pub fn start(db: Db) -> Self {
        let (tx, rx) = mpsc::channel(QUEUE);
        tokio::spawn(writer(db, rx));
        Self {
            tx,
            drops: Arc::default(),
        }
    }

    pub fn record(&self, event: ActivityEvent) {
        if self.tx.try_send(Message::Event(event)).is_err() {
            metrics::counter!("cantara_activity_dropped_total").increment(1);
            self.drops.unreported.fetch_add(1, Ordering::Relaxed);
            let now = crate::backend::clock::now();
            let last = self.drops.warned_at.load(Ordering::Relaxed);
            if now - last >= WARN_EVERY_SECS
                && self
                    .drops
                    .warned_at
                    .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                    .is_ok()
            {
                let dropped = self.drops.unreported.swap(0, Ordering::Relaxed);
                tracing::warn!(dropped, "provisioning activity queue full; events dropped");
            }
        }
    }

    /// Events waiting for the writer (the `/metrics` queue depth).
    pub fn queued(&self) -> usize {
        self.tx.max_capacity() - self.tx.capacity()
    }

    /// Waits until every event recorded so far is stored (tests, shutdown).
    pub async fn flush(&self) {
        let (ack, done) = oneshot::channel();
        if self.tx.send(Message::Flush(ack)).await.is_ok() {
            let _ = done.await;
        }
    }
}

async fn writer(db: Db, mut rx: mpsc::Receiver<Message>) {
    let mut batch = Vec::with_capacity(BATCH);
    let mut acks = Vec::new();
    let mut written: u64 = 0;
    while let Some(first) = rx.recv().await {
        // Let a quiet period fill the batch: one write transaction per 100 ms at most, instead of
        // one per request competing with the requests' own writes. A full batch already waiting
        // is written at once.
        if matches!(first, Message::Event(_)) && rx.len() + 1 < BATCH {
            tokio::time::sleep(COLLECT).await;
        }
        let mut next = Some(first);
        while let Some(msg) = next.take() {
            match msg {
                Message::Event(e) => batch.push(e),
                Message::Flush(a) => acks.push(a),
            }
            if batch.len() < BATCH {
                next = rx.try_recv().ok();
            }
        }
        if !batch.is_empty() {
            match store(&db, &batch).await {
                Ok(()) => written += batch.len() as u64,
                Err(e) => tracing::error!(error = %e, "writing provisioning activity failed"),
            }
            if written >= TRIM_EVERY {
                written = 0;
                if let Err(e) = trim(&db).await {
                    tracing::warn!(error = %e, "trimming provisioning activity failed");
                }
            }
            batch.clear();
        }
        for a in acks.drain(..) {
            let _ = a.send(());
        }
    }
}

/// Rows per INSERT statement: a batch is a dozen statements, not one per event. (Each statement
/// inside the group writer's savepoint ends by trimming SQLite's in-memory sub-journal, walking
/// it from its start, so one statement per event made a batch quadratic in its pages; binding
/// looks each placeholder up by a linear scan, so very wide statements are quadratic too.)
/// Shapes of 20, 5 and 1 rows keep the prepared statements few.
const ROWS_PER_INSERT: [usize; 3] = [20, 5, 1];
/// Events written between two trims of the log (each trim scans [`KEEP_PER_TENANT`] entries).
const TRIM_EVERY: u64 = 5_000;

async fn store(db: &Db, batch: &[ActivityEvent]) -> Result<()> {
    let mut tx = db.transaction().await?;
    let mut conn = tx.conn();
    // Only tenants that exist get rows (a tenant deleted meanwhile, or a made-up id refused).
    let mut tenants: Vec<&TenantId> = batch.iter().map(|e| &e.tenant_id).collect();
    tenants.sort_unstable();
    tenants.dedup();
    let mut existing = Vec::with_capacity(tenants.len());
    for t in tenants {
        let found = sql::query("SELECT 1 FROM tenant WHERE tenant_id = $1")
            .bind(t)
            .fetch_optional(&mut conn)
            .await?;
        if found.is_some() {
            existing.push(t);
        }
    }
    let kept: Vec<&ActivityEvent> = batch
        .iter()
        .filter(|e| existing.contains(&&e.tenant_id))
        .collect();
    let mut rest = kept.as_slice();
    while !rest.is_empty() {
        let rows = ROWS_PER_INSERT
            .into_iter()
            .find(|n| *n <= rest.len())
            .unwrap_or(1);
        let (chunk, after) = rest.split_at(rows);
        rest = after;
        let values = (0..rows)
            .map(|r| {
                let p = (1..=8).map(|c| format!("${}", r * 8 + c));
                format!("({})", p.collect::<Vec<_>>().join(", "))
            })
            .collect::<Vec<_>>()
            .join(", ");
        let mut q = sql::query_assembled(format!(
            "INSERT INTO provisioning_event (tenant_id, at, method, path, status, resource_id, detail, filter) \
             VALUES {values}"
        ));
        for e in chunk {
            q = q
                .bind(&e.tenant_id)
                .bind(e.at)
                .bind(&e.method)
                .bind(&e.path)
                .bind(i64::from(e.status))
                .bind(&e.resource_id)
                .bind(&e.detail)
                .bind(&e.filter);
        }
        q.execute(&mut conn).await?;
    }
    crate::backend::entra_setup::milestones::record(&mut conn, db.kind, batch).await?;
    tx.commit().await?;
    Ok(())
}

/// Rows per page of the Provisioning log.
pub const ACTIVITY_PER_PAGE: i64 = 50;

/// How many refused requests a minute a tenant's log records.
pub const REFUSALS_PER_MINUTE: u32 = 30;

/// One log row as shown: the resource by name and link, the filter in words, no debug text.
fn entry(r: &sqlx::any::AnyRow) -> Result<ActivityEntry> {
    let resource_id: Option<String> = r.try_get("resource_id")?;
    let username: Option<String> = r.try_get("username")?;
    let group: Option<String> = r.try_get("group_name")?;
    let resource = resource_id.map(|id| match (username, group) {
        (Some(name), _) => ResourceRef {
            href: Some(format!("/users/{id}")),
            name,
            id,
        },
        (None, Some(name)) => ResourceRef {
            href: Some(format!("/security-groups/{id}")),
            name,
            id,
        },
        (None, None) => ResourceRef {
            name: id.clone(),
            href: None,
            id,
        },
    });
    let filter: Option<String> = r.try_get("filter")?;
    let filter_words = filter.map(|f| match crate::scim::filter::parse(&f) {
        Ok(parsed) => parsed.in_words(),
        Err(_) => format!("an invalid filter: {f}"),
    });
    Ok(ActivityEntry {
        at: r.try_get("at")?,
        method: r.try_get("method")?,
        path: r.try_get("path")?,
        status: u16::try_from(r.try_get::<i64, _>("status")?).unwrap_or(0),
        resource,
        detail: r.try_get("detail")?,
        filter_words,
    })
}

/// Keeps the newest events of each tenant.
async fn trim(db: &Db) -> Result<()> {
    let tenants: Vec<String> = sqlx::query_scalar("SELECT tenant_id FROM tenant")
        .fetch_all(&db.pool)
        .await?;
    for t in tenants {
        sqlx::query(
            "DELETE FROM provisioning_event WHERE tenant_id = $1 AND event_id <= \
             (SELECT event_id FROM provisioning_event WHERE tenant_id = $1 ORDER BY event_id DESC LIMIT 1 OFFSET $2)",
        )
        .bind(&t)
        .bind(KEEP_PER_TENANT)
        .execute(&db.pool)
        .await?;
    }
    Ok(())
}

impl Backend {
    /// The newest events of a tenant, newest first; only failures (status ≥ 400) when asked.
    pub async fn list_activity(
        &self,
        tenant_id: &TenantId,
        failures_only: bool,
        limit: i64,
    ) -> Result<Vec<ActivityEvent>> {
        let rows = sqlx::query(
            "SELECT at, method, path, status, resource_id, detail, filter FROM provisioning_event \
             WHERE tenant_id = $1 AND status >= $2 ORDER BY event_id DESC LIMIT $3",
        )
        .bind(tenant_id)
        .bind(if failures_only { 400i64 } else { 0 })
        .bind(limit.clamp(1, 1000))
        .fetch_all(&self.db.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ActivityEvent {
                    tenant_id: tenant_id.to_owned(),
                    at: r.try_get("at")?,
                    method: r.try_get("method")?,
                    path: r.try_get("path")?,
                    status: u16::try_from(r.try_get::<i64, _>("status")?).unwrap_or(0),
                    resource_id: r.try_get("resource_id")?,
                    detail: r.try_get("detail")?,
                    filter: r.try_get("filter")?,
                    listed: None,
                })
            })
            .collect()
    }

    /// A page of the Provisioning log as the console shows it: resources by name, filters in
    /// words; only failures when asked; only one resource's requests when `resource` is given.
    pub async fn activity_page(
        &self,
        tenant_id: &TenantId,
        failures_only: bool,
        resource: Option<&str>,
        page: i64,
    ) -> Result<ActivityPage> {
        let page = page.clamp(1, KEEP_PER_TENANT / ACTIVITY_PER_PAGE + 1);
        let min_status = if failures_only { 400i64 } else { 0 };
        let only_resource = if resource.is_some() {
            " AND e.resource_id = $3"
        } else {
            " AND $3 = ''"
        };
        // Only the fixed clause above is spliced in; every value is bound.
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT e.at, e.method, e.path, e.status, e.resource_id, e.detail, e.filter, \
             a.username, g.display_name AS group_name \
             FROM provisioning_event e \
             LEFT JOIN account a ON a.account_id = e.resource_id AND a.tenant_id = e.tenant_id \
             LEFT JOIN security_group g ON g.group_id = e.resource_id AND g.tenant_id = e.tenant_id \
             WHERE e.tenant_id = $1 AND e.status >= $2{only_resource} \
             ORDER BY e.event_id DESC LIMIT $4 OFFSET $5"
        )))
        .bind(tenant_id)
        .bind(min_status)
        .bind(resource.unwrap_or(""))
        .bind(ACTIVITY_PER_PAGE)
        .bind((page - 1) * ACTIVITY_PER_PAGE)
        .fetch_all(&self.db.pool)
        .await?;
        let entries = rows.iter().map(entry).collect::<Result<Vec<_>>>()?;
        let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM provisioning_event e WHERE e.tenant_id = $1 AND e.status >= $2{only_resource}"
        )))
        .bind(tenant_id)
        .bind(min_status)
        .bind(resource.unwrap_or(""))
        .fetch_one(&self.db.pool)
        .await?;
        let refused = if resource.is_none() {
            self.latest_refusal(tenant_id).await?
        } else {
            None
        };
        Ok(ActivityPage {
            entries,
            total,
            page,
            per_page: ACTIVITY_PER_PAGE,
            refused,
        })
    }

    /// The newest request refused for its token, unless a request has succeeded since.
    pub async fn latest_refusal(&self, tenant_id: &TenantId) -> Result<Option<ActivityEntry>> {
        sqlx::query(
            "SELECT e.at, e.method, e.path, e.status, e.resource_id, e.detail, e.filter, \
             CAST(NULL AS TEXT) AS username, CAST(NULL AS TEXT) AS group_name FROM provisioning_event e \
             WHERE e.tenant_id = $1 AND e.status = 401 AND NOT EXISTS \
             (SELECT 1 FROM provisioning_event s WHERE s.tenant_id = $1 AND s.event_id > e.event_id AND s.status < 400) \
             ORDER BY e.event_id DESC LIMIT 1",
        )
        .bind(tenant_id)
        .fetch_optional(&self.db.pool)
        .await?
        .as_ref()
        .map(entry)
        .transpose()
    }

    /// Records a request refused for its token in the tenant's log, at most
    /// [`REFUSALS_PER_MINUTE`] a minute per tenant (so made-up tokens cannot flood the log).
    pub fn record_token_refusal(&self, event: ActivityEvent) {
        // Tenant ids in refused paths are anyone's text: keep the limiter's map small.
        if self.refusals_recorded.len() > 10_000 {
            self.refusals_recorded.retain_recent();
        }
        if self
            .refusals_recorded
            .check_key(&event.tenant_id.as_str().to_owned())
            .is_ok()
        {
            self.activity.record(event);
        }
    }

    pub async fn provisioning_summary(&self, tenant_id: &TenantId) -> Result<ProvisioningSummary> {
        let last_call_at: Option<i64> =
            sqlx::query_scalar("SELECT MAX(at) FROM provisioning_event WHERE tenant_id = $1")
                .bind(tenant_id)
                .fetch_one(&self.db.pool)
                .await?;
        let users: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM account WHERE tenant_id = $1 AND source = 'scim'",
        )
        .bind(tenant_id)
        .fetch_one(&self.db.pool)
        .await?;
        let groups: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM security_group WHERE tenant_id = $1 AND source = 'scim'",
        )
        .bind(tenant_id)
        .fetch_one(&self.db.pool)
        .await?;
        Ok(ProvisioningSummary {
            last_call_at,
            users,
            groups,
        })
    }

    /// Records one SCIM request (called by the SCIM layer for every request).
    pub fn record_activity(&self, event: ActivityEvent) {
        self.activity.record(event);
    }
}
