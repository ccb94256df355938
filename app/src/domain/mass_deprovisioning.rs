//! The mass-deprovisioning notice: when one hour of Entra's provisioning deactivates or deletes
//! more than a share of a tenant's people, or empties a group that holds a Security Topic, it is
//! far more often a scoping or mapping mistake than a real departure; the admins should hear of it
//! at once, with the list of who was affected. A pure function of what the hour did.

use serde::{Deserialize, Serialize};

use super::error::FieldError;

/// The window the notice looks at.
pub const WINDOW_SECS: i64 = 3600;
/// Most people listed in the notice (the count says how many in all).
pub const LISTED: usize = 200;

/// The tenant's threshold: more than `share_percent` % of its users, and at least `min_people`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MassThreshold {
    pub share_percent: i64,
    pub min_people: i64,
}

impl Default for MassThreshold {
    fn default() -> Self {
        Self {
            share_percent: 10,
            min_people: 20,
        }
    }
}

impl MassThreshold {
    /// From the settings form: a share of 1–100 % and 1–1,000,000 people.
    pub fn parse(share_percent: &str, min_people: &str) -> Result<Self, FieldError> {
        let share = share_percent
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=100).contains(n));
        let Some(share_percent) = share else {
            return Err(FieldError::new(
                "share_percent",
                "Enter a whole number of percent from 1 to 100.",
            ));
        };
        let min = min_people
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=1_000_000).contains(n));
        let Some(min_people) = min else {
            return Err(FieldError::new(
                "min_people",
                "Enter a whole number of people from 1 to 1,000,000.",
            ));
        };
        Ok(Self {
            share_percent,
            min_people,
        })
    }

    /// Whether `affected` of `base` people crosses it.
    pub fn crossed(self, affected: i64, base: i64) -> bool {
        affected >= self.min_people && affected * 100 > self.share_percent * base.max(0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Removal {
    Deactivated,
    Deleted,
    /// Removed from a group that holds a Security Topic and is now empty.
    RemovedFromGroup,
}

impl Removal {
    pub fn label(self) -> &'static str {
        match self {
            Removal::Deactivated => "Deactivated",
            Removal::Deleted => "Deleted",
            Removal::RemovedFromGroup => "Removed from group",
        }
    }
}

/// One person the hour deprovisioned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Affected {
    pub account_id: String,
    pub username: String,
    pub display_name: String,
    pub what: Removal,
    /// The group, for [`Removal::RemovedFromGroup`].
    pub group: Option<String>,
    pub at: i64,
}

/// A group holding Security Topics that the hour emptied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmptiedGroup {
    pub name: String,
    pub removed: Vec<Affected>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MassDeprovisioning {
    /// What happened, in words.
    pub reason: String,
    /// How many people in all (the list holds at most [`LISTED`]).
    pub total: usize,
    pub affected: Vec<Affected>,
}

/// The notice for the last hour, if one is due. `deprovisioned` are the accounts deactivated or
/// deleted in it; `active_now` the tenant's active SCIM users (those were active at its start too).
pub fn assess(
    threshold: MassThreshold,
    active_now: i64,
    deprovisioned: Vec<Affected>,
    emptied: Vec<EmptiedGroup>,
) -> Option<MassDeprovisioning> {
    let n = deprovisioned.len() as i64;
    let base = active_now + n;
    let mut parts = Vec::new();
    let mut affected = Vec::new();
    if threshold.crossed(n, base) {
        parts.push(format!(
            "{n} of {base} provisioned people were deactivated or deleted in the last hour (the notice is set at more than {} % and at least {}).",
            threshold.share_percent, threshold.min_people
        ));
        affected.extend(deprovisioned);
    }
    for g in emptied {
        parts.push(format!(
            "Every member of “{}”, which holds Security Topics, was removed in the last hour ({} people).",
            g.name,
            g.removed.len()
        ));
        affected.extend(g.removed);
    }
    if parts.is_empty() {
        return None;
    }
    parts.push(
        "If this was not intended, check the provisioning scope and the assignments of the enterprise application in Entra, and its scoping filters.".into(),
    );
    affected.sort_by(|a, b| b.at.cmp(&a.at).then(a.username.cmp(&b.username)));
    let total = affected.len();
    affected.truncate(LISTED);
    Some(MassDeprovisioning {
        reason: parts.join(" "),
        total,
        affected,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(i: usize, what: Removal) -> Affected {
        Affected {
            account_id: format!("id{i}"),
            username: format!("user{i}@example.com"),
            display_name: format!("User {i}"),
            what,
            group: None,
            at: 1_000 + i as i64,
        }
    }

    fn people(n: usize) -> Vec<Affected> {
        (0..n).map(|i| person(i, Removal::Deactivated)).collect()
    }

    #[test]
    fn the_default_is_more_than_ten_percent_and_at_least_twenty() {
        let t = MassThreshold::default();
        // 20 of 200 is exactly 10 %: not more.
        assert!(assess(t, 180, people(20), vec![]).is_none());
        let hit = assess(t, 179, people(21), vec![]).unwrap();
        assert_eq!(hit.total, 21);
        assert!(
            hit.reason.starts_with("21 of 200 provisioned people"),
            "{}",
            hit.reason
        );
        // A small tenant losing most of its people: still fewer than 20.
        assert!(assess(t, 1, people(19), vec![]).is_none());
    }

    #[test]
    fn an_emptied_topic_group_is_a_notice_by_itself() {
        let removed = vec![person(1, Removal::RemovedFromGroup)];
        let hit = assess(
            MassThreshold::default(),
            500,
            people(3),
            vec![EmptiedGroup {
                name: "Console Admins".into(),
                removed,
            }],
        )
        .unwrap();
        assert!(hit.reason.contains("“Console Admins”"), "{}", hit.reason);
        // The three deactivations are under the threshold and not listed.
        assert_eq!(hit.total, 1);
    }

    #[test]
    fn the_list_is_capped_and_newest_first() {
        let hit = assess(MassThreshold::default(), 0, people(LISTED + 5), vec![]).unwrap();
        assert_eq!(hit.total, LISTED + 5);
        assert_eq!(hit.affected.len(), LISTED);
        assert!(hit.affected[0].at > hit.affected[1].at);
    }

    #[test]
    fn thresholds_are_parsed_with_field_errors() {
        assert_eq!(
            MassThreshold::parse(" 15 ", "5").unwrap(),
            MassThreshold {
                share_percent: 15,
                min_people: 5
            }
        );
        for (share, min) in [
            ("0", "5"),
            ("101", "5"),
            ("x", "5"),
            ("10", "0"),
            ("10", "-3"),
        ] {
            assert!(MassThreshold::parse(share, min).is_err(), "{share} {min}");
        }
    }
}
