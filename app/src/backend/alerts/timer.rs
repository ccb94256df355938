//! The alerts timer: every instance runs it, and each round only the holder of the `alerts`
//! lease checks every tenant's conditions and sends what is due, so that with several instances
//! exactly one sends each alert.

use std::time::Duration;

use crate::backend::clock::now;
use crate::backend::error::Result;
use crate::backend::Backend;

pub const LEASE: &str = "alerts";

/// What one round did, for the log and the tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    pub held: bool,
    pub queued: usize,
    pub attempted: usize,
}

impl Backend {
    /// One round as `holder`, whose lease lasts `lease_secs`.
    pub async fn alert_round(&self, holder: &str, lease_secs: i64) -> Result<Round> {
        if !self.take_lease(LEASE, holder, lease_secs).await? {
            return Ok(Round::default());
        }
        let queued = self.check_all_alerts().await?;
        let attempted = self.deliver_due(now()).await?;
        Ok(Round {
            held: true,
            queued,
            attempted,
        })
    }
}

/// Runs rounds every `every` until the task is dropped; the lease outlasts three of them.
pub async fn run(backend: Backend, every: Duration) {
    let holder = uuid::Uuid::new_v4().to_string();
    let lease_secs = i64::try_from(every.as_secs().saturating_mul(3))
        .unwrap_or(i64::MAX)
        .max(2);
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut rounds: u64 = 0;
    loop {
        tick.tick().await;
        match backend.alert_round(&holder, lease_secs).await {
            Ok(r) if r.queued + r.attempted > 0 => {
                tracing::info!(queued = r.queued, attempted = r.attempted, "alerts round")
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "alerts round failed"),
        }
        rounds += 1;
        // About hourly at the default interval: old removal records and deliveries go.
        if rounds.is_multiple_of(60) {
            if let Err(e) = backend.trim_membership_removals().await {
                tracing::warn!(error = %e, "trimming membership removals failed");
            }
            if let Err(e) = backend.trim_deliveries().await {
                tracing::warn!(error = %e, "trimming alert deliveries failed");
            }
        }
    }
}
