//! Every console page starts the same way: a title (also the document's `<title>`, "Users · Cantara"),
//! one sentence, the primary action on the right.

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn PageHeader(
    #[prop(into)] title: String,
    #[prop(into)] description: String,
    /// The document title's first part when it differs from the heading ("Home").
    #[prop(optional, into)]
    document_title: Option<String>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let page_title = format!("{} · Cantara", document_title.as_deref().unwrap_or(&title));
    view! {
        <Title text=page_title/>
        <div class="mb-6 flex flex-col gap-4 sm:flex-row sm:items-start sm:justify-between">
            <div>
                <h1 class="text-2xl font-semibold tracking-tight text-slate-900">{title}</h1>
                <p class="mt-1 max-w-2xl text-sm text-slate-600">{description}</p>
            </div>
            {children.map(|c| view! { <div class="flex shrink-0 gap-2">{c()}</div> })}
        </div>
    }
}
