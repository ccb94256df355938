//! Secrets at rest: the instance's secret key and the encryption of values under it.

pub mod secret_key;
pub mod secrets;
