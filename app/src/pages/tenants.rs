//! Tenants: each tenant's Tenant ID and SCIM Tenant URL (what Entra's provisioning needs), and
//! creating tenants.

use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::api::tenants::{list_tenants, CreateTenant};
use crate::components::access::error_view;
use crate::components::badge::{Badge, Tone};
use crate::components::copy_button::CopyButton;
use crate::components::field::Field;
use crate::components::page_header::PageHeader;
use crate::domain::tenant::Tenant;
use crate::domain::time::format_utc;
use crate::pages::console::ViewerResource;
use crate::pages::provisioning_tokens::ProvisioningTokens;

#[component]
pub fn TenantsPage() -> impl IntoView {
    let create = ServerAction::<CreateTenant>::new();
    let tenants = Resource::new(move || create.version().get(), |_| list_tenants());
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    let created = move || create.value().get().and_then(Result::ok);
    let form = NodeRef::<leptos::html::Form>::new();
    let viewer = use_context::<ViewerResource>();
    let grants = crate::components::access::use_grants();
    // Creating and entering tenants is the operators' (Administrators of the Default tenant).
    let is_operator = grants.is_operator;
    // After a tenant is created: clear the form and refresh the header's tenant switcher.
    let toast = crate::components::toast::use_toast();
    Effect::new(move |_| {
        if let Some(Ok(t)) = create.value().get() {
            toast.set(Some(Ok(format!("Tenant “{}” created.", t.name))));
        }
    });
    Effect::new(move |_| {
        if create.value().get().is_some_and(|r| r.is_ok()) {
            if let Some(form) = form.get() {
                form.reset();
            }
            if let Some(ViewerResource(v)) = viewer {
                v.refetch();
            }
        }
    });
    view! {
        <PageHeader
            title="Tenants"
            description="Each tenant has its own users, security groups and identity provider. Microsoft Entra ID provisions into a tenant through its SCIM Tenant URL."
        />
        <Transition fallback=|| ()>
            {move || viewer.map(|ViewerResource(v)| Suspend::new(async move {
                v.await.ok().map(|v| view! { <ProvisioningTokens tenant_name=v.tenant.name/> })
            }))}
        </Transition>
        <Show when=move || is_operator>
        <section class="card mb-6" aria-labelledby="create-tenant-title">
            <h2 id="create-tenant-title" class="font-semibold">"Create a tenant"</h2>
            <ActionForm action=create node_ref=form attr:class="mt-3 flex flex-col gap-3 sm:flex-row sm:items-start">
                <div class="flex-1">
                    <Field name="name" label="Name" required=true error=error
                        help="For example the organisation or environment, such as “Contoso” or “Contoso test”."/>
                </div>
                <button type="submit" class="btn-primary sm:mt-6" disabled=move || create.pending().get()>
                    "Create tenant"
                </button>
            </ActionForm>
            {move || error.get().filter(|e| e.field().is_none()).map(|e| view! {
                <p role="alert" class="mt-2 text-sm text-red-700">{e.to_string()}</p>
            })}
            {move || created().map(|t| view! {
                <p role="status" class="mt-2 text-sm text-emerald-800">{format!("Tenant “{}” created.", t.name)}</p>
            })}
        </section>
        </Show>
        <Transition fallback=|| view! { <p class="text-sm text-slate-500">"Loading tenants…"</p> }>
            {move || Suspend::new(async move {
                match tenants.await {
                    Ok(list) => view! {
                        <ul class="space-y-4" data-testid="tenant-list">
                            {list.into_iter().map(|t| view! { <TenantCard tenant=t/> }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(e) => error_view(e),
                }
            })}
        </Transition>
    }
}

#[component]
fn TenantCard(tenant: Tenant) -> impl IntoView {
    let Tenant {
        id,
        name,
        scim_url,
        created_at,
        is_default,
    } = tenant;
    let data_name = name.clone();
    view! {
        <li class="card" data-testid="tenant-card" data-tenant-name=data_name>
            <div class="flex flex-wrap items-center gap-2">
                <h3 class="text-base font-semibold">{name}</h3>
                {is_default.then(|| view! { <Badge text="Default" tone=Tone::Info/> })}
                <span class="ml-auto text-xs text-slate-500">{format!("Created {}", format_utc(created_at))}</span>
            </div>
            <dl class="mt-4 grid gap-3 text-sm">
                <CopyRow label="Tenant ID" value=id.to_string() testid="tenant-id"/>
                <CopyRow label="SCIM Tenant URL" value=scim_url testid="scim-url"/>
            </dl>
        </li>
    }
}

#[component]
fn CopyRow(label: &'static str, value: String, testid: &'static str) -> impl IntoView {
    view! {
        <div class="grid gap-1 sm:grid-cols-[10rem_1fr] sm:items-center">
            <dt class="font-medium text-slate-700">{label}</dt>
            <dd class="flex min-w-0 items-center gap-2">
                <code class="min-w-0 flex-1 truncate rounded bg-slate-100 px-2 py-1 font-mono text-xs text-slate-800" data-testid=testid title=value.clone()>
                    {value.clone()}
                </code>
                <CopyButton value=value what=label/>
            </dd>
        </div>
    }
}
