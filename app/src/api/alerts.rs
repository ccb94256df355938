//! Alerts for the current tenant (the Alerts page): channels, test alerts, deliveries and the
//! mass-deprovisioning threshold. All of it is for holders of Provisioning Administration.

use leptos::prelude::*;

use crate::domain::alert_channel::{AlertsOverview, DeliveryInfo, EmailForm, NewChannel};
use crate::domain::error::AppError;
use crate::domain::mass_deprovisioning::MassThreshold;

#[server(endpoint = "alerts_overview")]
pub async fn get_alerts_overview() -> Result<AlertsOverview, AppError> {
    use super::guard::{fail, require};
    use crate::domain::permission::Permission;
    let (backend, session) = require(Permission::Provisioning).await?;
    backend
        .alerts_overview(&session.tenant_id)
        .await
        .map_err(fail)
}

#[server(endpoint = "add_email_channel")]
pub async fn add_email_channel(form: EmailForm) -> Result<NewChannel, AppError> {
    use super::guard::{fail, require};
    use crate::domain::permission::Permission;
    let (backend, session) = require(Permission::Provisioning).await?;
    backend
        .add_email_channel(&session.tenant_id, &form)
        .await
        .map_err(fail)
}

/// Adds a webhook; its signing secret is in the answer, this once.
#[server(endpoint = "add_webhook_channel")]
pub async fn add_webhook_channel(name: String, url: String) -> Result<NewChannel, AppError> {
    use super::guard::{fail, require};
    use crate::domain::permission::Permission;
    let (backend, session) = require(Permission::Provisioning).await?;
    backend
        .add_webhook_channel(&session.tenant_id, &name, &url)
        .await
        .map_err(fail)
}

#[server(endpoint = "delete_alert_channel")]
pub async fn delete_alert_channel(channel_id: String) -> Result<(), AppError> {
    use super::guard::{fail, require};
    use crate::domain::permission::Permission;
    let (backend, session) = require(Permission::Provisioning).await?;
    backend
        .delete_alert_channel(&session.tenant_id, &channel_id)
        .await
        .map_err(fail)
}

/// `Send test alert`: sent now; the delivery with the channel's answer.
#[server(endpoint = "send_test_alert")]
pub async fn send_test_alert(channel_id: String) -> Result<DeliveryInfo, AppError> {
    use super::guard::{fail, require};
    use crate::domain::permission::Permission;
    let (backend, session) = require(Permission::Provisioning).await?;
    backend
        .send_test_alert(&session.tenant_id, &channel_id)
        .await
        .map_err(fail)
}

#[server(endpoint = "set_mass_threshold")]
pub async fn set_mass_threshold(
    share_percent: String,
    min_people: String,
) -> Result<MassThreshold, AppError> {
    use super::guard::{fail, require};
    use crate::domain::permission::Permission;
    let (backend, session) = require(Permission::Provisioning).await?;
    backend
        .set_mass_threshold(&session.tenant_id, &share_percent, &min_people)
        .await
        .map_err(fail)
}
