//! What a page shows when it has nothing yet: what this is and what to do next.

use leptos::prelude::*;

#[component]
pub fn EmptyState(
    #[prop(into)] title: String,
    #[prop(into)] body: String,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <div class="rounded-lg border border-dashed border-slate-300 bg-white px-6 py-12 text-center">
            <svg class="mx-auto h-10 w-10 text-slate-400" fill="none" viewBox="0 0 24 24" stroke="currentColor" aria-hidden="true">
                <path stroke-linecap="round" stroke-linejoin="round" stroke-width="1.5" d="M20 13V7a2 2 0 00-2-2H6a2 2 0 00-2 2v6m16 0v4a2 2 0 01-2 2H6a2 2 0 01-2-2v-4m16 0h-2.586a1 1 0 00-.707.293l-1.414 1.414a1 1 0 01-.707.293h-3.172a1 1 0 01-.707-.293l-1.414-1.414A1 1 0 006.586 13H4"/>
            </svg>
            <h2 class="mt-3 text-base font-semibold text-slate-900">{title}</h2>
            <p class="mx-auto mt-1 max-w-prose text-sm text-slate-600">{body}</p>
            {children.map(|c| view! { <div class="mt-5">{c()}</div> })}
        </div>
    }
}
