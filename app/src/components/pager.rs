//! "1–50 of 12,408 · page 1 of 249" and previous / next buttons under a table.

use leptos::prelude::*;

use crate::domain::directory::PageInfo;

/// `12408` → `12,408`.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        out.insert(0, '-');
    }
    out
}

#[component]
pub fn Pager(info: PageInfo, on_page: Callback<i64>) -> impl IntoView {
    let label = match info.range() {
        Some((a, b)) => format!(
            "{}–{} of {} · page {} of {}",
            thousands(a),
            thousands(b),
            thousands(info.total),
            thousands(info.page),
            thousands(info.pages())
        ),
        None => format!("0 of {}", thousands(info.total)),
    };
    let page = info.page;
    view! {
        <nav class="mt-3 flex flex-wrap items-center justify-between gap-2 text-sm text-slate-600" aria-label="Pages">
            <span data-testid="page-range">{label}</span>
            <span class="flex gap-2">
                <button type="button" class="btn-secondary px-3 py-1" disabled=page <= 1
                    on:click=move |_| on_page.run((page - 1).max(1))>"Previous"</button>
                <button type="button" class="btn-secondary px-3 py-1" disabled=!info.has_next()
                    on:click=move |_| on_page.run(page + 1)>"Next"</button>
            </span>
        </nav>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn groups_thousands() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(12_408), "12,408");
        assert_eq!(super::thousands(1_000_000), "1,000,000");
    }
}
