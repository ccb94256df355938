//! Security Groups: groups of the current tenant, with their members.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::empty_state::EmptyState;
use crate::components::page_header::PageHeader;

#[component]
pub fn SecurityGroupsPage() -> impl IntoView {
    view! {
        <PageHeader
            title="Security Groups"
            description="Groups of this tenant and their members. Groups provisioned from Entra ID keep the memberships configured there."
        />
        <EmptyState
            title="No security groups yet"
            body="Assign a group to the provisioning application in Entra and start provisioning; the group appears here with its members."
        >
            <A href="/tenants" attr:class="btn-primary">"Open Tenants"</A>
        </EmptyState>
    }
}
