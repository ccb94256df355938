//! The one data table: a sticky header, hairline rows, a card per row below 640 px (each cell
//! labelled by its `data-label`), and the states around it: loading, "no match — clear filters".
//! Rows are the page's own `<tr>`s; every `<td>` carries `data-label` with its column's name.

use leptos::prelude::*;

#[component]
pub fn DataTable(
    /// What the table lists, for screen readers ("Users").
    #[prop(into)]
    label: String,
    #[prop(into)] testid: String,
    /// Column names; an empty name is an actions column (named "Actions" for screen readers).
    headers: &'static [&'static str],
    children: Children,
) -> impl IntoView {
    view! {
        <div class="table-wrap card p-0">
            <table class="data-table" data-testid=testid aria-label=label>
                <thead>
                    <tr>
                        {headers.iter().map(|h| if h.is_empty() {
                            view! { <th scope="col"><span class="sr-only">"Actions"</span></th> }.into_any()
                        } else {
                            view! { <th scope="col">{*h}</th> }.into_any()
                        }).collect_view()}
                    </tr>
                </thead>
                <tbody>{children()}</tbody>
            </table>
        </div>
    }
}

/// While the first page of a table loads.
#[component]
pub fn TableLoading(#[prop(into)] what: String) -> impl IntoView {
    view! {
        <div class="card flex items-center gap-3 text-sm text-slate-600" role="status" data-testid="table-loading">
            <span class="h-4 w-4 animate-spin rounded-full border-2 border-slate-300 border-t-indigo-600" aria-hidden="true"></span>
            {format!("Loading {what}…")}
        </div>
    }
}

/// A search or filter matched nothing: say so, and offer to clear them.
#[component]
pub fn NoMatch(#[prop(into)] what: String, on_clear: Callback<()>) -> impl IntoView {
    view! {
        <div class="card text-center text-sm text-slate-700" role="status" data-testid="no-match">
            <p class="font-medium">{format!("No {what} match these filters.")}</p>
            <button type="button" class="btn-secondary mt-3 px-3 py-1.5 text-sm" on:click=move |_| on_clear.run(())>
                "Clear filters"
            </button>
        </div>
    }
}
