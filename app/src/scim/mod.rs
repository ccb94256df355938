//! SCIM 2.0 protocol text (RFC 7643/7644) parsed once into types: filters, attribute paths,
//! PATCH operations, and the schema that gives attribute names their canonical spelling.
//!
//! Nothing here touches the database or HTTP: the backend turns these types into SQL and
//! transactions, and the server's SCIM handlers turn requests into them.

pub mod error;
pub mod filter;
pub mod lowering;
pub mod patch;
pub mod path;
pub mod projection;
pub mod resource;
pub mod schema;

pub use error::{ScimError, ScimType};
