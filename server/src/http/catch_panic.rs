//! A panic that still happens while answering becomes a 500, never a dropped connection.
//!
//! The code is written not to panic on input (clippy denies slicing and indexing); this layer is the
//! last line. The panic is logged inside the request's span, so the line carries the request id that
//! the answer's `x-request-id` header also shows.

use std::any::Any;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tower_http::catch_panic::CatchPanicLayer;

type Handler = fn(Box<dyn Any + Send + 'static>) -> Response;

/// For the console, the sign-in routes and health probes: a plain-text 500.
pub fn layer() -> CatchPanicLayer<Handler> {
    CatchPanicLayer::custom(console_answer as Handler)
}

/// For SCIM routes: a 500 with a SCIM Error body, as a SCIM client expects.
pub fn scim_layer() -> CatchPanicLayer<Handler> {
    CatchPanicLayer::custom(scim_answer as Handler)
}

fn log(panic: &(dyn Any + Send)) {
    let message = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".to_owned());
    tracing::error!(panic = %message, "request handler panicked");
}

fn console_answer(panic: Box<dyn Any + Send + 'static>) -> Response {
    log(panic.as_ref());
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "Internal server error; see the server log.",
    )
        .into_response()
}

fn scim_answer(panic: Box<dyn Any + Send + 'static>) -> Response {
    log(panic.as_ref());
    let mut res = (
        StatusCode::INTERNAL_SERVER_ERROR,
        app::scim::ScimError::internal().body().to_string(),
    )
        .into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(crate::scim::SCIM_JSON),
    );
    res
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::routing::get;
    use axum::Router;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    #[allow(clippy::unused_async)]
    async fn boom() -> &'static str {
        let text = String::from("aéé");
        // The very slice #11 found: byte 4 is inside a character.
        let _ = &text[..4];
        "unreachable"
    }

    async fn call(router: Router) -> (StatusCode, String, Option<String>) {
        let res = router
            .oneshot(http::Request::get("/boom").body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = res.status();
        let ct = res
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|v| v.to_str().unwrap().to_owned());
        let body = res.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8(body.to_vec()).unwrap(), ct)
    }

    #[tokio::test]
    async fn a_panic_is_a_500_not_a_dropped_connection() {
        let (status, body, _) = call(Router::new().route("/boom", get(boom)).layer(layer())).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(body.contains("Internal server error"), "{body}");
    }

    #[tokio::test]
    async fn a_panic_on_a_scim_route_is_a_scim_error() {
        let (status, body, ct) =
            call(Router::new().route("/boom", get(boom)).layer(scim_layer())).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(ct.as_deref(), Some(crate::scim::SCIM_JSON));
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["status"], "500");
        assert_eq!(
            v["schemas"][0],
            "urn:ietf:params:scim:api:messages:2.0:Error"
        );
    }
}
