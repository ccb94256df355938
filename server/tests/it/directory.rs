//! Users administration over the real router: local accounts created, edited, deactivated and
//! deleted with passwords; SCIM accounts shown with every attribute and refused every change.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{Reply, TestApp};
use crate::scim::Scim;

async fn json_call(app: &TestApp, name: &str, body: Value, cookie: &str) -> Reply {
    let req = Request::post(format!("/api/{name}"))
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT, "application/json")
        .header(header::COOKIE, format!("cantara_session={cookie}"))
        .body(Body::from(body.to_string()))
        .unwrap();
    app.send(req).await
}

/// The Users page as the console asks for it: (usernames in order, the reply).
async fn users_found(
    app: &TestApp,
    cookie: &str,
    search: &str,
    sort: &str,
) -> (Vec<String>, Value) {
    let r = app
        .call(
            "users",
            &[
                ("search", search),
                ("source", ""),
                ("status", ""),
                ("sort", sort),
                ("page", "1"),
            ],
            Some(cookie),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let json = r.json();
    let names = json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap().to_owned())
        .collect();
    (names, json)
}

fn form(username: &str, password: &str, admin: bool) -> Value {
    json!({"username": username, "display_name": "Carol Local", "password": password, "is_admin": admin})
}

async fn count_accounts(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM account")
        .fetch_one(&app.backend.db.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn local_users_are_created_edited_deactivated_and_deleted() {
    let app = TestApp::new().await;
    let s = app.admin_session().await;

    // Invalid input changes nothing and says what is wrong, per field.
    let bad = json_call(
        &app,
        "create_user",
        json!({"form": form(" ", "short", false)}),
        &s,
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    let bad = bad.json();
    let fields: Vec<&str> = bad["InvalidForm"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["username", "password"]);
    assert_eq!(count_accounts(&app).await, 1);

    let created = json_call(
        &app,
        "create_user",
        json!({"form": form("carol", "carol-password-1", true)}),
        &s,
    )
    .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let id = created.json().as_str().unwrap().to_owned();
    let dup = json_call(
        &app,
        "create_user",
        json!({"form": form("CAROL", "carol-password-1", false)}),
        &s,
    )
    .await;
    assert_eq!(dup.status, StatusCode::CONFLICT);

    // Carol signs in with her password.
    let carol = app.login("carol", "carol-password-1").await;
    assert_eq!(carol.status, StatusCode::OK, "{}", carol.body);
    let carol_session = carol.session_cookie().unwrap();

    let detail = app.call("user", &[("id", &id)], Some(&s)).await;
    assert_eq!(detail.status, StatusCode::OK);
    assert_eq!(detail.json()["user"]["source"], "Local");
    assert_eq!(detail.json()["is_admin"], true);

    // A new password signs her out elsewhere; the old one stops working.
    let edit = json_call(
        &app,
        "update_user",
        json!({"id": id, "form": form("carol.local", "carol-password-2", true)}),
        &s,
    )
    .await;
    assert_eq!(edit.status, StatusCode::OK, "{}", edit.body);
    assert_eq!(
        app.call("viewer", &[], Some(&carol_session)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login("carol.local", "carol-password-1").await.status,
        StatusCode::UNAUTHORIZED
    );
    let again = app.login("carol.local", "carol-password-2").await;
    assert_eq!(again.status, StatusCode::OK);
    let carol_session = again.session_cookie().unwrap();

    // Deactivation ends her session; reactivation lets her back.
    let off = app
        .call(
            "set_user_active",
            &[("id", &id), ("active", "false")],
            Some(&s),
        )
        .await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.body);
    assert_eq!(
        app.call("viewer", &[], Some(&carol_session)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login("carol.local", "carol-password-2").await.status,
        StatusCode::UNAUTHORIZED
    );
    app.call(
        "set_user_active",
        &[("id", &id), ("active", "true")],
        Some(&s),
    )
    .await;
    assert_eq!(
        app.login("carol.local", "carol-password-2").await.status,
        StatusCode::OK
    );

    // Nobody can lock themselves out.
    let me = app.call("viewer", &[], Some(&s)).await;
    assert_eq!(me.status, StatusCode::OK);
    let admin_id: String =
        sqlx::query_scalar("SELECT account_id FROM account WHERE username = 'admin'")
            .fetch_one(&app.backend.db.pool)
            .await
            .unwrap();
    assert_eq!(
        app.call(
            "set_user_active",
            &[("id", &admin_id), ("active", "false")],
            Some(&s)
        )
        .await
        .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.call("delete_user", &[("id", &admin_id)], Some(&s))
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    let del = app.call("delete_user", &[("id", &id)], Some(&s)).await;
    assert_eq!(del.status, StatusCode::OK);
    assert_eq!(
        app.call("user", &[("id", &id)], Some(&s)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(count_accounts(&app).await, 1);
}

#[tokio::test]
async fn scim_accounts_show_every_attribute_and_refuse_every_console_change() {
    let app = TestApp::new().await;
    let s = app.admin_session().await;
    let scim = Scim::new(&app).await;
    let id = scim.create_user("ada@contoso.com").await;
    let group = scim
        .req(
            "POST",
            "/Groups",
            Some(
                json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": "Engineers", "members": [{"value": id}]}),
            ),
        )
        .await;
    assert_eq!(group.status, StatusCode::CREATED, "{}", group.body);

    let detail = app.call("user", &[("id", &id)], Some(&s)).await.json();
    assert_eq!(detail["user"]["source"], "Scim");
    let keys: Vec<&str> = detail["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a[0].as_str().unwrap())
        .collect();
    assert_eq!(
        &keys[..3],
        ["userName", "active", "displayName"],
        "the guide's mapping comes first: {keys:?}"
    );
    assert!(keys.contains(&"phoneNumbers[type eq \"mobile\"].value"));
    assert!(
        keys.contains(&"title"),
        "the rest of what Entra sent follows: {keys:?}"
    );
    assert_eq!(detail["groups"][0]["name"], "Engineers");

    let before: String = sqlx::query_scalar(
        "SELECT username || display_name || is_active FROM account WHERE account_id = $1",
    )
    .bind(&id)
    .fetch_one(&app.backend.db.pool)
    .await
    .unwrap();
    let edit = json_call(
        &app,
        "update_user",
        json!({"id": id, "form": form("mallory", "mallory-password", true)}),
        &s,
    )
    .await;
    assert_eq!(
        edit.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        edit.body
    );
    assert!(edit.body.contains("Managed by SCIM"), "{}", edit.body);
    for (name, args) in [
        (
            "set_user_active",
            vec![("id", id.as_str()), ("active", "false")],
        ),
        ("delete_user", vec![("id", id.as_str())]),
    ] {
        let r = app.call(name, &args, Some(&s)).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{name}: {}",
            r.body
        );
        assert!(r.body.contains("Managed by SCIM"), "{}", r.body);
    }
    let after: String = sqlx::query_scalar(
        "SELECT username || display_name || is_active FROM account WHERE account_id = $1",
    )
    .bind(&id)
    .fetch_one(&app.backend.db.pool)
    .await
    .unwrap();
    assert_eq!(before, after, "nothing changed");

    // Another tenant's admin cannot even see it.
    let other = app.backend.create_tenant("Other").await.unwrap();
    assert_eq!(
        app.backend
            .user_detail(&other.id, &app::domain::ids::AccountId::from(id.as_str()))
            .await
            .unwrap_err()
            .to_string(),
        "user not found"
    );
}

#[tokio::test]
async fn local_groups_are_created_and_their_members_edited_scim_groups_are_not() {
    let app = TestApp::new().await;
    let s = app.admin_session().await;
    let created = app
        .call("create_group", &[("name", " Auditors ")], Some(&s))
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let gid = created.json().as_str().unwrap().to_owned();
    assert_eq!(
        app.call("create_group", &[("name", "AUDITORS")], Some(&s))
            .await
            .status,
        StatusCode::CONFLICT
    );
    assert_eq!(
        app.call("create_group", &[("name", "  ")], Some(&s))
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    let add = |u: &'static str| {
        let (app, s, gid) = (&app, s.clone(), gid.clone());
        async move {
            app.call(
                "add_group_member",
                &[("group_id", &gid), ("username", u)],
                Some(&s),
            )
            .await
        }
    };
    assert_eq!(add("ADMIN").await.status, StatusCode::OK);
    assert_eq!(
        add("admin").await.status,
        StatusCode::OK,
        "adding twice changes nothing"
    );
    let unknown = add("nobody").await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unknown.body.contains("no user with this username"),
        "{}",
        unknown.body
    );
    let detail = app
        .call("group", &[("id", &gid), ("page", "1")], Some(&s))
        .await
        .json();
    assert_eq!(detail["group"]["members"], 1);
    assert_eq!(detail["group"]["source"], "Local");
    let member = detail["members"]["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(detail["members"]["items"][0]["username"], "admin");
    // The user's page lists the group.
    assert_eq!(
        app.call("user", &[("id", &member)], Some(&s)).await.json()["groups"][0]["name"],
        "Auditors"
    );

    let removed = app
        .call(
            "remove_group_member",
            &[("group_id", &gid), ("account_id", &member)],
            Some(&s),
        )
        .await;
    assert_eq!(removed.status, StatusCode::OK);
    assert_eq!(
        app.call("group", &[("id", &gid), ("page", "1")], Some(&s))
            .await
            .json()["members"]["total"],
        0
    );
    assert_eq!(
        app.call("delete_group", &[("id", &gid)], Some(&s))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.call("group", &[("id", &gid), ("page", "1")], Some(&s))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // A SCIM group refuses every console change; its members stay as Entra set them.
    let scim = Scim::new(&app).await;
    let uid = scim.create_user("ada@contoso.com").await;
    let g = scim
        .req(
            "POST",
            "/Groups",
            Some(
                json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": "Engineers", "members": [{"value": uid}]}),
            ),
        )
        .await;
    let sgid = g.json()["id"].as_str().unwrap().to_owned();
    for (name, args) in [
        (
            "add_group_member",
            vec![("group_id", sgid.as_str()), ("username", "admin")],
        ),
        (
            "remove_group_member",
            vec![("group_id", sgid.as_str()), ("account_id", uid.as_str())],
        ),
        ("delete_group", vec![("id", sgid.as_str())]),
    ] {
        let r = app.call(name, &args, Some(&s)).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{name}: {}",
            r.body
        );
        assert!(r.body.contains("Managed by SCIM"), "{}", r.body);
    }
    let detail = app
        .call("group", &[("id", &sgid), ("page", "1")], Some(&s))
        .await
        .json();
    assert_eq!(detail["members"]["total"], 1);
    assert_eq!(detail["members"]["items"][0]["id"], uid.as_str());
}

#[tokio::test]
async fn users_are_sorted_and_searched_by_prefix() {
    let app = TestApp::new().await;
    let s = app.admin_session().await;
    let scim = Scim::new(&app).await;
    for upn in ["zed@contoso.com", "amy@contoso.com"] {
        scim.create_user(upn).await;
    }
    let list = |sort: &'static str, search: &'static str| {
        let (app, s) = (&app, s.clone());
        async move { users_found(app, &s, search, sort).await.0 }
    };
    assert_eq!(
        list("username", "").await,
        ["admin", "amy@contoso.com", "zed@contoso.com"]
    );
    // Touch zed so it is the most recent change.
    sqlx::query(
        "UPDATE account SET updated_at = updated_at + 100 WHERE username = 'zed@contoso.com'",
    )
    .execute(&app.backend.db.pool)
    .await
    .unwrap();
    assert_eq!(list("last_change", "").await[0], "zed@contoso.com");
    // Starts-with search on username, display name ("Display amy@…") or e-mail, case-insensitive.
    assert_eq!(list("", "AM").await, ["amy@contoso.com"]);
    assert_eq!(list("", "display z").await, ["zed@contoso.com"]);
    assert!(
        list("", "contoso").await.is_empty(),
        "not a substring search"
    );
    assert_eq!(list("", "%").await.len(), 0, "no wildcards");
}

#[tokio::test]
async fn accented_names_are_found_whoever_wrote_them() {
    let app = TestApp::new().await;
    let s = app.admin_session().await;
    app.add_local_user("emile", "Émile Zola", "a-long-password-1")
        .await;
    let scim = Scim::new(&app).await;
    let r = scim
        .req(
            "POST",
            "/Groups",
            Some(serde_json::json!({"displayName": "Ärzte Straße"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let search = |term: &'static str| {
        let (app, s) = (&app, s.clone());
        async move { users_found(app, &s, term, "username").await.0 }
    };
    // A local user's display name is folded like every other name (SQLite's lower() is ASCII).
    assert_eq!(search("émile").await, ["emile"]);
    assert_eq!(search("ÉMILE").await, ["emile"]);
    // A group name folds fully (ß → ss): SCIM filters find it either way.
    let q = scim
        .req(
            "GET",
            "/Groups?filter=displayName+eq+%22%C3%84RZTE+STRASSE%22",
            None,
        )
        .await
        .json();
    assert_eq!(q["totalResults"], 1, "{q}");
}

#[tokio::test]
async fn people_are_found_by_surname_and_by_any_word_of_their_name() {
    let app = TestApp::new().await;
    let s = app.admin_session().await;
    let emile = app
        .add_local_user("emile", "Émile Zola", "a-long-password-1")
        .await;
    let scim = Scim::new(&app).await;
    let created = scim
        .req(
            "POST",
            "/Users",
            Some(serde_json::json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "userName": "adele@contoso.example", "displayName": "Adele Vance",
                "name": {"givenName": "Adele", "familyName": "Vance"},
            })),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let adele = created.json()["id"].as_str().unwrap().to_owned();
    // A family name that is not in the display name.
    let r = scim
        .req(
            "POST",
            "/Users",
            Some(serde_json::json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "userName": "sam@contoso.example", "displayName": "Sam Smith-Jones (Contractor)",
                "name": {"familyName": "Okonkwo"},
            })),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let search = |term: &'static str| {
        let (app, s) = (&app, s.clone());
        async move {
            let (names, json) = users_found(app, &s, term, "username").await;
            assert_eq!(json["total"], names.len(), "the count agrees with the rows");
            names
        }
    };
    assert_eq!(search("vance").await, ["adele@contoso.example"]);
    assert_eq!(search("VAN").await, ["adele@contoso.example"]);
    assert_eq!(search("zola").await, ["emile"], "a local user's surname");
    for term in ["jones", "smith-j", "contractor", "okonkwo"] {
        assert_eq!(search(term).await, ["sam@contoso.example"], "{term}");
    }
    // Still word starts, not substrings; the first word still works through the display name.
    assert!(search("ance").await.is_empty());
    assert_eq!(search("adele v").await, ["adele@contoso.example"]);
    // A renamed person is found by the new name only.
    let r = scim
        .req(
            "PATCH",
            &format!("/Users/{adele}"),
            Some(serde_json::json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [
                    {"op": "replace", "path": "displayName", "value": "Adele Wright"},
                    {"op": "replace", "path": "name.familyName", "value": "Wright"},
                ],
            })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(search("vance").await.is_empty(), "the old surname is gone");
    assert_eq!(search("wright").await, ["adele@contoso.example"]);
    // A deleted account's words go with it.
    let r = app
        .call("delete_user", &[("id", emile.as_str())], Some(&s))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM account_word WHERE word = 'zola'")
        .fetch_one(&app.backend.db.pool)
        .await
        .unwrap();
    assert_eq!(left, 0);
}
