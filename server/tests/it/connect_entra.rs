//! The Connect Microsoft Entra ID assistant: every status derived from what Cantara saw — a
//! saved provider, a test sign-in that left for the provider and did not come back, one that
//! succeeded (and went back to the assistant), activation, a provisioning token, Entra's Test
//! Connection probe, refused tokens, the first cycle and its failures, the cycle's end by the
//! clock — the attribute mapping check, the identity binding check, and the Users page filters.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::{json, Value};

use app::domain::directory::{SignInFilter, UserQuery};
use app::domain::entra_setup::{EntraSetup, ScimPhase, StepStatus};
use app::domain::identity_binding::{BindingKey, IdentityBinding};
use app::domain::ids::{IdpId, TenantId};

use crate::helpers::TestApp;
use crate::sso::{back, key_a, mint, start_at, Provider};

async fn setup(app: &TestApp) -> EntraSetup {
    app.backend.activity.flush().await;
    app.backend.entra_setup(&app.default_tenant).await.unwrap()
}

fn statuses(s: &EntraSetup) -> [StepStatus; 3] {
    [s.step1.status, s.step2.status, s.step3.status]
}

/// A SCIM request as Entra sends it, with `token`.
async fn scim(
    app: &TestApp,
    token: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> StatusCode {
    let mut r = Request::builder()
        .method(method)
        .uri(format!("/scim/v2/{}{path}", app.default_tenant))
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    if body.is_some() {
        r = r.header(header::CONTENT_TYPE, "application/scim+json");
    }
    let body = body.map(|b| Body::from(b.to_string())).unwrap_or_default();
    app.send(r.body(body).unwrap()).await.status
}

/// A user as Entra provisions it with the guide's mappings, but no mobile phone mapped.
fn user_without_mobile(upn: &str, mail: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": upn, "active": true, "displayName": "Alice Admin", "externalId": "alice",
        "emails": [{"primary": true, "type": "work", "value": mail}],
        "name": {"givenName": "Alice", "familyName": "Admin", "formatted": "Alice Admin"},
        "title": "Engineer",
    })
}

fn users_where(sign_in: SignInFilter) -> UserQuery {
    UserQuery {
        sign_in,
        page: 1,
        ..UserQuery::default()
    }
}

async fn set_test_started(app: &TestApp, secs_ago: i64) {
    sqlx::query("UPDATE sso_pending SET created_at = created_at - $1 WHERE purpose = 'test'")
        .bind(secs_ago)
        .execute(&app.backend.db.pool)
        .await
        .unwrap();
}

#[tokio::test]
async fn each_step_is_derived_from_what_cantara_has_seen() {
    let app = TestApp::new().await;
    let idp = Provider::start().await;
    let tenant: TenantId = app.default_tenant.clone();
    let admin = app.admin_session().await;

    // An empty tenant: nothing started; the page's values are this installation's.
    let s = setup(&app).await;
    assert_eq!(statuses(&s), [StepStatus::NotStarted; 3]);
    assert_eq!(s.redirect_uri, "http://127.0.0.1:3000/oauth");
    assert_eq!(
        s.scim_url,
        format!("http://127.0.0.1:3000/scim/v2/{tenant}")
    );
    assert_eq!(s.step3.phase, ScimPhase::NoToken);
    assert_eq!(s.attributes.users_checked, 0);
    assert!(s.binding.is_none());
    let r = app.call("entra_setup", &[], Some(&admin)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["step1"]["status"], "NotStarted");

    // Step 1's expiry date: a bad date changes nothing, a past one needs attention.
    let bad = app
        .call(
            "set_client_secret_expires",
            &[("secret_expires", "30/06/2027")],
            Some(&admin),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert_eq!(setup(&app).await.step1.secret_expires, None);
    let ok = app
        .call(
            "set_client_secret_expires",
            &[("secret_expires", "2020-01-31")],
            Some(&admin),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let s = setup(&app).await;
    assert_eq!(s.step1.status, StepStatus::NeedsAttention);
    assert!(s.step1.note.unwrap().contains("has expired"));
    app.backend
        .set_client_secret_expires(&tenant, "2999-12-31")
        .await
        .unwrap();

    // Step 2: saved → a test that left for the provider → one that never came back.
    let saved = app
        .backend
        .save_identity_provider(&tenant, "admin", None, &idp.form())
        .await
        .unwrap();
    let idp_id = IdpId::from(saved.id.as_str());
    let s = setup(&app).await;
    assert_eq!(s.step1.status, StepStatus::Done);
    assert_eq!(s.step2.status, StepStatus::Waiting);
    assert!(
        s.step2.next.contains("Run Test sign-in"),
        "{}",
        s.step2.next
    );
    let started = start_at(
        &app,
        &format!("/oauth/test/{}?return=connect", saved.id),
        Some(&admin),
    )
    .await;
    assert_eq!(setup(&app).await.step2.status, StepStatus::Waiting);
    set_test_started(&app, 120).await;
    let s = setup(&app).await;
    assert_eq!(s.step2.status, StepStatus::NeedsAttention);
    assert!(
        s.step2.next.contains("AADSTS50011")
            && s.step2.next.contains("http://127.0.0.1:3000/oauth"),
        "{}",
        s.step2.next
    );

    // The test comes back (to the assistant, as it was started there) and succeeded.
    idp.issue(
        "c1",
        mint(&key_a(), &idp.claims(&started.nonce)),
        started.param("code_challenge").as_deref(),
    );
    let cookies = format!("{}; cantara_test_return=connect", started.browser);
    let r = back(
        &app,
        &format!("code=c1&state={}", started.state),
        Some(&cookies),
        Some(&admin),
    )
    .await;
    assert_eq!(
        r.header("location"),
        Some("/connect-entra?tested=1"),
        "{}",
        r.body
    );
    assert!(r
        .set_cookie()
        .contains("cantara_test_return=; Path=/oauth; HttpOnly; SameSite=Lax; Max-Age=0"));
    let s = setup(&app).await;
    assert_eq!(s.step2.status, StepStatus::Waiting);
    assert!(s.step2.next.contains("Activate"), "{}", s.step2.next);
    assert_eq!(s.binding, Some(IdentityBinding::NothingProvisioned));
    app.backend
        .activate_identity_provider(&tenant, "admin", &idp_id)
        .await
        .unwrap();
    let s = setup(&app).await;
    assert_eq!([s.step1.status, s.step2.status], [StepStatus::Done; 2]);
    assert_eq!(
        s.step2.progress.iter().filter(|(_, done)| *done).count(),
        3,
        "{:?}",
        s.step2.progress
    );

    // Step 3: a token → waiting for the Test Connection → its probe → waiting for the cycle.
    assert_eq!(s.step3.status, StepStatus::NotStarted);
    let token = app
        .backend
        .create_provisioning_token(&tenant, "Entra", None)
        .await
        .unwrap()
        .secret;
    let s = setup(&app).await;
    assert_eq!(
        (s.step3.status, s.step3.phase.clone()),
        (StepStatus::Waiting, ScimPhase::WaitingForTestConnection)
    );
    assert_eq!(s.step3.message, "Waiting for Entra's Test Connection…");
    // A mistyped token: the Test Connection was refused.
    let probe = "/Users?filter=userName+eq+%2200aa1c1d-7a43-4f57-8e2a-9c1b5c3e1f77%22";
    assert_eq!(
        scim(&app, "cantara_pt_wrong", "GET", probe, None).await,
        StatusCode::UNAUTHORIZED
    );
    let s = setup(&app).await;
    assert_eq!(s.step3.status, StepStatus::NeedsAttention);
    assert!(
        s.step3
            .message
            .starts_with("Entra's Test Connection was refused: Refused"),
        "{}",
        s.step3.message
    );
    assert_eq!(scim(&app, &token, "GET", probe, None).await, StatusCode::OK);
    let s = setup(&app).await;
    assert_eq!(
        (s.step3.status, s.step3.phase.clone()),
        (StepStatus::Waiting, ScimPhase::WaitingForFirstCycle)
    );
    // A query that finds someone is no probe (checked by the unit tests); polling agrees.
    assert_eq!(
        app.backend.provisioning_progress(&tenant).await.unwrap(),
        s.step3
    );

    // The first cycle: a user whose userName differs from the signed-in name, and a group.
    let upn = "alice.admin@contoso.example";
    assert_eq!(
        scim(
            &app,
            &token,
            "POST",
            "/Users",
            Some(user_without_mobile(upn, "alice@contoso.example"))
        )
        .await,
        StatusCode::CREATED
    );
    let group = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Cantara admins"});
    assert_eq!(
        scim(&app, &token, "POST", "/Groups", Some(group)).await,
        StatusCode::CREATED
    );
    let s = setup(&app).await;
    assert_eq!(statuses(&s), [StepStatus::Done; 3]);
    assert!(s.complete());
    assert_eq!(
        s.step3.message,
        "First cycle: 1 user, 1 group (still running)"
    );
    assert_eq!(
        app.backend.entra_setup_steps(&tenant).await.unwrap(),
        [StepStatus::Done; 3]
    );

    // The attribute check: mobile phone missing, with the mapping to add; title removable.
    assert_eq!(s.attributes.users_checked, 1);
    assert_eq!(
        s.attributes.missing,
        vec![(
            "phoneNumbers[type eq \"mobile\"].value".to_owned(),
            "mobile".to_owned()
        )]
    );
    assert_eq!(s.attributes.removable, vec!["title".to_owned()]);
    assert!(!s.attributes.groups_missing);

    // The binding check: the test's alice@contoso.example is provisioned as another userName,
    // found by her e-mail, so Entra's userName mapping is the one to change.
    let Some(IdentityBinding::Mismatch {
        nearest,
        advice,
        signed_in_as,
        ..
    }) = s.binding.clone()
    else {
        panic!("{:?}", s.binding)
    };
    assert_eq!(signed_in_as, "alice@contoso.example");
    assert_eq!(nearest.as_deref(), Some(upn));
    assert!(
        advice.contains("map userName from userPrincipalName"),
        "{advice}"
    );
    // The identity provider's page tells the same.
    let view = app
        .backend
        .identity_provider_page(&tenant, &idp_id)
        .await
        .unwrap();
    assert_eq!(view.binding, s.binding);

    // A failed request in the first cycle needs attention, with the count.
    let nameless = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "displayName": "No name"});
    assert_eq!(
        scim(&app, &token, "POST", "/Users", Some(nameless)).await,
        StatusCode::BAD_REQUEST
    );
    let s = setup(&app).await;
    assert_eq!(s.step3.status, StepStatus::NeedsAttention);
    assert_eq!(
        s.step3.message,
        "First cycle: 1 user, 1 group, 1 failed request (still running)"
    );
    assert!(!s.complete());

    // Twenty minutes of quiet end the first cycle: what follows counts no more.
    sqlx::query("UPDATE provisioning_milestone SET cycle_last_at = cycle_last_at - 3600")
        .execute(&app.backend.db.pool)
        .await
        .unwrap();
    let mut matching = user_without_mobile("alice@contoso.example", "alice@contoso.example");
    matching["externalId"] = json!("alice-2");
    assert_eq!(
        scim(&app, &token, "POST", "/Users", Some(matching)).await,
        StatusCode::CREATED
    );
    let s = setup(&app).await;
    assert_eq!(
        s.step3.message,
        "First cycle: 1 user, 1 group, 1 failed request"
    );
    // Now an account has the signed-in username: SSO and SCIM meet on it.
    match &s.binding {
        Some(IdentityBinding::Matched { username, by, .. }) => {
            assert_eq!(username, "alice@contoso.example");
            assert_eq!(*by, BindingKey::UserName);
        }
        other => panic!("{other:?}"),
    }

    // The Users page filters: provisioned but never signed in are both SCIM accounts.
    let never = app
        .backend
        .list_users(
            &tenant,
            &users_where(SignInFilter::ProvisionedNeverSignedIn),
        )
        .await
        .unwrap();
    let names: Vec<_> = never.items.iter().map(|u| u.username.as_str()).collect();
    assert_eq!(
        names,
        vec!["alice.admin@contoso.example", "alice@contoso.example"]
    );
    let sso_only = app
        .backend
        .list_users(&tenant, &users_where(SignInFilter::SsoNotProvisioned))
        .await
        .unwrap();
    assert_eq!(sso_only.total, 0);
    // A person signs in whom Entra never provisioned: an SSO account, found by the filter; the
    // one who signed in with her provisioned account leaves the "never signed in" list.
    let s1 = start_at(&app, &format!("/oauth/start/{tenant}"), None).await;
    let mut carol = idp.claims(&s1.nonce);
    carol["preferred_username"] = json!("carol@contoso.example");
    carol["oid"] = json!("cccccccc-0000-0000-0000-000000000003");
    idp.issue(
        "c2",
        mint(&key_a(), &carol),
        s1.param("code_challenge").as_deref(),
    );
    let r = back(
        &app,
        &format!("code=c2&state={}", s1.state),
        Some(&s1.browser),
        None,
    )
    .await;
    assert_eq!(r.header("location"), Some("/"), "{}", r.body);
    let s2 = start_at(&app, &format!("/oauth/start/{tenant}"), None).await;
    idp.issue(
        "c3",
        mint(&key_a(), &idp.claims(&s2.nonce)),
        s2.param("code_challenge").as_deref(),
    );
    let r = back(
        &app,
        &format!("code=c3&state={}", s2.state),
        Some(&s2.browser),
        None,
    )
    .await;
    assert_eq!(r.header("location"), Some("/"), "{}", r.body);
    let sso_only = app
        .backend
        .list_users(&tenant, &users_where(SignInFilter::SsoNotProvisioned))
        .await
        .unwrap();
    assert_eq!(
        sso_only
            .items
            .iter()
            .map(|u| u.username.as_str())
            .collect::<Vec<_>>(),
        vec!["carol@contoso.example"]
    );
    let never = app
        .backend
        .list_users(
            &tenant,
            &users_where(SignInFilter::ProvisionedNeverSignedIn),
        )
        .await
        .unwrap();
    assert_eq!(
        never
            .items
            .iter()
            .map(|u| u.username.as_str())
            .collect::<Vec<_>>(),
        vec!["alice.admin@contoso.example"]
    );
    let r = app
        .call(
            "users",
            &[
                ("search", ""),
                ("source", ""),
                ("status", ""),
                ("page", "1"),
                ("sign_in", "sso_not_provisioned"),
            ],
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["total"], 1);
}

#[tokio::test]
async fn the_assistant_is_for_identity_provider_or_provisioning_admins_only() {
    let app = TestApp::new().await;
    app.add_local_user("nobody", "Nobody", "nobody-password-1")
        .await;
    let cookie = app
        .login("nobody", "nobody-password-1")
        .await
        .session_cookie()
        .unwrap();
    for name in ["entra_setup", "entra_setup_steps", "entra_setup_progress"] {
        let r = app.call(name, &[], Some(&cookie)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{name}: {}", r.body);
        assert!(r.body.contains("connect Microsoft Entra ID"), "{}", r.body);
    }
    let r = app
        .call(
            "set_client_secret_expires",
            &[("secret_expires", "2030-01-01")],
            Some(&cookie),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Nothing was written by the refused call.
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM entra_setup")
        .fetch_one(&app.backend.db.pool)
        .await
        .unwrap();
    assert_eq!(rows, 0);
    assert_eq!(
        app.call("entra_setup", &[], None).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn expiry_reminders_go_to_the_admins_who_can_act_on_them() {
    use app::domain::expiry::{Expiring, Urgency};
    use app::domain::permission::{Grants, Permission, PermissionSet};
    let app = TestApp::new().await;
    let tenant = app.default_tenant.clone();
    let now = app::backend::clock::now();
    let day = 86_400;
    let date = |at: i64| {
        app::domain::time::format_utc(at)
            .chars()
            .take(10)
            .collect::<String>()
    };
    // The secret expires at the start of the day five days from now; one token in two days, one
    // expired three days ago, one in sixty days (too far for a reminder), one revoked.
    app.backend
        .set_client_secret_expires(&tenant, &date(now + 5 * day + day))
        .await
        .unwrap();
    let mut tokens = vec![];
    for (name, days) in [("soon", 2), ("expired", -3), ("far", 60), ("revoked", 1)] {
        let t = app
            .backend
            .create_provisioning_token(&tenant, name, Some(1))
            .await
            .unwrap();
        sqlx::query("UPDATE provisioning_token SET expires_at = $1 WHERE token_id = $2")
            .bind(now + days * day)
            .bind(&t.info.id)
            .execute(&app.backend.db.pool)
            .await
            .unwrap();
        tokens.push(t);
    }
    app.backend
        .revoke_provisioning_token(&tenant, &tokens[3].info.id)
        .await
        .unwrap();

    let everyone = Grants {
        permissions: PermissionSet::all(),
        ..Grants::default()
    };
    let all = app
        .backend
        .expiry_notices(&tenant, &everyone)
        .await
        .unwrap();
    let seen: Vec<(Expiring, Urgency)> = all.iter().map(|n| (n.what, n.urgency)).collect();
    assert_eq!(
        seen,
        vec![
            (Expiring::ProvisioningToken, Urgency::Expired),
            (Expiring::ProvisioningToken, Urgency::Week),
            (Expiring::ClientSecret, Urgency::Week),
        ]
    );
    assert!(
        all[0]
            .message
            .starts_with("The provisioning token “expired” expired on"),
        "{}",
        all[0].message
    );
    assert!(
        all[1]
            .message
            .starts_with("The provisioning token “soon” expires in 2 days"),
        "{}",
        all[1].message
    );
    assert!(
        all[2]
            .message
            .starts_with("The client secret of Microsoft Entra ID expires in "),
        "{}",
        all[2].message
    );

    let provisioning_only = Grants {
        permissions: PermissionSet::only(Permission::Provisioning),
        ..Grants::default()
    };
    let mine = app
        .backend
        .expiry_notices(&tenant, &provisioning_only)
        .await
        .unwrap();
    assert!(mine.iter().all(|n| n.what == Expiring::ProvisioningToken) && mine.len() == 2);
    let idp_only = Grants {
        permissions: PermissionSet::only(Permission::IdentityProviders),
        ..Grants::default()
    };
    let mine = app
        .backend
        .expiry_notices(&tenant, &idp_only)
        .await
        .unwrap();
    assert_eq!(
        mine.iter().map(|n| n.what).collect::<Vec<_>>(),
        vec![Expiring::ClientSecret]
    );
    // Over HTTP as the admin.
    let cookie = app.admin_session().await;
    let r = app.call("expiry_notices", &[], Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json().as_array().unwrap().len(), 3);
}
