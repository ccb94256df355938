//! Alerts: what Cantara tells a tenant's admins outside the console, so that they hear of a
//! failing or stopped provisioning job, a mass deprovisioning or an expiring secret before people
//! cannot sign in. Each watched condition has a key and a level; an alert goes out when a level
//! changes (not per request), and "resolved" when the condition clears. This module decides which
//! changes are due, and what an event says (its JSON and its e-mail text). Pure.

use serde::{Deserialize, Serialize};

/// A condition as the checks see it now: `key` names what (one per thing watched), `level` how bad.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Condition {
    /// `provisioning`, `mass_deprovisioning`, `client_secret`, `token:{id}`.
    pub key: String,
    /// `Degraded`, `Failing`, `Silent`; `Active`; `30 days`, `7 days`, `1 day`, `expired`.
    pub level: String,
    pub title: String,
    pub detail: String,
}

/// What was last alerted for a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub key: String,
    pub level: String,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// New, or its level changed since the last alert.
    Raised {
        condition: Condition,
        was: Option<String>,
    },
    /// It was alerted and holds no more.
    Resolved {
        key: String,
        was: String,
        title: String,
    },
}

/// The alerts due: each condition whose level differs from what was sent, and each sent one that
/// no longer holds.
pub fn changes(now: &[Condition], sent: &[Sent]) -> Vec<Change> {
    let mut out = Vec::new();
    for c in now {
        let before = sent.iter().find(|s| s.key == c.key);
        if before.map(|s| s.level.as_str()) != Some(c.level.as_str()) {
            out.push(Change::Raised {
                condition: c.clone(),
                was: before.map(|s| s.level.clone()),
            });
        }
    }
    for s in sent {
        if !now.iter().any(|c| c.key == s.key) {
            out.push(Change::Resolved {
                key: s.key.clone(),
                was: s.level.clone(),
                title: s.title.clone(),
            });
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Alert,
    Resolved,
    Test,
}

/// What a channel receives (the webhook's JSON body; the e-mail is written from it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertEvent {
    pub id: String,
    pub kind: EventKind,
    pub tenant_id: String,
    pub tenant_name: String,
    pub key: String,
    pub level: String,
    pub title: String,
    pub detail: String,
    /// Unix seconds.
    pub at: i64,
    /// Where in the console to look.
    pub console_url: String,
}

impl AlertEvent {
    pub fn subject(&self) -> String {
        match self.kind {
            EventKind::Alert => format!("[Cantara] {}: {}", self.tenant_name, self.title),
            EventKind::Resolved => {
                format!("[Cantara] Resolved — {}: {}", self.tenant_name, self.title)
            }
            EventKind::Test => format!("[Cantara] Test alert for {}", self.tenant_name),
        }
    }

    pub fn text(&self) -> String {
        format!(
            "{}\n\n{}\n\nTenant: {} ({})\nWhen: {}\nOpen the console: {}\n",
            self.title,
            self.detail,
            self.tenant_name,
            self.tenant_id,
            super::time::format_utc_seconds(self.at),
            self.console_url
        )
    }
}

/// The text a webhook's signature is computed over: the timestamp, a dot and the body.
pub fn signed_text(timestamp: i64, body: &str) -> String {
    format!("{timestamp}.{body}")
}

/// The header a webhook's receiver checks: `t={timestamp},v1={hex HMAC-SHA256}`.
pub const SIGNATURE_HEADER: &str = "Cantara-Signature";

/// Retries of a delivery that failed: after 30 s, 2 min, 10 min, 30 min, 2 h; then it has failed.
pub const RETRY_AFTER_SECS: [i64; 5] = [30, 120, 600, 1800, 7200];

/// When to try again after `attempts` attempts, or `None` when they are used up.
pub fn retry_after(attempts: i64) -> Option<i64> {
    usize::try_from(attempts - 1)
        .ok()
        .and_then(|i| RETRY_AFTER_SECS.get(i).copied())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cond(key: &str, level: &str) -> Condition {
        Condition {
            key: key.into(),
            level: level.into(),
            title: format!("{key} is {level}"),
            detail: String::new(),
        }
    }

    fn sent(key: &str, level: &str) -> Sent {
        Sent {
            key: key.into(),
            level: level.into(),
            title: format!("{key} was {level}"),
        }
    }

    #[test]
    fn a_level_that_stays_sends_nothing_and_a_change_sends_once() {
        assert!(changes(
            &[cond("provisioning", "Failing")],
            &[sent("provisioning", "Failing")]
        )
        .is_empty());
        let c = changes(
            &[cond("provisioning", "Silent")],
            &[sent("provisioning", "Failing")],
        );
        assert_eq!(
            c,
            vec![Change::Raised {
                condition: cond("provisioning", "Silent"),
                was: Some("Failing".into())
            }]
        );
        let c = changes(&[cond("client_secret", "7 days")], &[]);
        assert!(matches!(&c[..], [Change::Raised { was: None, .. }]));
    }

    #[test]
    fn a_condition_gone_is_resolved() {
        let c = changes(&[], &[sent("token:abc", "expired")]);
        assert_eq!(
            c,
            vec![Change::Resolved {
                key: "token:abc".into(),
                was: "expired".into(),
                title: "token:abc was expired".into()
            }]
        );
    }

    #[test]
    fn retries_back_off_then_stop() {
        assert_eq!(retry_after(1), Some(30));
        assert_eq!(retry_after(2), Some(120));
        assert_eq!(retry_after(5), Some(7200));
        assert_eq!(retry_after(6), None);
        assert_eq!(retry_after(0), None);
    }
}
