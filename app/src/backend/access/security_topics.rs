//! Security Topics: which permissions a person holds in a tenant, and the rules for changing
//! that. A person holds the union of the topics assigned to the groups they belong to (SCIM and
//! local groups alike), read afresh on every request; local Administrators hold everything.
//!
//! Nobody raises rights through here: a topic can be created, changed or assigned only with
//! permissions its author holds, and every change is in the security audit trail.

use crate::domain::ids::AccountId;
use crate::domain::ids::GroupId;
use crate::domain::ids::TenantId;
use std::collections::BTreeMap;

use sqlx::{AnyConnection, Row};

use crate::backend::access::audit::{record_by, AuditAction};
use crate::backend::auth::sessions::SessionInfo;
use crate::backend::clock::now;
use crate::backend::error::{conflict_on_unique, DomainError, Result, UniqueIndex};
use crate::backend::Backend;
use crate::domain::account::fold_username;
use crate::domain::directory::GroupRef;
use crate::domain::permission::{builtin_topic, Permission, PermissionSet, BUILTIN_TOPICS};
use crate::domain::security_topic::{
    EffectivePermission, Source, TopicForm, TopicRef, TopicSummary, ValidTopic,
};

/// A topic as resolved from its id: a built-in one or a custom row of the tenant.
struct Topic {
    id: String,
    name: String,
    builtin: bool,
    permissions: PermissionSet,
}

/// The permissions a topic id grants: built-in ids by definition, custom ones by their row.
fn granted(topic_id: &str, custom_permissions: Option<&str>) -> PermissionSet {
    match builtin_topic(topic_id) {
        Some(b) => PermissionSet::only(b.permission),
        None => custom_permissions
            .map(PermissionSet::from_slugs)
            .unwrap_or_default(),
    }
}

/// The words of a refusal to grant what one does not hold.
fn beyond_own(what: &str, missing: &[Permission]) -> DomainError {
    let names: Vec<&str> = missing.iter().map(|p| p.label()).collect();
    DomainError::Denied(format!(
        "You don't have permission to {what}: it would give permissions you do not hold ({}).",
        names.join("; ")
    ))
}

async fn load_topic(
    conn: &mut AnyConnection,
    tenant_id: &TenantId,
    topic_id: &str,
) -> Result<Topic> {
    if let Some(b) = builtin_topic(topic_id) {
        return Ok(Topic {
            id: b.id.into(),
            name: b.name.into(),
            builtin: true,
            permissions: PermissionSet::only(b.permission),
        });
    }
    let row = sqlx::query(
        "SELECT topic_id, name, permissions FROM security_topic WHERE tenant_id = $1 AND topic_id = $2",
    )
    .bind(tenant_id)
    .bind(topic_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(DomainError::NotFound("security topic"))?;
    Ok(Topic {
        id: row.try_get("topic_id")?,
        name: row.try_get("name")?,
        builtin: false,
        permissions: PermissionSet::from_slugs(&row.try_get::<String, _>("permissions")?),
    })
}

/// The union of what rows of (`topic_id`, custom `permissions`) grant.
fn union_of(rows: &[sqlx::any::AnyRow]) -> Result<PermissionSet> {
    let mut set = PermissionSet::EMPTY;
    for r in rows {
        let id: String = r.try_get("topic_id")?;
        let custom: Option<String> = r.try_get("permissions")?;
        set = set.union(granted(&id, custom.as_deref()));
    }
    Ok(set)
}

/// The union of what a group's topics grant.
async fn group_grants(conn: &mut AnyConnection, group_id: &GroupId) -> Result<PermissionSet> {
    let rows = sqlx::query(
        "SELECT gt.topic_id, st.permissions FROM group_topic gt \
         LEFT JOIN security_topic st ON st.topic_id = gt.topic_id WHERE gt.group_id = $1",
    )
    .bind(group_id)
    .fetch_all(&mut *conn)
    .await?;
    union_of(&rows)
}

/// The group's name, checking it is one of the tenant's.
async fn group_name(
    conn: &mut AnyConnection,
    tenant_id: &TenantId,
    group_id: &GroupId,
) -> Result<String> {
    sqlx::query_scalar(
        "SELECT display_name FROM security_group WHERE tenant_id = $1 AND group_id = $2",
    )
    .bind(tenant_id)
    .bind(group_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(DomainError::NotFound("group"))
}

impl Backend {
    /// What a non-administrator holds in `tenant_id` through their groups' topics: one query
    /// (group_member by account, group_topic by group, the custom topic by id).
    pub(crate) async fn topic_permissions(
        &self,
        tenant_id: &TenantId,
        account_id: &AccountId,
    ) -> Result<PermissionSet> {
        let rows = sqlx::query(
            // `|| ''` keeps the planner off the tenant index: the account's memberships are the
            // seek (a handful of rows), not every assignment of the tenant.
            "SELECT gt.topic_id, st.permissions FROM group_member gm \
             JOIN group_topic gt ON gt.group_id = gm.group_id \
             LEFT JOIN security_topic st ON st.topic_id = gt.topic_id \
             WHERE gm.account_id = $1 AND gt.tenant_id || '' = $2",
        )
        .bind(account_id)
        .bind(tenant_id)
        .fetch_all(&self.db.pool)
        .await?;
        union_of(&rows)
    }

    /// Every permission a person holds in their tenant, each with where it comes from.
    pub async fn effective_permissions(
        &self,
        tenant_id: &TenantId,
        account_id: &AccountId,
    ) -> Result<Vec<EffectivePermission>> {
        let admin: Option<i64> = sqlx::query_scalar(
            "SELECT is_admin FROM account WHERE tenant_id = $1 AND account_id = $2",
        )
        .bind(tenant_id)
        .bind(account_id)
        .fetch_optional(&self.db.pool)
        .await?;
        let admin = admin.ok_or(DomainError::NotFound("user"))? != 0;
        let rows = sqlx::query(
            "SELECT g.display_name, gt.topic_id, st.name, st.permissions FROM group_member gm \
             JOIN security_group g ON g.group_id = gm.group_id \
             JOIN group_topic gt ON gt.group_id = gm.group_id \
             LEFT JOIN security_topic st ON st.topic_id = gt.topic_id \
             WHERE gm.account_id = $1 AND g.tenant_id || '' = $2 ORDER BY g.display_name_folded",
        )
        .bind(account_id)
        .bind(tenant_id)
        .fetch_all(&self.db.pool)
        .await?;
        let mut by: BTreeMap<Permission, Vec<Source>> = BTreeMap::new();
        if admin {
            for p in Permission::ALL {
                by.entry(p).or_default().push(Source::Administrator);
            }
        }
        for r in rows {
            let id: String = r.try_get("topic_id")?;
            let custom: Option<String> = r.try_get("permissions")?;
            let topic = match builtin_topic(&id) {
                Some(b) => b.name.to_owned(),
                None => r.try_get::<Option<String>, _>("name")?.unwrap_or_default(),
            };
            let group: String = r.try_get("display_name")?;
            for p in granted(&id, custom.as_deref()).iter() {
                by.entry(p).or_default().push(Source::Group {
                    group: group.clone(),
                    topic: topic.clone(),
                });
            }
        }
        Ok(by
            .into_iter()
            .map(|(permission, via)| EffectivePermission { permission, via })
            .collect())
    }

    /// The tenant's topics (built-in first, then custom by name), each with its groups.
    pub async fn list_security_topics(&self, tenant_id: &TenantId) -> Result<Vec<TopicSummary>> {
        let customs = sqlx::query(
            "SELECT topic_id, name, description, permissions FROM security_topic \
             WHERE tenant_id = $1 ORDER BY name_folded",
        )
        .bind(tenant_id)
        .fetch_all(&self.db.pool)
        .await?;
        let held = sqlx::query(
            "SELECT gt.topic_id, g.group_id, g.display_name FROM group_topic gt \
             JOIN security_group g ON g.group_id = gt.group_id \
             WHERE gt.tenant_id = $1 ORDER BY g.display_name_folded",
        )
        .bind(tenant_id)
        .fetch_all(&self.db.pool)
        .await?;
        let mut groups: BTreeMap<String, Vec<GroupRef>> = BTreeMap::new();
        for r in held {
            groups
                .entry(r.try_get("topic_id")?)
                .or_default()
                .push(GroupRef {
                    id: r.try_get("group_id")?,
                    name: r.try_get("display_name")?,
                });
        }
        let mut out: Vec<TopicSummary> = BUILTIN_TOPICS
            .iter()
            .map(|b| TopicSummary {
                id: b.id.into(),
                name: b.name.into(),
                description: b.description.into(),
                builtin: true,
                permissions: PermissionSet::only(b.permission),
                groups: groups.remove(b.id).unwrap_or_default(),
            })
            .collect();
        for r in customs {
            let id: String = r.try_get("topic_id")?;
            out.push(TopicSummary {
                groups: groups.remove(&id).unwrap_or_default(),
                id,
                name: r.try_get("name")?,
                description: r.try_get("description")?,
                builtin: false,
                permissions: PermissionSet::from_slugs(&r.try_get::<String, _>("permissions")?),
            });
        }
        Ok(out)
    }

    /// One topic with its groups.
    pub async fn security_topic(
        &self,
        tenant_id: &TenantId,
        topic_id: &str,
    ) -> Result<TopicSummary> {
        self.list_security_topics(tenant_id)
            .await?
            .into_iter()
            .find(|t| t.id == topic_id)
            .ok_or(DomainError::NotFound("security topic"))
    }

    /// The topics a group holds.
    pub async fn group_topics(
        &self,
        tenant_id: &TenantId,
        group_id: &GroupId,
    ) -> Result<Vec<TopicRef>> {
        let rows = sqlx::query(
            "SELECT gt.topic_id, st.name FROM group_topic gt \
             LEFT JOIN security_topic st ON st.topic_id = gt.topic_id \
             WHERE gt.tenant_id = $1 AND gt.group_id = $2",
        )
        .bind(tenant_id)
        .bind(group_id)
        .fetch_all(&self.db.pool)
        .await?;
        let mut out = rows
            .iter()
            .map(|r| {
                let id: String = r.try_get("topic_id")?;
                let name = match builtin_topic(&id) {
                    Some(b) => b.name.to_owned(),
                    None => r.try_get::<Option<String>, _>("name")?.unwrap_or_default(),
                };
                Ok(TopicRef { id, name })
            })
            .collect::<Result<Vec<_>>>()?;
        out.sort_by_key(|t| t.name.to_lowercase());
        Ok(out)
    }

    /// Creates a custom topic; only with permissions the author holds.
    pub async fn create_security_topic(
        &self,
        caller: &SessionInfo,
        form: &TopicForm,
    ) -> Result<String> {
        let topic = form.validate().map_err(DomainError::Form)?;
        refuse_beyond(caller, &topic, "create this topic")?;
        let id = uuid::Uuid::new_v4().to_string();
        let ts = now();
        let mut tx = self.db.begin_write().await?;
        sqlx::query(
            "INSERT INTO security_topic (topic_id, tenant_id, name, name_folded, description, permissions, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
        )
        .bind(&id)
        .bind(&caller.tenant_id)
        .bind(&topic.name)
        .bind(fold_username(&topic.name))
        .bind(&topic.description)
        .bind(topic.permissions.to_slugs())
        .bind(ts)
        .execute(&mut *tx)
        .await
        .map_err(name_taken)?;
        record_by(
            &mut tx,
            caller,
            AuditAction::TopicCreated,
            &format!("{}: {}", topic.name, permission_words(topic.permissions)),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Changes a custom topic (built-in ones never change). The new permissions must be held by
    /// the author, since every member of its groups gets them at once.
    pub async fn update_security_topic(
        &self,
        caller: &SessionInfo,
        topic_id: &str,
        form: &TopicForm,
    ) -> Result<()> {
        let topic = form.validate().map_err(DomainError::Form)?;
        let mut tx = self.db.begin_write().await?;
        let before = load_topic(&mut tx, &caller.tenant_id, topic_id).await?;
        if before.builtin {
            return Err(DomainError::Denied(
                "Built-in topics cannot be changed.".into(),
            ));
        }
        let added = PermissionSet::from_iter(topic.permissions.missing_from(before.permissions));
        if !added.is_subset(caller.grants.permissions) {
            return Err(beyond_own(
                "change this topic",
                &added.missing_from(caller.grants.permissions),
            ));
        }
        sqlx::query(
            "UPDATE security_topic SET name = $1, name_folded = $2, description = $3, permissions = $4, \
             updated_at = $5 WHERE topic_id = $6 AND tenant_id = $7",
        )
        .bind(&topic.name)
        .bind(fold_username(&topic.name))
        .bind(&topic.description)
        .bind(topic.permissions.to_slugs())
        .bind(now())
        .bind(topic_id)
        .bind(&caller.tenant_id)
        .execute(&mut *tx)
        .await
        .map_err(name_taken)?;
        record_by(
            &mut tx,
            caller,
            AuditAction::TopicChanged,
            &format!(
                "{} → {}: {} (was {})",
                before.name,
                topic.name,
                permission_words(topic.permissions),
                permission_words(before.permissions)
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes a custom topic and its assignments (built-in ones stay).
    pub async fn delete_security_topic(&self, caller: &SessionInfo, topic_id: &str) -> Result<()> {
        let mut tx = self.db.begin_write().await?;
        let topic = load_topic(&mut tx, &caller.tenant_id, topic_id).await?;
        if topic.builtin {
            return Err(DomainError::Denied(
                "Built-in topics cannot be deleted.".into(),
            ));
        }
        sqlx::query("DELETE FROM group_topic WHERE tenant_id = $1 AND topic_id = $2")
            .bind(&caller.tenant_id)
            .bind(topic_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM security_topic WHERE tenant_id = $1 AND topic_id = $2")
            .bind(&caller.tenant_id)
            .bind(topic_id)
            .execute(&mut *tx)
            .await?;
        record_by(&mut tx, caller, AuditAction::TopicDeleted, &topic.name).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Assigns a topic to a group of the tenant (already assigned: nothing changes). Refused
    /// when the topic grants something the caller does not hold, even for their own groups.
    pub async fn assign_security_topic(
        &self,
        caller: &SessionInfo,
        topic_id: &str,
        group_id: &GroupId,
    ) -> Result<()> {
        self.change_assignment(caller, topic_id, group_id, Assignment::Add)
            .await
    }

    /// `+ Assign group` on a topic's page: the group by its name (case-insensitive).
    pub async fn assign_security_topic_by_name(
        &self,
        caller: &SessionInfo,
        topic_id: &str,
        group_name: &str,
    ) -> Result<()> {
        let group_id: Option<GroupId> = sqlx::query_scalar(
            "SELECT group_id FROM security_group WHERE tenant_id = $1 AND display_name_folded = $2",
        )
        .bind(&caller.tenant_id)
        .bind(crate::domain::account::fold_username(group_name.trim()))
        .fetch_optional(&self.db.pool)
        .await?;
        let group_id = group_id.ok_or_else(|| {
            DomainError::invalid("group", "There is no group with this name in this tenant.")
        })?;
        self.assign_security_topic(caller, topic_id, &group_id)
            .await
    }

    /// Removes a topic from a group (not assigned: nothing changes). Taking rights away needs
    /// only Security Topic Administration.
    pub async fn remove_security_topic(
        &self,
        caller: &SessionInfo,
        topic_id: &str,
        group_id: &GroupId,
    ) -> Result<()> {
        self.change_assignment(caller, topic_id, group_id, Assignment::Remove)
            .await
    }

    /// Adds or removes one assignment in one transaction, audited when something changed.
    async fn change_assignment(
        &self,
        caller: &SessionInfo,
        topic_id: &str,
        group_id: &GroupId,
        change: Assignment,
    ) -> Result<()> {
        let mut tx = self.db.begin_write().await?;
        let topic = load_topic(&mut tx, &caller.tenant_id, topic_id).await?;
        let group = group_name(&mut tx, &caller.tenant_id, group_id).await?;
        let done = match change {
            Assignment::Add => {
                if !topic.permissions.is_subset(caller.grants.permissions) {
                    return Err(beyond_own(
                        "assign this topic",
                        &topic.permissions.missing_from(caller.grants.permissions),
                    ));
                }
                sqlx::query(
                    "INSERT INTO group_topic (group_id, topic_id, tenant_id, assigned_at, assigned_by) \
                     SELECT $1, $2, $3, $4, $5 WHERE NOT EXISTS \
                     (SELECT 1 FROM group_topic WHERE group_id = $1 AND topic_id = $2)",
                )
                .bind(group_id)
                .bind(&topic.id)
                .bind(&caller.tenant_id)
                .bind(now())
                .bind(&caller.username)
                .execute(&mut *tx)
                .await?
            }
            Assignment::Remove => sqlx::query(
                "DELETE FROM group_topic WHERE tenant_id = $1 AND group_id = $2 AND topic_id = $3",
            )
            .bind(&caller.tenant_id)
            .bind(group_id)
            .bind(topic_id)
            .execute(&mut *tx)
            .await?,
        };
        if done.rows_affected() > 0 {
            let (action, detail) = match change {
                Assignment::Add => (
                    AuditAction::TopicAssigned,
                    format!("{} → {group}", topic.name),
                ),
                Assignment::Remove => (
                    AuditAction::TopicRemoved,
                    format!("{} ✕ {group}", topic.name),
                ),
            };
            record_by(&mut tx, caller, action, &detail).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// A topic name another topic of the tenant already has.
fn name_taken(e: sqlx::Error) -> DomainError {
    conflict_on_unique(
        UniqueIndex::TopicName,
        "name",
        "A topic with this name already exists.",
    )(e)
}

/// What [`Backend::change_assignment`] does to a topic's groups.
#[derive(Debug, Clone, Copy)]
enum Assignment {
    Add,
    Remove,
}

/// Refuses adding a member to a group whose topics grant more than the caller holds (adding
/// someone, oneself included, to such a group would hand out rights the caller lacks).
pub(crate) async fn check_group_grants_within(
    conn: &mut AnyConnection,
    caller: &SessionInfo,
    group_id: &GroupId,
) -> Result<()> {
    let grants = group_grants(conn, group_id).await?;
    if !grants.is_subset(caller.grants.permissions) {
        return Err(beyond_own(
            "add members to this group",
            &grants.missing_from(caller.grants.permissions),
        ));
    }
    Ok(())
}

fn refuse_beyond(caller: &SessionInfo, topic: &ValidTopic, what: &str) -> Result<()> {
    if !topic.permissions.is_subset(caller.grants.permissions) {
        return Err(beyond_own(
            what,
            &topic.permissions.missing_from(caller.grants.permissions),
        ));
    }
    Ok(())
}

fn permission_words(set: PermissionSet) -> String {
    set.iter()
        .map(Permission::label)
        .collect::<Vec<_>>()
        .join("; ")
}
