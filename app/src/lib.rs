//! Cantara's application crate: domain types, the `#[server]` API, the console UI, and (server
//! only, behind `ssr`) the backend that owns the database and the rules.
#![cfg_attr(
    feature = "ssr",
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]
// Nothing panics on input: no byte-index slicing of text, no unchecked indexing (checked `get` instead).
#![deny(clippy::string_slice, clippy::indexing_slicing)]
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::string_slice,
        clippy::indexing_slicing
    )
)]
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
