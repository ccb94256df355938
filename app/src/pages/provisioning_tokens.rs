//! The current tenant's provisioning tokens: generate one (shown once), list, revoke.
//! Guide Step 3: "in Cantara go to your tenant, and generate a new token".

use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::api::provisioning::{
    list_provisioning_tokens, CreateProvisioningToken, RevokeProvisioningToken,
};
use crate::components::badge::{Badge, Tone};
use crate::components::copy_button::CopyButton;
use crate::components::field::Field;
use crate::components::hydration::use_hydrated;
use crate::domain::provisioning::TokenInfo;
use crate::domain::time::{format_utc, now_unix};

#[component]
pub fn ProvisioningTokens(tenant_name: String) -> impl IntoView {
    let create = ServerAction::<CreateProvisioningToken>::new();
    let revoke = ServerAction::<RevokeProvisioningToken>::new();
    let tokens = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| list_provisioning_tokens(),
    );
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    // The secret is kept only in this signal; "Done" drops it for good.
    let (secret, set_secret) = signal(None::<String>);
    let form = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if let Some(Ok(created)) = create.value().get() {
            set_secret.set(Some(created.secret));
            if let Some(form) = form.get() {
                form.reset();
            }
        }
    });
    let hydrated = use_hydrated();
    view! {
        <section class="card mb-6" aria-labelledby="tokens-title">
            <div class="flex flex-col gap-1 sm:flex-row sm:items-baseline sm:justify-between">
                <h2 id="tokens-title" class="font-semibold">{format!("Provisioning tokens for {tenant_name}")}</h2>
                <p class="text-xs text-slate-500">"Entra: Provisioning → Admin Credentials → Secret Token"</p>
            </div>
            <p class="mt-1 text-sm text-slate-600">
                "Microsoft Entra ID authenticates to the SCIM Tenant URL with one of these tokens. A token is shown once, when it is generated."
            </p>
            <ActionForm action=create node_ref=form attr:class="mt-4 grid gap-3 sm:grid-cols-[1fr_12rem_auto] sm:items-start">
                <Field name="description" label="Description" error=error help="Optional, e.g. “Entra production”."/>
                <Field name="expires_days" label="Expires after (days)" input_type="number" error=error help="Empty: never expires."/>
                <button type="submit" class="btn-primary sm:mt-6" disabled=move || !hydrated.get() || create.pending().get()>
                    "Generate new token"
                </button>
            </ActionForm>
            {move || error.get().filter(|e| e.field().is_none()).map(|e| view! { <p role="alert" class="mt-2 text-sm text-red-700">{e.to_string()}</p> })}
            {move || secret.get().map(|s| view! {
                <div class="mt-4 rounded-md border border-amber-300 bg-amber-50 p-4" role="status" data-testid="new-token">
                    <p class="text-sm font-semibold text-amber-900">"Copy this token now. It will not be shown again."</p>
                    <div class="mt-2 flex items-center gap-2">
                        <code class="min-w-0 flex-1 break-all rounded bg-white px-2 py-1 font-mono text-xs ring-1 ring-amber-200" data-testid="token-secret">{s.clone()}</code>
                        <CopyButton value=s what="provisioning token"/>
                    </div>
                    <button type="button" class="btn-secondary mt-3 px-3 py-1 text-sm" on:click=move |_| set_secret.set(None)>"Done"</button>
                </div>
            })}
            <Transition fallback=|| view! { <p class="mt-4 text-sm text-slate-500">"Loading tokens…"</p> }>
                {move || Suspend::new(async move {
                    match tokens.await {
                        Ok(list) if list.is_empty() => view! {
                            <p class="mt-4 text-sm text-slate-600">"No provisioning tokens yet."</p>
                        }.into_any(),
                        Ok(list) => view! { <TokenTable tokens=list revoke=revoke/> }.into_any(),
                        Err(e) => view! { <p role="alert" class="mt-4 text-sm text-red-700">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn TokenTable(
    tokens: Vec<TokenInfo>,
    revoke: ServerAction<RevokeProvisioningToken>,
) -> impl IntoView {
    view! {
        <div class="mt-4 overflow-x-auto">
            <table class="min-w-full text-left text-sm" data-testid="token-table">
                <thead class="border-b border-slate-200 text-xs uppercase tracking-wide text-slate-500">
                    <tr>
                        <th scope="col" class="py-2 pr-4">"Description"</th>
                        <th scope="col" class="py-2 pr-4">"Created"</th>
                        <th scope="col" class="py-2 pr-4">"Last used"</th>
                        <th scope="col" class="py-2 pr-4">"Expires"</th>
                        <th scope="col" class="py-2 pr-4">"Status"</th>
                        <th scope="col" class="py-2"><span class="sr-only">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-100">
                    {tokens.into_iter().map(|t| view! { <TokenRow token=t revoke=revoke/> }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn TokenRow(token: TokenInfo, revoke: ServerAction<RevokeProvisioningToken>) -> impl IntoView {
    let (confirming, set_confirming) = signal(false);
    let hydrated = use_hydrated();
    let usable = token.revoked_at.is_none();
    let status = match (token.revoked_at, token.expires_at) {
        (Some(_), _) => view! { <Badge text="Revoked" tone=Tone::Neutral/> },
        (None, Some(e)) if e <= now_unix() => view! { <Badge text="Expired" tone=Tone::Warning/> },
        _ => view! { <Badge text="Active" tone=Tone::Success/> },
    };
    let id = token.id.clone();
    let description = if token.description.is_empty() {
        "—".to_owned()
    } else {
        token.description.clone()
    };
    view! {
        <tr data-testid="token-row">
            <td class="py-2 pr-4">{description}</td>
            <td class="py-2 pr-4 whitespace-nowrap">{format_utc(token.created_at)}</td>
            <td class="py-2 pr-4 whitespace-nowrap">{token.last_used_at.map(format_utc).unwrap_or_else(|| "Never".into())}</td>
            <td class="py-2 pr-4 whitespace-nowrap">{token.expires_at.map(format_utc).unwrap_or_else(|| "Never".into())}</td>
            <td class="py-2 pr-4">{status}</td>
            <td class="py-2 text-right whitespace-nowrap">
                {usable.then(|| view! {
                    <Show
                        when=move || confirming.get()
                        fallback=move || view! {
                            <button type="button" class="btn-secondary px-2 py-1 text-xs" disabled=move || !hydrated.get() on:click=move |_| set_confirming.set(true)>"Revoke"</button>
                        }
                    >
                        {
                            let id = id.clone();
                            view! {
                                <span class="mr-2 text-xs text-slate-700">"Entra will be refused at once."</span>
                                <button type="button" class="rounded-md bg-red-600 px-2 py-1 text-xs font-semibold text-white hover:bg-red-700"
                                    on:click=move |_| { revoke.dispatch(RevokeProvisioningToken { token_id: id.clone() }); }>
                                    "Revoke token"
                                </button>
                                <button type="button" class="btn-secondary ml-1 px-2 py-1 text-xs" on:click=move |_| set_confirming.set(false)>"Cancel"</button>
                            }
                        }
                    </Show>
                })}
            </td>
        </tr>
    }
}
