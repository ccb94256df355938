//! Real `cantara serve` processes for the tests of several instances, shutdown and backups: each
//! on a port of its own on 127.0.0.1, all sharing one database and one secret key, as
//! instances behind a load balancer do.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use app::backend::{Backend, BackendConfig, Db, SecretKey};
use base64::Engine;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// What the instances of one installation share.
#[derive(Clone)]
pub struct Installation {
    pub database_url: String,
    pub secret_key: String,
    pub admin_password: String,
    /// Extra environment for every instance (`CANTARA_METRICS_TOKEN`, …).
    pub env: Vec<(String, String)>,
}

impl Installation {
    pub fn new(database_url: String) -> Self {
        let key: [u8; 32] = rand::random();
        Self {
            database_url,
            secret_key: base64::engine::general_purpose::STANDARD.encode(key),
            admin_password: crate::helpers::ADMIN_PASSWORD.into(),
            env: Vec::new(),
        }
    }

    /// The `cantara` binary with this installation's configuration and `dir` for local state.
    pub fn command(&self, dir: &Path) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_cantara"));
        cmd.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("CANTARA_DATABASE_URL", &self.database_url)
            .env("CANTARA_SECRET_KEY", &self.secret_key)
            .env("CANTARA_ADMIN_PASSWORD", &self.admin_password)
            .env("CANTARA_DATA_DIR", dir.join("data"))
            // Behind the load balancer's one address; nothing is sent there.
            .env("CANTARA_PUBLIC_URL", "http://127.0.0.1:9")
            .env("CANTARA_ALLOW_PRIVATE_IDP_URLS", "true")
            .env("RUST_LOG", "info")
            .stdin(Stdio::null());
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    /// Starts an instance and waits until it listens (first start included).
    pub fn start(&self) -> Instance {
        self.spawn().ready()
    }

    /// Starts an instance without waiting: several can start at once.
    pub fn spawn(&self) -> Starting {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("server.log");
        let mut child = self
            .command(dir.path())
            .args(["serve", "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (lines, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if lines.send(line).is_err() {
                    break;
                }
            }
        });
        Starting {
            child,
            lines: rx,
            log,
            dir,
        }
    }
}

pub struct Starting {
    child: Child,
    lines: mpsc::Receiver<String>,
    log: PathBuf,
    dir: tempfile::TempDir,
}

impl Starting {
    /// Waits for "Cantara is listening on http://…"; panics with the log if it exits first.
    pub fn ready(mut self) -> Instance {
        let deadline = Instant::now() + Duration::from_secs(90);
        let mut printed = String::new();
        loop {
            match self.lines.recv_timeout(Duration::from_millis(200)) {
                Ok(line) => {
                    printed.push_str(&line);
                    printed.push('\n');
                    if let Some(addr) = line.strip_prefix("Cantara is listening on ") {
                        return Instance {
                            base: addr.trim().to_owned(),
                            printed,
                            child: Some(self.child),
                            log: self.log,
                            _dir: self.dir,
                        };
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    let status = self.child.wait().unwrap();
                    panic!(
                        "cantara exited ({status}) before listening:\n{printed}\n{}",
                        std::fs::read_to_string(&self.log).unwrap_or_default()
                    );
                }
            }
            assert!(
                Instant::now() < deadline,
                "cantara did not start:\n{printed}"
            );
        }
    }
}

pub struct Instance {
    /// `http://127.0.0.1:PORT`
    pub base: String,
    /// What it printed on stdout up to the listening line.
    pub printed: String,
    child: Option<Child>,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Instance {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Its log so far (stderr).
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Kills it with SIGKILL (no clean stop) and waits for it to be gone.
    pub fn kill_now(&mut self) {
        let mut child = self.child.take().expect("still running");
        child.kill().unwrap();
        child.wait().unwrap();
    }

    /// Sends SIGTERM and waits (at most `within`) for it to exit.
    pub fn terminate(&mut self, within: Duration) -> ExitStatus {
        let mut child = self.child.take().expect("still running");
        let pid = child.id().to_string();
        assert!(Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success());
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!(
                    "cantara did not exit within {within:?} of SIGTERM:\n{}",
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A client that neither follows redirects nor keeps cookies: tests read both themselves.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

impl Installation {
    /// A backend of the test's own on the installation's database (as an instance has).
    pub async fn backend(&self) -> Backend {
        Backend::new(
            Db::connect(&self.database_url).await.unwrap(),
            BackendConfig {
                public_url: "http://127.0.0.1:9".into(),
                secret_key: SecretKey::from_base64(&self.secret_key).unwrap(),
                allow_private_idp_urls: true,
            },
        )
    }
}

impl Instance {
    /// The Default tenant's id, as first start printed it.
    pub fn default_tenant(&self) -> String {
        self.printed
            .lines()
            .find_map(|l| l.strip_prefix("Default tenant ID: "))
            .expect("first start prints the tenant")
            .trim()
            .to_owned()
    }
}

/// SCIM requests as Entra sends them, to any instance of the installation.
pub struct Scim {
    pub http: reqwest::Client,
    pub tenant: String,
    pub token: String,
}

impl Scim {
    /// For the Default tenant of `instance`, with a new provisioning token.
    pub async fn for_default_tenant(backend: &Backend, instance: &Instance) -> Self {
        let tenant = instance.default_tenant();
        let token = backend
            .create_provisioning_token(&tenant.as_str().into(), "Entra", None)
            .await
            .unwrap();
        Self {
            http: client(),
            tenant,
            token: token.secret,
        }
    }

    /// One request; `Err` when the connection failed (no answer at all).
    pub async fn try_send(
        &self,
        on: &Instance,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<(StatusCode, Value), reqwest::Error> {
        let mut req = self
            .http
            .request(method, on.url(&format!("/scim/v2/{}{path}", self.tenant)))
            .header(AUTHORIZATION, format!("Bearer {}", self.token));
        if let Some(b) = body {
            req = req
                .header(CONTENT_TYPE, "application/scim+json")
                .body(b.to_string());
        }
        let res = req.send().await?;
        let status = res.status();
        let text = res.text().await?;
        Ok((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
    }

    pub async fn send(
        &self,
        on: &Instance,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        self.try_send(on, method, path, body).await.unwrap()
    }

    pub fn user(user_name: &str) -> Value {
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": user_name, "active": true, "displayName": user_name,
        })
    }

    pub async fn create_user(&self, on: &Instance, user_name: &str) -> (StatusCode, Value) {
        self.send(
            on,
            reqwest::Method::POST,
            "/Users",
            Some(Self::user(user_name)),
        )
        .await
    }

    pub async fn members(&self, on: &Instance, group: &str) -> Vec<String> {
        let (status, g) = self
            .send(on, reqwest::Method::GET, &format!("/Groups/{group}"), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{g}");
        g["members"]
            .as_array()
            .map(|m| {
                m.iter()
                    .map(|m| m["value"].as_str().unwrap().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }
}
