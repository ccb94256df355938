//! A modal dialog: title, message, primary and secondary buttons; Esc cancels.

use leptos::prelude::*;

#[component]
pub fn Dialog(
    /// Whether the dialog is shown.
    #[prop(into)]
    open: Signal<bool>,
    #[prop(into)] title: String,
    /// Text of the primary button.
    #[prop(into)]
    confirm: String,
    on_confirm: Callback<()>,
    /// Text of the secondary button; no secondary button when absent.
    #[prop(optional, into)]
    cancel: Option<String>,
    #[prop(optional)] on_cancel: Option<Callback<()>>,
    #[prop(optional)] danger: bool,
    children: ChildrenFn,
) -> impl IntoView {
    let children = StoredValue::new(children);
    let title = StoredValue::new(title);
    let confirm = StoredValue::new(confirm);
    let cancel = StoredValue::new(cancel);
    let dismiss = move || match on_cancel {
        Some(c) => c.run(()),
        None => on_confirm.run(()),
    };
    view! {
        <Show when=move || open.get()>
            <div class="fixed inset-0 z-50 grid place-items-center bg-slate-900/40 p-4"
                on:keydown=move |ev| if ev.key() == "Escape" { dismiss() }>
                <div role="dialog" aria-modal="true" aria-labelledby="dialog-title"
                    class="w-full max-w-md rounded-lg bg-white p-6 shadow-xl">
                    <h2 id="dialog-title" class="text-lg font-semibold">{title.get_value()}</h2>
                    <div class="mt-2 text-sm text-slate-700">{children.with_value(|c| c())}</div>
                    <div class="mt-6 flex justify-end gap-2">
                        {cancel.get_value().map(|label| view! {
                            <button type="button" class="btn-secondary px-4 py-2 text-sm" on:click=move |_| dismiss()>{label}</button>
                        })}
                        <button type="button" autofocus
                            class=if danger { "inline-flex items-center rounded-md bg-red-600 px-4 py-2 text-sm font-semibold text-white hover:bg-red-700" } else { "btn-primary" }
                            on:click=move |_| on_confirm.run(())>
                            {confirm.get_value()}
                        </button>
                    </div>
                </div>
            </div>
        </Show>
    }
}
