//! The console's server functions over the real router: tenants, the viewer, switching.

use axum::http::StatusCode;

use crate::helpers::TestApp;

#[tokio::test]
async fn tenants_are_created_listed_and_validated() {
    let app = TestApp::new().await;
    let s = app.admin_session().await;

    let r = app
        .call("create_tenant", &[("name", "  Contoso ")], Some(&s))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let t = r.json();
    let id = t["id"].as_str().unwrap().to_owned();
    assert_eq!(t["name"], "Contoso");
    assert_eq!(t["scim_url"], format!("http://127.0.0.1:3000/scim/v2/{id}"));

    let dup = app
        .call("create_tenant", &[("name", "CONTOSO")], Some(&s))
        .await;
    assert_eq!(dup.status, StatusCode::CONFLICT, "{}", dup.body);
    assert_eq!(dup.json()["Conflict"]["field"], "name");
    let empty = app
        .call("create_tenant", &[("name", "   ")], Some(&s))
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(empty.json()["Invalid"]["field"], "name");

    let list = app.call("tenants", &[], Some(&s)).await.json();
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Default", "Contoso"],
        "default first; nothing half-created"
    );

    let page = app.get("/tenants", Some(&s)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Tenants"));
}

#[tokio::test]
async fn the_viewer_switches_between_tenants() {
    let app = TestApp::new().await;
    let s = app.admin_session().await;
    let v = app.call("viewer", &[], Some(&s)).await.json();
    assert_eq!(v["username"], "admin");
    assert_eq!(v["tenant"]["name"], "Default");

    let other = app.backend.create_tenant("Fabrikam").await.unwrap();
    assert_eq!(
        app.call(
            "switch_tenant",
            &[("tenant_id", other.id.as_str())],
            Some(&s)
        )
        .await
        .status,
        StatusCode::OK
    );
    let v = app.call("viewer", &[], Some(&s)).await.json();
    assert_eq!(v["tenant"]["id"], other.id.as_str());
    assert_eq!(v["tenants"].as_array().unwrap().len(), 2);

    let r = app
        .call(
            "switch_tenant",
            &[("tenant_id", "no-such-tenant")],
            Some(&s),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let v = app.call("viewer", &[], Some(&s)).await.json();
    assert_eq!(
        v["tenant"]["id"],
        other.id.as_str(),
        "a failed switch changes nothing"
    );
}

#[tokio::test]
async fn login_pages_name_their_tenant() {
    let app = TestApp::new().await;
    let other = app.backend.create_tenant("Northwind").await.unwrap();
    let r = app
        .call("login_target", &[("tenant_id", other.id.as_str())], None)
        .await
        .json();
    assert_eq!(r["tenant_name"], "Northwind");
    let r = app.call("login_target", &[], None).await.json();
    assert_eq!(r["tenant_name"], "Default");
    let missing = app
        .call("login_target", &[("tenant_id", "nope")], None)
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let page = app.get(&format!("/login/{}", other.id), None).await;
    assert_eq!(page.status, StatusCode::OK);
}

#[tokio::test]
async fn unknown_pages_are_404() {
    let app = TestApp::new().await;
    let s = app.admin_session().await;
    let r = app.get("/no-such-page", Some(&s)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body.contains("This page does not exist"));
}

#[tokio::test]
async fn users_and_groups_pages_search_filter_and_page() {
    let app = TestApp::new().await;
    let s = app.admin_session().await;
    let t = &app.default_tenant;
    for i in 0..60 {
        let body = serde_json::json!({"userName": format!("u{i:02}@contoso.com"), "displayName": format!("User {i}"), "active": i % 10 != 0,
            "emails": [{"type": "work", "value": format!("U{i:02}@Contoso.com")}], "phoneNumbers": [{"type": "mobile", "value": "+1 555"}]});
        let record = app::scim::resource::user_from_body(&body).unwrap();
        app.backend.scim_create_user(t, record).await.unwrap();
    }
    let all = app
        .call(
            "users",
            &[
                ("search", ""),
                ("source", ""),
                ("status", ""),
                ("page", "1"),
            ],
            Some(&s),
        )
        .await
        .json();
    assert_eq!(
        (
            all["total"].as_i64(),
            all["items"].as_array().unwrap().len()
        ),
        (Some(61), 50)
    );
    let second = app
        .call(
            "users",
            &[
                ("search", ""),
                ("source", ""),
                ("status", ""),
                ("page", "2"),
            ],
            Some(&s),
        )
        .await
        .json();
    assert_eq!(second["items"].as_array().unwrap().len(), 11);
    let scim = app
        .call(
            "users",
            &[
                ("search", ""),
                ("source", "scim"),
                ("status", "deactivated"),
                ("page", "1"),
            ],
            Some(&s),
        )
        .await
        .json();
    assert_eq!(scim["total"], 6);
    assert_eq!(scim["items"][0]["source"], "Scim");
    assert_eq!(scim["items"][0]["active"], false);
    let found = app
        .call(
            "users",
            &[
                ("search", "U07@CONTOSO"),
                ("source", ""),
                ("status", ""),
                ("page", "1"),
            ],
            Some(&s),
        )
        .await
        .json();
    assert_eq!(found["total"], 1);
    assert_eq!(found["items"][0]["work_email"], "U07@Contoso.com");
    assert_eq!(found["items"][0]["mobile"], "+1 555");
    let local = app
        .call(
            "users",
            &[
                ("search", ""),
                ("source", "local"),
                ("status", ""),
                ("page", "1"),
            ],
            Some(&s),
        )
        .await
        .json();
    assert_eq!(local["items"][0]["username"], "admin");
    let pct = app
        .call(
            "users",
            &[
                ("search", "%"),
                ("source", ""),
                ("status", ""),
                ("page", "1"),
            ],
            Some(&s),
        )
        .await
        .json();
    assert_eq!(pct["total"], 0, "LIKE wildcards are literal");

    let (record, members) = app::scim::resource::group_from_body(
        &serde_json::json!({"displayName": "Sales", "members": [{"value": "not-a-user"}]}),
    )
    .unwrap();
    let g = app
        .backend
        .scim_create_group(t, record, &members)
        .await
        .unwrap();
    let groups = app
        .call("groups", &[("search", "sal"), ("page", "1")], Some(&s))
        .await
        .json();
    assert_eq!(
        (
            groups["total"].as_i64(),
            groups["items"][0]["members"].as_i64()
        ),
        (Some(1), Some(1))
    );
    let detail = app
        .call("group", &[("id", g.id.as_str()), ("page", "1")], Some(&s))
        .await
        .json();
    assert_eq!(detail["members"]["total"], 1);
    assert_eq!(
        detail["members"]["items"][0]["username"],
        serde_json::Value::Null
    );

    // Another tenant sees none of it; without a session nothing at all.
    let other = app.backend.create_tenant("Other").await.unwrap();
    app.call(
        "switch_tenant",
        &[("tenant_id", other.id.as_str())],
        Some(&s),
    )
    .await;
    assert_eq!(
        app.call(
            "users",
            &[
                ("search", ""),
                ("source", ""),
                ("status", ""),
                ("page", "1")
            ],
            Some(&s)
        )
        .await
        .json()["total"],
        0
    );
    assert_eq!(
        app.call("group", &[("id", g.id.as_str()), ("page", "1")], Some(&s))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.call(
            "users",
            &[
                ("search", ""),
                ("source", ""),
                ("status", ""),
                ("page", "1")
            ],
            None
        )
        .await
        .status,
        StatusCode::UNAUTHORIZED
    );
}
