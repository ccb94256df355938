//! Provisioned users and groups as the store receives them, in no protocol's words.
//!
//! The SCIM edge turns a request into these: it normalises the resource, derives the indexed
//! columns from it, and for a PATCH supplies an edit that the store applies to the version it
//! read. The store keeps the document as given and never reads attribute names in it.

use std::future::Future;

use serde_json::{Map, Value};

/// A stored document: the resource as the identity provider last sent it, normalised.
pub type Document = Map<String, Value>;

/// A user as written: the document and the columns the store indexes.
#[derive(Debug, Clone, PartialEq)]
pub struct UserRecord {
    pub username: String,
    pub display_name: String,
    pub external_id: Option<String>,
    /// The work e-mail address, as sent (the store folds it).
    pub work_email: Option<String>,
    pub active: bool,
    /// The words of the person's names the Users search finds them by
    /// ([`super::name_words`]).
    pub name_words: Vec<String>,
    pub document: Document,
}

/// A group as written, without its members (they are rows, not part of the document).
#[derive(Debug, Clone, PartialEq)]
pub struct GroupRecord {
    pub name: String,
    pub external_id: Option<String>,
    pub document: Document,
}

/// A change to a group's members, in member ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemberChange {
    Add(Vec<String>),
    Remove(Vec<String>),
    RemoveAll,
    /// Replace the whole member list.
    Set(Vec<String>),
}

/// A group after an edit: its record and what happens to its members.
#[derive(Debug, Clone, PartialEq)]
pub struct EditedGroup {
    pub record: GroupRecord,
    pub members: Vec<MemberChange>,
}

/// A change computed from a user's current document (a PATCH, a deletion's deactivation).
/// The store may apply it more than once, each time to the latest version it read.
pub trait UserEdit: Sync {
    type Error: Send;
    fn apply(
        &self,
        current: &Document,
    ) -> impl Future<Output = Result<UserRecord, Self::Error>> + Send;

    /// Whether applying it takes microseconds (then the store may apply it while it holds the
    /// write lock, reading the current version on the writer's warm connection).
    fn is_quick(&self) -> bool {
        true
    }
}

/// A change computed from a group's current document, with its member changes.
pub trait GroupEdit: Sync {
    type Error: Send;
    fn apply(
        &self,
        current: &Document,
    ) -> impl Future<Output = Result<EditedGroup, Self::Error>> + Send;
}
