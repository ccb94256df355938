//! The database handle: one binary, backend chosen at run time from the URL.
//!
//! Queries go through sqlx's `Any` driver with SQL that both SQLite and PostgreSQL accept
//! (`$1` placeholders, `BIGINT` unix-second timestamps and 0/1 flags, `TEXT` ids).
//! Each backend has its own migration tree under `migrations/`.

use std::ops::{Deref, DerefMut};
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::any::{install_default_drivers, AnyPoolOptions};
use sqlx::{AnyConnection, AnyPool, Executor};
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::backend::error::{DomainError, Result};

/// Which database engine the URL selected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbKind {
    Sqlite,
    Postgres,
}

impl DbKind {
    pub fn from_url(url: &str) -> Result<Self> {
        if url.starts_with("sqlite:") {
            Ok(DbKind::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(DbKind::Postgres)
        } else {
            Err(DomainError::Refused(
                "the database URL must start with sqlite:// or postgres://".into(),
            ))
        }
    }
}

/// A flag as stored: `BIGINT` 0/1 (the Any driver cannot decode SQLite's BOOLEAN).
pub fn bit(flag: bool) -> i64 {
    i64::from(flag)
}

/// Reads a 0/1 flag column.
pub fn flag(row: &sqlx::any::AnyRow, column: &str) -> Result<bool> {
    use sqlx::Row;
    Ok(row.try_get::<i64, _>(column)? != 0)
}

#[derive(Debug, Clone)]
pub struct Db {
    pub pool: AnyPool,
    pub kind: DbKind,
    /// SQLite has one writer at a time; writers queue here instead of in SQLite's busy handler,
    /// which sleeps in growing steps and makes write latency spiky under concurrency.
    write_lock: Arc<Mutex<()>>,
}

/// A write transaction. On SQLite it holds the process's write lock until it ends.
pub struct WriteTx {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    _guard: Option<OwnedMutexGuard<()>>,
}

impl WriteTx {
    pub async fn commit(self) -> std::result::Result<(), sqlx::Error> {
        self.tx.commit().await
    }

    /// Ends the transaction without writing anything (dropping it does the same, later).
    pub async fn rollback(self) -> std::result::Result<(), sqlx::Error> {
        self.tx.rollback().await
    }
}

impl Deref for WriteTx {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.tx
    }
}

impl DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

impl Db {
    /// Connects (creating a SQLite file and its folder if missing) and applies migrations.
    pub async fn connect(url: &str) -> Result<Self> {
        install_default_drivers();
        let kind = DbKind::from_url(url)?;
        let url = match kind {
            DbKind::Sqlite => prepare_sqlite_url(url)?,
            DbKind::Postgres => url.to_owned(),
        };
        let options = AnyPoolOptions::new()
            .max_connections(match kind {
                DbKind::Sqlite => 3,
                DbKind::Postgres => 16,
            })
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if kind == DbKind::Sqlite {
                        // WAL lets readers run beside the writer (server and CLI at once);
                        // busy_timeout makes a second writer wait instead of failing.
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 10000; \
                             PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            });
        let pool = options.connect(&url).await?;
        let db = Db {
            pool,
            kind,
            write_lock: Arc::new(Mutex::new(())),
        };
        db.migrate().await?;
        crate::backend::auth::accounts::refold_usernames(&db).await?;
        Ok(db)
    }

    async fn migrate(&self) -> Result<()> {
        match self.kind {
            DbKind::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await?,
            DbKind::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await?,
        }
        Ok(())
    }

    /// A transaction that will write. On SQLite it first takes the in-process write lock, then
    /// SQLite's (`BEGIN IMMEDIATE`), so read-then-write transactions never fail on a stale
    /// snapshot. Another process (the CLI) still waits through `busy_timeout`.
    pub async fn begin_write(&self) -> Result<WriteTx> {
        Ok(match self.kind {
            DbKind::Sqlite => {
                let guard = self.write_lock.clone().lock_owned().await;
                let tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
                WriteTx {
                    tx,
                    _guard: Some(guard),
                }
            }
            DbKind::Postgres => WriteTx {
                tx: self.pool.begin().await?,
                _guard: None,
            },
        })
    }

    /// For a write that is one statement (atomic by itself): on SQLite, holds the in-process
    /// write lock so the statement does not wait in SQLite's busy handler. No transaction, so
    /// no BEGIN/COMMIT round trips.
    pub async fn lock_writes(&self) -> Option<OwnedMutexGuard<()>> {
        match self.kind {
            DbKind::Sqlite => Some(self.write_lock.clone().lock_owned().await),
            DbKind::Postgres => None,
        }
    }

    /// For `/readyz`: can we run a query right now?
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }
}

/// `sqlite://data/cantara.db` → makes sure `data/` exists and the file is created if missing.
/// A missing folder (and its missing parents) is created readable by the owner only (0700).
pub fn create_private_dir(path: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(path)
}

/// A missing file is created empty and readable by the owner only (0600); an existing one is
/// left as it is.
fn create_private_file(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

fn prepare_sqlite_url(url: &str) -> Result<String> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (rest, None),
    };
    if path != ":memory:" && !path.is_empty() {
        if let Some(parent) = Path::new(path)
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
        {
            create_private_dir(parent).map_err(|e| {
                DomainError::Internal(format!("cannot create {}: {e}", parent.display()))
            })?;
        }
        // Created here with 0600, so SQLite's -wal and -shm files (which copy the database
        // file's mode) are private too.
        create_private_file(Path::new(path))
            .map_err(|e| DomainError::Internal(format!("cannot create {path}: {e}")))?;
    }
    let query = match query {
        Some(q) if q.contains("mode=") => q.to_owned(),
        Some(q) => format!("{q}&mode=rwc"),
        None => "mode=rwc".to_owned(),
    };
    // Validate the shape early so a typo gives a clear error.
    let full = format!("sqlite://{path}?{query}");
    sqlx::sqlite::SqliteConnectOptions::from_str(&full)?;
    Ok(full)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_comes_from_the_url() {
        assert_eq!(DbKind::from_url("sqlite://x.db").unwrap(), DbKind::Sqlite);
        assert_eq!(
            DbKind::from_url("postgres://u@h/d").unwrap(),
            DbKind::Postgres
        );
        assert!(DbKind::from_url("mysql://h/d").is_err());
    }

    #[test]
    fn sqlite_url_gets_create_mode_and_folder() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/sub/c.db", dir.path().display());
        let prepared = prepare_sqlite_url(&url).unwrap();
        assert!(prepared.ends_with("/sub/c.db?mode=rwc"));
        assert!(dir.path().join("sub").is_dir());
    }
}
