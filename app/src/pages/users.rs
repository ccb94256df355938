//! Users: the accounts of the current tenant, local and provisioned over SCIM.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::empty_state::EmptyState;
use crate::components::page_header::PageHeader;

#[component]
pub fn UsersPage() -> impl IntoView {
    view! {
        <PageHeader
            title="Users"
            description="People of this tenant. Accounts provisioned from your identity provider are read-only here."
        />
        <EmptyState
            title="No users yet"
            body="Configure SCIM provisioning in Entra with this tenant's Tenant URL and a provisioning token, and provisioned users will appear here."
        >
            <A href="/tenants" attr:class="btn-primary">"Open Tenants"</A>
        </EmptyState>
    }
}
