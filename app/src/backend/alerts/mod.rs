//! Alerts to a tenant's admins outside the console: the conditions watched (provisioning health,
//! a mass deprovisioning, expiring client secrets and tokens), the channels they go to (e-mail,
//! signed webhooks), each delivery with its answer, and the timer that runs the checks on one
//! instance at a time. What is due and what an event says: `domain::alerts`.

pub mod channels;
pub mod check;
pub mod conditions;
pub mod deliveries;
pub mod lease;
pub mod mass_deprovisioning;
pub mod senders;
pub mod timer;
