//! Provisioning health from recorded traffic and the clock: not configured, healthy, degraded
//! (failures above 5 %), failing (most requests refused), silent (provisioning had run and two
//! cycles passed without a request), with the counts and the most frequent failure.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::json;

use app::domain::provisioning_health::HealthState;

use crate::helpers::TestApp;
use crate::scim::Scim;

/// Records `n` requests of `status` at `at` as the activity log stores them.
pub(crate) async fn record(app: &TestApp, n: usize, status: i64, detail: Option<&str>, at: i64) {
    for _ in 0..n {
        sqlx::query(
            "INSERT INTO provisioning_event (tenant_id, at, method, path, status, resource_id, detail) \
             VALUES ($1, $2, 'POST', '/Users', $3, NULL, $4)",
        )
        .bind(&app.default_tenant)
        .bind(at)
        .bind(status)
        .bind(detail)
        .execute(&app.backend.db.pool)
        .await
        .unwrap();
    }
}

fn now() -> i64 {
    app::backend::clock::now()
}

#[tokio::test]
async fn every_health_state_from_recorded_traffic_and_the_clock() {
    let app = TestApp::new().await;
    let tenant = app.default_tenant.clone();
    let health = || async { app.backend.provisioning_health(&tenant).await.unwrap() };

    let h = health().await;
    assert_eq!(h.state, HealthState::NotConfigured);
    assert_eq!((h.hour_requests, h.day_requests), (0, 0));

    // Entra's traffic over the real router: healthy.
    let scim = Scim::new(&app).await;
    let user = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "a@contoso.example", "active": true});
    assert_eq!(
        scim.req("POST", "/Users", Some(user)).await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        scim.req(
            "GET",
            "/Users?filter=userName+eq+%22a%40contoso.example%22",
            None
        )
        .await
        .status,
        StatusCode::OK
    );
    app.backend.activity.flush().await;
    let h = health().await;
    assert_eq!(h.state, HealthState::Healthy, "{}", h.reason);
    assert_eq!((h.hour_requests, h.hour_failures), (2, 0));
    assert_eq!(h.reason, "The last 2 requests succeeded.");

    // More than 5 % of the last 100 refused: degraded, with the most frequent failure.
    let t = now();
    record(&app, 92, 200, None, t).await;
    record(&app, 6, 400, Some("userName is required."), t).await;
    let h = health().await;
    assert_eq!(h.state, HealthState::Degraded, "{}", h.reason);
    assert_eq!(
        h.reason,
        "6 of the last 100 requests were refused: userName is required. — check the attribute mapping."
    );
    let top = h.top_failure.clone().unwrap();
    assert_eq!(
        (top.count, top.status, top.example.method.as_str()),
        (6, 400, "POST")
    );
    assert_eq!(
        (h.hour_requests, h.hour_failures, h.day_failures),
        (100, 6, 6)
    );

    // Most of the last requests refused for their token: failing.
    for _ in 0..60 {
        let r = Request::builder()
            .uri(format!("/scim/v2/{tenant}/Users"))
            .header(header::AUTHORIZATION, "Bearer cantara_pt_mistyped")
            .body(Body::empty())
            .unwrap();
        assert_eq!(app.send(r).await.status, StatusCode::UNAUTHORIZED);
    }
    app.backend.activity.flush().await;
    // At most 30 refusals a minute are recorded: with the six 400s, 36 of the last 100.
    let h = health().await;
    assert_eq!(h.state, HealthState::Degraded, "{}", h.reason);
    assert!(h.reason.starts_with("36 of the last 100 requests were refused: Refused: the bearer token is not a provisioning token"), "{}", h.reason);
    // The next minutes' refusals make them most of the last requests: failing.
    let unknown = app::domain::provisioning::TokenRefusal::Unknown.describe();
    record(&app, 30, 401, Some(&unknown), now()).await;
    let h = health().await;
    assert_eq!(h.state, HealthState::Failing, "{}", h.reason);
    assert!(
        h.reason
            .starts_with("66 of the last 100 requests were refused"),
        "{}",
        h.reason
    );
    assert!(
        h.reason
            .ends_with("— check the Secret Token in Entra (Provisioning → Admin Credentials)."),
        "{}",
        h.reason
    );
    let top = h.top_failure.unwrap();
    assert_eq!((top.status, top.count), (401, 60));

    // Then quiet for more than two of Entra's cycles, after provisioning had run: silent.
    sqlx::query("UPDATE provisioning_event SET at = at - 10800 WHERE tenant_id = $1")
        .bind(&tenant)
        .execute(&app.backend.db.pool)
        .await
        .unwrap();
    record(&app, 100, 200, None, now() - 3 * 3600).await;
    let h = health().await;
    assert_eq!(h.state, HealthState::Silent, "{}", h.reason);
    assert!(
        h.reason.starts_with("No request for 180 minutes"),
        "{}",
        h.reason
    );
    assert_eq!((h.hour_requests, h.day_requests), (0, 260));

    // The console asks for it as Provisioning Administration.
    let cookie = app.admin_session().await;
    let r = app.call("provisioning_health", &[], Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["state"], "Silent");
}
