//! The Security Topics pages' server functions: topics, their groups, custom topics, the
//! security audit trail, and a person's effective permissions.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::domain::error::AppError;
use crate::domain::security_topic::{
    EffectivePermission, SecurityAuditEntry, TopicForm, TopicRef, TopicSummary,
};

/// Every topic of the tenant (built-in first), each with the groups holding it.
#[server(endpoint = "security_topics")]
pub async fn list_security_topics() -> Result<Vec<TopicSummary>, AppError> {
    use super::guard::{fail, require};
    use crate::domain::permission::Permission;
    let (backend, session) = require(Permission::SecurityTopics).await?;
    backend
        .list_security_topics(&session.tenant_id)
        .await
        .map_err(fail)
}

#[server(endpoint = "security_topic")]
pub async fn get_security_topic(id: String) -> Result<TopicSummary, AppError> {
    use super::guard::{fail, require};
    use crate::domain::permission::Permission;
    let (backend, session) = require(Permission::SecurityTopics).await?;
    backend
        .security_topic(&session.tenant_id, &id)
        .await
        .map_err(fail)
}

/// Creates a custom topic; returns its id.
#[server(endpoint = "create_security_topic", input = Json)]
pub async fn create_security_topic(form: TopicForm) -> Result<String, AppError> {
    use super::guard::{fail, require};
    use crate::domain::permission::Permission;
    let (backend, session) = require(Permission::SecurityTopics).await?;
    backend
        .create_security_topic(&session, &form)
        .await
        .map_err(fail)
}

#[server(endpoint = "update_security_topic", input = Json)]
pub async fn update_security_topic(id: String, form: TopicForm) -> Result<(), AppError> {
    use super::guard::{fail, require};
    use crate::domain::permission::Permission;
    let (backend, session) = require(Permission::SecurityTopics).await?;
    backend
        .update_security_topic(&session, &id, &form)
        .await
        .map_err(fail)
}

#[server(endpoint = "delete_security_topic")]
pub async fn delete_security_topic(id: String) -> Result<(), AppError> {
    use super::guard::{fail, require};
    use crate::domain::permission::Permission;
    let (backend, session) = require(Permission::SecurityTopics).await?;
    backend
        .delete_security_topic(&session, &id)
        .await
        .map_err(fail)
}

/// Assigns a topic to a group: by the group's id (a group's page) or its name (`+ Assign group`).
#[server(endpoint = "assign_security_topic")]
pub async fn assign_security_topic(
    topic_id: String,
    group_id: Option<String>,
    group_name: Option<String>,
) -> Result<(), AppError> {
    use super::guard::{fail, require};
    use crate::domain::permission::Permission;
    let (backend, session) = require(Permission::SecurityTopics).await?;
    match (group_id.filter(|g| !g.is_empty()), group_name) {
        (Some(id), _) => {
            backend
                .assign_security_topic(
                    &session,
                    &topic_id,
                    &crate::domain::ids::GroupId::from(id.as_str()),
                )
                .await
        }
        (None, Some(name)) => {
            backend
                .assign_security_topic_by_name(&session, &topic_id, &name)
                .await
        }
        (None, None) => Err(crate::backend::DomainError::invalid(
            "group",
            "Choose a group.",
        )),
    }
    .map_err(fail)
}

#[server(endpoint = "remove_security_topic")]
pub async fn remove_security_topic(topic_id: String, group_id: String) -> Result<(), AppError> {
    use super::guard::{fail, require};
    use crate::domain::permission::Permission;
    let (backend, session) = require(Permission::SecurityTopics).await?;
    backend
        .remove_security_topic(
            &session,
            &topic_id,
            &crate::domain::ids::GroupId::from(group_id.as_str()),
        )
        .await
        .map_err(fail)
}

/// The topics a group holds (its page).
#[server(endpoint = "group_topics")]
pub async fn get_group_topics(group_id: String) -> Result<Vec<TopicRef>, AppError> {
    use super::guard::{fail, require};
    use crate::domain::permission::Permission;
    let (backend, session) = require(Permission::Directory).await?;
    backend
        .group_topics(
            &session.tenant_id,
            &crate::domain::ids::GroupId::from(group_id.as_str()),
        )
        .await
        .map_err(fail)
}

/// What a person may do in this tenant and where each permission comes from (their page).
#[server(endpoint = "user_permissions")]
pub async fn get_user_permissions(id: String) -> Result<Vec<EffectivePermission>, AppError> {
    use super::guard::{fail, require};
    use crate::domain::permission::Permission;
    let (backend, session) = require(Permission::Directory).await?;
    backend
        .effective_permissions(
            &session.tenant_id,
            &crate::domain::ids::AccountId::from(id.as_str()),
        )
        .await
        .map_err(fail)
}

/// The newest entries of the security audit trail (topic changes, refusals, sign-ins).
#[server(endpoint = "security_audit")]
pub async fn list_security_audit() -> Result<Vec<SecurityAuditEntry>, AppError> {
    use super::guard::{fail, require};
    use crate::domain::permission::Permission;
    let (backend, session) = require(Permission::Audit).await?;
    backend
        .security_audit(&session.tenant_id, 200)
        .await
        .map_err(fail)
}
