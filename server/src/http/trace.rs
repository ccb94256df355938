//! A request id on every request (from `x-request-id` or new) and one log line per response.
//! Only the method and path are logged: query strings can carry authorization codes.

use axum::http::{HeaderName, Request, Response};
use std::time::Duration;
use tower::layer::util::{Identity, Stack};
use tower::ServiceBuilder;
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{MakeSpan, OnResponse, TraceLayer};
use tracing::Span;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

#[derive(Clone, Copy)]
pub struct RequestSpan;

impl<B> MakeSpan<B> for RequestSpan {
    fn make_span(&mut self, req: &Request<B>) -> Span {
        let id = req
            .headers()
            .get(&REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("-");
        tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.uri().path())
    }
}

#[derive(Clone, Copy)]
pub struct LogResponse;

impl<B> OnResponse<B> for LogResponse {
    fn on_response(self, res: &Response<B>, latency: Duration, _span: &Span) {
        tracing::info!(
            status = res.status().as_u16(),
            latency_us = latency.as_micros() as u64,
            "response"
        );
    }
}

type Layers = Stack<
    PropagateRequestIdLayer,
    Stack<
        TraceLayer<
            SharedClassifier<ServerErrorsAsFailures>,
            RequestSpan,
            tower_http::trace::DefaultOnRequest,
            LogResponse,
        >,
        Stack<SetRequestIdLayer<MakeRequestUuid>, Identity>,
    >,
>;

pub fn layer() -> ServiceBuilder<Layers> {
    ServiceBuilder::new()
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(RequestSpan)
                .on_response(LogResponse),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
}
