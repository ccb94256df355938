//! What the console shows about a person's rights: their grants (to hide what they may not
//! do), the page for a refusal ("You don't have permission to …"), and the page for someone who
//! holds nothing yet. Hiding is a courtesy: the server checks every call.

use leptos::prelude::*;

use crate::domain::error::AppError;
use crate::domain::permission::{Grants, Permission};
use crate::domain::viewer::MyAccess;

/// The signed-in person's access, loaded once per page by the console layout.
#[derive(Clone, Copy)]
pub struct AccessResource(pub Resource<Result<MyAccess, AppError>>);

/// Where the layout puts the grants once they have arrived, before it renders the page (so the
/// server and the browser draw the page from the same value and hydration matches).
#[derive(Clone, Copy)]
pub struct GrantsCell(pub RwSignal<Grants>);

impl GrantsCell {
    /// Made by the console layout; pages read it with [`use_grants`].
    pub fn provide() -> Self {
        let cell = GrantsCell(RwSignal::new(Grants::default()));
        provide_context(cell);
        cell
    }

    pub fn set(&self, grants: Grants) {
        self.0.set(grants);
    }
}

/// The signed-in person's grants in the current tenant (none outside the console layout).
pub fn use_grants() -> Grants {
    use_context::<GrantsCell>()
        .map(|c| c.0.get_untracked())
        .unwrap_or_default()
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
pub fn NoAccessYet(#[prop(into)] name: String) -> impl IntoView {
    view! {
        <section class="card mx-auto mt-8 max-w-xl text-center" data-testid="no-access-yet" aria-labelledby="no-access-title">
            <h1 id="no-access-title" class="text-xl font-semibold text-slate-900">"You have no access yet"</h1>
            <p class="mt-3 text-sm text-slate-700">
                {format!("You are signed in as {name}, but you do not hold any permission in this console yet.")}
            </p>
            <p class="mt-2 text-sm text-slate-700">
                "An administrator must assign a Security Topic to one of your groups. Once that is done, reload this page."
            </p>
            <form method="post" action="/logout" class="mt-5">
                <button type="submit" class="btn-secondary px-4 py-2 text-sm">"Sign out"</button>
            </form>
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
