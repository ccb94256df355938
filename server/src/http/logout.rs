//! `/logout`: a POST ends the session, clears the cookie, and goes back to the sign-in page, or,
//! for a session made by single sign-on, on to the provider's Logout URL. A GET only asks: a link
//! or an image on another site must not sign anyone out.

use app::api::cookies;
use app::backend::Backend;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{Html, IntoResponse, Redirect, Response};

/// `GET /logout`: a page with one button that signs out (a POST).
pub async fn confirm() -> Response {
    Html(CONFIRM_PAGE).into_response()
}

const CONFIRM_PAGE: &str = r#"<!DOCTYPE html>
<html lang="en" class="h-full bg-slate-50">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign out · Cantara Administration Console</title>
<link rel="stylesheet" href="/pkg/cantara.css">
</head>
<body class="h-full px-4 text-slate-900 antialiased">
<main class="card mx-auto mt-24 max-w-md">
<h1 class="text-xl font-semibold">Sign out of the Cantara Administration Console?</h1>
<p class="mt-2 text-sm text-slate-600">Your session ends on this device.</p>
<form method="post" action="/logout" class="mt-6 flex gap-3">
<button type="submit" class="btn-primary">Sign out</button>
<a href="/" class="btn-secondary px-4 py-2 text-sm">Cancel</a>
</form>
</main>
</body>
</html>
"#;

/// `POST /logout`.
pub async fn logout(State(backend): State<Backend>, headers: HeaderMap) -> Response {
    let mut next = None;
    if let Some(token) = cookies::value(&headers, cookies::SESSION) {
        match backend.end_session(token).await {
            Ok(provider_logout) => next = provider_logout,
            Err(e) => tracing::warn!(error = %e, "ending session failed"),
        }
    }
    let mut response = Redirect::to(next.as_deref().unwrap_or("/login")).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        cookies::clear_session(backend.config.secure_cookies()),
    );
    response
}
