//! SCIM over the real router: an Entra provisioning cycle, tenant isolation, uniqueness,
//! all-or-nothing PATCH, concurrent member PATCHes, filters, paging, and the activity log.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{Reply, TestApp};

const SCIM: &str = "application/scim+json";
const PATCH: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

pub struct Scim<'a> {
    pub app: &'a TestApp,
    pub tenant: app::domain::ids::TenantId,
    pub token: String,
}

impl<'a> Scim<'a> {
    pub async fn new(app: &'a TestApp) -> Self {
        let tenant = app.default_tenant.clone();
        let token = app
            .backend
            .create_provisioning_token(&tenant, "test", None)
            .await
            .unwrap()
            .secret;
        Self { app, tenant, token }
    }

    pub async fn req(&self, method: &str, path: &str, body: Option<Value>) -> Reply {
        let mut r = Request::builder()
            .method(method)
            .uri(format!("/scim/v2/{}{path}", self.tenant))
            .header(header::AUTHORIZATION, format!("Bearer {}", self.token));
        if body.is_some() {
            r = r.header(header::CONTENT_TYPE, SCIM);
        }
        let reply = self
            .app
            .send(
                r.body(body.map(|b| Body::from(b.to_string())).unwrap_or_default())
                    .unwrap(),
            )
            .await;
        if reply.status != StatusCode::NO_CONTENT {
            assert_eq!(
                reply.header("content-type"),
                Some(SCIM),
                "{method} {path}: {}",
                reply.body
            );
        }
        reply
    }

    pub async fn create_user(&self, name: &str) -> String {
        let r = self.req("POST", "/Users", Some(entra_user(name))).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        r.json()["id"].as_str().unwrap().to_owned()
    }
}

/// A user body as Entra's provisioning service sends it (guide's mapping table).
fn entra_user(upn: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
        "externalId": upn.split('@').next().unwrap(),
        "userName": upn,
        "active": true,
        "displayName": format!("Display {upn}"),
        "emails": [{"primary": true, "type": "work", "value": upn}],
        "meta": {"resourceType": "User"},
        "name": {"formatted": "Given Family", "familyName": "Family", "givenName": "Given"},
        "phoneNumbers": [{"type": "mobile", "value": "+1 555 0100"}],
        "roles": [],
        "title": "Engineer",
        (ENTERPRISE): {"department": "R&D", "employeeNumber": "007"},
    })
}

fn patch(ops: Value) -> Option<Value> {
    Some(json!({"schemas": [PATCH], "Operations": ops}))
}

#[tokio::test]
async fn tokens_are_required_checked_per_tenant_and_revocable() {
    let app = TestApp::new().await;
    let scim = Scim::new(&app).await;
    let no_token = app
        .send(
            Request::get(format!("/scim/v2/{}/Users", scim.tenant))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(no_token.status, StatusCode::UNAUTHORIZED);
    assert_eq!(no_token.header("content-type"), Some(SCIM));
    assert!(no_token.header("www-authenticate").is_some());
    assert_eq!(
        no_token.json()["schemas"][0],
        "urn:ietf:params:scim:api:messages:2.0:Error"
    );
    assert_eq!(no_token.json()["status"], "401");

    let wrong = Scim {
        app: &app,
        tenant: scim.tenant.clone(),
        token: "cantara_scim_wrong".into(),
    };
    assert_eq!(
        wrong.req("GET", "/Users", None).await.status,
        StatusCode::UNAUTHORIZED
    );

    // A token of another tenant does not open this one.
    let other = app.backend.create_tenant("Other").await.unwrap();
    let cross = Scim {
        app: &app,
        tenant: other.id.clone(),
        token: scim.token.clone(),
    };
    assert_eq!(
        cross.req("GET", "/Users", None).await.status,
        StatusCode::UNAUTHORIZED
    );

    assert_eq!(scim.req("GET", "/Users", None).await.status, StatusCode::OK);
    let stored: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM provisioning_token")
        .fetch_all(&app.backend.db.pool)
        .await
        .unwrap();
    assert!(
        stored.iter().all(|h| h.len() == 64 && *h != scim.token),
        "only hashes at rest"
    );

    let id = app
        .backend
        .list_provisioning_tokens(&scim.tenant)
        .await
        .unwrap()[0]
        .id
        .clone();
    app.backend
        .revoke_provisioning_token(&scim.tenant, &id)
        .await
        .unwrap();
    assert_eq!(
        scim.req("GET", "/Users", None).await.status,
        StatusCode::UNAUTHORIZED,
        "revoked at once"
    );

    let expiring = app
        .backend
        .create_provisioning_token(&scim.tenant, "short", Some(1))
        .await
        .unwrap();
    let s2 = Scim {
        app: &app,
        tenant: scim.tenant.clone(),
        token: expiring.secret,
    };
    assert_eq!(s2.req("GET", "/Users", None).await.status, StatusCode::OK);
    sqlx::query("UPDATE provisioning_token SET expires_at = 1 WHERE token_id = $1")
        .bind(&expiring.info.id)
        .execute(&app.backend.db.pool)
        .await
        .unwrap();
    // A change made behind this process's back (another instance) shows within the 1 s cache.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(
        s2.req("GET", "/Users", None).await.status,
        StatusCode::UNAUTHORIZED,
        "expired"
    );
}

#[tokio::test]
async fn an_entra_provisioning_cycle() {
    let app = TestApp::new().await;
    let scim = Scim::new(&app).await;

    // Test Connection and schema discovery.
    let r = scim
        .req(
            "GET",
            "/Users?filter=userName+eq+%22ac0d9c4e-1f2a-4f1e-9a31-6f0bd6a7e0b1%22",
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["totalResults"], 0);
    assert_eq!(r.json()["Resources"], json!([]));
    let r = scim
        .req(
            "GET",
            "/Groups?excludedAttributes=members&filter=displayName+eq+%22x%22",
            None,
        )
        .await;
    assert_eq!(
        (r.status, r.json()["totalResults"].as_i64()),
        (StatusCode::OK, Some(0))
    );
    let r = scim.req("GET", "/Schemas", None).await;
    assert_eq!(r.json()["totalResults"], 3);
    assert_eq!(
        scim.req("GET", "/ServiceProviderConfig", None).await.json()["patch"]["supported"],
        true
    );
    assert_eq!(
        scim.req("GET", "/ResourceTypes", None).await.json()["totalResults"],
        2
    );

    // Match, then create.
    let mut ids = Vec::new();
    for upn in ["alice@contoso.com", "bob@contoso.com", "carol@contoso.com"] {
        let q = scim
            .req(
                "GET",
                &format!("/Users?filter=userName+eq+%22{upn}%22"),
                None,
            )
            .await;
        assert_eq!(q.json()["totalResults"], 0);
        let r = scim.req("POST", "/Users", Some(entra_user(upn))).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let u = r.json();
        let id = u["id"].as_str().unwrap().to_owned();
        assert_eq!(
            r.header("location"),
            Some(format!("http://127.0.0.1:3000/scim/v2/{}/Users/{id}", scim.tenant).as_str())
        );
        assert_eq!(u["meta"]["resourceType"], "User");
        assert!(u["meta"]["created"].as_str().unwrap().ends_with('Z'));
        assert_eq!(u["meta"]["version"], "W/\"1\"");
        ids.push(id);
    }
    // Every attribute of the guide's mapping table round-trips exactly; others are kept.
    let alice = scim
        .req("GET", &format!("/Users/{}", ids[0]), None)
        .await
        .json();
    assert_eq!(alice["userName"], "alice@contoso.com");
    assert_eq!(alice["active"], true);
    assert_eq!(alice["displayName"], "Display alice@contoso.com");
    assert_eq!(
        alice["emails"],
        json!([{"primary": true, "type": "work", "value": "alice@contoso.com"}])
    );
    assert_eq!(
        alice["name"],
        json!({"formatted": "Given Family", "familyName": "Family", "givenName": "Given"})
    );
    assert_eq!(
        alice["phoneNumbers"],
        json!([{"type": "mobile", "value": "+1 555 0100"}])
    );
    assert_eq!(alice["externalId"], "alice");
    assert_eq!(alice["title"], "Engineer");
    assert_eq!(alice[ENTERPRISE]["department"], "R&D");
    assert!(alice["schemas"]
        .as_array()
        .unwrap()
        .contains(&json!(ENTERPRISE)));

    // Matching finds it now, case-insensitively, and by the other attributes Entra uses.
    let q = scim
        .req(
            "GET",
            "/Users?filter=userName+eq+%22ALICE@contoso.com%22",
            None,
        )
        .await
        .json();
    assert_eq!(
        (q["totalResults"].as_i64(), q["Resources"][0]["id"].as_str()),
        (Some(1), Some(ids[0].as_str()))
    );
    let q = scim
        .req("GET", "/Users?filter=externalId+eq+%22bob%22", None)
        .await
        .json();
    assert_eq!(q["Resources"][0]["id"], ids[1].as_str());
    let q = scim
        .req(
            "GET",
            "/Users?filter=emails%5Btype+eq+%22work%22%5D.value+eq+%22carol@contoso.com%22",
            None,
        )
        .await
        .json();
    assert_eq!(q["Resources"][0]["id"], ids[2].as_str());

    // Updates as Entra sends them.
    let r = scim.req("PATCH", &format!("/Users/{}", ids[0]), patch(json!([
        {"op": "Replace", "path": "displayName", "value": "Alice Smith"},
        {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "alice.smith@contoso.com"},
        {"op": "Add", "path": "phoneNumbers[type eq \"work\"].value", "value": "+1 555 0101"},
        {"op": "Replace", "value": {"name.givenName": "Alicia", "name.familyName": "Smith"}},
        {"op": "Add", "path": format!("{ENTERPRISE}:manager"), "value": ids[1]},
    ]))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let a = r.json();
    assert_eq!(a["displayName"], "Alice Smith");
    assert_eq!(a["emails"][0]["value"], "alice.smith@contoso.com");
    assert_eq!(
        a["phoneNumbers"],
        json!([{"type": "mobile", "value": "+1 555 0100"}, {"type": "work", "value": "+1 555 0101"}])
    );
    assert_eq!(a["name"]["givenName"], "Alicia");
    assert!(a["name"].get("name.givenName").is_none());
    assert_eq!(a[ENTERPRISE]["manager"], json!({"value": ids[1]}));
    assert_eq!(a["meta"]["version"], "W/\"2\"");
    let q = scim
        .req(
            "GET",
            "/Users?filter=emails%5Btype+eq+%22work%22%5D.value+eq+%22alice.smith@contoso.com%22",
            None,
        )
        .await
        .json();
    assert_eq!(
        q["totalResults"], 1,
        "the work-email column follows the document"
    );

    // Groups: match, create without members, add members in one op.
    let q = scim
        .req(
            "GET",
            "/Groups?excludedAttributes=members&filter=displayName+eq+%22Sales%22",
            None,
        )
        .await
        .json();
    assert_eq!(q["totalResults"], 0);
    let r = scim.req("POST", "/Groups", Some(json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group", "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
        "displayName": "Sales", "externalId": "sales-1", "members": []
    }))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let gid = r.json()["id"].as_str().unwrap().to_owned();
    let r = scim.req("PATCH", &format!("/Groups/{gid}"), patch(json!([
        {"op": "Add", "path": "members", "value": [{"value": ids[0]}, {"value": ids[1]}, {"value": ids[2]}]}
    ]))).await;
    assert_eq!(
        r.status,
        StatusCode::NO_CONTENT,
        "a group PATCH answers 204 unless attributes are named: {}",
        r.body
    );
    assert!(r.body.is_empty());
    // With `attributes`, 200 and the resource as projected (RFC 7644 §3.5.2).
    let r = scim
        .req(
            "PATCH",
            &format!("/Groups/{gid}?attributes=displayName"),
            patch(json!([{"op": "Replace", "path": "displayName", "value": "Sales"}])),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["displayName"], "Sales");
    assert!(r.json().get("members").is_none());
    let g = scim
        .req("GET", &format!("/Groups/{gid}"), None)
        .await
        .json();
    assert_eq!(g["members"].as_array().unwrap().len(), 3);
    assert_eq!(g["members"][0]["value"], ids[0].as_str());
    assert_eq!(
        g["members"][0]["display"], "Alice Smith",
        "display is the user's display name"
    );
    let g = scim
        .req(
            "GET",
            &format!("/Groups/{gid}?excludedAttributes=members"),
            None,
        )
        .await
        .json();
    assert!(g.get("members").is_none());
    // Remove with a value list removes only those.
    scim.req(
        "PATCH",
        &format!("/Groups/{gid}"),
        patch(json!([{"op": "Remove", "path": "members", "value": [{"value": ids[1]}]}])),
    )
    .await;
    let g = scim
        .req("GET", &format!("/Groups/{gid}"), None)
        .await
        .json();
    let left: Vec<&str> = g["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["value"].as_str().unwrap())
        .collect();
    assert_eq!(left, [ids[0].as_str(), ids[2].as_str()]);
    let q = scim
        .req(
            "GET",
            &format!("/Groups?filter=members%5Bvalue+eq+%22{}%22%5D", ids[2]),
            None,
        )
        .await
        .json();
    assert_eq!(q["totalResults"], 1);

    // Deactivation, then hard delete.
    let r = scim
        .req(
            "PATCH",
            &format!("/Users/{}", ids[2]),
            patch(json!([{"op": "Replace", "path": "active", "value": "False"}])),
        )
        .await;
    assert_eq!(r.json()["active"], false);
    let active: i64 = sqlx::query_scalar("SELECT is_active FROM account WHERE account_id = $1")
        .bind(&ids[2])
        .fetch_one(&app.backend.db.pool)
        .await
        .unwrap();
    assert_eq!(active, 0);
    let q = scim
        .req("GET", "/Users?filter=active+eq+false", None)
        .await
        .json();
    assert_eq!(q["totalResults"], 1, "deactivated users are still found");
    assert_eq!(
        scim.req("DELETE", &format!("/Users/{}", ids[2]), None)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    let gone = scim.req("GET", &format!("/Users/{}", ids[2]), None).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(gone.json()["status"], "404");
    let g = scim
        .req("GET", &format!("/Groups/{gid}"), None)
        .await
        .json();
    assert_eq!(
        g["members"].as_array().unwrap().len(),
        1,
        "membership went with the user"
    );
    assert_eq!(
        scim.req("DELETE", &format!("/Groups/{gid}"), None)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        scim.req("GET", &format!("/Groups/{gid}"), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn tenants_are_isolated() {
    let app = TestApp::new().await;
    let a = Scim::new(&app).await;
    let other = app.backend.create_tenant("Fabrikam").await.unwrap();
    let token = app
        .backend
        .create_provisioning_token(&other.id, "", None)
        .await
        .unwrap()
        .secret;
    let b = Scim {
        app: &app,
        tenant: other.id.clone(),
        token,
    };
    let id = a.create_user("dana@contoso.com").await;
    assert_eq!(
        b.req("GET", &format!("/Users/{id}"), None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        b.req(
            "PATCH",
            &format!("/Users/{id}"),
            patch(json!([{"op": "replace", "path": "active", "value": false}]))
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        b.req("DELETE", &format!("/Users/{id}"), None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(b.req("GET", "/Users", None).await.json()["totalResults"], 0);
    // The same userName may exist in both tenants.
    b.create_user("dana@contoso.com").await;
    // Another tenant's user id is kept as an opaque id: never linked to that user.
    let g = b
        .req("POST", "/Groups", Some(json!({"displayName": "G"})))
        .await
        .json();
    let gid = g["id"].as_str().unwrap().to_owned();
    let r = b
        .req(
            "PATCH",
            &format!("/Groups/{gid}"),
            patch(json!([{"op": "add", "path": "members", "value": [{"value": id}]}])),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let members = b.req("GET", &format!("/Groups/{gid}"), None).await.json()["members"].clone();
    assert_eq!(
        members,
        json!([{"value": id}]),
        "no display, no $ref: nothing of tenant A leaks"
    );
    assert_eq!(
        a.req("GET", &format!("/Users/{id}"), None).await.json()["active"],
        true,
        "untouched"
    );
    // Deleting the user in A does not touch B's group.
    assert_eq!(
        a.req("DELETE", &format!("/Users/{id}"), None).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        b.req("GET", &format!("/Groups/{gid}"), None).await.json()["members"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn usernames_are_unique_per_tenant_case_insensitively() {
    let app = TestApp::new().await;
    let scim = Scim::new(&app).await;
    scim.create_user("erin@contoso.com").await;
    let r = scim
        .req("POST", "/Users", Some(entra_user("ERIN@contoso.com")))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["scimType"], "uniqueness");
    let r = scim.req("POST", "/Users", Some(entra_user("admin"))).await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "a local account's username is taken too"
    );
    scim.req("POST", "/Groups", Some(json!({"displayName": "Ops"})))
        .await;
    let r = scim
        .req("POST", "/Groups", Some(json!({"displayName": "OPS"})))
        .await;
    assert_eq!(
        (r.status, r.json()["scimType"].as_str()),
        (StatusCode::CONFLICT, Some("uniqueness"))
    );
}

#[tokio::test]
async fn a_patch_with_one_bad_operation_changes_nothing() {
    let app = TestApp::new().await;
    let scim = Scim::new(&app).await;
    let id = scim.create_user("frank@contoso.com").await;
    let before = scim.req("GET", &format!("/Users/{id}"), None).await.json();
    for (ops, scim_type) in [
        (
            json!([{"op": "replace", "path": "displayName", "value": "Changed"}, {"op": "replace", "path": "emails[type eq", "value": "x"}]),
            "invalidPath",
        ),
        (
            json!([{"op": "replace", "path": "displayName", "value": "Changed"}, {"op": "replace", "path": "active", "value": "perhaps"}]),
            "invalidValue",
        ),
        (
            json!([{"op": "replace", "path": "displayName", "value": "Changed"}, {"op": "replace", "path": "id", "value": "x"}]),
            "mutability",
        ),
        (
            json!([{"op": "replace", "path": "displayName", "value": "Changed"}, {"op": "frobnicate", "path": "x"}]),
            "invalidSyntax",
        ),
    ] {
        let r = scim.req("PATCH", &format!("/Users/{id}"), patch(ops)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        assert_eq!(r.json()["scimType"], scim_type);
    }
    let r = scim
        .req(
            "PATCH",
            &format!("/Users/{id}"),
            Some(json!("not an object")),
        )
        .await;
    assert_eq!(r.json()["scimType"], "invalidSyntax");
    let r = app
        .send(
            Request::patch(format!("/scim/v2/{}/Users/{id}", scim.tenant))
                .header(header::AUTHORIZATION, format!("Bearer {}", scim.token))
                .body(Body::from("{not json"))
                .unwrap(),
        )
        .await;
    assert_eq!(r.json()["scimType"], "invalidSyntax");
    assert_eq!(
        scim.req("GET", &format!("/Users/{id}"), None).await.json(),
        before,
        "nothing changed"
    );
    let r = scim.req("GET", "/Users?filter=userName+eq", None).await;
    assert_eq!(
        (r.status, r.json()["scimType"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalidFilter"))
    );
    let deep = format!("{}userName pr{}", "(".repeat(40), ")".repeat(40));
    let r = scim
        .req(
            "GET",
            &format!("/Users?filter={}", crate::helpers::urlencode(&deep)),
            None,
        )
        .await;
    assert_eq!(r.json()["scimType"], "invalidFilter");
}

#[tokio::test]
async fn eight_concurrent_member_patches_lose_nothing() {
    let app = TestApp::new().await;
    let scim = Scim::new(&app).await;
    let mut users = Vec::new();
    for i in 0..40 {
        users.push(scim.create_user(&format!("member{i}@contoso.com")).await);
    }
    let gid = scim
        .req("POST", "/Groups", Some(json!({"displayName": "Everyone"})))
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut tasks = Vec::new();
    for chunk in users.chunks(5) {
        let body = patch(
            json!([{"op": "Add", "path": "members", "value": chunk.iter().map(|u| json!({"value": u})).collect::<Vec<_>>()}]),
        );
        let (router, tenant, token, gid) = (
            app.router.clone(),
            scim.tenant.clone(),
            scim.token.clone(),
            gid.clone(),
        );
        tasks.push(tokio::spawn(async move {
            use tower::ServiceExt;
            let req = Request::patch(format!("/scim/v2/{tenant}/Groups/{gid}"))
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .header(header::CONTENT_TYPE, SCIM)
                .body(Body::from(body.unwrap().to_string()))
                .unwrap();
            router.oneshot(req).await.unwrap().status()
        }));
    }
    assert_eq!(tasks.len(), 8);
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::NO_CONTENT);
    }
    let g = scim
        .req("GET", &format!("/Groups/{gid}"), None)
        .await
        .json();
    assert_eq!(g["members"].as_array().unwrap().len(), 40);
}

#[tokio::test]
async fn filters_paging_and_projection() {
    let app = TestApp::new().await;
    let scim = Scim::new(&app).await;
    for i in 0..7 {
        scim.create_user(&format!("user{i}@fabrikam.com")).await;
    }
    scim.create_user("zed@contoso.com").await;
    let get = |q: &'static str| scim.req("GET", q, None);
    let r = get("/Users?startIndex=3&count=2").await.json();
    assert_eq!(
        (
            r["totalResults"].as_i64(),
            r["itemsPerPage"].as_i64(),
            r["startIndex"].as_i64()
        ),
        (Some(8), Some(2), Some(3))
    );
    // Pages are stable, disjoint, and together cover every user.
    let mut seen = std::collections::BTreeSet::new();
    for start in [1, 4, 7] {
        let page = scim
            .req("GET", &format!("/Users?startIndex={start}&count=3"), None)
            .await
            .json();
        for u in page["Resources"].as_array().unwrap() {
            assert!(
                seen.insert(u["id"].as_str().unwrap().to_owned()),
                "a user appeared on two pages"
            );
        }
    }
    assert_eq!(seen.len(), 8);
    let r = get("/Users?count=0").await.json();
    assert_eq!(
        (
            r["totalResults"].as_i64(),
            r["Resources"].as_array().unwrap().len()
        ),
        (Some(8), 0)
    );
    let r = get("/Users?filter=userName+ew+%22fabrikam.com%22+and+not+(userName+sw+%22user1%22)")
        .await
        .json();
    assert_eq!(r["totalResults"], 6);
    let r = get("/Users?filter=userName+co+%22ZED%22+or+title+eq+%22nobody%22")
        .await
        .json();
    assert_eq!(r["totalResults"], 1);
    let r = get("/Users?filter=name.givenName+eq+%22given%22+and+emails.value+co+%22contoso%22")
        .await
        .json();
    assert_eq!(r["totalResults"], 1);
    let r = get("/Users?filter=urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber+eq+%22007%22").await.json();
    assert_eq!(r["totalResults"], 8);
    let r = get("/Users?filter=meta.created+gt+%222000-01-01T00:00:00Z%22&count=1")
        .await
        .json();
    assert_eq!(r["totalResults"], 8);
    let r = get("/Users?filter=title+pr&attributes=userName,name.givenName&count=1")
        .await
        .json();
    let u = r["Resources"][0].as_object().unwrap();
    let mut keys: Vec<&str> = u.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, ["id", "name", "schemas", "userName"]);
    assert_eq!(u["name"], json!({"givenName": "Given"}));
    let r = get(
        "/Users?filter=userName+eq+%22zed@contoso.com%22&excludedAttributes=emails,phoneNumbers",
    )
    .await
    .json();
    assert!(
        r["Resources"][0].get("emails").is_none() && r["Resources"][0].get("userName").is_some()
    );
    let r = get("/users?FILTER=USERNAME+EQ+%22zed@contoso.com%22")
        .await
        .json();
    assert_eq!(
        r["totalResults"], 1,
        "resource and parameter names are case-insensitive"
    );
    let r = scim.req("POST", "/Users/.search", Some(json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "filter": "userName sw \"user\"", "count": 3}))).await.json();
    assert_eq!(
        (r["totalResults"].as_i64(), r["itemsPerPage"].as_i64()),
        (Some(7), Some(3))
    );
}

#[tokio::test]
async fn discovery_and_unknown_paths() {
    let app = TestApp::new().await;
    let scim = Scim::new(&app).await;
    let s = scim
        .req(
            "GET",
            "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User",
            None,
        )
        .await
        .json();
    assert!(s["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["name"] == "userName" && a["uniqueness"] == "server"));
    // What the database enforces: a group's displayName is unique in its tenant.
    let g = scim
        .req(
            "GET",
            "/Schemas/urn:ietf:params:scim:schemas:core:2.0:Group",
            None,
        )
        .await
        .json();
    assert!(g["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["name"] == "displayName" && a["uniqueness"] == "server"));
    assert_eq!(
        scim.req("POST", "/Schemas", Some(json!({}))).await.status,
        StatusCode::METHOD_NOT_ALLOWED
    );
    assert_eq!(
        scim.req("GET", "/Nope", None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        scim.req("GET", "/Users/no-such-id", None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        scim.req("GET", "/Users?filter=userName+eq+%22nobody%22", None)
            .await
            .status,
        StatusCode::OK,
        "a query is never 404"
    );
}

#[tokio::test]
async fn the_activity_log_records_requests_without_tokens() {
    let app = TestApp::new().await;
    let scim = Scim::new(&app).await;
    let id = scim.create_user("gina@contoso.com").await;
    scim.req("POST", "/Users", Some(entra_user("gina@contoso.com")))
        .await;
    scim.req("GET", "/Users?filter=bad", None).await;
    app.backend.activity.flush().await;
    let events = app
        .backend
        .list_activity(&scim.tenant, false, 50)
        .await
        .unwrap();
    assert_eq!(events.len(), 3);
    assert_eq!(
        (
            events[2].method.as_str(),
            events[2].status,
            events[2].path.as_str()
        ),
        ("POST", 201, "/Users")
    );
    assert_eq!(events[2].resource_id.as_deref(), Some(id.as_str()));
    assert_eq!(events[1].status, 409);
    assert!(events[1]
        .detail
        .as_deref()
        .unwrap()
        .contains("already exists"));
    let failures = app
        .backend
        .list_activity(&scim.tenant, true, 50)
        .await
        .unwrap();
    assert_eq!(failures.len(), 2);
    let all: String = sqlx::query_scalar::<_, String>(
        "SELECT method || path || COALESCE(detail, '') FROM provisioning_event",
    )
    .fetch_all(&app.backend.db.pool)
    .await
    .unwrap()
    .concat();
    assert!(!all.contains(&scim.token));
}

#[tokio::test]
async fn deactivation_over_scim_ends_console_sessions() {
    let app = TestApp::new().await;
    let scim = Scim::new(&app).await;
    let id = scim.create_user("hank@contoso.com").await;
    // As if the person had become an administrator and signed in (single sign-on comes later).
    sqlx::query("UPDATE account SET is_admin = 1 WHERE account_id = $1")
        .bind(&id)
        .execute(&app.backend.db.pool)
        .await
        .unwrap();
    let cookie = app
        .backend
        .start_session(
            &app::domain::ids::AccountId::from(id.as_str()),
            &scim.tenant,
        )
        .await
        .unwrap();
    assert_eq!(app.get("/", Some(&cookie)).await.status, StatusCode::OK);
    let r = scim
        .req(
            "PATCH",
            &format!("/Users/{id}"),
            patch(json!([{"op": "Replace", "path": "active", "value": "False"}])),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let after = app.get("/", Some(&cookie)).await;
    assert_eq!(
        after.header("location"),
        Some("/login"),
        "the session ended at the next request"
    );
    assert_eq!(
        app.call("viewer", &[], Some(&cookie)).await.status,
        StatusCode::UNAUTHORIZED
    );
    // A SCIM account has no local password: local sign-in is refused even with one set.
    assert!(app
        .backend
        .sign_in_local(None, "hank@contoso.com", "whatever-password", None)
        .await
        .is_err());
}

#[tokio::test]
async fn oversized_bodies_get_a_scim_413() {
    let app = TestApp::new().await;
    let scim = Scim::new(&app).await;
    let huge = json!({"userName": "big@contoso.com", "title": "x".repeat(2 * 1024 * 1024)});
    let r = scim.req("POST", "/Users", Some(huge)).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.json()["status"], "413");
    assert_eq!(
        scim.req("GET", "/Users", None).await.json()["totalResults"],
        0,
        "nothing was created"
    );
}

/// SCIM is its own router: other paths under /scim/v2 get a SCIM 404, and the browser-only
/// layers (cross-origin check, session) never see SCIM requests.
#[tokio::test]
async fn scim_paths_answer_as_scim_and_browser_layers_stay_out() {
    let app = TestApp::new().await;
    let scim = Scim::new(&app).await;
    for path in [
        "/scim/v2".to_owned(),
        format!("/scim/v2/{}/Users/x/extra", scim.tenant),
    ] {
        let r = app.get(&path, None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(r.header("content-type"), Some(SCIM), "{path}");
        assert_eq!(r.json()["status"], "404", "{path}");
    }
    let r = app
        .send(
            Request::post(format!("/scim/v2/{}/Users", scim.tenant))
                .header(header::AUTHORIZATION, format!("Bearer {}", scim.token))
                .header(header::CONTENT_TYPE, SCIM)
                .header(header::ORIGIN, "https://elsewhere.example")
                .body(Body::from(entra_user("origin@contoso.com").to_string()))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert!(r.headers.get(header::SET_COOKIE).is_none());
}

/// Over a real socket: the client is still uploading when the 413 is decided; it must get the
/// answer (not a reset), sized by Content-Length or sent in chunks, and the connection closes.
#[tokio::test]
async fn an_oversized_upload_sees_the_413_not_a_reset() {
    let app = TestApp::new().await;
    let scim = Scim::new(&app).await;
    let base = app.serve_on_loopback().await;
    let url = format!("{base}/scim/v2/{}/Users", scim.tenant);
    let client = reqwest::Client::new();
    let huge = format!(
        "{{\"userName\": \"big@contoso.com\", \"title\": \"{}\"}}",
        "x".repeat(4 * 1024 * 1024)
    );
    for chunked in [false, true] {
        let body = if chunked {
            let parts: Vec<Result<Vec<u8>, std::io::Error>> = huge
                .as_bytes()
                .chunks(64 * 1024)
                .map(|c| Ok(c.to_vec()))
                .collect();
            reqwest::Body::wrap_stream(futures_util::stream::iter(parts))
        } else {
            reqwest::Body::from(huge.clone())
        };
        let res = client
            .post(&url)
            .bearer_auth(&scim.token)
            .header("Content-Type", "application/scim+json")
            .body(body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("chunked={chunked}: no answer: {e:?}"));
        assert_eq!(
            res.status(),
            StatusCode::PAYLOAD_TOO_LARGE,
            "chunked={chunked}"
        );
        assert_eq!(
            res.headers().get("connection").map(|v| v.to_str().unwrap()),
            Some("close")
        );
        assert_eq!(
            res.headers()
                .get("content-type")
                .map(|v| v.to_str().unwrap()),
            Some("application/scim+json")
        );
        let v: serde_json::Value = res.json().await.unwrap();
        assert_eq!(v["status"], "413", "chunked={chunked}");
        assert!(v["detail"].as_str().unwrap().contains("1 MiB"), "{v}");
    }
    // A body just under the limit is still read whole and handled.
    let fits = json!({"userName": "fits@contoso.com", "title": "x".repeat(1000 * 1024)});
    let res = client
        .post(&url)
        .bearer_auth(&scim.token)
        .header("Content-Type", "application/scim+json")
        .body(fits.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(
        scim.req("GET", "/Users", None).await.json()["totalResults"],
        1,
        "only the one that fits was created"
    );
}

#[tokio::test]
async fn usernames_compare_after_nfkc_and_case_folding_and_invisible_characters_are_refused() {
    let app = TestApp::new().await;
    let scim = Scim::new(&app).await;
    let user = |name: &str| json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": name});
    let r = scim
        .req(
            "POST",
            "/Users",
            Some(user("ad\u{200B}min@contoso.example")),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(r.json()["scimType"], "invalidValue");
    let r = scim
        .req(
            "POST",
            "/Users",
            Some(user("ＳＴＲＡＳＳＥ@contoso.example")),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = scim
        .req("POST", "/Users", Some(user("straße@contoso.example")))
        .await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "the same name once folded: {}",
        r.body
    );
    let r = scim
        .req(
            "GET",
            "/Users?filter=userName%20eq%20%22strasse%40contoso.example%22",
            None,
        )
        .await;
    assert_eq!(r.json()["totalResults"], 1, "{}", r.body);
    // The console refuses the same names.
    let admin = app.admin_session().await;
    for (name, status) in [
        ("ad\u{2060}min", StatusCode::UNPROCESSABLE_ENTITY),
        ("ＡＤＭＩＮ", StatusCode::CONFLICT),
    ] {
        let r = app
            .call_json(
                "create_user",
                &json!({ "form": { "username": name, "display_name": "", "password": "a long enough password", "is_admin": false } }),
                Some(&admin),
            )
            .await;
        assert_eq!(r.status, status, "{name:?}: {}", r.body);
    }
}

#[tokio::test]
async fn non_ascii_attribute_names_get_a_scim_error_not_a_dropped_connection() {
    let app = TestApp::new().await;
    let scim = Scim::new(&app).await;
    let id = scim.create_user("ana@contoso.com").await;
    let r = scim
        .req("GET", "/Users?filter=a%C3%A9%C3%A9+eq+%22x%22", None)
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(r.json()["scimType"], "invalidFilter");
    let r = scim
        .req(
            "PATCH",
            &format!("/Users/{id}"),
            patch(json!([{"op": "add", "value": {"aéé": "x"}}])),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let r = scim
        .req(
            "PATCH",
            &format!("/Users/{id}"),
            patch(json!([{"op": "add", "path": "aéé[value eq \"x\"]", "value": "y"}])),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(r.json()["scimType"], "invalidPath");
}

#[tokio::test]
async fn a_patch_of_more_than_1000_operations_is_too_many_and_changes_nothing() {
    let app = TestApp::new().await;
    let scim = Scim::new(&app).await;
    let gid = scim
        .req("POST", "/Groups", Some(json!({"displayName": "Big"})))
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let op =
        |i: usize| json!({"op": "Add", "path": "members", "value": [{"value": format!("m{i}")}]});
    let r = scim
        .req(
            "PATCH",
            &format!("/Groups/{gid}"),
            patch(Value::Array((0..1001).map(op).collect())),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(r.json()["scimType"], "tooMany");
    let g = scim
        .req("GET", &format!("/Groups/{gid}"), None)
        .await
        .json();
    assert!(g
        .get("members")
        .is_none_or(|m| m.as_array().unwrap().is_empty()));
    // 1,000 one-member Adds (Entra's shape) apply, joined into a few statements.
    let r = scim
        .req(
            "PATCH",
            &format!("/Groups/{gid}"),
            patch(Value::Array((0..1000).map(op).collect())),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let g = scim
        .req("GET", &format!("/Groups/{gid}"), None)
        .await
        .json();
    assert_eq!(g["members"].as_array().unwrap().len(), 1000);
}

#[tokio::test]
async fn a_bad_attributes_parameter_changes_nothing() {
    let app = TestApp::new().await;
    let scim = Scim::new(&app).await;
    let r = scim
        .req(
            "POST",
            "/Users?attributes=a%C3%A9%C3%A9",
            Some(entra_user("bad@contoso.com")),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let q = scim
        .req(
            "GET",
            "/Users?filter=userName+eq+%22bad@contoso.com%22",
            None,
        )
        .await
        .json();
    assert_eq!(q["totalResults"], 0, "nothing was written");
    let id = scim.create_user("ok@contoso.com").await;
    let r = scim
        .req(
            "PATCH",
            &format!("/Users/{id}?excludedAttributes=%5B"),
            patch(json!([{"op": "Replace", "path": "displayName", "value": "Changed"}])),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let u = scim.req("GET", &format!("/Users/{id}"), None).await.json();
    assert_ne!(u["displayName"], "Changed");
}

#[tokio::test]
async fn concurrent_put_and_patch_of_one_user_never_answer_500() {
    let app = TestApp::new().await;
    let scim = Scim::new(&app).await;
    let id = scim.create_user("race@contoso.com").await;
    let mut tasks = Vec::new();
    for i in 0..16 {
        let (router, tenant, token, id) = (
            app.router.clone(),
            scim.tenant.clone(),
            scim.token.clone(),
            id.clone(),
        );
        tasks.push(tokio::spawn(async move {
            use tower::ServiceExt;
            let (method, body) = if i % 2 == 0 {
                let mut u = entra_user("race@contoso.com");
                u["displayName"] = json!(format!("Put {i}"));
                ("PUT", u)
            } else {
                (
                    "PATCH",
                    json!({"schemas": [PATCH], "Operations": [{"op": "Replace", "path": "title", "value": format!("T{i}")}]}),
                )
            };
            let req = Request::builder()
                .method(method)
                .uri(format!("/scim/v2/{tenant}/Users/{id}"))
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .header(header::CONTENT_TYPE, SCIM)
                .body(Body::from(body.to_string()))
                .unwrap();
            router.oneshot(req).await.unwrap().status()
        }));
    }
    for t in tasks {
        let status = t.await.unwrap();
        assert!(
            status == StatusCode::OK || status == StatusCode::CONFLICT,
            "{status}"
        );
    }
}

#[tokio::test]
async fn a_filter_on_a_complex_attribute_compares_its_value() {
    let app = TestApp::new().await;
    let scim = Scim::new(&app).await;
    let boss = scim.create_user("boss@contoso.com").await;
    let id = scim.create_user("worker@contoso.com").await;
    scim.create_user("other@contoso.com").await;
    let r = scim
        .req(
            "PATCH",
            &format!("/Users/{id}"),
            patch(json!([{"op": "Add", "path": format!("{ENTERPRISE}:manager"), "value": boss}])),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // As Entra's reference check sends it: the manager's id, no `.value`.
    let q = scim
        .req(
            "GET",
            &format!("/Users?filter={ENTERPRISE}:manager+eq+%22{boss}%22"),
            None,
        )
        .await;
    assert_eq!(q.status, StatusCode::OK, "{}", q.body);
    let q = q.json();
    assert_eq!(q["totalResults"], 1, "{q}");
    assert_eq!(q["Resources"][0]["id"], id.as_str());
    let q = scim
        .req(
            "GET",
            "/Users?filter=emails+eq+%22other@contoso.com%22",
            None,
        )
        .await
        .json();
    assert_eq!(q["totalResults"], 1, "{q}");
    assert_eq!(q["Resources"][0]["userName"], "other@contoso.com");
}

#[tokio::test]
async fn delete_deactivates_hides_and_a_later_post_starts_afresh() {
    let app = TestApp::new().await;
    let scim = Scim::new(&app).await;
    let id = scim.create_user("gone@contoso.com").await;
    let gid = scim
        .req(
            "POST",
            "/Groups",
            Some(json!({"displayName": "Team", "members": [{"value": id}]})),
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // The person signed in, as an administrator would see them.
    let cookie = app
        .backend
        .start_session(
            &app::domain::ids::AccountId::from(id.as_str()),
            &scim.tenant,
        )
        .await
        .unwrap();
    let r = scim.req("DELETE", &format!("/Users/{id}"), None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    // Hidden from SCIM (RFC 7644 §3.6), a second DELETE is a 404 too.
    assert_eq!(
        scim.req("GET", &format!("/Users/{id}"), None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        scim.req("DELETE", &format!("/Users/{id}"), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let q = scim
        .req(
            "GET",
            "/Users?filter=userName+eq+%22gone@contoso.com%22",
            None,
        )
        .await
        .json();
    assert_eq!(q["totalResults"], 0);
    // Deactivated, sessions ended, memberships removed, in the console with the time.
    let (active, deleted_at, doc): (i64, Option<i64>, String) = sqlx::query_as(
        "SELECT is_active, scim_deleted_at, scim_doc FROM account WHERE account_id = $1",
    )
    .bind(&id)
    .fetch_one(&app.backend.db.pool)
    .await
    .unwrap();
    assert_eq!(active, 0);
    assert!(deleted_at.is_some());
    // The kept attributes (shown in the console) say so too.
    let doc: Value = serde_json::from_str(&doc).unwrap();
    assert_eq!(doc["active"], false, "{doc}");
    assert_eq!(
        app.get("/", Some(&cookie)).await.header("location"),
        Some("/login")
    );
    let g = scim
        .req("GET", &format!("/Groups/{gid}"), None)
        .await
        .json();
    assert!(g
        .get("members")
        .is_none_or(|m| m.as_array().unwrap().is_empty()));
    let admin = app.admin_session().await;
    let page = app.get(&format!("/users/{id}"), Some(&admin)).await;
    assert!(
        page.body.contains("Deleted in the identity provider"),
        "{}",
        page.body
    );
    // Entra provisions the same person again: a new account, cleanly.
    let again = scim.create_user("gone@contoso.com").await;
    assert_ne!(again, id);
    let u = scim
        .req("GET", &format!("/Users/{again}"), None)
        .await
        .json();
    assert_eq!(u["active"], true);
    let old: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM account WHERE account_id = $1")
        .bind(&id)
        .fetch_one(&app.backend.db.pool)
        .await
        .unwrap();
    assert_eq!(old, 0, "the kept row made way");
    // After the retention the kept rows go.
    let other = scim.create_user("later@contoso.com").await;
    scim.req("DELETE", &format!("/Users/{other}"), None).await;
    assert_eq!(
        app.backend
            .purge_deleted_scim_users(30 * 24 * 3600)
            .await
            .unwrap(),
        0,
        "kept within the retention"
    );
    assert_eq!(app.backend.purge_deleted_scim_users(-1).await.unwrap(), 1);
}

/// A PATCH or PUT writes only the columns that change; every derived column stays right: each
/// attribute is still found by its filter after edits to the others, and deactivation sets the
/// time the alerts count while reactivation clears it.
#[tokio::test]
async fn edits_keep_every_indexed_column_right() {
    let app = TestApp::new().await;
    let scim = Scim::new(&app).await;
    let r = scim
        .req(
            "POST",
            "/Users",
            Some(json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "userName": "grace@contoso.com", "externalId": "grace", "displayName": "Grace Hopper",
                "emails": [{"type": "work", "value": "grace@contoso.com", "primary": true}],
                "active": true
            })),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_str().unwrap().to_owned();
    let patched = |ops: Value| {
        let (scim, path) = (&scim, format!("/Users/{id}"));
        async move {
            let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops});
            let r = scim.req("PATCH", &path, Some(body)).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        }
    };
    let found = |filter: &'static str| {
        let scim = &scim;
        async move {
            let q: String = url::form_urlencoded::byte_serialize(filter.as_bytes()).collect();
            let r = scim.req("GET", &format!("/Users?filter={q}"), None).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            r.json()["totalResults"].as_i64().unwrap()
        }
    };
    let deactivated_at = || async {
        sqlx::query_scalar::<_, Option<i64>>(
            "SELECT deactivated_at FROM account WHERE account_id = $1",
        )
        .bind(&id)
        .fetch_one(&app.backend.db.pool)
        .await
        .unwrap()
    };

    // Only the display name changes.
    patched(json!([{"op": "replace", "path": "displayName", "value": "Rear Admiral Hopper"}]))
        .await;
    assert_eq!(found("displayName eq \"Rear Admiral Hopper\"").await, 1);
    assert_eq!(found("displayName eq \"Grace Hopper\"").await, 0);
    assert_eq!(found("userName eq \"GRACE@contoso.com\"").await, 1);
    assert_eq!(found("externalId eq \"grace\"").await, 1);
    assert_eq!(
        found("emails[type eq \"work\"].value eq \"grace@contoso.com\"").await,
        1
    );
    // The Users search finds her by a word of her new name.
    let searched = |word: &str| app::domain::directory::UserQuery {
        search: word.to_owned(),
        ..Default::default()
    };
    let page = app
        .backend
        .list_users(&scim.tenant, &searched("admiral"))
        .await
        .unwrap();
    assert_eq!(
        page.items.iter().map(|u| u.id.as_str()).collect::<Vec<_>>(),
        [id.as_str()]
    );

    // The username, external id and e-mail change; the display name stays.
    patched(json!([
        {"op": "replace", "path": "userName", "value": "ghopper@contoso.com"},
        {"op": "replace", "path": "externalId", "value": "ghopper"},
        {"op": "replace", "path": "emails[type eq \"work\"].value", "value": "ghopper@contoso.com"},
        {"op": "replace", "path": "displayName", "value": "Rear Admiral Hopper"}
    ]))
    .await;
    assert_eq!(found("userName eq \"grace@contoso.com\"").await, 0);
    assert_eq!(found("userName eq \"ghopper@contoso.com\"").await, 1);
    assert_eq!(found("externalId eq \"grace\"").await, 0);
    assert_eq!(found("externalId eq \"ghopper\"").await, 1);
    assert_eq!(
        found("emails[type eq \"work\"].value eq \"ghopper@contoso.com\"").await,
        1
    );
    assert_eq!(found("displayName eq \"Rear Admiral Hopper\"").await, 1);
    assert_eq!(deactivated_at().await, None);

    // Deactivated (as Entra sends it) and back, then replaced whole by a PUT.
    patched(json!([{"op": "Replace", "path": "active", "value": "False"}])).await;
    assert!(deactivated_at().await.is_some());
    patched(json!([{"op": "Replace", "path": "active", "value": "True"}])).await;
    assert_eq!(deactivated_at().await, None);
    let r = scim
        .req(
            "PUT",
            &format!("/Users/{id}"),
            Some(json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "userName": "ghopper@contoso.com", "displayName": "Grace Brewster Hopper", "active": false
            })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(found("externalId eq \"ghopper\"").await, 0);
    assert_eq!(
        found("emails[type eq \"work\"].value eq \"ghopper@contoso.com\"").await,
        0
    );
    assert_eq!(found("displayName eq \"Grace Brewster Hopper\"").await, 1);
    assert!(deactivated_at().await.is_some());
}
