//! The page for addresses the console does not have.

use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <leptos_meta::Title text="Page not found · Cantara"/>
        <main class="grid min-h-screen place-items-center px-6">
            <div class="text-center">
                <p class="text-sm font-semibold text-indigo-700">"404"</p>
                <h1 class="mt-2 text-2xl font-semibold">"This page does not exist"</h1>
                <a href="/" class="btn-primary mt-6 inline-block">"Back to the console"</a>
            </div>
        </main>
    }
}
