//! Validating an OpenID Connect ID token, parsed once into [`IdTokenClaims`].
//!
//! Signature against the provider's key set (asymmetric algorithms only: `none` and HS* are
//! refused, so a token "signed" with the public key as an HMAC secret never passes), then the
//! claims: `iss` (with Entra's `{tenantid}` template), `aud`/`azp`, `exp`/`iat`/`nbf` with a small
//! clock skew, and `nonce`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};

use crate::backend::sso::jwks::{JwksCache, KeyProblem};
use crate::domain::sso::SsoFailure;

/// Clock difference tolerated between Cantara and the provider.
pub const CLOCK_SKEW_SECS: i64 = 120;

/// The only algorithms accepted: asymmetric signatures.
const ACCEPTED: &[(&str, Algorithm)] = &[
    ("RS256", Algorithm::RS256),
    ("RS384", Algorithm::RS384),
    ("RS512", Algorithm::RS512),
    ("PS256", Algorithm::PS256),
    ("PS384", Algorithm::PS384),
    ("PS512", Algorithm::PS512),
    ("ES256", Algorithm::ES256),
    ("ES384", Algorithm::ES384),
    ("EdDSA", Algorithm::EdDSA),
];

/// What the token must say.
#[derive(Debug, Clone)]
pub struct Expected<'a> {
    /// Issuer URI as configured; `{tenantid}` is replaced by the token's `tid`.
    pub issuer: &'a str,
    pub client_id: &'a str,
    /// The Audience field when set (replaces the Client ID in the `aud` check).
    pub audience: Option<&'a str>,
    /// The nonce of the sign-in; `None` for refreshed tokens, which carry none.
    pub nonce: Option<&'a str>,
    pub now: i64,
    /// With `{tenantid}` in the issuer: the Entra tenants (lower-case) whose tokens are accepted.
    pub allowed_tenants: &'a [String],
}

/// Where the signing keys come from.
#[derive(Debug, Clone, Copy)]
pub struct KeySource<'a> {
    pub jwks_url: &'a str,
    pub allow_http: bool,
}

/// A validated ID token.
#[derive(Debug, Clone)]
pub struct IdTokenClaims {
    pub issuer: String,
    pub subject: String,
    pub expires_at: i64,
    /// Entra's tenant and object ids, when present.
    pub tid: Option<String>,
    pub oid: Option<String>,
    /// Every claim, for the configurable Username / Display Name attributes and the test view.
    pub all: Map<String, Value>,
}

impl IdTokenClaims {
    /// The stable identity an account is linked to: Entra's `tid`+`oid`, else `iss`+`sub`.
    pub fn stable_key(&self) -> String {
        match (&self.tid, &self.oid) {
            (Some(tid), Some(oid)) => format!("entra:{tid}:{oid}"),
            _ => format!("oidc:{}:{}", self.issuer, self.subject),
        }
    }

    /// A claim as text (strings as they are, numbers and booleans printed).
    pub fn text(&self, name: &str) -> Option<String> {
        claim_text(&self.all, name)
    }
}

pub fn claim_text(claims: &Map<String, Value>, name: &str) -> Option<String> {
    match claims.get(name)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Why validation failed: the person-facing failure and a technical detail for the log.
pub type Refusal = (SsoFailure, String);

fn refuse(f: SsoFailure, detail: impl Into<String>) -> Refusal {
    (f, detail.into())
}

/// Validates `raw` completely; nothing of an unvalidated token is returned.
pub async fn validate(
    raw: &str,
    keys: KeySource<'_>,
    cache: &JwksCache,
    expected: &Expected<'_>,
) -> Result<IdTokenClaims, Refusal> {
    let header = header(raw)?;
    let alg_name = header.get("alg").and_then(Value::as_str).unwrap_or("");
    let Some(alg) = ACCEPTED
        .iter()
        .find(|(n, _)| *n == alg_name)
        .map(|(_, a)| *a)
    else {
        return Err(refuse(
            SsoFailure::AlgorithmRefused,
            format!("alg {alg_name:?} is not an accepted asymmetric algorithm"),
        ));
    };
    let kid = header.get("kid").and_then(Value::as_str);
    let jwk = cache
        .key(keys.jwks_url, kid, keys.allow_http)
        .await
        .map_err(|p| match p {
            KeyProblem::Unknown => refuse(
                SsoFailure::SigningKeyUnknown,
                format!("kid {kid:?} is not in {}", keys.jwks_url),
            ),
            KeyProblem::Unavailable(why) => refuse(
                SsoFailure::ProviderUnreachable,
                format!("key set {}: {why}", keys.jwks_url),
            ),
        })?;
    let mut v = Validation::new(alg);
    // The signature only; every claim is checked below with our own words and clock.
    v.required_spec_claims.clear();
    v.validate_exp = false;
    v.validate_aud = false;
    let decoded = match decode_with(raw, &jwk, alg, kid, &v) {
        Err(e) if e.0 == SsoFailure::SignatureInvalid => {
            // A rotation under the same `kid` heals itself: one refetch (rate-limited).
            match cache
                .refetch_after_bad_signature(keys.jwks_url, kid, keys.allow_http, &jwk)
                .await
            {
                Some(fresh) => decode_with(raw, &fresh, alg, kid, &v),
                None => Err(e),
            }
        }
        other => other,
    };
    let all = decoded?;
    check_claims(all, expected)
}

/// Checks the signature with one key; the claims as JSON.
fn decode_with(
    raw: &str,
    jwk: &Jwk,
    alg: Algorithm,
    kid: Option<&str>,
    v: &Validation,
) -> Result<Map<String, Value>, Refusal> {
    let key = DecodingKey::from_jwk(jwk).map_err(|e| {
        refuse(
            SsoFailure::SigningKeyUnknown,
            format!("key {kid:?} is unusable: {e}"),
        )
    })?;
    if key.family() != alg.family() {
        return Err(refuse(
            SsoFailure::AlgorithmRefused,
            format!("alg {alg:?} does not fit key {kid:?}"),
        ));
    }
    Ok(jsonwebtoken::decode::<Map<String, Value>>(raw, &key, v)
        .map_err(|e| match e.kind() {
            jsonwebtoken::errors::ErrorKind::InvalidSignature => {
                refuse(SsoFailure::SignatureInvalid, "signature does not verify")
            }
            _ => refuse(SsoFailure::MalformedToken, format!("token: {e}")),
        })?
        .claims)
}

fn header(raw: &str) -> Result<Map<String, Value>, Refusal> {
    let first = raw.split('.').next().unwrap_or("");
    if raw.split('.').count() != 3 {
        return Err(refuse(
            SsoFailure::MalformedToken,
            "not a signed JWT (JWS compact)",
        ));
    }
    URL_SAFE_NO_PAD
        .decode(first.trim_end_matches('='))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(|| refuse(SsoFailure::MalformedToken, "header is not base64url JSON"))
}

fn check_claims(all: Map<String, Value>, x: &Expected<'_>) -> Result<IdTokenClaims, Refusal> {
    let text = |name: &str| claim_text(&all, name);
    let number = |name: &str| all.get(name).and_then(Value::as_i64);
    let tid = text("tid");
    let oid = text("oid");

    let iss = text("iss").ok_or_else(|| refuse(SsoFailure::IssuerMismatch, "no iss"))?;
    let want = if x.issuer.contains("{tenantid}") {
        let tid = tid
            .as_deref()
            .ok_or_else(|| refuse(SsoFailure::IssuerMismatch, "issuer template needs tid"))?;
        if !x
            .allowed_tenants
            .iter()
            .any(|t| t.eq_ignore_ascii_case(tid))
        {
            return Err(refuse(
                SsoFailure::TenantNotAllowed,
                format!("tid {tid:?} is not an allowed tenant"),
            ));
        }
        x.issuer.replace("{tenantid}", tid)
    } else {
        x.issuer.to_owned()
    };
    if x.issuer.is_empty() || iss.trim_end_matches('/') != want.trim_end_matches('/') {
        return Err(refuse(
            SsoFailure::IssuerMismatch,
            format!("iss {iss:?}, Issuer URI {want:?}"),
        ));
    }

    let audiences: Vec<&str> = match all.get("aud") {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    let want_aud = x.audience.filter(|a| !a.is_empty()).unwrap_or(x.client_id);
    if !audiences.contains(&want_aud) {
        return Err(refuse(
            SsoFailure::AudienceMismatch,
            format!("aud {audiences:?} lacks {want_aud:?}"),
        ));
    }
    match text("azp") {
        Some(azp) if azp != x.client_id => {
            return Err(refuse(SsoFailure::AudienceMismatch, format!("azp {azp:?}")))
        }
        None if audiences.len() > 1 => {
            return Err(refuse(
                SsoFailure::AudienceMismatch,
                "several audiences and no azp",
            ))
        }
        _ => {}
    }

    let exp = number("exp").ok_or_else(|| refuse(SsoFailure::MalformedToken, "no exp"))?;
    if x.now > exp + CLOCK_SKEW_SECS {
        return Err(refuse(
            SsoFailure::Expired,
            format!("exp {exp}, now {}", x.now),
        ));
    }
    let iat = number("iat").ok_or_else(|| refuse(SsoFailure::MalformedToken, "no iat"))?;
    if iat > x.now + CLOCK_SKEW_SECS {
        return Err(refuse(
            SsoFailure::IssuedInFuture,
            format!("iat {iat}, now {}", x.now),
        ));
    }
    if let Some(nbf) = number("nbf") {
        if nbf > x.now + CLOCK_SKEW_SECS {
            return Err(refuse(
                SsoFailure::IssuedInFuture,
                format!("nbf {nbf}, now {}", x.now),
            ));
        }
    }

    if let Some(want) = x.nonce {
        if text("nonce").as_deref() != Some(want) {
            return Err(refuse(SsoFailure::NonceMismatch, "nonce differs"));
        }
    }

    let subject = text("sub").ok_or_else(|| refuse(SsoFailure::MalformedToken, "no sub"))?;
    Ok(IdTokenClaims {
        issuer: iss,
        subject,
        expires_at: exp,
        tid,
        oid,
        all,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claims(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    fn expected() -> Expected<'static> {
        Expected {
            issuer: "https://login.microsoftonline.com/{tenantid}/v2.0",
            client_id: "client",
            audience: None,
            nonce: Some("n1"),
            now: 1_000_000,
            allowed_tenants: Box::leak(vec!["t1".to_owned()].into_boxed_slice()),
        }
    }

    fn good() -> Value {
        json!({"iss": "https://login.microsoftonline.com/t1/v2.0", "aud": "client", "sub": "s",
               "tid": "t1", "oid": "o1", "exp": 1_000_100, "iat": 999_900, "nonce": "n1"})
    }

    fn failure(v: Value) -> SsoFailure {
        check_claims(claims(v), &expected()).unwrap_err().0
    }

    #[test]
    fn a_good_token_passes_and_keys_on_tid_and_oid() {
        let c = check_claims(claims(good()), &expected()).unwrap();
        assert_eq!(c.stable_key(), "entra:t1:o1");
        assert_eq!(c.expires_at, 1_000_100);
    }

    #[test]
    fn a_tenant_template_accepts_only_the_allowed_tenants() {
        let mut v = good();
        v["iss"] = json!("https://login.microsoftonline.com/t9/v2.0");
        v["tid"] = json!("t9");
        assert_eq!(failure(v), SsoFailure::TenantNotAllowed);
        let none = Expected {
            allowed_tenants: &[],
            ..expected()
        };
        assert_eq!(
            check_claims(claims(good()), &none).unwrap_err().0,
            SsoFailure::TenantNotAllowed,
            "an empty list admits nobody"
        );
    }

    #[test]
    fn each_claim_is_checked() {
        let mut v = good();
        v["iss"] = json!("https://login.microsoftonline.com/t2/v2.0");
        assert_eq!(failure(v), SsoFailure::IssuerMismatch);
        let mut v = good();
        v["aud"] = json!(["other", "client"]);
        assert_eq!(
            failure(v),
            SsoFailure::AudienceMismatch,
            "several audiences need azp"
        );
        let mut v = good();
        v["aud"] = json!(["other", "client"]);
        v["azp"] = json!("client");
        assert!(check_claims(claims(v), &expected()).is_ok());
        let mut v = good();
        v["aud"] = json!("other");
        assert_eq!(failure(v), SsoFailure::AudienceMismatch);
        let mut v = good();
        v["exp"] = json!(1_000_000 - CLOCK_SKEW_SECS - 1);
        assert_eq!(failure(v), SsoFailure::Expired);
        let mut v = good();
        v["exp"] = json!(1_000_000 - CLOCK_SKEW_SECS + 1);
        assert!(
            check_claims(claims(v), &expected()).is_ok(),
            "within the skew"
        );
        let mut v = good();
        v["iat"] = json!(1_000_000 + CLOCK_SKEW_SECS + 1);
        assert_eq!(failure(v), SsoFailure::IssuedInFuture);
        let mut v = good();
        v["nonce"] = json!("other");
        assert_eq!(failure(v), SsoFailure::NonceMismatch);
        let mut v = good();
        v.as_object_mut().unwrap().remove("tid");
        assert_eq!(failure(v), SsoFailure::IssuerMismatch);
    }

    #[test]
    fn header_must_be_a_jws() {
        assert_eq!(header("a.b").unwrap_err().0, SsoFailure::MalformedToken);
        let h = URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#);
        assert_eq!(header(&format!("{h}.e30.")).unwrap()["alg"], "none");
    }
}
