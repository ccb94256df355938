//! The console's server functions: each first declares and checks what its caller needs
//! (`guard::require(Permission::…)` or `guard::public()`), then calls one backend method.
//!
//! Endpoints are named explicitly (`/api/<name>`) so URLs stay stable for tests and proxies.

pub mod alerts;
#[cfg(feature = "ssr")]
pub mod cookies;
pub mod directory;
pub mod entra_setup;
#[cfg(feature = "ssr")]
pub(crate) mod guard;
pub mod identity_providers;
pub mod provisioning;
pub mod security_topics;
pub mod session;
pub mod tenants;
