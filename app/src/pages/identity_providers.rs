//! Identity Providers: the tenant's OAuth 2.0 / OpenID Connect providers, with activation.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::identity_providers::{
    list_identity_providers, ActivateIdentityProvider, DeactivateIdentityProvider,
    DeleteIdentityProvider,
};
use crate::components::access::error_view;
use crate::components::badge::{Badge, Tone};
use crate::components::dialog::Dialog;
use crate::components::empty_state::EmptyState;
use crate::components::hydration::use_hydrated;
use crate::components::page_header::PageHeader;
use crate::domain::idp::IdpView;
use crate::domain::time::format_utc;

/// The guide's activation question, word for word.
pub const ACTIVATE_QUESTION: &str = "Are you sure you want to activate the selected identity provider? Incorrect configuration may prevent administration console access.";

#[component]
pub fn IdentityProvidersPage() -> impl IntoView {
    let activate = ServerAction::<ActivateIdentityProvider>::new();
    let deactivate = ServerAction::<DeactivateIdentityProvider>::new();
    let delete = ServerAction::<DeleteIdentityProvider>::new();
    let idps = Resource::new(
        move || {
            (
                activate.version().get(),
                deactivate.version().get(),
                delete.version().get(),
            )
        },
        |_| list_identity_providers(),
    );
    let error = move || {
        [
            activate.value().get(),
            deactivate.value().get(),
            delete.value().get(),
        ]
        .into_iter()
        .flatten()
        .find_map(Result::err)
    };
    view! {
        <PageHeader
            title="Identity Providers"
            description="The OAuth 2.0 / OpenID Connect provider, such as Microsoft Entra ID, that people of this tenant sign in with. Local administrators can always sign in with their password."
        >
            {crate::components::access::can(crate::domain::permission::Permission::IdentityProviders).then(|| view! {
                <A href="/identity-providers/new" attr:class="btn-primary">"+ Add Identity Provider"</A>
            })}
        </PageHeader>
        {move || error().map(|e| view! { <p role="alert" class="mb-4 text-sm text-red-700">{e.to_string()}</p> })}
        <Transition fallback=|| view! { <p class="text-sm text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match idps.await {
                    Ok(list) if list.is_empty() => view! {
                        <EmptyState
                            title="No identity provider yet"
                            body="Add your OAuth 2.0 provider (for example Microsoft Entra ID) with the values from its app registration, save it, then activate it."
                        >
                            <A href="/identity-providers/new" attr:class="btn-primary">"+ Add Identity Provider"</A>
                        </EmptyState>
                    }.into_any(),
                    Ok(list) => view! { <IdpTable idps=list activate=activate deactivate=deactivate delete=delete/> }.into_any(),
                    Err(e) => error_view(e),
                }
            })}
        </Transition>
    }
}

#[component]
fn IdpTable(
    idps: Vec<IdpView>,
    activate: ServerAction<ActivateIdentityProvider>,
    deactivate: ServerAction<DeactivateIdentityProvider>,
    delete: ServerAction<DeleteIdentityProvider>,
) -> impl IntoView {
    let hydrated = use_hydrated();
    let (confirm_activate, set_confirm_activate) = signal(None::<String>);
    let (confirm_delete, set_confirm_delete) = signal(None::<String>);
    view! {
        <div class="card overflow-x-auto p-0">
            <table class="min-w-full text-left text-sm" data-testid="idp-table">
                <thead class="border-b border-slate-200 bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
                    <tr>
                        <th scope="col" class="px-4 py-3">"Name"</th>
                        <th scope="col" class="px-4 py-3">"Type"</th>
                        <th scope="col" class="px-4 py-3">"Provider Display Name"</th>
                        <th scope="col" class="px-4 py-3">"Status"</th>
                        <th scope="col" class="px-4 py-3">"Last changed"</th>
                        <th scope="col" class="px-4 py-3"><span class="sr-only">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-100">
                    {idps.into_iter().map(|idp| {
                        let (id1, id2, id3) = (idp.id.clone(), idp.id.clone(), idp.id.clone());
                        let active = idp.active;
                        let (row_name, link_name, href) = (idp.form.name.clone(), idp.form.name.clone(), format!("/identity-providers/{}", idp.id));
                        view! {
                            <tr data-testid="idp-row" data-idp-name=row_name>
                                <td class="px-4 py-3">
                                    <A href=href attr:class="font-medium text-indigo-700 hover:underline">{link_name}</A>
                                    <p class="text-xs text-slate-500">{idp.form.description.clone()}</p>
                                </td>
                                <td class="px-4 py-3">"OAuth2"</td>
                                <td class="px-4 py-3">{idp.form.provider_display_name.clone()}</td>
                                <td class="px-4 py-3">
                                    {if active { view! { <Badge text="Active" tone=Tone::Success/> } } else { view! { <Badge text="Inactive" tone=Tone::Neutral/> } }}
                                </td>
                                <td class="px-4 py-3 whitespace-nowrap">{format_utc(idp.updated_at)}</td>
                                <td class="px-4 py-3 text-right whitespace-nowrap">
                                    {if active {
                                        view! { <button type="button" class="btn-secondary px-2 py-1 text-xs" disabled=move || !hydrated.get()
                                            on:click=move |_| { deactivate.dispatch(DeactivateIdentityProvider { id: id1.clone() }); }>"Deactivate"</button> }.into_any()
                                    } else {
                                        view! {
                                            <button type="button" class="btn-secondary px-2 py-1 text-xs" disabled=move || !hydrated.get()
                                                on:click=move |_| set_confirm_activate.set(Some(id2.clone()))>"Activate"</button>
                                            <button type="button" class="btn-secondary ml-1 px-2 py-1 text-xs text-red-700" disabled=move || !hydrated.get()
                                                on:click=move |_| set_confirm_delete.set(Some(id3.clone()))>"Delete"</button>
                                        }.into_any()
                                    }}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <Dialog
            open=Signal::derive(move || confirm_activate.get().is_some())
            title="Activate identity provider"
            confirm="Yes"
            cancel="Cancel"
            on_confirm=Callback::new(move |_| {
                if let Some(id) = confirm_activate.get_untracked() {
                    activate.dispatch(ActivateIdentityProvider { id });
                }
                set_confirm_activate.set(None);
            })
            on_cancel=Callback::new(move |_| set_confirm_activate.set(None))
        >
            <p>{ACTIVATE_QUESTION}</p>
        </Dialog>
        <Dialog
            open=Signal::derive(move || confirm_delete.get().is_some())
            title="Delete identity provider"
            confirm="Delete"
            cancel="Cancel"
            danger=true
            on_confirm=Callback::new(move |_| {
                if let Some(id) = confirm_delete.get_untracked() {
                    delete.dispatch(DeleteIdentityProvider { id });
                }
                set_confirm_delete.set(None);
            })
            on_cancel=Callback::new(move |_| set_confirm_delete.set(None))
        >
            <p>"The identity provider and its settings are deleted. Its audit trail is kept."</p>
        </Dialog>
    }
}
