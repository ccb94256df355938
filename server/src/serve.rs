//! `cantara serve`: first start, then the HTTP server until Ctrl-C / SIGTERM, and a clean stop:
//! requests in flight finish, queued activity is written, the pool is closed, exit 0.

use std::time::Duration;

use anyhow::Context;
use app::backend::Backend;
use leptos::config::{Env, LeptosOptions};

use crate::config::Config;
use crate::open_backend;

/// Leptos settings from our configuration (no Cargo.toml needed at run time).
pub fn leptos_options(config: &Config) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("cantara")
        .site_root(config.site_root.as_str())
        .site_pkg_dir("pkg")
        .site_addr(config.listen)
        .env(Env::PROD)
        .build()
}

/// On an empty database: create the default tenant and `admin`, print how to sign in and the
/// generated password (once). Later runs print nothing here.
/// `serve` prints to stdout; CLI commands print it to stderr so their stdout stays parseable.
pub async fn first_start(backend: &Backend, to_stderr: bool) -> anyhow::Result<()> {
    let admin_password = std::env::var("CANTARA_ADMIN_PASSWORD").ok();
    let Some(first) = backend
        .bootstrap(admin_password.as_deref())
        .await
        .map_err(|e| anyhow::anyhow!("first start: {e}"))?
    else {
        return Ok(());
    };
    let say = |line: String| {
        if to_stderr {
            eprintln!("{line}")
        } else {
            println!("{line}")
        }
    };
    say("First start: created tenant \"Default\" and the local administrator \"admin\".".into());
    say(format!("Default tenant ID: {}", first.tenant_id));
    say(match first.generated_password {
        Some(p) => format!("Admin password (shown only this once; change it with `cantara admin reset-password`): {p}"),
        None => "Admin password: the value of CANTARA_ADMIN_PASSWORD.".into(),
    });
    Ok(())
}

pub async fn serve(config: &Config) -> anyhow::Result<()> {
    let backend = open_backend(config).await?;
    first_start(&backend, false).await?;
    let options = leptos_options(config);
    let router = crate::router::router_with(backend.clone(), options, config.metrics_token.clone());
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("binding {}", config.listen))?;
    let public_url = backend.public_url().to_owned();
    println!("Cantara is listening on http://{}", listener.local_addr()?);
    println!("Console: {public_url}/  (sign in at {public_url}/login as \"admin\")");

    let retention = i64::from(config.scim_deleted_retention_days) * 24 * 3600;
    tokio::spawn(purge_sessions(backend.clone(), retention));
    let alerts = tokio::spawn(app::backend::alerts::timer::run(
        backend.clone(),
        Duration::from_secs(config.alert_check_secs),
    ));

    // SIGTERM: stop accepting, let requests in flight finish (at most the grace period), then
    // write the activity events still queued and close the pool.
    let stopping = std::sync::Arc::new(tokio::sync::Notify::new());
    let signalled = stopping.clone();
    let serving = axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown_signal().await;
        signalled.notify_one();
    });
    let grace = Duration::from_secs(config.shutdown_grace_secs);
    tokio::select! {
        served = serving => served.context("serving")?,
        () = async {
            stopping.notified().await;
            tokio::time::sleep(grace).await;
        } => tracing::warn!(grace_secs = grace.as_secs(), "requests still in flight after the grace period; stopping anyway"),
    }
    alerts.abort();
    backend.activity.flush().await;
    backend.db.pool.close().await;
    tracing::info!("stopped: activity written, database closed");
    Ok(())
}

/// Every ten minutes: deletes expired sessions, and users deleted over SCIM longer ago than
/// the retention.
async fn purge_sessions(backend: Backend, scim_deleted_retention_secs: i64) {
    let mut tick = tokio::time::interval(Duration::from_secs(600));
    loop {
        tick.tick().await;
        if let Err(e) = backend.purge_expired_sessions().await {
            tracing::warn!(error = %e, "purging sessions failed");
        }
        match backend
            .purge_deleted_scim_users(scim_deleted_retention_secs)
            .await
        {
            Ok(0) => {}
            Ok(n) => tracing::info!(purged = n, "users deleted over SCIM purged after retention"),
            Err(e) => tracing::warn!(error = %e, "purging deleted SCIM users failed"),
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down: no new connections; finishing requests in flight");
}
