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

use crate::backend::sql::checkpoint::Checkpointer;
use crate::backend::sql::group::{WriteGuard, WriteLock};
use sqlx::any::{install_default_drivers, AnyPoolOptions};
use sqlx::{AnyConnection, AnyPool, Connection, Executor};

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

/// Pool settings (`--db-max-connections`, `--db-acquire-timeout-secs`,
/// `--db-statement-timeout-ms`); the defaults suit one machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolSettings {
    /// Connections per process; `None`: 3 on SQLite (one writer; readers beside it), 16 on
    /// PostgreSQL. Several instances share PostgreSQL's `max_connections` (default 100).
    pub max_connections: Option<u32>,
    /// How long a request waits for a free connection before it fails (503 on `/readyz`).
    pub acquire_timeout: Duration,
    /// PostgreSQL: `statement_timeout`, a statement running longer is cancelled. SQLite: how long
    /// a statement waits for another process's write lock (`busy_timeout`).
    pub statement_timeout: Duration,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            max_connections: None,
            acquire_timeout: Duration::from_secs(10),
            statement_timeout: Duration::from_secs(30),
        }
    }
}

/// The session-level advisory lock instances hold while they migrate (PostgreSQL): ASCII "CANTARA".
const STARTUP_LOCK: i64 = 0x0043_414e_5441_5241;

#[derive(Debug, Clone)]
pub struct Db {
    pub pool: AnyPool,
    pub kind: DbKind,
    /// SQLite has one writer at a time; writers queue here instead of in SQLite's busy handler,
    /// which sleeps in growing steps and makes write latency spiky under concurrency. On a
    /// SQLite file, the SCIM path's writes queued here share transactions
    /// ([`crate::backend::sql::group`]).
    pub(crate) write_lock: WriteLock,
    /// SQLite (a file): connections that run statements in the calling thread, for the code
    /// written against [`crate::backend::sql`] (the SCIM path).
    pub(crate) lite: Option<Arc<crate::backend::sql::lite::LitePool>>,
    /// SQLite (a file): the thread that checkpoints its WAL, while any clone of this lives.
    _checkpoints: Option<Arc<Checkpointer>>,
}

/// In-thread SQLite connections per process ([`crate::backend::sql::lite`]): each is busy only
/// while a statement runs, so a few serve every worker thread.
const LITE_CONNECTIONS: usize = 4;

/// A write transaction. On SQLite it holds the process's write lock until it ends.
pub struct WriteTx {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    _guard: Option<WriteGuard>,
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
    /// Connects with the default pool settings (see [`Db::connect_with`]).
    pub async fn connect(url: &str) -> Result<Self> {
        Self::connect_with(url, &PoolSettings::default()).await
    }

    /// Connects (creating a SQLite file and its folder if missing) and applies migrations. On
    /// PostgreSQL, instances starting at once take turns: each migrates under an advisory lock
    /// held on a connection of its own, so the second finds the work done and the rest wait.
    pub async fn connect_with(url: &str, settings: &PoolSettings) -> Result<Self> {
        install_default_drivers();
        let kind = DbKind::from_url(url)?;
        let url = match kind {
            DbKind::Sqlite => prepare_sqlite_url(url)?,
            DbKind::Postgres => url.to_owned(),
        };
        let lite_path = match kind {
            DbKind::Sqlite => sqlite_file(&url),
            DbKind::Postgres => None,
        };
        let statement_ms = settings.statement_timeout.as_millis().max(1);
        let options = AnyPoolOptions::new()
            .max_connections(settings.max_connections.unwrap_or(match kind {
                DbKind::Sqlite => 3,
                DbKind::Postgres => 16,
            }))
            .acquire_timeout(settings.acquire_timeout)
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    match kind {
                        // WAL lets readers run beside the writer (server and CLI at once);
                        // busy_timeout makes a second writer wait instead of failing.
                        DbKind::Sqlite => {
                            conn.execute(sqlx::AssertSqlSafe(format!(
                                "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = {statement_ms}; \
                                 PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; \
                                 PRAGMA wal_autocheckpoint = {};",
                                crate::backend::sql::checkpoint::BACKSTOP_PAGES
                            )))
                            .await?;
                        }
                        DbKind::Postgres => {
                            conn.execute(sqlx::AssertSqlSafe(format!(
                                "SET statement_timeout = {statement_ms}"
                            )))
                            .await?;
                        }
                    }
                    Ok(())
                })
            });
        let pool = options.connect(&url).await?;
        let db = Db {
            pool,
            kind,
            write_lock: WriteLock::new(lite_path.clone(), settings.statement_timeout),
            _checkpoints: lite_path
                .clone()
                .and_then(|path| Checkpointer::start(path, settings.statement_timeout))
                .map(Arc::new),
            lite: lite_path.map(|path| {
                Arc::new(crate::backend::sql::lite::LitePool::new(
                    path,
                    LITE_CONNECTIONS,
                    settings.statement_timeout,
                ))
            }),
        };
        let mut startup_lock = match kind {
            DbKind::Postgres => {
                let mut conn = AnyConnection::connect(&url).await?;
                sqlx::query("SELECT pg_advisory_lock($1)")
                    .bind(STARTUP_LOCK)
                    .execute(&mut conn)
                    .await?;
                Some(conn)
            }
            DbKind::Sqlite => None,
        };
        db.migrate().await?;
        crate::backend::auth::accounts::refold_usernames(&db).await?;
        crate::backend::auth::accounts::fill_name_words(&db).await?;
        if let Some(conn) = startup_lock.take() {
            // Closing the session releases the lock (also when this process dies mid-way).
            conn.close().await?;
        }
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
                let guard = self.write_lock.exclusive().await;
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
    pub async fn lock_writes(&self) -> Option<WriteGuard> {
        match self.kind {
            DbKind::Sqlite => Some(self.write_lock.exclusive().await),
            DbKind::Postgres => None,
        }
    }

    /// `cantara backup`: a consistent copy of a SQLite database into the new file `to`, taken
    /// while the server may be writing (`VACUUM INTO` reads one snapshot). The file is created
    /// readable by the owner only. PostgreSQL is backed up with its own tools (`pg_dump`).
    pub async fn backup_into(&self, to: &Path) -> Result<()> {
        if self.kind == DbKind::Postgres {
            return Err(DomainError::Refused(
                "this is a PostgreSQL database: back it up with pg_dump (README, Operations)"
                    .into(),
            ));
        }
        let target = to
            .to_str()
            .ok_or_else(|| DomainError::invalid("to", "the backup path must be valid UTF-8"))?;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        options.open(to).map_err(|e| {
            DomainError::invalid("to", format!("cannot create {}: {e}", to.display()))
        })?;
        if let Err(e) = sqlx::query("VACUUM INTO $1")
            .bind(target)
            .execute(&self.pool)
            .await
        {
            let _ = std::fs::remove_file(to);
            return Err(e.into());
        }
        Ok(())
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

/// The file of a prepared SQLite URL (`sqlite://path?mode=rwc`); none for an in-memory
/// database (each connection would see a database of its own) or a URI with other options.
fn sqlite_file(url: &str) -> Option<String> {
    let rest = url.strip_prefix("sqlite://")?;
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let plain = query.split('&').all(|o| o.is_empty() || o == "mode=rwc");
    (plain && !path.is_empty() && path != ":memory:").then(|| path.to_owned())
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
