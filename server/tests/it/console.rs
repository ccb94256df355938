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
        app.call("switch_tenant", &[("tenant_id", &other.id)], Some(&s))
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
        .call("login_target", &[("tenant_id", &other.id)], None)
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
