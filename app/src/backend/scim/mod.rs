//! The store behind the SCIM edge: provisioned users and groups, PATCH application and the
//! list queries' SQL.

pub mod groups;
pub mod patching;
pub mod query;
pub mod users;
