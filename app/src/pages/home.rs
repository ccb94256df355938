//! The console's start page: the three steps of the admin guide and where each is done.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::entra_setup::get_entra_setup_steps;
use crate::api::provisioning::get_provisioning_health;
use crate::components::access::use_grants;
use crate::components::health_card::HealthCard;
use crate::components::page_header::PageHeader;
use crate::domain::entra_setup::StepStatus;
use crate::domain::permission::{Permission, CONNECT_ENTRA};

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
    let may_connect = grants.allows(CONNECT_ENTRA);
    let may_provision = grants.has(Permission::Provisioning);
    let health = Resource::new(
        || (),
        move |_| async move {
            if may_provision {
                get_provisioning_health().await.map(Some)
            } else {
                Ok(None)
            }
        },
    );
    // Only asked for by those who may use the assistant (anyone else would be refused).
    let steps_done = Resource::new(
        || (),
        move |_| async move {
            if may_connect {
                get_entra_setup_steps().await
            } else {
                Ok(Vec::new())
            }
        },
    );
    view! {
        <PageHeader
            title="Welcome to Cantara"
            document_title="Home"
            description="Connect your identity provider for single sign-on, and let it provision users and security groups into this tenant."
        />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                health.await.ok().flatten().map(|h| view! { <HealthCard health=h link=true/> })
            })}
        </Transition>
        <Show when=move || may_connect>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let statuses = steps_done.await.ok()?;
                    let done = statuses.iter().filter(|s| **s == StepStatus::Done).count();
                    (done < statuses.len()).then(|| view! {
                        <section class="card mb-6 flex flex-col gap-3 border-indigo-200 sm:flex-row sm:items-center sm:justify-between" data-testid="connect-cta" aria-labelledby="connect-cta-title">
                            <div>
                                <h2 id="connect-cta-title" class="font-semibold">"Connect Microsoft Entra ID"</h2>
                                <p class="mt-1 text-sm text-slate-600">{format!("{done} of {} steps done. The assistant walks the guide with this tenant's values and checks each step.", statuses.len())}</p>
                            </div>
                            <A href="/connect-entra" attr:class="btn-primary shrink-0">"Continue setup"</A>
                        </section>
                    })
                })}
            </Transition>
        </Show>
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
