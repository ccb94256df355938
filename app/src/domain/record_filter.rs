//! A condition on provisioned records, in no protocol's words: indexed columns, paths in the
//! stored document, elements of its arrays, group membership, combined with and/or/not.
//!
//! The SCIM edge lowers its filters into this (`crate::scim::lowering`), checking types and
//! operators there; the store's SQL compiler knows only this.

/// An indexed column of a provisioned record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Id,
    /// Compared folded (case-insensitively).
    Username,
    ExternalId,
    /// Compared folded.
    DisplayName,
    /// A user's work e-mail address, compared folded.
    WorkEmail,
    /// A flag: compares with [`Literal::Bool`].
    Active,
    /// Unix seconds: compare with [`Literal::Instant`].
    Created,
    LastModified,
}

/// What a comparison or presence test looks at.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    Column(Column),
    /// A value at this path from the document's root.
    Document(Vec<String>),
    /// A value at this path inside the array element of the enclosing [`Condition::AnyElement`].
    Element(Vec<String>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Contains,
    StartsWith,
    EndsWith,
    Gt,
    Ge,
    Lt,
    Le,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Text(String),
    Number(f64),
    Bool(bool),
    Null,
    /// Unix seconds.
    Instant(i64),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    And(Box<Condition>, Box<Condition>),
    Or(Box<Condition>, Box<Condition>),
    Not(Box<Condition>),
    /// The target holds a non-empty value.
    Present(Target),
    Compare(Target, Op, Literal),
    /// Some element of the array at `array` (a document path) satisfies `each`.
    AnyElement {
        array: Vec<String>,
        each: Box<Condition>,
    },
    /// The array at this document path has at least one element.
    NonEmptyArray(Vec<String>),
    /// A group has a member with this id, or (`None`) any member at all.
    HasMember(Option<String>),
}
