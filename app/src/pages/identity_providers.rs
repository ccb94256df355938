//! Identity Providers: the OAuth 2.0 / OpenID Connect providers people sign in through.

use leptos::prelude::*;

use crate::components::empty_state::EmptyState;
use crate::components::page_header::PageHeader;

#[component]
pub fn IdentityProvidersPage() -> impl IntoView {
    view! {
        <PageHeader
            title="Identity Providers"
            description="The OAuth 2.0 / OpenID Connect provider, such as Microsoft Entra ID, that people of this tenant sign in with."
        />
        <EmptyState
            title="No identity provider yet"
            body="Until one is configured and activated, people sign in with a local Cantara account."
        />
    }
}
