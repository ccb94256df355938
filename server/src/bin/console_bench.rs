//! Console page benchmark: the server-side time to render the Users pages with 100,000 users.
//! Provisions the users and 1,000 groups through the SCIM domain layer into a fresh SQLite
//! database, then signs in as a person who is not an Administrator, belongs to 50 groups and
//! holds `Directory Viewer` through them (so every request resolves permissions through the
//! topics), or as the administrator with `--as-admin`, and times full server-rendered pages
//! (`/users`, a user's page) and the Users server function (first page, a deep page, a search,
//! filters) through the real router. Prints the median and tail per case. See README.

use std::sync::Arc;
use std::time::{Duration, Instant};

use app::backend::{Backend, BackendConfig, Db, SecretKey};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use clap::Parser;
use http_body_util::BodyExt;
use serde_json::json;
use tower::ServiceExt;

#[derive(Parser, Debug)]
struct Args {
    #[arg(long, default_value_t = 100_000)]
    users: usize,
    /// Timed requests per case (after 10 warm-up ones).
    #[arg(long, default_value_t = 200)]
    iterations: usize,
    #[arg(long, default_value_t = 1_000)]
    groups: usize,
    /// How many of the groups the signed-in person belongs to (each holds Directory Viewer).
    #[arg(long, default_value_t = 50)]
    member_of: usize,
    /// Sign in as the local administrator instead (no topic lookup per request).
    #[arg(long)]
    as_admin: bool,
}

const PASSWORD: &str = "bench-admin-password";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let dir = tempfile::tempdir()?;
    let db = Db::connect(&format!("sqlite://{}/bench.db", dir.path().display())).await?;
    let backend = Backend::new(
        db,
        BackendConfig {
            public_url: "http://127.0.0.1:3000".into(),
            secret_key: SecretKey::random(),
            // The providers these start listen on 127.0.0.1.
            allow_private_idp_urls: true,
        },
    );
    let tenant = backend
        .bootstrap(Some(PASSWORD))
        .await?
        .expect("fresh database")
        .tenant_id;

    let t = Instant::now();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut tasks = vec![];
    for _ in 0..8 {
        let (backend, tenant, next, n) =
            (backend.clone(), tenant.clone(), next.clone(), args.users);
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= n {
                    break;
                }
                let upn = format!("user{i:06}@contoso.example");
                let body = json!({
                    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": upn,
                    "active": i % 10 != 0, "displayName": format!("Given{i} Family{i}"),
                    "emails": [{"type": "work", "value": upn, "primary": true}],
                    "phoneNumbers": [{"type": "mobile", "value": format!("+1 555 {i:06}")}],
                    "name": {"givenName": format!("Given{i}"), "familyName": format!("Family{i}")},
                });
                backend
                    .scim_create_user(
                        &tenant,
                        app::scim::resource::user_from_body(&body).expect("a valid user"),
                    )
                    .await
                    .expect("provision");
            }
        }));
    }
    for task in tasks {
        task.await?;
    }
    println!(
        "provisioned {} users in {:.1} s",
        args.users,
        t.elapsed().as_secs_f64()
    );

    let options = leptos::config::LeptosOptions::builder()
        .output_name("cantara")
        .site_root(dir.path().join("site").display().to_string())
        .build();
    let router = server::router::router(backend.clone(), options);
    let admin = sign_in(&router, "admin").await?;
    let admin = backend
        .resolve_session(admin.trim_start_matches("cantara_session="))
        .await?
        .expect("admin session");
    let viewer = backend
        .create_local_user(
            &admin,
            &app::domain::directory::LocalUserForm {
                username: "viewer".into(),
                display_name: "Viewer".into(),
                password: PASSWORD.into(),
                is_admin: false,
            },
        )
        .await?;
    let directory_viewer = app::domain::permission::BUILTIN_TOPICS
        .iter()
        .find(|t| t.permission == app::domain::permission::Permission::Directory)
        .expect("built in")
        .id;
    let t = Instant::now();
    for g in 0..args.groups {
        let mut members = vec![json!({ "value": format!("member-{g}") })];
        if g < args.member_of {
            members.push(json!({ "value": viewer }));
        }
        let (record, members) = app::scim::resource::group_from_body(
            &json!({ "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                     "displayName": format!("Group {g:04}"), "members": members }),
        )
        .expect("a valid group");
        let group = backend.scim_create_group(&tenant, record, &members).await?;
        backend
            .assign_security_topic(&admin, directory_viewer, &group.id)
            .await?;
    }
    println!(
        "{} groups holding Directory Viewer, the signed-in person in {} of them ({:.1} s)",
        args.groups,
        args.member_of.min(args.groups),
        t.elapsed().as_secs_f64()
    );
    let cookie = sign_in(&router, if args.as_admin { "admin" } else { "viewer" }).await?;
    println!(
        "signed in as {}",
        if args.as_admin {
            "the administrator"
        } else {
            "a non-administrator holding Directory Viewer through its groups"
        }
    );
    let some_user = backend
        .list_users(
            &tenant,
            &app::domain::directory::UserQuery {
                search: "user050000".into(),
                page: 1,
                ..Default::default()
            },
        )
        .await?
        .items
        .first()
        .map(|u| u.id.clone())
        .expect("a user");

    // The surname cases find people only through the words of their names.
    let by_surname = backend
        .list_users(
            &tenant,
            &app::domain::directory::UserQuery {
                search: "family777".into(),
                page: 1,
                ..Default::default()
            },
        )
        .await?
        .total;
    println!("a search for \"family777\" finds {by_surname} users");

    let deep = args.users as i64 / 50 / 2;
    let cases: Vec<(&str, &str, String)> = vec![
        ("GET /users (page)", "GET", "/users".into()),
        (
            "GET /users/{id} (page)",
            "GET",
            format!("/users/{some_user}"),
        ),
        (
            "users fn: first page",
            "POST",
            "search=&source=&status=&page=1".into(),
        ),
        (
            "users fn: page in the middle",
            "POST",
            format!("search=&source=&status=&page={deep}"),
        ),
        (
            "users fn: search prefix",
            "POST",
            "search=user0421&source=&status=&page=1".into(),
        ),
        (
            "users fn: search name",
            "POST",
            "search=given777&source=&status=&page=1".into(),
        ),
        (
            "users fn: search surname",
            "POST",
            "search=family777&source=&status=&page=1".into(),
        ),
        (
            "GET /users?q=family777 (page)",
            "GET",
            "/users?q=family777".into(),
        ),
        (
            "users fn: SCIM + deactivated",
            "POST",
            "search=&source=scim&status=deactivated&page=1".into(),
        ),
        (
            "users fn: by last change",
            "POST",
            "search=&source=&status=&sort=last_change&page=1".into(),
        ),
    ];
    for (name, method, arg) in cases {
        let mut times = Vec::with_capacity(args.iterations);
        for i in 0..args.iterations + 10 {
            let req = if method == "GET" {
                Request::get(&arg).header(header::ACCEPT, "text/html")
            } else {
                Request::post("/api/users")
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .header(header::ACCEPT, "application/json")
            }
            .header(header::COOKIE, &cookie)
            .body(if method == "GET" {
                Body::empty()
            } else {
                Body::from(arg.clone())
            })?;
            let t = Instant::now();
            let res = router.clone().oneshot(req).await?;
            let status = res.status();
            let body = res.into_body().collect().await?.to_bytes();
            let elapsed = t.elapsed();
            anyhow::ensure!(
                status == StatusCode::OK,
                "{name}: {status} {}",
                String::from_utf8_lossy(&body)
            );
            if i >= 10 {
                times.push(elapsed);
            }
        }
        report(name, &mut times);
    }
    Ok(())
}

/// Signs in with the password and returns `cantara_session=…`.
async fn sign_in(router: &axum::Router, username: &str) -> anyhow::Result<String> {
    let login = router
        .clone()
        .oneshot(
            Request::post("/api/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(format!(
                    "tenant_id=&username={username}&password={PASSWORD}"
                )))?,
        )
        .await?;
    Ok(login
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| {
            c.split(';')
                .next()
                .filter(|kv| kv.starts_with("cantara_session="))
        })
        .expect("signed in")
        .to_owned())
}

fn report(name: &str, l: &mut [Duration]) {
    l.sort();
    let pct = |p: f64| l[((l.len() as f64 * p) as usize).min(l.len() - 1)].as_secs_f64() * 1e3;
    println!(
        "{name:<32} {:>5} requests   p50 {:>6.2} ms   p90 {:>6.2} ms   p99 {:>6.2} ms",
        l.len(),
        pct(0.5),
        pct(0.9),
        pct(0.99)
    );
}
