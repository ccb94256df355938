//! Provisioning health: whether Entra's provisioning of a tenant is working, derived from the
//! SCIM requests Cantara already records and the clock, so an admin learns of a failing or
//! stopped sync job here before people notice. A pure function of those facts.

use serde::{Deserialize, Serialize};

/// Entra's provisioning cycle; no request for more than two of them is silence.
pub const CYCLE_SECS: i64 = 40 * 60;
/// How many of the newest requests the state is judged on.
pub const RECENT: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum HealthState {
    NotConfigured,
    Healthy,
    /// Failures above 5 % of the last requests.
    Degraded,
    /// Most of the last requests were refused or failed.
    Failing,
    /// Provisioning had run, and nothing came for more than two cycles.
    Silent,
}

impl HealthState {
    pub fn label(self) -> &'static str {
        match self {
            HealthState::NotConfigured => "Not configured",
            HealthState::Healthy => "Healthy",
            HealthState::Degraded => "Degraded",
            HealthState::Failing => "Failing",
            HealthState::Silent => "Silent",
        }
    }
}

/// One recorded request, as the assessment reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecentRequest {
    pub at: i64,
    pub method: String,
    pub path: String,
    pub status: u16,
    pub detail: Option<String>,
}

/// What the health is derived from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HealthFacts {
    pub now: i64,
    /// The newest requests, newest first (at most [`RECENT`]).
    pub recent: Vec<RecentRequest>,
    /// Requests and failures of the last hour and of the last day.
    pub hour: (i64, i64),
    pub day: (i64, i64),
    /// Entra has provisioned this tenant before (a cycle was seen, or accounts exist).
    pub has_run: bool,
}

/// The most frequent failure among the recent requests, with its newest example.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopFailure {
    pub count: i64,
    pub status: u16,
    pub detail: String,
    pub example: RecentRequest,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvisioningHealth {
    pub state: HealthState,
    /// Why, in words ("12 of the last 40 requests were refused: …").
    pub reason: String,
    pub last_request_at: Option<i64>,
    pub hour_requests: i64,
    pub hour_failures: i64,
    pub day_requests: i64,
    pub day_failures: i64,
    pub top_failure: Option<TopFailure>,
    /// The last hour deprovisioned many people, or emptied a group holding Security Topics.
    #[serde(default)]
    pub mass_deprovisioning: Option<super::mass_deprovisioning::MassDeprovisioning>,
}

fn failed(status: u16) -> bool {
    status >= 400
}

/// What to do about a failure of this status, in a few words.
fn hint(status: u16) -> &'static str {
    match status {
        401 => "check the Secret Token in Entra (Provisioning → Admin Credentials)",
        400 => "check the attribute mapping",
        409 => "a userName or group name is taken already — check the matching attribute",
        404 => "Entra asks for resources Cantara no longer has",
        s if s >= 500 => "Cantara failed to answer — see the server log",
        _ => "see the Provisioning page",
    }
}

fn top_failure(recent: &[RecentRequest]) -> Option<TopFailure> {
    let mut groups: Vec<TopFailure> = Vec::new();
    for r in recent.iter().filter(|r| failed(r.status)) {
        let detail = r.detail.clone().unwrap_or_default();
        match groups
            .iter_mut()
            .find(|g| g.status == r.status && g.detail == detail)
        {
            Some(g) => g.count += 1,
            None => groups.push(TopFailure {
                count: 1,
                status: r.status,
                detail,
                example: r.clone(),
            }),
        }
    }
    // The first of the most frequent: newest first, so its example is the newest.
    groups
        .into_iter()
        .reduce(|best, g| if g.count > best.count { g } else { best })
}

pub fn assess(f: &HealthFacts) -> ProvisioningHealth {
    let n = f.recent.len() as i64;
    let failures = f.recent.iter().filter(|r| failed(r.status)).count() as i64;
    let top = top_failure(&f.recent);
    let last = f.recent.first().map(|r| r.at);
    let failure_words = |top: &TopFailure| {
        let verb = if top.status >= 500 {
            "failed"
        } else {
            "were refused"
        };
        let detail = if top.detail.is_empty() {
            format!("status {}", top.status)
        } else {
            top.detail.clone()
        };
        format!(
            "{failures} of the last {n} requests {verb}: {detail} — {}.",
            hint(top.status)
        )
    };
    let (state, reason) = match (last, &top) {
        (None, _) => (
            HealthState::NotConfigured,
            "No request from Entra's provisioning service has arrived yet.".to_owned(),
        ),
        (Some(_), Some(t)) if failures * 2 > n => (HealthState::Failing, failure_words(t)),
        (Some(at), _) if f.has_run && f.now - at > 2 * CYCLE_SECS => (
            HealthState::Silent,
            format!(
                "No request for {} although Entra provisions about every 40 minutes: its provisioning job may be stopped or in quarantine — check Provisioning in Entra.",
                super::time::wait_words(u64::try_from(f.now - at).unwrap_or(0))
            ),
        ),
        (Some(_), Some(t)) if failures * 100 > 5 * n => (HealthState::Degraded, failure_words(t)),
        (Some(_), _) => (
            HealthState::Healthy,
            if failures == 0 {
                format!("The last {n} requests succeeded.")
            } else {
                format!("{failures} of the last {n} requests did not succeed, within what is normal.")
            },
        ),
    };
    ProvisioningHealth {
        state,
        reason,
        last_request_at: last,
        hour_requests: f.hour.0,
        hour_failures: f.hour.1,
        day_requests: f.day.0,
        day_failures: f.day.1,
        top_failure: top,
        mass_deprovisioning: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    fn req(at: i64, status: u16, detail: Option<&str>) -> RecentRequest {
        RecentRequest {
            at,
            method: "POST".into(),
            path: "/Users".into(),
            status,
            detail: detail.map(str::to_owned),
        }
    }

    fn facts(statuses: &[(u16, Option<&str>)], at: i64, has_run: bool) -> HealthFacts {
        HealthFacts {
            now: NOW,
            recent: statuses.iter().map(|(s, d)| req(at, *s, *d)).collect(),
            hour: (statuses.len() as i64, 0),
            day: (statuses.len() as i64, 0),
            has_run,
        }
    }

    #[test]
    fn nothing_yet_is_not_configured() {
        let h = assess(&HealthFacts {
            now: NOW,
            ..HealthFacts::default()
        });
        assert_eq!(h.state, HealthState::NotConfigured);
        assert_eq!(h.last_request_at, None);
    }

    #[test]
    fn a_few_failures_are_healthy_more_than_five_percent_degraded_most_failing() {
        let missing = Some("userName is required.");
        let mut s: Vec<(u16, Option<&str>)> = vec![(201, None); 95];
        s.extend(vec![(400, missing); 5]);
        assert_eq!(assess(&facts(&s, NOW, true)).state, HealthState::Healthy);
        s.push((400, missing));
        let h = assess(&facts(&s, NOW, true));
        assert_eq!(h.state, HealthState::Degraded);
        assert_eq!(
            h.reason,
            "6 of the last 101 requests were refused: userName is required. — check the attribute mapping."
        );
        let top = h.top_failure.unwrap();
        assert_eq!((top.count, top.status), (6, 400));
        let failing: Vec<(u16, Option<&str>)> = vec![(401, Some("Refused: unknown token")); 28]
            .into_iter()
            .chain(vec![(200, None); 12])
            .collect();
        let h = assess(&facts(&failing, NOW, true));
        assert_eq!(h.state, HealthState::Failing);
        assert!(h.reason.starts_with("28 of the last 40 requests were refused: Refused: unknown token — check the Secret Token"), "{}", h.reason);
        let broken = vec![(500u16, None); 3];
        assert!(assess(&facts(&broken, NOW, true))
            .reason
            .contains("failed: status 500"));
    }

    #[test]
    fn silence_after_provisioning_had_run_is_silent() {
        let ok = vec![(200u16, None); 10];
        let two_cycles_ago = NOW - 2 * CYCLE_SECS - 1;
        let h = assess(&facts(&ok, two_cycles_ago, true));
        assert_eq!(h.state, HealthState::Silent);
        assert!(
            h.reason.starts_with("No request for 81 minutes"),
            "{}",
            h.reason
        );
        // Only a Test Connection so far: quiet is expected.
        assert_eq!(
            assess(&facts(&ok, two_cycles_ago, false)).state,
            HealthState::Healthy
        );
        assert_eq!(
            assess(&facts(&ok, NOW - CYCLE_SECS, true)).state,
            HealthState::Healthy
        );
    }
}
