//! The console's cookies in one place: their names, how each is set and cleared, and how a
//! request's value is read. Every cookie is HttpOnly and SameSite=Lax, and Secure when the
//! console is served over https. The domain layer knows tokens, never cookies.

use http::header::{HeaderMap, HeaderValue, COOKIE};

use crate::backend::auth::sessions::ABSOLUTE_TIMEOUT_SECS;
use crate::backend::sso::pending::PENDING_TTL_SECS;

/// The console session: a random 256-bit id (the database keeps only its hash).
pub const SESSION: &str = "cantara_session";
/// Binds a single sign-on under way to the browser that started it; only sent to `/oauth`.
pub const SSO_BROWSER: &str = "cantara_sso";

/// Where a test sign-in goes back to: `connect` for the Connect Microsoft Entra ID page (any
/// other value, or none, is the identity provider's page). Only sent to `/oauth`.
pub const TEST_RETURN: &str = "cantara_test_return";

fn build(name: &str, value: &str, path: &str, max_age: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path={path}; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    ))
    // Tokens are URL-safe base64; this is never reached, but an unusable value clears.
    .unwrap_or_else(|_| HeaderValue::from_static("cantara_invalid=; Path=/; Max-Age=0"))
}

/// `Set-Cookie` for a new session; it lives as long as the session's absolute limit.
pub fn session(token: &str, secure: bool) -> HeaderValue {
    build(SESSION, token, "/", ABSOLUTE_TIMEOUT_SECS, secure)
}

/// `Set-Cookie` that makes the browser drop its session id.
pub fn clear_session(secure: bool) -> HeaderValue {
    build(SESSION, "", "/", 0, secure)
}

/// `Set-Cookie` binding a sign-in under way to this browser, for as long as it may take.
pub fn sso_browser(token: &str, secure: bool) -> HeaderValue {
    build(SSO_BROWSER, token, "/oauth", PENDING_TTL_SECS, secure)
}

/// `Set-Cookie` that drops the sign-in binding (the sign-in is over).
pub fn clear_sso_browser(secure: bool) -> HeaderValue {
    build(SSO_BROWSER, "", "/oauth", 0, secure)
}

/// `Set-Cookie` remembering that a test sign-in started on the assistant's page.
pub fn test_return_connect(secure: bool) -> HeaderValue {
    build(TEST_RETURN, "connect", "/oauth", PENDING_TTL_SECS, secure)
}

pub fn clear_test_return(secure: bool) -> HeaderValue {
    build(TEST_RETURN, "", "/oauth", 0, secure)
}

/// The value of one cookie from the request's `Cookie` headers; empty values count as none.
pub fn value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_is_found_among_others() {
        let mut h = HeaderMap::new();
        h.append(COOKIE, HeaderValue::from_static("a=1; cantara_session=xyz"));
        h.append(COOKIE, HeaderValue::from_static("b=2"));
        assert_eq!(value(&h, SESSION), Some("xyz"));
        assert_eq!(value(&h, "b"), Some("2"));
        assert_eq!(value(&h, "missing"), None);
    }

    #[test]
    fn every_cookie_is_http_only_and_same_site_and_secure_on_https() {
        for c in [
            session("t", true),
            clear_session(true),
            sso_browser("t", true),
            clear_sso_browser(true),
            test_return_connect(true),
            clear_test_return(true),
        ] {
            let c = c.to_str().unwrap().to_owned();
            assert!(c.contains("; HttpOnly; SameSite=Lax;"), "{c}");
            assert!(c.ends_with("; Secure"), "{c}");
        }
        let plain = session("t", false);
        assert!(!plain.to_str().unwrap().contains("Secure"));
        assert!(sso_browser("t", false)
            .to_str()
            .unwrap()
            .contains("Path=/oauth;"));
        assert!(clear_session(false).to_str().unwrap().contains("Max-Age=0"));
    }
}
