//! WAL checkpoints of a SQLite file, in a thread of their own.
//!
//! By default SQLite checkpoints inside the COMMIT that takes the WAL past 1,000 pages: that
//! commit copies the pages into the database file and syncs both files while it holds the
//! write lock, on one of the runtime's worker threads, so every few hundred SCIM writes one
//! request waits milliseconds and the writes queued behind it wait too. Here every connection
//! leaves checkpoints to this thread (`PASSIVE` every [`EVERY`]: it never blocks a writer or a
//! reader). Durability is unchanged: a commit is in the WAL before it is answered, as before,
//! and the checkpoint syncs what it copies. Should this thread stop, connections checkpoint
//! again by themselves once the WAL reaches [`BACKSTOP_PAGES`].

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// How often the WAL is checkpointed.
const EVERY: Duration = Duration::from_millis(200);

/// `wal_autocheckpoint` of every connection: only if this thread falls behind (about 40 MB).
pub const BACKSTOP_PAGES: u32 = 10_000;

/// Runs checkpoints until dropped (with the last clone of its [`crate::backend::db::Db`]).
#[derive(Debug)]
pub struct Checkpointer {
    stop: Arc<AtomicBool>,
}

impl Checkpointer {
    /// Starts the thread for the database file at `path`. None if the thread cannot start
    /// (connections then checkpoint by themselves).
    pub fn start(path: String, busy_timeout: Duration) -> Option<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        let spawned = std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || run(&path, busy_timeout, &stopped));
        match spawned {
            Ok(_) => Some(Self { stop }),
            Err(e) => {
                tracing::warn!(error = %e, "the checkpoint thread did not start");
                None
            }
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn run(path: &str, busy_timeout: Duration, stop: &AtomicBool) {
    let conn = match super::lite::open(path, busy_timeout) {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(error = %e, "the checkpoint thread could not open the database");
            return;
        }
    };
    let mut failing = false;
    while !stop.load(Ordering::Relaxed) {
        std::thread::sleep(EVERY);
        let done = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
        match done {
            Ok(()) => failing = false,
            Err(e) if !failing => {
                failing = true;
                tracing::warn!(error = %e, "a WAL checkpoint failed");
            }
            Err(_) => {}
        }
    }
    // A last one, so a clean shutdown leaves little in the WAL.
    let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
}
