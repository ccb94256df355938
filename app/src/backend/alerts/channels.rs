//! A tenant's alert channels: added from the console's forms (parsed in
//! `domain::alert_channel`), with the SMTP password or the webhook's generated signing secret
//! encrypted at rest; listed without secrets; the Alerts page's overview.

use sqlx::Row;

use crate::backend::clock::now;
use crate::backend::crypto::secrets::{encrypt, random_token};
use crate::backend::error::{DomainError, Result};
use crate::backend::Backend;
use crate::domain::alert_channel::{
    parse_webhook, AlertsOverview, ChannelInfo, ChannelSettings, EmailForm, NewChannel, OpenAlert,
};
use crate::domain::ids::TenantId;

/// Channels a tenant may have.
const MAX_CHANNELS: i64 = 20;

impl Backend {
    async fn insert_channel(
        &self,
        tenant_id: &TenantId,
        name: String,
        settings: ChannelSettings,
        secret: Option<&str>,
    ) -> Result<ChannelInfo> {
        let secret_enc = secret
            .map(|s| encrypt(&self.config.secret_key, s))
            .transpose()?;
        let json = serde_json::to_string(&settings)
            .map_err(|e| DomainError::Internal(format!("channel settings: {e}")))?;
        let id = uuid::Uuid::new_v4().to_string();
        let ts = now();
        let mut tx = self.db.begin_write().await?;
        let count: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM alert_channel WHERE tenant_id = $1")
                .bind(tenant_id)
                .fetch_one(&mut *tx)
                .await?;
        if count >= MAX_CHANNELS {
            return Err(DomainError::Refused(format!(
                "A tenant has at most {MAX_CHANNELS} alert channels: delete one first."
            )));
        }
        sqlx::query(
            "INSERT INTO alert_channel (channel_id, tenant_id, kind, name, settings, secret_enc, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&id)
        .bind(tenant_id)
        .bind(settings.kind())
        .bind(&name)
        .bind(&json)
        .bind(secret_enc)
        .bind(ts)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(ChannelInfo {
            id,
            name,
            settings,
            created_at: ts,
        })
    }

    pub async fn add_email_channel(
        &self,
        tenant_id: &TenantId,
        form: &EmailForm,
    ) -> Result<NewChannel> {
        let (name, settings) = form.parse()?;
        // Refused now, not at the first alert: an address Cantara does not contact.
        self.smtp_target(&settings)
            .await
            .map_err(|problem| DomainError::invalid("host", capitalised(&problem)))?;
        let password = (!settings.username.is_empty()).then_some(form.password.as_str());
        let channel = self
            .insert_channel(tenant_id, name, ChannelSettings::Email(settings), password)
            .await?;
        Ok(NewChannel {
            channel,
            signing_secret: None,
        })
    }

    pub async fn add_webhook_channel(
        &self,
        tenant_id: &TenantId,
        name: &str,
        url: &str,
    ) -> Result<NewChannel> {
        let (name, settings) = parse_webhook(name, url)?;
        self.outbound.check_target(&settings.url).map_err(|e| {
            DomainError::invalid(
                "url",
                capitalised(&format!("Cantara will not send to this URL: {e}")),
            )
        })?;
        let secret = format!("whsec_{}", random_token());
        let channel = self
            .insert_channel(
                tenant_id,
                name,
                ChannelSettings::Webhook(settings),
                Some(&secret),
            )
            .await?;
        Ok(NewChannel {
            channel,
            signing_secret: Some(secret),
        })
    }

    /// Deletes a channel and its deliveries.
    pub async fn delete_alert_channel(&self, tenant_id: &TenantId, channel_id: &str) -> Result<()> {
        let _writer = self.db.lock_writes().await;
        let done =
            sqlx::query("DELETE FROM alert_channel WHERE channel_id = $1 AND tenant_id = $2")
                .bind(channel_id)
                .bind(tenant_id)
                .execute(&self.db.pool)
                .await?;
        if done.rows_affected() == 0 {
            return Err(DomainError::NotFound("alert channel"));
        }
        Ok(())
    }

    pub async fn alert_channels(&self, tenant_id: &TenantId) -> Result<Vec<ChannelInfo>> {
        let rows = sqlx::query(
            "SELECT channel_id, name, settings, created_at FROM alert_channel WHERE tenant_id = $1 \
             ORDER BY created_at, channel_id",
        )
        .bind(tenant_id)
        .fetch_all(&self.db.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let settings: ChannelSettings =
                    serde_json::from_str(&r.try_get::<String, _>("settings")?).map_err(|e| {
                        DomainError::Internal(format!("stored channel settings: {e}"))
                    })?;
                Ok(ChannelInfo {
                    id: r.try_get("channel_id")?,
                    name: r.try_get("name")?,
                    settings,
                    created_at: r.try_get("created_at")?,
                })
            })
            .collect()
    }

    /// The Alerts page: channels, the newest deliveries, what is alerted now, the threshold.
    pub async fn alerts_overview(&self, tenant_id: &TenantId) -> Result<AlertsOverview> {
        let open = sqlx::query(
            "SELECT title, level, since FROM alert_state WHERE tenant_id = $1 ORDER BY since DESC",
        )
        .bind(tenant_id)
        .fetch_all(&self.db.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(OpenAlert {
                title: r.try_get("title")?,
                level: r.try_get("level")?,
                since: r.try_get("since")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        Ok(AlertsOverview {
            channels: self.alert_channels(tenant_id).await?,
            deliveries: self.deliveries(tenant_id, None).await?,
            open,
            threshold: self.mass_threshold(tenant_id).await?,
        })
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect::<String>() + ".",
        None => String::new(),
    }
}
