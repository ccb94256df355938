//! `/Users` (RFC 7644 §3.3 create, §3.4.1 get, §3.4.2 query, §3.4.3 search, §3.5.1 replace,
//! §3.5.2 patch, §3.6 delete): one handler per operation, each parse → one store call → render.

use app::domain::ids::AccountId;
use app::scim::patch::parse_patch;
use app::scim::resource::user_from_body;
use app::scim::schema::Resource;

use super::edits::{Patch, Tombstone};
use super::extract::{Id, ListRequest, Projected, Provisioner, ScimJson};
use super::render;
use super::reply::{Outcome, Reply};

/// `GET /Users` and `POST /Users/.search`.
pub async fn list_users(who: Provisioner, ListRequest(p): ListRequest) -> Outcome {
    let condition = p.condition(Resource::User)?;
    let (total, users) = who
        .backend
        .scim_list_users(&who.tenant, condition.as_ref(), p.start, p.count)
        .await?;
    let items = users
        .iter()
        .map(|u| render::user(&who.base, u, &p.projection))
        .collect();
    Ok(Reply::list(total, p.start, items))
}

pub async fn create_user(who: Provisioner, p: Projected, ScimJson(body): ScimJson) -> Outcome {
    let record = user_from_body(&body)?;
    let u = who.backend.scim_create_user(&who.tenant, record).await?;
    let location = format!("{}/Users/{}", who.base, u.id);
    let body = render::user(&who.base, &u, &p.projection);
    Ok(Reply::created(body, u.id.as_str(), u.version, location))
}

pub async fn get_user(who: Provisioner, Id(id): Id<AccountId>, p: Projected) -> Outcome {
    let u = who.backend.scim_get_user(&who.tenant, &id).await?;
    let body = render::user(&who.base, &u, &p.projection);
    Ok(Reply::resource(body, u.id.as_str(), u.version))
}

pub async fn replace_user(
    who: Provisioner,
    Id(id): Id<AccountId>,
    p: Projected,
    ScimJson(body): ScimJson,
) -> Outcome {
    let record = user_from_body(&body)?;
    let u = who
        .backend
        .scim_replace_user(&who.tenant, &id, record)
        .await?;
    let body = render::user(&who.base, &u, &p.projection);
    Ok(Reply::resource(body, u.id.as_str(), u.version))
}

pub async fn patch_user(
    who: Provisioner,
    Id(id): Id<AccountId>,
    p: Projected,
    ScimJson(body): ScimJson,
) -> Outcome {
    let patch = Patch(parse_patch(&body)?);
    let u = who
        .backend
        .scim_patch_user(&who.tenant, &id, &patch)
        .await?;
    let body = render::user(&who.base, &u, &p.projection);
    Ok(Reply::resource(body, u.id.as_str(), u.version))
}

pub async fn delete_user(who: Provisioner, Id(id): Id<AccountId>) -> Outcome {
    who.backend
        .scim_delete_user(&who.tenant, &id, &Tombstone)
        .await?;
    Ok(Reply::no_content(id.as_str()))
}
