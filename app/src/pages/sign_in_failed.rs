//! `/sign-in-failed`: why single sign-on did not work, in words, and the way back to sign-in.
//! The address carries only a failure code (see [`SsoFailure`]); the server logs the detail.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::domain::sso::SsoFailure;

#[component]
pub fn SignInFailedPage() -> impl IntoView {
    let query = use_query_map();
    let failure = move || SsoFailure::from_code(&query.read().get("reason").unwrap_or_default());
    let back = move || match query
        .read()
        .get("tenant")
        .filter(|t| !t.is_empty() && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
    {
        Some(t) => format!("/login/{t}"),
        None => "/login".to_owned(),
    };
    view! {
        <Title text="Sign-in failed · Cantara"/>
        <main class="flex min-h-screen items-center justify-center bg-slate-100 px-4 py-12">
            <div class="w-full max-w-md">
                <div class="mb-6 flex items-center justify-center gap-2 text-lg font-semibold">
                    <span class="grid h-8 w-8 place-items-center rounded-md bg-indigo-600 font-bold text-white" aria-hidden="true">"C"</span>
                    "Cantara Administration Console"
                </div>
                <div class="card" role="alert">
                    <h1 class="text-lg font-semibold text-red-800" data-testid="sso-failure-title">{move || failure().title()}</h1>
                    <p class="mt-2 text-sm text-slate-700" data-testid="sso-failure">{move || failure().message()}</p>
                    <a class="btn-primary mt-5 inline-flex" href=back>"Back to sign-in"</a>
                </div>
            </div>
        </main>
    }
}
