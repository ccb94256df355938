//! Request bodies are limited to 1 MiB everywhere (SCIM bodies included).
//!
//! A body over the limit gets `413` — a SCIM Error body on SCIM routes — and the connection is
//! closed after it. Before answering, what the client is still sending is read and thrown away
//! (up to a bound): answering mid-upload and closing with unread data would make the kernel reset
//! the connection, and an ordinary client would see "connection reset" instead of the 413. A
//! client that asked `Expect: 100-continue` is answered at once; it has not sent the body.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;

/// Largest request body accepted.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// How much of an oversized body is read and discarded before the 413 goes out.
const DRAIN_BYTES: usize = 16 * MAX_BODY_BYTES;
/// And for how long at most.
const DRAIN_TIME: Duration = Duration::from_secs(10);

/// How the refusals read: a SCIM Error body (SCIM routes) or plain text (everything else).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Scim,
    Plain,
}

/// The middleware: reads the body (at most [`MAX_BODY_BYTES`]) before the handler runs.
pub async fn limit(State(answer): State<Answer>, req: Request, next: Next) -> Response {
    let scim = answer == Answer::Scim;
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let expects_continue = req
        .headers()
        .get(header::EXPECT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"));
    let (parts, mut body) = req.into_parts();

    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        if !expects_continue {
            drain(body).await;
        }
        return too_large(scim);
    }
    let mut read: Vec<u8> = Vec::new();
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            return unreadable(scim);
        };
        let Ok(data) = frame.into_data() else {
            continue; // trailers
        };
        if read.len() + data.len() > MAX_BODY_BYTES {
            drain(body).await;
            return too_large(scim);
        }
        read.extend_from_slice(&data);
    }
    next.run(Request::from_parts(parts, Body::from(Bytes::from(read))))
        .await
}

/// Reads and discards the rest of a body, within [`DRAIN_BYTES`] and [`DRAIN_TIME`].
async fn drain(mut body: Body) {
    let _ = tokio::time::timeout(DRAIN_TIME, async move {
        let mut seen = 0usize;
        while let Some(Ok(frame)) = body.frame().await {
            seen = seen.saturating_add(frame.data_ref().map_or(0, Bytes::len));
            if seen > DRAIN_BYTES {
                break;
            }
        }
    })
    .await;
}

fn too_large(scim: bool) -> Response {
    let detail = "The request body is larger than 1 MiB.";
    let mut res = answer(StatusCode::PAYLOAD_TOO_LARGE, scim, detail);
    res.headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    res
}

fn unreadable(scim: bool) -> Response {
    answer(
        StatusCode::BAD_REQUEST,
        scim,
        "The request body could not be read.",
    )
}

fn answer(status: StatusCode, scim: bool, detail: &str) -> Response {
    if !scim {
        return (status, detail.to_owned()).into_response();
    }
    let body = app::scim::ScimError::new(status.as_u16(), None, detail.to_owned()).body();
    let mut res = (status, body.to_string()).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(crate::scim::SCIM_JSON),
    );
    res
}
