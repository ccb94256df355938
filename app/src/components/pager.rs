//! "1–50 of 12,408" and previous / next buttons under a table.

use leptos::prelude::*;

#[component]
pub fn Pager(
    /// (first, last) shown, or None when nothing is shown.
    range: Option<(i64, i64)>,
    total: i64,
    has_next: bool,
    page: RwSignal<i64>,
) -> impl IntoView {
    let label = match range {
        Some((a, b)) => format!("{a}–{b} of {total}"),
        None => format!("0 of {total}"),
    };
    view! {
        <nav class="mt-3 flex items-center justify-between text-sm text-slate-600" aria-label="Pages">
            <span data-testid="page-range">{label}</span>
            <span class="flex gap-2">
                <button type="button" class="btn-secondary px-3 py-1" disabled=move || page.get() <= 1
                    on:click=move |_| page.update(|p| *p = (*p - 1).max(1))>"Previous"</button>
                <button type="button" class="btn-secondary px-3 py-1" disabled=!has_next
                    on:click=move |_| page.update(|p| *p += 1)>"Next"</button>
            </span>
        </nav>
    }
}
