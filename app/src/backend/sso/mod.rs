//! Single sign-on through a tenant's OpenID Connect provider: the authorization code flow, the
//! sign-ins under way, ID token validation with the providers' key sets, and discovery (import
//! and configuration check). Every request to a provider goes through `backend::outbound`.

pub mod discovery;
pub mod flow;
pub mod id_token;
pub mod jwks;
pub mod oidc_client;
pub mod pending;
