//! Password hashing (argon2id) and generation of one-time passwords.
//!
//! Hashing is CPU-bound and memory-hard on purpose (19 MiB each), so it runs on its own threads,
//! one per core, never on the async workers: a burst of sign-ins waits in line instead of taking
//! the process's memory with it.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use rand::Rng;

use super::error::{DomainError, Result};

type Job = Box<dyn FnOnce() + Send + 'static>;

/// The threads argon2 runs on: one per core, started on first use. A fixed set of threads (not
/// the blocking pool, which grows to hundreds) also bounds memory: each thread's allocator keeps
/// the 19 MiB of its last hash, so a burst of sign-ins costs cores × 19 MiB, not burst × 19 MiB.
fn pool() -> Option<&'static std::sync::Mutex<std::sync::mpsc::Sender<Job>>> {
    static POOL: std::sync::OnceLock<Option<std::sync::Mutex<std::sync::mpsc::Sender<Job>>>> =
        std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
        for i in 0..cores {
            let rx = rx.clone();
            let started = std::thread::Builder::new()
                .name(format!("argon2-{i}"))
                .spawn(move || loop {
                    let job = match rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => return,
                    };
                    match job {
                        Ok(job) => job(),
                        Err(_) => return,
                    }
                });
            if started.is_err() {
                return None;
            }
        }
        Some(std::sync::Mutex::new(tx))
    })
    .as_ref()
}

/// Runs one argon2 computation on the password threads; waits in line when all are busy.
async fn run_bounded<T: Send + 'static>(
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    let (done, result) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let _ = done.send(work());
    });
    pool()
        .ok_or_else(|| DomainError::Internal("password threads could not start".into()))?
        .lock()
        .map_err(|_| DomainError::Internal("password threads unavailable".into()))?
        .send(job)
        .map_err(|_| DomainError::Internal("password threads stopped".into()))?;
    result
        .await
        .map_err(|e| DomainError::Internal(format!("password task failed: {e}")))?
}

/// argon2id with the crate's defaults (m = 19 MiB, t = 2, p = 1: OWASP's minimum).
fn hasher() -> Argon2<'static> {
    Argon2::default()
}

pub async fn hash(password: &str) -> Result<String> {
    let password = password.to_owned();
    run_bounded(move || {
        let salt = SaltString::generate(&mut OsRng);
        hasher()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| DomainError::Internal(format!("password hashing failed: {e}")))
    })
    .await
}

/// Checks `password` against a stored PHC string. With no stored hash it still spends the same
/// time on a dummy hash, so a wrong username and a wrong password cannot be told apart by timing.
pub async fn verify(stored: Option<String>, password: &str) -> Result<bool> {
    let password = password.to_owned();
    run_bounded(move || {
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
        assert!(verify(Some(h.clone()), "correct horse battery")
            .await
            .unwrap());
        assert!(!verify(Some(h), "wrong").await.unwrap());
        assert!(!verify(None, "anything").await.unwrap());
    }

    #[test]
    fn generated_passwords_differ_and_have_length() {
        let (a, b) = (generate(), generate());
        assert_eq!(a.len(), 20);
        assert_ne!(a, b);
    }
}
