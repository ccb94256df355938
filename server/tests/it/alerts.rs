//! Alerts end to end: channels configured as the console does, events delivered to a real SMTP
//! server process (aiosmtpd, with AUTH) and to a real HTTP receiver that checks the HMAC
//! signature on its own; once per state change and "resolved" on recovery; retries with backoff;
//! the mass-deprovisioning notice from SCIM traffic; and two `cantara` processes on one database
//! sending each alert exactly once.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};

use app::domain::alert_channel::{EmailForm, Outcome};
use app::domain::security_topic::TopicForm;

use crate::helpers::TestApp;
use crate::instances::Installation;
use crate::scim::Scim;

/// aiosmtpd, started on a free loopback port; killed when dropped.
struct SmtpSink {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl SmtpSink {
    const USER: &'static str = "alerts";
    const PASSWORD: &'static str = "sink password 7";

    fn start() -> Self {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
        let python = root.join(".tools/venv/bin/python");
        assert!(
            python.exists(),
            "{} is missing: run scripts/setup.sh (it installs aiosmtpd)",
            python.display()
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new(python)
            .args(["-W", "ignore"])
            .arg(root.join("server/tests/tools/smtp_sink.py"))
            .arg(port.to_string())
            .arg(dir.path().join("mail"))
            .args([Self::USER, Self::PASSWORD])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        let out = child.stdout.take().unwrap();
        std::io::BufRead::read_line(&mut std::io::BufReader::new(out), &mut line).unwrap();
        assert_eq!(line.trim(), "ready", "the SMTP sink did not start");
        Self { child, port, dir }
    }

    /// The messages received so far, oldest first.
    fn messages(&self) -> Vec<String> {
        let mut found: Vec<(u64, String)> = std::fs::read_dir(self.dir.path().join("mail"))
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .filter_map(|e| {
                        let name = e.file_name().into_string().ok()?;
                        let n = name.strip_suffix(".eml")?.parse().ok()?;
                        Some((n, std::fs::read_to_string(e.path()).ok()?))
                    })
                    .collect()
            })
            .unwrap_or_default();
        found.sort();
        found.into_iter().map(|(_, m)| m).collect()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One webhook request as the receiver saw it.
#[derive(Debug, Clone)]
struct Received {
    verified: bool,
    event: Value,
}

/// An HTTP receiver on loopback that checks `Cantara-Signature` with the secret it is given,
/// answers 500 to the first `fail_first` requests, and keeps what it received.
#[derive(Clone, Default)]
struct Receiver {
    secret: Arc<Mutex<Option<String>>>,
    got: Arc<Mutex<Vec<Received>>>,
    fail_first: Arc<AtomicUsize>,
}

fn verify(secret: &str, headers: &HeaderMap, body: &str) -> bool {
    let Some(sig) = headers
        .get("cantara-signature")
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let mut t = None;
    let mut v1 = None;
    for part in sig.split(',') {
        match part.split_once('=') {
            Some(("t", x)) => t = x.parse::<i64>().ok(),
            Some(("v1", x)) => v1 = Some(x.to_owned()),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else {
        return false;
    };
    if (app::backend::clock::now() - t).abs() > 300 {
        return false;
    }
    let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{body}").as_bytes());
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    expected == v1
}

impl Receiver {
    /// Serves on loopback; the URL of its hook.
    async fn start(&self) -> String {
        let me = self.clone();
        let router = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: HeaderMap, body: String| {
                let me = me.clone();
                async move {
                    let secret = me.secret.lock().unwrap().clone().unwrap_or_default();
                    let verified = verify(&secret, &headers, &body);
                    let event = serde_json::from_str(&body).unwrap_or(Value::Null);
                    me.got.lock().unwrap().push(Received { verified, event });
                    let failing = me
                        .fail_first
                        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                        .is_ok();
                    if failing {
                        (StatusCode::INTERNAL_SERVER_ERROR, "receiver down")
                    } else if verified {
                        (StatusCode::OK, "thanks")
                    } else {
                        (StatusCode::UNAUTHORIZED, "bad signature")
                    }
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        url
    }

    fn received(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    /// The (kind, key, level) of each event received.
    fn kinds(&self) -> Vec<(String, String, String)> {
        self.received()
            .iter()
            .map(|r| {
                let s = |k: &str| r.event[k].as_str().unwrap_or_default().to_owned();
                (s("kind"), s("key"), s("level"))
            })
            .collect()
    }
}

/// `n` requests of `status` recorded now, refused ones with the token's reason.
async fn record(app: &TestApp, n: usize, status: i64) {
    let detail = (status >= 400).then_some("Refused: the token is not valid.");
    crate::provisioning_health::record(app, n, status, detail, app::backend::clock::now()).await;
}

fn email_form(port: u16) -> EmailForm {
    EmailForm {
        name: "Identity team".into(),
        host: "127.0.0.1".into(),
        port: port.to_string(),
        security: "none".into(),
        username: SmtpSink::USER.into(),
        password: SmtpSink::PASSWORD.into(),
        from: "cantara@contoso.example".into(),
        to: "idteam@contoso.example, oncall@contoso.example".into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alerts_reach_a_real_smtp_server_and_a_signed_webhook_once_per_change() {
    let app = TestApp::new().await;
    let tenant = app.default_tenant.clone();
    let sink = SmtpSink::start();
    let receiver = Receiver::default();
    let hook = receiver.start().await;

    let mail = app
        .backend
        .add_email_channel(&tenant, &email_form(sink.port))
        .await
        .unwrap();
    assert!(mail.signing_secret.is_none());
    let web = app
        .backend
        .add_webhook_channel(&tenant, "Incident hook", &hook)
        .await
        .unwrap();
    let secret = web.signing_secret.clone().unwrap();
    assert!(secret.starts_with("whsec_") && secret.len() > 40);
    *receiver.secret.lock().unwrap() = Some(secret.clone());

    // Secrets are encrypted at rest and never listed.
    let stored: Vec<String> = sqlx::query_scalar("SELECT secret_enc FROM alert_channel")
        .fetch_all(&app.backend.db.pool)
        .await
        .unwrap();
    assert_eq!(stored.len(), 2);
    for s in &stored {
        assert!(!s.contains(SmtpSink::PASSWORD) && !s.contains(&secret["whsec_".len()..]));
    }
    let listed =
        serde_json::to_string(&app.backend.alerts_overview(&tenant).await.unwrap()).unwrap();
    assert!(!listed.contains(SmtpSink::PASSWORD) && !listed.contains(&secret));

    // Send test alert, to each.
    let d = app
        .backend
        .send_test_alert(&tenant, &mail.channel.id)
        .await
        .unwrap();
    assert_eq!(d.outcome, Outcome::Delivered, "{:?}", d.answer);
    assert!(
        d.answer.as_deref().unwrap_or_default().starts_with("250"),
        "{:?}",
        d.answer
    );
    let m = sink.messages();
    assert_eq!(m.len(), 1);
    assert!(m[0].contains("X-Sink-Login: alerts"), "{}", m[0]);
    assert!(m[0].contains("X-Sink-Rcpt-To: idteam@contoso.example,oncall@contoso.example"));
    assert!(
        m[0].contains("Subject: [Cantara] Test alert for Default"),
        "{}",
        m[0]
    );
    let d = app
        .backend
        .send_test_alert(&tenant, &web.channel.id)
        .await
        .unwrap();
    assert_eq!(d.outcome, Outcome::Delivered, "{:?}", d.answer);
    assert_eq!(d.answer.as_deref(), Some("HTTP 200: thanks"));
    let got = receiver.received();
    assert_eq!(got.len(), 1);
    assert!(got[0].verified, "the receiver checks the signature");
    assert_eq!(got[0].event["kind"], "test");

    // Provisioning starts failing: one alert to each channel, not one per request.
    record(&app, 60, 401).await;
    let r = app.backend.alert_round("instance-a", 30).await.unwrap();
    assert_eq!((r.held, r.queued, r.attempted), (true, 2, 2));
    record(&app, 10, 401).await;
    let r = app.backend.alert_round("instance-a", 30).await.unwrap();
    assert_eq!((r.queued, r.attempted), (0, 0), "no change, no alert");
    assert_eq!(
        receiver.kinds()[1..],
        [("alert".into(), "provisioning".into(), "Failing".into())]
    );
    let m = sink.messages();
    assert_eq!(m.len(), 2);
    assert!(
        m[1].contains("Subject: [Cantara] Default: Provisioning is Failing"),
        "{}",
        m[1]
    );
    assert!(
        m[1].contains("Refused: the token is not valid."),
        "{}",
        m[1]
    );

    // It recovers: "resolved", once.
    record(&app, 100, 200).await;
    let r = app.backend.alert_round("instance-a", 30).await.unwrap();
    assert_eq!(r.queued, 2);
    assert_eq!(
        receiver.kinds()[2..],
        [("resolved".into(), "provisioning".into(), "resolved".into())]
    );
    assert!(sink.messages()[2].contains("Subject: [Cantara] Resolved"));

    // A provisioning token expiring in 3 days: the 7-day reminder goes out.
    app.backend
        .create_provisioning_token(&tenant, "Entra production", Some(3))
        .await
        .unwrap();
    app.backend.alert_round("instance-a", 30).await.unwrap();
    let kinds = receiver.kinds();
    let last = kinds.last().unwrap();
    assert_eq!((last.0.as_str(), last.2.as_str()), ("alert", "7 days"));
    assert!(last.1.starts_with("token:"));
    assert!(receiver.received().iter().all(|r| r.verified));

    // Another instance does not run the round while this one holds the lease.
    let other = app.backend.alert_round("instance-b", 30).await.unwrap();
    assert!(!other.held);

    // Every delivery is listed with its answer.
    let o = app.backend.alerts_overview(&tenant).await.unwrap();
    assert_eq!(o.deliveries.len(), 8);
    assert!(o.deliveries.iter().all(|d| d.outcome == Outcome::Delivered));
    assert_eq!(o.open.len(), 1, "{:?}", o.open);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_webhook_is_retried_with_backoff_until_it_answers() {
    let app = TestApp::new().await;
    let tenant = app.default_tenant.clone();
    let receiver = Receiver::default();
    let hook = receiver.start().await;
    let web = app
        .backend
        .add_webhook_channel(&tenant, "Hook", &hook)
        .await
        .unwrap();
    *receiver.secret.lock().unwrap() = web.signing_secret.clone();
    receiver.fail_first.store(2, Ordering::SeqCst);

    record(&app, 60, 401).await;
    let r = app.backend.alert_round("a", 30).await.unwrap();
    assert_eq!((r.queued, r.attempted), (1, 1));
    let d = &app.backend.deliveries(&tenant, None).await.unwrap()[0];
    assert_eq!((d.outcome, d.attempts), (Outcome::Pending, 1));
    assert_eq!(d.answer.as_deref(), Some("HTTP 500: receiver down"));
    let first_retry = d.next_attempt_at.unwrap();
    let t = app::backend::clock::now();
    assert!((t + 29..=t + 31).contains(&first_retry), "after 30 s");

    // Not due yet: nothing is sent.
    assert_eq!(app.backend.deliver_due(t + 5).await.unwrap(), 0);
    assert_eq!(app.backend.deliver_due(first_retry).await.unwrap(), 1);
    let d = &app.backend.deliveries(&tenant, None).await.unwrap()[0];
    assert_eq!((d.outcome, d.attempts), (Outcome::Pending, 2));
    let second_retry = d.next_attempt_at.unwrap();
    assert!(second_retry >= first_retry + 119, "then after 2 min");
    assert_eq!(app.backend.deliver_due(second_retry).await.unwrap(), 1);
    let d = &app.backend.deliveries(&tenant, None).await.unwrap()[0];
    assert_eq!((d.outcome, d.attempts), (Outcome::Delivered, 3));
    assert_eq!(d.answer.as_deref(), Some("HTTP 200: thanks"));
    assert_eq!(receiver.received().len(), 3);
    assert!(receiver.received().iter().all(|r| r.verified));

    // A receiver that never answers well: after the last retry the delivery has failed.
    receiver.fail_first.store(100, Ordering::SeqCst);
    record(&app, 100, 200).await;
    app.backend.alert_round("a", 30).await.unwrap();
    let mut at = app::backend::clock::now();
    for _ in 0..10 {
        at += 7200;
        app.backend.deliver_due(at).await.unwrap();
    }
    let all = app.backend.deliveries(&tenant, None).await.unwrap();
    let d = all.iter().find(|d| d.subject.contains("Resolved")).unwrap();
    assert_eq!((d.outcome, d.attempts), (Outcome::Failed, 6));
}

#[tokio::test]
async fn channels_with_bad_settings_are_refused_and_nothing_is_written() {
    let app = TestApp::new_strict().await;
    let tenant = app.default_tenant.clone();
    let field = |e: app::backend::DomainError| match e {
        app::backend::DomainError::Invalid(f) => f.field,
        other => panic!("{other:?}"),
    };
    // Loopback is private: refused on an installation that does not allow private targets.
    let e = app
        .backend
        .add_webhook_channel(&tenant, "Hook", "https://127.0.0.1/hook")
        .await
        .unwrap_err();
    assert_eq!(field(e), "url");
    let e = app
        .backend
        .add_webhook_channel(&tenant, "Hook", "http://hooks.contoso.example/x")
        .await
        .unwrap_err();
    assert_eq!(field(e), "url", "plain http is refused");
    let e = app
        .backend
        .add_email_channel(&tenant, &email_form(25))
        .await
        .unwrap_err();
    assert_eq!(field(e), "host");
    let mut bad = email_form(25);
    bad.to = "idteam@contoso.example\r\nBcc: x@y.example".into();
    assert_eq!(
        field(
            app.backend
                .add_email_channel(&tenant, &bad)
                .await
                .unwrap_err()
        ),
        "to"
    );
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM alert_channel")
        .fetch_one(&app.backend.db.pool)
        .await
        .unwrap();
    assert_eq!(count, 0);
    // Plain SMTP goes to this machine only, even where private targets are allowed.
    let lab = TestApp::new().await;
    let mut plain = email_form(25);
    plain.host = "smtp.contoso.example".into();
    let e = lab
        .backend
        .add_email_channel(&lab.default_tenant, &plain)
        .await
        .unwrap_err();
    assert_eq!(field(e), "host");
    assert!(lab
        .backend
        .set_mass_threshold(&lab.default_tenant, "0", "20")
        .await
        .is_err());
}

fn user(name: &str) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": name, "active": true})
}

async fn deactivate(scim: &Scim<'_>, id: &str) {
    let op = json!({"op": "replace", "path": "active", "value": false});
    let r = scim
        .req("PATCH", &format!("/Users/{id}"), Some(patch(op)))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

fn patch(op: Value) -> Value {
    json!({ "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [op] })
}

#[tokio::test]
async fn mass_deprovisioning_shows_who_was_affected_and_alerts() {
    let app = TestApp::new().await;
    let tenant = app.default_tenant.clone();
    let scim = Scim::new(&app).await;
    let mut ids = Vec::new();
    for i in 0..40 {
        let r = scim
            .req(
                "POST",
                "/Users",
                Some(user(&format!("u{i}@contoso.example"))),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        ids.push(r.json()["id"].as_str().unwrap().to_owned());
    }
    // A group holding a Security Topic, with two members.
    let r = scim
        .req(
            "POST",
            "/Groups",
            Some(json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Console Admins",
                "members": [{"value": ids[0]}, {"value": ids[1]}]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let group = r.json()["id"].as_str().unwrap().to_owned();
    let cookie = app.admin_session().await;
    let admin = app.backend.resolve_session(&cookie).await.unwrap().unwrap();
    let topic = app
        .backend
        .create_security_topic(
            &admin,
            &TopicForm {
                name: "Viewers".into(),
                description: String::new(),
                permissions: vec![app::domain::permission::Permission::Directory],
            },
        )
        .await
        .unwrap();
    app.backend
        .assign_security_topic(
            &admin,
            &topic,
            &app::domain::ids::GroupId::from(group.as_str()),
        )
        .await
        .unwrap();

    // Five deactivations of 40: under the threshold, no notice.
    for id in &ids[30..35] {
        deactivate(&scim, id).await;
    }
    let h = app.backend.provisioning_health(&tenant).await.unwrap();
    assert!(
        h.mass_deprovisioning.is_none(),
        "{:?}",
        h.mass_deprovisioning
    );

    // Entra removes both members, one PATCH each: the group holding a topic is empty.
    for id in &ids[0..2] {
        let r = scim
            .req(
                "PATCH",
                &format!("/Groups/{group}"),
                Some(patch(
                    json!({"op": "remove", "path": format!("members[value eq \"{id}\"]")}),
                )),
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    }
    let m = app
        .backend
        .provisioning_health(&tenant)
        .await
        .unwrap()
        .mass_deprovisioning
        .expect("an emptied topic group is a notice");
    assert!(m.reason.contains("“Console Admins”"), "{}", m.reason);
    assert_eq!(m.total, 2);
    let names: Vec<&str> = m.affected.iter().map(|a| a.username.as_str()).collect();
    assert!(names.contains(&"u0@contoso.example") && names.contains(&"u1@contoso.example"));
    let r = app.backend.alert_round("a", 30).await.unwrap();
    assert!(r.held);
    let open: Vec<String> = app
        .backend
        .alerts_overview(&tenant)
        .await
        .unwrap()
        .open
        .into_iter()
        .map(|o| o.title)
        .collect();
    assert!(open.contains(&"Mass deprovisioning".to_owned()), "{open:?}");

    // 16 more deactivations and 2 deletions: 23 of 40 in the hour, over 10 % and at least 20.
    for id in &ids[10..26] {
        deactivate(&scim, id).await;
    }
    for id in &ids[26..28] {
        assert_eq!(
            scim.req("DELETE", &format!("/Users/{id}"), None)
                .await
                .status,
            StatusCode::NO_CONTENT
        );
    }
    let m = app
        .backend
        .mass_deprovisioning(&tenant)
        .await
        .unwrap()
        .unwrap();
    assert!(
        m.reason.starts_with(
            "23 of 40 provisioned people were deactivated or deleted in the last hour"
        ),
        "{}",
        m.reason
    );
    assert_eq!(
        m.total, 25,
        "23 deprovisioned and the 2 removed from the group"
    );
    assert!(m
        .affected
        .iter()
        .any(|a| a.what == app::domain::mass_deprovisioning::Removal::Deleted));
    // A stricter threshold of the tenant's own: 60 % is not crossed by 23 of 40.
    app.backend
        .set_mass_threshold(&tenant, "60", "20")
        .await
        .unwrap();
    let m = app
        .backend
        .mass_deprovisioning(&tenant)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(m.total, 2, "only the emptied group remains");
    // Re-adding a member: the group is no longer empty, and the notice is gone.
    let r = scim
        .req(
            "PATCH",
            &format!("/Groups/{group}"),
            Some(patch(
                json!({"op": "add", "path": "members", "value": [{"value": ids[5]}]}),
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert!(app
        .backend
        .mass_deprovisioning(&tenant)
        .await
        .unwrap()
        .is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_send_each_alert_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut install = Installation::new(crate::database::url_for(dir.path()));
    install
        .env
        .push(("CANTARA_ALERT_CHECK_SECS".into(), "1".into()));
    let a = install.start();
    let b = install.start();
    let backend = install.backend().await;
    let tenant = app::domain::ids::TenantId::from(a.default_tenant().as_str());
    let receiver = Receiver::default();
    let hook = receiver.start().await;
    let web = backend
        .add_webhook_channel(&tenant, "Hook", &hook)
        .await
        .unwrap();
    *receiver.secret.lock().unwrap() = web.signing_secret;
    // Three conditions at once: two tokens at reminder points, and failing provisioning.
    backend
        .create_provisioning_token(&tenant, "expires soon", Some(2))
        .await
        .unwrap();
    backend
        .create_provisioning_token(&tenant, "expires later", Some(20))
        .await
        .unwrap();
    let at = app::backend::clock::now();
    for _ in 0..20 {
        sqlx::query(
            "INSERT INTO provisioning_event (tenant_id, at, method, path, status, resource_id, detail) \
             VALUES ($1, $2, 'GET', '/Users', 401, NULL, 'Refused: the token is not valid.')",
        )
        .bind(&tenant)
        .bind(at)
        .execute(&backend.db.pool)
        .await
        .unwrap();
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while receiver.received().len() < 3 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Several more rounds of both instances: still one event per condition.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let kinds = receiver.kinds();
    let mut levels: Vec<&str> = kinds.iter().map(|k| k.2.as_str()).collect();
    levels.sort();
    assert_eq!(
        levels,
        ["30 days", "7 days", "Failing"],
        "{kinds:?}\n{}\n{}",
        a.log(),
        b.log()
    );
    assert!(receiver.received().iter().all(|r| r.verified));
    let holders: Vec<String> =
        sqlx::query_scalar("SELECT holder FROM job_lease WHERE name = 'alerts'")
            .fetch_all(&backend.db.pool)
            .await
            .unwrap();
    assert_eq!(holders.len(), 1);
}

#[tokio::test]
async fn the_identity_providers_own_date_drives_reminders_and_an_expired_secret_shows_at_local_sign_in_to_its_admins_only(
) {
    let app = TestApp::new().await;
    let tenant = app.default_tenant.clone();
    let idp = crate::sso::Provider::start().await;
    // A date entered in the assistant before there is a provider: the new provider takes it.
    app.backend
        .set_client_secret_expires(&tenant, "2999-12-31")
        .await
        .unwrap();
    let saved = app
        .backend
        .save_identity_provider(&tenant, "admin", None, &idp.form())
        .await
        .unwrap();
    let id = app::domain::ids::IdpId::from(saved.id.as_str());
    let read = app
        .backend
        .get_identity_provider(&tenant, &id)
        .await
        .unwrap();
    assert_eq!(read.form.client_secret_expires, "2999-12-31");

    // The form's own field: a wrong date is refused and nothing changes.
    let mut form = read.form.clone();
    form.client_secret_expires = "31/12/2026".into();
    match app
        .backend
        .save_identity_provider(&tenant, "admin", Some(&id), &form)
        .await
    {
        Err(app::backend::DomainError::Form(errors)) => {
            assert!(
                errors.iter().any(|e| e.field == "client_secret_expires"),
                "{errors:?}"
            )
        }
        other => panic!("{other:?}"),
    }
    let cookie = app.admin_session().await;
    let r = app.login("admin", crate::helpers::ADMIN_PASSWORD).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body, "null", "not expired: straight to the console");

    // Expired, set on the provider's form: the reminder and the sign-in notice follow it.
    form.client_secret_expires = "2020-01-31".into();
    app.backend
        .save_identity_provider(&tenant, "admin", Some(&id), &form)
        .await
        .unwrap();
    let admin = app.backend.resolve_session(&cookie).await.unwrap().unwrap();
    let notices = app
        .backend
        .expiry_notices(&tenant, &admin.grants)
        .await
        .unwrap();
    assert!(
        notices
            .iter()
            .any(|n| n.key == "client_secret" && n.message.contains("expired on")),
        "{notices:?}"
    );
    let r = app.login("admin", crate::helpers::ADMIN_PASSWORD).await;
    assert_eq!(r.status, StatusCode::OK);
    let notice = r.json();
    assert!(
        notice["message"]
            .as_str()
            .unwrap()
            .contains("expired on 2020-01-31"),
        "{notice}"
    );
    assert!(r.session_cookie().is_some(), "signed in all the same");

    // Someone without Identity Provider Administration signs in as usual and is told nothing.
    app.backend
        .create_local_user(
            &admin,
            &app::domain::directory::LocalUserForm {
                username: "helpdesk".into(),
                display_name: "Help Desk".into(),
                password: "a long enough password".into(),
                is_admin: false,
            },
        )
        .await
        .unwrap();
    let r = app.login("helpdesk", "a long enough password").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body, "null");
}
