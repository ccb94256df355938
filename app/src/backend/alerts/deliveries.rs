//! Deliveries: one event to one channel. Queued in the transaction that records the change, then
//! sent by the instance holding the alerts lease: each row is claimed before it is sent (so two
//! instances never send it twice), its answer is kept, and a failure is retried with backoff
//! (`domain::alerts::RETRY_AFTER_SECS`) until it is delivered or has failed for good.

use sqlx::{AnyConnection, Row};

use crate::backend::clock::now;
use crate::backend::error::{DomainError, Result};
use crate::backend::Backend;
use crate::domain::alert_channel::{DeliveryInfo, Outcome};
use crate::domain::alerts::{retry_after, AlertEvent, EventKind};
use crate::domain::ids::TenantId;

/// How long a claimed delivery is left to its sender before another may try it.
const CLAIM_SECS: i64 = 120;
/// Deliveries sent per round (the rest wait for the next one).
const PER_ROUND: i64 = 50;
/// Deliveries the Alerts page lists.
const LISTED: i64 = 50;
/// Delivered and failed deliveries are kept this long.
const KEEP_SECS: i64 = 30 * 86_400;

impl Backend {
    /// Queues `event` for every channel of the tenant (or only `channel`); the deliveries' ids.
    pub(crate) async fn queue_event(
        &self,
        conn: &mut AnyConnection,
        tenant_id: &TenantId,
        event: &AlertEvent,
        channel: Option<&str>,
    ) -> Result<Vec<String>> {
        let channels: Vec<String> = sqlx::query_scalar(
            "SELECT channel_id FROM alert_channel WHERE tenant_id = $1 AND ($2 = '' OR channel_id = $2)",
        )
        .bind(tenant_id)
        .bind(channel.unwrap_or(""))
        .fetch_all(&mut *conn)
        .await?;
        let json = serde_json::to_string(event)
            .map_err(|e| DomainError::Internal(format!("alert event: {e}")))?;
        let mut ids = Vec::with_capacity(channels.len());
        for channel_id in &channels {
            let id = uuid::Uuid::new_v4().to_string();
            sqlx::query(
                "INSERT INTO alert_delivery (delivery_id, tenant_id, channel_id, event, created_at, outcome, attempts, \
                 next_attempt_at) VALUES ($1, $2, $3, $4, $5, 'pending', 0, $5)",
            )
            .bind(&id)
            .bind(tenant_id)
            .bind(channel_id)
            .bind(&json)
            .bind(event.at)
            .execute(&mut *conn)
            .await?;
            ids.push(id);
        }
        Ok(ids)
    }

    /// Sends the deliveries due at `at` (retries whose time has come); how many were attempted.
    pub async fn deliver_due(&self, at: i64) -> Result<usize> {
        let due: Vec<String> = sqlx::query_scalar(
            "SELECT delivery_id FROM alert_delivery WHERE outcome = 'pending' AND next_attempt_at <= $1 \
             AND claimed_until < $1 ORDER BY next_attempt_at LIMIT $2",
        )
        .bind(at)
        .bind(PER_ROUND)
        .fetch_all(&self.db.pool)
        .await?;
        let mut attempted = 0;
        for id in due {
            if self.attempt(&id, at).await? {
                attempted += 1;
            }
        }
        Ok(attempted)
    }

    /// Claims one delivery and sends it; `false` when another sender has it or it is done.
    async fn attempt(&self, delivery_id: &str, at: i64) -> Result<bool> {
        let claimed = {
            let _writer = self.db.lock_writes().await;
            sqlx::query(
                "UPDATE alert_delivery SET claimed_until = $1 WHERE delivery_id = $2 AND outcome = 'pending' \
                 AND claimed_until < $3",
            )
            .bind(at + CLAIM_SECS)
            .bind(delivery_id)
            .bind(at)
            .execute(&self.db.pool)
            .await?
            .rows_affected()
                == 1
        };
        if !claimed {
            return Ok(false);
        }
        let row = sqlx::query(
            "SELECT d.event, d.attempts, c.settings, c.secret_enc FROM alert_delivery d \
             JOIN alert_channel c ON c.channel_id = d.channel_id WHERE d.delivery_id = $1",
        )
        .bind(delivery_id)
        .fetch_optional(&self.db.pool)
        .await?;
        let Some(row) = row else {
            return Ok(false);
        };
        let event: AlertEvent = serde_json::from_str(&row.try_get::<String, _>("event")?)
            .map_err(|e| DomainError::Internal(format!("stored alert event: {e}")))?;
        let settings: String = row.try_get("settings")?;
        let secret: Option<String> = row.try_get("secret_enc")?;
        let sent = self
            .send_to_channel(&settings, secret.as_deref(), &event)
            .await;
        let attempts = row.try_get::<i64, _>("attempts")? + 1;
        let (outcome, next, answer) = match sent {
            Ok(answer) => (Outcome::Delivered, None, answer),
            // A test alert is tried once: its answer is what the admin waits for.
            Err(problem) if event.kind == EventKind::Test => (Outcome::Failed, None, problem),
            Err(problem) => match retry_after(attempts) {
                Some(secs) => (Outcome::Pending, Some(at + secs), problem),
                None => (Outcome::Failed, None, problem),
            },
        };
        if outcome != Outcome::Delivered {
            tracing::warn!(delivery = %delivery_id, attempts, answer = %answer, "alert delivery failed");
        }
        let _writer = self.db.lock_writes().await;
        sqlx::query(
            "UPDATE alert_delivery SET outcome = $1, attempts = $2, next_attempt_at = $3, last_attempt_at = $4, \
             answer = $5, claimed_until = 0 WHERE delivery_id = $6",
        )
        .bind(outcome.as_db())
        .bind(attempts)
        .bind(next)
        .bind(now())
        .bind(answer.chars().take(500).collect::<String>())
        .bind(delivery_id)
        .execute(&self.db.pool)
        .await?;
        Ok(true)
    }

    /// `Send test alert`: a test event to one channel, sent now; the delivery with its answer.
    pub async fn send_test_alert(
        &self,
        tenant_id: &TenantId,
        channel_id: &str,
    ) -> Result<DeliveryInfo> {
        let tenant = self.get_tenant(tenant_id).await?;
        let event = self.alert_event(
            &tenant,
            EventKind::Test,
            "test",
            "test",
            "Test alert",
            "This is a test alert from Cantara: this channel receives the tenant's alerts.",
        );
        let queued = {
            let mut tx = self.db.begin_write().await?;
            let ids = self
                .queue_event(&mut tx, tenant_id, &event, Some(channel_id))
                .await?;
            tx.commit().await?;
            ids
        };
        let Some(id) = queued.into_iter().next() else {
            return Err(DomainError::NotFound("alert channel"));
        };
        self.attempt(&id, now()).await?;
        self.deliveries(tenant_id, Some(&id))
            .await?
            .into_iter()
            .next()
            .ok_or(DomainError::NotFound("delivery"))
    }

    /// The tenant's newest deliveries (or the one named), newest first.
    pub async fn deliveries(
        &self,
        tenant_id: &TenantId,
        only: Option<&str>,
    ) -> Result<Vec<DeliveryInfo>> {
        let rows = sqlx::query(
            "SELECT d.delivery_id, c.name, d.event, d.created_at, d.outcome, d.attempts, d.last_attempt_at, \
             d.next_attempt_at, d.answer FROM alert_delivery d JOIN alert_channel c ON c.channel_id = d.channel_id \
             WHERE d.tenant_id = $1 AND ($2 = '' OR d.delivery_id = $2) ORDER BY d.created_at DESC, d.delivery_id LIMIT $3",
        )
        .bind(tenant_id)
        .bind(only.unwrap_or(""))
        .bind(LISTED)
        .fetch_all(&self.db.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let event: Option<AlertEvent> =
                    serde_json::from_str(&r.try_get::<String, _>("event")?).ok();
                Ok(DeliveryInfo {
                    id: r.try_get("delivery_id")?,
                    channel: r.try_get("name")?,
                    subject: event.map(|e| e.subject()).unwrap_or_default(),
                    created_at: r.try_get("created_at")?,
                    outcome: Outcome::from_db(&r.try_get::<String, _>("outcome")?),
                    attempts: r.try_get("attempts")?,
                    last_attempt_at: r.try_get("last_attempt_at")?,
                    next_attempt_at: r.try_get("next_attempt_at")?,
                    answer: r.try_get("answer")?,
                })
            })
            .collect()
    }

    /// Drops finished deliveries older than 30 days (the timer calls it).
    pub async fn trim_deliveries(&self) -> Result<u64> {
        let _writer = self.db.lock_writes().await;
        let done = sqlx::query(
            "DELETE FROM alert_delivery WHERE outcome <> 'pending' AND created_at < $1",
        )
        .bind(now() - KEEP_SECS)
        .execute(&self.db.pool)
        .await?;
        Ok(done.rows_affected())
    }
}
