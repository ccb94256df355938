//! Single sign-on as people see it: why a sign-in failed, in words they can act on, and what a
//! test sign-in found. The server decides the failure; the sign-in error page and the wizard
//! render it. Failures travel as short codes (never a token or a provider's free text).

use serde::{Deserialize, Serialize};

/// Why a single sign-on attempt did not end in a session (or a successful test).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SsoFailure {
    NoActiveProvider,
    /// The `state` is unknown, expired or was used already.
    StateUnknown,
    /// The sign-in was started in another browser (the binding cookie is missing or differs).
    BrowserMismatch,
    /// The provider answered the authorization request with an error.
    Provider(ProviderError),
    /// The token endpoint refused the code (or the client's credentials).
    TokenRefused,
    ProviderUnreachable,
    NoIdToken,
    SigningKeyUnknown,
    AlgorithmRefused,
    SignatureInvalid,
    MalformedToken,
    IssuerMismatch,
    AudienceMismatch,
    Expired,
    IssuedInFuture,
    NonceMismatch,
    MissingUsername,
    /// The User Info answer names another subject than the ID token.
    UserInfoMismatch,
    AccountDeactivated,
    AccountUnknown,
    AccountLinkedElsewhere,
    /// The username belongs to a local account with a password or Administrator rights, which
    /// single sign-on never takes over.
    AccountIsLocal,
    /// The token's Entra tenant (`tid`) is not in the provider's Allowed Tenant IDs.
    TenantNotAllowed,
    /// A test sign-in asked for by someone without Identity Provider Administration.
    NotPermitted,
    Misconfigured,
    /// Too many sign-ins started from one address, or under way in one tenant.
    TooManySignIns,
    Internal,
}

/// The `error` of an authorization response (RFC 6749 §4.1.2.1, OpenID Connect §3.1.2.6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProviderError {
    AccessDenied,
    ConsentRequired,
    InteractionRequired,
    LoginRequired,
    /// Any other code, reduced to `[a-z0-9_]` and 40 characters.
    Other(String),
}

impl ProviderError {
    pub fn parse(code: &str) -> Self {
        match code {
            "access_denied" => Self::AccessDenied,
            "consent_required" => Self::ConsentRequired,
            "interaction_required" | "account_selection_required" => Self::InteractionRequired,
            "login_required" => Self::LoginRequired,
            other => Self::Other(
                other
                    .chars()
                    .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .take(40)
                    .collect::<String>()
                    .to_ascii_lowercase(),
            ),
        }
    }

    fn code(&self) -> &str {
        match self {
            Self::AccessDenied => "access_denied",
            Self::ConsentRequired => "consent_required",
            Self::InteractionRequired => "interaction_required",
            Self::LoginRequired => "login_required",
            Self::Other(c) => c,
        }
    }
}

const CODES: &[(&str, SsoFailure)] = &[
    ("no_active_provider", SsoFailure::NoActiveProvider),
    ("state_unknown", SsoFailure::StateUnknown),
    ("browser_mismatch", SsoFailure::BrowserMismatch),
    ("token_refused", SsoFailure::TokenRefused),
    ("unreachable", SsoFailure::ProviderUnreachable),
    ("no_id_token", SsoFailure::NoIdToken),
    ("signing_key_unknown", SsoFailure::SigningKeyUnknown),
    ("algorithm_refused", SsoFailure::AlgorithmRefused),
    ("signature_invalid", SsoFailure::SignatureInvalid),
    ("malformed_token", SsoFailure::MalformedToken),
    ("issuer_mismatch", SsoFailure::IssuerMismatch),
    ("audience_mismatch", SsoFailure::AudienceMismatch),
    ("expired", SsoFailure::Expired),
    ("issued_in_future", SsoFailure::IssuedInFuture),
    ("nonce_mismatch", SsoFailure::NonceMismatch),
    ("missing_username", SsoFailure::MissingUsername),
    ("userinfo_mismatch", SsoFailure::UserInfoMismatch),
    ("account_deactivated", SsoFailure::AccountDeactivated),
    ("account_unknown", SsoFailure::AccountUnknown),
    (
        "account_linked_elsewhere",
        SsoFailure::AccountLinkedElsewhere,
    ),
    ("account_is_local", SsoFailure::AccountIsLocal),
    ("tenant_not_allowed", SsoFailure::TenantNotAllowed),
    ("not_permitted", SsoFailure::NotPermitted),
    ("misconfigured", SsoFailure::Misconfigured),
    ("too_many_sign_ins", SsoFailure::TooManySignIns),
    ("internal", SsoFailure::Internal),
];

impl SsoFailure {
    /// The short code carried in the error page's address (`provider_<error>` for provider errors).
    pub fn code(&self) -> String {
        if let Self::Provider(p) = self {
            return format!("provider_{}", p.code());
        }
        CODES
            .iter()
            .find(|(_, f)| f == self)
            .map(|(c, _)| (*c).to_owned())
            .unwrap_or_else(|| "internal".into())
    }

    /// Back from [`code`](Self::code); unknown codes read as `Internal`.
    pub fn from_code(code: &str) -> Self {
        if let Some(p) = code.strip_prefix("provider_") {
            return Self::Provider(ProviderError::parse(p));
        }
        CODES
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, f)| f.clone())
            .unwrap_or(Self::Internal)
    }

    /// A short heading for the error page.
    pub fn title(&self) -> &'static str {
        match self {
            Self::AccountDeactivated => "Your account is deactivated",
            Self::AccountUnknown | Self::AccountLinkedElsewhere | Self::AccountIsLocal => {
                "No account for you here"
            }
            Self::TenantNotAllowed => "Your organisation may not sign in here",
            Self::NotPermitted => "You don't have permission to do this",
            Self::Provider(ProviderError::AccessDenied) => {
                "Access denied by your identity provider"
            }
            Self::Provider(_) => "Your identity provider stopped the sign-in",
            Self::StateUnknown | Self::BrowserMismatch => "This sign-in has expired",
            _ => "Single sign-on failed",
        }
    }

    /// What went wrong and what to do, in words.
    pub fn message(&self) -> String {
        match self {
            Self::NoActiveProvider => "Single sign-on is not active for this tenant. Sign in with your username and password, or ask your administrator.".into(),
            Self::StateUnknown => "This sign-in link has expired or was already used. Start again from the sign-in page.".into(),
            Self::BrowserMismatch => "This sign-in was started in another browser or window, or cookies are blocked. Start again from the sign-in page.".into(),
            Self::Provider(ProviderError::AccessDenied) => "Your identity provider did not let you in (access_denied). In Microsoft Entra ID only people assigned to the Cantara application, directly or through a group, can sign in — ask your administrator to assign you.".into(),
            Self::Provider(ProviderError::ConsentRequired) => "Your identity provider needs consent before it shares your profile with Cantara (consent_required). Sign in again and accept, or ask an administrator to grant consent for the organisation.".into(),
            Self::Provider(ProviderError::InteractionRequired) | Self::Provider(ProviderError::LoginRequired) => "Your identity provider needs you to sign in to it interactively first (for example for multi-factor authentication). Start again from the sign-in page.".into(),
            Self::Provider(ProviderError::Other(code)) => format!("Your identity provider refused the sign-in (error: {}). Try again, or ask your administrator to look at the provider's sign-in logs.", if code.is_empty() { "unknown" } else { code }),
            Self::TokenRefused => "The identity provider refused to exchange the sign-in code for tokens. An administrator should check the Client ID, Client Secret and Authentication Method; otherwise start again.".into(),
            Self::ProviderUnreachable => "Cantara could not reach the identity provider. Try again in a moment.".into(),
            Self::NoIdToken => "The identity provider did not send an ID token. The scopes must include openid.".into(),
            Self::SigningKeyUnknown => "The provider's signing key is unknown: the token was signed with a key that is not in the JSON Web Key Set URL.".into(),
            Self::AlgorithmRefused => "The token is not signed with an algorithm Cantara accepts (only asymmetric signatures such as RS256).".into(),
            Self::SignatureInvalid => "The token's signature is not valid: it was changed or not signed by the provider.".into(),
            Self::MalformedToken => "The identity provider sent a token Cantara cannot read.".into(),
            Self::IssuerMismatch => "The issuer does not match the Issuer URI configured for this identity provider.".into(),
            Self::AudienceMismatch => "The token was issued for another application: its audience does not match the Client ID (or Audience).".into(),
            Self::Expired => "The token has expired. Check this server's clock, then start again.".into(),
            Self::IssuedInFuture => "The token was issued in the future. Check this server's clock, then start again.".into(),
            Self::NonceMismatch => "The token does not belong to this sign-in (nonce mismatch). Start again from the sign-in page.".into(),
            Self::MissingUsername => "The identity provider did not send the claim named in Username Attribute, so Cantara cannot tell who you are.".into(),
            Self::UserInfoMismatch => "The provider's User Info answer is about someone else than its ID token, so Cantara cannot trust it.".into(),
            Self::AccountDeactivated => "Your account is deactivated. Ask your administrator to reactivate it in your identity provider.".into(),
            Self::AccountUnknown => "There is no Cantara account for you, and this identity provider does not create accounts at first sign-in. Ask your administrator.".into(),
            Self::AccountLinkedElsewhere => "Your username belongs to a Cantara account that is linked to another person at this identity provider. Ask your administrator.".into(),
            Self::AccountIsLocal => "Your username belongs to a local Cantara account that signs in with its password. Single sign-on never takes over such an account: sign in with your username and password, or ask your administrator.".into(),
            Self::TenantNotAllowed => "You signed in with an account of a Microsoft Entra tenant that is not allowed to sign in to this identity provider. Sign in with an account of your organisation, or ask your administrator to add its Directory (tenant) ID to the Allowed Tenant IDs.".into(),
            Self::NotPermitted => "You don't have permission to manage identity providers, so you cannot run a test sign-in.".into(),
            Self::Misconfigured => "The identity provider is not completely configured (for example the Issuer URI is missing). Ask your administrator.".into(),
            Self::TooManySignIns => "Too many sign-ins were started in a short time. Wait a minute, then start again from the sign-in page.".into(),
            Self::Internal => "Something went wrong on our side. Try again; if it keeps happening, ask your administrator to look at the server log.".into(),
        }
    }
}

/// What the last "Test sign-in" of an identity provider found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestSignIn {
    pub at: i64,
    /// Who ran it (console username).
    pub by: String,
    pub outcome: TestOutcome,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TestOutcome {
    Succeeded {
        username: String,
        display_name: String,
        /// Every claim of the validated ID token (and User Info, if read), as `name`, JSON value.
        claims: Vec<(String, String)>,
    },
    Failed {
        failure: SsoFailure,
    },
}

impl TestSignIn {
    pub fn succeeded(&self) -> bool {
        matches!(self.outcome, TestOutcome::Succeeded { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_failure_round_trips_through_its_code() {
        for (code, failure) in CODES {
            assert_eq!(failure.code(), *code);
            assert_eq!(SsoFailure::from_code(code), *failure);
            assert!(!failure.message().is_empty());
        }
        let denied = SsoFailure::Provider(ProviderError::AccessDenied);
        assert_eq!(denied.code(), "provider_access_denied");
        assert_eq!(SsoFailure::from_code("provider_access_denied"), denied);
        assert_eq!(SsoFailure::from_code("nonsense"), SsoFailure::Internal);
    }

    #[test]
    fn provider_codes_are_sanitised() {
        let p = ProviderError::parse("<script>Temporarily_Unavailable");
        assert_eq!(
            p,
            ProviderError::Other("scripttemporarily_unavailable".into())
        );
        assert!(SsoFailure::Provider(p)
            .message()
            .contains("scripttemporarily_unavailable"));
        assert!(SsoFailure::Provider(ProviderError::AccessDenied)
            .message()
            .contains("assigned"));
    }
}
