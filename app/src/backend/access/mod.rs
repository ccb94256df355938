//! Who may do what: Security Topics (permissions through groups) and the security audit trail.

pub mod audit;
pub mod security_topics;
