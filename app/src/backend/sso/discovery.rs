//! "Import from discovery" and "Check configuration": fetch a provider's OpenID discovery document
//! and key set, check that they parse and agree with the form, and remember the outcome.
//!
//! Fetches go through [`crate::backend::outbound`] (10 s, 1 MiB, no private targets, checked redirects) and
//! respect the Secure JWKS URL switch: https with a verified certificate unless it is off.

use crate::domain::ids::TenantId;
use serde_json::Value;

use crate::backend::clock::now;
use crate::backend::db::bit;
use crate::backend::error::{DomainError, Result};
use crate::backend::Backend;
use crate::domain::idp::{CheckItem, Discovered, IdpForm};

fn discovery_url(issuer_or_url: &str) -> String {
    let t = issuer_or_url.trim().trim_end_matches('/');
    if t.ends_with("/.well-known/openid-configuration") {
        t.to_owned()
    } else {
        format!("{t}/.well-known/openid-configuration")
    }
}

fn read_discovery(doc: &Value) -> Discovered {
    let s = |k: &str| {
        doc.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    Discovered {
        issuer: s("issuer"),
        authorization_url: s("authorization_endpoint"),
        token_url: s("token_endpoint"),
        jwks_url: s("jwks_uri"),
        userinfo_url: s("userinfo_endpoint"),
        logout_url: s("end_session_endpoint"),
    }
}

/// Summarises a JWKS: how many usable signing keys, or why it is unusable.
fn read_jwks(doc: &Value) -> std::result::Result<String, String> {
    let keys = doc
        .get("keys")
        .and_then(Value::as_array)
        .ok_or("it has no \"keys\" list")?;
    let signing: Vec<&Value> = keys
        .iter()
        .filter(|k| matches!(k.get("kty").and_then(Value::as_str), Some("RSA" | "EC")))
        .filter(|k| {
            k.get("use")
                .and_then(Value::as_str)
                .is_none_or(|u| u == "sig")
        })
        .collect();
    if signing.is_empty() {
        return Err("it contains no RSA or EC signing key".into());
    }
    let without_kid = signing.iter().filter(|k| k.get("kid").is_none()).count();
    Ok(format!(
        "{} signing key(s){}",
        signing.len(),
        if without_kid > 0 {
            format!(", {without_kid} without kid")
        } else {
            String::new()
        }
    ))
}

impl Backend {
    /// Reads the endpoints from an issuer or `.well-known/openid-configuration` URL.
    pub async fn import_discovery(&self, issuer_or_url: &str) -> Result<Discovered> {
        let url = discovery_url(issuer_or_url);
        let doc = self.outbound.get_json(&url, false).await.map_err(|m| {
            DomainError::Refused(format!(
                "The discovery document at {url} could not be read: {m}."
            ))
        })?;
        let d = read_discovery(&doc);
        if d.issuer.is_empty()
            || d.authorization_url.is_empty()
            || d.token_url.is_empty()
            || d.jwks_url.is_empty()
        {
            return Err(DomainError::Refused(format!("{url} is not an OpenID Connect discovery document (issuer, authorization, token or jwks_uri missing).")));
        }
        Ok(d)
    }

    /// Runs every check on the form's values; with `idp_id`, remembers the outcome on that IdP.
    pub async fn check_identity_provider(
        &self,
        tenant_id: &TenantId,
        idp_id: Option<&str>,
        form: &IdpForm,
    ) -> Result<Vec<CheckItem>> {
        let mut items = Vec::new();
        let mut item = |name: &str, outcome: std::result::Result<String, String>| {
            let (passed, detail) = match outcome {
                Ok(d) => (true, d),
                Err(d) => (false, d),
            };
            items.push(CheckItem {
                name: name.into(),
                passed,
                detail,
            });
        };
        let issuer = form.issuer_uri.trim().trim_end_matches('/');
        if issuer.is_empty() {
            item(
                "Discovery document",
                Err(
                    "No Issuer URI is set, so there is no discovery document to compare with."
                        .into(),
                ),
            );
        } else if issuer.contains("{tenantid}") {
            item(
                "Discovery document",
                Ok("Multi-tenant issuer ({tenantid}): checked per sign-in, not here.".into()),
            );
        } else {
            match self.outbound.get_json(&discovery_url(issuer), false).await {
                Err(m) => item(
                    "Discovery document",
                    Err(format!("{} could not be read: {m}", discovery_url(issuer))),
                ),
                Ok(doc) => {
                    let d = read_discovery(&doc);
                    item(
                        "Discovery document",
                        Ok(format!("Read from {}", discovery_url(issuer))),
                    );
                    let same =
                        |label: &str,
                         theirs: &str,
                         ours: &str|
                         -> (String, std::result::Result<String, String>) {
                            let outcome = if theirs.trim_end_matches('/')
                                == ours.trim().trim_end_matches('/')
                            {
                                Ok(format!("matches ({theirs})"))
                            } else {
                                Err(format!(
                                    "the provider says “{theirs}”, the form has “{ours}”"
                                ))
                            };
                            (label.to_owned(), outcome)
                        };
                    for (label, outcome) in [
                        same("Issuer URI", &d.issuer, issuer),
                        same(
                            "Authentication URL",
                            &d.authorization_url,
                            &form.authorization_url,
                        ),
                        same("Access Token URL", &d.token_url, &form.token_url),
                        same("JSON Web Key Set URL", &d.jwks_url, &form.jwks_url),
                    ] {
                        item(&label, outcome);
                    }
                }
            }
        }
        let jwks = match self
            .outbound
            .get_json(form.jwks_url.trim(), !form.secure_jwks)
            .await
        {
            Ok(doc) => read_jwks(&doc),
            Err(m) => Err(format!("{} could not be read: {m}", form.jwks_url.trim())),
        };
        item("Key set (JWKS)", jwks);
        let all_ok = items.iter().all(|i| i.passed);
        if let Some(id) = idp_id {
            sqlx::query("UPDATE identity_provider SET last_check_at = $1, last_check_ok = $2 WHERE idp_id = $3 AND tenant_id = $4")
                .bind(now())
                .bind(bit(all_ok))
                .bind(id)
                .bind(tenant_id)
                .execute(&self.db.pool)
                .await?;
        }
        Ok(items)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn discovery_urls_and_documents() {
        assert_eq!(
            discovery_url("https://login.microsoftonline.com/t/v2.0/"),
            "https://login.microsoftonline.com/t/v2.0/.well-known/openid-configuration"
        );
        assert_eq!(
            discovery_url("https://x/.well-known/openid-configuration"),
            "https://x/.well-known/openid-configuration"
        );
        let d = read_discovery(
            &json!({"issuer": "i", "authorization_endpoint": "a", "token_endpoint": "t", "jwks_uri": "j"}),
        );
        assert_eq!(
            (
                d.issuer.as_str(),
                d.jwks_url.as_str(),
                d.logout_url.as_str()
            ),
            ("i", "j", "")
        );
    }

    #[test]
    fn key_sets_need_a_signing_key() {
        assert!(
            read_jwks(&json!({"keys": [{"kty": "RSA", "kid": "1", "n": "x", "e": "AQAB"}]}))
                .is_ok()
        );
        assert!(read_jwks(&json!({"keys": [{"kty": "oct", "k": "x"}]})).is_err());
        assert!(read_jwks(&json!({"nope": 1})).is_err());
    }
}
