//! A list's view — search, filters, sort and page — lives in the URL's query, so a reload or a
//! shared link shows the same view. Changes replace the history entry and keep the scroll.

use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate, use_query_map};
use leptos_router::params::ParamsMap;
use leptos_router::NavigateOptions;

#[derive(Clone, Copy)]
pub struct UrlState {
    query: Memo<ParamsMap>,
    path: Memo<String>,
    /// The component's owner, to reach the router from event handlers. (Nothing thread-local is
    /// kept: the server renders on any thread.)
    owner: StoredValue<Option<Owner>>,
}

/// Call in the component (it takes the router's location from there).
pub fn use_url_state() -> UrlState {
    UrlState {
        query: use_query_map(),
        path: use_location().pathname,
        owner: StoredValue::new(Owner::current()),
    }
}

impl UrlState {
    /// The value of `key`, empty when absent (tracked).
    pub fn get(&self, key: &str) -> String {
        self.query.read().get(key).unwrap_or_default()
    }

    /// The page number, 1 when absent or not a positive number (tracked).
    pub fn page(&self) -> i64 {
        self.get("page")
            .parse()
            .ok()
            .filter(|p| *p >= 1)
            .unwrap_or(1)
    }

    /// Sets each `(key, value)` (an empty value removes it) in one navigation. Any change but
    /// one to the page itself goes back to the first page.
    pub fn set(&self, changes: &[(&'static str, String)]) {
        let mut query = self.query.get_untracked();
        for (k, v) in changes {
            query.remove(k);
            if !v.is_empty() {
                query.replace(*k, v.clone());
            }
        }
        if !changes.iter().any(|(k, _)| *k == "page") {
            query.remove("page");
        }
        let to = format!("{}{}", self.path.get_untracked(), query.to_query_string());
        let go = move || {
            use_navigate()(
                &to,
                NavigateOptions {
                    replace: true,
                    scroll: false,
                    ..Default::default()
                },
            )
        };
        match self.owner.get_value() {
            Some(owner) => owner.with(go),
            None => go(),
        }
    }

    pub fn set_page(&self, page: i64) {
        self.set(&[(
            "page",
            if page <= 1 {
                String::new()
            } else {
                page.to_string()
            },
        )]);
    }
}

/// Calls `run` with the text `delay_ms` after the last keystroke (browser only), so a search
/// follows typing without a request per key.
pub fn debounced(
    delay_ms: u64,
    run: impl Fn(String) + Clone + 'static,
) -> impl Fn(String) + 'static {
    let pending = StoredValue::new(None::<leptos::prelude::TimeoutHandle>);
    move |text: String| {
        if let Some(h) = pending.get_value() {
            h.clear();
        }
        let run = run.clone();
        let handle = set_timeout_with_handle(
            move || run(text),
            std::time::Duration::from_millis(delay_ms),
        )
        .ok();
        pending.set_value(handle);
    }
}
