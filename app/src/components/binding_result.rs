//! The identity binding check as the test sign-in result and the assistant show it: whether the
//! person who signed in meets the account Entra provisioned for them, and what to change if not.

use leptos::prelude::*;
use leptos_router::components::A;

use super::badge::{Badge, Tone};
use crate::domain::identity_binding::{BindingKey, IdentityBinding};

#[component]
pub fn BindingResult(binding: IdentityBinding) -> impl IntoView {
    let body = match binding {
        IdentityBinding::NothingProvisioned => view! {
            <Badge text="Not checked yet" tone=Tone::Neutral/>
            <p class="mt-1">"Entra has provisioned nobody into this tenant yet: once it has, this shows whether single sign-on and SCIM meet on one account."</p>
        }
        .into_any(),
        IdentityBinding::Matched { account_id, username, by } => {
            let how = match by {
                BindingKey::ExternalId => "by externalId = oid",
                BindingKey::UserName => "by userName",
            };
            view! {
                <Badge text="SSO and SCIM meet on one account" tone=Tone::Success/>
                <p class="mt-1">
                    "The signed-in person is the account Entra provisioned as "
                    <A href=format!("/users/{account_id}") attr:class="font-medium text-indigo-700 underline">{username}</A>
                    {format!(" (matched {how}).")}
                </p>
            }
            .into_any()
        }
        IdentityBinding::Mismatch { username_attribute, signed_in_as, nearest, advice } => view! {
            <Badge text="No provisioned account matches" tone=Tone::Warning/>
            <p class="mt-1">
                {format!("Signed in as “{signed_in_as}” ({username_attribute})")}
                {nearest.map(|n| format!("; Entra provisioned this person as “{n}”"))}
                "."
            </p>
            <p class="mt-1" data-testid="binding-advice">{advice}</p>
        }
        .into_any(),
    };
    view! {
        <div class="rounded-md border border-slate-200 p-3 text-sm" data-testid="binding-check" role="status">
            <h3 class="mb-1 font-medium">"Identity binding"</h3>
            {body}
        </div>
    }
}
