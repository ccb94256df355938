//! What the console shows about a person's rights: their grants (to hide what they may not
//! do), the page for a refusal ("You don't have permission to …"), and the page for someone who
//! holds nothing yet. Hiding is a courtesy: the server checks every call.

use leptos::prelude::*;

use crate::domain::error::AppError;
use crate::domain::permission::{Grants, Permission};

/// The grants of the person a page is drawn for, known before anything renders: on the server
/// from the session the request carries, in the browser from the `data-grants` the server wrote
/// on `#app`. Both draw the page from the same value, so hydration matches.
pub fn initial_grants() -> Grants {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .and_then(|p| {
                p.extensions
                    .get::<crate::backend::auth::sessions::SessionInfo>()
                    .map(|s| s.grants)
            })
            .unwrap_or_default()
    }
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id("app"))
            .and_then(|e| e.get_attribute("data-grants"))
            .and_then(|j| serde_json::from_str(&j).ok())
            .unwrap_or_default()
    }
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    {
        Grants::default()
    }
}

/// The signed-in person's grants in the current tenant (provided once by `App`).
pub fn use_grants() -> Grants {
    use_context::<Grants>().unwrap_or_default()
}

/// Whether the signed-in person holds `p` (for showing buttons and sections).
pub fn can(p: Permission) -> bool {
    use_grants().has(p)
}

/// A page's error: a refusal becomes a full notice that shows nothing of the data.
pub fn error_view(err: AppError) -> AnyView {
    match err {
        AppError::PermissionDenied { message } => view! {
            <section class="card mx-auto max-w-xl text-center" data-testid="permission-denied" aria-labelledby="denied-title">
                <svg class="mx-auto h-10 w-10 text-slate-400" fill="none" viewBox="0 0 24 24" stroke="currentColor" aria-hidden="true">
                    <path stroke-linecap="round" stroke-linejoin="round" stroke-width="1.5" d="M12 15v2m-6 4h12a2 2 0 002-2v-6a2 2 0 00-2-2H6a2 2 0 00-2 2v6a2 2 0 002 2zm10-10V7a4 4 0 00-8 0v4h8z"/>
                </svg>
                <h1 id="denied-title" class="mt-3 text-lg font-semibold text-slate-900">{message}</h1>
                <p class="mt-2 text-sm text-slate-600">
                    "What you may do in this console comes from the Security Topics assigned to your groups. Ask an administrator if you need this."
                </p>
                <a href="/" class="btn-secondary mt-5 inline-flex px-4 py-2 text-sm">"Back to the start page"</a>
            </section>
        }
        .into_any(),
        other => view! { <p role="alert" class="text-sm text-red-700">{other.to_string()}</p> }.into_any(),
    }
}

/// The only page of someone who signed in and holds no permission at all.
#[component]
pub fn NoAccessYet() -> impl IntoView {
    view! {
        <section class="card mx-auto mt-8 max-w-xl text-center" data-testid="no-access-yet" aria-labelledby="no-access-title">
            <h1 id="no-access-title" class="text-xl font-semibold text-slate-900">"You have no access yet"</h1>
            <p class="mt-3 text-sm text-slate-700">
                "You are signed in, but you do not hold any permission in this console yet."
            </p>
            <p class="mt-2 text-sm text-slate-700">
                "An administrator must assign a Security Topic to one of your groups. Once that is done, reload this page."
            </p>
        </section>
    }
}

/// A page that only holders of `p` may use (the "new …" forms, which load nothing first).
pub fn denied_unless(p: Permission) -> Option<AnyView> {
    (!use_grants().has(p)).then(|| {
        error_view(AppError::PermissionDenied {
            message: format!("You don't have permission to {}.", p.action()),
        })
    })
}
