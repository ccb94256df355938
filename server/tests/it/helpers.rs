//! A test application: a fresh database in a temp dir, the real router, and small HTTP helpers.

use std::net::SocketAddr;

use app::backend::{Backend, BackendConfig, Db, SecretKey};
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use tower::ServiceExt;

pub const ADMIN_PASSWORD: &str = "correct horse battery staple";

pub struct TestApp {
    pub backend: Backend,
    pub router: Router,
    pub default_tenant: app::domain::ids::TenantId,
    _dir: tempfile::TempDir,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The session cookie value this reply sets, if any.
    pub fn session_cookie(&self) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with("cantara_session="))
            .and_then(|c| c.split(';').next())
            .map(|kv| kv.trim_start_matches("cantara_session=").to_owned())
            .filter(|v| !v.is_empty())
    }

    pub fn set_cookie(&self) -> String {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

impl TestApp {
    pub async fn new() -> Self {
        Self::with_public_url("http://127.0.0.1:3000").await
    }

    /// As an installation without `CANTARA_ALLOW_PRIVATE_IDP_URLS`: private providers refused.
    pub async fn new_strict() -> Self {
        Self::build("http://127.0.0.1:3000", false).await
    }

    pub async fn with_public_url(public_url: &str) -> Self {
        Self::build(public_url, true).await
    }

    async fn build(public_url: &str, allow_private_idp_urls: bool) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::connect(&crate::database::url_for(dir.path()))
            .await
            .unwrap();
        let backend = Backend::new(
            db,
            BackendConfig {
                public_url: public_url.to_owned(),
                secret_key: SecretKey::random(),
                // The providers tests start listen on 127.0.0.1.
                allow_private_idp_urls,
            },
        );
        let first = backend
            .bootstrap(Some(ADMIN_PASSWORD))
            .await
            .unwrap()
            .unwrap();
        assert!(first.generated_password.is_none());
        let options = leptos::config::LeptosOptions::builder()
            .output_name("cantara")
            .site_root(dir.path().join("site").display().to_string())
            .build();
        let router = server::router::router(backend.clone(), options);
        Self {
            backend,
            router,
            default_tenant: first.tenant_id,
            _dir: dir,
        }
    }

    /// Serves the router on a loopback port, as `cantara serve` does; returns its base URL.
    pub async fn serve_on_loopback(&self) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let service = self
            .router
            .clone()
            .into_make_service_with_connect_info::<SocketAddr>();
        tokio::spawn(async move { axum::serve(listener, service).await.unwrap() });
        url
    }

    pub async fn send(&self, req: Request<Body>) -> Reply {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> Reply {
        let mut req = Request::get(path).header(header::ACCEPT, "text/html");
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, format!("cantara_session={c}"));
        }
        self.send(req.body(Body::empty()).unwrap()).await
    }

    /// Calls a server function the way the browser does (form-encoded POST to `/api/<name>`).
    pub async fn call(&self, name: &str, form: &[(&str, &str)], cookie: Option<&str>) -> Reply {
        self.call_from(name, form, cookie, None).await
    }

    pub async fn call_from(
        &self,
        name: &str,
        form: &[(&str, &str)],
        cookie: Option<&str>,
        peer: Option<SocketAddr>,
    ) -> Reply {
        let body = form
            .iter()
            .map(|(k, v)| format!("{k}={}", urlencode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let mut req = Request::post(format!("/api/{name}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json");
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, format!("cantara_session={c}"));
        }
        let mut req = req.body(Body::from(body)).unwrap();
        if let Some(addr) = peer {
            req.extensions_mut().insert(ConnectInfo(addr));
        }
        self.send(req).await
    }

    /// Calls a server function whose input is JSON (`input = Json`).
    pub async fn call_json(
        &self,
        name: &str,
        body: &serde_json::Value,
        cookie: Option<&str>,
    ) -> Reply {
        let mut req = Request::post(format!("/api/{name}"))
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ACCEPT, "application/json");
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, format!("cantara_session={c}"));
        }
        self.send(req.body(Body::from(body.to_string())).unwrap())
            .await
    }

    pub async fn login(&self, username: &str, password: &str) -> Reply {
        self.call(
            "login",
            &[
                ("tenant_id", ""),
                ("username", username),
                ("password", password),
            ],
            None,
        )
        .await
    }

    /// Creates a local account (not an Administrator) as the bootstrap admin; returns its id.
    pub async fn add_local_user(
        &self,
        username: &str,
        display_name: &str,
        password: &str,
    ) -> String {
        let cookie = self.admin_session().await;
        let admin = self
            .backend
            .resolve_session(&cookie)
            .await
            .unwrap()
            .unwrap();
        let form = app::domain::directory::LocalUserForm {
            username: username.into(),
            display_name: display_name.into(),
            password: password.into(),
            is_admin: false,
        };
        self.backend
            .create_local_user(&admin, &form)
            .await
            .unwrap()
            .into_string()
    }

    /// Signs in as the bootstrap admin and returns the session cookie value.
    pub async fn admin_session(&self) -> String {
        let reply = self.login("admin", ADMIN_PASSWORD).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.session_cookie().expect("a session cookie")
    }
}

pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
