//! The identity binding check's queries: the provisioned account a successful test sign-in
//! would be linked to (by `externalId` = `oid`, then `userName`, as sign-in links), or the
//! nearest provisioned account when there is none. Words and advice: `domain::identity_binding`.

use sqlx::Row;

use crate::backend::error::Result;
use crate::backend::Backend;
use crate::domain::account::fold_username;
use crate::domain::identity_binding::{
    claim_text, mismatch, BindingKey, Candidate, IdentityBinding, NAME_CLAIMS,
};
use crate::domain::ids::TenantId;
use crate::domain::sso::{TestOutcome, TestSignIn};

impl Backend {
    /// The binding of a test sign-in's person to a provisioned account; None unless it succeeded.
    pub async fn identity_binding(
        &self,
        tenant_id: &TenantId,
        username_attribute: &str,
        test: &TestSignIn,
    ) -> Result<Option<IdentityBinding>> {
        let TestOutcome::Succeeded {
            username, claims, ..
        } = &test.outcome
        else {
            return Ok(None);
        };
        if !self.has_provisioned_users(tenant_id).await? {
            return Ok(Some(IdentityBinding::NothingProvisioned));
        }
        let subject = claim_text(claims, "oid").or_else(|| claim_text(claims, "sub"));
        let folded = fold_username(username);
        let row = sqlx::query(
            "SELECT account_id, username, CASE WHEN external_id = $2 THEN 1 ELSE 0 END AS by_external_id \
             FROM account WHERE tenant_id = $1 AND source = 'scim' AND (external_id = $2 OR username_folded = $3) \
             ORDER BY by_external_id DESC LIMIT 1",
        )
        .bind(tenant_id)
        .bind(subject.as_deref().unwrap_or(""))
        .bind(&folded)
        .fetch_optional(&self.db.pool)
        .await?;
        if let Some(r) = row {
            let by_external_id: i64 = r.try_get("by_external_id")?;
            return Ok(Some(IdentityBinding::Matched {
                account_id: r.try_get("account_id")?,
                username: r.try_get("username")?,
                by: if by_external_id == 1 {
                    BindingKey::ExternalId
                } else {
                    BindingKey::UserName
                },
            }));
        }
        let candidate = self.nearest_account(tenant_id, claims).await?;
        Ok(Some(mismatch(
            username_attribute,
            username,
            candidate.as_ref(),
        )))
    }

    /// A provisioned account whose userName or work e-mail is one of the person's name claims.
    async fn nearest_account(
        &self,
        tenant_id: &TenantId,
        claims: &[(String, String)],
    ) -> Result<Option<Candidate>> {
        for claim in NAME_CLAIMS {
            let Some(value) = claim_text(claims, claim) else {
                continue;
            };
            let folded = fold_username(&value);
            let row = sqlx::query(
                "SELECT username, username_folded FROM account WHERE tenant_id = $1 AND source = 'scim' \
                 AND (username_folded = $2 OR work_email_folded = $2) LIMIT 1",
            )
            .bind(tenant_id)
            .bind(&folded)
            .fetch_optional(&self.db.pool)
            .await?;
            if let Some(r) = row {
                let username_folded: String = r.try_get("username_folded")?;
                let by_name = username_folded == folded;
                return Ok(Some(Candidate {
                    username: r.try_get("username")?,
                    username_claim: by_name.then(|| (*claim).to_owned()),
                    email_claim: (!by_name).then(|| (*claim).to_owned()),
                }));
            }
        }
        Ok(None)
    }
}
