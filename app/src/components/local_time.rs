//! A moment as the admin reads it: to the second, in their browser's time zone, with the date
//! only when it is not today. The server renders UTC (it does not know the zone); the browser
//! rewrites it after hydration. The exact UTC time is in the `title` and `datetime`.

use leptos::prelude::*;

use crate::domain::time::{format_utc_seconds, iso_utc};

#[component]
pub fn LocalTime(at: i64) -> impl IntoView {
    let text = RwSignal::new(format_utc_seconds(at));
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        text.set(in_browser_zone(at));
    });
    view! {
        <time datetime=iso_utc(at) title=format_utc_seconds(at) class="whitespace-nowrap">{move || text.get()}</time>
    }
}

/// `14:03:27` today, else `2 Dec 2026, 14:03:27`, in the browser's zone and locale.
#[cfg(feature = "hydrate")]
fn in_browser_zone(at: i64) -> String {
    use wasm_bindgen::JsValue;
    let date = js_sys::Date::new(&JsValue::from_f64(at as f64 * 1000.0));
    let today = js_sys::Date::new_0();
    let same_day = date.get_full_year() == today.get_full_year()
        && date.get_month() == today.get_month()
        && date.get_date() == today.get_date();
    let options = js_sys::Object::new();
    let set = |k: &str, v: &str| {
        let _ = js_sys::Reflect::set(&options, &JsValue::from_str(k), &JsValue::from_str(v));
    };
    set("hour", "2-digit");
    set("minute", "2-digit");
    set("second", "2-digit");
    set("hourCycle", "h23");
    if !same_day {
        set("year", "numeric");
        set("month", "short");
        set("day", "numeric");
    }
    let locale = web_sys::window()
        .and_then(|w| w.navigator().language())
        .unwrap_or_else(|| "en-GB".to_owned());
    String::from(date.to_locale_string(&locale, &options))
}
