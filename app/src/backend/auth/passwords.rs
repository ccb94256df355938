//! Password hashing (argon2id) and generation of one-time passwords.
//!
//! Hashing is CPU-bound and memory-hard on purpose (19 MiB each), so it runs on its own threads,
//! one per core, never on the async workers: a burst of sign-ins waits in line instead of taking
//! the process's memory with it. The line is short and ordered (see [`Lineup`]): under a flood a
//! sign-in from a quiet address goes first, and what cannot be checked soon is refused at once
//! instead of waiting for a minute.

use std::cmp::Reverse;
use std::collections::BTreeMap;
use std::sync::{Condvar, Mutex, OnceLock};

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use rand::Rng;

use crate::backend::error::{DomainError, Result};

type Job = Box<dyn FnOnce() + Send + 'static>;

/// How many password checks may wait per core: about 0.7 s of work at ~30 ms a check.
const WAITING_PER_CORE: usize = 24;

/// Where a check stands in line: fewer recent attempts from its address first, and among equals
/// the newest first (under overload the oldest waiters are the ones whose clients gave up).
/// Hashes for administrators' own actions (creating users, resets) use [`Standing::FIRST`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Standing(u32);

impl Standing {
    pub const FIRST: Standing = Standing(0);

    /// `attempts`: attempts from the same address within the throttle window, this one included.
    pub fn after_attempts(attempts: i64) -> Standing {
        Standing(u32::try_from(attempts.max(0)).unwrap_or(u32::MAX))
    }
}

/// The checks waiting for a password thread, best first, at most `capacity` of them.
struct Lineup<T> {
    waiting: BTreeMap<(Standing, Reverse<u64>), T>,
    arrivals: u64,
    capacity: usize,
}

impl<T> Lineup<T> {
    fn new(capacity: usize) -> Self {
        Lineup {
            waiting: BTreeMap::new(),
            arrivals: 0,
            capacity: capacity.max(1),
        }
    }

    /// Queues `item`. When the line is full, the worst waiter is dropped (returned) if `item`
    /// stands better; otherwise `item` itself comes back, refused.
    fn push(&mut self, standing: Standing, item: T) -> std::result::Result<Option<T>, T> {
        self.arrivals += 1;
        let key = (standing, Reverse(self.arrivals));
        let mut dropped = None;
        if self.waiting.len() >= self.capacity {
            match self.waiting.last_key_value() {
                Some((worst, _)) if *worst > key => {
                    dropped = self.waiting.pop_last().map(|(_, v)| v);
                }
                _ => return Err(item),
            }
        }
        self.waiting.insert(key, item);
        Ok(dropped)
    }

    fn pop(&mut self) -> Option<T> {
        self.waiting.pop_first().map(|(_, v)| v)
    }
}

struct Pool {
    lineup: Mutex<Lineup<Job>>,
    ready: Condvar,
}

/// The threads argon2 runs on: one per core, started on first use. A fixed set of threads (not
/// the blocking pool, which grows to hundreds) also bounds memory: a burst of sign-ins costs
/// cores × 19 MiB, not burst × 19 MiB.
fn pool() -> Option<&'static Pool> {
    static POOL: OnceLock<Option<&'static Pool>> = OnceLock::new();
    *POOL.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
        let pool: &'static Pool = Box::leak(Box::new(Pool {
            lineup: Mutex::new(Lineup::new(cores * WAITING_PER_CORE)),
            ready: Condvar::new(),
        }));
        for i in 0..cores {
            let started = std::thread::Builder::new()
                .name(format!("argon2-{i}"))
                .spawn(move || loop {
                    let job = {
                        let Ok(mut lineup) = pool.lineup.lock() else {
                            return;
                        };
                        loop {
                            if let Some(job) = lineup.pop() {
                                break job;
                            }
                            lineup = match pool.ready.wait(lineup) {
                                Ok(l) => l,
                                Err(_) => return,
                            };
                        }
                    };
                    job();
                });
            if started.is_err() {
                return None;
            }
        }
        Some(pool)
    })
}

/// Runs one argon2 computation on the password threads. A check that the full line refuses,
/// or that a better-standing one pushes out, ends as [`DomainError::Throttled`].
async fn run_bounded<T: Send + 'static>(
    standing: Standing,
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    let busy = || DomainError::Throttled {
        retry_after_secs: 1,
    };
    let (done, result) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let _ = done.send(work());
    });
    let pool =
        pool().ok_or_else(|| DomainError::Internal("password threads could not start".into()))?;
    let pushed = pool
        .lineup
        .lock()
        .map_err(|_| DomainError::Internal("password threads unavailable".into()))?
        .push(standing, job);
    // A dropped job drops its sender: its waiter sees the channel closed, below.
    match pushed {
        Ok(dropped) => drop(dropped),
        Err(_refused) => return Err(busy()),
    }
    pool.ready.notify_one();
    result.await.map_err(|_| busy())?
}

/// argon2id with the crate's defaults (m = 19 MiB, t = 2, p = 1: OWASP's minimum).
fn hasher() -> Argon2<'static> {
    Argon2::default()
}

pub async fn hash(password: &str) -> Result<String> {
    let password = password.to_owned();
    run_bounded(Standing::FIRST, move || {
        let salt = SaltString::generate(&mut OsRng);
        hasher()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| DomainError::Internal(format!("password hashing failed: {e}")))
    })
    .await
}

/// Checks `password` against a stored PHC string, queued by `standing`. With no stored hash it still spends the same
/// time on a dummy hash, so a wrong username and a wrong password cannot be told apart by timing.
pub async fn verify(stored: Option<String>, password: &str, standing: Standing) -> Result<bool> {
    let password = password.to_owned();
    run_bounded(standing, move || {
        let stored = stored.unwrap_or_else(|| DUMMY_HASH.to_owned());
        let parsed = PasswordHash::new(&stored)
            .map_err(|e| DomainError::Internal(format!("stored password hash unreadable: {e}")))?;
        let ok = hasher()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        Ok(ok && stored != DUMMY_HASH)
    })
    .await
}

/// A valid argon2id hash of a random string nobody knows; used only to equalise timing.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$5mMhPzqaSUxyA3n7k2FZ5GN9n1rz1YtCNbOcMEPmDkA";

/// A 20-character password without look-alike characters, for first start and resets.
pub fn generate() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    (0..20)
        .filter_map(|_| ALPHABET.get(rng.gen_range(0..ALPHABET.len())).copied())
        .map(char::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_then_verify() {
        let h = hash("correct horse battery").await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        let s = Standing::FIRST;
        assert!(verify(Some(h.clone()), "correct horse battery", s)
            .await
            .unwrap());
        assert!(!verify(Some(h), "wrong", s).await.unwrap());
        assert!(!verify(None, "anything", s).await.unwrap());
    }

    #[test]
    fn the_line_serves_quiet_addresses_first_and_newest_among_equals() {
        let mut line = Lineup::new(10);
        for (name, attempts) in [("a", 3), ("b", 1), ("c", 3), ("d", 1)] {
            assert!(line
                .push(Standing::after_attempts(attempts), name)
                .unwrap()
                .is_none());
        }
        let order: Vec<_> = std::iter::from_fn(|| line.pop()).collect();
        assert_eq!(order, ["d", "b", "c", "a"]);
    }

    #[test]
    fn a_full_line_drops_its_worst_or_refuses_the_newcomer() {
        let mut line = Lineup::new(2);
        assert_eq!(line.push(Standing::after_attempts(5), "old"), Ok(None));
        assert_eq!(line.push(Standing::after_attempts(2), "mid"), Ok(None));
        // Worse than everyone waiting: refused, nothing dropped.
        assert_eq!(
            line.push(Standing::after_attempts(9), "worse"),
            Err("worse")
        );
        // Equal to the worst: the newer one stays, the older is dropped.
        assert_eq!(
            line.push(Standing::after_attempts(5), "new"),
            Ok(Some("old"))
        );
        // Better: the worst goes.
        assert_eq!(line.push(Standing::FIRST, "admin"), Ok(Some("new")));
        let order: Vec<_> = std::iter::from_fn(|| line.pop()).collect();
        assert_eq!(order, ["admin", "mid"]);
    }

    #[test]
    fn generated_passwords_differ_and_have_length() {
        let (a, b) = (generate(), generate());
        assert_eq!(a.len(), 20);
        assert_ne!(a, b);
    }
}
