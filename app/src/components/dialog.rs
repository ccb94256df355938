//! The one modal dialog every confirmation uses: it names the object in its title, moves focus in
//! (to its first field, else to Cancel, the default, when there is one), keeps Tab inside, closes on Escape and Cancel, and
//! gives focus back to what opened it.

use leptos::prelude::*;

#[component]
pub fn Dialog(
    /// Whether the dialog is shown.
    #[prop(into)]
    open: Signal<bool>,
    #[prop(into)] title: Signal<String>,
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
    let confirm = StoredValue::new(confirm);
    let cancel = StoredValue::new(cancel);
    let dismiss = move || match on_cancel {
        Some(c) => c.run(()),
        None => on_confirm.run(()),
    };
    let panel = NodeRef::<leptos::html::Div>::new();
    focus::manage(open, panel);
    view! {
        <Show when=move || open.get()>
            <div class="fixed inset-0 z-50 grid place-items-center bg-black/50 p-4"
                on:keydown=move |ev| {
                    if ev.key() == "Escape" {
                        ev.prevent_default();
                        dismiss();
                    } else if ev.key() == "Tab" {
                        focus::trap(&ev, panel);
                    }
                }>
                <div node_ref=panel role="dialog" aria-modal="true" aria-labelledby="dialog-title" aria-describedby="dialog-body"
                    data-testid="dialog" class="w-full max-w-md rounded-lg bg-white p-6 shadow-xl">
                    <h2 id="dialog-title" class="text-lg font-semibold">{move || title.get()}</h2>
                    <div id="dialog-body" class="mt-2 text-sm text-slate-700">{children.with_value(|c| c())}</div>
                    <div class="mt-6 flex flex-wrap justify-end gap-2">
                        {cancel.get_value().map(|label| view! {
                            <button type="button" data-dialog-default="" class="btn-secondary px-4 py-2 text-sm" on:click=move |_| dismiss()>{label}</button>
                        })}
                        <button type="button" data-dialog-default=cancel.get_value().is_none().then_some("")
                            class=if danger { "btn-danger" } else { "btn-primary" }
                            on:click=move |_| on_confirm.run(())>
                            {confirm.get_value()}
                        </button>
                    </div>
                </div>
            </div>
        </Show>
    }
}

/// Moving focus in and back out, and keeping Tab inside (browser only).
mod focus {
    use leptos::prelude::*;

    #[cfg(feature = "hydrate")]
    const FOCUSABLE: &str = "button:not([disabled]), [href], input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";

    /// On opening: remember the focused element and focus the default button; on closing: give
    /// focus back to the remembered element when it is still on the page.
    pub fn manage(open: Signal<bool>, panel: NodeRef<leptos::html::Div>) {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let opener = StoredValue::new_local(None::<web_sys::HtmlElement>);
            Effect::new(move |was_open: Option<bool>| {
                let is_open = open.get();
                let document = web_sys::window().and_then(|w| w.document());
                if is_open && was_open != Some(true) {
                    let active = document
                        .as_ref()
                        .and_then(|d| d.active_element())
                        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
                    opener.set_value(active);
                } else if !is_open && was_open == Some(true) {
                    if let Some(el) = opener.get_value().filter(|e| e.is_connected()) {
                        let _ = el.focus();
                    }
                    opener.set_value(None);
                }
                is_open
            });
            // The panel is mounted: move focus to its first field, else its default button.
            Effect::new(move |_| {
                if let Some(panel) = panel.get() {
                    let first = |selector: &str| panel.query_selector(selector).ok().flatten();
                    let target = first(
                        "input:not([disabled]), select:not([disabled]), textarea:not([disabled])",
                    )
                    .or_else(|| first("[data-dialog-default]"))
                    .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
                    if let Some(el) = target {
                        let _ = el.focus();
                    }
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (open, panel);
    }

    /// Tab on the last focusable element goes to the first, Shift+Tab on the first to the last.
    pub fn trap(ev: &leptos::ev::KeyboardEvent, panel: NodeRef<leptos::html::Div>) {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let Some(panel) = panel.get_untracked() else {
                return;
            };
            let Ok(list) = panel.query_selector_all(FOCUSABLE) else {
                return;
            };
            let items: Vec<web_sys::HtmlElement> = (0..list.length())
                .filter_map(|i| list.item(i))
                .filter_map(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
                .collect();
            let (Some(first), Some(last)) = (items.first(), items.last()) else {
                ev.prevent_default();
                return;
            };
            let active = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.active_element());
            let inside = active
                .as_ref()
                .is_some_and(|a| panel.contains(Some(a.unchecked_ref())));
            let on = |el: &web_sys::HtmlElement| {
                active
                    .as_ref()
                    .is_some_and(|a| a.is_same_node(Some(el.unchecked_ref())))
            };
            if ev.shift_key() && (on(first) || !inside) {
                ev.prevent_default();
                let _ = last.focus();
            } else if !ev.shift_key() && (on(last) || !inside) {
                ev.prevent_default();
                let _ = first.focus();
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, panel);
    }
}
