//! Knowing whether the page has hydrated, so buttons that need the wasm stay disabled until then
//! (no click is lost) and tests can wait for `data-hydrated="true"`.

use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct Hydrated(pub ReadSignal<bool>);

/// Called once by `App`: false during SSR, true once the browser has run the first effect.
pub fn provide_hydration_marker() -> ReadSignal<bool> {
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));
    provide_context(Hydrated(hydrated));
    hydrated
}

/// `true` once hydrated; `false` on the server.
pub fn use_hydrated() -> Signal<bool> {
    let marker = use_context::<Hydrated>();
    Signal::derive(move || marker.map(|h| h.0.get()).unwrap_or(false))
}
