//! `/Groups`, the same operations as `/Users`. Members are loaded only when the answer shows
//! them; a PATCH answers `204 No Content` (Entra's own example) unless `attributes` is named.

use app::backend::scim::groups::ScimGroup;
use app::domain::ids::GroupId;
use app::scim::patch::parse_patch;
use app::scim::projection::Projection;
use app::scim::resource::group_from_body;
use app::scim::schema::Resource;
use serde_json::Value;

use super::edits::Patch;
use super::error::ScimFailure;
use super::extract::{Id, ListRequest, Projected, Provisioner, ScimJson};
use super::render;
use super::reply::{Outcome, Reply};

/// A group as SCIM JSON, with its members when the projection shows them.
pub async fn group_json(
    who: &Provisioner,
    g: &ScimGroup,
    p: &Projection,
) -> Result<Value, ScimFailure> {
    let members = if p.wants("members") {
        Some(who.backend.scim_group_members(&who.tenant, &g.id).await?)
    } else {
        None
    };
    Ok(render::group(&who.base, g, members.as_deref(), p))
}

/// `GET /Groups` and `POST /Groups/.search`.
pub async fn list_groups(who: Provisioner, ListRequest(p): ListRequest) -> Outcome {
    let condition = p.condition(Resource::Group)?;
    let (total, groups) = who
        .backend
        .scim_list_groups(&who.tenant, condition.as_ref(), p.start, p.count)
        .await?;
    let mut items = Vec::with_capacity(groups.len());
    for g in &groups {
        items.push(group_json(&who, g, &p.projection).await?);
    }
    Ok(Reply::list(total, p.start, items))
}

pub async fn create_group(who: Provisioner, p: Projected, ScimJson(body): ScimJson) -> Outcome {
    let (record, members) = group_from_body(&body)?;
    let g = who
        .backend
        .scim_create_group(&who.tenant, record, &members)
        .await?;
    let location = format!("{}/Groups/{}", who.base, g.id);
    let body = group_json(&who, &g, &p.projection).await?;
    Ok(Reply::created(body, g.id.as_str(), g.version, location))
}

pub async fn get_group(who: Provisioner, Id(id): Id<GroupId>, p: Projected) -> Outcome {
    let g = who.backend.scim_get_group(&who.tenant, &id).await?;
    let body = group_json(&who, &g, &p.projection).await?;
    Ok(Reply::resource(body, g.id.as_str(), g.version))
}

pub async fn replace_group(
    who: Provisioner,
    Id(id): Id<GroupId>,
    p: Projected,
    ScimJson(body): ScimJson,
) -> Outcome {
    let (record, members) = group_from_body(&body)?;
    let g = who
        .backend
        .scim_replace_group(&who.tenant, &id, record, &members)
        .await?;
    let body = group_json(&who, &g, &p.projection).await?;
    Ok(Reply::resource(body, g.id.as_str(), g.version))
}

/// With `attributes` named, `200` and the whole resource as projected (RFC 7644 §3.5.2: a
/// 200 carries the entire resource).
pub async fn patch_group(
    who: Provisioner,
    Id(id): Id<GroupId>,
    p: Projected,
    ScimJson(body): ScimJson,
) -> Outcome {
    let patch = Patch(parse_patch(&body)?);
    let g = who
        .backend
        .scim_patch_group(&who.tenant, &id, &patch)
        .await?;
    if !p.names_attributes {
        return Ok(Reply::no_content(g.id.as_str()));
    }
    let body = group_json(&who, &g, &p.projection).await?;
    Ok(Reply::resource(body, g.id.as_str(), g.version))
}

pub async fn delete_group(who: Provisioner, Id(id): Id<GroupId>) -> Outcome {
    who.backend.scim_delete_group(&who.tenant, &id).await?;
    Ok(Reply::no_content(id.as_str()))
}
