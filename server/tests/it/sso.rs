//! Single sign-on over the real router against an identity provider run inside the test: real
//! RSA signatures, a JWKS endpoint, a token endpoint with single-use codes, PKCE and strict
//! client authentication. Every refusal of the issue is driven here; Playwright drives the
//! browser journey against `oidc-provider`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use app::domain::idp::IdpForm;
use app::domain::sso::TestOutcome;
use axum::extract::{Form, State};
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};
use sha2::Digest;

use crate::helpers::{Reply, TestApp};
use crate::scim::Scim;

const CLIENT_ID: &str = "console-client";
const CLIENT_SECRET: &str = "s3cret-value";
const TID: &str = "11111111-2222-3333-4444-555555555555";

pub(crate) struct Key {
    kid: &'static str,
    enc: EncodingKey,
    public_pem: &'static [u8],
}

pub(crate) fn key_a() -> Key {
    Key {
        kid: "key-a",
        enc: EncodingKey::from_rsa_pem(include_bytes!("keys/rsa-a.pem")).unwrap(),
        public_pem: include_bytes!("keys/rsa-a.pub.pem"),
    }
}

fn key_b() -> Key {
    Key {
        kid: "key-b",
        enc: EncodingKey::from_rsa_pem(include_bytes!("keys/rsa-b.pem")).unwrap(),
        public_pem: include_bytes!("keys/rsa-b.pub.pem"),
    }
}

fn jwks(keys: &[&Key]) -> Value {
    let keys: Vec<Jwk> = keys
        .iter()
        .map(|k| {
            let mut jwk = Jwk::from_encoding_key(&k.enc, Algorithm::RS256).unwrap();
            jwk.common.key_id = Some(k.kid.into());
            // Entra's keys carry no `alg`.
            jwk.common.key_algorithm = None;
            jwk
        })
        .collect();
    serde_json::to_value(JwkSet { keys }).unwrap()
}

pub(crate) fn mint(key: &Key, claims: &Value) -> String {
    let mut h = Header::new(Algorithm::RS256);
    h.kid = Some(key.kid.into());
    jsonwebtoken::encode(&h, claims, &key.enc).unwrap()
}

fn now() -> i64 {
    app::domain::time::now_unix()
}

/// The identity provider's state, shared with its handlers.
#[derive(Default)]
pub(crate) struct Idp {
    jwks: Value,
    jwks_hits: usize,
    /// code → the ID token the token endpoint answers with (single use).
    codes: HashMap<String, String>,
    /// PKCE challenge the code was issued for.
    challenges: HashMap<String, String>,
    /// `Some("basic")` / `Some("post")`: refuse the other client authentication.
    strict: Option<&'static str>,
    /// What each token request used.
    seen_auth: Vec<&'static str>,
    /// The ID token a refresh answers with; `None` refuses refreshes.
    refresh_id_token: Option<String>,
    refreshes: usize,
    /// What the User Info endpoint answers (to the access token `at-1`).
    userinfo: Value,
}

pub(crate) type Shared = Arc<Mutex<Idp>>;

async fn keys(State(s): State<Shared>) -> Json<Value> {
    let mut idp = s.lock().unwrap();
    idp.jwks_hits += 1;
    Json(idp.jwks.clone())
}

async fn userinfo(State(s): State<Shared>, headers: HeaderMap) -> Response {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if bearer != Some("Bearer at-1") {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_token");
    }
    Json(s.lock().unwrap().userinfo.clone()).into_response()
}

fn oauth_error(status: StatusCode, error: &str) -> Response {
    (status, Json(json!({ "error": error }))).into_response()
}

async fn token(
    State(s): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let mut idp = s.lock().unwrap();
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            let b64 = v.strip_prefix("Basic ").unwrap_or("");
            String::from_utf8(
                base64::engine::general_purpose::STANDARD
                    .decode(b64)
                    .unwrap(),
            )
            .unwrap()
        });
    let auth = match (&basic, form.get("client_secret")) {
        (Some(b), None) if *b == format!("{CLIENT_ID}:{CLIENT_SECRET}") => "basic",
        (None, Some(secret))
            if secret == CLIENT_SECRET
                && form.get("client_id").map(String::as_str) == Some(CLIENT_ID) =>
        {
            "post"
        }
        _ => return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client"),
    };
    idp.seen_auth.push(auth);
    if idp.strict.is_some_and(|m| m != auth) {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client");
    }
    match form.get("grant_type").map(String::as_str) {
        Some("authorization_code") => {
            let code = form.get("code").cloned().unwrap_or_default();
            let Some(id_token) = idp.codes.remove(&code) else {
                return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant");
            };
            if let Some(challenge) = idp.challenges.remove(&code) {
                let verifier = form.get("code_verifier").cloned().unwrap_or_default();
                let computed = base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .encode(sha2::Sha256::digest(verifier.as_bytes()));
                if computed != challenge {
                    return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant");
                }
            }
            Json(
                json!({"access_token": "at-1", "token_type": "Bearer", "expires_in": 3600,
                        "id_token": id_token, "refresh_token": "rt-1"}),
            )
            .into_response()
        }
        Some("refresh_token") => {
            idp.refreshes += 1;
            match idp.refresh_id_token.clone() {
                Some(id_token) => Json(json!({"access_token": "at-2", "token_type": "Bearer",
                    "expires_in": 3600, "id_token": id_token, "refresh_token": "rt-2"}))
                .into_response(),
                None => oauth_error(StatusCode::BAD_REQUEST, "invalid_grant"),
            }
        }
        _ => oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type"),
    }
}

pub(crate) struct Provider {
    pub(crate) url: String,
    pub(crate) state: Shared,
}

impl Provider {
    pub(crate) async fn start() -> Self {
        let state: Shared = Arc::default();
        state.lock().unwrap().jwks = jwks(&[&key_a()]);
        let app = Router::new()
            .route("/t/discovery/v2.0/keys", get(keys))
            .route("/t/oauth2/v2.0/token", post(token))
            .route("/t/oidc/userinfo", get(userinfo))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { url, state }
    }

    fn issuer(&self) -> String {
        format!("{}/{TID}/v2.0", self.url)
    }

    pub(crate) fn form(&self) -> IdpForm {
        IdpForm {
            name: "Contoso Entra".into(),
            client_id: CLIENT_ID.into(),
            client_secret: CLIENT_SECRET.into(),
            authorization_url: format!("{}/t/oauth2/v2.0/authorize", self.url),
            token_url: format!("{}/t/oauth2/v2.0/token", self.url),
            jwks_url: format!("{}/t/discovery/v2.0/keys", self.url),
            issuer_uri: self.issuer(),
            logout_url: format!("{}/t/oauth2/v2.0/logout", self.url),
            scopes: "openid profile email".into(),
            provider_display_name: "Microsoft Entra ID".into(),
            ..IdpForm::defaults()
        }
    }

    /// Claims as Entra puts them in an ID token.
    pub(crate) fn claims(&self, nonce: &str) -> Value {
        json!({
            "iss": self.issuer(), "aud": CLIENT_ID, "sub": "pairwise-alice", "tid": TID,
            "oid": "aaaaaaaa-0000-0000-0000-000000000001", "ver": "2.0", "nonce": nonce,
            "preferred_username": "alice@contoso.example", "name": "Alice Admin",
            "iat": now(), "nbf": now(), "exp": now() + 3600,
        })
    }

    /// Issues `code` answering with `id_token`, for the PKCE challenge of the authorize request.
    pub(crate) fn issue(&self, code: &str, id_token: String, challenge: Option<&str>) {
        let mut s = self.state.lock().unwrap();
        s.codes.insert(code.into(), id_token);
        if let Some(c) = challenge {
            s.challenges.insert(code.into(), c.into());
        }
    }
}

/// A sign-in started at `/oauth/start/…` (or `/oauth/test/…`): what the browser carries.
pub(crate) struct Started {
    authorize: url::Url,
    pub(crate) state: String,
    pub(crate) nonce: String,
    pub(crate) browser: String,
}

impl Started {
    pub(crate) fn param(&self, name: &str) -> Option<String> {
        self.authorize
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }
}

async fn app_with(f: impl FnOnce(&Provider) -> IdpForm) -> (TestApp, Provider, String) {
    let app = TestApp::new().await;
    let idp = Provider::start().await;
    let form = f(&idp);
    let tenant = app.default_tenant.clone();
    let saved = app
        .backend
        .save_identity_provider(&tenant, "admin", None, &form)
        .await
        .unwrap();
    app.backend
        .activate_identity_provider(
            &tenant,
            "admin",
            &app::domain::ids::IdpId::from(saved.id.as_str()),
        )
        .await
        .unwrap();
    (app, idp, saved.id)
}

async fn standard() -> (TestApp, Provider, String) {
    app_with(Provider::form).await
}

pub(crate) async fn start_at(app: &TestApp, path: &str, cookie: Option<&str>) -> Started {
    let r = app.get(path, cookie).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{path}: {}", r.body);
    let authorize = url::Url::parse(r.header("location").unwrap()).unwrap();
    let browser = r
        .set_cookie()
        .lines()
        .find(|c| c.starts_with("cantara_sso="))
        .map(|c| {
            assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax"), "{c}");
            c.split(';')
                .next()
                .unwrap()
                .trim_start_matches("cantara_sso=")
                .to_owned()
        })
        .expect("browser binding cookie");
    let q = |name: &str| {
        authorize
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    Started {
        state: q("state"),
        nonce: q("nonce"),
        browser,
        authorize,
    }
}

async fn start(app: &TestApp) -> Started {
    start_at(app, &format!("/oauth/start/{}", app.default_tenant), None).await
}

/// The browser's return to the Redirect URL.
pub(crate) async fn back(
    app: &TestApp,
    query: &str,
    browser: Option<&str>,
    session: Option<&str>,
) -> Reply {
    let mut cookies = vec![];
    if let Some(b) = browser {
        cookies.push(format!("cantara_sso={b}"));
    }
    if let Some(s) = session {
        cookies.push(format!("cantara_session={s}"));
    }
    let mut req = Request::get(format!("/oauth?{query}"));
    if !cookies.is_empty() {
        req = req.header(header::COOKIE, cookies.join("; "));
    }
    app.send(req.body(axum::body::Body::empty()).unwrap()).await
}

/// Runs a sign-in whose token endpoint answers with `id_token(nonce)`.
async fn sign_in_with(
    app: &TestApp,
    idp: &Provider,
    id_token: impl FnOnce(&str) -> String,
) -> Reply {
    let s = start(app).await;
    let code = format!("code-{}", s.state);
    idp.issue(
        &code,
        id_token(&s.nonce),
        s.param("code_challenge").as_deref(),
    );
    back(
        app,
        &format!("code={code}&state={}", s.state),
        Some(&s.browser),
        None,
    )
    .await
}

fn refused(r: &Reply, reason: &str) {
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let location = r.header("location").unwrap_or("");
    assert!(
        location.starts_with(&format!("/sign-in-failed?reason={reason}")),
        "expected {reason}, got {location}"
    );
    assert!(r.session_cookie().is_none(), "no session on a refusal");
}

async fn viewer(app: &TestApp, cookie: &str) -> Reply {
    app.call("viewer", &[], Some(cookie)).await
}

#[tokio::test]
async fn entra_sign_in_creates_an_account_and_a_session_with_pkce_and_post_auth() {
    let (app, idp, _) = standard().await;
    let s = start(&app).await;
    // The authorization request: code flow, configured scopes, state, nonce, PKCE S256.
    assert!(s
        .authorize
        .as_str()
        .starts_with(&format!("{}/t/oauth2/v2.0/authorize?", idp.url)));
    assert_eq!(s.param("response_type").as_deref(), Some("code"));
    assert_eq!(s.param("client_id").as_deref(), Some(CLIENT_ID));
    assert_eq!(
        s.param("redirect_uri").as_deref(),
        Some("http://127.0.0.1:3000/oauth")
    );
    assert_eq!(s.param("scope").as_deref(), Some("openid profile email"));
    assert_eq!(s.param("code_challenge_method").as_deref(), Some("S256"));
    assert!(s.state.len() >= 16 && s.nonce.len() >= 16);
    idp.issue(
        "c1",
        mint(&key_a(), &idp.claims(&s.nonce)),
        s.param("code_challenge").as_deref(),
    );
    let r = back(
        &app,
        &format!("code=c1&state={}&session_state=x&iss=ignored", s.state),
        Some(&s.browser),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.header("location"), Some("/"));
    let cookie = r.session_cookie().expect("a console session");
    assert!(
        r.set_cookie().contains("cantara_sso=;"),
        "the binding cookie is cleared"
    );
    assert_eq!(idp.state.lock().unwrap().seen_auth, vec!["post"]);

    let v = viewer(&app, &cookie).await;
    assert_eq!(v.status, StatusCode::OK, "{}", v.body);
    assert_eq!(v.json()["username"], "alice@contoso.example");
    assert_eq!(v.json()["display_name"], "Alice Admin");

    // A later change of UPN keeps the same account (matched on tid + oid), renamed.
    let r = sign_in_with(&app, &idp, |n| {
        let mut c = idp.claims(n);
        c["preferred_username"] = json!("alice.smith@contoso.example");
        mint(&key_a(), &c)
    })
    .await;
    let cookie = r.session_cookie().expect("signed in again");
    assert_eq!(
        viewer(&app, &cookie).await.json()["username"],
        "alice.smith@contoso.example"
    );
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM account WHERE sso_key IS NOT NULL")
        .fetch_one(&app.backend.db.pool)
        .await
        .unwrap();
    assert_eq!(count, 1, "no duplicate account");
    // Tokens are stored encrypted only.
    let stored: Vec<String> =
        sqlx::query_scalar("SELECT id_token_enc FROM session WHERE id_token_enc IS NOT NULL")
            .fetch_all(&app.backend.db.pool)
            .await
            .unwrap();
    assert_eq!(stored.len(), 2);
    assert!(
        stored
            .iter()
            .all(|t| !t.starts_with("eyJ") && !t.contains('.')),
        "ID tokens (dotted JWS) are not stored in clear"
    );
}

#[tokio::test]
async fn client_secret_basic_sends_the_secret_only_in_the_authorization_header() {
    let (app, idp, _) = app_with(|p| IdpForm {
        auth_method: app::domain::idp::AuthMethod::ClientSecretBasic,
        ..p.form()
    })
    .await;
    idp.state.lock().unwrap().strict = Some("basic");
    let r = sign_in_with(&app, &idp, |n| mint(&key_a(), &idp.claims(n))).await;
    assert!(r.session_cookie().is_some(), "{:?}", r.header("location"));
    assert_eq!(idp.state.lock().unwrap().seen_auth, vec!["basic"]);

    // And the reverse: a provider that insists on post refuses basic.
    idp.state.lock().unwrap().strict = Some("post");
    let r = sign_in_with(&app, &idp, |n| mint(&key_a(), &idp.claims(n))).await;
    refused(&r, "token_refused");
}

#[tokio::test]
async fn post_auth_against_a_basic_only_provider_is_refused() {
    let (app, idp, _) = standard().await;
    idp.state.lock().unwrap().strict = Some("basic");
    let r = sign_in_with(&app, &idp, |n| mint(&key_a(), &idp.claims(n))).await;
    refused(&r, "token_refused");
    assert_eq!(idp.state.lock().unwrap().seen_auth, vec!["post"]);
}

#[tokio::test]
async fn wrong_replayed_or_unbound_state_is_refused() {
    let (app, idp, _) = standard().await;
    let s = start(&app).await;
    idp.issue(
        "c1",
        mint(&key_a(), &idp.claims(&s.nonce)),
        s.param("code_challenge").as_deref(),
    );
    // Wrong state.
    let r = back(&app, "code=c1&state=made-up", Some(&s.browser), None).await;
    refused(&r, "state_unknown");
    // Right state, but from another browser (no binding cookie): refused and the state is spent.
    let r = back(&app, &format!("code=c1&state={}", s.state), None, None).await;
    refused(&r, "browser_mismatch");
    let r = back(
        &app,
        &format!("code=c1&state={}", s.state),
        Some(&s.browser),
        None,
    )
    .await;
    refused(&r, "state_unknown");

    // A good sign-in, then the same answer replayed.
    let s = start(&app).await;
    idp.issue(
        "c2",
        mint(&key_a(), &idp.claims(&s.nonce)),
        s.param("code_challenge").as_deref(),
    );
    let query = format!("code=c2&state={}", s.state);
    assert!(back(&app, &query, Some(&s.browser), None)
        .await
        .session_cookie()
        .is_some());
    refused(
        &back(&app, &query, Some(&s.browser), None).await,
        "state_unknown",
    );
}

#[tokio::test]
async fn a_replayed_code_is_refused_by_the_provider_and_reported() {
    let (app, idp, _) = standard().await;
    let s = start(&app).await;
    idp.issue(
        "once",
        mint(&key_a(), &idp.claims(&s.nonce)),
        s.param("code_challenge").as_deref(),
    );
    let r = back(
        &app,
        &format!("code=once&state={}", s.state),
        Some(&s.browser),
        None,
    )
    .await;
    assert!(r.session_cookie().is_some());
    let s = start(&app).await;
    let r = back(
        &app,
        &format!("code=once&state={}", s.state),
        Some(&s.browser),
        None,
    )
    .await;
    refused(&r, "token_refused");
}

#[tokio::test]
async fn token_claims_are_each_checked() {
    let (app, idp, _) = standard().await;
    type Change = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(&str, Change)> = vec![
        (
            "nonce_mismatch",
            Box::new(|c| c["nonce"] = json!("another")),
        ),
        (
            "expired",
            Box::new(|c| {
                c["iat"] = json!(now() - 7200);
                c["exp"] = json!(now() - 3600);
            }),
        ),
        (
            "issuer_mismatch",
            Box::new(|c| c["iss"] = json!("https://login.microsoftonline.com/other/v2.0")),
        ),
        (
            "audience_mismatch",
            Box::new(|c| c["aud"] = json!("another-app")),
        ),
        (
            "audience_mismatch",
            Box::new(|c| {
                c["aud"] = json!([CLIENT_ID, "another-app"]);
                c["azp"] = json!("another-app");
            }),
        ),
        (
            "issued_in_future",
            Box::new(|c| c["iat"] = json!(now() + 3600)),
        ),
        (
            "missing_username",
            Box::new(|c| {
                c.as_object_mut().unwrap().remove("preferred_username");
            }),
        ),
    ];
    for (reason, change) in cases {
        let r = sign_in_with(&app, &idp, |n| {
            let mut c = idp.claims(n);
            change(&mut c);
            mint(&key_a(), &c)
        })
        .await;
        refused(&r, reason);
    }
    let accounts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM account")
        .fetch_one(&app.backend.db.pool)
        .await
        .unwrap();
    assert_eq!(
        accounts, 1,
        "only the bootstrap admin: refusals create nothing"
    );
}

#[tokio::test]
async fn forged_tokens_are_refused() {
    let (app, idp, _) = standard().await;
    let b64 = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());

    // alg: none, no signature.
    let r = sign_in_with(&app, &idp, |n| {
        format!(
            "{}.{}.",
            b64(&json!({"alg": "none", "kid": "key-a"})),
            b64(&idp.claims(n))
        )
    })
    .await;
    refused(&r, "algorithm_refused");

    // HS256 "signed" with the provider's public key as the HMAC secret.
    let r = sign_in_with(&app, &idp, |n| {
        let mut h = Header::new(Algorithm::HS256);
        h.kid = Some("key-a".into());
        jsonwebtoken::encode(
            &h,
            &idp.claims(n),
            &EncodingKey::from_secret(key_a().public_pem).unwrap(),
        )
        .unwrap()
    })
    .await;
    refused(&r, "algorithm_refused");

    // A genuine token whose payload was changed afterwards.
    let r = sign_in_with(&app, &idp, |n| {
        let genuine = mint(&key_a(), &idp.claims(n));
        let parts: Vec<&str> = genuine.split('.').collect();
        let mut c = idp.claims(n);
        c["preferred_username"] = json!("mallory@contoso.example");
        format!("{}.{}.{}", parts[0], b64(&c), parts[2])
    })
    .await;
    refused(&r, "signature_invalid");

    // Signed by a key the provider does not publish.
    let r = sign_in_with(&app, &idp, |n| {
        let mut h = Header::new(Algorithm::RS256);
        h.kid = Some("key-a".into());
        jsonwebtoken::encode(&h, &idp.claims(n), &key_b().enc).unwrap()
    })
    .await;
    refused(&r, "signature_invalid");
}

#[tokio::test]
async fn rotated_keys_are_refetched_once_and_unknown_kids_are_rate_limited() {
    let (app, idp, _) = standard().await;
    let r = sign_in_with(&app, &idp, |n| mint(&key_a(), &idp.claims(n))).await;
    assert!(r.session_cookie().is_some());
    assert_eq!(idp.state.lock().unwrap().jwks_hits, 1);
    // Cached: no fetch for a known kid.
    let r = sign_in_with(&app, &idp, |n| mint(&key_a(), &idp.claims(n))).await;
    assert!(r.session_cookie().is_some());
    assert_eq!(idp.state.lock().unwrap().jwks_hits, 1);

    // The provider rotates to key B: the unknown kid triggers one refetch, and sign-in works.
    idp.state.lock().unwrap().jwks = jwks(&[&key_b()]);
    let r = sign_in_with(&app, &idp, |n| mint(&key_b(), &idp.claims(n))).await;
    assert!(r.session_cookie().is_some(), "{:?}", r.header("location"));
    assert_eq!(idp.state.lock().unwrap().jwks_hits, 2);

    // A made-up kid right after: refused without hammering the provider.
    let r = sign_in_with(&app, &idp, |n| {
        let mut h = Header::new(Algorithm::RS256);
        h.kid = Some("made-up".into());
        jsonwebtoken::encode(&h, &idp.claims(n), &key_b().enc).unwrap()
    })
    .await;
    refused(&r, "signing_key_unknown");
    assert_eq!(idp.state.lock().unwrap().jwks_hits, 2);
}

#[tokio::test]
async fn claims_missing_from_the_id_token_are_read_from_user_info() {
    let (app, idp, _) = app_with(|p| IdpForm {
        username_attribute: "upn".into(),
        userinfo_url: format!("{}/t/oidc/userinfo", p.url),
        ..p.form()
    })
    .await;
    idp.state.lock().unwrap().userinfo =
        json!({"sub": "pairwise-alice", "upn": "alice.upn@contoso.example"});
    let r = sign_in_with(&app, &idp, |n| mint(&key_a(), &idp.claims(n))).await;
    let cookie = r.session_cookie().expect("signed in");
    assert_eq!(
        viewer(&app, &cookie).await.json()["username"],
        "alice.upn@contoso.example"
    );
    // User Info about someone else is not trusted.
    idp.state.lock().unwrap().userinfo =
        json!({"sub": "pairwise-mallory", "upn": "mallory@contoso.example"});
    let r = sign_in_with(&app, &idp, |n| mint(&key_a(), &idp.claims(n))).await;
    refused(&r, "userinfo_mismatch");
}

#[tokio::test]
async fn multi_tenant_issuer_template_uses_the_tokens_tid() {
    const OTHER: &str = "99999999-0000-0000-0000-000000000000";
    let (app, idp, _) = app_with(|p| IdpForm {
        issuer_uri: format!("{}/{{tenantid}}/v2.0", p.url),
        allowed_tenant_ids: format!("{TID}, {OTHER}"),
        ..p.form()
    })
    .await;
    let r = sign_in_with(&app, &idp, |n| mint(&key_a(), &idp.claims(n))).await;
    assert!(r.session_cookie().is_some(), "{:?}", r.header("location"));
    // An allowed tenant whose token's iss names another one does not pass.
    let r = sign_in_with(&app, &idp, |n| {
        let mut c = idp.claims(n);
        c["tid"] = json!(OTHER);
        mint(&key_a(), &c)
    })
    .await;
    refused(&r, "issuer_mismatch");
    // A tenant that is not in Allowed Tenant IDs is refused even with a matching iss.
    let r = sign_in_with(&app, &idp, |n| {
        let mut c = idp.claims(n);
        c["tid"] = json!("12345678-0000-0000-0000-000000000000");
        c["iss"] = json!(format!(
            "{}/12345678-0000-0000-0000-000000000000/v2.0",
            idp.url
        ));
        mint(&key_a(), &c)
    })
    .await;
    refused(&r, "tenant_not_allowed");
}

#[tokio::test]
async fn a_tenant_template_without_allowed_tenants_is_not_saved() {
    let app = TestApp::new().await;
    let idp = Provider::start().await;
    let form = IdpForm {
        issuer_uri: format!("{}/{{tenantid}}/v2.0", idp.url),
        ..idp.form()
    };
    let err = app
        .backend
        .save_identity_provider(&app.default_tenant, "admin", None, &form)
        .await
        .unwrap_err();
    assert!(app::domain::error::AppError::from(err)
        .message_for("allowed_tenant_ids")
        .is_some());
    assert!(app
        .backend
        .list_identity_providers(&app.default_tenant)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn provider_errors_get_their_own_explanation() {
    let (app, _idp, _) = standard().await;
    let s = start(&app).await;
    let r = back(
        &app,
        &format!(
            "error=access_denied&error_description=AADSTS50105%3A+not+assigned&state={}",
            s.state
        ),
        Some(&s.browser),
        None,
    )
    .await;
    refused(&r, "provider_access_denied");
    assert!(r
        .header("location")
        .unwrap()
        .contains(&format!("tenant={}", app.default_tenant)));
    let s = start(&app).await;
    let r = back(
        &app,
        &format!("error=consent_required&state={}", s.state),
        Some(&s.browser),
        None,
    )
    .await;
    refused(&r, "provider_consent_required");
    // The page itself is public and says it in words.
    let page = app
        .get("/sign-in-failed?reason=provider_access_denied", None)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("assigned to the Cantara application"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn deactivated_scim_accounts_and_unknown_people_are_refused() {
    let (app, idp, idp_id) = standard().await;
    // Entra provisioned Alice over SCIM, then deactivated her.
    let scim = Scim::new(&app).await;
    let created = scim
        .req(
            "POST",
            "/Users",
            Some(json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                        "userName": "Alice@Contoso.example", "active": true, "displayName": "Alice"})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.json()["id"].as_str().unwrap().to_owned();
    // Matched case-insensitively to the SCIM account: signs in, no new account.
    let r = sign_in_with(&app, &idp, |n| mint(&key_a(), &idp.claims(n))).await;
    let cookie = r.session_cookie().expect("SCIM account signs in");
    assert_eq!(
        viewer(&app, &cookie).await.json()["username"],
        "Alice@Contoso.example"
    );
    let deactivate = scim
        .req(
            "PATCH",
            &format!("/Users/{id}"),
            Some(
                json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                        "Operations": [{"op": "Replace", "path": "active", "value": "False"}]}),
            ),
        )
        .await;
    assert!(deactivate.status.is_success(), "{}", deactivate.body);
    assert_eq!(
        viewer(&app, &cookie).await.status,
        StatusCode::UNAUTHORIZED,
        "deactivation ends the session"
    );
    let r = sign_in_with(&app, &idp, |n| mint(&key_a(), &idp.claims(n))).await;
    refused(&r, "account_deactivated");

    // With account creation off, unknown people are refused.
    let mut form = app
        .backend
        .get_identity_provider(
            &app.default_tenant,
            &app::domain::ids::IdpId::from(idp_id.as_str()),
        )
        .await
        .unwrap()
        .form;
    form.create_users = false;
    app.backend
        .save_identity_provider(
            &app.default_tenant,
            "admin",
            Some(&app::domain::ids::IdpId::from(idp_id.as_str())),
            &form,
        )
        .await
        .unwrap();
    let r = sign_in_with(&app, &idp, |n| {
        let mut c = idp.claims(n);
        c["oid"] = json!("bbbbbbbb-0000-0000-0000-000000000002");
        c["preferred_username"] = json!("bob@contoso.example");
        mint(&key_a(), &c)
    })
    .await;
    refused(&r, "account_unknown");
}

#[tokio::test]
async fn refresh_tokens_revalidate_the_session_and_a_refused_refresh_ends_it() {
    let (app, idp, _) = app_with(|p| IdpForm {
        refresh_tokens_enabled: true,
        ..p.form()
    })
    .await;
    let s = start(&app).await;
    assert!(s
        .param("scope")
        .unwrap()
        .split(' ')
        .any(|x| x == "offline_access"));
    idp.issue(
        "c1",
        mint(&key_a(), &idp.claims(&s.nonce)),
        s.param("code_challenge").as_deref(),
    );
    let r = back(
        &app,
        &format!("code=c1&state={}", s.state),
        Some(&s.browser),
        None,
    )
    .await;
    let cookie = r.session_cookie().unwrap();
    let stored: String = sqlx::query_scalar(
        "SELECT refresh_token_enc FROM session WHERE refresh_token_enc IS NOT NULL",
    )
    .fetch_one(&app.backend.db.pool)
    .await
    .unwrap();
    assert!(!stored.contains("rt-1"), "refresh token encrypted at rest");

    // The ID token expires: the next request refreshes (refreshed ID tokens carry no nonce).
    let mut refreshed = idp.claims("");
    refreshed.as_object_mut().unwrap().remove("nonce");
    idp.state.lock().unwrap().refresh_id_token = Some(mint(&key_a(), &refreshed));
    app.backend
        .expire_id_token_for_tests(&cookie)
        .await
        .unwrap();
    assert_eq!(viewer(&app, &cookie).await.status, StatusCode::OK);
    assert_eq!(idp.state.lock().unwrap().refreshes, 1);
    assert_eq!(viewer(&app, &cookie).await.status, StatusCode::OK);
    assert_eq!(
        idp.state.lock().unwrap().refreshes,
        1,
        "refreshed once, until the new token expires"
    );

    // The provider refuses the next refresh: the session ends.
    idp.state.lock().unwrap().refresh_id_token = None;
    app.backend
        .expire_id_token_for_tests(&cookie)
        .await
        .unwrap();
    assert_eq!(viewer(&app, &cookie).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(idp.state.lock().unwrap().refreshes, 2);
}

#[tokio::test]
async fn logout_continues_to_the_providers_logout_url() {
    let (app, idp, _) = standard().await;
    let r = sign_in_with(&app, &idp, |n| mint(&key_a(), &idp.claims(n))).await;
    let cookie = r.session_cookie().unwrap();
    let out = post_logout(&app, &cookie).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    let location = url::Url::parse(out.header("location").unwrap()).unwrap();
    assert!(location
        .as_str()
        .starts_with(&format!("{}/t/oauth2/v2.0/logout?", idp.url)));
    let q: HashMap<_, _> = location.query_pairs().into_owned().collect();
    assert!(q["id_token_hint"].starts_with("eyJ"));
    assert_eq!(q["client_id"], CLIENT_ID);
    assert_eq!(q["post_logout_redirect_uri"], "http://127.0.0.1:3000/oauth");
    assert_eq!(viewer(&app, &cookie).await.status, StatusCode::UNAUTHORIZED);
    // The provider sends the browser back to the Redirect URL: on to the sign-in page.
    let back_home = back(&app, "", None, None).await;
    assert_eq!(back_home.header("location"), Some("/login"));
    // Local sessions sign out locally.
    let admin = app.admin_session().await;
    assert_eq!(
        post_logout(&app, &admin).await.header("location"),
        Some("/login")
    );
}

async fn post_logout(app: &TestApp, cookie: &str) -> Reply {
    app.send(
        axum::http::Request::post("/logout")
            .header(header::COOKIE, format!("cantara_session={cookie}"))
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn test_sign_in_shows_the_claims_without_starting_a_session() {
    let app = TestApp::new().await;
    let idp = Provider::start().await;
    let tenant = app.default_tenant.clone();
    let saved = app
        .backend
        .save_identity_provider(&tenant, "admin", None, &idp.form())
        .await
        .unwrap();
    // Inactive: the sign-in page offers no button, but the wizard can test it.
    let target = app.call("login_target", &[("tenant_id", "")], None).await;
    assert_eq!(target.json()["sso_provider"], Value::Null);
    assert_eq!(
        app.get(&format!("/oauth/test/{}", saved.id), None)
            .await
            .header("location"),
        Some("/login")
    );

    let admin = app.admin_session().await;
    let s = start_at(&app, &format!("/oauth/test/{}", saved.id), Some(&admin)).await;
    idp.issue(
        "t1",
        mint(&key_a(), &idp.claims(&s.nonce)),
        s.param("code_challenge").as_deref(),
    );
    // Another browser (without the admin's session) cannot finish the admin's test.
    let r = back(
        &app,
        &format!("code=t1&state={}", s.state),
        Some(&s.browser),
        None,
    )
    .await;
    refused(&r, "browser_mismatch");

    let s = start_at(&app, &format!("/oauth/test/{}", saved.id), Some(&admin)).await;
    idp.issue(
        "t2",
        mint(&key_a(), &idp.claims(&s.nonce)),
        s.param("code_challenge").as_deref(),
    );
    let r = back(
        &app,
        &format!("code=t2&state={}", s.state),
        Some(&s.browser),
        Some(&admin),
    )
    .await;
    assert_eq!(
        r.header("location"),
        Some(format!("/identity-providers/{}?tested=1", saved.id).as_str())
    );
    assert!(r.session_cookie().is_none(), "a test starts no session");
    let view = app
        .backend
        .get_identity_provider(&tenant, &app::domain::ids::IdpId::from(saved.id.as_str()))
        .await
        .unwrap();
    let test = view.last_test.expect("test recorded");
    assert_eq!(test.by, "admin");
    match test.outcome {
        TestOutcome::Succeeded {
            username,
            display_name,
            claims,
        } => {
            assert_eq!(username, "alice@contoso.example");
            assert_eq!(display_name, "Alice Admin");
            assert!(claims
                .iter()
                .any(|(k, v)| k == "oid" && v == "aaaaaaaa-0000-0000-0000-000000000001"));
        }
        other => panic!("{other:?}"),
    }
    let accounts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM account")
        .fetch_one(&app.backend.db.pool)
        .await
        .unwrap();
    assert_eq!(accounts, 1, "a test creates no account");

    // A failing test is recorded as such; a changed configuration forgets the old result.
    let s = start_at(&app, &format!("/oauth/test/{}", saved.id), Some(&admin)).await;
    let mut c = idp.claims(&s.nonce);
    c["aud"] = json!("another-app");
    idp.issue(
        "t3",
        mint(&key_a(), &c),
        s.param("code_challenge").as_deref(),
    );
    back(
        &app,
        &format!("code=t3&state={}", s.state),
        Some(&s.browser),
        Some(&admin),
    )
    .await;
    let view = app
        .backend
        .get_identity_provider(&tenant, &app::domain::ids::IdpId::from(saved.id.as_str()))
        .await
        .unwrap();
    assert!(matches!(
        view.last_test.unwrap().outcome,
        TestOutcome::Failed {
            failure: app::domain::sso::SsoFailure::AudienceMismatch
        }
    ));
    let mut form = view.form;
    form.description = "changed".into();
    let view = app
        .backend
        .save_identity_provider(
            &tenant,
            "admin",
            Some(&app::domain::ids::IdpId::from(saved.id.as_str())),
            &form,
        )
        .await
        .unwrap();
    assert!(view.last_test.is_none());
}

#[tokio::test]
async fn the_sign_in_page_offers_the_active_provider() {
    let (app, _idp, _) = standard().await;
    let target = app.call("login_target", &[("tenant_id", "")], None).await;
    assert_eq!(target.json()["sso_provider"], "Microsoft Entra ID");
    let page = app.get("/login", None).await;
    assert!(
        page.body.contains("Sign in with Microsoft Entra ID"),
        "{}",
        page.body
    );
    assert!(page
        .body
        .contains(&format!("/oauth/start/{}", app.default_tenant)));
}

#[tokio::test]
async fn single_sign_on_never_takes_over_a_local_account() {
    let (app, idp, _) = standard().await;
    // A local account (with its password) owns Alice's username.
    app.add_local_user(
        "ALICE@contoso.example",
        "Local Alice",
        "a long enough password",
    )
    .await;
    let r = sign_in_with(&app, &idp, |n| mint(&key_a(), &idp.claims(n))).await;
    refused(&r, "account_is_local");
    // Nor the administrator, whatever the provider calls the person.
    let r = sign_in_with(&app, &idp, |n| {
        let mut c = idp.claims(n);
        c["preferred_username"] = json!("Admin");
        mint(&key_a(), &c)
    })
    .await;
    refused(&r, "account_is_local");
    let linked: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM account WHERE sso_key IS NOT NULL")
        .fetch_one(&app.backend.db.pool)
        .await
        .unwrap();
    assert_eq!(linked, 0, "no account was linked");
}

#[tokio::test]
async fn accounts_made_by_sso_are_sso_never_get_a_password_and_scim_adopts_them() {
    let (app, idp, _) = standard().await;
    let admin = app.admin_session().await;
    let r = sign_in_with(&app, &idp, |n| mint(&key_a(), &idp.claims(n))).await;
    let alice = r.session_cookie().expect("a new SSO account");
    let id = app
        .backend
        .resolve_session(&alice)
        .await
        .unwrap()
        .unwrap()
        .account_id;
    let user = app
        .call("user", &[("id", id.as_str())], Some(&admin))
        .await
        .json();
    assert_eq!(user["user"]["source"], "Sso");
    // No local password, no Administrator flag, from anyone.
    let r = app
        .call_json(
            "update_user",
            &json!({ "id": id, "form": { "username": "alice@contoso.example", "display_name": "Alice", "password": "a long enough password", "is_admin": false } }),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let hash: Option<String> =
        sqlx::query_scalar("SELECT password_hash FROM account WHERE account_id = $1")
            .bind(&id)
            .fetch_one(&app.backend.db.pool)
            .await
            .unwrap();
    assert!(hash.is_none());
    let r = app
        .login("alice@contoso.example", "a long enough password")
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // A local group membership survives the adoption.
    let admin_info = app.backend.resolve_session(&admin).await.unwrap().unwrap();
    let group = app
        .backend
        .create_local_group(&admin_info, "Early birds")
        .await
        .unwrap();
    app.backend
        .add_local_group_member(
            &admin_info,
            &app::domain::ids::GroupId::from(group.as_str()),
            "alice@contoso.example",
        )
        .await
        .unwrap();
    // Entra provisions the same person: SCIM adopts the account instead of answering 409.
    let scim = Scim::new(&app).await;
    let created = scim
        .req(
            "POST",
            "/Users",
            Some(json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                        "userName": "Alice@Contoso.example", "externalId": "alice", "active": true, "displayName": "Alice A."})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.json()["id"], id.as_str(), "the same account");
    let user = app
        .call("user", &[("id", id.as_str())], Some(&admin))
        .await
        .json();
    assert_eq!(user["user"]["source"], "Scim");
    assert_eq!(user["groups"][0]["name"], "Early birds");
    assert_eq!(
        viewer(&app, &alice).await.status,
        StatusCode::OK,
        "her session goes on"
    );
    // And she keeps signing in to that one account.
    let r = sign_in_with(&app, &idp, |n| mint(&key_a(), &idp.claims(n))).await;
    let again = r.session_cookie().unwrap();
    assert_eq!(
        app.backend
            .resolve_session(&again)
            .await
            .unwrap()
            .unwrap()
            .account_id
            .as_str(),
        id.as_str()
    );
}

#[tokio::test]
async fn a_scim_account_is_found_by_its_external_id_equal_to_the_oid() {
    let (app, idp, _) = standard().await;
    let scim = Scim::new(&app).await;
    let created = scim
        .req(
            "POST",
            "/Users",
            Some(json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                        "userName": "a.smith@contoso.example", "externalId": "aaaaaaaa-0000-0000-0000-000000000001", "active": true})),
        )
        .await;
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let r = sign_in_with(&app, &idp, |n| mint(&key_a(), &idp.claims(n))).await;
    let cookie = r.session_cookie().expect("signed in to the SCIM account");
    assert_eq!(
        app.backend
            .resolve_session(&cookie)
            .await
            .unwrap()
            .unwrap()
            .account_id
            .as_str(),
        id.as_str()
    );
}

#[tokio::test]
async fn test_sign_in_needs_identity_provider_administration() {
    let (app, _idp, idp_id) = standard().await;
    app.add_local_user("reader", "", "a long enough password")
        .await;
    let reader = app
        .login("reader", "a long enough password")
        .await
        .session_cookie()
        .unwrap();
    let r = app
        .get(&format!("/oauth/test/{idp_id}"), Some(&reader))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(
        r.header("location")
            .unwrap_or("")
            .contains("reason=not_permitted"),
        "{:?}",
        r.header("location")
    );
}

#[tokio::test]
async fn a_key_rotated_under_the_same_kid_is_refetched_once() {
    let (app, idp, _) = standard().await;
    let r = sign_in_with(&app, &idp, |n| mint(&key_a(), &idp.claims(n))).await;
    assert!(r.session_cookie().is_some());
    assert_eq!(idp.state.lock().unwrap().jwks_hits, 1);
    // The provider replaces the key but keeps its kid: the cached key fails the signature,
    // one refetch finds the new key, and the sign-in works.
    let rotated = Key {
        kid: "key-a",
        ..key_b()
    };
    idp.state.lock().unwrap().jwks = jwks(&[&rotated]);
    let r = sign_in_with(&app, &idp, |n| mint(&rotated, &idp.claims(n))).await;
    assert!(r.session_cookie().is_some(), "{:?}", r.header("location"));
    assert_eq!(idp.state.lock().unwrap().jwks_hits, 2);
    // A token that really is forged (signed by a key nobody published) is refused, and the
    // refetch it would cause is rate-limited.
    let forger = Key {
        kid: "key-a",
        ..key_a()
    };
    let r = sign_in_with(&app, &idp, |n| mint(&forger, &idp.claims(n))).await;
    refused(&r, "signature_invalid");
    assert_eq!(idp.state.lock().unwrap().jwks_hits, 2);
}

#[tokio::test]
async fn sign_in_starts_are_rate_limited_per_address() {
    let (app, idp, _) = standard().await;
    let from = |peer: &str| {
        let mut req = axum::http::Request::get(format!("/oauth/start/{}", app.default_tenant))
            .body(axum::body::Body::empty())
            .unwrap();
        let addr: std::net::SocketAddr = peer.parse().unwrap();
        req.extensions_mut()
            .insert(axum::extract::ConnectInfo(addr));
        req
    };
    let to_provider = |r: &Reply| {
        r.header("location")
            .is_some_and(|l| l.starts_with(&idp.url))
    };
    for i in 0..30 {
        let r = app.send(from("203.0.113.50:1000")).await;
        assert!(to_provider(&r), "start {i}: {:?}", r.header("location"));
    }
    // The 31st within the minute writes nothing and says why.
    let r = app.send(from("203.0.113.50:1000")).await;
    assert_eq!(
        r.header("location"),
        Some(
            format!(
                "/sign-in-failed?reason=too_many_sign_ins&tenant={}",
                app.default_tenant
            )
            .as_str()
        )
    );
    let pending: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sso_pending")
        .fetch_one(&app.backend.db.pool)
        .await
        .unwrap();
    assert_eq!(pending, 30);
    // Someone else is not affected.
    let r = app.send(from("198.51.100.7:1000")).await;
    assert!(to_provider(&r));
}

#[tokio::test]
async fn sign_ins_under_way_are_capped_per_tenant() {
    let (app, idp, _) = standard().await;
    let idp_id: String = sqlx::query_scalar("SELECT idp_id FROM identity_provider")
        .fetch_one(&app.backend.db.pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO sso_pending (state_hash, browser_hash, tenant_id, idp_id, purpose, account_id, \
         nonce, pkce_verifier_enc, created_at, expires_at) \
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) \
         SELECT 'h' || i, 'b', $1, $2, 'sign_in', NULL, 'n', NULL, 0, 99999999999 FROM n",
    )
    .bind(&app.default_tenant)
    .bind(&idp_id)
    .execute(&app.backend.db.pool)
    .await
    .unwrap();
    let r = app
        .get(&format!("/oauth/start/{}", app.default_tenant), None)
        .await;
    assert!(
        r.header("location")
            .is_some_and(|l| l.contains("reason=too_many_sign_ins")),
        "{:?}",
        r.header("location")
    );
    assert!(!r.header("location").unwrap().starts_with(&idp.url));
}
