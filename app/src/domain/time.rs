//! Timestamps as the console shows them: UTC, the same on the server and in the browser.

use time::{macros::format_description, OffsetDateTime};

/// `2026-11-28 17:08 UTC` for unix seconds; the raw number if it is out of range.
pub fn format_utc(unix_secs: i64) -> String {
    let fmt = format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    OffsetDateTime::from_unix_timestamp(unix_secs)
        .ok()
        .and_then(|t| t.format(&fmt).ok())
        .unwrap_or_else(|| unix_secs.to_string())
}

/// `2026-11-28 17:08:05 UTC`: to the second, for logs an admin reads request by request.
pub fn format_utc_seconds(unix_secs: i64) -> String {
    let fmt = format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC");
    OffsetDateTime::from_unix_timestamp(unix_secs)
        .ok()
        .and_then(|t| t.format(&fmt).ok())
        .unwrap_or_else(|| unix_secs.to_string())
}

/// `2026-11-28T17:08:05Z`, for `<time datetime>`.
pub fn iso_utc(unix_secs: i64) -> String {
    let fmt = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    OffsetDateTime::from_unix_timestamp(unix_secs)
        .ok()
        .and_then(|t| t.format(&fmt).ok())
        .unwrap_or_default()
}

/// A wait as words with the right plural: `1 second`, `45 seconds`, `1 minute`, `3 minutes`
/// (whole minutes, rounded up, from a minute on).
pub fn wait_words(secs: u64) -> String {
    let (n, unit) = if secs < 60 {
        (secs, "second")
    } else {
        (secs.div_ceil(60), "minute")
    };
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

/// Now, in unix seconds: the system clock on the server, the browser's clock in the browser.
pub fn now_unix() -> i64 {
    #[cfg(feature = "hydrate")]
    {
        let ms = web_sys::window()
            .and_then(|w| w.performance())
            .map(|p| p.time_origin() + p.now())
            .unwrap_or(0.0);
        (ms / 1000.0) as i64
    }
    #[cfg(not(feature = "hydrate"))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn formats_utc_minutes() {
        assert_eq!(super::format_utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(super::format_utc(1_795_885_680), "2026-11-28 17:08 UTC");
        assert_eq!(
            super::format_utc_seconds(1_795_885_685),
            "2026-11-28 17:08:05 UTC"
        );
        assert_eq!(super::iso_utc(1_795_885_685), "2026-11-28T17:08:05Z");
        assert_eq!(super::wait_words(1), "1 second");
        assert_eq!(super::wait_words(59), "59 seconds");
        assert_eq!(super::wait_words(60), "1 minute");
        assert_eq!(super::wait_words(61), "2 minutes");
    }
}
