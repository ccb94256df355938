//! One integration-test binary (each extra binary costs a link): the real router over a fresh
//! database per test (SQLite, or PostgreSQL on the second pass: see `database`), and the real
//! `cantara` binary for the CLI and first start.

mod alerts;
mod cli;
mod connect_entra;
mod console;
mod database;
mod directory;
mod helpers;
mod idp;
mod instances;
mod operations;
mod outbound;
mod permissions;
mod provisioning_health;
mod provisioning_log;
mod scim;
mod several_instances;
mod sign_in;
mod sso;
mod upgrade;
