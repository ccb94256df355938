//! The real `cantara` binary: first start, the tenant commands, and the password reset.

use app::domain::ids::TenantId;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use app::backend::{Backend, BackendConfig, Db, SecretKey};

fn cantara(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cantara"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("CANTARA_DATABASE_URL", crate::database::url_for(dir))
        .env("CANTARA_DATA_DIR", dir.join("data"))
        .stdin(Stdio::null());
    cmd
}

/// Runs `cmd`, asserts it succeeded (its stderr otherwise) and returns its stdout.
pub(crate) fn run_ok(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Starts `cantara serve` on a free port and returns what it printed up to the console line.
fn start_server(dir: &Path, password: Option<&str>) -> String {
    let mut cmd = cantara(dir);
    cmd.args(["--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if let Some(p) = password {
        cmd.env("CANTARA_ADMIN_PASSWORD", p);
    }
    let mut child = cmd.spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut printed = String::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        printed.push_str(&line);
        printed.push('\n');
        if line.starts_with("Console:") || Instant::now() > deadline {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    printed
}

#[test]
fn first_start_prints_the_password_once_and_makes_a_private_key() {
    let dir = tempfile::tempdir().unwrap();
    let first = start_server(dir.path(), None);
    assert!(first.contains("Default tenant ID: "), "{first}");
    assert!(
        first.contains("Admin password (shown only this once"),
        "{first}"
    );
    assert!(first.contains("/login as \"admin\""), "{first}");
    let key = dir.path().join("data/secret.key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&key), 0o600);
        assert_eq!(mode(&dir.path().join("data")), 0o700, "the data folder");
        for file in ["test.db", "test.db-wal", "test.db-shm"] {
            let path = dir.path().join(file);
            if path.exists() {
                assert_eq!(mode(&path), 0o600, "{file}");
            }
        }
        if crate::database::postgres_server().is_none() {
            assert!(dir.path().join("test.db").exists());
        }
    }
    let second = start_server(dir.path(), None);
    assert!(second.contains("Console:"), "{second}");
    assert!(
        !second.contains("password (shown") && !second.contains("Default tenant ID"),
        "{second}"
    );
}

#[test]
fn tenant_create_and_list() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_ok(cantara(dir.path()).args(["tenant", "create", "--name", "Contoso"]));
    let id = out.lines().last().unwrap().to_owned();
    assert_eq!(id.len(), 36, "a UUID alone on the last line: {out}");
    let list = run_ok(cantara(dir.path()).args(["tenant", "list"]));
    let rows: Vec<&str> = list.lines().collect();
    assert_eq!(rows.len(), 2, "{list}");
    assert!(rows[0].ends_with("\tDefault"));
    assert_eq!(rows[1], format!("{id}\tContoso"));

    let dup = cantara(dir.path())
        .args(["tenant", "create", "--name", "contoso"])
        .output()
        .unwrap();
    assert!(!dup.status.success());
    let err = String::from_utf8_lossy(&dup.stderr);
    assert_eq!(err.lines().count(), 1, "one-line error: {err}");
    assert!(err.contains("already exists"), "{err}");
}

#[tokio::test]
async fn reset_password_from_stdin_or_generated() {
    let dir = tempfile::tempdir().unwrap();
    run_ok(cantara(dir.path()).args(["tenant", "list"]));

    let mut child = cantara(dir.path())
        .args(["admin", "reset-password"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"a brand new passphrase\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("a brand new passphrase"),
        "not echoed"
    );

    let backend = open(dir.path()).await;
    assert!(backend
        .sign_in_local(None, "admin", "a brand new passphrase", None)
        .await
        .is_ok());

    let out = run_ok(cantara(dir.path()).args(["admin", "reset-password", "--username", "admin"]));
    let generated = out.lines().last().unwrap().to_owned();
    assert_eq!(generated.len(), 20, "{out}");
    assert!(backend
        .sign_in_local(None, "admin", &generated, None)
        .await
        .is_ok());
    assert!(backend
        .sign_in_local(None, "admin", "a brand new passphrase", None)
        .await
        .is_err());

    let short = cantara(dir.path())
        .args(["admin", "reset-password"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            c.stdin.take().unwrap().write_all(b"short\n")?;
            c.wait_with_output()
        })
        .unwrap();
    assert!(!short.status.success());
    let missing = cantara(dir.path())
        .args(["admin", "reset-password", "--username", "ghost"])
        .output()
        .unwrap();
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("not found"));
}

async fn open(dir: &Path) -> Backend {
    let db = Db::connect(&crate::database::url_for(dir)).await.unwrap();
    Backend::new(
        db,
        BackendConfig {
            public_url: "http://127.0.0.1:3000".into(),
            secret_key: SecretKey::random(),
            // The providers these start listen on 127.0.0.1.
            allow_private_idp_urls: true,
        },
    )
}

#[tokio::test]
async fn token_create_prints_a_working_token_once() {
    let dir = tempfile::tempdir().unwrap();
    let tenant = run_ok(cantara(dir.path()).args(["tenant", "create", "--name", "Provisioned"]))
        .lines()
        .last()
        .unwrap()
        .to_owned();
    let out = run_ok(cantara(dir.path()).args([
        "token",
        "create",
        "--tenant",
        &tenant,
        "--description",
        "Entra",
        "--expires-days",
        "30",
    ]));
    let token = out.lines().last().unwrap().to_owned();
    assert!(
        token.starts_with("cantara_scim_") && token.len() > 50,
        "{out}"
    );
    let backend = open(dir.path()).await;
    backend
        .authenticate_provisioning(&TenantId::from(tenant.as_str()), &token)
        .await
        .unwrap();
    let listed = backend
        .list_provisioning_tokens(&TenantId::from(tenant.as_str()))
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].description, "Entra");
    assert!(listed[0].expires_at.is_some());
    let bad = cantara(dir.path())
        .args(["token", "create", "--tenant", "nope"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    let bad = cantara(dir.path())
        .args([
            "token",
            "create",
            "--tenant",
            &tenant,
            "--expires-days",
            "0",
        ])
        .output()
        .unwrap();
    assert!(!bad.status.success());
}

#[test]
fn idp_deactivate_reports_and_fails_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let tenant = run_ok(cantara(dir.path()).args(["tenant", "list"]))
        .lines()
        .next()
        .unwrap()
        .split('\t')
        .next()
        .unwrap()
        .to_owned();
    let out = run_ok(cantara(dir.path()).args(["idp", "deactivate", "--tenant", &tenant]));
    assert!(out.contains("has no active identity provider"), "{out}");
    let bad = cantara(dir.path())
        .args(["idp", "deactivate", "--tenant", "nope"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
}
