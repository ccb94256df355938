//! What administrators do in the console besides Security Topics: the Users and Security Groups
//! pages' queries, and local users and groups.

pub mod directory;
pub mod local_groups;
pub mod local_users;
