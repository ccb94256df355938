//! The Connect Microsoft Entra ID assistant's server side: milestones kept as SCIM requests are
//! logged, and the assistant's status gathered from the tenant's provider, tokens, traffic and
//! provisioned accounts. The statuses themselves are derived in `domain::entra_setup`.

pub mod assistant;
pub mod binding;
pub mod milestones;
