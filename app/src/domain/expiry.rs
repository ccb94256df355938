//! Expiry reminders: the client secret (its expiry as chosen in Entra) and provisioning tokens
//! that may expire. The console shows a banner from 30 days before; 7 and 1 days before, and once
//! expired, it grows more urgent. A pure function of the date and the clock.

use serde::{Deserialize, Serialize};

/// The reminder points, in days before the expiry.
pub const REMINDER_DAYS: [i64; 3] = [30, 7, 1];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Expiring {
    ClientSecret,
    ProvisioningToken,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Urgency {
    /// 30 days or fewer left.
    Soon,
    /// 7 days or fewer.
    Week,
    /// 1 day or less.
    Day,
    Expired,
}

impl Urgency {
    /// The reminder point, as an alert's level.
    pub fn label(self) -> &'static str {
        match self {
            Urgency::Soon => "30 days",
            Urgency::Week => "7 days",
            Urgency::Day => "1 day",
            Urgency::Expired => "expired",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpiryNotice {
    /// What expires, as alerts name it: `client_secret`, `token:{id}`.
    pub key: String,
    pub what: Expiring,
    pub urgency: Urgency,
    pub expires_at: i64,
    /// The banner's words.
    pub message: String,
}

fn days_words(secs: i64) -> String {
    let days = secs.div_euclid(86_400) + i64::from(secs.rem_euclid(86_400) > 0);
    if days <= 1 {
        "1 day".into()
    } else {
        format!("{days} days")
    }
}

/// The notice for something of `name` expiring at `expires_at`, if one is due.
pub fn notice(
    what: Expiring,
    key: &str,
    name: &str,
    expires_at: i64,
    now: i64,
) -> Option<ExpiryNotice> {
    let left = expires_at - now;
    let [soon, week, day] = REMINDER_DAYS.map(|d| d * 86_400);
    let urgency = if left <= 0 {
        Urgency::Expired
    } else if left <= day {
        Urgency::Day
    } else if left <= week {
        Urgency::Week
    } else if left <= soon {
        Urgency::Soon
    } else {
        return None;
    };
    let date = super::time::format_utc(expires_at);
    let message = match (what, urgency) {
        (Expiring::ClientSecret, Urgency::Expired) => format!("The client secret of {name} expired on {date}: single sign-on fails until you create a new one in Entra's Certificates & secrets and enter its Value as the identity provider's Client Secret."),
        (Expiring::ClientSecret, _) => format!("The client secret of {name} expires in {} ({date}): create a new one in Entra's Certificates & secrets and enter its Value as the identity provider's Client Secret before then.", days_words(left)),
        (Expiring::ProvisioningToken, Urgency::Expired) => format!("The provisioning token “{name}” expired on {date}: Entra's provisioning is refused until you generate a new token and enter it in Entra as the Secret Token."),
        (Expiring::ProvisioningToken, _) => format!("The provisioning token “{name}” expires in {} ({date}): generate a new token and enter it in Entra as the Secret Token before then.", days_words(left)),
    };
    Some(ExpiryNotice {
        key: key.to_owned(),
        what,
        urgency,
        expires_at,
        message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;
    const DAY: i64 = 86_400;

    #[test]
    fn banners_start_thirty_days_before_and_grow_at_seven_and_one() {
        let at = |d: i64| {
            notice(
                Expiring::ClientSecret,
                "client_secret",
                "Entra",
                NOW + d,
                NOW,
            )
        };
        assert_eq!(at(31 * DAY), None);
        let soon = at(30 * DAY).unwrap();
        assert_eq!(soon.urgency, Urgency::Soon);
        assert!(
            soon.message.contains("expires in 30 days"),
            "{}",
            soon.message
        );
        assert_eq!(at(7 * DAY).unwrap().urgency, Urgency::Week);
        assert_eq!(at(8 * DAY).unwrap().urgency, Urgency::Soon);
        let day = at(DAY).unwrap();
        assert_eq!(day.urgency, Urgency::Day);
        assert!(day.message.contains("expires in 1 day "), "{}", day.message);
        let expired = at(0).unwrap();
        assert_eq!(expired.urgency, Urgency::Expired);
        assert!(expired.message.contains("expired on"));
        let token = notice(
            Expiring::ProvisioningToken,
            "token:t1",
            "Entra production",
            NOW + 3 * DAY,
            NOW,
        )
        .unwrap();
        assert!(token
            .message
            .starts_with("The provisioning token “Entra production” expires in 3 days"));
        assert_eq!(REMINDER_DAYS, [30, 7, 1]);
    }
}
