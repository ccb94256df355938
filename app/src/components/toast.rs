//! A toast: the outcome of an action (success or failure) in the page's corner, announced to
//! screen readers, closed by its button.

use leptos::prelude::*;

/// `Ok(message)` for success, `Err(message)` for failure; `None` hides the toast.
pub type ToastMessage = Option<Result<String, String>>;

#[component]
pub fn Toast(message: RwSignal<ToastMessage>) -> impl IntoView {
    view! {
        {move || message.get().map(|m| {
            let (ok, text) = match m { Ok(t) => (true, t), Err(t) => (false, t) };
            let tone = if ok { "bg-emerald-700" } else { "bg-red-700" };
            view! {
                <div class=format!("fixed bottom-4 right-4 z-40 flex max-w-sm items-start gap-3 rounded-md px-4 py-3 text-sm text-white shadow-lg {tone}")
                    role=if ok { "status" } else { "alert" } data-testid="toast">
                    <span>{text}</span>
                    <button type="button" class="ml-auto font-semibold" aria-label="Close"
                        on:click=move |_| message.set(None)>"×"</button>
                </div>
            }
        })}
    }
}
