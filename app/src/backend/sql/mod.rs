//! One query API over both database engines, for the code on the SCIM path.
//!
//! The rest of the backend talks to sqlx's `Any` driver. On SQLite that driver runs each
//! connection in a thread of its own and hands every statement and row across (see [`lite`]);
//! for SCIM, where a request is two or three microsecond-long statements, those hand-offs were
//! most of the time. Code written against this module runs the same SQL (`$N` placeholders)
//! on PostgreSQL through sqlx and on SQLite in the calling thread, so the domain logic exists
//! once. Errors stay `sqlx::Error`, so [`crate::backend::error`] classifies both alike. On a
//! SQLite file, writes go through the group writer ([`group`]) and checkpoints through their
//! own thread ([`checkpoint`]).

pub mod checkpoint;
pub mod group;
pub mod lite;

use std::borrow::Cow;
use std::sync::Arc;

use crate::backend::db::{Db, DbKind};
use group::{Member, WriteGuard};
use lite::LiteConn;
use sqlx::any::AnyRow;
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection};

/// A value bound to a placeholder. NULLs carry their type (PostgreSQL wants one).
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    NullText,
    NullInt,
    Int(i64),
    Real(f64),
    Text(String),
}

/// What can be bound to a placeholder.
pub trait ToParam {
    fn to_param(&self) -> Param;
    /// The NULL of this type (an `Option` that is `None`).
    fn null() -> Param;
}

impl ToParam for str {
    fn to_param(&self) -> Param {
        Param::Text(self.to_owned())
    }
    fn null() -> Param {
        Param::NullText
    }
}

impl ToParam for String {
    fn to_param(&self) -> Param {
        Param::Text(self.clone())
    }
    fn null() -> Param {
        Param::NullText
    }
}

impl ToParam for i64 {
    fn to_param(&self) -> Param {
        Param::Int(*self)
    }
    fn null() -> Param {
        Param::NullInt
    }
}

impl ToParam for f64 {
    fn to_param(&self) -> Param {
        Param::Real(*self)
    }
    fn null() -> Param {
        Param::NullInt
    }
}

impl<T: ToParam + ?Sized> ToParam for &T {
    fn to_param(&self) -> Param {
        (**self).to_param()
    }
    fn null() -> Param {
        T::null()
    }
}

impl<T: ToParam> ToParam for Option<T> {
    fn to_param(&self) -> Param {
        match self {
            Some(v) => v.to_param(),
            None => T::null(),
        }
    }
    fn null() -> Param {
        T::null()
    }
}

macro_rules! text_param {
    ($($t:ty),*) => {$(
        impl ToParam for $t {
            fn to_param(&self) -> Param {
                Param::Text(self.to_string())
            }
            fn null() -> Param {
                Param::NullText
            }
        }
        impl Column for $t {
            fn from_value(v: &rusqlite::types::Value) -> Result<Self, String> {
                String::from_value(v).map(<$t>::from)
            }
        }
    )*};
}

text_param!(
    crate::domain::ids::TenantId,
    crate::domain::ids::AccountId,
    crate::domain::ids::GroupId
);

/// A statement and its parameters.
#[derive(Debug, Clone)]
pub struct Query {
    sql: Cow<'static, str>,
    params: Vec<Param>,
}

/// A statement of fixed text.
pub fn query(sql: &'static str) -> Query {
    Query {
        sql: Cow::Borrowed(sql),
        params: Vec::new(),
    }
}

/// A statement assembled at run time from fixed pieces and placeholders only (never from input).
pub fn query_assembled(sql: String) -> Query {
    Query {
        sql: Cow::Owned(sql),
        params: Vec::new(),
    }
}

impl Query {
    pub fn bind(mut self, value: impl ToParam) -> Self {
        self.params.push(value.to_param());
        self
    }

    pub fn bind_param(mut self, value: Param) -> Self {
        self.params.push(value);
        self
    }

    fn any(&self) -> sqlx::query::Query<'static, Any, sqlx::any::AnyArguments> {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(self.sql.clone()));
        for p in &self.params {
            q = match p {
                Param::NullText => q.bind(None::<String>),
                Param::NullInt => q.bind(None::<i64>),
                Param::Int(v) => q.bind(*v),
                Param::Real(v) => q.bind(*v),
                Param::Text(v) => q.bind(v.clone()),
            };
        }
        q
    }

    /// Runs the statement; how many rows it changed.
    pub async fn execute(self, conn: &mut Conn<'_>) -> Result<u64, sqlx::Error> {
        match conn {
            Conn::Any(c) => Ok(self.any().execute(&mut **c).await?.rows_affected()),
            Conn::Lite(c) => lite::execute(c.connection()?, &self.sql, &self.params),
            Conn::Group(c) => lite::execute(c.connection()?, &self.sql, &self.params),
        }
    }

    pub async fn fetch_all(self, conn: &mut Conn<'_>) -> Result<Vec<Row>, sqlx::Error> {
        match conn {
            Conn::Any(c) => Ok(self
                .any()
                .fetch_all(&mut **c)
                .await?
                .into_iter()
                .map(Row::Any)
                .collect()),
            Conn::Lite(c) => Ok(
                lite::fetch(c.connection()?, &self.sql, &self.params, usize::MAX)?
                    .into_iter()
                    .map(Row::Lite)
                    .collect(),
            ),
            Conn::Group(c) => {
                Ok(
                    lite::fetch(c.connection()?, &self.sql, &self.params, usize::MAX)?
                        .into_iter()
                        .map(Row::Lite)
                        .collect(),
                )
            }
        }
    }

    pub async fn fetch_optional(self, conn: &mut Conn<'_>) -> Result<Option<Row>, sqlx::Error> {
        match conn {
            Conn::Any(c) => Ok(self.any().fetch_optional(&mut **c).await?.map(Row::Any)),
            Conn::Lite(c) => Ok(lite::fetch(c.connection()?, &self.sql, &self.params, 1)?
                .pop()
                .map(Row::Lite)),
            Conn::Group(c) => Ok(lite::fetch(c.connection()?, &self.sql, &self.params, 1)?
                .pop()
                .map(Row::Lite)),
        }
    }

    pub async fn fetch_one(self, conn: &mut Conn<'_>) -> Result<Row, sqlx::Error> {
        self.fetch_optional(conn)
            .await?
            .ok_or(sqlx::Error::RowNotFound)
    }
}

/// A connection to run statements on: sqlx's (either engine), or an in-thread SQLite one (a
/// pooled reader, or a write in the group writer's transaction).
pub enum Conn<'c> {
    Any(&'c mut AnyConnection),
    Lite(&'c mut LiteConn),
    Group(&'c mut Member),
}

impl<'c> From<&'c mut AnyConnection> for Conn<'c> {
    fn from(c: &'c mut AnyConnection) -> Self {
        Conn::Any(c)
    }
}

/// A row of SQLite's values, owned.
#[derive(Debug, Clone)]
pub struct LiteRow {
    columns: Arc<[Box<str>]>,
    values: Vec<rusqlite::types::Value>,
}

/// A result row of either kind of connection.
pub enum Row {
    Any(AnyRow),
    Lite(LiteRow),
}

/// A type a column can be read as.
pub trait Column: Sized + for<'r> sqlx::Decode<'r, Any> + sqlx::Type<Any> {
    fn from_value(v: &rusqlite::types::Value) -> Result<Self, String>;
}

impl Column for i64 {
    fn from_value(v: &rusqlite::types::Value) -> Result<Self, String> {
        match v {
            rusqlite::types::Value::Integer(i) => Ok(*i),
            other => Err(format!(
                "expected an integer, found {:?}",
                other.data_type()
            )),
        }
    }
}

impl Column for f64 {
    fn from_value(v: &rusqlite::types::Value) -> Result<Self, String> {
        match v {
            rusqlite::types::Value::Real(r) => Ok(*r),
            rusqlite::types::Value::Integer(i) => Ok(*i as f64),
            other => Err(format!("expected a number, found {:?}", other.data_type())),
        }
    }
}

impl Column for String {
    fn from_value(v: &rusqlite::types::Value) -> Result<Self, String> {
        match v {
            rusqlite::types::Value::Text(s) => Ok(s.clone()),
            other => Err(format!("expected text, found {:?}", other.data_type())),
        }
    }
}

impl<T: Column> Column for Option<T>
where
    Option<T>: for<'r> sqlx::Decode<'r, Any> + sqlx::Type<Any>,
{
    fn from_value(v: &rusqlite::types::Value) -> Result<Self, String> {
        match v {
            rusqlite::types::Value::Null => Ok(None),
            other => T::from_value(other).map(Some),
        }
    }
}

impl Row {
    /// The column `name`, as `T`.
    pub fn get<T: Column>(&self, name: &str) -> Result<T, sqlx::Error> {
        match self {
            Row::Any(r) => sqlx::Row::try_get(r, name),
            Row::Lite(r) => {
                let i = r
                    .columns
                    .iter()
                    .position(|c| &**c == name)
                    .ok_or_else(|| sqlx::Error::ColumnNotFound(name.to_owned()))?;
                decode(r, i)
            }
        }
    }

    /// The first column (a scalar query).
    pub fn first<T: Column>(&self) -> Result<T, sqlx::Error> {
        match self {
            Row::Any(r) => sqlx::Row::try_get(r, 0),
            Row::Lite(r) => decode(r, 0),
        }
    }

    /// A 0/1 flag column.
    pub fn flag(&self, name: &str) -> Result<bool, sqlx::Error> {
        Ok(self.get::<i64>(name)? != 0)
    }
}

fn decode<T: Column>(r: &LiteRow, i: usize) -> Result<T, sqlx::Error> {
    let v = r
        .values
        .get(i)
        .ok_or_else(|| sqlx::Error::ColumnIndexOutOfBounds {
            index: i,
            len: r.values.len(),
        })?;
    T::from_value(v).map_err(|e| sqlx::Error::ColumnDecode {
        index: r.columns.get(i).map(|c| c.to_string()).unwrap_or_default(),
        source: e.into(),
    })
}

/// A connection held for one piece of work: reads, single-statement writes under the write
/// lock, or a write transaction.
pub struct Handle {
    inner: Inner,
    _write: Option<WriteGuard>,
}

enum Inner {
    Pool(PoolConnection<Any>),
    Tx(sqlx::Transaction<'static, Any>),
    Lite(LiteConn),
    Group(Member),
}

impl Handle {
    pub fn conn(&mut self) -> Conn<'_> {
        match &mut self.inner {
            Inner::Pool(c) => Conn::Any(&mut *c),
            Inner::Tx(t) => Conn::Any(&mut *t),
            Inner::Lite(c) => Conn::Lite(c),
            Inner::Group(m) => Conn::Group(m),
        }
    }

    /// Ends a piece of writing, keeping its writes; a grouped write returns once its group is
    /// committed. Dropping a handle without committing rolls its writes back (on PostgreSQL,
    /// a writer's single statements are already committed).
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self.inner {
            Inner::Pool(_) => Ok(()),
            Inner::Tx(t) => t.commit().await,
            Inner::Lite(_) => Ok(()),
            Inner::Group(m) => m.commit().await,
        }
    }
}

impl Db {
    /// A connection for reads.
    pub async fn reader(&self) -> Result<Handle, sqlx::Error> {
        Ok(Handle {
            inner: self.connection().await?,
            _write: None,
        })
    }

    /// A connection for writes that are each one statement (atomic by themselves): on
    /// PostgreSQL no BEGIN/COMMIT round trips; on a SQLite file a grouped write, like
    /// [`Db::transaction`]. Call [`Handle::commit`] to keep them.
    pub async fn writer(&self) -> Result<Handle, sqlx::Error> {
        if self.lite.is_some() {
            return self.transaction().await;
        }
        let write = self.lock_writes().await;
        Ok(Handle {
            inner: Inner::Pool(self.pool.acquire().await?),
            _write: write,
        })
    }

    /// A write transaction. On a SQLite file it is a member of the group writer's transaction
    /// ([`group`]): all-or-nothing alone, committed with the writes queued beside it.
    /// Otherwise on SQLite under the in-process write lock, then SQLite's own (`BEGIN
    /// IMMEDIATE`), so read-then-write never fails on a stale snapshot.
    pub async fn transaction(&self) -> Result<Handle, sqlx::Error> {
        if self.lite.is_some() {
            return Ok(Handle {
                inner: Inner::Group(self.write_lock.join().await?),
                _write: None,
            });
        }
        let write = self.lock_writes().await;
        let inner = match self.kind {
            DbKind::Sqlite => Inner::Tx(self.pool.begin_with("BEGIN IMMEDIATE").await?),
            DbKind::Postgres => Inner::Tx(self.pool.begin().await?),
        };
        Ok(Handle {
            inner,
            _write: write,
        })
    }

    async fn connection(&self) -> Result<Inner, sqlx::Error> {
        Ok(match &self.lite {
            Some(pool) => Inner::Lite(pool.checkout().await?),
            None => Inner::Pool(self.pool.acquire().await?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn both_engines_read_alike(db: &Db) {
        let mut h = db.transaction().await.unwrap();
        let mut c = h.conn();
        query("CREATE TABLE t (a TEXT, b BIGINT, c TEXT)")
            .execute(&mut c)
            .await
            .unwrap();
        // $2 is used before $1: bound by number, not by order of appearance.
        let n = query("INSERT INTO t (b, a, c) VALUES ($2, $1, $3)")
            .bind("x")
            .bind(7_i64)
            .bind(None::<&str>)
            .execute(&mut c)
            .await
            .unwrap();
        assert_eq!(n, 1);
        let row = query("SELECT a, b, c FROM t WHERE a = $1")
            .bind("x")
            .fetch_one(&mut c)
            .await
            .unwrap();
        assert_eq!(row.get::<String>("a").unwrap(), "x");
        assert_eq!(row.get::<i64>("b").unwrap(), 7);
        assert_eq!(row.get::<Option<String>>("c").unwrap(), None);
        assert!(row.get::<i64>("a").is_err(), "text is not read as a number");
        // A placeholder's text inside quotes is text, not a placeholder.
        let row = query("SELECT '$1 it''s $2' AS s, a FROM t WHERE a = $1")
            .bind("x")
            .fetch_one(&mut c)
            .await
            .unwrap();
        assert_eq!(row.get::<String>("s").unwrap(), "$1 it's $2");
        assert!(query("SELECT a FROM t WHERE a = $1")
            .bind("y")
            .fetch_optional(&mut c)
            .await
            .unwrap()
            .is_none());
        drop(h); // rolled back: the table is gone
        let mut h = db.reader().await.unwrap();
        assert!(query("SELECT a FROM t")
            .fetch_all(&mut h.conn())
            .await
            .is_err());
    }

    #[tokio::test]
    async fn sqlite_in_thread_binds_by_number_and_rolls_back_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::connect(&format!("sqlite://{}/t.db", dir.path().display()))
            .await
            .unwrap();
        assert!(db.lite.is_some());
        both_engines_read_alike(&db).await;
    }

    #[tokio::test]
    async fn unique_violations_read_as_sqlx_does() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::connect(&format!("sqlite://{}/t.db", dir.path().display()))
            .await
            .unwrap();
        let mut h = db.writer().await.unwrap();
        let mut c = h.conn();
        query("CREATE TABLE u (a TEXT PRIMARY KEY)")
            .execute(&mut c)
            .await
            .unwrap();
        query("INSERT INTO u VALUES ($1)")
            .bind("a")
            .execute(&mut c)
            .await
            .unwrap();
        let err = query("INSERT INTO u VALUES ($1)")
            .bind("a")
            .execute(&mut c)
            .await
            .unwrap_err();
        assert!(crate::backend::error::is_unique_violation(&err), "{err}");
    }
}
