//! The console's start page: the three steps of the admin guide and where each is done.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::access::use_grants;
use crate::components::page_header::PageHeader;
use crate::domain::permission::Permission;

#[component]
pub fn HomePage() -> impl IntoView {
    let steps = [
        (
            "1",
            "Register Cantara in Microsoft Entra ID",
            "In Entra, register an application and create a client secret. Use this console's Redirect URL.",
            None,
        ),
        (
            "2",
            "Configure OAuth 2.0",
            "Enter the Entra endpoints, client ID and secret as an identity provider, save it and activate it.",
            Some(("Identity Providers", "/identity-providers", Permission::IdentityProviders)),
        ),
        (
            "3",
            "Provision users and groups (optional)",
            "Give Entra's provisioning the tenant's SCIM Tenant URL and a provisioning token.",
            Some(("Tenants", "/tenants", Permission::Provisioning)),
        ),
        (
            "4",
            "Set up user permissions",
            "Assign Security Topics to the groups Entra provisions: they decide what each person may do here.",
            Some(("Security Topics", "/security-topics", Permission::SecurityTopics)),
        ),
    ];
    let grants = use_grants();
    view! {
        <PageHeader
            title="Welcome to Cantara"
            document_title="Home"
            description="Connect your identity provider for single sign-on, and let it provision users and security groups into this tenant."
        />
        <ol class="grid gap-4 md:grid-cols-2 xl:grid-cols-4">
            {steps
                .into_iter()
                .map(|(n, title, body, link)| {
                    view! {
                        <li class="card flex flex-col">
                            <span class="grid h-7 w-7 place-items-center rounded-full bg-indigo-50 text-sm font-semibold text-indigo-700" aria-hidden="true">{n}</span>
                            <h2 class="mt-3 font-semibold">{title}</h2>
                            <p class="mt-1 flex-1 text-sm text-slate-600">{body}</p>
                            {link.filter(|(_, _, needs)| grants.has(*needs)).map(|(label, href, _)| view! {
                                <A href=href attr:class="mt-4 text-sm font-medium text-indigo-700 hover:underline">{format!("Go to {label} →")}</A>
                            })}
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}
