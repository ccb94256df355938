//! People and security groups as the console's Users and Security Groups pages show them.

use serde::{Deserialize, Serialize};

use super::account::AccountSource;

/// A page of results with the total count, for server-side pagination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    /// 1-based.
    pub page: i64,
    pub per_page: i64,
}

impl<T> Page<T> {
    /// "1–50 of 12,408" style range of this page, or None when empty.
    pub fn range(&self) -> Option<(i64, i64)> {
        if self.items.is_empty() {
            return None;
        }
        let first = (self.page - 1) * self.per_page + 1;
        Some((first, first + self.items.len() as i64 - 1))
    }
    pub fn has_next(&self) -> bool {
        self.page * self.per_page < self.total
    }
}

pub const PER_PAGE: i64 = 50;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub work_email: Option<String>,
    pub mobile: Option<String>,
    pub source: AccountSource,
    pub active: bool,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupRow {
    pub id: String,
    pub name: String,
    pub source: AccountSource,
    pub members: i64,
    pub updated_at: i64,
}

/// A member as a group's page lists it; `username` is None for ids that are no user here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberRow {
    pub id: String,
    pub username: Option<String>,
    pub display_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupDetail {
    pub group: GroupRow,
    pub members: Vec<MemberRow>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_ranges() {
        let p = Page {
            items: vec![1, 2, 3],
            total: 103,
            page: 3,
            per_page: 50,
        };
        assert_eq!(p.range(), Some((101, 103)));
        assert!(!p.has_next());
        let p = Page {
            items: vec![0; 50],
            total: 103,
            page: 1,
            per_page: 50,
        };
        assert_eq!(p.range(), Some((1, 50)));
        assert!(p.has_next());
    }
}
