//! A button that copies a value an admin pastes elsewhere (Tenant ID, Tenant URL, Redirect URL).

use leptos::prelude::*;

use super::hydration::use_hydrated;

#[component]
pub fn CopyButton(
    /// The text put on the clipboard.
    #[prop(into)]
    value: String,
    /// What is copied, for screen readers: "Copy {what}".
    #[prop(into)]
    what: String,
) -> impl IntoView {
    let hydrated = use_hydrated();
    let (copied, set_copied) = signal(false);
    let on_click = move |_| {
        #[cfg(feature = "hydrate")]
        {
            let text = value.clone();
            if let Some(window) = web_sys::window() {
                let _ = window.navigator().clipboard().write_text(&text);
            }
            set_copied.set(true);
            set_timeout(
                move || set_copied.set(false),
                std::time::Duration::from_secs(2),
            );
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = (&value, set_copied);
        }
    };
    view! {
        <button
            type="button"
            class="btn-secondary shrink-0 px-2 py-1 text-xs"
            aria-label=format!("Copy {what}")
            disabled=move || !hydrated.get()
            on:click=on_click
        >
            {move || if copied.get() { "Copied" } else { "Copy" }}
        </button>
    }
}
