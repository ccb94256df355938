//! SQLite connections that run statements in the calling thread.
//!
//! sqlx's SQLite driver gives each connection a thread of its own and hands every statement and
//! every row to it and back over channels: on the SCIM path those hand-offs (two context
//! switches a statement) cost more than SQLite's own work. These connections are taken from a
//! small pool, owned by one request at a time, and run each statement right where it is awaited
//! (a point lookup takes microseconds). The pool serves reads; writes go through the group
//! writer (`super::group`), which opens its connection with [`open`] too. Same file and pragmas
//! as the sqlx pool, so both kinds of connection can be used side by side.

use std::borrow::Cow;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::types::Value;
use rusqlite::Connection;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::{LiteRow, Param};

/// Prepared statements kept per connection (the SCIM path uses about thirty).
const STATEMENT_CACHE: usize = 128;

/// The pool of in-thread connections of one SQLite database file.
#[derive(Debug)]
pub struct LitePool {
    path: String,
    busy_timeout: Duration,
    idle: Mutex<Vec<Connection>>,
    permits: Arc<Semaphore>,
}

impl LitePool {
    /// `path` is the database file (already created by the sqlx pool, which set WAL mode).
    pub fn new(path: String, size: usize, busy_timeout: Duration) -> Self {
        Self {
            path,
            busy_timeout,
            idle: Mutex::new(Vec::new()),
            permits: Arc::new(Semaphore::new(size.max(1))),
        }
    }

    fn open(&self) -> rusqlite::Result<Connection> {
        open(&self.path, self.busy_timeout)
    }

    /// A connection of this pool for the caller alone, waiting while all are in use.
    pub async fn checkout(self: &Arc<Self>) -> Result<LiteConn, sqlx::Error> {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| sqlx::Error::PoolClosed)?;
        let idle = self.idle.lock().map(|mut v| v.pop()).unwrap_or(None);
        let conn = match idle {
            Some(c) => c,
            None => self.open().map_err(to_sqlx)?,
        };
        Ok(LiteConn {
            conn: Some(conn),
            pool: self.clone(),
            _permit: permit,
        })
    }
}

/// A connection to the database file at `path` with the settings every connection here uses.
pub(crate) fn open(path: &str, busy_timeout: Duration) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(busy_timeout)?;
    // The same settings as the sqlx pool: WAL (readers beside the writer), foreign keys,
    // and synchronous = NORMAL (a commit is in the WAL file before it is acknowledged, so
    // it survives the process being killed; the README says what a power cut can cost).
    // Checkpoints are the checkpoint thread's ([`super::checkpoint`]).
    conn.execute_batch(&format!(
        "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; \
         PRAGMA wal_autocheckpoint = {};",
        super::checkpoint::BACKSTOP_PAGES
    ))?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(conn)
}

/// A checked-out connection for reads; back to the pool when dropped (anything left open
/// rolled back).
#[derive(Debug)]
pub struct LiteConn {
    conn: Option<Connection>,
    pool: Arc<LitePool>,
    _permit: OwnedSemaphorePermit,
}

impl LiteConn {
    /// The connection (only `drop` takes it out).
    pub fn connection(&mut self) -> Result<&mut Connection, sqlx::Error> {
        self.conn.as_mut().ok_or(sqlx::Error::PoolClosed)
    }
}

impl Drop for LiteConn {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else { return };
        if !conn.is_autocommit() {
            // Dropped mid-transaction (an error or a cancelled request): nothing of it stays.
            if conn.execute_batch("ROLLBACK").is_err() {
                return; // a connection in an unknown state is closed, not reused
            }
        }
        if let Ok(mut idle) = self.pool.idle.lock() {
            idle.push(conn);
        }
    }
}

/// The statement with its `$N` placeholders written `?N`, which SQLite numbers N exactly (it
/// numbers `$N`, a named parameter, by first use, so binding had to look each name up: a
/// linear scan per placeholder, quadratic in a wide INSERT). Text in quotes is left alone.
pub(crate) fn positional(sql: &str) -> Cow<'_, str> {
    if !sql.contains('$') {
        return Cow::Borrowed(sql);
    }
    let mut out = String::with_capacity(sql.len());
    let mut quoted = false;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => quoted = !quoted,
            '$' if !quoted && chars.peek().is_some_and(char::is_ascii_digit) => {
                out.push('?');
                continue;
            }
            _ => {}
        }
        out.push(c);
    }
    Cow::Owned(out)
}

/// Binds `params` to the statement's `?N` placeholders ([`positional`]): parameter N is
/// `params[N - 1]`.
fn bind(stmt: &mut rusqlite::CachedStatement<'_>, params: &[Param]) -> rusqlite::Result<()> {
    for i in 1..=stmt.parameter_count() {
        let value = params
            .get(i - 1)
            .ok_or(rusqlite::Error::InvalidParameterCount(i, params.len()))?;
        match value {
            Param::NullText | Param::NullInt => {
                stmt.raw_bind_parameter(i, rusqlite::types::Null)?
            }
            Param::Int(v) => stmt.raw_bind_parameter(i, v)?,
            Param::Real(v) => stmt.raw_bind_parameter(i, v)?,
            Param::Text(v) => stmt.raw_bind_parameter(i, v.as_str())?,
        }
    }
    Ok(())
}

/// Runs a statement; rows changed.
pub fn execute(conn: &Connection, sql: &str, params: &[Param]) -> Result<u64, sqlx::Error> {
    let run = || -> rusqlite::Result<u64> {
        let mut stmt = conn.prepare_cached(&positional(sql))?;
        bind(&mut stmt, params)?;
        let changed = stmt.raw_execute()?;
        Ok(changed as u64)
    };
    run().map_err(to_sqlx)
}

/// Runs a query; at most `limit` rows, owned.
pub fn fetch(
    conn: &Connection,
    sql: &str,
    params: &[Param],
    limit: usize,
) -> Result<Vec<LiteRow>, sqlx::Error> {
    let run = || -> rusqlite::Result<Vec<LiteRow>> {
        let mut stmt = conn.prepare_cached(&positional(sql))?;
        bind(&mut stmt, params)?;
        let columns: Arc<[Box<str>]> = stmt.column_names().into_iter().map(Box::from).collect();
        let width = columns.len();
        let mut rows = stmt.raw_query();
        let mut out = Vec::new();
        while out.len() < limit {
            let Some(row) = rows.next()? else { break };
            let mut values = Vec::with_capacity(width);
            for i in 0..width {
                values.push(row.get::<_, Value>(i)?);
            }
            out.push(LiteRow {
                columns: columns.clone(),
                values,
            });
        }
        Ok(out)
    };
    run().map_err(to_sqlx)
}

/// A rusqlite error as the sqlx error the rest of the backend classifies (unique violations
/// keep SQLite's message, which names the index's columns).
pub fn to_sqlx(e: rusqlite::Error) -> sqlx::Error {
    match e {
        rusqlite::Error::SqliteFailure(code, message) => {
            sqlx::Error::Database(Box::new(LiteError {
                message: message.unwrap_or_else(|| code.to_string()),
                extended: code.extended_code,
            }))
        }
        other => sqlx::Error::Protocol(other.to_string()),
    }
}

/// An error SQLite reported, with its extended result code.
#[derive(Debug)]
pub struct LiteError {
    message: String,
    extended: std::ffi::c_int,
}

impl std::fmt::Display for LiteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for LiteError {}

impl sqlx::error::DatabaseError for LiteError {
    fn message(&self) -> &str {
        &self.message
    }

    fn code(&self) -> Option<Cow<'_, str>> {
        Some(Cow::Owned(self.extended.to_string()))
    }

    fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        self
    }

    fn as_error_mut(&mut self) -> &mut (dyn std::error::Error + Send + Sync + 'static) {
        self
    }

    fn into_error(self: Box<Self>) -> Box<dyn std::error::Error + Send + Sync + 'static> {
        self
    }

    fn kind(&self) -> sqlx::error::ErrorKind {
        use rusqlite::ffi;
        match self.extended {
            ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY => {
                sqlx::error::ErrorKind::UniqueViolation
            }
            ffi::SQLITE_CONSTRAINT_FOREIGNKEY => sqlx::error::ErrorKind::ForeignKeyViolation,
            ffi::SQLITE_CONSTRAINT_NOTNULL => sqlx::error::ErrorKind::NotNullViolation,
            ffi::SQLITE_CONSTRAINT_CHECK => sqlx::error::ErrorKind::CheckViolation,
            _ => sqlx::error::ErrorKind::Other,
        }
    }
}
