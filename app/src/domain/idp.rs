//! Identity provider settings: what the wizard sends, what it shows, and the rules for them
//! (guide Step 2, "Required" and "Additional OAuth 2.0 fields"). Validation runs on the server;
//! the types compile for the browser too, so the wizard and the server agree on names.

use serde::{Deserialize, Serialize};
use url::Url;

use super::error::FieldError;

/// How the client secret travels to the token endpoint ("Authentication Method").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    /// In the request body (the guide's choice).
    #[default]
    ClientSecretPost,
    /// In an HTTP Basic `Authorization` header.
    ClientSecretBasic,
}

impl AuthMethod {
    pub const ALL: [AuthMethod; 2] = [AuthMethod::ClientSecretPost, AuthMethod::ClientSecretBasic];

    /// The name the wizard shows and the database stores.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthMethod::ClientSecretPost => "client_secret_post",
            AuthMethod::ClientSecretBasic => "client_secret_basic",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s.trim())
    }
}
pub const DEFAULT_SCOPES: &str = "openid profile email";

/// The wizard's fields as typed. `client_secret` empty when editing keeps the stored one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdpForm {
    pub name: String,
    pub description: String,
    pub auth_method: AuthMethod,
    pub client_id: String,
    pub client_secret: String,
    pub authorization_url: String,
    pub token_url: String,
    pub jwks_url: String,
    pub username_attribute: String,
    pub issuer_uri: String,
    pub userinfo_url: String,
    pub secure_jwks: bool,
    pub logout_url: String,
    pub resource: String,
    pub audience: String,
    pub display_name_attribute: String,
    pub grant_type: String,
    pub scopes: String,
    pub provider_display_name: String,
    pub pkce_enabled: bool,
    pub refresh_tokens_enabled: bool,
    pub create_users: bool,
    /// With `{tenantid}` in the Issuer URI: the Directory (tenant) IDs whose people may sign in
    /// (comma or space separated; stored lower-case, comma separated).
    #[serde(default)]
    pub allowed_tenant_ids: String,
    /// When the client secret expires, as chosen in Entra's Certificates & secrets (`YYYY-MM-DD`,
    /// optional): the expiry reminders and alerts count down to it.
    #[serde(default)]
    pub client_secret_expires: String,
}

/// Why the Client Secret must be typed again when an endpoint changes.
pub const SECRET_AGAIN: &str = "Enter the Client Secret again: an endpoint or the Issuer URI changed, and the stored secret is never sent to a new address.";

impl IdpForm {
    /// Whether any address the client secret or tokens travel to differs from `other`'s.
    pub fn endpoints_differ(&self, other: &IdpForm) -> bool {
        [
            (&self.authorization_url, &other.authorization_url),
            (&self.token_url, &other.token_url),
            (&self.userinfo_url, &other.userinfo_url),
            (&self.jwks_url, &other.jwks_url),
            (&self.issuer_uri, &other.issuer_uri),
        ]
        .iter()
        .any(|(a, b)| a != b)
    }

    /// The allowed Entra tenant IDs as a list.
    pub fn allowed_tenants(&self) -> Vec<String> {
        self.allowed_tenant_ids
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .map(str::to_ascii_lowercase)
            .collect()
    }

    /// The wizard's defaults (guide table and issue: post, preferred_username, name, …).
    pub fn defaults() -> Self {
        Self {
            auth_method: AuthMethod::ClientSecretPost,
            username_attribute: "preferred_username".into(),
            display_name_attribute: "name".into(),
            grant_type: "authorization_code".into(),
            scopes: DEFAULT_SCOPES.into(),
            secure_jwks: true,
            pkce_enabled: true,
            create_users: true,
            ..Self::default()
        }
    }

    /// Checks and normalises every field; all problems are reported at once.
    /// `has_stored_secret`: editing an IdP whose secret is already set.
    pub fn validate(&self, has_stored_secret: bool) -> Result<IdpForm, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut err = |field: &str, message: &str| {
            errors.push(FieldError {
                field: field.into(),
                message: message.into(),
            })
        };
        let mut v = self.clone();
        for s in [
            &mut v.name,
            &mut v.description,
            &mut v.client_id,
            &mut v.authorization_url,
            &mut v.token_url,
            &mut v.jwks_url,
            &mut v.username_attribute,
            &mut v.issuer_uri,
            &mut v.userinfo_url,
            &mut v.logout_url,
            &mut v.resource,
            &mut v.audience,
            &mut v.display_name_attribute,
            &mut v.grant_type,
            &mut v.provider_display_name,
        ] {
            *s = s.trim().to_owned();
        }
        if v.name.is_empty() {
            err("name", "Enter a name for this identity provider.");
        } else if v.name.chars().count() > 100 {
            err("name", "The name is too long (at most 100 characters).");
        }
        if v.description.chars().count() > 500 {
            err(
                "description",
                "The description is too long (at most 500 characters).",
            );
        }
        if v.client_id.is_empty() {
            err(
                "client_id",
                "Enter the Application (client) ID from Entra → App registrations → Overview.",
            );
        }
        if v.client_secret.is_empty() && !has_stored_secret {
            err("client_secret", "Enter the client secret from Entra → Certificates & secrets (its Value, not its ID).");
        }
        for (field, value, required) in [
            ("authorization_url", &v.authorization_url, true),
            ("token_url", &v.token_url, true),
            ("userinfo_url", &v.userinfo_url, false),
            ("logout_url", &v.logout_url, false),
        ] {
            if let Some(m) = url_problem(value, required, false) {
                err(field, &m);
            }
        }
        if let Some(m) = url_problem(&v.jwks_url, true, !v.secure_jwks) {
            err("jwks_url", &m);
        }
        v.issuer_uri = v.issuer_uri.trim_end_matches('/').to_owned();
        if let Some(m) = url_problem(&v.issuer_uri.replace("{tenantid}", "tenant"), false, false) {
            err("issuer_uri", &m);
        }
        let tenants = v.allowed_tenants();
        if let Some(bad) = tenants.iter().find(|t| !is_guid(t)) {
            err(
                "allowed_tenant_ids",
                &format!("“{bad}” is not a Directory (tenant) ID (a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47)."),
            );
        } else if v.issuer_uri.contains("{tenantid}") && tenants.is_empty() {
            err("allowed_tenant_ids", "An Issuer URI with {tenantid} accepts tokens of any Entra tenant: list the Directory (tenant) IDs whose people may sign in.");
        }
        v.allowed_tenant_ids = tenants.join(",");
        v.client_secret_expires = v.client_secret_expires.trim().to_owned();
        if !v.client_secret_expires.is_empty()
            && super::entra_setup::date_to_unix(&v.client_secret_expires).is_none()
        {
            err(
                "client_secret_expires",
                "Enter the date as shown in Entra's Certificates & secrets, for example 2027-06-30.",
            );
        }
        for (field, value, label) in [
            (
                "username_attribute",
                &v.username_attribute,
                "Username Attribute",
            ),
            (
                "display_name_attribute",
                &v.display_name_attribute,
                "Display Name Attribute",
            ),
        ] {
            if value.is_empty() {
                err(
                    field,
                    &format!("Enter the claim for the {label}, e.g. preferred_username or email."),
                );
            } else if !value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_-.:/".contains(c))
            {
                err(
                    field,
                    "A claim name has letters, digits and _ - . : / only.",
                );
            }
        }
        if v.grant_type != "authorization_code" {
            err("grant_type", "Only authorization_code is supported: people sign in interactively, so Cantara uses the authorization code flow (with PKCE).");
        }
        match normalize_scopes(&v.scopes) {
            Ok(s) => v.scopes = s,
            Err(m) => err("scopes", &m),
        }
        if v.provider_display_name.is_empty() {
            v.provider_display_name = v.name.clone();
        }
        if v.provider_display_name.chars().count() > 100 {
            err(
                "provider_display_name",
                "The display name is too long (at most 100 characters).",
            );
        }
        if errors.is_empty() {
            Ok(v)
        } else {
            Err(errors)
        }
    }
}

/// `8-4-4-4-12` hexadecimal digits.
fn is_guid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.chars().all(|c| c.is_ascii_hexdigit()))
}

/// Spaces or commas between scopes; duplicates dropped; `openid` always first.
pub fn normalize_scopes(raw: &str) -> Result<String, String> {
    let mut out = vec!["openid".to_owned()];
    for s in raw
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
    {
        if !s
            .chars()
            .all(|c| c.is_ascii_graphic() && c != '"' && c != '\\')
        {
            return Err(format!("“{s}” is not a valid scope."));
        }
        if !out.iter().any(|o| o == s) {
            out.push(s.to_owned());
        }
    }
    Ok(out.join(" "))
}

fn is_loopback(u: &Url) -> bool {
    match u.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Why a URL is not acceptable, if it is not: absolute, https (http only for loopback hosts, or
/// when `allow_http` — the Secure JWKS URL switch turned off).
pub fn url_problem(value: &str, required: bool, allow_http: bool) -> Option<String> {
    if value.is_empty() {
        return required.then(|| "This URL is required.".to_owned());
    }
    let Ok(u) = Url::parse(value) else {
        return Some("Enter an absolute URL, starting with https://".into());
    };
    match u.scheme() {
        "https" => None,
        "http" if is_loopback(&u) || allow_http => None,
        "http" => {
            Some("Use https:// (plain http is allowed only for localhost / 127.0.0.1).".into())
        }
        _ => Some("Enter an https:// URL.".into()),
    }
    .or_else(|| {
        u.host()
            .is_none()
            .then(|| "The URL has no host.".to_owned())
    })
}

/// The Microsoft Entra ID v2.0 endpoints for a Directory (tenant) ID or verified domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntraEndpoints {
    pub authorization_url: String,
    pub token_url: String,
    pub jwks_url: String,
    pub issuer_uri: String,
    pub logout_url: String,
}

pub fn entra_endpoints(directory: &str) -> Result<EntraEndpoints, String> {
    let t = directory.trim();
    if t.is_empty()
        || !t
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
    {
        return Err("Enter the Directory (tenant) ID from Entra → Overview, e.g. 72f988bf-86f1-41af-91ab-2d7cd011db47.".into());
    }
    let base = format!("https://login.microsoftonline.com/{t}");
    let issuer_tenant = if ["common", "organizations"].contains(&t.to_ascii_lowercase().as_str()) {
        "{tenantid}"
    } else {
        t
    };
    Ok(EntraEndpoints {
        authorization_url: format!("{base}/oauth2/v2.0/authorize"),
        token_url: format!("{base}/oauth2/v2.0/token"),
        jwks_url: format!("{base}/discovery/v2.0/keys"),
        issuer_uri: format!("https://login.microsoftonline.com/{issuer_tenant}/v2.0"),
        logout_url: format!("{base}/oauth2/v2.0/logout"),
    })
}

/// An identity provider as the console lists and edits it (never the secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdpView {
    pub id: String,
    pub kind: String,
    pub active: bool,
    pub has_secret: bool,
    pub updated_at: i64,
    /// When the configuration was last checked, and whether every check passed.
    pub last_check: Option<(i64, bool)>,
    /// The last "Test sign-in" since the configuration was last saved.
    pub last_test: Option<super::sso::TestSignIn>,
    /// Whether the last successful test's person meets an account Entra provisioned.
    #[serde(default)]
    pub binding: Option<super::identity_binding::IdentityBinding>,
    pub form: IdpForm,
}

/// One check of "Check configuration".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckItem {
    pub name: String,
    pub passed: bool,
    pub detail: String,
}

/// Endpoints read from a provider's discovery document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Discovered {
    pub issuer: String,
    pub authorization_url: String,
    pub token_url: String,
    pub jwks_url: String,
    pub userinfo_url: String,
    pub logout_url: String,
}

/// One line of an identity provider's audit trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdpAuditEntry {
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub changes: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entra() -> IdpForm {
        let e = entra_endpoints("72f988bf-86f1-41af-91ab-2d7cd011db47").unwrap();
        IdpForm {
            name: " Entra ".into(),
            client_id: "11111111-2222-3333-4444-555555555555".into(),
            client_secret: "s3cret".into(),
            authorization_url: e.authorization_url,
            token_url: e.token_url,
            jwks_url: e.jwks_url,
            issuer_uri: format!("{}/", e.issuer_uri),
            logout_url: e.logout_url,
            scopes: "profile,email  offline_access profile".into(),
            ..IdpForm::defaults()
        }
    }

    #[test]
    fn a_complete_entra_form_is_normalised() {
        let v = entra().validate(false).unwrap();
        assert_eq!(v.name, "Entra");
        assert_eq!(v.scopes, "openid profile email offline_access");
        assert_eq!(
            v.issuer_uri,
            "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0"
        );
        assert_eq!(v.provider_display_name, "Entra", "defaults to the name");
    }

    #[test]
    fn every_problem_is_reported_next_to_its_field() {
        let f = IdpForm {
            authorization_url: "http://idp.example/authorize".into(),
            jwks_url: "ftp://x".into(),
            grant_type: "client_credentials".into(),
            ..IdpForm::defaults()
        };
        let e = crate::domain::error::AppError::InvalidForm(f.validate(false).unwrap_err());
        for field in [
            "name",
            "client_id",
            "client_secret",
            "authorization_url",
            "token_url",
            "jwks_url",
            "grant_type",
        ] {
            assert!(e.message_for(field).is_some(), "{field}: {e:?}");
        }
        assert!(e
            .message_for("grant_type")
            .unwrap()
            .contains("authorization code"));
        assert!(e.message_for("scopes").is_none());
    }

    #[test]
    fn urls_https_or_loopback_and_the_secure_jwks_switch() {
        assert!(url_problem("https://login.microsoftonline.com/x", true, false).is_none());
        assert!(url_problem("http://127.0.0.1:9400/x", true, false).is_none());
        assert!(url_problem("http://localhost/x", true, false).is_none());
        assert!(url_problem("http://idp.test/keys", true, false).is_some());
        assert!(
            url_problem("http://idp.test/keys", true, true).is_none(),
            "Secure JWKS URL off"
        );
        assert!(url_problem("/relative", true, false).is_some());
        assert!(url_problem("", false, false).is_none());
        let mut f = entra();
        f.jwks_url = "http://idp.test/keys".into();
        assert!(
            crate::domain::error::AppError::InvalidForm(f.validate(false).unwrap_err())
                .message_for("jwks_url")
                .is_some()
        );
        f.secure_jwks = false;
        assert!(f.validate(false).is_ok());
    }

    #[test]
    fn secret_is_optional_only_when_one_is_stored() {
        let mut f = entra();
        f.client_secret.clear();
        assert!(f.validate(false).is_err());
        assert!(f.validate(true).is_ok());
    }

    #[test]
    fn entra_quick_fill_and_multi_tenant_issuer() {
        let e = entra_endpoints("contoso.onmicrosoft.com").unwrap();
        assert_eq!(
            e.token_url,
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"
        );
        assert_eq!(
            entra_endpoints("organizations").unwrap().issuer_uri,
            "https://login.microsoftonline.com/{tenantid}/v2.0"
        );
        assert!(entra_endpoints("bad tenant/").is_err());
        let mut f = entra();
        f.issuer_uri = "https://login.microsoftonline.com/{tenantid}/v2.0".into();
        assert!(
            crate::domain::error::AppError::InvalidForm(f.validate(false).unwrap_err())
                .message_for("allowed_tenant_ids")
                .is_some(),
            "a {{tenantid}} issuer needs its allowed tenants"
        );
        f.allowed_tenant_ids = "not-a-guid".into();
        assert!(f.validate(false).is_err());
        f.allowed_tenant_ids =
            " 72F988BF-86F1-41AF-91AB-2D7CD011DB47, 11111111-2222-3333-4444-555555555555 ".into();
        let v = f.validate(false).unwrap();
        assert_eq!(
            v.allowed_tenant_ids,
            "72f988bf-86f1-41af-91ab-2d7cd011db47,11111111-2222-3333-4444-555555555555"
        );
    }

    #[test]
    fn an_endpoint_change_is_noticed() {
        let a = entra();
        let mut b = a.clone();
        assert!(!a.endpoints_differ(&b));
        b.name = "other name".into();
        assert!(!a.endpoints_differ(&b));
        b.token_url = "https://evil.test/token".into();
        assert!(a.endpoints_differ(&b));
    }
}
