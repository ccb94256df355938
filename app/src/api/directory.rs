//! The Users and Security Groups pages' server functions (read-only views for now).

use leptos::prelude::*;

use crate::domain::directory::{GroupDetail, GroupRow, Page, UserRow};
use crate::domain::error::AppError;

/// `source`: "" (all), "scim" or "local"; `status`: "" (all), "active" or "deactivated".
#[server(endpoint = "users")]
pub async fn list_users(
    search: String,
    source: String,
    status: String,
    page: i64,
) -> Result<Page<UserRow>, AppError> {
    use super::guard::{fail, require_session};
    let (backend, session) = require_session()?;
    let source = crate::domain::account::AccountSource::from_db(&source);
    let active = match status.as_str() {
        "active" => Some(true),
        "deactivated" => Some(false),
        _ => None,
    };
    backend
        .list_users(&session.tenant_id, &search, source, active, page)
        .await
        .map_err(fail)
}

#[server(endpoint = "groups")]
pub async fn list_groups(search: String, page: i64) -> Result<Page<GroupRow>, AppError> {
    use super::guard::{fail, require_session};
    let (backend, session) = require_session()?;
    backend
        .list_groups(&session.tenant_id, &search, page)
        .await
        .map_err(fail)
}

#[server(endpoint = "group")]
pub async fn get_group(id: String) -> Result<GroupDetail, AppError> {
    use super::guard::{fail, require_session};
    let (backend, session) = require_session()?;
    backend
        .group_detail(&session.tenant_id, &id)
        .await
        .map_err(fail)
}
