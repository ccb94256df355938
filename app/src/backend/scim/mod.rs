//! The store behind the SCIM edge: provisioned users and groups, and the list queries' SQL.
//! It receives records and edits already in domain terms (`domain::provisioned`,
//! `domain::record_filter`); SCIM's own text never reaches it.

pub mod groups;
pub mod query;
pub mod users;

use serde_json::Value;

use crate::backend::error::Result;
use crate::backend::sql::Row;
use crate::domain::provisioned::Document;

/// A row's stored document (`scim_doc`); one that holds no JSON object reads as empty.
fn stored_document(row: &Row) -> Result<Document> {
    let json: String = row.get("scim_doc")?;
    Ok(parse_document(&json))
}

fn parse_document(json: &str) -> Document {
    match serde_json::from_str::<Value>(json) {
        Ok(Value::Object(m)) => m,
        _ => Document::new(),
    }
}
