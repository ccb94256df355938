//! Identity providers of a tenant: save (secret encrypted), list, activate (at most one active),
//! deactivate, delete, and the audit trail of each change (never the secret).
//!
//! Activating an IdP never disables local sign-in for local administrators, so a wrong
//! configuration cannot lock anyone out; `cantara idp deactivate` is the command-line way back.

use crate::domain::ids::IdpId;
use crate::domain::ids::TenantId;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::backend::clock::now;
use crate::backend::db::{bit, flag};
use crate::backend::error::{conflict_on_unique, DomainError, Result, UniqueIndex};
use crate::backend::{crypto::secrets, Backend};
use crate::domain::error::FieldError;
use crate::domain::idp::{AuthMethod, IdpAuditEntry, IdpForm, IdpView};

const SELECT: &str = "SELECT idp_id, kind, name, description, is_active, auth_method, client_id, client_secret_enc, \
     authorization_url, token_url, jwks_url, username_attribute, issuer_uri, userinfo_url, secure_jwks, logout_url, \
     resource, audience, display_name_attribute, grant_type, scopes, provider_display_name, pkce_enabled, \
     refresh_tokens_enabled, create_users, allowed_tenant_ids, client_secret_expires, updated_at, last_check_at, last_check_ok, last_test_result FROM identity_provider";

fn to_view(r: &AnyRow) -> Result<IdpView> {
    let secret: String = r.try_get("client_secret_enc")?;
    Ok(IdpView {
        id: r.try_get("idp_id")?,
        kind: r.try_get("kind")?,
        active: flag(r, "is_active")?,
        has_secret: !secret.is_empty(),
        updated_at: r.try_get("updated_at")?,
        last_check: match (
            r.try_get::<Option<i64>, _>("last_check_at")?,
            r.try_get::<Option<i64>, _>("last_check_ok")?,
        ) {
            (Some(at), Some(ok)) => Some((at, ok != 0)),
            _ => None,
        },
        last_test: r
            .try_get::<Option<String>, _>("last_test_result")?
            .and_then(|j| serde_json::from_str(&j).ok()),
        binding: None,
        form: IdpForm {
            name: r.try_get("name")?,
            description: r.try_get("description")?,
            auth_method: {
                let stored: String = r.try_get("auth_method")?;
                AuthMethod::parse(&stored).ok_or_else(|| {
                    DomainError::Internal(format!("unknown stored auth_method {stored:?}"))
                })?
            },
            client_id: r.try_get("client_id")?,
            client_secret: String::new(),
            authorization_url: r.try_get("authorization_url")?,
            token_url: r.try_get("token_url")?,
            jwks_url: r.try_get("jwks_url")?,
            username_attribute: r.try_get("username_attribute")?,
            issuer_uri: r.try_get("issuer_uri")?,
            userinfo_url: r.try_get("userinfo_url")?,
            secure_jwks: flag(r, "secure_jwks")?,
            logout_url: r.try_get("logout_url")?,
            resource: r.try_get("resource")?,
            audience: r.try_get("audience")?,
            display_name_attribute: r.try_get("display_name_attribute")?,
            grant_type: r.try_get("grant_type")?,
            scopes: r.try_get("scopes")?,
            provider_display_name: r.try_get("provider_display_name")?,
            pkce_enabled: flag(r, "pkce_enabled")?,
            refresh_tokens_enabled: flag(r, "refresh_tokens_enabled")?,
            create_users: flag(r, "create_users")?,
            allowed_tenant_ids: r.try_get("allowed_tenant_ids")?,
            client_secret_expires: r.try_get("client_secret_expires")?,
        },
    })
}

/// What changed between two forms, by field name (secret: only that it changed).
fn changes(before: Option<&IdpForm>, after: &IdpForm, secret_changed: bool) -> String {
    let pairs = |f: &IdpForm| -> Vec<(&'static str, String)> {
        vec![
            ("Name", f.name.clone()),
            ("Description", f.description.clone()),
            ("Authentication Method", f.auth_method.as_str().to_owned()),
            ("Client ID", f.client_id.clone()),
            ("Authentication URL", f.authorization_url.clone()),
            ("Access Token URL", f.token_url.clone()),
            ("JSON Web Key Set URL", f.jwks_url.clone()),
            ("Username Attribute", f.username_attribute.clone()),
            ("Issuer URI", f.issuer_uri.clone()),
            ("User Info URL", f.userinfo_url.clone()),
            ("Secure JWKS URL", f.secure_jwks.to_string()),
            ("Logout URL", f.logout_url.clone()),
            ("Resource", f.resource.clone()),
            ("Audience", f.audience.clone()),
            ("Display Name Attribute", f.display_name_attribute.clone()),
            ("Authorisation Grant Type", f.grant_type.clone()),
            ("Scopes", f.scopes.clone()),
            ("Provider Display Name", f.provider_display_name.clone()),
            ("PKCE Enabled", f.pkce_enabled.to_string()),
            (
                "Enable Refresh Tokens",
                f.refresh_tokens_enabled.to_string(),
            ),
            (
                "Create accounts at first sign-in",
                f.create_users.to_string(),
            ),
            ("Allowed Tenant IDs", f.allowed_tenant_ids.clone()),
            ("Client Secret Expires", f.client_secret_expires.clone()),
        ]
    };
    let new = pairs(after);
    let mut out: Vec<String> = match before {
        None => vec!["created".into()],
        Some(b) => pairs(b)
            .into_iter()
            .zip(new)
            .filter(|(old, new)| old.1 != new.1)
            .map(|((label, old), (_, new))| format!("{label}: “{old}” → “{new}”"))
            .collect(),
    };
    if secret_changed && before.is_some() {
        out.push("Client Secret: changed".into());
    }
    out.join("; ")
}

async fn audit(
    conn: &mut AnyConnection,
    tenant_id: &TenantId,
    idp_id: &IdpId,
    actor: &str,
    action: &str,
    changes: &str,
) -> Result<()> {
    sqlx::query("INSERT INTO idp_audit (tenant_id, idp_id, at, actor, action, changes) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(tenant_id)
        .bind(idp_id)
        .bind(now())
        .bind(actor)
        .bind(action)
        .bind(changes)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

impl Backend {
    pub async fn list_identity_providers(&self, tenant_id: &TenantId) -> Result<Vec<IdpView>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE tenant_id = $1 ORDER BY is_active DESC, name"
        )))
        .bind(tenant_id)
        .fetch_all(&self.db.pool)
        .await?;
        rows.iter().map(to_view).collect()
    }

    async fn identity_provider_row(&self, tenant_id: &TenantId, id: &IdpId) -> Result<AnyRow> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE tenant_id = $1 AND idp_id = $2"
        )))
        .bind(tenant_id)
        .bind(id)
        .fetch_optional(&self.db.pool)
        .await?
        .ok_or(DomainError::NotFound("identity provider"))
    }

    pub async fn get_identity_provider(&self, tenant_id: &TenantId, id: &IdpId) -> Result<IdpView> {
        to_view(&self.identity_provider_row(tenant_id, id).await?)
    }

    /// One provider as its page shows it: with the identity binding of its last successful test
    /// sign-in (only the page needs it; saving and deleting do not).
    pub async fn identity_provider_page(
        &self,
        tenant_id: &TenantId,
        id: &IdpId,
    ) -> Result<IdpView> {
        let mut view = self.get_identity_provider(tenant_id, id).await?;
        if let Some(test) = &view.last_test {
            view.binding = self
                .identity_binding(tenant_id, &view.form.username_attribute, test)
                .await?;
        }
        Ok(view)
    }

    /// Creates (`id` None) or updates an identity provider. Nothing is saved if any field is
    /// invalid. An empty secret on update keeps the stored one.
    pub async fn save_identity_provider(
        &self,
        tenant_id: &TenantId,
        actor: &str,
        id: Option<&IdpId>,
        form: &IdpForm,
    ) -> Result<IdpView> {
        let before = match id {
            Some(id) => Some(self.get_identity_provider(tenant_id, id).await?),
            None => None,
        };
        let v = form.validate(before.as_ref().is_some_and(|b| b.has_secret))?;
        if let Some(b) = &before {
            if v.client_secret.is_empty() && v.endpoints_differ(&b.form) {
                // The stored secret is never sent to a host it was not entered for.
                return Err(DomainError::Form(vec![FieldError::new(
                    "client_secret",
                    crate::domain::idp::SECRET_AGAIN,
                )]));
            }
        }
        let secret_enc = if v.client_secret.is_empty() {
            None
        } else {
            Some(secrets::encrypt(&self.config.secret_key, &v.client_secret)?)
        };
        let ts = now();
        let idp_id = id.cloned().unwrap_or_else(IdpId::generate);
        // A new provider's `Client Secret Expires` starts as the date entered in the assistant.
        let secret_expires = match (&before, v.client_secret_expires.is_empty()) {
            (None, true) => self.step_one_date(tenant_id).await?.unwrap_or_default(),
            _ => v.client_secret_expires.clone(),
        };
        let mut tx = self.db.begin_write().await?;
        let sql = if before.is_some() {
            "UPDATE identity_provider SET name = $3, description = $4, auth_method = $5, client_id = $6, \
             client_secret_enc = COALESCE($7, client_secret_enc), authorization_url = $8, token_url = $9, jwks_url = $10, \
             username_attribute = $11, issuer_uri = $12, userinfo_url = $13, secure_jwks = $14, logout_url = $15, \
             resource = $16, audience = $17, display_name_attribute = $18, grant_type = $19, scopes = $20, \
             provider_display_name = $21, pkce_enabled = $22, refresh_tokens_enabled = $23, create_users = $24, \
             updated_at = $25, allowed_tenant_ids = $26, client_secret_expires = $27 WHERE idp_id = $1 AND tenant_id = $2"
        } else {
            "INSERT INTO identity_provider (idp_id, tenant_id, name, description, auth_method, client_id, client_secret_enc, \
             authorization_url, token_url, jwks_url, username_attribute, issuer_uri, userinfo_url, secure_jwks, logout_url, \
             resource, audience, display_name_attribute, grant_type, scopes, provider_display_name, pkce_enabled, \
             refresh_tokens_enabled, create_users, updated_at, allowed_tenant_ids, client_secret_expires, kind, is_active, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, \
             $23, $24, $25, $26, $27, 'oauth2', 0, $25)"
        };
        sqlx::query(sql)
            .bind(&idp_id)
            .bind(tenant_id)
            .bind(&v.name)
            .bind(&v.description)
            .bind(v.auth_method.as_str())
            .bind(&v.client_id)
            .bind(&secret_enc)
            .bind(&v.authorization_url)
            .bind(&v.token_url)
            .bind(&v.jwks_url)
            .bind(&v.username_attribute)
            .bind(&v.issuer_uri)
            .bind(&v.userinfo_url)
            .bind(bit(v.secure_jwks))
            .bind(&v.logout_url)
            .bind(&v.resource)
            .bind(&v.audience)
            .bind(&v.display_name_attribute)
            .bind(&v.grant_type)
            .bind(&v.scopes)
            .bind(&v.provider_display_name)
            .bind(bit(v.pkce_enabled))
            .bind(bit(v.refresh_tokens_enabled))
            .bind(bit(v.create_users))
            .bind(ts)
            .bind(&v.allowed_tenant_ids)
            .bind(&secret_expires)
            .execute(&mut *tx)
            .await
            .map_err(conflict_on_unique(
                UniqueIndex::IdpName,
                "name",
                "An identity provider with this name already exists.",
            ))?;
        let what = changes(before.as_ref().map(|b| &b.form), &v, secret_enc.is_some());
        if before.is_some() && !what.is_empty() {
            // A test sign-in vouches for the configuration it ran with only.
            sqlx::query("UPDATE identity_provider SET last_test_at = NULL, last_test_result = NULL WHERE idp_id = $1")
                .bind(&idp_id)
                .execute(&mut *tx)
                .await?;
        }
        audit(&mut tx, tenant_id, &idp_id, actor, "saved", &what).await?;
        tx.commit().await?;
        tracing::info!(tenant_id = %tenant_id, idp_id = %idp_id, "identity provider saved");
        self.get_identity_provider(tenant_id, &idp_id).await
    }

    /// Makes this the tenant's active IdP, deactivating any other, in one transaction.
    pub async fn activate_identity_provider(
        &self,
        tenant_id: &TenantId,
        actor: &str,
        id: &IdpId,
    ) -> Result<()> {
        let mut tx = self.db.begin_write().await?;
        let exists: Option<i64> = sqlx::query_scalar(
            "SELECT is_active FROM identity_provider WHERE idp_id = $1 AND tenant_id = $2",
        )
        .bind(id)
        .bind(tenant_id)
        .fetch_optional(&mut *tx)
        .await?;
        if exists.is_none() {
            return Err(DomainError::NotFound("identity provider"));
        }
        let others: Vec<IdpId> = sqlx::query_scalar("SELECT idp_id FROM identity_provider WHERE tenant_id = $1 AND is_active = 1 AND idp_id <> $2")
            .bind(tenant_id)
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
        for other in &others {
            sqlx::query(
                "UPDATE identity_provider SET is_active = 0, updated_at = $1 WHERE idp_id = $2",
            )
            .bind(now())
            .bind(other)
            .execute(&mut *tx)
            .await?;
            audit(
                &mut tx,
                tenant_id,
                other,
                actor,
                "deactivated",
                "another identity provider was activated",
            )
            .await?;
        }
        sqlx::query(
            "UPDATE identity_provider SET is_active = 1, updated_at = $1 WHERE idp_id = $2",
        )
        .bind(now())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        audit(&mut tx, tenant_id, id, actor, "activated", "").await?;
        tx.commit().await?;
        tracing::info!(tenant_id = %tenant_id, idp_id = %id, "identity provider activated");
        Ok(())
    }

    /// Deactivates one IdP, or (with `id` None) whichever is active. Returns how many changed.
    pub async fn deactivate_identity_provider(
        &self,
        tenant_id: &TenantId,
        actor: &str,
        id: Option<&IdpId>,
    ) -> Result<u64> {
        let mut tx = self.db.begin_write().await?;
        let active: Vec<IdpId> = sqlx::query_scalar(
            "SELECT idp_id FROM identity_provider WHERE tenant_id = $1 AND is_active = 1",
        )
        .bind(tenant_id)
        .fetch_all(&mut *tx)
        .await?;
        let targets: Vec<&IdpId> = active
            .iter()
            .filter(|a| id.is_none_or(|i| i == *a))
            .collect();
        for t in &targets {
            sqlx::query(
                "UPDATE identity_provider SET is_active = 0, updated_at = $1 WHERE idp_id = $2",
            )
            .bind(now())
            .bind(*t)
            .execute(&mut *tx)
            .await?;
            audit(&mut tx, tenant_id, t, actor, "deactivated", "").await?;
        }
        tx.commit().await?;
        Ok(targets.len() as u64)
    }

    /// Deletes an inactive IdP (an active one must be deactivated first).
    pub async fn delete_identity_provider(
        &self,
        tenant_id: &TenantId,
        actor: &str,
        id: &IdpId,
    ) -> Result<()> {
        let view = self.get_identity_provider(tenant_id, id).await?;
        if view.active {
            return Err(DomainError::Refused(
                "Deactivate this identity provider before deleting it.".into(),
            ));
        }
        let mut tx = self.db.begin_write().await?;
        sqlx::query(
            "DELETE FROM identity_provider WHERE idp_id = $1 AND tenant_id = $2 AND is_active = 0",
        )
        .bind(id)
        .bind(tenant_id)
        .execute(&mut *tx)
        .await?;
        audit(
            &mut tx,
            tenant_id,
            id,
            actor,
            "deleted",
            &format!("“{}”", view.form.name),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn identity_provider_audit(
        &self,
        tenant_id: &TenantId,
        id: &IdpId,
    ) -> Result<Vec<IdpAuditEntry>> {
        let rows = sqlx::query("SELECT at, actor, action, changes FROM idp_audit WHERE tenant_id = $1 AND idp_id = $2 ORDER BY audit_id DESC LIMIT 100")
            .bind(tenant_id)
            .bind(id)
            .fetch_all(&self.db.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(IdpAuditEntry {
                    at: r.try_get("at")?,
                    actor: r.try_get("actor")?,
                    action: r.try_get("action")?,
                    changes: r.try_get("changes")?,
                })
            })
            .collect()
    }

    /// The decrypted client secret (for the sign-in flow only; never sent to the browser).
    /// An identity provider and its decrypted client secret, read in one query (sign-in path).
    pub(crate) async fn identity_provider_with_secret(
        &self,
        tenant_id: &TenantId,
        id: &IdpId,
    ) -> Result<(IdpView, String)> {
        let row = self.identity_provider_row(tenant_id, id).await?;
        let enc: String = row.try_get("client_secret_enc")?;
        Ok((
            to_view(&row)?,
            secrets::decrypt(&self.config.secret_key, &enc)?,
        ))
    }

    pub async fn identity_provider_secret(
        &self,
        tenant_id: &TenantId,
        id: &IdpId,
    ) -> Result<String> {
        let enc: String = sqlx::query_scalar(
            "SELECT client_secret_enc FROM identity_provider WHERE idp_id = $1 AND tenant_id = $2",
        )
        .bind(id)
        .bind(tenant_id)
        .fetch_optional(&self.db.pool)
        .await?
        .ok_or(DomainError::NotFound("identity provider"))?;
        secrets::decrypt(&self.config.secret_key, &enc)
    }
}
