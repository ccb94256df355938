//! Several real `cantara` processes on one PostgreSQL database act as one installation:
//! migrations at once, SCIM writes racing through both, a sign-in crossing instances, token
//! revocation and deactivation seen by the other, and `/readyz` across a database restart.
//! These run on the suite's PostgreSQL pass (`database::postgres_only`).

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use reqwest::header::{CONTENT_TYPE, COOKIE, SET_COOKIE};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::database::{fresh_postgres_database, postgres_only};
use crate::instances::{client, Installation, Instance, Scim};
use crate::sso::{key_a, mint, Provider};

fn fresh(server: &str, test: &str) -> String {
    let name = format!("{}{test}_{}", crate::database::PREFIX, std::process::id());
    fresh_postgres_database(server, &name)
}

fn patch(op: Value) -> Value {
    json!({ "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [op] })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_instances_starting_at_once_migrate_once_and_bootstrap_once() {
    let Some(server) = postgres_only("three_instances_starting_at_once") else {
        return;
    };
    let install = Installation::new(fresh(&server, "startup"));
    let starting: Vec<_> = (0..3).map(|_| install.spawn()).collect();
    let instances: Vec<Instance> = starting.into_iter().map(|s| s.ready()).collect();
    let firsts = instances
        .iter()
        .filter(|i| i.printed.contains("First start: created tenant"))
        .count();
    assert_eq!(firsts, 1, "exactly one instance made the Default tenant");
    let http = client();
    for i in &instances {
        let r = http.get(i.url("/readyz")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }
    let backend = install.backend().await;
    let pool = &backend.db.pool;
    let applied: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
            .fetch_all(pool)
            .await
            .unwrap();
    let files = std::fs::read_dir(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../migrations/postgres"
    ))
    .unwrap()
    .count();
    assert_eq!(
        applied.len(),
        files,
        "each migration applied once: {applied:?}"
    );
    let tenants: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tenant")
        .fetch_one(pool)
        .await
        .unwrap();
    let accounts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM account")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!((tenants, accounts), (1, 1), "one Default tenant, one admin");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_on_one_database_act_as_one() {
    let Some(server) = postgres_only("two_instances_on_one_database_act_as_one") else {
        return;
    };
    let install = Installation::new(fresh(&server, "two"));
    let a = install.start();
    let b = install.start();
    let tenant = a.default_tenant();
    let backend = install.backend().await;
    let tenant_id = app::domain::ids::TenantId::from(tenant.as_str());
    let token = backend
        .create_provisioning_token(&tenant_id, "Entra", None)
        .await
        .unwrap();
    let scim = Scim {
        http: client(),
        tenant: tenant.clone(),
        token: token.secret.clone(),
    };
    let both = [&a, &b];

    // Users created round-robin through both.
    let mut ids = Vec::new();
    for n in 0..40 {
        let (status, user) = scim
            .create_user(both[n % 2], &format!("user{n}@contoso.example"))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{user}");
        ids.push(user["id"].as_str().unwrap().to_owned());
    }
    for on in both {
        let (status, list) = scim
            .send(on, reqwest::Method::GET, "/Users?count=100", None)
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(list["totalResults"], 40, "each instance sees every user");
    }

    // Member Add and Remove PATCHes of one group from 8 tasks through both at once.
    let (status, group) = scim
        .send(
            &a,
            reqwest::Method::POST,
            "/Groups",
            Some(json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                "displayName": "Engineering",
            })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{group}");
    let group = group["id"].as_str().unwrap().to_owned();
    let scim = std::sync::Arc::new(scim);
    let instances = std::sync::Arc::new([a, b]);
    let mut tasks = Vec::new();
    for t in 0..8 {
        let (scim, instances, group) = (scim.clone(), instances.clone(), group.clone());
        let mine: Vec<String> = ids.iter().skip(t).step_by(8).cloned().collect();
        tasks.push(tokio::spawn(async move {
            let on = &instances[t % 2];
            let path = format!("/Groups/{group}");
            for id in &mine {
                let op = json!({ "op": "Add", "path": "members", "value": [{ "value": id }] });
                let (status, body) = scim
                    .send(on, reqwest::Method::PATCH, &path, Some(patch(op)))
                    .await;
                assert!(status.is_success(), "add: {status} {body}");
            }
            // Every second one of mine leaves again, through the other instance.
            let other = &instances[(t + 1) % 2];
            for id in mine.iter().step_by(2) {
                let op = json!({ "op": "Remove", "path": format!("members[value eq \"{id}\"]") });
                let (status, body) = scim
                    .send(other, reqwest::Method::PATCH, &path, Some(patch(op)))
                    .await;
                assert!(status.is_success(), "remove: {status} {body}");
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let expected: BTreeSet<String> = (0..8)
        .flat_map(|t| ids.iter().skip(t).step_by(8).skip(1).step_by(2).cloned())
        .collect();
    for on in instances.iter() {
        let members = scim.members(on, &group).await;
        let unique: BTreeSet<String> = members.iter().cloned().collect();
        assert_eq!(unique.len(), members.len(), "no member twice");
        assert_eq!(unique, expected, "no Add or Remove lost");
    }
    let [a, b] = &*instances;
    let both = [a, b];

    // Racing POSTs of one userName on both: one 201, 409 for the rest, never 500.
    let mut racing = Vec::new();
    for n in 0..8 {
        let (scim, instances) = (scim.clone(), instances.clone());
        racing.push(tokio::spawn(async move {
            scim.create_user(&instances[n % 2], "race@contoso.example")
                .await
                .0
        }));
    }
    let mut statuses = Vec::new();
    for r in racing {
        statuses.push(r.await.unwrap());
    }
    let created = statuses
        .iter()
        .filter(|s| **s == StatusCode::CREATED)
        .count();
    let conflicts = statuses
        .iter()
        .filter(|s| **s == StatusCode::CONFLICT)
        .count();
    assert_eq!((created, conflicts), (1, 7), "{statuses:?}");

    // A deactivation through one is read back through the other at once.
    let target = &ids[1];
    let op = json!({ "op": "Replace", "path": "active", "value": false });
    let (status, _) = scim
        .send(
            a,
            reqwest::Method::PATCH,
            &format!("/Users/{target}"),
            Some(patch(op)),
        )
        .await;
    assert!(status.is_success());
    let (_, user) = scim
        .send(b, reqwest::Method::GET, &format!("/Users/{target}"), None)
        .await;
    assert_eq!(user["active"], false, "{user}");

    // A sign-in started on one instance completes on the other; the session works on both.
    let idp = Provider::start().await;
    let saved = backend
        .save_identity_provider(&tenant_id, "admin", None, &idp.form())
        .await
        .unwrap();
    backend
        .activate_identity_provider(&tenant_id, "admin", &saved.id.as_str().into())
        .await
        .unwrap();
    let http = client();
    let r = http
        .get(a.url(&format!("/oauth/start/{tenant}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let authorize = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
    let param = |name: &str| {
        authorize
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
            .unwrap()
    };
    let browser = cookie(&r, "cantara_sso").expect("the browser binding cookie");
    idp.issue(
        "cross-instance",
        mint(&key_a(), &idp.claims(&param("nonce"))),
        Some(&param("code_challenge")),
    );
    let r = http
        .get(b.url(&format!(
            "/oauth?code=cross-instance&state={}",
            param("state")
        )))
        .header(COOKIE, format!("cantara_sso={browser}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/");
    let session = cookie(&r, "cantara_session").expect("a session from the other instance");
    for on in both {
        let r = http
            .post(on.url("/api/viewer"))
            .header(COOKIE, format!("cantara_session={session}"))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("accept", "application/json")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["username"], "alice@contoso.example");
    }

    // A provisioning token revoked on one is refused by the other within a second.
    let (status, _) = scim
        .send(b, reqwest::Method::GET, "/Users?count=1", None)
        .await;
    assert_eq!(status, StatusCode::OK, "B has the token cached as valid");
    backend
        .revoke_provisioning_token(&tenant_id, &token.info.id)
        .await
        .unwrap();
    let revoked = Instant::now();
    loop {
        let (status, _) = scim
            .send(b, reqwest::Method::GET, "/Users?count=1", None)
            .await;
        if status == StatusCode::UNAUTHORIZED {
            break;
        }
        assert!(
            revoked.elapsed() < Duration::from_millis(1200),
            "still accepted {:?} after revocation",
            revoked.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn cookie(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix(&format!("{name}=")))
        .and_then(|c| c.split(';').next())
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_follows_the_database_down_and_back_without_a_restart() {
    if postgres_only("readyz_follows_the_database").is_none() {
        return;
    }
    // A cluster of this test's own: stopping the suite's would fail the tests beside it.
    let cluster = Cluster(tempfile::tempdir().unwrap());
    let pg = |verb: &str| cluster.run(verb);
    let server = pg("start");
    let mut install = Installation::new(fresh_postgres_database(&server, "cantara_test_ready"));
    install
        .env
        .push(("CANTARA_DB_ACQUIRE_TIMEOUT_SECS".into(), "1".into()));
    let instance = install.start();
    let http = client();
    let ready = || async {
        let asked = Instant::now();
        let status = http
            .get(instance.url("/readyz"))
            .send()
            .await
            .unwrap()
            .status();
        assert!(
            asked.elapsed() < Duration::from_secs(4),
            "/readyz answers promptly"
        );
        status
    };
    assert_eq!(ready().await, StatusCode::OK);
    pg("stop");
    assert_eq!(ready().await, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        http.get(instance.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK,
        "the process itself is alive"
    );
    pg("start");
    let back = Instant::now();
    while ready().await != StatusCode::OK {
        assert!(
            back.elapsed() < Duration::from_secs(20),
            "ready again without a restart"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A private PostgreSQL cluster (`scripts/postgres.sh`), stopped when dropped.
struct Cluster(tempfile::TempDir);

impl Cluster {
    fn run(&self, verb: &str) -> String {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/postgres.sh");
        crate::cli::run_ok(
            std::process::Command::new(script).args([verb, &self.0.path().display().to_string()]),
        )
        .trim()
        .to_owned()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/postgres.sh");
        let _ = std::process::Command::new(script)
            .args(["stop", &self.0.path().display().to_string()])
            .output();
    }
}
