//! Who is signed in: accounts and their one writer, passwords, console sessions, local sign-in
//! with its throttle, and the first start's administrator.

pub mod accounts;
pub mod bootstrap;
pub mod client_address;
pub mod passwords;
pub mod session_guard;
pub mod sessions;
pub mod sign_in;
