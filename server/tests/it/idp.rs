//! Identity provider server functions over the real router: validation, encryption at rest,
//! keeping the secret on edit, one active per tenant, delete rules, audit, and the CLI way back.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{Reply, TestApp};

fn entra_form(name: &str, secret: &str) -> Value {
    let t = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    json!({
        "name": name, "description": "Contoso workforce", "auth_method": "client_secret_post",
        "client_id": "11111111-2222-3333-4444-555555555555", "client_secret": secret,
        "authorization_url": format!("https://login.microsoftonline.com/{t}/oauth2/v2.0/authorize"),
        "token_url": format!("https://login.microsoftonline.com/{t}/oauth2/v2.0/token"),
        "jwks_url": format!("https://login.microsoftonline.com/{t}/discovery/v2.0/keys"),
        "username_attribute": "preferred_username",
        "issuer_uri": format!("https://login.microsoftonline.com/{t}/v2.0/"),
        "userinfo_url": "", "secure_jwks": true, "logout_url": "", "resource": "", "audience": "",
        "display_name_attribute": "name", "grant_type": "authorization_code", "scopes": "openid, profile email",
        "provider_display_name": "Microsoft Entra ID", "pkce_enabled": true, "refresh_tokens_enabled": false,
        "create_users": true,
    })
}

async fn save(app: &TestApp, cookie: &str, id: Option<&str>, form: Value) -> Reply {
    let req = Request::post("/api/save_identity_provider")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT, "application/json")
        .header(header::COOKIE, format!("cantara_session={cookie}"))
        .body(Body::from(json!({"id": id, "form": form}).to_string()))
        .unwrap();
    app.send(req).await
}

#[tokio::test]
async fn saving_validates_encrypts_and_keeps_the_secret_on_edit() {
    let app = TestApp::new().await;
    let s = app.admin_session().await;

    let mut bad = entra_form("Entra", "");
    bad["token_url"] = json!("http://idp.example/token");
    bad["grant_type"] = json!("password");
    let r = save(&app, &s, None, bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let fields: Vec<String> = r.json()["InvalidForm"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(fields, ["client_secret", "token_url", "grant_type"]);
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM identity_provider")
        .fetch_one(&app.backend.db.pool)
        .await
        .unwrap();
    assert_eq!(count, 0, "nothing saved");

    let r = save(&app, &s, None, entra_form("Entra", "Sup3r~Secret.Value")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        !r.body.contains("Sup3r~Secret.Value"),
        "the secret never comes back"
    );
    let v = r.json();
    let id = v["id"].as_str().unwrap().to_owned();
    assert_eq!(v["has_secret"], true);
    assert_eq!(v["active"], false);
    assert_eq!(v["form"]["client_secret"], "");
    assert_eq!(v["form"]["scopes"], "openid profile email");
    assert_eq!(
        v["form"]["issuer_uri"],
        "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0"
    );

    let stored: String = sqlx::query_scalar("SELECT client_secret_enc FROM identity_provider")
        .fetch_one(&app.backend.db.pool)
        .await
        .unwrap();
    assert!(!stored.contains("Sup3r"), "encrypted at rest");
    assert_eq!(
        app.backend
            .identity_provider_secret(
                &app.default_tenant,
                &app::domain::ids::IdpId::from(id.as_str())
            )
            .await
            .unwrap(),
        "Sup3r~Secret.Value"
    );

    // Editing with an empty secret keeps the stored one; the change is audited without it.
    let mut edit = entra_form("Entra", "");
    edit["description"] = json!("Renamed");
    let r = save(&app, &s, Some(&id), edit).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        app.backend
            .identity_provider_secret(
                &app.default_tenant,
                &app::domain::ids::IdpId::from(id.as_str())
            )
            .await
            .unwrap(),
        "Sup3r~Secret.Value"
    );
    let r = save(&app, &s, Some(&id), entra_form("Entra", "N3w-Secret")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        app.backend
            .identity_provider_secret(
                &app.default_tenant,
                &app::domain::ids::IdpId::from(id.as_str())
            )
            .await
            .unwrap(),
        "N3w-Secret"
    );
    let audit = app
        .call("identity_provider_audit", &[("id", &id)], Some(&s))
        .await;
    assert!(
        audit
            .body
            .contains("Description: “Contoso workforce” → “Renamed”"),
        "{}",
        audit.body
    );
    assert!(audit.body.contains("Client Secret: changed"));
    assert!(
        !audit.body.contains("N3w-Secret") && !audit.body.contains("Sup3r"),
        "no secret in the audit trail"
    );

    let dup = save(&app, &s, None, entra_form("Entra", "x")).await;
    assert_eq!(dup.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn one_active_per_tenant_delete_rules_and_cli_deactivation() {
    let app = TestApp::new().await;
    let s = app.admin_session().await;
    let a = save(&app, &s, None, entra_form("A", "x")).await.json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let b = save(&app, &s, None, entra_form("B", "y")).await.json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        app.call("activate_identity_provider", &[("id", &a)], Some(&s))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.call("activate_identity_provider", &[("id", &b)], Some(&s))
            .await
            .status,
        StatusCode::OK
    );
    let list = app.call("identity_providers", &[], Some(&s)).await.json();
    let active: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["active"] == true)
        .map(|i| i["form"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(active, ["B"], "activating B deactivated A");

    let r = app
        .call("delete_identity_provider", &[("id", &b)], Some(&s))
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the active one cannot be deleted"
    );
    assert_eq!(
        app.call("delete_identity_provider", &[("id", &a)], Some(&s))
            .await
            .status,
        StatusCode::OK
    );

    // Local sign-in keeps working with an active IdP (no lockout).
    assert_eq!(
        app.login("admin", crate::helpers::ADMIN_PASSWORD)
            .await
            .status,
        StatusCode::OK
    );

    // Another tenant cannot see or touch it.
    let other = app.backend.create_tenant("Other").await.unwrap();
    app.call(
        "switch_tenant",
        &[("tenant_id", other.id.as_str())],
        Some(&s),
    )
    .await;
    assert_eq!(
        app.call("identity_provider", &[("id", &b)], Some(&s))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.call("activate_identity_provider", &[("id", &b)], Some(&s))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    assert_eq!(
        app.backend
            .deactivate_identity_provider(&app.default_tenant, "cli", None)
            .await
            .unwrap(),
        1
    );
    let view = app
        .backend
        .get_identity_provider(
            &app.default_tenant,
            &app::domain::ids::IdpId::from(b.as_str()),
        )
        .await
        .unwrap();
    assert!(!view.active);
    let audit = app
        .backend
        .identity_provider_audit(
            &app.default_tenant,
            &app::domain::ids::IdpId::from(b.as_str()),
        )
        .await
        .unwrap();
    let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["deactivated", "activated", "saved"]);
    assert_eq!(audit[0].actor, "cli");
    assert_eq!(
        app.call("identity_providers", &[], None).await.status,
        StatusCode::UNAUTHORIZED
    );
}

/// A provider's metadata endpoints on a local port (what "Import" and "Check" fetch).
async fn metadata_server() -> String {
    use axum::routing::get;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let issuer = format!("{base}/contoso/v2.0");
    let doc = json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{base}/contoso/oauth2/v2.0/authorize"),
        "token_endpoint": format!("{base}/contoso/oauth2/v2.0/token"),
        "jwks_uri": format!("{base}/contoso/discovery/v2.0/keys"),
        "end_session_endpoint": format!("{base}/contoso/oauth2/v2.0/logout"),
    });
    let app = axum::Router::new()
        .route("/contoso/v2.0/.well-known/openid-configuration", get(move || async move { axum::Json(doc) }))
        .route("/contoso/discovery/v2.0/keys", get(|| async {
            axum::Json(json!({"keys": [{"kty": "RSA", "use": "sig", "kid": "k1", "n": "sXch", "e": "AQAB"}]}))
        }));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

#[tokio::test]
async fn import_from_discovery_and_check_configuration() {
    let app = TestApp::new().await;
    let s = app.admin_session().await;
    let base = metadata_server().await;

    let r = app
        .call(
            "import_discovery",
            &[("url", &format!("{base}/contoso/v2.0"))],
            Some(&s),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let d = r.json();
    assert_eq!(d["token_url"], format!("{base}/contoso/oauth2/v2.0/token"));
    assert_eq!(
        d["logout_url"],
        format!("{base}/contoso/oauth2/v2.0/logout")
    );
    let bad = app
        .call(
            "import_discovery",
            &[("url", &format!("{base}/nothing-here"))],
            Some(&s),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("HTTP 404"), "{}", bad.body);

    let mut form = entra_form("Local", "secret");
    for (k, v) in [
        ("issuer_uri", &d["issuer"]),
        ("authorization_url", &d["authorization_url"]),
        ("token_url", &d["token_url"]),
        ("jwks_url", &d["jwks_url"]),
    ] {
        form[k] = v.clone();
    }
    let id = save(&app, &s, None, form.clone()).await.json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let check = |id: Option<String>, form: Value| {
        let req = Request::post("/api/check_identity_provider")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::COOKIE, format!("cantara_session={s}"))
            .body(Body::from(json!({"id": id, "form": form}).to_string()))
            .unwrap();
        app.send(req)
    };
    let items = check(Some(id.clone()), form.clone()).await.json();
    let all: Vec<(String, bool)> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["name"].as_str().unwrap().to_owned(),
                i["passed"].as_bool().unwrap(),
            )
        })
        .collect();
    assert!(all.iter().all(|(_, ok)| *ok), "{items}");
    assert_eq!(all.len(), 6);
    let view = app
        .backend
        .get_identity_provider(
            &app.default_tenant,
            &app::domain::ids::IdpId::from(id.as_str()),
        )
        .await
        .unwrap();
    assert_eq!(
        view.last_check.map(|c| c.1),
        Some(true),
        "remembered for the activation dialog"
    );

    let mut wrong = form.clone();
    wrong["token_url"] = json!(format!("{base}/elsewhere/token"));
    wrong["jwks_url"] = json!(format!("{base}/missing/keys"));
    let items = check(Some(id.clone()), wrong).await.json();
    let failed: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["passed"] == false)
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        failed,
        ["Access Token URL", "JSON Web Key Set URL", "Key set (JWKS)"]
    );
    let view = app
        .backend
        .get_identity_provider(
            &app.default_tenant,
            &app::domain::ids::IdpId::from(id.as_str()),
        )
        .await
        .unwrap();
    assert_eq!(view.last_check.map(|c| c.1), Some(false));
}

#[tokio::test]
async fn a_new_endpoint_needs_the_client_secret_again() {
    let app = TestApp::new().await;
    let s = app.admin_session().await;
    let r = save(&app, &s, None, entra_form("Entra", "Sup3r~Secret.Value")).await;
    let id = r.json()["id"].as_str().unwrap().to_owned();
    for field in [
        "authorization_url",
        "token_url",
        "userinfo_url",
        "jwks_url",
        "issuer_uri",
    ] {
        let mut moved = entra_form("Entra", "");
        moved[field] = json!("https://attacker.example/collect");
        let r = save(&app, &s, Some(&id), moved).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {}",
            r.body
        );
        assert!(
            r.body.contains("client_secret") && r.body.contains("Enter the Client Secret again"),
            "{field}: {}",
            r.body
        );
    }
    let stored = app
        .backend
        .get_identity_provider(
            &app.default_tenant,
            &app::domain::ids::IdpId::from(id.as_str()),
        )
        .await
        .unwrap();
    assert_eq!(
        stored.form.token_url,
        entra_form("Entra", "")["token_url"].as_str().unwrap(),
        "nothing saved"
    );
    // With the secret typed again, the new address is accepted.
    let mut moved = entra_form("Entra", "N3w-Secret");
    moved["token_url"] = json!("https://login.example.org/token");
    let r = save(&app, &s, Some(&id), moved).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}
