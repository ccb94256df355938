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
            .filter(|e| e.field() == Some(field_name.as_str()))
            .map(|e| e.to_string())
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
            ids.join(" ")
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
