//! Security groups provisioned over SCIM, and their members.
//!
//! Members live in `group_member`, not in the document, so member PATCHes are row inserts and
//! deletes: concurrent PATCHes of one group lose nothing, and large groups stay cheap to change.

use crate::domain::ids::AccountId;
use crate::domain::ids::GroupId;
use crate::domain::ids::TenantId;
use std::collections::BTreeSet;

use serde_json::Value;

use crate::backend::clock::now;
use crate::backend::error::{conflict_on_unique, DomainError, Result, UniqueIndex};
use crate::backend::scim::query::Records;
use crate::backend::scim::stored_document;
use crate::backend::sql::{self, Conn, Row};
use crate::backend::Backend;
use crate::domain::account::{fold_username, AccountSource};
use crate::domain::provisioned::{Document, GroupEdit, GroupRecord, MemberChange};
use crate::domain::record_filter::Condition;

#[derive(Debug, Clone)]
pub struct ScimGroup {
    pub id: GroupId,
    pub doc: Document,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
}

/// A member as a group lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id: AccountId,
    pub display: Option<String>,
}

fn conflict(e: sqlx::Error, name: &str) -> DomainError {
    conflict_on_unique(
        UniqueIndex::GroupName,
        "name",
        format!("A group named “{name}” already exists in this tenant."),
    )(e)
}

fn to_group(row: &Row) -> Result<ScimGroup> {
    Ok(ScimGroup {
        id: row.get("group_id")?,
        doc: stored_document(row)?,
        created_at: row.get("created_at")?,
        updated_at: row.get("updated_at")?,
        version: row.get("version")?,
    })
}

const SELECT: &str =
    "SELECT g.group_id, g.scim_doc, g.created_at, g.updated_at, g.version FROM security_group g";

async fn fetch(conn: &mut Conn<'_>, tenant_id: &TenantId, id: &GroupId) -> Result<ScimGroup> {
    let row = sql::query(
        "SELECT g.group_id, g.scim_doc, g.created_at, g.updated_at, g.version FROM security_group g \
         WHERE g.group_id = $1 AND g.tenant_id = $2 AND g.source = 'scim'",
    )
    .bind(id)
    .bind(tenant_id)
    .fetch_optional(conn)
    .await?
    .ok_or(DomainError::NotFound("group"))?;
    to_group(&row)
}

/// Adds members; ids already present are left as they are. Ids are kept as sent even when no
/// user of the tenant has them (yet): RFC 7644 does not require it, and they are only ever
/// joined to accounts of this tenant.
async fn add_members(conn: &mut Conn<'_>, group_id: &GroupId, ids: &[String]) -> Result<()> {
    let unique: Vec<&String> = ids.iter().collect::<BTreeSet<_>>().into_iter().collect();
    if unique.iter().any(|id| id.is_empty() || id.len() > 256) {
        return Err(DomainError::invalid(
            "members",
            "a member id must be 1 to 256 characters",
        ));
    }
    // One statement per 200 members: ($1, $2), ($1, $3), …
    for chunk in unique.chunks(200) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| format!("($1, ${})", i + 2))
            .collect();
        let sql = format!(
            "INSERT INTO group_member (group_id, account_id) VALUES {} ON CONFLICT DO NOTHING",
            values.join(", ")
        );
        let mut q = sql::query_assembled(sql).bind(group_id);
        for id in chunk {
            q = q.bind(id.as_str());
        }
        q.execute(conn).await?;
    }
    Ok(())
}

/// Deletes those memberships; the members that were there.
async fn remove_members(
    conn: &mut Conn<'_>,
    group_id: &GroupId,
    ids: &[String],
) -> Result<Vec<String>> {
    let unique: Vec<&String> = ids.iter().collect::<BTreeSet<_>>().into_iter().collect();
    let mut removed = Vec::new();
    // One statement per 200 members: … AND account_id IN ($2, $3, …)
    for chunk in unique.chunks(200) {
        let params: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "DELETE FROM group_member WHERE group_id = $1 AND account_id IN ({}) RETURNING account_id",
            params.join(", ")
        );
        let mut q = sql::query_assembled(sql).bind(group_id);
        for id in chunk {
            q = q.bind(id.as_str());
        }
        for row in q.fetch_all(conn).await? {
            removed.push(row.first()?);
        }
    }
    Ok(removed)
}

/// Members removed from a group that holds a Security Topic are kept a day, so that a group
/// emptied within an hour can say who lost its topics (the mass-deprovisioning notice).
async fn record_removals(
    conn: &mut Conn<'_>,
    tenant_id: &TenantId,
    group_id: &GroupId,
    removed: &[String],
) -> Result<()> {
    if removed.is_empty() {
        return Ok(());
    }
    let holds_topic = sql::query("SELECT 1 FROM group_topic WHERE group_id = $1 LIMIT 1")
        .bind(group_id)
        .fetch_optional(conn)
        .await?;
    if holds_topic.is_none() {
        return Ok(());
    }
    let ts = now();
    for chunk in removed.chunks(200) {
        let rows: Vec<String> = (0..chunk.len())
            .map(|i| format!("($1, $2, ${}, $3)", i + 4))
            .collect();
        let sql = format!(
            "INSERT INTO membership_removal (tenant_id, group_id, account_id, at) VALUES {}",
            rows.join(", ")
        );
        let mut q = sql::query_assembled(sql)
            .bind(tenant_id)
            .bind(group_id)
            .bind(ts);
        for id in chunk {
            q = q.bind(id.as_str());
        }
        q.execute(conn).await?;
    }
    Ok(())
}

/// On PostgreSQL, concurrent PATCHes of one group take turns (read, apply, write) instead of
/// writing over each other; SQLite's single writer already makes them take turns.
async fn lock_row(
    conn: &mut Conn<'_>,
    kind: crate::backend::db::DbKind,
    group_id: &GroupId,
) -> Result<()> {
    if kind == crate::backend::db::DbKind::Postgres {
        sql::query("SELECT 1 FROM security_group WHERE group_id = $1 FOR UPDATE")
            .bind(group_id)
            .fetch_optional(conn)
            .await?;
    }
    Ok(())
}

/// Deletes every membership of the group; the members that were there.
async fn clear_members(conn: &mut Conn<'_>, group_id: &GroupId) -> Result<Vec<String>> {
    let rows = sql::query("DELETE FROM group_member WHERE group_id = $1 RETURNING account_id")
        .bind(group_id)
        .fetch_all(conn)
        .await?;
    Ok(rows.iter().map(Row::first).collect::<Result<_, _>>()?)
}

/// Who of `removed` is not among `kept` (a replaced member list).
fn left_out(removed: Vec<String>, kept: &[String]) -> Vec<String> {
    let kept: BTreeSet<&str> = kept.iter().map(String::as_str).collect();
    removed
        .into_iter()
        .filter(|id| !kept.contains(id.as_str()))
        .collect()
}

async fn store(
    conn: &mut Conn<'_>,
    tenant_id: &TenantId,
    id: &GroupId,
    record: &GroupRecord,
) -> Result<()> {
    let name = &record.name;
    sql::query(
        "UPDATE security_group SET display_name = $1, display_name_folded = $2, external_id = $3, scim_doc = $4, \
         updated_at = $5, version = version + 1 WHERE group_id = $6 AND tenant_id = $7",
    )
    .bind(name)
    .bind(fold_username(name))
    .bind(&record.external_id)
    .bind(Value::Object(record.document.clone()).to_string())
    .bind(now())
    .bind(id)
    .bind(tenant_id)
    .execute(conn)
    .await
    .map_err(|e| conflict(e, name))?;
    Ok(())
}

impl Backend {
    pub async fn scim_create_group(
        &self,
        tenant_id: &TenantId,
        record: GroupRecord,
        members: &[String],
    ) -> Result<ScimGroup> {
        let GroupRecord {
            name,
            external_id,
            document,
        } = record;
        let id = GroupId::generate();
        let ts = now();
        let mut tx = self.db.transaction().await?;
        let mut conn = tx.conn();
        sql::query(
            "INSERT INTO security_group (group_id, tenant_id, display_name, display_name_folded, external_id, source, \
             scim_doc, created_at, updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, 1)",
        )
        .bind(&id)
        .bind(tenant_id)
        .bind(&name)
        .bind(fold_username(&name))
        .bind(external_id)
        .bind(AccountSource::Scim.as_db())
        .bind(Value::Object(document.clone()).to_string())
        .bind(ts)
        .execute(&mut conn)
        .await
        .map_err(|e| conflict(e, &name))?;
        add_members(&mut conn, &id, members).await?;
        tx.commit().await?;
        Ok(ScimGroup {
            id,
            doc: document,
            created_at: ts,
            updated_at: ts,
            version: 1,
        })
    }

    pub async fn scim_get_group(&self, tenant_id: &TenantId, id: &GroupId) -> Result<ScimGroup> {
        let mut reader = self.db.reader().await?;
        fetch(&mut reader.conn(), tenant_id, id).await
    }

    /// The members of a group, in a stable order. `display` is the user's display name (or
    /// username); ids that are no user of the tenant have none.
    pub async fn scim_group_members(
        &self,
        tenant_id: &TenantId,
        group_id: &GroupId,
    ) -> Result<Vec<Member>> {
        let mut reader = self.db.reader().await?;
        let rows = sql::query(
            "SELECT m.account_id, a.username, a.display_name FROM group_member m \
             LEFT JOIN account a ON a.account_id = m.account_id AND a.tenant_id = $2 \
             WHERE m.group_id = $1 ORDER BY COALESCE(a.username_folded, m.account_id), m.account_id",
        )
        .bind(group_id)
        .bind(tenant_id)
        .fetch_all(&mut reader.conn())
        .await?;
        rows.iter()
            .map(|r| {
                let username: Option<String> = r.get("username")?;
                let display_name: Option<String> = r.get("display_name")?;
                Ok(Member {
                    id: r.get("account_id")?,
                    display: display_name.filter(|d| !d.is_empty()).or(username),
                })
            })
            .collect()
    }

    pub async fn scim_replace_group(
        &self,
        tenant_id: &TenantId,
        id: &GroupId,
        record: GroupRecord,
        members: &[String],
    ) -> Result<ScimGroup> {
        let mut tx = self.db.transaction().await?;
        let mut conn = tx.conn();
        lock_row(&mut conn, self.db.kind, id).await?;
        fetch(&mut conn, tenant_id, id).await?;
        store(&mut conn, tenant_id, id, &record).await?;
        let removed = left_out(clear_members(&mut conn, id).await?, members);
        add_members(&mut conn, id, members).await?;
        record_removals(&mut conn, tenant_id, id, &removed).await?;
        let group = fetch(&mut conn, tenant_id, id).await?;
        tx.commit().await?;
        Ok(group)
    }

    /// PATCH: the edit applies to the group as read under its row lock; attributes and member
    /// changes are one transaction, all or nothing.
    pub async fn scim_patch_group<E>(
        &self,
        tenant_id: &TenantId,
        id: &GroupId,
        edit: &E,
    ) -> Result<ScimGroup, E::Error>
    where
        E: GroupEdit,
        E::Error: From<DomainError>,
    {
        let mut tx = self.db.transaction().await.map_err(DomainError::from)?;
        let mut conn = tx.conn();
        lock_row(&mut conn, self.db.kind, id).await?;
        let current = fetch(&mut conn, tenant_id, id).await?;
        let edited = edit.apply(&current.doc).await?;
        let mut removed = Vec::new();
        for change in &edited.members {
            match change {
                MemberChange::Add(ids) => add_members(&mut conn, id, ids).await?,
                MemberChange::Remove(ids) => {
                    removed.extend(remove_members(&mut conn, id, ids).await?)
                }
                MemberChange::RemoveAll => removed.extend(clear_members(&mut conn, id).await?),
                MemberChange::Set(ids) => {
                    removed.extend(left_out(clear_members(&mut conn, id).await?, ids));
                    add_members(&mut conn, id, ids).await?;
                }
            }
        }
        record_removals(&mut conn, tenant_id, id, &removed).await?;
        if edited.record.document != current.doc || !edited.members.is_empty() {
            store(&mut conn, tenant_id, id, &edited.record).await?;
        }
        let group = fetch(&mut conn, tenant_id, id).await?;
        tx.commit().await.map_err(DomainError::from)?;
        Ok(group)
    }

    pub async fn scim_delete_group(&self, tenant_id: &TenantId, id: &GroupId) -> Result<()> {
        let mut writer = self.db.writer().await?;
        let deleted = sql::query(
            "DELETE FROM security_group WHERE group_id = $1 AND tenant_id = $2 AND source = 'scim'",
        )
        .bind(id)
        .bind(tenant_id)
        .execute(&mut writer.conn())
        .await?;
        if deleted == 0 {
            return Err(DomainError::NotFound("group"));
        }
        writer.commit().await?;
        Ok(())
    }

    pub async fn scim_list_groups(
        &self,
        tenant_id: &TenantId,
        filter: Option<&Condition>,
        start: i64,
        count: i64,
    ) -> Result<(i64, Vec<ScimGroup>)> {
        let (rows, total) = self
            .scim_list(
                Records::Groups,
                SELECT,
                "g",
                "g.source = 'scim' AND ",
                "ORDER BY g.created_at, g.group_id",
                tenant_id,
                filter,
                start,
                count,
            )
            .await?;
        Ok((
            total,
            rows.iter().map(to_group).collect::<Result<Vec<_>>>()?,
        ))
    }
}
