//! The Connect Microsoft Entra ID assistant: the guide's three steps, each with a status that
//! Cantara derives from what it has seen (a saved provider, its checks and test sign-in, Entra's
//! Test Connection probe and first provisioning cycle), never from a checkbox. The derivations are
//! pure functions of those facts, so each status is testable on its own.

use serde::{Deserialize, Serialize};

use super::attribute_check::AttributeCheck;
use super::sso::{ProviderError, SsoFailure};

/// Entra provisions about every 40 minutes; a pause longer than half of that ends a cycle.
pub const CYCLE_GAP_SECS: i64 = 20 * 60;
/// A test sign-in that has not come back after this long probably stopped at Entra.
pub const TEST_STUCK_SECS: i64 = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StepStatus {
    NotStarted,
    Waiting,
    Done,
    NeedsAttention,
}

impl StepStatus {
    pub fn label(self) -> &'static str {
        match self {
            StepStatus::NotStarted => "Not started",
            StepStatus::Waiting => "Waiting",
            StepStatus::Done => "Done",
            StepStatus::NeedsAttention => "Needs attention",
        }
    }
}

/// Everything the assistant shows for one tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntraSetup {
    pub tenant_id: String,
    /// `{PUBLIC_URL}/oauth`.
    pub redirect_uri: String,
    /// `{PUBLIC_URL}/scim/v2/{TenantID}`.
    pub scim_url: String,
    pub step1: StepOne,
    pub step2: StepTwo,
    pub step3: StepThree,
    pub attributes: AttributeCheck,
    /// The last successful test sign-in, compared with the accounts Entra provisioned.
    pub binding: Option<super::identity_binding::IdentityBinding>,
}

impl EntraSetup {
    /// All three steps are done (the home page stops offering the assistant).
    pub fn complete(&self) -> bool {
        [self.step1.status, self.step2.status, self.step3.status] == [StepStatus::Done; 3]
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepOne {
    pub status: StepStatus,
    /// The client secret's expiry the admin chose in Entra (`YYYY-MM-DD`).
    pub secret_expires: Option<String>,
    pub note: Option<String>,
}

/// Derives Step 1: done once Step 2 has a saved provider; an expired client secret needs attention.
pub fn step_one(provider_saved: bool, secret_expires: Option<&str>, now: i64) -> StepOne {
    let expires_at = secret_expires.and_then(date_to_unix);
    let (status, note) = match (provider_saved, expires_at) {
        (_, Some(at)) if at <= now => (
            StepStatus::NeedsAttention,
            Some("The client secret has expired: in Entra, open Certificates & secrets, click + New client secret, and enter its Value as the Client Secret of the identity provider.".to_owned()),
        ),
        (true, Some(at)) if at - now <= 30 * 86_400 => (
            StepStatus::Done,
            Some(format!(
                "The client secret expires in {}: create the next one in Entra before then.",
                count((at - now).div_euclid(86_400) + 1, "day", "days")
            )),
        ),
        (true, _) => (StepStatus::Done, None),
        (false, _) => (StepStatus::NotStarted, None),
    };
    StepOne {
        status,
        secret_expires: secret_expires.map(str::to_owned),
        note,
    }
}

/// `YYYY-MM-DD` as the unix time of the start of that day (UTC); None when it is no date.
pub fn date_to_unix(date: &str) -> Option<i64> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(date.trim(), &fmt)
        .ok()
        .map(|d| d.midnight().assume_utc().unix_timestamp())
}

/// The saved identity provider Step 2 follows, as facts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderFacts {
    pub id: String,
    pub name: String,
    pub active: bool,
    /// When "Check configuration" last ran and whether every check passed.
    pub check: Option<(i64, bool)>,
    /// The last test sign-in since the provider was saved: when, and its failure if it failed.
    pub test: Option<(i64, Option<SsoFailure>)>,
    /// A test sign-in started after the last result and not back yet.
    pub test_started_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepTwo {
    pub status: StepStatus,
    pub provider: Option<ProviderFacts>,
    /// The milestones in the guide's order: (label, reached).
    pub progress: Vec<(String, bool)>,
    /// What to do next, or what to fix in Entra, in words.
    pub next: String,
}

pub fn step_two(provider: Option<ProviderFacts>, redirect_uri: &str, now: i64) -> StepTwo {
    let Some(p) = provider else {
        return StepTwo {
            status: StepStatus::NotStarted,
            provider: None,
            progress: milestones_of(None),
            next: "Add an identity provider: use “Fill in from Microsoft Entra ID” with your Directory (tenant) ID, then enter the Client ID and Client Secret from Step 1.".into(),
        };
    };
    let tested_ok = matches!(p.test, Some((_, None)));
    let stuck = p
        .test_started_at
        .filter(|s| now - s >= TEST_STUCK_SECS && p.test.as_ref().is_none_or(|(at, _)| at < s));
    let (status, next) = if let Some((_, Some(failure))) = &p.test {
        (
            StepStatus::NeedsAttention,
            format!(
                "The test sign-in failed: {}",
                entra_advice(failure, redirect_uri)
            ),
        )
    } else if stuck.is_some() && !tested_ok {
        (StepStatus::NeedsAttention, format!(
            "The last test sign-in did not come back to Cantara. If Microsoft showed AADSTS50011, the Redirect URI registered in Entra differs from the one Cantara sends: register exactly {redirect_uri} under Authentication → Redirect URIs (type Web), then run the test again."
        ))
    } else if matches!(p.check, Some((_, false))) {
        (StepStatus::NeedsAttention, "The configuration check found problems: open the identity provider and run Check configuration to see each one.".into())
    } else if !tested_ok {
        (StepStatus::Waiting, "Run Test sign-in: it signs you in at Entra once and shows what Cantara received, without changing your session.".into())
    } else if !p.active {
        (StepStatus::Waiting, "The test sign-in succeeded. Activate the identity provider so that people can sign in with it.".into())
    } else {
        (
            StepStatus::Done,
            "Single sign-on is active and its test sign-in succeeded.".into(),
        )
    };
    StepTwo {
        status,
        progress: milestones_of(Some(&p)),
        provider: Some(p),
        next,
    }
}

fn milestones_of(p: Option<&ProviderFacts>) -> Vec<(String, bool)> {
    vec![
        ("Saved".into(), p.is_some()),
        (
            "Configuration check passed".into(),
            p.is_some_and(|p| matches!(p.check, Some((_, true)))),
        ),
        (
            "Test sign-in succeeded".into(),
            p.is_some_and(|p| matches!(p.test, Some((_, None)))),
        ),
        ("Active".into(), p.is_some_and(|p| p.active)),
    ]
}

/// What a failed sign-in means in Entra's terms, and what to change there.
pub fn entra_advice(failure: &SsoFailure, redirect_uri: &str) -> String {
    let redirect_uri = if redirect_uri.is_empty() {
        "the Redirect URL Cantara shows"
    } else {
        redirect_uri
    };
    match failure {
        SsoFailure::TokenRefused => "Entra refused the Client ID or Client Secret (AADSTS7000215: invalid client secret, AADSTS7000222: expired secret). Copy the Application (client) ID from the app's Overview; in Certificates & secrets create a new client secret and enter its Value — not its Secret ID — as the Client Secret.".into(),
        SsoFailure::Provider(ProviderError::AccessDenied) => "Entra refused you (AADSTS50105: the user is not assigned). In Enterprise applications → your app → Users and groups, assign yourself or one of your groups, or turn off “Assignment required?”.".into(),
        SsoFailure::Provider(ProviderError::ConsentRequired) => "Entra asks for consent (AADSTS65001). In App registrations → API permissions, click “Grant admin consent”, or accept the consent prompt when signing in.".into(),
        SsoFailure::Provider(ProviderError::Other(code)) if code == "invalid_request" || code == "unauthorized_client" => format!("Entra refused the request ({code}). Check that the Authentication URL names your Directory (tenant) ID and that the app's Redirect URI is exactly {redirect_uri}."),
        SsoFailure::IssuerMismatch => "The ID token's issuer differs from the Issuer URI. For “Accounts in this organizational directory only” the Issuer URI is https://login.microsoftonline.com/{Directory (tenant) ID}/v2.0; use the tenant-specific endpoints, not /common or /organizations.".into(),
        SsoFailure::AudienceMismatch => "The token was issued for another application: the Client ID must be this app's Application (client) ID (leave Audience empty unless you changed it in Entra).".into(),
        SsoFailure::MissingUsername => "Entra did not send the claim named in Username Attribute. Use preferred_username (always sent with the profile scope), or add the email claim under Token configuration → Add optional claim → ID → email.".into(),
        SsoFailure::SigningKeyUnknown | SsoFailure::SignatureInvalid => "The token's signing key is not in the JSON Web Key Set URL: use https://login.microsoftonline.com/{Directory (tenant) ID}/discovery/v2.0/keys.".into(),
        SsoFailure::NoIdToken => "Entra sent no ID token: the Scopes must include openid.".into(),
        SsoFailure::TenantNotAllowed => "You signed in with an account of another Entra tenant than the Allowed Tenant IDs.".into(),
        SsoFailure::ProviderUnreachable => "Cantara could not reach Entra's endpoints: check the Access Token URL and JSON Web Key Set URL, and that this server may connect to login.microsoftonline.com.".into(),
        other => other.message(),
    }
}

/// What Cantara has seen of Entra's provisioning for one tenant, kept as SCIM requests arrive.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Milestones {
    /// The first Test Connection probe: `GET /Users?filter=userName eq "…"` answered with none.
    pub test_connection_at: Option<i64>,
    pub cycle_started_at: Option<i64>,
    pub cycle_last_at: Option<i64>,
    pub cycle_users: i64,
    pub cycle_groups: i64,
    pub cycle_failures: i64,
    /// A pause of more than [`CYCLE_GAP_SECS`] followed the first cycle.
    pub cycle_ended: bool,
}

/// One SCIM request as the milestones see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    /// Entra's Test Connection (or a matching query that found nobody).
    Probe,
    UserCreated,
    GroupCreated,
    /// Any other write (PATCH, PUT, DELETE) that succeeded.
    Write,
    /// Refused or failed (4xx other than a refused token, 5xx).
    Failure,
    /// A read that is neither (discovery, GET by id).
    Read,
}

impl Milestones {
    pub fn observe(&mut self, at: i64, seen: Seen) {
        if seen == Seen::Probe && self.test_connection_at.is_none() {
            self.test_connection_at = Some(at);
        }
        if self.cycle_ended {
            return;
        }
        match self.cycle_last_at {
            None => {
                // The first cycle starts with its first write, or the first failure.
                if matches!(seen, Seen::Probe | Seen::Read) {
                    return;
                }
                self.cycle_started_at = Some(at);
            }
            Some(last) if at - last > CYCLE_GAP_SECS => {
                self.cycle_ended = true;
                return;
            }
            Some(_) => {}
        }
        self.cycle_last_at = Some(self.cycle_last_at.map_or(at, |l| l.max(at)));
        match seen {
            Seen::UserCreated => self.cycle_users += 1,
            Seen::GroupCreated => self.cycle_groups += 1,
            Seen::Failure => self.cycle_failures += 1,
            _ => {}
        }
    }

    /// The first cycle is over: a pause followed it, or nothing has come since.
    pub fn cycle_finished(&self, now: i64) -> bool {
        self.cycle_ended || self.cycle_last_at.is_some_and(|l| now - l > CYCLE_GAP_SECS)
    }
}

/// Where Entra's provisioning of this tenant stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScimPhase {
    NoToken,
    WaitingForTestConnection,
    /// Entra's requests carry a token Cantara refuses (the log's reason).
    Refused(String),
    WaitingForFirstCycle,
    FirstCycle {
        users: i64,
        groups: i64,
        failures: i64,
        finished: bool,
    },
    /// Provisioned before Cantara recorded cycles: what the tenant holds now.
    Provisioned {
        users: i64,
        groups: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepThree {
    pub status: StepStatus,
    pub phase: ScimPhase,
    /// The line the page shows ("Waiting for Entra's Test Connection…").
    pub message: String,
}

/// Facts Step 3 is derived from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScimFacts {
    /// Tokens that Entra could use now (not revoked, not expired).
    pub usable_tokens: i64,
    pub milestones: Milestones,
    /// The newest refused request's reason, unless a request succeeded since.
    pub refused: Option<String>,
    pub users: i64,
    pub groups: i64,
}

pub fn step_three(f: &ScimFacts, now: i64) -> StepThree {
    let m = &f.milestones;
    let (status, phase) = if let Some(reason) = &f.refused {
        (
            StepStatus::NeedsAttention,
            ScimPhase::Refused(reason.clone()),
        )
    } else if m.cycle_started_at.is_some() {
        let phase = ScimPhase::FirstCycle {
            users: m.cycle_users,
            groups: m.cycle_groups,
            failures: m.cycle_failures,
            finished: m.cycle_finished(now),
        };
        let status = if m.cycle_failures > 0 {
            StepStatus::NeedsAttention
        } else if m.cycle_users + m.cycle_groups > 0 {
            StepStatus::Done
        } else {
            StepStatus::Waiting
        };
        (status, phase)
    } else if f.users + f.groups > 0 {
        (
            StepStatus::Done,
            ScimPhase::Provisioned {
                users: f.users,
                groups: f.groups,
            },
        )
    } else if m.test_connection_at.is_some() {
        (StepStatus::Waiting, ScimPhase::WaitingForFirstCycle)
    } else if f.usable_tokens > 0 {
        (StepStatus::Waiting, ScimPhase::WaitingForTestConnection)
    } else {
        (StepStatus::NotStarted, ScimPhase::NoToken)
    };
    StepThree {
        status,
        message: phase_words(&phase),
        phase,
    }
}

fn count(n: i64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

fn phase_words(phase: &ScimPhase) -> String {
    match phase {
        ScimPhase::NoToken => {
            "Generate a provisioning token and enter it in Entra as the Secret Token.".into()
        }
        ScimPhase::WaitingForTestConnection => "Waiting for Entra's Test Connection…".into(),
        ScimPhase::Refused(reason) => format!("Entra's Test Connection was refused: {reason}"),
        ScimPhase::WaitingForFirstCycle => {
            "Test Connection succeeded. Waiting for the first provisioning cycle…".into()
        }
        ScimPhase::FirstCycle {
            users,
            groups,
            failures,
            finished,
        } => {
            let mut s = format!(
                "First cycle: {}, {}",
                count(*users, "user", "users"),
                count(*groups, "group", "groups")
            );
            if *failures > 0 {
                s.push_str(&format!(
                    ", {}",
                    count(*failures, "failed request", "failed requests")
                ));
            }
            if !finished {
                s.push_str(" (still running)");
            }
            s
        }
        ScimPhase::Provisioned { users, groups } => format!(
            "Entra has provisioned {} and {}.",
            count(*users, "user", "users"),
            count(*groups, "group", "groups")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    #[test]
    fn step_one_is_done_once_a_provider_is_saved_and_flags_an_expired_secret() {
        assert_eq!(step_one(false, None, NOW).status, StepStatus::NotStarted);
        assert_eq!(step_one(true, None, NOW).status, StepStatus::Done);
        let soon = step_one(true, Some("2027-01-16"), NOW);
        assert_eq!(soon.status, StepStatus::Done);
        assert!(soon.note.unwrap().contains("expires in"));
        let past = step_one(true, Some("2020-01-01"), NOW);
        assert_eq!(past.status, StepStatus::NeedsAttention);
        assert_eq!(date_to_unix("2026-12-02"), Some(1_796_169_600));
        assert_eq!(date_to_unix("02/12/2026"), None);
    }

    fn facts() -> ProviderFacts {
        ProviderFacts {
            id: "idp".into(),
            name: "Entra".into(),
            active: false,
            check: None,
            test: None,
            test_started_at: None,
        }
    }

    #[test]
    fn step_two_walks_saved_checked_tested_active() {
        let r = "https://c.example/oauth";
        assert_eq!(step_two(None, r, NOW).status, StepStatus::NotStarted);
        let saved = step_two(Some(facts()), r, NOW);
        assert_eq!(saved.status, StepStatus::Waiting);
        assert!(saved.next.contains("Test sign-in"));
        let failed_check = ProviderFacts {
            check: Some((NOW, false)),
            ..facts()
        };
        assert_eq!(
            step_two(Some(failed_check), r, NOW).status,
            StepStatus::NeedsAttention
        );
        let tested = ProviderFacts {
            check: Some((NOW, true)),
            test: Some((NOW, None)),
            ..facts()
        };
        let t = step_two(Some(tested.clone()), r, NOW);
        assert_eq!(t.status, StepStatus::Waiting);
        assert!(t.next.contains("Activate"));
        assert_eq!(t.progress.iter().filter(|(_, d)| *d).count(), 3);
        let active = ProviderFacts {
            active: true,
            ..tested
        };
        assert_eq!(step_two(Some(active), r, NOW).status, StepStatus::Done);
    }

    #[test]
    fn step_two_says_what_to_fix_in_entra() {
        let r = "https://c.example/oauth";
        let refused = ProviderFacts {
            test: Some((NOW, Some(SsoFailure::TokenRefused))),
            ..facts()
        };
        let s = step_two(Some(refused), r, NOW);
        assert_eq!(s.status, StepStatus::NeedsAttention);
        assert!(s.next.contains("AADSTS7000215"));
        // A test that left for Entra and never came back: the redirect URI, both values.
        let stuck = ProviderFacts {
            test_started_at: Some(NOW - 120),
            ..facts()
        };
        let s = step_two(Some(stuck), r, NOW);
        assert_eq!(s.status, StepStatus::NeedsAttention);
        assert!(s.next.contains("AADSTS50011") && s.next.contains(r));
        let just_started = ProviderFacts {
            test_started_at: Some(NOW - 5),
            ..facts()
        };
        assert_eq!(
            step_two(Some(just_started), r, NOW).status,
            StepStatus::Waiting
        );
    }

    #[test]
    fn milestones_follow_the_probe_then_one_cycle() {
        let mut m = Milestones::default();
        m.observe(NOW, Seen::Read);
        m.observe(NOW + 1, Seen::Probe);
        assert_eq!(m.test_connection_at, Some(NOW + 1));
        assert_eq!(m.cycle_started_at, None);
        m.observe(NOW + 60, Seen::Probe);
        m.observe(NOW + 61, Seen::UserCreated);
        m.observe(NOW + 62, Seen::UserCreated);
        m.observe(NOW + 63, Seen::GroupCreated);
        m.observe(NOW + 64, Seen::Write);
        m.observe(NOW + 65, Seen::Failure);
        assert_eq!((m.cycle_users, m.cycle_groups, m.cycle_failures), (2, 1, 1));
        assert!(!m.cycle_finished(NOW + 66));
        assert!(m.cycle_finished(NOW + 65 + CYCLE_GAP_SECS + 1));
        // The next cycle, 40 minutes later, does not count into the first.
        m.observe(NOW + 65 + 40 * 60, Seen::UserCreated);
        m.observe(NOW + 66 + 40 * 60, Seen::UserCreated);
        assert!(m.cycle_ended);
        assert_eq!(m.cycle_users, 2);
        assert_eq!(m.test_connection_at, Some(NOW + 1));
    }

    #[test]
    fn step_three_phases() {
        let mut f = ScimFacts::default();
        let s = step_three(&f, NOW);
        assert_eq!(
            (s.status, s.phase),
            (StepStatus::NotStarted, ScimPhase::NoToken)
        );
        f.usable_tokens = 1;
        let s = step_three(&f, NOW);
        assert_eq!(s.status, StepStatus::Waiting);
        assert_eq!(s.message, "Waiting for Entra's Test Connection…");
        f.refused =
            Some("Refused: the bearer token is not a provisioning token of this tenant.".into());
        let s = step_three(&f, NOW);
        assert_eq!(s.status, StepStatus::NeedsAttention);
        assert!(s
            .message
            .starts_with("Entra's Test Connection was refused: Refused"));
        f.refused = None;
        f.milestones.observe(NOW, Seen::Probe);
        assert!(step_three(&f, NOW)
            .message
            .contains("Waiting for the first provisioning cycle…"));
        f.milestones.observe(NOW + 1, Seen::UserCreated);
        f.milestones.observe(NOW + 2, Seen::UserCreated);
        f.milestones.observe(NOW + 3, Seen::GroupCreated);
        let s = step_three(&f, NOW + 4);
        assert_eq!(s.status, StepStatus::Done);
        assert_eq!(s.message, "First cycle: 2 users, 1 group (still running)");
        assert_eq!(
            step_three(&f, NOW + 4 + CYCLE_GAP_SECS).message,
            "First cycle: 2 users, 1 group"
        );
        f.milestones.observe(NOW + 5, Seen::Failure);
        let s = step_three(&f, NOW + 6);
        assert_eq!(s.status, StepStatus::NeedsAttention);
        assert!(s.message.contains("1 failed request"));
        // A tenant provisioned before cycles were recorded.
        let legacy = ScimFacts {
            users: 3,
            groups: 0,
            ..ScimFacts::default()
        };
        assert_eq!(step_three(&legacy, NOW).status, StepStatus::Done);
    }
}
