//! Light and dark theme. Without a choice the console follows the system setting (CSS
//! `prefers-color-scheme`); the switch stores a choice in the `cantara_theme` cookie, which the
//! server reads to render `<html data-theme>` so the first paint is already in that theme. The
//! cookie holds only `light` or `dark`, nothing about the person, so scripts may set it.

use leptos::prelude::*;

pub const COOKIE: &str = "cantara_theme";

/// The theme the person chose, when they chose one (`light` or `dark`).
pub fn chosen() -> Option<&'static str> {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>().and_then(|p| {
            match crate::api::cookies::value(&p.headers, COOKIE) {
                Some("dark") => Some("dark"),
                Some("light") => Some("light"),
                _ => None,
            }
        })
    }
    #[cfg(not(feature = "ssr"))]
    {
        None
    }
}

/// Whether the page shows the dark theme now (browser only; `false` on the server).
#[cfg(feature = "hydrate")]
fn showing_dark() -> bool {
    let window = web_sys::window();
    let attr = window
        .as_ref()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .and_then(|e| e.get_attribute("data-theme"));
    match attr.as_deref() {
        Some("dark") => true,
        Some("light") => false,
        _ => window
            .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
            .is_some_and(|m| m.matches()),
    }
}

#[cfg(feature = "hydrate")]
fn choose(theme: &str) {
    use wasm_bindgen::JsCast;
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Some(root) = document.document_element() {
        let _ = root.set_attribute("data-theme", theme);
    }
    if let Ok(html) = document.dyn_into::<web_sys::HtmlDocument>() {
        let _ = html.set_cookie(&format!(
            "{COOKIE}={theme}; Path=/; Max-Age=31536000; SameSite=Lax"
        ));
    }
}

/// A button that switches between the light and the dark theme.
#[component]
pub fn ThemeSwitch() -> impl IntoView {
    let dark = RwSignal::new(chosen() == Some("dark"));
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        dark.set(showing_dark());
    });
    let toggle = move |_| {
        let next = !dark.get_untracked();
        dark.set(next);
        #[cfg(feature = "hydrate")]
        choose(if next { "dark" } else { "light" });
    };
    view! {
        <button type="button" class="btn-secondary px-2 py-1" data-testid="theme-switch"
            aria-pressed=move || dark.get().to_string() aria-label="Dark theme"
            title=move || if dark.get() { "Switch to the light theme" } else { "Switch to the dark theme" }
            on:click=toggle>
            <svg class="h-5 w-5" fill="none" viewBox="0 0 24 24" stroke="currentColor" stroke-width="1.8" aria-hidden="true">
                <path stroke-linecap="round" stroke-linejoin="round" d="M21 12.8A9 9 0 1111.2 3a7 7 0 009.8 9.8z"/>
            </svg>
        </button>
    }
}
