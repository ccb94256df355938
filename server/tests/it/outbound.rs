//! Outbound requests to identity providers, against loopback servers of the test's own:
//! private targets refused unless allowed, redirects checked hop by hop, answers cut at 1 MiB
//! while streaming, error text that tells nothing of what an internal host answered, and one
//! provider's slow key set never holding up another's.

use std::time::{Duration, Instant};

use app::backend::outbound::{Outbound, OutboundError};
use app::backend::sso::jwks::JwksCache;
use axum::body::Body;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::json;

async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    url
}

fn endless() -> Response {
    // A body that never ends (no Content-Length): only a streaming cut can stop it.
    let chunk = bytes::Bytes::from(vec![b' '; 64 * 1024]);
    let stream = futures_util::stream::repeat_with(move || Ok::<_, std::io::Error>(chunk.clone()));
    (
        [(header::CONTENT_TYPE, "application/json")],
        Body::from_stream(stream),
    )
        .into_response()
}

async fn lab() -> String {
    serve(
        Router::new()
            .route("/doc", get(|| async { axum::Json(json!({"keys": []})) }))
            .route("/huge", get(|| async { endless() }))
            .route(
                "/to-private",
                get(|| async {
                    (
                        StatusCode::FOUND,
                        [(header::LOCATION, "http://10.0.0.1/latest/meta-data")],
                    )
                }),
            )
            .route(
                "/to-doc",
                get(|| async { (StatusCode::FOUND, [(header::LOCATION, "/doc")]) }),
            )
            .route(
                "/slow",
                get(|| async {
                    tokio::time::sleep(Duration::from_secs(3)).await;
                    axum::Json(json!({"keys": []}))
                }),
            ),
    )
    .await
}

#[tokio::test]
async fn private_targets_are_refused_unless_the_operator_allows_them() {
    let url = lab().await;
    let strict = Outbound::new(false);
    let https = url.replace("http://", "https://");
    for target in [
        format!("{https}/doc"),
        "https://169.254.169.254/latest/meta-data".to_owned(),
        "https://[::1]:9/doc".to_owned(),
        "https://localhost:9/doc".to_owned(),
    ] {
        let e = strict.get_json(&target, false).await.unwrap_err();
        assert!(matches!(e, OutboundError::Refused(_)), "{target}: {e:?}");
        assert!(
            e.to_string().contains("CANTARA_ALLOW_PRIVATE_IDP_URLS"),
            "{e}"
        );
    }
    // Allowed: the same loopback provider answers.
    let lab = Outbound::new(true);
    assert_eq!(
        lab.get_json(&format!("{url}/doc"), false).await.unwrap(),
        json!({"keys": []})
    );
}

#[tokio::test]
async fn redirects_are_checked_hop_by_hop() {
    let url = lab().await;
    let lab = Outbound::new(true);
    // A hop to a private, non-loopback plain-http address is refused, not followed.
    let e = lab
        .get_json(&format!("{url}/to-private"), false)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("redirected"), "{e}");
    // A hop within the rules is followed.
    assert_eq!(
        lab.get_json(&format!("{url}/to-doc"), false).await.unwrap(),
        json!({"keys": []})
    );
}

#[tokio::test]
async fn answers_are_cut_at_one_mebibyte_while_streaming() {
    let url = lab().await;
    let started = Instant::now();
    let e = Outbound::new(true)
        .get_json(&format!("{url}/huge"), false)
        .await
        .unwrap_err();
    assert_eq!(
        e,
        OutboundError::BadAnswer("the answer is larger than 1 MiB".into())
    );
    // The endless body was cut, not waited for until the 10 s timeout.
    assert!(started.elapsed() < Duration::from_secs(9));
}

#[tokio::test]
async fn errors_do_not_tell_which_internal_ports_are_open() {
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let e = Outbound::new(true)
        .get_json(&format!("http://{closed}/doc"), false)
        .await
        .unwrap_err();
    assert_eq!(
        e,
        OutboundError::Unreachable("the provider could not be reached".into())
    );
    assert!(!e.to_string().to_lowercase().contains("refused"));
}

#[tokio::test]
async fn one_providers_slow_key_set_does_not_hold_up_another() {
    let url = lab().await;
    let cache = std::sync::Arc::new(JwksCache::new(Outbound::new(true)));
    let slow = {
        let (cache, url) = (cache.clone(), url.clone());
        tokio::spawn(async move { cache.key(&format!("{url}/slow"), None, true).await })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    let fast = cache.key(&format!("{url}/doc"), None, true).await;
    assert!(fast.is_err(), "an empty set has no key");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "waited {:?} behind the slow provider",
        started.elapsed()
    );
    assert!(!slow.is_finished());
    let _ = slow.await;
}

#[tokio::test]
async fn import_from_discovery_refuses_private_addresses_by_default() {
    let app = crate::helpers::TestApp::new_strict().await;
    let url = lab().await.replace("http://", "https://");
    let e = app
        .backend
        .import_discovery(&format!("{url}/doc"))
        .await
        .unwrap_err();
    let text = e.to_string();
    assert!(text.contains("private"), "{text}");
}
