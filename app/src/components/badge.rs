//! A small label with a colour; the word is always visible, so colour is never the only signal.

use leptos::prelude::*;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Neutral,
    Info,
    Success,
    Warning,
    /// A failure: red.
    Danger,
}

#[component]
pub fn Badge(#[prop(into)] text: String, #[prop(optional)] tone: Option<Tone>) -> impl IntoView {
    let colours = match tone.unwrap_or(Tone::Neutral) {
        Tone::Neutral => "bg-slate-100 text-slate-700 ring-slate-300",
        Tone::Info => "bg-sky-50 text-sky-800 ring-sky-300",
        Tone::Success => "bg-emerald-50 text-emerald-800 ring-emerald-300",
        Tone::Warning => "bg-amber-50 text-amber-900 ring-amber-300",
        Tone::Danger => "bg-red-50 text-red-800 ring-red-300",
    };
    view! {
        <span class=format!(
            "inline-flex items-center rounded-md px-2 py-0.5 text-xs font-medium ring-1 ring-inset {colours}"
        )>{text}</span>
    }
}
