//! The Provisioning log as an admin troubleshoots with it: requests refused for their token are
//! recorded per tenant with the reason (never the token), list filters read as words, resources
//! by name with their page, failures' status words, paging, and one user's history.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::json;

use crate::helpers::TestApp;
use crate::scim::Scim;

/// A SCIM request to `tenant` with the given Authorization header (or none).
async fn send_as(app: &TestApp, tenant: &str, auth: Option<&str>, path: &str) -> StatusCode {
    let mut r = Request::builder().uri(format!("/scim/v2/{tenant}{path}"));
    if let Some(a) = auth {
        r = r.header(header::AUTHORIZATION, a);
    }
    app.send(r.body(Body::empty()).unwrap()).await.status
}

async fn page(app: &TestApp, scim: &Scim<'_>) -> app::domain::provisioning::ActivityPage {
    app.backend.activity.flush().await;
    app.backend
        .activity_page(&scim.tenant, false, None, 1)
        .await
        .unwrap()
}

#[tokio::test]
async fn refused_tokens_are_logged_with_the_reason_and_never_the_token() {
    let app = TestApp::new().await;
    let scim = Scim::new(&app).await;
    let tenant = scim.tenant.to_string();
    let probe = "/Users?filter=userName+eq+%22AzureAD_probe_1234%22";

    // Missing, unknown, revoked and expired: each a 401 that says nothing about why.
    assert_eq!(
        send_as(&app, &tenant, None, probe).await,
        StatusCode::UNAUTHORIZED
    );
    let made_up = "Bearer cantara_pt_not-a-real-token";
    assert_eq!(
        send_as(&app, &tenant, Some(made_up), probe).await,
        StatusCode::UNAUTHORIZED
    );
    let revoked = app
        .backend
        .create_provisioning_token(&scim.tenant, "Entra production", None)
        .await
        .unwrap();
    app.backend
        .revoke_provisioning_token(&scim.tenant, &revoked.info.id)
        .await
        .unwrap();
    let auth = format!("Bearer {}", revoked.secret);
    assert_eq!(
        send_as(&app, &tenant, Some(&auth), probe).await,
        StatusCode::UNAUTHORIZED
    );
    let expiring = app
        .backend
        .create_provisioning_token(&scim.tenant, "short", Some(1))
        .await
        .unwrap();
    sqlx::query("UPDATE provisioning_token SET expires_at = 1000 WHERE token_id = $1")
        .bind(&expiring.info.id)
        .execute(&app.backend.db.pool)
        .await
        .unwrap();
    let auth_expired = format!("Bearer {}", expiring.secret);
    assert_eq!(
        send_as(&app, &tenant, Some(&auth_expired), "/Groups").await,
        StatusCode::UNAUTHORIZED
    );

    let p = page(&app, &scim).await;
    assert_eq!(p.total, 4);
    let details: Vec<String> = p
        .entries
        .iter()
        .map(|e| e.detail.clone().unwrap())
        .collect();
    assert!(details[3].contains("no bearer token"), "{}", details[3]);
    assert!(
        details[2].contains("not a provisioning token of this tenant"),
        "{}",
        details[2]
    );
    assert!(details[1].contains("was revoked on 20"), "{}", details[1]);
    assert!(details[1].contains("“Entra production”"), "{}", details[1]);
    assert!(
        details[0].contains("expired on 1970-01-01 00:16:40 UTC"),
        "{}",
        details[0]
    );
    assert!(p.entries.iter().all(|e| e.status == 401));
    // The Test Connection probe reads as a lookup, its filter in words.
    assert!(p.entries[1].is_user_lookup());
    assert_eq!(
        p.entries[1].filter_words.as_deref(),
        Some("userName is “AzureAD_probe_1234”")
    );
    // The newest refusal is called out while nothing has succeeded since.
    let refused = p.refused.expect("the refusal is called out");
    assert!(refused.detail.unwrap().contains("expired"));

    // No token, nor any part of one, is stored.
    let all: String = sqlx::query_scalar::<_, String>(
        "SELECT method || path || COALESCE(detail, '') || COALESCE(filter, '') FROM provisioning_event",
    )
    .fetch_all(&app.backend.db.pool)
    .await
    .unwrap()
    .concat();
    for secret in [
        revoked.secret.as_str(),
        expiring.secret.as_str(),
        "not-a-real-token",
    ] {
        assert!(!all.contains(secret));
    }

    // A success clears the call-out; the refusals stay in the log.
    assert_eq!(scim.req("GET", "/Users", None).await.status, StatusCode::OK);
    let p = page(&app, &scim).await;
    assert!(p.refused.is_none());
    assert_eq!(p.total, 5);
}

#[tokio::test]
async fn refusals_for_unknown_tenants_are_dropped_and_a_flood_is_capped() {
    let app = TestApp::new().await;
    let scim = Scim::new(&app).await;
    assert_eq!(
        send_as(&app, "no-such-tenant", None, "/Users").await,
        StatusCode::UNAUTHORIZED
    );
    let tenant = scim.tenant.to_string();
    for _ in 0..60 {
        send_as(&app, &tenant, Some("Bearer junk"), "/Users").await;
    }
    app.backend.activity.flush().await;
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM provisioning_event")
        .fetch_one(&app.backend.db.pool)
        .await
        .unwrap();
    let cap = i64::from(app::backend::activity::REFUSALS_PER_MINUTE);
    // (One more may have been let through if the burst took over two seconds.)
    assert!(
        (cap..=cap + 1).contains(&stored),
        "a minute's burst is capped at {cap}, and the unknown tenant got nothing: {stored}"
    );
}

#[tokio::test]
async fn the_log_names_resources_reads_filters_and_pages() {
    let app = TestApp::new().await;
    let scim = Scim::new(&app).await;
    let id = scim.create_user("ada@contoso.com").await;
    scim.req(
        "GET",
        "/Users?filter=emails%5Btype+eq+%22work%22%5D.value+eq+%22ada%40contoso.com%22",
        None,
    )
    .await;
    // A PATCH with an unknown op: refused in plain words, no Rust debug text.
    let bad = scim
        .req(
            "PATCH",
            &format!("/Users/{id}"),
            Some(json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{"op": "frobnicate", "path": "x"}]
            })),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(!bad.body.contains("Some("), "{}", bad.body);
    assert!(bad.body.contains("not “frobnicate”"), "{}", bad.body);
    for i in 0..55 {
        scim.req("GET", &format!("/Users?startIndex={}", i + 1), None)
            .await;
    }
    let p = page(&app, &scim).await;
    assert_eq!(p.total, 58);
    assert_eq!((p.entries.len(), p.per_page, p.page), (50, 50, 1));
    let second = app
        .backend
        .activity_page(&scim.tenant, false, None, 2)
        .await
        .unwrap();
    assert_eq!(second.entries.len(), 8);
    let post = second.entries.last().unwrap();
    assert_eq!((post.method.as_str(), post.status), ("POST", 201));
    let named = post.resource.clone().unwrap();
    assert_eq!(named.name, "ada@contoso.com");
    assert_eq!(named.href.as_deref(), Some(format!("/users/{id}").as_str()));
    let lookup = &second.entries[6];
    assert_eq!(
        lookup.filter_words.as_deref(),
        Some("emails has an entry where type is “work” and value is “ada@contoso.com”")
    );
    let patch = &second.entries[5];
    assert_eq!(patch.status, 400);
    assert!(!patch.detail.clone().unwrap().contains("Some("));

    // Ada's history: the requests that touched her account, and nothing else.
    let history = app
        .backend
        .activity_page(&scim.tenant, false, Some(&id), 1)
        .await
        .unwrap();
    assert_eq!(history.total, 2, "{:?}", history.entries);
    assert!(history
        .entries
        .iter()
        .all(|e| e.resource.as_ref().is_some_and(|r| r.id == id)));
    // Failures only.
    let failures = app
        .backend
        .activity_page(&scim.tenant, true, None, 1)
        .await
        .unwrap();
    assert_eq!(failures.total, 1);
}

/// A sustained burst (30,000 requests at about 25,000 a second, a SCIM load on a fast machine)
/// is logged without loss: the writer stores full batches as they come instead of waiting for
/// each. (A writer that waited 100 ms per batch kept 2,500 a second and dropped the newest.)
#[tokio::test]
async fn a_sustained_burst_is_logged_without_dropping_events() {
    let app = TestApp::new().await;
    let scim = Scim::new(&app).await;
    let total = 30_000;
    for chunk in 0..30 {
        for i in chunk * 1_000..(chunk + 1) * 1_000 {
            app.backend
                .record_activity(app::backend::activity::ActivityEvent {
                    tenant_id: scim.tenant.clone(),
                    at: app::backend::clock::now(),
                    method: "GET".into(),
                    path: format!("/Users/burst-{i}"),
                    status: 200,
                    resource_id: None,
                    detail: None,
                    filter: None,
                    listed: None,
                });
        }
        tokio::time::sleep(std::time::Duration::from_millis(40)).await;
    }
    app.backend.activity.flush().await;
    let newest = app
        .backend
        .list_activity(&scim.tenant, false, 1_000)
        .await
        .unwrap();
    assert_eq!(newest.len(), 1_000);
    let first_gap = (total - 1_000..total)
        .rev()
        .zip(&newest)
        .find(|(i, e)| e.path != format!("/Users/burst-{i}"));
    assert!(first_gap.is_none(), "events were dropped: {first_gap:?}");
}
