//! A form field: a real `<label for>`, the input, help text, and the error for this field.

use leptos::prelude::*;

use crate::domain::error::AppError;

#[component]
pub fn Field(
    /// The input's `id` and `name`.
    #[prop(into)]
    name: String,
    #[prop(into)] label: String,
    #[prop(optional, into)] help: Option<String>,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(optional)] required: bool,
    #[prop(optional, into)] autocomplete: Option<String>,
    /// The last error of the form; shown here when it names this field.
    #[prop(optional, into)]
    error: Option<Signal<Option<AppError>>>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let help_id = format!("{id}-help");
    let error_id = format!("{id}-error");
    let field_name = name.clone();
    let message = move || {
        error
            .and_then(|e| e.get())
            .and_then(|e| e.message_for(&field_name))
    };
    let has_error = {
        let message = message.clone();
        move || message().is_some()
    };
    let described_by = {
        let (help_id, error_id) = (help_id.clone(), error_id.clone());
        let has_help = help.is_some();
        let has_error = has_error.clone();
        move || {
            let mut ids = Vec::new();
            if has_help {
                ids.push(help_id.clone());
            }
            if has_error() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div>
            <label for=id.clone() class="block text-sm font-medium text-slate-800">{label}</label>
            <input
                id=id
                name=name
                type=input_type
                required=required
                autocomplete=autocomplete
                aria-invalid=move || has_error().to_string()
                aria-describedby=described_by
                class="input mt-1"
            />
            {help.map(|h| view! { <p id=help_id class="mt-1 text-xs text-slate-500">{h}</p> })}
            {move || message().map(|m| view! { <p id=error_id.clone() class="mt-1 text-sm text-red-700">{m}</p> })}
        </div>
    }
}

/// A field bound to a signal (for forms the page fills or changes, like the IdP wizard).
#[component]
pub fn BoundField(
    /// The input's id (`field-{name}`) and the key errors are matched on.
    #[prop(into)]
    name: String,
    #[prop(into)] label: String,
    value: RwSignal<String>,
    #[prop(optional, into)] help: Option<String>,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(optional)] required: bool,
    #[prop(optional, into)] placeholder: Option<String>,
    #[prop(optional, into)] list: Option<String>,
    #[prop(into)] error: Signal<Option<AppError>>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let help_id = format!("{id}-help");
    let error_id = format!("{id}-error");
    let key = StoredValue::new(name);
    // An error is shown until the field is edited; a new error shows again.
    let edited = RwSignal::new(false);
    Effect::new(move |_| {
        error.track();
        edited.set(false);
    });
    let message = move || {
        if edited.get() {
            return None;
        }
        error
            .get()
            .and_then(|e| key.with_value(|k| e.message_for(k)))
    };
    let has_help = help.is_some();
    let described = {
        let (help_id, error_id) = (help_id.clone(), error_id.clone());
        move || {
            let mut ids = Vec::new();
            if has_help {
                ids.push(help_id.clone());
            }
            if message().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div>
            <div class="flex items-baseline gap-1">
                <label for=id.clone() class="block text-sm font-medium text-slate-800">{label}</label>
                {required.then(|| view! { <span class="text-xs text-red-700">"(required)"</span> })}
            </div>
            <input id=id type=input_type required=required placeholder=placeholder list=list
                class="input mt-1" aria-describedby=described
                aria-invalid=move || message().is_some().to_string()
                prop:value=move || value.get()
                on:input=move |ev| {
                    value.set(event_target_value(&ev));
                    edited.set(true);
                }/>
            {help.map(|h| view! { <p id=help_id class="mt-1 text-xs text-slate-500">{h}</p> })}
            {move || message().map(|m| view! { <p id=error_id.clone() class="mt-1 text-sm text-red-700">{m}</p> })}
        </div>
    }
}

/// A labelled checkbox (shown as a switch) bound to a signal.
#[component]
pub fn Switch(
    #[prop(into)] name: String,
    #[prop(into)] label: String,
    value: RwSignal<bool>,
    #[prop(optional, into)] help: Option<String>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let help_id = format!("{id}-help");
    let described = help.is_some().then(|| help_id.clone());
    view! {
        <div class="flex items-start gap-3">
            <input id=id.clone() type="checkbox" class="mt-1 h-4 w-4 rounded border-slate-300 text-indigo-600 focus:ring-indigo-600"
                aria-describedby=described
                prop:checked=move || value.get()
                on:change=move |ev| value.set(event_target_checked(&ev))/>
            <div>
                <label for=id class="text-sm font-medium text-slate-800">{label}</label>
                {help.map(|h| view! { <p id=help_id class="text-xs text-slate-600">{h}</p> })}
            </div>
        </div>
    }
}
