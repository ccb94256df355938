//! The store behind the SCIM edge: provisioned users and groups, and the list queries' SQL.
//! It receives records and edits already in domain terms (`domain::provisioned`,
//! `domain::record_filter`); SCIM's own text never reaches it.

pub mod groups;
pub mod query;
pub mod users;
