//! Gathers what the Connect Microsoft Entra ID assistant derives its statuses from: the tenant's
//! provider (its check, test sign-in and activation), the client secret's expiry the admin
//! entered, provisioning tokens, Entra's refused requests, the milestones, and the stored
//! documents of the users Entra provisioned (for the attribute check).

use serde_json::Value;
use sqlx::Row;

use crate::backend::clock::now;
use crate::backend::error::{DomainError, Result};
use crate::backend::Backend;
use crate::domain::attribute_check::{AttributeCensus, AttributeCheck};
use crate::domain::entra_setup::{
    date_to_unix, step_one, step_three, step_two, EntraSetup, ProviderFacts, ScimFacts, StepOne,
    StepStatus, StepThree, StepTwo,
};
use crate::domain::error::FieldError;
use crate::domain::idp::IdpView;
use crate::domain::ids::TenantId;
use crate::domain::sso::TestOutcome;

/// Documents read per query of the attribute check.
const CENSUS_BATCH: i64 = 500;
/// The attribute check reads at most the newest this many provisioned users.
pub const CENSUS_MAX: i64 = 20_000;

impl Backend {
    /// Everything the assistant shows for the tenant.
    pub async fn entra_setup(&self, tenant_id: &TenantId) -> Result<EntraSetup> {
        let tenant = self.get_tenant(tenant_id).await?;
        let (steps, provider, scim) = self.steps(tenant_id).await?;
        let binding = match provider
            .as_ref()
            .and_then(|p| p.last_test.as_ref().map(|t| (p, t)))
        {
            Some((p, test)) => {
                self.identity_binding(tenant_id, &p.form.username_attribute, test)
                    .await?
            }
            None => None,
        };
        let (step1, step2, step3) = steps;
        Ok(EntraSetup {
            tenant_id: tenant.id.to_string(),
            scim_url: format!("{}/scim/v2/{}", self.public_url(), tenant.id),
            redirect_uri: self.redirect_uri(),
            step1,
            step2,
            step3,
            attributes: self
                .attribute_check(tenant_id, scim.users, scim.groups)
                .await?,
            binding,
        })
    }

    /// The three steps' statuses alone (the home page's call to action), without the checks.
    pub async fn entra_setup_steps(&self, tenant_id: &TenantId) -> Result<[StepStatus; 3]> {
        let ((step1, step2, step3), ..) = self.steps(tenant_id).await?;
        Ok([step1.status, step2.status, step3.status])
    }

    fn redirect_uri(&self) -> String {
        format!("{}/oauth", self.public_url())
    }

    /// The three steps, derived from the provider followed, the secret's date and Entra's traffic.
    async fn steps(
        &self,
        tenant_id: &TenantId,
    ) -> Result<((StepOne, StepTwo, StepThree), Option<IdpView>, ScimFacts)> {
        let ts = now();
        let provider = self.followed_provider(tenant_id).await?;
        let expires = self
            .client_secret_expires(tenant_id, provider.as_ref())
            .await?;
        let facts = match &provider {
            Some(p) => Some(self.provider_facts(p).await?),
            None => None,
        };
        let scim = self.scim_facts(tenant_id).await?;
        let steps = (
            step_one(provider.is_some(), expires.as_deref(), ts),
            step_two(facts, &self.redirect_uri(), ts),
            step_three(&scim, ts),
        );
        Ok((steps, provider, scim))
    }

    /// Step 3 alone: what the page polls while it waits for Entra.
    pub async fn provisioning_progress(&self, tenant_id: &TenantId) -> Result<StepThree> {
        Ok(step_three(&self.scim_facts(tenant_id).await?, now()))
    }

    /// Remembers (or, with an empty text, forgets) the client secret's expiry chosen in Entra.
    pub async fn set_client_secret_expires(&self, tenant_id: &TenantId, date: &str) -> Result<()> {
        let date = date.trim();
        let value = if date.is_empty() {
            None
        } else if date_to_unix(date).is_some() {
            Some(date.to_owned())
        } else {
            return Err(DomainError::Form(vec![FieldError::new(
                "secret_expires",
                "Enter the date as shown in Entra's Certificates & secrets, for example 2027-06-30.",
            )]));
        };
        // The date belongs to the provider's form (its `Client Secret Expires`); before there
        // is a provider, the assistant keeps it for the tenant.
        let followed = self.followed_provider(tenant_id).await?;
        let mut tx = self.db.begin_write().await?;
        sqlx::query(
            "INSERT INTO entra_setup (tenant_id, client_secret_expires, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (tenant_id) DO UPDATE SET client_secret_expires = $2, updated_at = $3",
        )
        .bind(tenant_id)
        .bind(value.as_deref())
        .bind(now())
        .execute(&mut *tx)
        .await?;
        if let Some(p) = followed {
            sqlx::query(
                "UPDATE identity_provider SET client_secret_expires = $1 WHERE idp_id = $2 AND tenant_id = $3",
            )
            .bind(value.as_deref().unwrap_or(""))
            .bind(&p.id)
            .bind(tenant_id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The client secret's expiry (`YYYY-MM-DD`): the followed provider's `Client Secret
    /// Expires`, or before there is a provider the date entered in Step 1.
    pub(crate) async fn client_secret_expires(
        &self,
        tenant_id: &TenantId,
        followed: Option<&IdpView>,
    ) -> Result<Option<String>> {
        if let Some(p) = followed {
            let date = &p.form.client_secret_expires;
            return Ok((!date.is_empty()).then(|| date.clone()));
        }
        self.step_one_date(tenant_id).await
    }

    /// The date entered in Step 1 for the tenant (a new provider's form starts with it).
    pub(crate) async fn step_one_date(&self, tenant_id: &TenantId) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar(
                "SELECT client_secret_expires FROM entra_setup WHERE tenant_id = $1",
            )
            .bind(tenant_id)
            .fetch_optional(&self.db.pool)
            .await?
            .flatten(),
        )
    }

    /// The provider the assistant follows: the active one, else the one saved last.
    pub(crate) async fn followed_provider(&self, tenant_id: &TenantId) -> Result<Option<IdpView>> {
        let mut all = self.list_identity_providers(tenant_id).await?;
        all.sort_by_key(|p| (!p.active, std::cmp::Reverse(p.updated_at)));
        Ok(all.into_iter().next())
    }

    async fn provider_facts(&self, p: &IdpView) -> Result<ProviderFacts> {
        let started: Option<i64> = sqlx::query_scalar(
            "SELECT MAX(created_at) FROM sso_pending WHERE idp_id = $1 AND purpose = 'test'",
        )
        .bind(&p.id)
        .fetch_one(&self.db.pool)
        .await?;
        Ok(ProviderFacts {
            id: p.id.clone(),
            name: p.form.name.clone(),
            active: p.active,
            check: p.last_check,
            test: p.last_test.as_ref().map(|t| {
                (
                    t.at,
                    match &t.outcome {
                        TestOutcome::Succeeded { .. } => None,
                        TestOutcome::Failed { failure } => Some(failure.clone()),
                    },
                )
            }),
            test_started_at: started,
        })
    }

    async fn scim_facts(&self, tenant_id: &TenantId) -> Result<ScimFacts> {
        let usable_tokens: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM provisioning_token WHERE tenant_id = $1 AND revoked_at IS NULL \
             AND (expires_at IS NULL OR expires_at > $2)",
        )
        .bind(tenant_id)
        .bind(now())
        .fetch_one(&self.db.pool)
        .await?;
        let milestones = self.milestones(tenant_id).await?;
        let summary = self.provisioning_summary(tenant_id).await?;
        Ok(ScimFacts {
            usable_tokens,
            milestones,
            refused: self.latest_refusal(tenant_id).await?.and_then(|e| e.detail),
            users: summary.users,
            groups: summary.groups,
        })
    }

    /// Reads the newest provisioned users' documents until every required attribute was seen
    /// (and a fair sample for the extras), or [`CENSUS_MAX`] were read.
    async fn attribute_check(
        &self,
        tenant_id: &TenantId,
        users: i64,
        groups: i64,
    ) -> Result<AttributeCheck> {
        let mut census = AttributeCensus::default();
        let mut offset = 0;
        while offset < CENSUS_MAX.min(users) {
            let rows = sqlx::query(
                "SELECT scim_doc FROM account WHERE tenant_id = $1 AND source = 'scim' AND scim_doc IS NOT NULL \
                 ORDER BY updated_at DESC, account_id LIMIT $2 OFFSET $3",
            )
            .bind(tenant_id)
            .bind(CENSUS_BATCH)
            .bind(offset)
            .fetch_all(&self.db.pool)
            .await?;
            for r in &rows {
                let doc: String = r.try_get("scim_doc")?;
                if let Ok(v) = serde_json::from_str::<Value>(&doc) {
                    census.add(&v);
                }
            }
            if (rows.len() as i64) < CENSUS_BATCH || census.has_every_required() {
                break;
            }
            offset += CENSUS_BATCH;
        }
        Ok(census.finish(census.users() > 0 && groups == 0))
    }
}
