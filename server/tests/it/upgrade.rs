//! Upgrading an existing installation to Security Topics (migration 0006): every row is kept,
//! local Administrators keep their access, accounts made by single sign-on hold nothing until a
//! topic is assigned to one of their groups, and SSO links to local password accounts are cut.

use std::path::Path;
use std::str::FromStr;

use app::backend::{Backend, BackendConfig, Db, SecretKey};
use sha2::{Digest, Sha256};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};

const NEW_MIGRATIONS_FROM: i64 = 20261201000006;

fn hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test]
async fn an_existing_sqlite_database_upgrades_without_losing_anything() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("old.db");
    let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", file.display()))
        .unwrap()
        .create_if_missing(true)
        .foreign_keys(true);
    let pool = SqlitePoolOptions::new()
        .connect_with(options)
        .await
        .unwrap();
    // The schema as the previous release left it.
    let mut old = sqlx::migrate::Migrator::new(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../migrations/sqlite"
    )))
    .await
    .unwrap();
    old.migrations = old
        .migrations
        .iter()
        .filter(|m| m.version < NEW_MIGRATIONS_FROM)
        .cloned()
        .collect::<Vec<_>>()
        .into();
    old.run(&pool).await.unwrap();
    for sql in [
        "INSERT INTO tenant (tenant_id, name, name_folded, is_default, created_at) VALUES ('t', 'Default', 'default', 1, 1)",
        "INSERT INTO account (account_id, tenant_id, username, username_folded, source, is_active, is_admin, password_hash, created_at, updated_at) \
         VALUES ('admin', 't', 'admin', 'admin', 'local', 1, 1, 'x', 1, 1)",
        // Made at a first single sign-on before this release: local, no password.
        "INSERT INTO account (account_id, tenant_id, username, username_folded, source, is_active, is_admin, sso_key, created_at, updated_at) \
         VALUES ('sso', 't', 'Alice@Contoso.example', 'alice@contoso.example', 'local', 1, 0, 'entra:t:o1', 1, 1)",
        // A local password account that single sign-on had linked itself to.
        "INSERT INTO account (account_id, tenant_id, username, username_folded, source, is_active, is_admin, password_hash, sso_key, created_at, updated_at) \
         VALUES ('linked', 't', 'bob', 'bob', 'local', 1, 0, 'x', 'entra:t:o2', 1, 1)",
        "INSERT INTO account (account_id, tenant_id, username, username_folded, source, is_active, is_admin, scim_doc, created_at, updated_at) \
         VALUES ('scim', 't', 'ＣＡＲＯＬ', 'ｃａｒｏｌ', 'scim', 1, 0, '{}', 1, 1)",
        "INSERT INTO security_group (group_id, tenant_id, display_name, display_name_folded, source, scim_doc, created_at, updated_at) \
         VALUES ('g', 't', 'Finance', 'finance', 'scim', '{}', 1, 1)",
        "INSERT INTO group_member (group_id, account_id) VALUES ('g', 'sso')",
        // Found by its surnames once the new release has filled the search words.
        "UPDATE account SET display_name = 'Carol Danvers', scim_doc = '{\"name\":{\"familyName\":\"Marvel\"}}' \
         WHERE account_id = 'scim'",
    ] {
        sqlx::query(sql).execute(&pool).await.unwrap();
    }
    for (token, account) in [("admin-token", "admin"), ("sso-token", "sso")] {
        sqlx::query("INSERT INTO session (session_hash, account_id, tenant_id, created_at, last_seen_at, expires_at) VALUES (?, ?, 't', strftime('%s','now'), strftime('%s','now'), strftime('%s','now') + 3600)")
            .bind(hash(token))
            .bind(account)
            .execute(&pool)
            .await
            .unwrap();
    }
    pool.close().await;

    // The new release starts on it.
    let db = Db::connect(&format!("sqlite://{}", file.display()))
        .await
        .unwrap();
    let backend = Backend::new(
        db,
        BackendConfig {
            public_url: "http://127.0.0.1:3000".into(),
            secret_key: SecretKey::random(),
            // The providers these start listen on 127.0.0.1.
            allow_private_idp_urls: true,
        },
    );
    let admin = backend
        .resolve_session("admin-token")
        .await
        .unwrap()
        .expect("sessions survive");
    assert!(
        admin.grants.permissions == app::domain::permission::PermissionSet::all()
            && admin.is_operator
    );
    let sso = backend
        .resolve_session("sso-token")
        .await
        .unwrap()
        .expect("sessions survive");
    assert!(
        sso.grants.has_nothing(),
        "former SSO accounts hold nothing yet"
    );
    let rows: Vec<(String, String, Option<String>, String)> = sqlx::query_as(
        "SELECT account_id, source, sso_key, username_folded FROM account ORDER BY account_id",
    )
    .fetch_all(&backend.db.pool)
    .await
    .unwrap();
    assert_eq!(
        rows,
        vec![
            ("admin".into(), "local".into(), None, "admin".into()),
            ("linked".into(), "local".into(), None, "bob".into()),
            ("scim".into(), "scim".into(), None, "carol".into()),
            ("sso".into(), "sso".into(), Some("entra:t:o1".into()), "alice@contoso.example".into()),
        ],
        "every account kept; SSO accounts marked; the link to a password account cut; usernames refolded"
    );
    let members: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM group_member")
        .fetch_one(&backend.db.pool)
        .await
        .unwrap();
    assert_eq!(members, 1);
    let words: Vec<String> = sqlx::query_scalar(
        "SELECT word FROM account_word WHERE account_id = 'scim' AND tenant_id = 't' ORDER BY word",
    )
    .fetch_all(&backend.db.pool)
    .await
    .unwrap();
    assert_eq!(
        words,
        ["danvers", "marvel"],
        "names made before are searchable"
    );
    // The rebuilt table keeps its unique username index.
    let dup = sqlx::query("INSERT INTO account (account_id, tenant_id, username, username_folded, source, created_at, updated_at) VALUES ('x', 't', 'Admin', 'admin', 'local', 1, 1)")
        .execute(&backend.db.pool)
        .await;
    assert!(dup.is_err());
    // Starting again changes nothing.
    drop(backend);
    let again = Db::connect(&format!("sqlite://{}", file.display()))
        .await
        .unwrap();
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM account")
        .fetch_one(&again.pool)
        .await
        .unwrap();
    assert_eq!(count, 4);
}

/// Migrations never drop data: no column is dropped, no table truncated or emptied, and a table
/// is dropped only in SQLite's rebuild (every row copied into its successor first, which takes
/// its name). The upgrade test above proves the copy row by row.
#[test]
fn no_migration_drops_data() {
    for engine in ["sqlite", "postgres"] {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../migrations")
            .join(engine);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        assert!(files.len() >= 7, "{engine}: {files:?}");
        for file in files {
            let sql: String = std::fs::read_to_string(&file)
                .unwrap()
                .lines()
                .map(|l| l.split("--").next().unwrap_or(""))
                .collect::<Vec<_>>()
                .join("\n")
                .to_uppercase();
            let name = file.display();
            // `account_word` holds only words derived from `account` (its triggers rewrite them).
            let sql = sql.replace(
                "DELETE FROM ACCOUNT_WORD WHERE ACCOUNT_ID = OLD.ACCOUNT_ID",
                "",
            );
            for forbidden in ["DROP COLUMN", "TRUNCATE", "DELETE FROM", "DROP SCHEMA"] {
                assert!(!sql.contains(forbidden), "{name}: {forbidden}");
            }
            let mut rest = sql.as_str();
            while let Some(at) = rest.find("DROP TABLE ") {
                let (before, after) = rest.split_at(at);
                let table = after["DROP TABLE ".len()..]
                    .split(|c: char| c == ';' || c.is_whitespace())
                    .next()
                    .unwrap();
                assert!(
                    before.contains(&format!("FROM {table};"))
                        && after.contains(&format!("RENAME TO {table};")),
                    "{name}: DROP TABLE {table} without copying its rows into its successor"
                );
                rest = &after["DROP TABLE ".len()..];
            }
        }
    }
}
