//! Types shared by the browser and the server: what the console shows and what it sends back.
//!
//! Nothing here touches the database or HTTP; the `backend` module (server only) owns those.

pub mod account;
pub mod alert_channel;
pub mod alerts;
pub mod attribute_check;
pub mod directory;
pub mod entra_setup;
pub mod error;
pub mod expiry;
pub mod identity_binding;
pub mod idp;
pub mod ids;
pub mod mass_deprovisioning;
pub mod name_words;
pub mod permission;
pub mod provisioned;
pub mod provisioning;
pub mod provisioning_health;
pub mod record_filter;
pub mod security_topic;
pub mod sso;
pub mod tenant;
pub mod time;
pub mod viewer;
