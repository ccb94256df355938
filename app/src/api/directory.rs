//! The Users and Security Groups pages' server functions: lists, details, and the changes an
//! administrator may make to local accounts (the domain refuses them for SCIM accounts).

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::domain::directory::{GroupDetail, GroupRow, LocalUserForm, Page, UserDetail, UserRow};
use crate::domain::error::AppError;

/// `source`: "" (all), "scim" or "local"; `status`: "" (all), "active" or "deactivated";
/// `sort`: "username" (default), "display_name" or "last_change".
#[server(endpoint = "users")]
pub async fn list_users(
    search: String,
    source: String,
    status: String,
    sort: Option<String>,
    page: i64,
    sign_in: Option<String>,
) -> Result<Page<UserRow>, AppError> {
    use super::guard::{fail, require};
    use crate::domain::directory::{SignInFilter, UserQuery, UserSort};
    use crate::domain::permission::Permission;
    let (backend, session) = require(Permission::Directory).await?;
    let source = crate::domain::account::AccountSource::from_db(&source);
    let active = match status.as_str() {
        "active" => Some(true),
        "deactivated" => Some(false),
        _ => None,
    };
    backend
        .list_users(
            &session.tenant_id,
            &UserQuery {
                search,
                source,
                active,
                sign_in: SignInFilter::parse(sign_in.as_deref().unwrap_or_default()),
                sort: UserSort::parse(sort.as_deref().unwrap_or_default()),
                page,
            },
        )
        .await
        .map_err(fail)
}

#[server(endpoint = "groups")]
pub async fn list_groups(search: String, page: i64) -> Result<Page<GroupRow>, AppError> {
    use super::guard::{fail, require};
    use crate::domain::permission::Permission;
    let (backend, session) = require(Permission::Directory).await?;
    backend
        .list_groups(&session.tenant_id, &search, page)
        .await
        .map_err(fail)
}

#[server(endpoint = "group")]
pub async fn get_group(id: String, page: i64) -> Result<GroupDetail, AppError> {
    use super::guard::{fail, require};
    use crate::domain::permission::Permission;
    let (backend, session) = require(Permission::Directory).await?;
    backend
        .group_detail(
            &session.tenant_id,
            &crate::domain::ids::GroupId::from(id.as_str()),
            page,
        )
        .await
        .map_err(fail)
}

#[server(endpoint = "user")]
pub async fn get_user(id: String) -> Result<UserDetail, AppError> {
    use super::guard::{fail, require};
    use crate::domain::permission::Permission;
    let (backend, session) = require(Permission::Directory).await?;
    backend
        .user_detail(
            &session.tenant_id,
            &crate::domain::ids::AccountId::from(id.as_str()),
        )
        .await
        .map(|mut d| {
            d.is_you = session.account_id == *d.user.id.as_str();
            d
        })
        .map_err(fail)
}

/// Creates a local account; returns its id.
#[server(endpoint = "create_user", input = Json)]
pub async fn create_local_user(form: LocalUserForm) -> Result<String, AppError> {
    use super::guard::{fail, require};
    use crate::domain::permission::Permission;
    let (backend, session) = require(Permission::Users).await?;
    backend
        .create_local_user(&session, &form)
        .await
        .map(crate::domain::ids::AccountId::into_string)
        .map_err(fail)
}

#[server(endpoint = "update_user", input = Json)]
pub async fn update_local_user(id: String, form: LocalUserForm) -> Result<(), AppError> {
    use super::guard::{fail, require};
    use crate::domain::permission::Permission;
    let (backend, session) = require(Permission::Users).await?;
    backend
        .update_local_user(
            &session,
            &crate::domain::ids::AccountId::from(id.as_str()),
            &form,
        )
        .await
        .map_err(fail)
}

#[server(endpoint = "set_user_active")]
pub async fn set_user_active(id: String, active: bool) -> Result<(), AppError> {
    use super::guard::{fail, require};
    use crate::domain::permission::Permission;
    let (backend, session) = require(Permission::Users).await?;
    backend
        .set_local_user_active(
            &session,
            &crate::domain::ids::AccountId::from(id.as_str()),
            active,
        )
        .await
        .map_err(fail)
}

#[server(endpoint = "delete_user")]
pub async fn delete_user(id: String) -> Result<(), AppError> {
    use super::guard::{fail, require};
    use crate::domain::permission::Permission;
    let (backend, session) = require(Permission::Users).await?;
    backend
        .delete_local_user(&session, &crate::domain::ids::AccountId::from(id.as_str()))
        .await
        .map_err(fail)
}

/// Creates a local group; returns its id.
#[server(endpoint = "create_group")]
pub async fn create_local_group(name: String) -> Result<String, AppError> {
    use super::guard::{fail, require};
    use crate::domain::permission::Permission;
    let (backend, session) = require(Permission::Users).await?;
    backend
        .create_local_group(&session, &name)
        .await
        .map_err(fail)
}

#[server(endpoint = "add_group_member")]
pub async fn add_group_member(group_id: String, username: String) -> Result<(), AppError> {
    use super::guard::{fail, require};
    use crate::domain::permission::Permission;
    let (backend, session) = require(Permission::Users).await?;
    backend
        .add_local_group_member(
            &session,
            &crate::domain::ids::GroupId::from(group_id.as_str()),
            &username,
        )
        .await
        .map_err(fail)
}

#[server(endpoint = "remove_group_member")]
pub async fn remove_group_member(group_id: String, account_id: String) -> Result<(), AppError> {
    use super::guard::{fail, require};
    use crate::domain::permission::Permission;
    let (backend, session) = require(Permission::Users).await?;
    backend
        .remove_local_group_member(
            &session,
            &crate::domain::ids::GroupId::from(group_id),
            &crate::domain::ids::AccountId::from(account_id),
        )
        .await
        .map_err(fail)
}

#[server(endpoint = "delete_group")]
pub async fn delete_group(id: String) -> Result<(), AppError> {
    use super::guard::{fail, require};
    use crate::domain::permission::Permission;
    let (backend, session) = require(Permission::Users).await?;
    backend
        .delete_local_group(&session, &crate::domain::ids::GroupId::from(id.as_str()))
        .await
        .map_err(fail)
}
