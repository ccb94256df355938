//! The current time in unix seconds, in one place so rules that depend on it read the same.

pub fn now() -> i64 {
    crate::domain::time::now_unix()
}
