//! Security Topics over the real router: every server function declares its permission and
//! refuses callers without it with 403; nobody raises their own rights; membership changes
//! Entra makes over SCIM take effect at the next request; the audit trail records it all.

use app::backend::auth::sessions::SessionInfo;
use app::domain::directory::LocalUserForm;
use app::domain::idp::IdpForm;
use app::domain::permission::{Permission, PermissionSet, BUILTIN_TOPICS};
use app::domain::security_topic::TopicForm;
use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{Reply, TestApp};
use crate::scim::Scim;

const PASSWORD: &str = "a long enough password";

/// What a server function requires, as this test expects it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Needs {
    Public,
    SignedIn,
    Perm(Permission),
    /// Any one of these (the Connect Microsoft Entra ID assistant).
    AnyOf(&'static [Permission]),
    Operator,
}

const CONNECT: &[Permission] = &[Permission::IdentityProviders, Permission::Provisioning];

/// How to call it with arguments that deserialise (ids need not exist).
enum Args {
    Form(&'static [(&'static str, &'static str)]),
    Json(fn() -> Value),
}

fn idp_json() -> Value {
    json!({ "id": null, "form": IdpForm::defaults() })
}
fn user_json() -> Value {
    json!({ "form": LocalUserForm { username: "nobody-new".into(), password: PASSWORD.into(), ..LocalUserForm::default() } })
}
fn user_update_json() -> Value {
    json!({ "id": "no-such-user", "form": LocalUserForm { username: "x".into(), ..LocalUserForm::default() } })
}
fn topic_json() -> Value {
    json!({ "form": TopicForm { name: "T".into(), description: String::new(), permissions: vec![] } })
}
fn topic_update_json() -> Value {
    json!({ "id": "no-such-topic", "form": TopicForm::default() })
}

use Needs::*;
use Permission as P;

/// Every server function of the console. A new one fails `every_server_function_is_listed`
/// until it is added here with the permission it must need.
fn table() -> Vec<(&'static str, Needs, Args)> {
    vec![
        ("login_target", Public, Args::Form(&[])),
        (
            "login",
            Public,
            Args::Form(&[("tenant_id", ""), ("username", "x"), ("password", "y")]),
        ),
        ("viewer", SignedIn, Args::Form(&[])),
        ("my_access", SignedIn, Args::Form(&[])),
        ("sign_in_notice", SignedIn, Args::Form(&[])),
        (
            "switch_tenant",
            Operator,
            Args::Form(&[("tenant_id", "no-such-tenant")]),
        ),
        ("tenants", Perm(P::Provisioning), Args::Form(&[])),
        ("create_tenant", Operator, Args::Form(&[("name", "")])),
        (
            "users",
            Perm(P::Directory),
            Args::Form(&[
                ("search", ""),
                ("source", ""),
                ("status", ""),
                ("page", "1"),
            ]),
        ),
        (
            "groups",
            Perm(P::Directory),
            Args::Form(&[("search", ""), ("page", "1")]),
        ),
        (
            "group",
            Perm(P::Directory),
            Args::Form(&[("id", "g"), ("page", "1")]),
        ),
        ("user", Perm(P::Directory), Args::Form(&[("id", "u")])),
        (
            "group_topics",
            Perm(P::Directory),
            Args::Form(&[("group_id", "g")]),
        ),
        (
            "user_permissions",
            Perm(P::Directory),
            Args::Form(&[("id", "u")]),
        ),
        ("create_user", Perm(P::Users), Args::Json(user_json)),
        ("update_user", Perm(P::Users), Args::Json(user_update_json)),
        (
            "set_user_active",
            Perm(P::Users),
            Args::Form(&[("id", "u"), ("active", "false")]),
        ),
        ("delete_user", Perm(P::Users), Args::Form(&[("id", "u")])),
        ("create_group", Perm(P::Users), Args::Form(&[("name", "")])),
        (
            "add_group_member",
            Perm(P::Users),
            Args::Form(&[("group_id", "g"), ("username", "x")]),
        ),
        (
            "remove_group_member",
            Perm(P::Users),
            Args::Form(&[("group_id", "g"), ("account_id", "a")]),
        ),
        ("delete_group", Perm(P::Users), Args::Form(&[("id", "g")])),
        (
            "identity_providers",
            Perm(P::IdentityProviders),
            Args::Form(&[]),
        ),
        (
            "identity_provider",
            Perm(P::IdentityProviders),
            Args::Form(&[("id", "i")]),
        ),
        (
            "save_identity_provider",
            Perm(P::IdentityProviders),
            Args::Json(idp_json),
        ),
        (
            "activate_identity_provider",
            Perm(P::IdentityProviders),
            Args::Form(&[("id", "i")]),
        ),
        (
            "deactivate_identity_provider",
            Perm(P::IdentityProviders),
            Args::Form(&[("id", "i")]),
        ),
        (
            "delete_identity_provider",
            Perm(P::IdentityProviders),
            Args::Form(&[("id", "i")]),
        ),
        ("redirect_url", Perm(P::IdentityProviders), Args::Form(&[])),
        (
            "import_discovery",
            Perm(P::IdentityProviders),
            Args::Form(&[("url", "not a url")]),
        ),
        (
            "check_identity_provider",
            Perm(P::IdentityProviders),
            Args::Json(idp_json),
        ),
        (
            "identity_provider_audit",
            Perm(P::Audit),
            Args::Form(&[("id", "i")]),
        ),
        (
            "provisioning_tokens",
            Perm(P::Provisioning),
            Args::Form(&[]),
        ),
        (
            "create_provisioning_token",
            Perm(P::Provisioning),
            Args::Form(&[("description", "t"), ("expires_days", "x")]),
        ),
        (
            "revoke_provisioning_token",
            Perm(P::Provisioning),
            Args::Form(&[("token_id", "t")]),
        ),
        (
            "provisioning_activity",
            Perm(P::Provisioning),
            Args::Form(&[("failures_only", "false"), ("page", "1")]),
        ),
        (
            "provisioning_history",
            Perm(P::Provisioning),
            Args::Form(&[("resource_id", "x"), ("page", "1")]),
        ),
        (
            "provisioning_summary",
            Perm(P::Provisioning),
            Args::Form(&[]),
        ),
        ("security_topics", Perm(P::SecurityTopics), Args::Form(&[])),
        (
            "security_topic",
            Perm(P::SecurityTopics),
            Args::Form(&[("id", "t")]),
        ),
        (
            "create_security_topic",
            Perm(P::SecurityTopics),
            Args::Json(topic_json),
        ),
        (
            "update_security_topic",
            Perm(P::SecurityTopics),
            Args::Json(topic_update_json),
        ),
        (
            "delete_security_topic",
            Perm(P::SecurityTopics),
            Args::Form(&[("id", "t")]),
        ),
        (
            "assign_security_topic",
            Perm(P::SecurityTopics),
            Args::Form(&[("topic_id", "t"), ("group_id", "g")]),
        ),
        (
            "remove_security_topic",
            Perm(P::SecurityTopics),
            Args::Form(&[("topic_id", "t"), ("group_id", "g")]),
        ),
        ("security_audit", Perm(P::Audit), Args::Form(&[])),
        (
            "provisioning_health",
            Perm(P::Provisioning),
            Args::Form(&[]),
        ),
        ("entra_setup", AnyOf(CONNECT), Args::Form(&[])),
        ("entra_setup_steps", AnyOf(CONNECT), Args::Form(&[])),
        ("expiry_notices", AnyOf(CONNECT), Args::Form(&[])),
        ("entra_setup_progress", AnyOf(CONNECT), Args::Form(&[])),
        (
            "set_client_secret_expires",
            Perm(P::IdentityProviders),
            Args::Form(&[("secret_expires", "not a date")]),
        ),
        ("alerts_overview", Perm(P::Provisioning), Args::Form(&[])),
        (
            "add_email_channel",
            Perm(P::Provisioning),
            Args::Form(&[
                ("form[name]", ""),
                ("form[host]", ""),
                ("form[port]", ""),
                ("form[security]", ""),
                ("form[username]", ""),
                ("form[password]", ""),
                ("form[from]", ""),
                ("form[to]", ""),
            ]),
        ),
        (
            "add_webhook_channel",
            Perm(P::Provisioning),
            Args::Form(&[("name", ""), ("url", "not a url")]),
        ),
        (
            "delete_alert_channel",
            Perm(P::Provisioning),
            Args::Form(&[("channel_id", "c")]),
        ),
        (
            "send_test_alert",
            Perm(P::Provisioning),
            Args::Form(&[("channel_id", "c")]),
        ),
        (
            "set_mass_threshold",
            Perm(P::Provisioning),
            Args::Form(&[("share_percent", "0"), ("min_people", "0")]),
        ),
    ]
}

async fn call(app: &TestApp, name: &str, args: &Args, cookie: Option<&str>) -> Reply {
    match args {
        Args::Form(form) => app.call(name, form, cookie).await,
        Args::Json(body) => app.call_json(name, &body(), cookie).await,
    }
}

/// The bootstrap administrator's cookie and session, as the domain sees it.
async fn admin(app: &TestApp) -> (String, SessionInfo) {
    let cookie = app.admin_session().await;
    let info = app.backend.resolve_session(&cookie).await.unwrap().unwrap();
    (cookie, info)
}

/// A local non-administrator holding exactly `perms` (through a custom topic on a local group,
/// or nothing); returns the cookie of a fresh sign-in.
async fn person(app: &TestApp, admin: &SessionInfo, name: &str, perms: PermissionSet) -> String {
    let form = LocalUserForm {
        username: name.into(),
        display_name: name.into(),
        password: PASSWORD.into(),
        is_admin: false,
    };
    app.backend.create_local_user(admin, &form).await.unwrap();
    if !perms.is_empty() {
        let group = app
            .backend
            .create_local_group(admin, &format!("{name} group"))
            .await
            .unwrap();
        let topic = app
            .backend
            .create_security_topic(
                admin,
                &TopicForm {
                    name: format!("{name} topic"),
                    description: String::new(),
                    permissions: perms.iter().collect(),
                },
            )
            .await
            .unwrap();
        app.backend
            .assign_security_topic(
                admin,
                &topic,
                &app::domain::ids::GroupId::from(group.as_str()),
            )
            .await
            .unwrap();
        app.backend
            .add_local_group_member(
                admin,
                &app::domain::ids::GroupId::from(group.as_str()),
                name,
            )
            .await
            .unwrap();
    }
    let r = app.login(name, PASSWORD).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.session_cookie().unwrap()
}

#[tokio::test]
async fn every_server_function_is_listed_with_its_permission() {
    let listed: std::collections::BTreeSet<String> =
        table().iter().map(|(n, ..)| format!("/api/{n}")).collect();
    let registered: std::collections::BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(p, _)| p.to_owned())
        .collect();
    assert_eq!(
        registered, listed,
        "every registered server function must be in this test's table with the permission it needs"
    );
}

#[tokio::test]
async fn every_server_function_refuses_callers_without_its_permission() {
    let app = TestApp::new().await;
    let (admin_cookie, admin) = admin(&app).await;
    let nothing = person(&app, &admin, "nothing", PermissionSet::EMPTY).await;
    let everything = person(&app, &admin, "everything", PermissionSet::all()).await;
    for (name, needs, args) in table() {
        // Without a session: 401, except the sign-in page's own functions.
        let r = call(&app, name, &args, None).await;
        if needs == Public {
            assert!(
                !r.body.contains("\"Unauthorized\""),
                "{name} is public: {}",
                r.body
            );
        } else {
            assert_eq!(
                r.status,
                StatusCode::UNAUTHORIZED,
                "{name} without a session: {}",
                r.body
            );
        }
        // Signed in with no permission: 403 for everything that needs one.
        let r = call(&app, name, &args, Some(&nothing)).await;
        match needs {
            Perm(_) | AnyOf(_) | Operator => {
                assert_eq!(
                    r.status,
                    StatusCode::FORBIDDEN,
                    "{name} for someone with nothing: {}",
                    r.body
                );
                assert!(
                    r.body.contains("You don't have permission to"),
                    "{name}: {}",
                    r.body
                );
            }
            Public | SignedIn => assert_ne!(r.status, StatusCode::FORBIDDEN, "{name}: {}", r.body),
        }
        match needs {
            Perm(p) => {
                // Everything but this one permission: still 403.
                let others: PermissionSet =
                    Permission::ALL.into_iter().filter(|q| *q != p).collect();
                let cookie = person(&app, &admin, &format!("all-but-{name}"), others).await;
                let r = call(&app, name, &args, Some(&cookie)).await;
                assert_eq!(
                    r.status,
                    StatusCode::FORBIDDEN,
                    "{name} without {p:?}: {}",
                    r.body
                );
                // Only this permission: let through (whatever the fake arguments then give).
                let cookie = person(
                    &app,
                    &admin,
                    &format!("only-{name}"),
                    PermissionSet::only(p),
                )
                .await;
                let r = call(&app, name, &args, Some(&cookie)).await;
                assert!(
                    r.status != StatusCode::FORBIDDEN && r.status != StatusCode::UNAUTHORIZED,
                    "{name} with {p:?}: {} {}",
                    r.status,
                    r.body
                );
            }
            AnyOf(set) => {
                // Everything but these: 403; any one of them alone: let through.
                let others: PermissionSet = Permission::ALL
                    .into_iter()
                    .filter(|q| !set.contains(q))
                    .collect();
                let cookie = person(&app, &admin, &format!("all-but-{name}"), others).await;
                let r = call(&app, name, &args, Some(&cookie)).await;
                assert_eq!(
                    r.status,
                    StatusCode::FORBIDDEN,
                    "{name} without {set:?}: {}",
                    r.body
                );
                for p in set {
                    let who = format!("only-{p:?}-{name}");
                    let cookie = person(&app, &admin, &who, PermissionSet::only(*p)).await;
                    let r = call(&app, name, &args, Some(&cookie)).await;
                    assert!(
                        r.status != StatusCode::FORBIDDEN && r.status != StatusCode::UNAUTHORIZED,
                        "{name} with {p:?}: {} {}",
                        r.status,
                        r.body
                    );
                }
            }
            Operator => {
                // Every permission through topics does not make an operator.
                let r = call(&app, name, &args, Some(&everything)).await;
                assert_eq!(
                    r.status,
                    StatusCode::FORBIDDEN,
                    "{name} needs an operator: {}",
                    r.body
                );
                let r = call(&app, name, &args, Some(&admin_cookie)).await;
                assert_ne!(
                    r.status,
                    StatusCode::FORBIDDEN,
                    "{name} as operator: {}",
                    r.body
                );
            }
            Public | SignedIn => {}
        }
    }
    // The refusals are in the audit trail, repeats folded into one line with a count.
    let rows = app
        .backend
        .security_audit(&admin.tenant_id, 500)
        .await
        .unwrap();
    let refused = rows
        .iter()
        .filter(|r| r.action == "Permission refused" && r.actor == "nothing")
        .count();
    let needing = table()
        .iter()
        .filter(|(_, n, _)| matches!(n, Perm(_) | AnyOf(_) | Operator))
        .count();
    assert_eq!(refused, needing, "one line per function refused");
    let r = app
        .call(
            "users",
            &[
                ("search", ""),
                ("source", ""),
                ("status", ""),
                ("page", "1"),
            ],
            Some(&nothing),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let rows = app
        .backend
        .security_audit(&admin.tenant_id, 500)
        .await
        .unwrap();
    let users_line = rows
        .iter()
        .find(|r| r.actor == "nothing" && r.detail.ends_with("(/api/users)"))
        .unwrap();
    assert_eq!(users_line.repeats, 2, "{users_line:?}");
}

#[tokio::test]
async fn someone_without_permissions_sees_only_the_no_access_page() {
    let app = TestApp::new().await;
    let (_, admin) = admin(&app).await;
    let nothing = person(&app, &admin, "newcomer", PermissionSet::EMPTY).await;
    let access = app.call("my_access", &[], Some(&nothing)).await.json();
    assert_eq!(access["grants"]["permissions"], 0);
    for page in ["/", "/users", "/identity-providers", "/tenants"] {
        let r = app.get(page, Some(&nothing)).await;
        assert!(
            r.body.contains("You have no access yet"),
            "{page}: {}",
            r.body
        );
        assert!(!r.body.contains("href=\"/users\""), "no navigation: {page}");
    }
}

#[tokio::test]
async fn a_direct_visit_without_the_permission_shows_the_permission_page_not_data() {
    let app = TestApp::new().await;
    let (admin_cookie, admin) = admin(&app).await;
    let viewer = person(&app, &admin, "viewer", PermissionSet::only(P::Directory)).await;
    let r = app.get("/users", Some(&viewer)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body.contains("href=\"/users\""),
        "Users in the navigation"
    );
    assert!(
        !r.body.contains("href=\"/identity-providers\""),
        "no Identity Providers item"
    );
    assert!(!r.body.contains("href=\"/tenants\""), "no Tenants item");
    assert!(
        !r.body.contains("+ Add local user"),
        "no button to add users"
    );
    // The admin's secret-bearing page: refused, with words and without the list.
    app.backend
        .save_identity_provider(
            &admin.tenant_id,
            "admin",
            None,
            &IdpForm {
                name: "Secret Entra".into(),
                client_id: "c".into(),
                client_secret: "s".into(),
                authorization_url: "https://login.example/a".into(),
                token_url: "https://login.example/t".into(),
                jwks_url: "https://login.example/k".into(),
                ..IdpForm::defaults()
            },
        )
        .await
        .unwrap();
    // (The page streams: its status is sent before its data, so the words are what counts.)
    let r = app.get("/identity-providers", Some(&viewer)).await;
    assert!(
        r.body
            .contains("You don&#x27;t have permission to manage identity providers.")
            || r.body
                .contains("You don't have permission to manage identity providers."),
        "{}",
        r.body
    );
    assert!(!r.body.contains("Secret Entra"));
    let r = app.get("/identity-providers", Some(&admin_cookie)).await;
    assert!(r.body.contains("Secret Entra"));
}

#[tokio::test]
async fn nobody_raises_their_own_rights() {
    let app = TestApp::new().await;
    let (admin_cookie, admin) = admin(&app).await;
    let helpdesk = person(
        &app,
        &admin,
        "helpdesk",
        [P::Users, P::Directory].into_iter().collect(),
    )
    .await;
    let me = app
        .backend
        .resolve_session(&helpdesk)
        .await
        .unwrap()
        .unwrap();
    let admin_id = admin.account_id.clone();

    // Not their own Administrator flag.
    let r = app
        .call_json("update_user", &json!({ "id": me.account_id, "form": { "username": "helpdesk", "display_name": "", "password": "", "is_admin": true } }), Some(&helpdesk))
        .await;
    assert!(
        r.status == StatusCode::UNPROCESSABLE_ENTITY || r.status == StatusCode::FORBIDDEN,
        "{}",
        r.body
    );
    // Not a new Administrator.
    let r = app
        .call_json("create_user", &json!({ "form": { "username": "sneaky", "display_name": "", "password": PASSWORD, "is_admin": true } }), Some(&helpdesk))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    // Not another Administrator's password, status or account.
    let r = app
        .call_json("update_user", &json!({ "id": admin_id, "form": { "username": "admin", "display_name": "", "password": "taken over password", "is_admin": true } }), Some(&helpdesk))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    for (f, args) in [
        (
            "set_user_active",
            vec![("id", admin_id.as_str()), ("active", "false")],
        ),
        ("delete_user", vec![("id", admin_id.as_str())]),
    ] {
        let r = app.call(f, &args, Some(&helpdesk)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{f}: {}", r.body);
    }
    let ok = app.login("admin", crate::helpers::ADMIN_PASSWORD).await;
    assert_eq!(
        ok.status,
        StatusCode::OK,
        "the admin's password is unchanged"
    );
    let v = app.call("my_access", &[], Some(&helpdesk)).await.json();
    assert_eq!(v["grants"]["is_admin"], false);

    // Not into a group whose topics grant more than they hold (themselves included).
    let idp_group = app
        .backend
        .create_local_group(&admin, "IdP admins")
        .await
        .unwrap();
    let idp_topic = BUILTIN_TOPICS
        .iter()
        .find(|t| t.permission == P::IdentityProviders)
        .unwrap()
        .id;
    app.backend
        .assign_security_topic(
            &admin,
            idp_topic,
            &app::domain::ids::GroupId::from(idp_group.as_str()),
        )
        .await
        .unwrap();
    let r = app
        .call(
            "add_group_member",
            &[("group_id", &idp_group), ("username", "helpdesk")],
            Some(&helpdesk),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = app.call("identity_providers", &[], Some(&helpdesk)).await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "still no identity providers"
    );

    // A topic administrator assigns only what they hold, also to their own group.
    let topics = person(
        &app,
        &admin,
        "topics",
        [P::SecurityTopics, P::Directory].into_iter().collect(),
    )
    .await;
    let own_group = app
        .backend
        .create_local_group(&admin, "Topic admins")
        .await
        .unwrap();
    app.backend
        .add_local_group_member(
            &admin,
            &app::domain::ids::GroupId::from(own_group.as_str()),
            "topics",
        )
        .await
        .unwrap();
    let r = app
        .call(
            "assign_security_topic",
            &[("topic_id", idp_topic), ("group_id", &own_group)],
            Some(&topics),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(r.body.contains("Manage identity providers"), "{}", r.body);
    let viewer_topic = BUILTIN_TOPICS
        .iter()
        .find(|t| t.permission == P::Directory)
        .unwrap()
        .id;
    let r = app
        .call(
            "assign_security_topic",
            &[("topic_id", viewer_topic), ("group_id", &own_group)],
            Some(&topics),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // Nor creates or widens a custom topic beyond their own rights.
    let r = app.call_json("create_security_topic", &json!({ "form": { "name": "All of it", "description": "", "permissions": ["IdentityProviders"] } }), Some(&topics)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = app.call_json("create_security_topic", &json!({ "form": { "name": "Readers", "description": "", "permissions": ["Directory"] } }), Some(&topics)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let readers = r.json().as_str().unwrap().to_owned();
    let r = app.call_json("update_security_topic", &json!({ "id": readers, "form": { "name": "Readers", "description": "", "permissions": ["Directory", "Provisioning"] } }), Some(&topics)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    // Built-in topics never change.
    for f in ["delete_security_topic"] {
        let r = app
            .call(f, &[("id", viewer_topic)], Some(&admin_cookie))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    }
    let r = app.call_json("update_security_topic", &json!({ "id": viewer_topic, "form": { "name": "Mine", "description": "", "permissions": ["Directory"] } }), Some(&admin_cookie)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let names: Vec<String> = app
        .call("security_topics", &[], Some(&admin_cookie))
        .await
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        names.contains(&"Directory Viewer".to_owned()) && names.contains(&"Readers".to_owned())
    );
}

#[tokio::test]
async fn an_operator_who_loses_the_right_is_back_home_at_the_next_request() {
    let app = TestApp::new().await;
    let (admin_cookie, admin) = admin(&app).await;
    app.backend
        .create_local_user(
            &admin,
            &LocalUserForm {
                username: "ops".into(),
                display_name: "Ops".into(),
                password: PASSWORD.into(),
                is_admin: true,
            },
        )
        .await
        .unwrap();
    let ops = app.login("ops", PASSWORD).await.session_cookie().unwrap();
    let other = app.backend.create_tenant("Fabrikam").await.unwrap();
    let r = app
        .call(
            "switch_tenant",
            &[("tenant_id", other.id.as_str())],
            Some(&ops),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        app.call("viewer", &[], Some(&ops)).await.json()["tenant"]["name"],
        "Fabrikam"
    );
    // The admin takes the Administrator flag away.
    let ops_id = app
        .backend
        .resolve_session(&ops)
        .await
        .unwrap()
        .unwrap()
        .account_id;
    let r = app
        .call_json("update_user", &json!({ "id": ops_id, "form": { "username": "ops", "display_name": "Ops", "password": "", "is_admin": false } }), Some(&admin_cookie))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = app.call("viewer", &[], Some(&ops)).await.json();
    assert_eq!(v["tenant"]["name"], "Default", "back in the home tenant");
    assert_eq!(v["tenants"].as_array().unwrap().len(), 1);
    let r = app
        .call("create_tenant", &[("name", "Nope")], Some(&ops))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .call(
            "switch_tenant",
            &[("tenant_id", other.id.as_str())],
            Some(&ops),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn scim_membership_decides_and_a_removal_takes_effect_at_the_next_request() {
    let app = TestApp::new().await;
    let (admin_cookie, admin) = admin(&app).await;
    let scim = Scim::new(&app).await;
    let user = scim
        .req("POST", "/Users", Some(json!({ "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "dana@contoso.example", "active": true, "displayName": "Dana" })))
        .await
        .json();
    let user_id = user["id"].as_str().unwrap().to_owned();
    let group = scim
        .req("POST", "/Groups", Some(json!({ "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Finance Team", "members": [{ "value": user_id }] })))
        .await
        .json();
    let group_id = group["id"].as_str().unwrap().to_owned();
    // Dana signs in (a session as single sign-on would start it) and holds nothing yet.
    let dana = app
        .backend
        .start_session(
            &app::domain::ids::AccountId::from(user_id.as_str()),
            &app.default_tenant,
        )
        .await
        .unwrap();
    let users_args = [
        ("search", ""),
        ("source", ""),
        ("status", ""),
        ("page", "1"),
    ];
    assert_eq!(
        app.call("users", &users_args, Some(&dana)).await.status,
        StatusCode::FORBIDDEN
    );
    let viewer_topic = BUILTIN_TOPICS
        .iter()
        .find(|t| t.permission == P::Directory)
        .unwrap()
        .id;
    let r = app
        .call(
            "assign_security_topic",
            &[("topic_id", viewer_topic), ("group_id", &group_id)],
            Some(&admin_cookie),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        app.call("users", &users_args, Some(&dana)).await.status,
        StatusCode::OK
    );
    // Her page says where it comes from.
    let perms = app
        .call("user_permissions", &[("id", &user_id)], Some(&admin_cookie))
        .await
        .json();
    assert_eq!(perms[0]["permission"], "Directory");
    assert_eq!(perms[0]["via"][0]["Group"]["group"], "Finance Team");
    // Entra removes her from the group: the next request is refused.
    let r = scim
        .req("PATCH", &format!("/Groups/{group_id}"), Some(json!({ "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{ "op": "Remove", "path": format!("members[value eq \"{user_id}\"]") }] })))
        .await;
    assert!(r.status.is_success(), "{}", r.body);
    assert_eq!(
        app.call("users", &users_args, Some(&dana)).await.status,
        StatusCode::FORBIDDEN
    );
    let access = app.call("my_access", &[], Some(&dana)).await.json();
    assert_eq!(access["grants"]["permissions"], 0);
    // The assignment is in the audit trail.
    let audit = app
        .call("security_audit", &[], Some(&admin_cookie))
        .await
        .body;
    assert!(
        audit.contains("Topic assigned") && audit.contains("Directory Viewer → Finance Team"),
        "{audit}"
    );
    let _ = admin;
}

#[tokio::test]
async fn permissions_are_the_union_of_the_groups_topics_and_follow_custom_topic_changes() {
    let app = TestApp::new().await;
    let (_, admin) = admin(&app).await;
    let cookie = person(&app, &admin, "pat", PermissionSet::EMPTY).await;
    assert!(grants_of(&app, &cookie).await.is_empty());
    let builtin = |p: Permission| {
        BUILTIN_TOPICS
            .iter()
            .find(|t| t.permission == p)
            .unwrap()
            .id
    };
    let (a, b) = (
        app.backend.create_local_group(&admin, "A").await.unwrap(),
        app.backend.create_local_group(&admin, "B").await.unwrap(),
    );
    for g in [&a, &b] {
        app.backend
            .add_local_group_member(&admin, &app::domain::ids::GroupId::from(g.as_str()), "pat")
            .await
            .unwrap();
    }
    app.backend
        .assign_security_topic(
            &admin,
            builtin(P::Directory),
            &app::domain::ids::GroupId::from(a.as_str()),
        )
        .await
        .unwrap();
    let custom = app
        .backend
        .create_security_topic(
            &admin,
            &TopicForm {
                name: "Auditors".into(),
                description: String::new(),
                permissions: vec![P::Audit],
            },
        )
        .await
        .unwrap();
    app.backend
        .assign_security_topic(
            &admin,
            &custom,
            &app::domain::ids::GroupId::from(b.as_str()),
        )
        .await
        .unwrap();
    let both: PermissionSet = [P::Directory, P::Audit].into_iter().collect();
    assert_eq!(
        grants_of(&app, &cookie).await,
        both,
        "the union of both groups' topics"
    );
    // Widening the custom topic widens everyone in its groups at once.
    app.backend
        .update_security_topic(
            &admin,
            &custom,
            &TopicForm {
                name: "Auditors".into(),
                description: String::new(),
                permissions: vec![P::Audit, P::Provisioning],
            },
        )
        .await
        .unwrap();
    assert!(grants_of(&app, &cookie).await.contains(P::Provisioning));
    // Removing a topic from a group, or deleting the custom topic, takes it away.
    app.backend
        .remove_security_topic(
            &admin,
            builtin(P::Directory),
            &app::domain::ids::GroupId::from(a.as_str()),
        )
        .await
        .unwrap();
    assert!(!grants_of(&app, &cookie).await.contains(P::Directory));
    app.backend
        .delete_security_topic(&admin, &custom)
        .await
        .unwrap();
    assert!(grants_of(&app, &cookie).await.is_empty());
    // A group of another tenant grants nothing here.
    let other = app.backend.create_tenant("Elsewhere").await.unwrap();
    let foreign: String =
        sqlx::query_scalar("SELECT account_id FROM account WHERE username = 'pat'")
            .fetch_one(&app.backend.db.pool)
            .await
            .unwrap();
    sqlx::query("INSERT INTO security_group (group_id, tenant_id, display_name, display_name_folded, source, scim_doc, created_at, updated_at) VALUES ('fg', $1, 'F', 'f', 'scim', '{}', 1, 1)")
        .bind(&other.id)
        .execute(&app.backend.db.pool)
        .await
        .unwrap();
    sqlx::query("INSERT INTO group_member (group_id, account_id) VALUES ('fg', $1)")
        .bind(&foreign)
        .execute(&app.backend.db.pool)
        .await
        .unwrap();
    sqlx::query("INSERT INTO group_topic (group_id, topic_id, tenant_id, assigned_at, assigned_by) VALUES ('fg', $1, $2, 1, 'x')")
        .bind(builtin(P::IdentityProviders))
        .bind(&other.id)
        .execute(&app.backend.db.pool)
        .await
        .unwrap();
    assert!(
        grants_of(&app, &cookie).await.is_empty(),
        "only the tenant's own groups count"
    );
}

async fn grants_of(app: &TestApp, cookie: &str) -> PermissionSet {
    app.backend
        .resolve_session(cookie)
        .await
        .unwrap()
        .unwrap()
        .grants
        .permissions
}
