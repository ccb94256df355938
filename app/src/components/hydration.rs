//! Knowing whether the page has hydrated, so buttons that need the wasm stay disabled until then
//! (no click is lost) and tests can wait for `data-hydrated="true"`; and which pages the server
//! draws alone, without any wasm.

use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct Hydrated(pub ReadSignal<bool>);

/// The sign-in pages work without the wasm (a plain form post and plain links), so the server
/// sends them without it: the first page a person sees is usable at once, even on a slow line,
/// and the wasm is first downloaded for the console itself.
pub fn server_rendered_only(path: &str) -> bool {
    crate::api::session::is_login_path(path) || path == "/sign-in-failed"
}

/// Whether the page being rendered is one of [`server_rendered_only`]'s. Always `false` in the
/// browser: it only ever hydrates pages that ship the wasm.
pub fn ships_no_wasm() -> bool {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>().is_some_and(|p| server_rendered_only(p.uri.path()))
    }
    #[cfg(not(feature = "ssr"))]
    {
        false
    }
}

/// Called once by `App`: false during SSR, true once the browser has run the first effect —
/// and true from the start on a page without wasm, where the browser itself handles every click.
pub fn provide_hydration_marker() -> ReadSignal<bool> {
    let (hydrated, set_hydrated) = signal(ships_no_wasm());
    Effect::new(move |_| set_hydrated.set(true));
    provide_context(Hydrated(hydrated));
    hydrated
}

/// `true` once hydrated; `false` on the server.
pub fn use_hydrated() -> Signal<bool> {
    let marker = use_context::<Hydrated>();
    Signal::derive(move || marker.map(|h| h.0.get()).unwrap_or(false))
}
