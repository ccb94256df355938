//! Locks by key (a session, a URL): work on one key takes turns, other keys never wait.
//! Entries are dropped once nobody holds or waits for them, so the map stays as small as the
//! work in flight.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

#[derive(Debug, Default)]
pub struct KeyedLocks {
    locks: Mutex<HashMap<String, Weak<AsyncMutex<()>>>>,
}

impl KeyedLocks {
    /// Waits for `key`'s turn; the turn lasts as long as the guard.
    pub async fn lock(&self, key: &str) -> OwnedMutexGuard<()> {
        let lock = {
            let mut locks = self
                .locks
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            locks.retain(|_, weak| weak.strong_count() > 0);
            match locks.get(key).and_then(Weak::upgrade) {
                Some(lock) => lock,
                None => {
                    let lock = Arc::new(AsyncMutex::new(()));
                    locks.insert(key.to_owned(), Arc::downgrade(&lock));
                    lock
                }
            }
        };
        lock.lock_owned().await
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.locks.lock().map(|l| l.len()).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn one_key_waits_others_do_not() {
        let locks = Arc::new(KeyedLocks::default());
        let held = locks.lock("a").await;
        // Another key is free at once.
        let b = tokio::time::timeout(Duration::from_millis(100), locks.lock("b")).await;
        assert!(b.is_ok());
        drop(b);
        // The same key waits until the first guard is gone.
        let again = tokio::time::timeout(Duration::from_millis(100), locks.lock("a")).await;
        assert!(again.is_err());
        drop(held);
        let again = tokio::time::timeout(Duration::from_millis(100), locks.lock("a")).await;
        assert!(again.is_ok());
        drop(again);
        let _ = locks.lock("c").await;
        assert!(locks.len() <= 1, "released keys are forgotten");
    }
}
