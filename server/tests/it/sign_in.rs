//! Local sign-in, sessions, throttling, sign-out, and the guards in front of pages and server fns.

use std::net::SocketAddr;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};

use crate::helpers::{Reply, TestApp, ADMIN_PASSWORD};

#[tokio::test]
async fn health_and_readiness_answer() {
    let app = TestApp::new().await;
    let r = app.get("/healthz", None).await;
    assert_eq!((r.status, r.body.as_str()), (StatusCode::OK, "ok"));
    let r = app.get("/readyz", None).await;
    assert_eq!((r.status, r.body.as_str()), (StatusCode::OK, "ready"));
    assert!(
        r.header("x-request-id").is_some_and(|id| id.len() >= 32),
        "request id on responses"
    );
}

#[tokio::test]
async fn console_pages_redirect_to_login_without_a_session() {
    let app = TestApp::new().await;
    for path in [
        "/",
        "/tenants",
        "/users",
        "/security-groups",
        "/identity-providers",
    ] {
        let r = app.get(path, None).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(r.header("location"), Some("/login"), "{path}");
    }
    let r = app.get("/login", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Sign in"), "{}", r.body);
    assert!(r.body.contains(r#"for="username""#) && r.body.contains(r#"for="password""#));
}

#[tokio::test]
async fn sign_in_sets_a_safe_cookie_and_opens_the_console() {
    let app = TestApp::new().await;
    let r = app.login("ADMIN", ADMIN_PASSWORD).await; // usernames are case-insensitive
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let cookie = r.set_cookie();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"),
        "{cookie}"
    );
    assert!(
        !cookie.contains("Secure"),
        "no Secure flag on a plain-http public URL: {cookie}"
    );
    let session = r.session_cookie().unwrap();
    assert!(session.len() >= 43, "256-bit session id");

    let page = app.get("/", Some(&session)).await;
    assert_eq!(page.status, StatusCode::OK);
    for label in ["Identity Providers", "Users", "Security Groups", "Tenants"] {
        assert!(page.body.contains(label), "nav entry {label}");
    }
    let again = app.get("/login", Some(&session)).await;
    assert_eq!(
        (again.status, again.header("location")),
        (StatusCode::SEE_OTHER, Some("/"))
    );

    // The database keeps only a hash of the session id.
    let stored: Vec<String> = sqlx::query_scalar("SELECT session_hash FROM session")
        .fetch_all(&app.backend.db.pool)
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0], session);
}

#[tokio::test]
async fn cookie_is_secure_behind_an_https_public_url() {
    let app = TestApp::with_public_url("https://console.example.com").await;
    let r = app.login("admin", ADMIN_PASSWORD).await;
    assert!(r.set_cookie().contains("; Secure"), "{}", r.set_cookie());
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_one_generic_answer() {
    let app = TestApp::new().await;
    let wrong = app.login("admin", "not the password").await;
    let unknown = app.login("nobody", "not the password").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.body, unknown.body);
    assert!(wrong.body.contains("InvalidCredentials"), "{}", wrong.body);
    assert!(wrong.session_cookie().is_none() && unknown.session_cookie().is_none());
}

/// Sets the failure count of the throttle keys matching `like` (SQL LIKE). The first wait after
/// the free attempts is one second, counted in whole seconds, and a check may itself have waited
/// in line behind other tests' hashes: a few more failures make the wait (4 s) outlast the test.
async fn lengthen_wait(app: &TestApp, like: &str, failures: i64) {
    let n = sqlx::query("UPDATE login_throttle SET failures = $1 WHERE throttle_key LIKE $2")
        .bind(failures)
        .bind(like)
        .execute(&app.backend.db.pool)
        .await
        .unwrap()
        .rows_affected();
    assert!(n > 0, "no throttle key like {like}");
}

async fn login_from(app: &TestApp, username: &str, password: &str, peer: &str) -> Reply {
    let peer: SocketAddr = peer.parse().unwrap();
    app.call_from(
        "login",
        &[
            ("tenant_id", ""),
            ("username", username),
            ("password", password),
        ],
        None,
        Some(peer),
    )
    .await
}

#[tokio::test]
async fn repeated_failures_for_a_username_are_slowed_down() {
    let app = TestApp::new().await;
    let attacker = "203.0.113.9:4000";
    for _ in 0..5 {
        assert_eq!(
            login_from(&app, "admin", "wrong", attacker).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    lengthen_wait(&app, "%@203.0.113.9", 7).await;
    // Now even the right password must wait, from this address.
    let r = login_from(&app, "admin", ADMIN_PASSWORD, attacker).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    assert!(
        r.json()["TooManyAttempts"]["retry_after_secs"]
            .as_u64()
            .unwrap()
            >= 1
    );
    assert!(r.session_cookie().is_none());
    // Another username is not affected.
    assert_eq!(
        login_from(&app, "someone", "wrong", attacker).await.status,
        StatusCode::UNAUTHORIZED
    );
    // The real person, elsewhere, is not locked out by the attacker.
    let r = login_from(&app, "admin", ADMIN_PASSWORD, "198.51.100.20:1").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

#[tokio::test]
async fn parallel_guesses_cannot_pass_the_limit() {
    let app = std::sync::Arc::new(TestApp::new().await);
    let started = std::time::Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..60 {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            login_from(&app, "admin", "wrong", "203.0.113.10:4000")
                .await
                .status
        }));
    }
    let mut checked = 0;
    let mut throttled = 0;
    for t in tasks {
        match t.await.unwrap() {
            StatusCode::UNAUTHORIZED => checked += 1,
            StatusCode::TOO_MANY_REQUESTS => throttled += 1,
            other => panic!("unexpected {other}"),
        }
    }
    // The free attempts reached the password check; the rest never cost a hash. After them the
    // delay starts at 1 s on a clock of whole seconds, so each second boundary the burst crossed
    // (one even in a burst shorter than a second) may have let one more through — never more.
    let slack = started.elapsed().as_secs() as usize + 1;
    assert!(
        (5..=5 + slack).contains(&checked),
        "{checked} password checks, {throttled} refused, in {slack} s"
    );
    assert_eq!(checked + throttled, 60);
}

#[tokio::test]
async fn an_attacker_on_many_addresses_slows_the_username_for_at_most_a_minute() {
    let app = TestApp::new().await;
    // 20 attempts from 20 addresses: the per-username limit (softer) is reached.
    for i in 0..20 {
        let r = login_from(&app, "admin", "wrong", &format!("198.18.0.{i}:1")).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    lengthen_wait(&app, "u:%:admin", 22).await;
    let r = login_from(&app, "admin", ADMIN_PASSWORD, "198.18.1.1:1").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    // Push the counter far up: the wait it asks for stays within a minute.
    sqlx::query("UPDATE login_throttle SET failures = 500 WHERE throttle_key LIKE 'u:%' AND throttle_key NOT LIKE '%@%'")
        .execute(&app.backend.db.pool)
        .await
        .unwrap();
    let r = login_from(&app, "admin", ADMIN_PASSWORD, "198.18.1.1:1").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    let wait = r.json()["TooManyAttempts"]["retry_after_secs"]
        .as_u64()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
}

#[tokio::test]
async fn ipv6_addresses_are_throttled_per_64() {
    let app = TestApp::new().await;
    // 20 wrong attempts spread over one /64 (different usernames, different hosts in it).
    for i in 0..20 {
        let r = login_from(
            &app,
            &format!("user{i}"),
            "x",
            &format!("[2001:db8:7:7:{i:x}::1]:443"),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    lengthen_wait(&app, "a:2001:db8:7:7::/64", 22).await;
    let r = login_from(&app, "admin", ADMIN_PASSWORD, "[2001:db8:7:7:ffff::9]:443").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    // The next /64 is someone else.
    let r = login_from(&app, "admin", ADMIN_PASSWORD, "[2001:db8:7:8::1]:443").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

#[tokio::test]
async fn repeated_failures_from_an_address_are_slowed_down() {
    let app = TestApp::new().await;
    let peer: SocketAddr = "192.0.2.7:5555".parse().unwrap();
    for i in 0..20 {
        let user = format!("user{i}");
        let r = app
            .call_from(
                "login",
                &[("tenant_id", ""), ("username", &user), ("password", "x")],
                None,
                Some(peer),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    lengthen_wait(&app, "a:192.0.2.7", 22).await;
    let r = app
        .call_from(
            "login",
            &[
                ("tenant_id", ""),
                ("username", "admin"),
                ("password", ADMIN_PASSWORD),
            ],
            None,
            Some(peer),
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    // From elsewhere the admin still gets in.
    let other: SocketAddr = "198.51.100.1:1".parse().unwrap();
    let r = app
        .call_from(
            "login",
            &[
                ("tenant_id", ""),
                ("username", "admin"),
                ("password", ADMIN_PASSWORD),
            ],
            None,
            Some(other),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

#[tokio::test]
async fn server_functions_refuse_without_a_session() {
    let app = TestApp::new().await;
    for name in ["viewer", "tenants", "create_tenant", "switch_tenant"] {
        let r = app
            .call(
                name,
                &[("name", "X"), ("tenant_id", app.default_tenant.as_str())],
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{name}: {}", r.body);
        assert!(
            !r.body.contains("Default") && !r.body.contains(app.default_tenant.as_str()),
            "{name} leaked data"
        );
    }
    let r = app.call("viewer", &[], Some("forged-cookie-value")).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.backend.list_tenants().await.unwrap().len(),
        1,
        "nothing was created"
    );
}

#[tokio::test]
async fn sign_out_ends_the_session() {
    let app = TestApp::new().await;
    let session = app.admin_session().await;
    let req = Request::post("/logout")
        .header(header::COOKIE, format!("cantara_session={session}"))
        .body(Body::empty())
        .unwrap();
    let r = app.send(req).await;
    assert_eq!(
        (r.status, r.header("location")),
        (StatusCode::SEE_OTHER, Some("/login"))
    );
    assert!(r.set_cookie().contains("Max-Age=0"));
    let after = app.get("/", Some(&session)).await;
    assert_eq!(after.header("location"), Some("/login"));
    assert_eq!(
        app.call("viewer", &[], Some(&session)).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn get_logout_only_asks() {
    let app = TestApp::new().await;
    let session = app.admin_session().await;
    let r = app.get("/logout", Some(&session)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body.contains(r#"<form method="post" action="/logout""#),
        "{}",
        r.body
    );
    assert!(!r.set_cookie().contains("Max-Age=0"));
    // Still signed in.
    assert_eq!(app.get("/", Some(&session)).await.status, StatusCode::OK);
}

#[tokio::test]
async fn every_answer_carries_the_browser_security_headers() {
    let app = TestApp::new().await;
    let session = app.admin_session().await;
    let page = app.get("/users", Some(&session)).await;
    assert_eq!(page.status, StatusCode::OK);
    let csp = page.header("content-security-policy").unwrap().to_owned();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    // The nonce in the policy is the one on the page's scripts, and it changes per request.
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|r| r.split('\'').next())
        .unwrap()
        .to_owned();
    assert!(
        page.body.contains(&format!("nonce=\"{nonce}\"")),
        "scripts carry the nonce"
    );
    let again = app.get("/users", Some(&session)).await;
    assert!(!again
        .header("content-security-policy")
        .unwrap()
        .contains(&nonce));
    for reply in [
        &page,
        &app.get("/login", None).await,
        &app.call("viewer", &[], Some(&session)).await,
    ] {
        assert_eq!(reply.header("x-frame-options"), Some("DENY"));
        assert_eq!(reply.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(
            reply.header("referrer-policy"),
            Some("strict-origin-when-cross-origin")
        );
        assert_eq!(reply.header("cache-control"), Some("no-store"));
        assert!(
            reply.header("strict-transport-security").is_none(),
            "not on http"
        );
    }
    let https = TestApp::with_public_url("https://console.example.com").await;
    let r = https.get("/login", None).await;
    assert!(r
        .header("strict-transport-security")
        .is_some_and(|v| v.starts_with("max-age=")));
}

#[tokio::test]
async fn idle_and_absolute_limits_end_sessions() {
    let app = TestApp::new().await;
    let idle = app.admin_session().await;
    app.backend
        .age_session_for_tests(&idle, 61 * 60)
        .await
        .unwrap();
    let r = app.get("/", Some(&idle)).await;
    assert_eq!(r.header("location"), Some("/login"), "idle session ended");
    assert!(r.set_cookie().contains("Max-Age=0"), "stale cookie cleared");

    let fresh = app.admin_session().await;
    assert_eq!(app.get("/", Some(&fresh)).await.status, StatusCode::OK);
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM session")
        .fetch_one(&app.backend.db.pool)
        .await
        .unwrap();
    assert_eq!(left, 1, "the idle session row was deleted");
}

#[tokio::test]
async fn cross_origin_posts_are_refused() {
    let app = TestApp::new().await;
    let req = admin_login_form(
        &[
            (header::ORIGIN, "http://evil.example"),
            (header::HOST, "127.0.0.1:3000"),
        ],
        ADMIN_PASSWORD,
    );
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.session_cookie().is_none());
    let same = admin_login_form(
        &[
            (header::ORIGIN, "http://127.0.0.1:3000"),
            (header::HOST, "127.0.0.1:3000"),
        ],
        ADMIN_PASSWORD,
    );
    assert_eq!(app.send(same).await.status, StatusCode::OK);
}

/// The admin's sign-in as a form post to the `login` server function, with these headers.
fn admin_login_form(headers: &[(header::HeaderName, &str)], password: &str) -> Request<Body> {
    let mut req = Request::post("/api/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    for (name, value) in headers {
        req = req.header(name, *value);
    }
    req.body(Body::from(format!(
        "tenant_id=&username=admin&password={}",
        crate::helpers::urlencode(password)
    )))
    .unwrap()
}

#[tokio::test]
async fn the_sign_in_page_is_plain_html_and_a_plain_form_post_signs_in() {
    let app = TestApp::new().await;
    let page = app.get("/login", None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        !page.body.contains("cantara.js") && !page.body.contains(".wasm"),
        "no wasm or JS on the sign-in page: {}",
        page.body
    );
    assert!(page.body.contains(r#"data-hydrated="true""#));
    assert!(page
        .body
        .contains(r#"<form action="/api/login" method="post""#));
    let console_page = app.get("/", Some(&app.admin_session().await)).await;
    assert!(
        console_page.body.contains("/pkg/cantara.js"),
        "the console ships the wasm"
    );

    // What a browser without the wasm sends.
    let post = |password: &str| {
        admin_login_form(
            &[
                (header::ACCEPT, "text/html,application/xhtml+xml"),
                (header::REFERER, "http://127.0.0.1:3000/login"),
            ],
            password,
        )
    };
    // Refused: a redirect the browser follows back to the page, which shows why.
    let refused = app.send(post("not-the-password")).await;
    assert_eq!(refused.status, StatusCode::SEE_OTHER);
    assert!(refused.session_cookie().is_none());
    let back = refused.header("location").unwrap().to_owned();
    let path = back.trim_start_matches("http://127.0.0.1:3000");
    assert!(
        path.starts_with("/login?__path=%2Fapi%2Flogin&__err="),
        "{back}"
    );
    let shown = app.get(path, None).await;
    assert!(
        shown
            .body
            .contains("The username or password is incorrect."),
        "{}",
        shown.body
    );

    // Signed in: to the console, with the session cookie.
    let ok = app.send(post(ADMIN_PASSWORD)).await;
    assert_eq!(
        (ok.status, ok.header("location")),
        (StatusCode::FOUND, Some("/"))
    );
    let session = ok.session_cookie().expect("session cookie");
    assert_eq!(app.get("/", Some(&session)).await.status, StatusCode::OK);
    // Signed in, the sign-in page is only shown for the expired-secret notice.
    let again = app.get("/login", Some(&session)).await;
    assert_eq!(again.header("location"), Some("/"));
    let told = app
        .get("/login?notice=secret-expired", Some(&session))
        .await;
    assert_eq!(told.status, StatusCode::OK);
}
