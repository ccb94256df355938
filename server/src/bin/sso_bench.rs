//! Single sign-on callback benchmark: the server-side time of `/oauth`, without the identity
//! provider's own time. Runs the real router on a fresh SQLite database beside a small in-process
//! provider (RS256 token endpoint and JWKS, throw-away test keys), signs in N times one after the
//! other, and prints the median and tail of (callback time − time inside the provider's token
//! handler). The JWKS is fetched once and then cached, as in production. See scripts/bench.sh.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use app::backend::{Backend, BackendConfig, Db, SecretKey};
use app::domain::idp::IdpForm;
use axum::body::Body;
use axum::extract::{Form, State};
use axum::http::{header, Request, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use clap::Parser;
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};
use tower::ServiceExt;

#[derive(Parser, Debug)]
struct Args {
    /// Sign-ins to time (after 20 warm-up ones).
    #[arg(long, default_value_t = 2000)]
    iterations: usize,
}

#[derive(Default)]
struct Provider {
    codes: HashMap<String, String>,
    /// Time spent inside the token handler, per code.
    spent: HashMap<String, Duration>,
}

type Shared = Arc<Mutex<Provider>>;

async fn token(State(s): State<Shared>, Form(form): Form<HashMap<String, String>>) -> Json<Value> {
    let t = Instant::now();
    let code = form.get("code").cloned().unwrap_or_default();
    let mut p = s.lock().unwrap();
    let id_token = p.codes.remove(&code).unwrap_or_default();
    let body = json!({"access_token": "at", "token_type": "Bearer", "expires_in": 3600, "id_token": id_token});
    p.spent.insert(code, t.elapsed());
    Json(body)
}

fn key() -> EncodingKey {
    EncodingKey::from_rsa_pem(include_bytes!("../../tests/it/keys/rsa-a.pem")).expect("test key")
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let enc = key();
    let mut jwk = Jwk::from_encoding_key(&enc, Algorithm::RS256)?;
    jwk.common.key_id = Some("k1".into());
    let jwks = serde_json::to_value(JwkSet { keys: vec![jwk] })?;

    let shared: Shared = Arc::default();
    let idp = Router::new()
        .route("/keys", get(move || async move { Json(jwks.clone()) }))
        .route("/token", post(token))
        .with_state(shared.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let idp_url = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, idp).await });

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
    let first = backend
        .bootstrap(Some("bench-password-not-used"))
        .await?
        .expect("fresh database");
    let tenant = first.tenant_id;
    let issuer = format!("{idp_url}/tenant/v2.0");
    let form = IdpForm {
        name: "bench".into(),
        client_id: "client".into(),
        client_secret: "secret".into(),
        authorization_url: format!("{idp_url}/authorize"),
        token_url: format!("{idp_url}/token"),
        jwks_url: format!("{idp_url}/keys"),
        issuer_uri: issuer.clone(),
        provider_display_name: "Bench".into(),
        ..IdpForm::defaults()
    };
    let saved = backend
        .save_identity_provider(&tenant, "bench", None, &form)
        .await?;
    backend
        .activate_identity_provider(
            &tenant,
            "bench",
            &app::domain::ids::IdpId::from(saved.id.as_str()),
        )
        .await?;
    let options = leptos::config::LeptosOptions::builder()
        .output_name("cantara")
        .site_root(dir.path().join("site").display().to_string())
        .build();
    let router = server::router::router(backend, options);

    let mut own = Vec::with_capacity(args.iterations);
    let mut total = Vec::with_capacity(args.iterations);
    for i in 0..args.iterations + 20 {
        // Start: the redirect to the provider and the browser-binding cookie.
        let res = router
            .clone()
            .oneshot(Request::get(format!("/oauth/start/{tenant}")).body(Body::empty())?)
            .await?;
        anyhow::ensure!(
            res.status() == StatusCode::SEE_OTHER,
            "start answered {}",
            res.status()
        );
        let location = url::Url::parse(res.headers()[header::LOCATION].to_str()?)?;
        let q: HashMap<String, String> = location.query_pairs().into_owned().collect();
        let browser = res
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|c| c.strip_prefix("cantara_sso="))
            .and_then(|c| c.split(';').next())
            .unwrap_or_default()
            .to_owned();
        let now = app::domain::time::now_unix();
        let claims = json!({"iss": issuer, "aud": "client", "sub": "s1", "tid": "tenant", "oid": "o1",
            "preferred_username": "bench@contoso.example", "name": "Bench User", "nonce": q["nonce"],
            "iat": now, "exp": now + 3600});
        let mut h = Header::new(Algorithm::RS256);
        h.kid = Some("k1".into());
        let code = format!("code-{i}");
        shared
            .lock()
            .unwrap()
            .codes
            .insert(code.clone(), jsonwebtoken::encode(&h, &claims, &enc)?);

        let req = Request::get(format!("/oauth?code={code}&state={}", q["state"]))
            .header(header::COOKIE, format!("cantara_sso={browser}"))
            .body(Body::empty())?;
        let t = Instant::now();
        let res = router.clone().oneshot(req).await?;
        let elapsed = t.elapsed();
        anyhow::ensure!(
            res.headers()
                .get(header::LOCATION)
                .and_then(|l| l.to_str().ok())
                == Some("/"),
            "sign-in {i} failed: {:?}",
            res.headers().get(header::LOCATION)
        );
        let spent = shared
            .lock()
            .unwrap()
            .spent
            .remove(&code)
            .unwrap_or_default();
        if i >= 20 {
            total.push(elapsed);
            own.push(elapsed.saturating_sub(spent));
        }
    }
    report("callback total", &mut total);
    report("callback minus provider", &mut own);
    Ok(())
}

fn report(name: &str, l: &mut [Duration]) {
    l.sort();
    let pct = |p: f64| l[((l.len() as f64 * p) as usize).min(l.len() - 1)].as_secs_f64() * 1e3;
    println!(
        "{name:<26} {:>6} sign-ins   p50 {:>6.2} ms   p90 {:>6.2} ms   p99 {:>6.2} ms",
        l.len(),
        pct(0.5),
        pct(0.9),
        pct(0.99)
    );
}
