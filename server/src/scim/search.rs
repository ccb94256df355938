//! `POST /.search` at the tenant root (RFC 7644 §3.4.3): users, then groups, paged as one list.

use app::scim::schema::Resource;

use super::extract::{ListRequest, Provisioner};
use super::groups::group_json;
use super::render;
use super::reply::{Outcome, Reply};

pub async fn search(who: Provisioner, ListRequest(p): ListRequest) -> Outcome {
    let users_condition = p.condition(Resource::User)?;
    let groups_condition = p.condition(Resource::Group)?;
    let (users_total, users) = who
        .backend
        .scim_list_users(&who.tenant, users_condition.as_ref(), p.start, p.count)
        .await?;
    let mut items: Vec<_> = users
        .iter()
        .map(|u| render::user(&who.base, u, &p.projection))
        .collect();
    // Groups continue where the users end.
    let group_start = (p.start - users_total).max(1);
    let room = p.count - i64::try_from(items.len()).unwrap_or(p.count);
    let (groups_total, groups) = who
        .backend
        .scim_list_groups(
            &who.tenant,
            groups_condition.as_ref(),
            group_start,
            room.max(0),
        )
        .await?;
    for g in &groups {
        items.push(group_json(&who, g, &p.projection).await?);
    }
    Ok(Reply::list(users_total + groups_total, p.start, items))
}
