//! The current tenant's provisioning tokens: generate one (shown once), list, revoke.
//! Guide Step 3: "in Cantara go to your tenant, and generate a new token".

use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::api::provisioning::{
    list_provisioning_tokens, CreateProvisioningToken, RevokeProvisioningToken,
};
use crate::components::badge::{Badge, Tone};
use crate::components::copy_button::CopyButton;
use crate::components::dialog::Dialog;
use crate::components::field::Field;
use crate::components::hydration::use_hydrated;
use crate::components::local_time::LocalTime;
use crate::components::table::DataTable;
use crate::components::toast::use_toast;
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
    let toast = use_toast();
    Effect::new(move |_| {
        if let Some(Ok(created)) = create.value().get() {
            toast.set(Some(Ok(
                "Token generated. Copy it now: it is shown only once.".into(),
            )));
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
    // (token id, its name) while the revocation is being confirmed.
    let asking = RwSignal::new(None::<(String, String)>);
    let subject = RwSignal::new(String::new());
    let toast = use_toast();
    Effect::new(move |_| match revoke.value().get() {
        Some(Ok(())) => toast.set(Some(Ok(format!(
            "{} revoked. Entra is refused with it from now on.",
            subject.get_untracked()
        )))),
        Some(Err(e)) => toast.set(Some(Err(e.to_string()))),
        None => {}
    });
    view! {
        <div class="mt-4">
            <DataTable label="Provisioning tokens" testid="token-table"
                headers=&["Description", "Created", "Last used", "Expires", "Status", ""]>
                {tokens.into_iter().map(|t| view! { <TokenRow token=t asking=asking/> }).collect_view()}
            </DataTable>
        </div>
        <Dialog open=Signal::derive(move || asking.with(Option::is_some))
            title=Signal::derive(move || format!("Revoke {}?", asking.with(|a| a.as_ref().map(|(_, n)| n.clone()).unwrap_or_default())))
            confirm="Revoke token" cancel="Cancel" danger=true
            on_confirm=Callback::new(move |_| {
                if let Some((id, name)) = asking.get_untracked() {
                    subject.set(name);
                    revoke.dispatch(RevokeProvisioningToken { token_id: id });
                }
                asking.set(None);
            })
            on_cancel=Callback::new(move |_| asking.set(None))>
            <p>"Entra will be refused at once: provisioning into this tenant stops until a new token is entered in Entra → Provisioning → Admin Credentials → Secret Token."</p>
        </Dialog>
    }
}

/// How a token is named on screen: its description, or when it was created.
fn token_name(t: &TokenInfo) -> String {
    if t.description.is_empty() {
        format!("the token created {}", format_utc(t.created_at))
    } else {
        format!("the token “{}”", t.description)
    }
}

#[component]
fn TokenRow(token: TokenInfo, asking: RwSignal<Option<(String, String)>>) -> impl IntoView {
    let hydrated = use_hydrated();
    let usable = token.revoked_at.is_none();
    let status = match (token.revoked_at, token.expires_at) {
        (Some(_), _) => view! { <Badge text="Revoked" tone=Tone::Neutral/> },
        (None, Some(e)) if e <= now_unix() => view! { <Badge text="Expired" tone=Tone::Warning/> },
        _ => view! { <Badge text="Active" tone=Tone::Success/> },
    };
    let name = token_name(&token);
    let id = token.id.clone();
    let description = if token.description.is_empty() {
        "—".to_owned()
    } else {
        token.description.clone()
    };
    let when = |at: Option<i64>| match at {
        Some(at) => view! { <LocalTime at=at/> }.into_any(),
        None => view! { <span>"Never"</span> }.into_any(),
    };
    let label = format!("Revoke {name}");
    view! {
        <tr data-testid="token-row">
            <td data-label="Description">{description}</td>
            <td data-label="Created"><LocalTime at=token.created_at/></td>
            <td data-label="Last used">{when(token.last_used_at)}</td>
            <td data-label="Expires">{when(token.expires_at)}</td>
            <td data-label="Status">{status}</td>
            <td class="whitespace-nowrap sm:text-right">
                {usable.then(|| view! {
                    <button type="button" class="btn-secondary px-2 py-1 text-xs" disabled=move || !hydrated.get()
                        aria-label=label.clone()
                        on:click=move |_| asking.set(Some((id.clone(), name.clone())))>"Revoke"</button>
                })}
            </td>
        </tr>
    }
}
