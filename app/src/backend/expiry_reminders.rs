//! Which expiry reminders are due for a tenant: its client secret (the identity provider's
//! `Client Secret Expires`, or the assistant's Step 1 date) for identity provider admins, its provisioning tokens
//! that expire for provisioning admins. The words and thresholds: `domain::expiry`.

use sqlx::Row;

use crate::backend::clock::now;
use crate::backend::error::Result;
use crate::backend::Backend;
use crate::domain::entra_setup::date_to_unix;
use crate::domain::expiry::{notice, Expiring, ExpiryNotice, Urgency};
use crate::domain::ids::TenantId;
use crate::domain::permission::{Grants, Permission};

impl Backend {
    pub async fn expiry_notices(
        &self,
        tenant_id: &TenantId,
        grants: &Grants,
    ) -> Result<Vec<ExpiryNotice>> {
        let ts = now();
        let mut out = Vec::new();
        if grants.has(Permission::IdentityProviders) {
            let followed = self.followed_provider(tenant_id).await?;
            let expires = self
                .client_secret_expires(tenant_id, followed.as_ref())
                .await?;
            if let Some(at) = expires.as_deref().and_then(date_to_unix) {
                // Named after the provider the assistant follows, as Step 2 shows it.
                let name = followed.map_or_else(|| "Microsoft Entra ID".into(), |p| p.form.name);
                out.extend(notice(
                    Expiring::ClientSecret,
                    "client_secret",
                    &name,
                    at,
                    ts,
                ));
            }
        }
        if grants.has(Permission::Provisioning) {
            // Tokens expired long ago are no reminder any more: only the last 30 days' show.
            let rows = sqlx::query(
                "SELECT token_id, description, expires_at FROM provisioning_token WHERE tenant_id = $1 AND revoked_at IS NULL \
                 AND expires_at IS NOT NULL AND expires_at > $2 AND expires_at <= $3 ORDER BY expires_at",
            )
            .bind(tenant_id)
            .bind(ts - 30 * 86_400)
            .bind(ts + 30 * 86_400)
            .fetch_all(&self.db.pool)
            .await?;
            for r in rows {
                let description: String = r.try_get("description")?;
                let name = if description.is_empty() {
                    "without a description".to_owned()
                } else {
                    description
                };
                let token_id: String = r.try_get("token_id")?;
                out.extend(notice(
                    Expiring::ProvisioningToken,
                    &format!("token:{token_id}"),
                    &name,
                    r.try_get("expires_at")?,
                    ts,
                ));
            }
        }
        out.sort_by(|a, b| {
            b.urgency
                .cmp(&a.urgency)
                .then(a.expires_at.cmp(&b.expires_at))
        });
        Ok(out)
    }

    /// The tenant's client secret has expired, for someone who administers identity providers
    /// (what the sign-in page shows after a local sign-in); nobody else is told.
    pub async fn expired_client_secret(
        &self,
        tenant_id: &TenantId,
        grants: &Grants,
    ) -> Result<Option<ExpiryNotice>> {
        if !grants.has(Permission::IdentityProviders) {
            return Ok(None);
        }
        Ok(self
            .expiry_notices(tenant_id, grants)
            .await?
            .into_iter()
            .find(|n| n.what == Expiring::ClientSecret && n.urgency == Urgency::Expired))
    }
}
