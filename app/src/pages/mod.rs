//! One module per console page, plus the layout every signed-in page shares.

pub mod alerts;
pub mod connect_entra;
pub mod console;
pub mod groups;
pub mod home;
pub mod identity_providers;
pub mod idp_editor;
pub mod login;
pub mod not_found;
pub mod provisioning;
pub mod provisioning_tokens;
pub mod security_topics;
pub mod sign_in_failed;
pub mod tenants;
pub mod user_detail;
pub mod users;
