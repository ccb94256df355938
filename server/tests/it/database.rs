//! Which database a test runs on. The suite runs twice in the test command: on SQLite (a file in
//! the test's temp dir) and, with `CANTARA_TEST_POSTGRES_URL` set, on PostgreSQL, where each
//! test gets a database of its own, made fresh on the server that URL names.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Mutex;

use sha2::{Digest, Sha256};
use sqlx::{Connection, Executor};

pub const POSTGRES_ENV: &str = "CANTARA_TEST_POSTGRES_URL";
/// Every database the tests make starts with this (the test command drops them afterwards on a
/// server it did not start itself).
pub const PREFIX: &str = "cantara_test_";

/// The PostgreSQL server of this run, if the suite runs on PostgreSQL.
pub fn postgres_server() -> Option<String> {
    std::env::var(POSTGRES_ENV).ok().filter(|u| !u.is_empty())
}

/// For tests that only mean something on PostgreSQL (several instances, advisory locks): the
/// server, or `None` (the test returns early) on the SQLite pass. With
/// `CANTARA_TEST_REQUIRE_POSTGRES=1` (the test command's PostgreSQL pass) a missing server fails.
pub fn postgres_only(test: &str) -> Option<String> {
    let server = postgres_server();
    if server.is_none() {
        assert!(
            std::env::var("CANTARA_TEST_REQUIRE_POSTGRES").as_deref() != Ok("1"),
            "{test} needs {POSTGRES_ENV}"
        );
        eprintln!("{test}: runs on the PostgreSQL pass only");
    }
    server
}

/// The database URL for the test whose temp dir is `dir`: the same URL every time for one dir.
pub fn url_for(dir: &Path) -> String {
    match postgres_server() {
        None => format!("sqlite://{}/test.db", dir.display()),
        Some(server) => {
            let digest = Sha256::digest(dir.display().to_string().as_bytes());
            let name: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
            fresh_postgres_database(&server, &format!("{PREFIX}{name}"))
        }
    }
}

/// Creates the database `name` (starting with [`PREFIX`]) on `server`, once per run, and returns
/// its URL.
pub fn fresh_postgres_database(server: &str, name: &str) -> String {
    assert!(name.starts_with(PREFIX), "{name}");
    static MADE: Mutex<Option<HashSet<String>>> = Mutex::new(None);
    let url = with_database(server, name);
    let mut made = MADE.lock().unwrap();
    if made
        .get_or_insert_with(HashSet::new)
        .insert(name.to_owned())
    {
        let server = server.to_owned();
        let statements = [
            format!("DROP DATABASE IF EXISTS {name}"),
            format!("CREATE DATABASE {name}"),
        ];
        // Its own thread and runtime: callers are sync tests and async ones alike.
        std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(async move {
                    let mut admin = sqlx::PgConnection::connect(&server).await.unwrap();
                    for statement in &statements {
                        admin
                            .execute(sqlx::AssertSqlSafe(statement.clone()))
                            .await
                            .unwrap();
                    }
                    admin.close().await.unwrap();
                })
        })
        .join()
        .unwrap();
    }
    url
}

/// `server`'s URL with its database replaced by `name`.
fn with_database(server: &str, name: &str) -> String {
    let mut url = url::Url::parse(server).unwrap();
    url.set_path(&format!("/{name}"));
    url.to_string()
}
