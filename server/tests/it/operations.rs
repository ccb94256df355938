//! Running Cantara in production, against the real binary: a clean stop on SIGTERM under SCIM
//! load, `/metrics` and its token, JSON logs with the request id, and backups that restore.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, SET_COOKIE};
use reqwest::StatusCode;
use serde_json::Value;

use crate::instances::{client, Installation, Instance, Scim};

const METRICS_TOKEN: &str = "metrics-0123456789abcdef";

async fn login(on: &Instance, password: &str) -> reqwest::Response {
    client()
        .post(on.url("/api/login"))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .body(format!(
            "tenant_id=&username=admin&password={}",
            crate::helpers::urlencode(password)
        ))
        .send()
        .await
        .unwrap()
}

fn has_session(r: &reqwest::Response) -> bool {
    r.headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|c| c.starts_with("cantara_session=") && !c.starts_with("cantara_session=;"))
}

/// Eight workers POSTing new users (`{prefix}{worker}-{n}@contoso.example`) until the connection
/// fails; each id answered `201` is pushed to `acknowledged`. A worker ends with the first other
/// answer that has a JSON body, and returns it.
fn scim_post_load(
    scim: &Arc<Scim>,
    base: &str,
    prefix: &'static str,
    acknowledged: &Arc<Mutex<Vec<String>>>,
) -> Vec<tokio::task::JoinHandle<Option<(StatusCode, Value)>>> {
    (0..8)
        .map(|worker| {
            let (scim, acknowledged) = (scim.clone(), acknowledged.clone());
            let url = format!("{base}/scim/v2/{}/Users", scim.tenant);
            tokio::spawn(async move {
                for n in 0.. {
                    let sent = scim
                        .http
                        .post(&url)
                        .header(AUTHORIZATION, format!("Bearer {}", scim.token))
                        .header(CONTENT_TYPE, "application/scim+json")
                        .body(
                            Scim::user(&format!("{prefix}{worker}-{n}@contoso.example"))
                                .to_string(),
                        )
                        .send()
                        .await;
                    let Ok(res) = sent else { return None };
                    let status = res.status();
                    let Ok(body) = res.json::<Value>().await else {
                        return None;
                    };
                    if status != StatusCode::CREATED {
                        return Some((status, body));
                    }
                    let id = body["id"].as_str().unwrap_or_default().to_owned();
                    acknowledged.lock().unwrap().push(id);
                }
                None
            })
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigterm_under_scim_load_keeps_every_acknowledged_write_and_its_activity() {
    let dir = tempfile::tempdir().unwrap();
    let install = Installation::new(crate::database::url_for(dir.path()));
    let instance = install.start();
    let backend = install.backend().await;
    let scim = Arc::new(Scim::for_default_tenant(&backend, &instance).await);
    let instance = Arc::new(Mutex::new(Some(instance)));
    let base = instance.lock().unwrap().as_ref().unwrap().base.clone();
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let load = scim_post_load(&scim, &base, "w", &acknowledged);
    tokio::time::sleep(Duration::from_millis(700)).await;
    let in_flight_before = acknowledged.lock().unwrap().len();
    let stopping = instance.clone();
    let (status, log) = tokio::task::spawn_blocking(move || {
        let mut guard = stopping.lock().unwrap();
        let instance = guard.as_mut().unwrap();
        (instance.terminate(Duration::from_secs(30)), instance.log())
    })
    .await
    .unwrap();
    for l in load {
        if let Some((status, body)) = l.await.unwrap() {
            panic!("a POST under load answered {status}: {body}");
        }
    }
    assert!(status.success(), "exit 0 after SIGTERM ({status}):\n{log}");
    assert!(
        log.contains("stopped: activity written, database closed"),
        "{log}"
    );
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        in_flight_before >= 8 && acknowledged.len() >= in_flight_before,
        "the load ran up to the signal"
    );

    let pool = &backend.db.pool;
    let stored: BTreeSet<String> =
        sqlx::query_scalar("SELECT account_id FROM account WHERE source = 'scim'")
            .fetch_all(pool)
            .await
            .unwrap()
            .into_iter()
            .collect();
    let logged: BTreeSet<String> = sqlx::query_scalar(
        "SELECT resource_id FROM provisioning_event WHERE method = 'POST' AND status = 201",
    )
    .fetch_all(pool)
    .await
    .unwrap()
    .into_iter()
    .collect();
    for id in &acknowledged {
        assert!(stored.contains(id), "acknowledged user {id} was written");
        assert!(
            logged.contains(id),
            "acknowledged request for {id} is in the activity log"
        );
    }
}

/// `kill -9` in the middle of a SCIM load: every user whose POST was answered `201` is in the
/// database afterwards (a commit is in SQLite's WAL, or PostgreSQL's, before it is answered).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_under_scim_load_loses_no_acknowledged_write() {
    let dir = tempfile::tempdir().unwrap();
    let install = Installation::new(crate::database::url_for(dir.path()));
    let mut instance = install.start();
    let backend = install.backend().await;
    let scim = Arc::new(Scim::for_default_tenant(&backend, &instance).await);
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let load = scim_post_load(&scim, &instance.base, "k", &acknowledged);
    tokio::time::sleep(Duration::from_millis(700)).await;
    instance.kill_now();
    for l in load {
        // Answers other than 201 come from the dying process; only acknowledged writes count.
        let _ = l.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= 8, "the load ran up to the kill");
    // A fresh connection reads what the killed process left (SQLite replays its WAL).
    let after = install.backend().await;
    let stored: BTreeSet<String> =
        sqlx::query_scalar("SELECT account_id FROM account WHERE source = 'scim'")
            .fetch_all(&after.db.pool)
            .await
            .unwrap()
            .into_iter()
            .collect();
    let lost: Vec<&String> = acknowledged
        .iter()
        .filter(|id| !stored.contains(*id))
        .collect();
    assert!(
        lost.is_empty(),
        "acknowledged but lost after kill -9: {lost:?}"
    );
}

/// The value of the sample `name{labels…}` in a Prometheus text exposition.
fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter(|l| l.starts_with(&format!("{name}{{")) || l.starts_with(&format!("{name} ")))
        .find(|l| {
            labels
                .iter()
                .all(|(k, v)| l.contains(&format!("{k}=\"{v}\"")))
        })
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_need_their_token_and_count_requests_scim_and_sign_ins() {
    let dir = tempfile::tempdir().unwrap();
    let mut install = Installation::new(crate::database::url_for(dir.path()));
    install
        .env
        .push(("CANTARA_METRICS_TOKEN".into(), METRICS_TOKEN.into()));
    install
        .env
        .push(("CANTARA_LOG_FORMAT".into(), "json".into()));
    let instance = install.start();
    let backend = install.backend().await;
    let scim = Scim::for_default_tenant(&backend, &instance).await;
    let (status, _) = scim.create_user(&instance, "metrics@contoso.example").await;
    assert_eq!(status, StatusCode::CREATED);
    let wrong = Scim {
        http: client(),
        tenant: scim.tenant.clone(),
        token: "cantara_scim_wrong".into(),
    };
    let (status, _) = wrong
        .send(&instance, reqwest::Method::GET, "/Users", None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(!has_session(&login(&instance, "not the password").await));
    assert!(has_session(
        &login(&instance, &install.admin_password).await
    ));

    let http = client();
    let url = instance.url("/metrics");
    let r = http.get(&url).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = http
        .get(&url)
        .bearer_auth("metrics-wrong-0123456789")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = http
        .get(&url)
        .bearer_auth(METRICS_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()[CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let text = r.text().await.unwrap();
    let tenant = scim.tenant.as_str();
    for (name, labels, at_least) in [
        (
            "cantara_http_requests_total",
            vec![("class", "scim"), ("status", "201")],
            1.0,
        ),
        (
            "cantara_http_requests_total",
            vec![("class", "scim"), ("status", "401")],
            1.0,
        ),
        (
            "cantara_http_request_duration_seconds_count",
            vec![("class", "server_function"), ("status", "200")],
            1.0,
        ),
        (
            "cantara_scim_operations_total",
            vec![
                ("tenant", tenant),
                ("resource", "Users"),
                ("method", "POST"),
                ("outcome", "ok"),
            ],
            1.0,
        ),
        ("cantara_scim_refused_token_total", vec![], 1.0),
        (
            "cantara_sign_ins_total",
            vec![("method", "password"), ("outcome", "refused")],
            1.0,
        ),
        (
            "cantara_sign_ins_total",
            vec![("method", "password"), ("outcome", "success")],
            1.0,
        ),
        ("cantara_db_pool_connections", vec![("state", "idle")], 0.0),
        (
            "cantara_db_pool_connections",
            vec![("state", "in_use")],
            0.0,
        ),
        ("cantara_activity_queue_depth", vec![], 0.0),
    ] {
        let value = sample(&text, name, &labels)
            .unwrap_or_else(|| panic!("no {name} {labels:?} in:\n{text}"));
        assert!(value >= at_least, "{name} {labels:?} = {value}");
    }
    assert!(
        text.contains("# TYPE cantara_http_request_duration_seconds histogram"),
        "{text}"
    );
    assert!(
        !text.contains("cantara_scim_wrong"),
        "no token in the metrics"
    );

    // JSON logs: one object per line; a request's lines carry its request id.
    let r = http
        .get(instance.url("/healthz"))
        .header("x-request-id", "req-4711")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["x-request-id"], "req-4711");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let log = instance.log();
    let lines: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert!(lines.len() > 3);
    assert!(
        lines.iter().any(|l| l["span"]["request_id"] == "req-4711"
            && l["fields"]["message"] == "response"
            && l["fields"]["status"] == 200),
        "{log}"
    );
    assert!(
        !log.contains(&scim.token),
        "no provisioning token in the log"
    );
    assert!(
        !log.contains(&install.admin_password),
        "no password in the log"
    );

    // Without a token configured there is no /metrics.
    let plain_dir = tempfile::tempdir().unwrap();
    let plain = Installation::new(crate::database::url_for(plain_dir.path())).start();
    let r = http
        .get(plain.url("/metrics"))
        .bearer_auth(METRICS_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_serving_restores_and_signs_in() {
    if crate::database::postgres_server().is_some() {
        // `cantara backup` is for SQLite; the SQLite pass runs this. PostgreSQL: pg_dump.
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let install = Installation::new(format!("sqlite://{}/live.db", dir.path().display()));
    let instance = install.start();
    let backend = install.backend().await;
    let scim = Scim::for_default_tenant(&backend, &instance).await;
    let (status, user) = scim.create_user(&instance, "kept@contoso.example").await;
    assert_eq!(status, StatusCode::CREATED);

    let backup = dir.path().join("backup.db");
    crate::cli::run_ok(install.command(dir.path()).args([
        "backup",
        "--to",
        &backup.display().to_string(),
    ]));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&backup).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the backup is private");
    }
    let again = install
        .command(dir.path())
        .args(["backup", "--to", &backup.display().to_string()])
        .output()
        .unwrap();
    assert!(
        !again.status.success(),
        "an existing file is never overwritten"
    );
    // Written after the backup: not in it.
    let (status, _) = scim.create_user(&instance, "later@contoso.example").await;
    assert_eq!(status, StatusCode::CREATED);
    drop(instance);

    // Restore: the copy becomes the database of a new server with the same secret key.
    let restored_dir = tempfile::tempdir().unwrap();
    let restored_file = restored_dir.path().join("cantara.db");
    std::fs::copy(&backup, &restored_file).unwrap();
    let restored = Installation {
        database_url: format!("sqlite://{}", restored_file.display()),
        ..install.clone()
    };
    let server = restored.start();
    assert!(
        !server.printed.contains("First start"),
        "the restored database is not new"
    );
    assert!(has_session(&login(&server, &install.admin_password).await));
    let (status, kept) = scim
        .send(
            &server,
            reqwest::Method::GET,
            &format!("/Users/{}", user["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the provisioning token and user came back"
    );
    assert_eq!(kept["userName"], "kept@contoso.example");
    let (_, list) = scim
        .send(
            &server,
            reqwest::Method::GET,
            "/Users?filter=userName%20eq%20%22later@contoso.example%22",
            None,
        )
        .await;
    assert_eq!(list["totalResults"], 0);
}

#[tokio::test]
async fn pool_settings_reach_the_database() {
    use app::backend::db::{DbKind, PoolSettings};
    let dir = tempfile::tempdir().unwrap();
    let settings = PoolSettings {
        max_connections: Some(2),
        acquire_timeout: Duration::from_secs(1),
        statement_timeout: Duration::from_secs(1),
    };
    let db = app::backend::Db::connect_with(&crate::database::url_for(dir.path()), &settings)
        .await
        .unwrap();
    assert_eq!(db.pool.options().get_max_connections(), 2);
    assert_eq!(
        db.pool.options().get_acquire_timeout(),
        Duration::from_secs(1)
    );
    match db.kind {
        DbKind::Postgres => {
            let err = sqlx::query("SELECT pg_sleep(3)")
                .execute(&db.pool)
                .await
                .expect_err("cancelled after a second");
            assert!(err.to_string().contains("statement timeout"), "{err}");
        }
        DbKind::Sqlite => {
            let busy: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
                .fetch_one(&db.pool)
                .await
                .unwrap();
            assert_eq!(busy, 1000);
        }
    }
    // Both connections taken: the next request fails after the acquire timeout, not never.
    let _a = db.pool.acquire().await.unwrap();
    let _b = db.pool.acquire().await.unwrap();
    let waited = std::time::Instant::now();
    assert!(db.pool.acquire().await.is_err());
    assert!(waited.elapsed() < Duration::from_secs(3));
}
