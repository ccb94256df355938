//! The Users and Security Groups pages' queries: search, filters and server-side pagination.

use crate::domain::ids::AccountId;
use crate::domain::ids::GroupId;
use crate::domain::ids::TenantId;
use serde_json::Value;
use sqlx::Row;

use crate::backend::db::flag;
use crate::backend::error::{DomainError, Result};
use crate::backend::Backend;
use crate::domain::account::{fold_username, AccountSource};
use crate::domain::directory::{
    GroupDetail, GroupRef, GroupRow, MemberRow, Page, SignInFilter, UserDetail, UserQuery, UserRow,
    UserSort, PER_PAGE,
};

/// The smallest string above every string that starts with `prefix` (byte order, which both
/// engines use for the folded columns).
fn prefix_upper_bound(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

fn like(search: &str) -> String {
    let s = fold_username(search.trim())
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{s}%")
}

fn typed_value(doc: &Value, attr: &str, kind: &str) -> Option<String> {
    doc.get(attr)?
        .as_array()?
        .iter()
        .find(|e| {
            e.get("type")
                .and_then(Value::as_str)
                .is_some_and(|t| t.eq_ignore_ascii_case(kind))
        })
        .and_then(|e| e.get("value").and_then(Value::as_str))
        .map(str::to_owned)
}

fn source(row: &sqlx::any::AnyRow) -> Result<AccountSource> {
    let s: String = row.try_get("source")?;
    AccountSource::from_db(&s)
        .ok_or_else(|| DomainError::Internal(format!("unknown account source {s}")))
}

/// Flattens a SCIM document into (attribute path, value) pairs, the guide's mapping first.
fn attributes(doc: &Value) -> Vec<(String, String)> {
    fn text(v: &Value) -> Option<String> {
        match v {
            Value::String(s) => Some(s.clone()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Number(n) => Some(n.to_string()),
            Value::Array(a)
                if !a.is_empty() && a.iter().all(|x| !x.is_object() && !x.is_array()) =>
            {
                Some(a.iter().filter_map(text).collect::<Vec<_>>().join(", "))
            }
            _ => None,
        }
    }
    fn walk(prefix: &str, v: &Value, out: &mut Vec<(String, String)>) {
        match v {
            Value::Object(map) => {
                for (k, v) in map {
                    if prefix.is_empty() && ["schemas", "meta", "id"].contains(&k.as_str()) {
                        continue;
                    }
                    let sep = if prefix.starts_with("urn:") { ":" } else { "." };
                    let path = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}{sep}{k}")
                    };
                    walk(&path, v, out);
                }
            }
            Value::Array(items) if items.iter().any(Value::is_object) => {
                for item in items {
                    let kind = item.get("type").and_then(Value::as_str);
                    match (kind, item.get("value").and_then(text)) {
                        (Some(kind), Some(value)) => {
                            out.push((format!("{prefix}[type eq \"{kind}\"].value"), value))
                        }
                        _ => walk(prefix, item, out),
                    }
                }
            }
            other => {
                if let Some(t) = text(other) {
                    out.push((prefix.to_owned(), t));
                }
            }
        }
    }
    let mut all = vec![];
    walk("", doc, &mut all);
    let rank = |k: &str| {
        crate::domain::attribute_check::GUIDE_MAPPINGS
            .iter()
            .position(|m| m.target == k)
            .unwrap_or(usize::MAX)
    };
    all.sort_by(|a, b| rank(&a.0).cmp(&rank(&b.0)).then_with(|| a.0.cmp(&b.0)));
    all
}

impl Backend {
    /// One user of the tenant with every attribute and group.
    pub async fn user_detail(&self, tenant_id: &TenantId, id: &AccountId) -> Result<UserDetail> {
        let r = sqlx::query(
            "SELECT a.account_id, a.username, a.display_name, a.scim_doc, a.source, a.is_active, a.is_admin, a.sso_key, \
             a.scim_deleted_at, a.created_at, a.updated_at, t.is_default FROM account a JOIN tenant t ON t.tenant_id = a.tenant_id \
             WHERE a.tenant_id = $1 AND a.account_id = $2",
        )
        .bind(tenant_id)
        .bind(id)
        .fetch_optional(&self.db.pool)
        .await?
        .ok_or(DomainError::NotFound("user"))?;
        let doc: Option<String> = r.try_get("scim_doc")?;
        let doc: Value = doc
            .and_then(|d| serde_json::from_str(&d).ok())
            .unwrap_or(Value::Null);
        let groups = sqlx::query(
            // `|| ''`: the person's memberships are the seek, not every group of the tenant.
            "SELECT g.group_id, g.display_name FROM group_member m JOIN security_group g ON g.group_id = m.group_id \
             WHERE m.account_id = $1 AND g.tenant_id || '' = $2 ORDER BY g.display_name_folded",
        )
        .bind(id)
        .bind(tenant_id)
        .fetch_all(&self.db.pool)
        .await?
        .iter()
        .map(|g| {
            Ok(GroupRef {
                id: g.try_get("group_id")?,
                name: g.try_get("display_name")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        Ok(UserDetail {
            user: UserRow {
                id: r.try_get("account_id")?,
                username: r.try_get("username")?,
                display_name: r.try_get("display_name")?,
                work_email: typed_value(&doc, "emails", "work"),
                mobile: typed_value(&doc, "phoneNumbers", "mobile"),
                source: source(&r)?,
                active: flag(&r, "is_active")?,
                updated_at: r.try_get("updated_at")?,
                deleted_at: r.try_get("scim_deleted_at")?,
            },
            is_admin: flag(&r, "is_admin")?,
            is_operator: flag(&r, "is_admin")? && flag(&r, "is_default")?,
            created_at: r.try_get("created_at")?,
            sso_linked: r.try_get::<Option<String>, _>("sso_key")?.is_some(),
            attributes: attributes(&doc),
            groups,
            is_you: false,
        })
    }

    /// Users of a tenant, by username. `search` matches the start of the username, the display
    /// name or the work e-mail (as Entra's own user search does), or the start of any other word
    /// of the name (a surname; [`crate::domain::name_words`]), so every search is index ranges
    /// and the page stays fast with hundreds of thousands of users.
    pub async fn list_users(&self, tenant_id: &TenantId, q: &UserQuery) -> Result<Page<UserRow>> {
        let UserQuery {
            search,
            source: source_filter,
            active,
            sign_in,
            sort,
            page,
        } = q.clone();
        enum Arg {
            Text(String),
            Int(i64),
        }
        let page = page.max(1);
        let mut args = vec![Arg::Text(tenant_id.to_string())];
        let mut clause = String::from("WHERE a.tenant_id = $1");
        // SQLite joins in the order written after CROSS JOIN: a search starts from its matches.
        let mut from = String::from("account a");
        let search = fold_username(search.trim());
        if !search.is_empty() {
            let (lo, hi) = (args.len() + 1, args.len() + 2);
            // One index range per column, united: the planner cannot do that for an OR here.
            let range = |col: &str| {
                format!("SELECT account_id FROM account WHERE tenant_id = $1 AND {col} >= ${lo} AND {col} < ${hi}")
            };
            // A later word of the name or a surname: its own table, one range too.
            let word = format!(
                "SELECT account_id FROM account_word WHERE tenant_id = $1 AND word >= ${lo} AND word < ${hi}"
            );
            from = format!(
                "({} UNION {} UNION {} UNION {word}) m CROSS JOIN account a",
                range("username_folded"),
                range("display_name_folded"),
                range("work_email_folded")
            );
            clause.push_str(" AND a.account_id = m.account_id");
            args.push(Arg::Text(search.clone()));
            args.push(Arg::Text(prefix_upper_bound(&search)));
        }
        if let Some(s) = source_filter {
            args.push(Arg::Text(s.as_db().to_owned()));
            clause.push_str(&format!(" AND a.source = ${}", args.len()));
        }
        if let Some(a) = active {
            args.push(Arg::Int(i64::from(a)));
            clause.push_str(&format!(" AND a.is_active = ${}", args.len()));
        }
        clause.push_str(match sign_in {
            SignInFilter::Any => "",
            SignInFilter::SsoNotProvisioned => " AND a.source = 'sso'",
            SignInFilter::ProvisionedNeverSignedIn => {
                " AND a.source = 'scim' AND a.sso_key IS NULL"
            }
        });
        let n = args.len();
        let order = match sort {
            UserSort::Username => "a.username_folded",
            UserSort::DisplayName => "a.display_name_folded",
            UserSort::LastChange => "a.updated_at DESC",
        };
        let list_sql = format!(
            "SELECT a.account_id, a.username, a.display_name, a.scim_doc, a.source, a.is_active, a.updated_at, a.scim_deleted_at \
             FROM {from} {clause} ORDER BY {order}, a.account_id LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        );
        let count_sql = format!("SELECT COUNT(*) FROM {from} {clause}");
        let mut list = sqlx::query(sqlx::AssertSqlSafe(list_sql));
        let mut count = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(count_sql));
        for a in &args {
            match a {
                Arg::Text(t) => {
                    list = list.bind(t.clone());
                    count = count.bind(t.clone());
                }
                Arg::Int(i) => {
                    list = list.bind(*i);
                    count = count.bind(*i);
                }
            }
        }
        let rows = list
            .bind(PER_PAGE)
            .bind((page - 1) * PER_PAGE)
            .fetch_all(&self.db.pool)
            .await?;
        let total = count.fetch_one(&self.db.pool).await?;
        let items = rows
            .iter()
            .map(|r| {
                let doc: Option<String> = r.try_get("scim_doc")?;
                let doc: Value = doc
                    .and_then(|d| serde_json::from_str(&d).ok())
                    .unwrap_or(Value::Null);
                Ok(UserRow {
                    id: r.try_get("account_id")?,
                    username: r.try_get("username")?,
                    display_name: r.try_get("display_name")?,
                    work_email: typed_value(&doc, "emails", "work"),
                    mobile: typed_value(&doc, "phoneNumbers", "mobile"),
                    source: source(r)?,
                    active: flag(r, "is_active")?,
                    updated_at: r.try_get("updated_at")?,
                    deleted_at: r.try_get("scim_deleted_at")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Page {
            items,
            total,
            page,
            per_page: PER_PAGE,
        })
    }

    pub async fn list_groups(
        &self,
        tenant_id: &TenantId,
        search: &str,
        page: i64,
    ) -> Result<Page<GroupRow>> {
        let page = page.max(1);
        let search = search.trim();
        let where_clause =
            "WHERE g.tenant_id = $1 AND ($2 = '' OR g.display_name_folded LIKE $3 ESCAPE '\\')";
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT g.group_id, g.display_name, g.source, g.updated_at, \
             (SELECT COUNT(*) FROM group_member m WHERE m.group_id = g.group_id) AS members \
             FROM security_group g {where_clause} ORDER BY g.display_name_folded, g.group_id LIMIT $4 OFFSET $5"
        )))
        .bind(tenant_id)
        .bind(search)
        .bind(like(search))
        .bind(PER_PAGE)
        .bind((page - 1) * PER_PAGE)
        .fetch_all(&self.db.pool)
        .await?;
        let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM security_group g {where_clause}"
        )))
        .bind(tenant_id)
        .bind(search)
        .bind(like(search))
        .fetch_one(&self.db.pool)
        .await?;
        let items = rows.iter().map(group_row).collect::<Result<Vec<_>>>()?;
        Ok(Page {
            items,
            total,
            page,
            per_page: PER_PAGE,
        })
    }

    /// A group and its members (users of the tenant by username; other ids as sent).
    /// A group with one page of its members.
    pub async fn group_detail(
        &self,
        tenant_id: &TenantId,
        group_id: &GroupId,
        page: i64,
    ) -> Result<GroupDetail> {
        let page = page.max(1);
        let row = sqlx::query(
            "SELECT g.group_id, g.display_name, g.source, g.updated_at, \
             (SELECT COUNT(*) FROM group_member m WHERE m.group_id = g.group_id) AS members \
             FROM security_group g WHERE g.tenant_id = $1 AND g.group_id = $2",
        )
        .bind(tenant_id)
        .bind(group_id)
        .fetch_optional(&self.db.pool)
        .await?
        .ok_or(DomainError::NotFound("group"))?;
        let group = group_row(&row)?;
        let members = sqlx::query(
            "SELECT m.account_id, a.username, a.display_name FROM group_member m \
             LEFT JOIN account a ON a.account_id = m.account_id AND a.tenant_id = $2 \
             WHERE m.group_id = $1 ORDER BY COALESCE(a.username_folded, m.account_id) LIMIT $3 OFFSET $4",
        )
        .bind(group_id)
        .bind(tenant_id)
        .bind(PER_PAGE)
        .bind((page - 1) * PER_PAGE)
        .fetch_all(&self.db.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(MemberRow {
                id: r.try_get("account_id")?,
                username: r.try_get("username")?,
                display_name: r.try_get("display_name")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        Ok(GroupDetail {
            members: Page {
                items: members,
                total: group.members,
                page,
                per_page: PER_PAGE,
            },
            group,
        })
    }
}

fn group_row(r: &sqlx::any::AnyRow) -> Result<GroupRow> {
    Ok(GroupRow {
        id: r.try_get("group_id")?,
        name: r.try_get("display_name")?,
        source: source(r)?,
        members: r.try_get("members")?,
        updated_at: r.try_get("updated_at")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_put_the_guides_mapping_first() {
        let doc = serde_json::json!({
            "schemas": ["x"], "title": "Engineer", "userName": "ada@contoso.com", "active": true,
            "emails": [{"type": "work", "value": "ada@contoso.com", "primary": true}],
            "name": {"givenName": "Ada", "familyName": "Lovelace"},
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "R&D"},
        });
        let a = attributes(&doc);
        let keys: Vec<&str> = a.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            [
                "userName",
                "active",
                "emails[type eq \"work\"].value",
                "name.givenName",
                "name.familyName",
                "title",
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
            ]
        );
        assert_eq!(a[1].1, "true");
    }
}
