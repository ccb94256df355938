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
use crate::components::local_time::LocalTime;
use crate::components::page_header::PageHeader;
use crate::components::table::{DataTable, TableLoading};
use crate::components::toast::use_toast;
use crate::domain::idp::IdpView;

/// The guide's activation question, word for word.
pub const ACTIVATE_QUESTION: &str = "Are you sure you want to activate the selected identity provider? Incorrect configuration may prevent administration console access.";

/// What deactivating the active provider does, said in its confirmation.
pub const DEACTIVATE_CONSEQUENCE: &str =
    "People of this tenant can no longer sign in with single sign-on. Local administrators can still sign in with their password.";

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
    // The provider an action is about, for its toast.
    let subject = RwSignal::new(String::new());
    let toast = use_toast();
    for (value, done) in [
        (
            activate.value(),
            "activated. People of this tenant now sign in with it.",
        ),
        (
            deactivate.value(),
            "deactivated. Single sign-on is off for this tenant.",
        ),
        (delete.value(), "deleted."),
    ] {
        Effect::new(move |_| match value.get() {
            Some(Ok(())) => toast.set(Some(Ok(format!("{} {done}", subject.get_untracked())))),
            Some(Err(e)) => toast.set(Some(Err(e.to_string()))),
            None => {}
        });
    }
    view! {
        <PageHeader
            title="Identity Providers"
            description="The OAuth 2.0 / OpenID Connect provider, such as Microsoft Entra ID, that people of this tenant sign in with. Local administrators can always sign in with their password."
        >
            {crate::components::access::can(crate::domain::permission::Permission::IdentityProviders).then(|| view! {
                <A href="/identity-providers/new" attr:class="btn-primary">"+ Add Identity Provider"</A>
            })}
        </PageHeader>
        <Transition fallback=|| view! { <TableLoading what="identity providers"/> }>
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
                    Ok(list) => view! { <IdpTable idps=list activate=activate deactivate=deactivate delete=delete subject=subject/> }.into_any(),
                    Err(e) => error_view(e),
                }
            })}
        </Transition>
    }
}

/// The action a row's button asks to confirm.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ask {
    Activate,
    Deactivate,
    Delete,
}

#[component]
fn IdpTable(
    idps: Vec<IdpView>,
    activate: ServerAction<ActivateIdentityProvider>,
    deactivate: ServerAction<DeactivateIdentityProvider>,
    delete: ServerAction<DeleteIdentityProvider>,
    subject: RwSignal<String>,
) -> impl IntoView {
    let hydrated = use_hydrated();
    // (what, provider id, provider name) while a confirmation is open.
    let asking = RwSignal::new(None::<(Ask, String, String)>);
    let is = move |what: Ask| {
        Signal::derive(move || asking.with(|a| a.as_ref().is_some_and(|(w, _, _)| *w == what)))
    };
    let named = move || asking.with(|a| a.as_ref().map(|(_, _, n)| n.clone()).unwrap_or_default());
    let close = Callback::new(move |_| asking.set(None));
    let on_activate = Callback::new(move |_| {
        if let Some((_, id, name)) = asking.get_untracked() {
            subject.set(name);
            activate.dispatch(ActivateIdentityProvider { id });
        }
        asking.set(None);
    });
    let on_deactivate = Callback::new(move |_| {
        if let Some((_, id, name)) = asking.get_untracked() {
            subject.set(name);
            deactivate.dispatch(DeactivateIdentityProvider { id });
        }
        asking.set(None);
    });
    let on_delete = Callback::new(move |_| {
        if let Some((_, id, name)) = asking.get_untracked() {
            subject.set(name);
            delete.dispatch(DeleteIdentityProvider { id });
        }
        asking.set(None);
    });
    view! {
        <DataTable label="Identity Providers" testid="idp-table"
            headers=&["Name", "Type", "Provider Display Name", "Status", "Last changed", ""]>
            {idps.into_iter().map(|idp| {
                let active = idp.active;
                let name = idp.form.name.clone();
                let (label_deactivate, label_activate, label_delete) = (format!("Deactivate {name}"), format!("Activate {name}"), format!("Delete {name}"));
                let name_attr = name.clone();
                let (description, display, updated_at) = (idp.form.description.clone(), idp.form.provider_display_name.clone(), idp.updated_at);
                let href = format!("/identity-providers/{}", idp.id);
                let (row_id, row_name) = (idp.id.clone(), name.clone());
                let ask = move |what: Ask| {
                    let (id, name) = (row_id.clone(), row_name.clone());
                    move |_| asking.set(Some((what, id.clone(), name.clone())))
                };
                view! {
                    <tr data-testid="idp-row" data-idp-name=name_attr>
                        <td data-label="Name">
                            <span class="min-w-0">
                                <A href=href attr:class="font-medium text-indigo-700 hover:underline">{name}</A>
                                <span class="block text-xs text-slate-600">{description}</span>
                            </span>
                        </td>
                        <td data-label="Type">"OAuth2"</td>
                        <td data-label="Provider Display Name">{display}</td>
                        <td data-label="Status">
                            {if active { view! { <Badge text="Active" tone=Tone::Success/> } } else { view! { <Badge text="Inactive" tone=Tone::Neutral/> } }}
                        </td>
                        <td data-label="Last changed"><LocalTime at=updated_at/></td>
                        <td class="whitespace-nowrap sm:text-right">
                            {if active {
                                view! { <button type="button" class="btn-secondary px-2 py-1 text-xs" disabled=move || !hydrated.get()
                                    aria-label=label_deactivate
                                    on:click=ask(Ask::Deactivate)>"Deactivate"</button> }.into_any()
                            } else {
                                view! {
                                    <button type="button" class="btn-secondary px-2 py-1 text-xs" disabled=move || !hydrated.get()
                                        aria-label=label_activate
                                        on:click=ask(Ask::Activate)>"Activate"</button>
                                    <button type="button" class="btn-secondary ml-1 px-2 py-1 text-xs text-red-700" disabled=move || !hydrated.get()
                                        aria-label=label_delete
                                        on:click=ask(Ask::Delete)>"Delete"</button>
                                }.into_any()
                            }}
                        </td>
                    </tr>
                }
            }).collect_view()}
        </DataTable>
        <Dialog open=is(Ask::Activate) title=Signal::derive(move || format!("Activate {}?", named()))
            confirm="Yes" cancel="Cancel" on_confirm=on_activate on_cancel=close>
            <p>{ACTIVATE_QUESTION}</p>
        </Dialog>
        <Dialog open=is(Ask::Deactivate) title=Signal::derive(move || format!("Deactivate {}?", named()))
            confirm="Deactivate" cancel="Cancel" danger=true on_confirm=on_deactivate on_cancel=close>
            <p>{DEACTIVATE_CONSEQUENCE}</p>
        </Dialog>
        <Dialog open=is(Ask::Delete) title=Signal::derive(move || format!("Delete {}?", named()))
            confirm="Delete" cancel="Cancel" danger=true on_confirm=on_delete on_cancel=close>
            <p>"The identity provider and its settings are deleted. Its audit trail is kept."</p>
        </Dialog>
    }
}
