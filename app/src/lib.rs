//! Cantara's application crate: domain types, the `#[server]` API, the console UI, and (server
//! only, behind `ssr`) the backend that owns the database and the rules.
#![cfg_attr(
    feature = "ssr",
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]
#![recursion_limit = "256"]

pub mod api;
#[cfg(feature = "ssr")]
pub mod backend;
pub mod components;
pub mod domain;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod scim;
mod shell;

pub use shell::{shell, App};
