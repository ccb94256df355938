//! Group commit: concurrent SQLite writes share one transaction and one COMMIT.
//!
//! SQLite has one writer at a time, and on the SCIM path a write is a few microseconds of
//! statements followed by a COMMIT that appends every page it touched to the WAL file. When
//! requests queue for the write lock, each one's work runs in a savepoint of one transaction
//! on the writer's connection; then each queues for the lock again, behind the writes that
//! arrived meanwhile, and the first to get it commits the whole group (the others find it
//! done). Only then is each request answered. A request's failure rolls back its savepoint only;
//! a failed COMMIT fails every request of the group. So every acknowledged write is committed
//! (and survives kill -9, as before), every write stays all-or-nothing, and the WAL gets one
//! set of pages for a group instead of one per request.
//!
//! The lock is also the process's single write lock for everything else: code that writes
//! outside a group ([`WriteLock::exclusive`]) first commits the group that is open.

use std::sync::Arc;
use std::time::Duration;

use rusqlite::Connection;
use tokio::sync::{watch, Mutex, OwnedMutexGuard};

use super::lite::{open, to_sqlx};

/// How a group ended: committed, or why not.
type Ending = Option<Result<(), Arc<str>>>;

/// The process's write lock, and on SQLite files the group writer behind it.
#[derive(Debug, Clone)]
pub struct WriteLock {
    writer: Arc<Mutex<Writer>>,
}

/// What the write lock guards: the writer's connection and the group it has open.
#[derive(Debug)]
pub struct Writer {
    /// The database file (None: no group writer, as on PostgreSQL).
    path: Option<String>,
    busy_timeout: Duration,
    conn: Option<Connection>,
    /// The open group's transaction: its members wait on this for its end.
    open: Option<watch::Sender<Ending>>,
    /// Writes kept in the open group.
    members: u64,
}

/// Held while writing outside a group.
pub type WriteGuard = OwnedMutexGuard<Writer>;

impl WriteLock {
    /// A write lock; with a database file, a group writer on it.
    pub fn new(path: Option<String>, busy_timeout: Duration) -> Self {
        Self {
            writer: Arc::new(Mutex::new(Writer {
                path,
                busy_timeout,
                conn: None,
                open: None,
                members: 0,
            })),
        }
    }

    /// The lock for a write of its own (its own transaction, or one statement), after the
    /// open group, if any, is committed.
    pub async fn exclusive(&self) -> WriteGuard {
        let mut writer = self.writer.clone().lock_owned().await;
        writer.end_group();
        writer
    }

    /// A place in the group: a savepoint in the writer's open transaction (begun if none is).
    pub async fn join(&self) -> Result<Member, sqlx::Error> {
        let mut writer = self.writer.clone().lock_owned().await;
        writer.open_group()?;
        let begun = writer
            .connection()
            .and_then(|c| control(c, "SAVEPOINT member"));
        if let Err(e) = begun {
            // Nobody may be left to commit the group: it ends here.
            writer.end_group();
            return Err(e);
        }
        Ok(Member {
            writer: Some(writer),
            lock: self.writer.clone(),
        })
    }
}

impl Writer {
    fn connection(&mut self) -> Result<&mut Connection, sqlx::Error> {
        if self.conn.is_none() {
            let path = self.path.as_deref().ok_or(sqlx::Error::PoolClosed)?;
            let conn = open(path, self.busy_timeout).map_err(to_sqlx)?;
            // Each member's savepoint keeps a copy of every page it first touches (the
            // sub-journal); past 64 KiB SQLite spilled it to a temporary file, a pwrite per page
            // and about a tenth of the server's time under SCIM writes. Only this connection
            // keeps it in memory: the others' temporary storage (large sorts) stays on disk.
            conn.execute_batch("PRAGMA temp_store = MEMORY")
                .map_err(to_sqlx)?;
            self.conn = Some(conn);
        }
        self.conn.as_mut().ok_or(sqlx::Error::PoolClosed)
    }

    /// Makes sure a group transaction is open on the writer's connection.
    fn open_group(&mut self) -> Result<(), sqlx::Error> {
        let alive = !self.connection()?.is_autocommit();
        if self.open.is_some() && !alive {
            // SQLite ended the transaction itself (an I/O error, a full disk): its work is gone.
            if let Some(group) = self.open.take() {
                let _ = group.send(Some(Err(Arc::from(
                    "the database ended the transaction before it was committed",
                ))));
            }
        }
        if self.open.is_none() {
            control(self.connection()?, "BEGIN IMMEDIATE")?;
            self.open = Some(watch::channel(None).0);
            self.members = 0;
        }
        Ok(())
    }

    /// Commits the open group, if any, and tells its members how it ended.
    fn end_group(&mut self) {
        let Some(group) = self.open.take() else {
            return;
        };
        let ending = match self.conn.as_mut() {
            None => Err(Arc::from("the writer's connection is gone")),
            Some(conn) => match control(conn, "COMMIT") {
                Ok(()) => Ok(()),
                Err(e) => {
                    if !conn.is_autocommit() {
                        let _ = conn.execute_batch("ROLLBACK");
                    }
                    tracing::error!(error = %e, "a group of writes could not be committed");
                    Err(Arc::from(e.to_string()))
                }
            },
        };
        metrics::histogram!("cantara_sqlite_write_group_size").record(self.members as f64);
        let _ = group.send(Some(ending));
    }
}

/// One write in a group. [`Member::commit`] keeps its work and answers once the group is
/// committed; dropping it rolls its work back (and nothing else).
#[derive(Debug)]
pub struct Member {
    writer: Option<WriteGuard>,
    lock: Arc<Mutex<Writer>>,
}

impl Member {
    pub fn connection(&mut self) -> Result<&mut Connection, sqlx::Error> {
        self.writer
            .as_mut()
            .ok_or(sqlx::Error::PoolClosed)?
            .connection()
    }

    /// Keeps this member's work and waits until its group is committed (or failed).
    pub async fn commit(mut self) -> Result<(), sqlx::Error> {
        let mut writer = self.writer.take().ok_or(sqlx::Error::PoolClosed)?;
        let released = writer
            .connection()
            .and_then(|c| control(c, "RELEASE member"));
        if let Err(e) = released {
            rollback(&mut writer);
            writer.end_group();
            return Err(e);
        }
        writer.members += 1;
        let Some(ending) = writer.open.as_ref().map(watch::Sender::subscribe) else {
            return Err(sqlx::Error::Protocol("no group transaction is open".into()));
        };
        drop(writer);
        // Behind the writes queued meanwhile: the first of the group here commits it.
        let mut pending = Pending {
            lock: self.lock.clone(),
            ending,
            settled: false,
        };
        let mut writer = pending.lock.clone().lock_owned().await;
        if pending.ending.borrow().is_none() {
            writer.end_group();
        }
        drop(writer);
        pending.settled = true;
        let ended = pending.ending.borrow().clone();
        match ended {
            Some(Ok(())) => Ok(()),
            Some(Err(why)) => Err(sqlx::Error::Protocol(format!(
                "the write was not committed: {why}"
            ))),
            None => Err(sqlx::Error::Protocol(
                "the write was not committed: its group was left open".into(),
            )),
        }
    }
}

/// A member's wait for its group's COMMIT. Should the request be cancelled while it waits,
/// the group is committed here if the lock is free (if not, its holder ends the group: a write
/// in a group commits it in turn, an exclusive writer commits it first).
struct Pending {
    lock: Arc<Mutex<Writer>>,
    ending: watch::Receiver<Ending>,
    settled: bool,
}

impl Drop for Pending {
    fn drop(&mut self) {
        if self.settled || self.ending.borrow().is_some() {
            return;
        }
        if let Ok(mut writer) = self.lock.try_lock() {
            if self.ending.borrow().is_none() {
                writer.end_group();
            }
        }
    }
}

/// Undoes a member's savepoint (the rest of the group stays).
fn rollback(writer: &mut WriteGuard) {
    if let Some(conn) = writer.conn.as_mut() {
        if !conn.is_autocommit() {
            let undone = conn.execute_batch("ROLLBACK TO member; RELEASE member");
            if let Err(e) = undone {
                tracing::error!(error = %e, "a failed write could not be rolled back alone");
            }
        }
    }
}

impl Drop for Member {
    fn drop(&mut self) {
        if let Some(mut writer) = self.writer.take() {
            rollback(&mut writer);
            // The group may have been begun for this member alone: it must not stay open (the
            // others of the group, if any, find it committed).
            writer.end_group();
        }
    }
}

/// Runs one of the group's control statements (BEGIN, SAVEPOINT, RELEASE, COMMIT) from the
/// connection's statement cache: several run per SCIM write, and parsing each anew showed.
fn control(conn: &Connection, sql: &str) -> Result<(), sqlx::Error> {
    conn.prepare_cached(sql)
        .and_then(|mut stmt| stmt.execute([]))
        .map(|_| ())
        .map_err(to_sqlx)
}

#[cfg(test)]
mod tests {
    use crate::backend::db::Db;
    use crate::backend::sql::query;

    async fn file_db(dir: &tempfile::TempDir) -> Db {
        let db = Db::connect(&format!("sqlite://{}/g.db", dir.path().display()))
            .await
            .unwrap();
        let mut h = db.transaction().await.unwrap();
        query("CREATE TABLE g (a TEXT PRIMARY KEY)")
            .execute(&mut h.conn())
            .await
            .unwrap();
        h.commit().await.unwrap();
        db
    }

    async fn stored(db: &Db) -> Vec<String> {
        let mut h = db.reader().await.unwrap();
        let rows = query("SELECT a FROM g ORDER BY a")
            .fetch_all(&mut h.conn())
            .await
            .unwrap();
        rows.iter().map(|r| r.first::<String>().unwrap()).collect()
    }

    #[tokio::test]
    async fn group_members_keep_their_sub_journal_in_memory() {
        let dir = tempfile::tempdir().unwrap();
        let db = file_db(&dir).await;
        let mut h = db.transaction().await.unwrap();
        // 2 = MEMORY: a savepoint's copies of the pages it touches are never written to a file.
        let rows = query("PRAGMA temp_store")
            .fetch_all(&mut h.conn())
            .await
            .unwrap();
        assert_eq!(rows[0].first::<i64>().unwrap(), 2);
        h.commit().await.unwrap();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_writes_commit_together_and_fail_alone() {
        let dir = tempfile::tempdir().unwrap();
        let db = file_db(&dir).await;
        let mut writes = Vec::new();
        for i in 0..40 {
            let db = db.clone();
            writes.push(tokio::spawn(async move {
                let mut h = db.transaction().await?;
                let mut c = h.conn();
                // Every fifth write inserts its row, then fails on a duplicate: none of it stays.
                let a = format!("row{i:02}");
                query("INSERT INTO g VALUES ($1)")
                    .bind(&a)
                    .execute(&mut c)
                    .await?;
                if i % 5 == 0 {
                    query("INSERT INTO g VALUES ($1)")
                        .bind(&a)
                        .execute(&mut c)
                        .await?;
                }
                h.commit().await
            }));
        }
        let mut failed = 0;
        for (i, w) in writes.into_iter().enumerate() {
            match w.await.unwrap() {
                Ok(()) => assert_ne!(i % 5, 0, "write {i} should have failed"),
                Err(e) => {
                    assert_eq!(i % 5, 0, "write {i} failed: {e}");
                    assert!(crate::backend::error::is_unique_violation(&e), "{e}");
                    failed += 1;
                }
            }
        }
        assert_eq!(failed, 8);
        // Answered means committed: another connection sees exactly the successful writes.
        let expected: Vec<String> = (0..40)
            .filter(|i| i % 5 != 0)
            .map(|i| format!("row{i:02}"))
            .collect();
        assert_eq!(stored(&db).await, expected);
    }

    #[tokio::test]
    async fn a_dropped_write_leaves_nothing_and_an_exclusive_writer_sees_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let db = file_db(&dir).await;
        let mut kept = db.writer().await.unwrap();
        query("INSERT INTO g VALUES ('kept')")
            .execute(&mut kept.conn())
            .await
            .unwrap();
        kept.commit().await.unwrap();
        let mut dropped = db.writer().await.unwrap();
        query("INSERT INTO g VALUES ('dropped')")
            .execute(&mut dropped.conn())
            .await
            .unwrap();
        drop(dropped);
        // A write outside the group (sqlx's pool) after the group: it finds no open transaction
        // holding SQLite's lock, and the kept row committed.
        let _lock = db.lock_writes().await;
        sqlx::query("INSERT INTO g VALUES ('outside')")
            .execute(&db.pool)
            .await
            .unwrap();
        assert_eq!(stored(&db).await, vec!["kept", "outside"]);
    }
}
