//! The toast: the outcome of every create, save, activate, deactivate, revoke and delete, in the
//! top right corner where the console shows it for every page, announced to screen readers. A
//! success fades after a few seconds; an error stays until it is closed.

use leptos::prelude::*;

/// `Ok(message)` for success, `Err(message)` for failure; `None` hides the toast.
pub type ToastMessage = Option<Result<String, String>>;

/// The console's one toast, provided by the layout.
#[derive(Clone, Copy)]
struct ToastContext(RwSignal<ToastMessage>);

/// Makes the toast signal available to every page below; render [`Toast`] with it once.
pub fn provide_toast() -> RwSignal<ToastMessage> {
    let message = RwSignal::new(ToastMessage::None);
    provide_context(ToastContext(message));
    message
}

/// The console's toast; a page outside the console gets a signal nobody shows.
pub fn use_toast() -> RwSignal<ToastMessage> {
    use_context::<ToastContext>()
        .map(|c| c.0)
        .unwrap_or_else(|| RwSignal::new(None))
}

/// How long a success stays on screen.
#[cfg(feature = "hydrate")]
const SUCCESS_MS: u64 = 6_000;

#[component]
pub fn Toast(message: RwSignal<ToastMessage>) -> impl IntoView {
    // Each new success clears itself unless a newer message replaced it meanwhile.
    let shown = StoredValue::new(0u64);
    Effect::new(move |_| {
        if let Some(Ok(_)) = message.get() {
            let this = shown.get_value().wrapping_add(1);
            shown.set_value(this);
            #[cfg(feature = "hydrate")]
            set_timeout(
                move || {
                    if shown.get_value() == this {
                        message.set(None);
                    }
                },
                std::time::Duration::from_millis(SUCCESS_MS),
            );
        } else {
            shown.update_value(|n| *n = n.wrapping_add(1));
        }
    });
    view! {
        <div class="pointer-events-none fixed right-4 top-16 z-40 flex max-w-[calc(100vw-2rem)] justify-end sm:max-w-sm" aria-live="polite">
            {move || message.get().map(|m| {
                let (ok, text) = match m { Ok(t) => (true, t), Err(t) => (false, t) };
                let tone = if ok { "toast-success" } else { "toast-error" };
                view! {
                    <div class=format!("pointer-events-auto flex items-start gap-3 rounded-md px-4 py-3 text-sm shadow-lg {tone}")
                        role=if ok { "status" } else { "alert" } data-testid="toast">
                        <span>{text}</span>
                        <button type="button" class="ml-auto font-semibold" aria-label="Close message"
                            on:click=move |_| message.set(None)>"×"</button>
                    </div>
                }
            })}
        </div>
    }
}
