//! One integration-test binary (each extra binary costs a link): the real router over a fresh
//! SQLite database per test, and the real `cantara` binary for the CLI and first start.

mod cli;
mod console;
mod directory;
mod helpers;
mod idp;
mod outbound;
mod permissions;
mod scim;
mod sign_in;
mod sso;
mod upgrade;
