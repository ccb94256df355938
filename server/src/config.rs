//! Configuration by flags and environment (the flag wins), exactly as `shared/CONTRACT.md` lists.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::bail;
use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "cantara",
    version,
    about = "Cantara: SSO and SCIM provisioning console"
)]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Args)]
pub struct Config {
    /// `sqlite://…` or `postgres://…`; the SQLite file is created if missing.
    #[arg(
        long,
        env = "CANTARA_DATABASE_URL",
        default_value = "sqlite://data/cantara.db",
        global = true
    )]
    pub database_url: String,
    /// External base URL; the Redirect URL is `{PUBLIC_URL}/oauth`.
    #[arg(
        long,
        env = "CANTARA_PUBLIC_URL",
        default_value = "http://127.0.0.1:3000",
        global = true
    )]
    pub public_url: String,
    /// Socket to bind.
    #[arg(
        long = "listen",
        env = "LEPTOS_SITE_ADDR",
        default_value = "127.0.0.1:3000",
        global = true
    )]
    pub listen: SocketAddr,
    /// Key file and other local state.
    #[arg(long, env = "CANTARA_DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,
    /// Days a user deleted over SCIM is kept (deactivated, hidden from SCIM) before it is purged.
    #[arg(
        long,
        env = "CANTARA_SCIM_DELETED_RETENTION_DAYS",
        default_value_t = 30,
        global = true
    )]
    pub scim_deleted_retention_days: u32,
    /// Database connections per instance (default: 3 on SQLite, 16 on PostgreSQL; at least 2:
    /// a write transaction and a read may need one each).
    #[arg(long, env = "CANTARA_DB_MAX_CONNECTIONS", value_parser = clap::value_parser!(u32).range(2..=1000), global = true)]
    pub db_max_connections: Option<u32>,
    /// Seconds a request waits for a free database connection before it fails.
    #[arg(long, env = "CANTARA_DB_ACQUIRE_TIMEOUT_SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=600), global = true)]
    pub db_acquire_timeout_secs: u64,
    /// Seconds a statement may run (PostgreSQL `statement_timeout`; on SQLite, how long it waits
    /// for another process's write lock).
    #[arg(long, env = "CANTARA_DB_STATEMENT_TIMEOUT_SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600), global = true)]
    pub db_statement_timeout_secs: u64,
    /// Bearer token `GET /metrics` requires; without it `/metrics` answers 404.
    #[arg(
        long,
        env = "CANTARA_METRICS_TOKEN",
        global = true,
        hide_env_values = true
    )]
    pub metrics_token: Option<MetricsToken>,
    /// On SIGTERM, seconds to let requests in flight finish before the server exits anyway.
    #[arg(long, env = "CANTARA_SHUTDOWN_GRACE_SECS", default_value_t = 20, value_parser = clap::value_parser!(u64).range(0..=3600), global = true)]
    pub shutdown_grace_secs: u64,
    /// Seconds between the alert checks (provisioning health, mass deprovisioning, expiries) and
    /// deliveries; one instance at a time runs them, by a lease in the database.
    #[arg(long, env = "CANTARA_ALERT_CHECK_SECS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3600), global = true)]
    pub alert_check_secs: u64,
    /// Where the built site (wasm, JS, CSS) is served from.
    #[arg(
        long,
        env = "LEPTOS_SITE_ROOT",
        default_value = "target/site",
        global = true,
        hide = true
    )]
    pub site_root: String,
}

/// The metrics token: compared in constant time, never printed (`Debug` shows it redacted).
#[derive(Clone, PartialEq, Eq)]
pub struct MetricsToken(String);

impl MetricsToken {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for MetricsToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MetricsToken(…)")
    }
}

impl std::str::FromStr for MetricsToken {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if s.len() < 16 || s.contains(char::is_whitespace) {
            return Err("the metrics token must be at least 16 characters, without spaces".into());
        }
        Ok(Self(s.to_owned()))
    }
}

impl Config {
    /// The database pool settings these flags give.
    pub fn pool_settings(&self) -> app::backend::db::PoolSettings {
        app::backend::db::PoolSettings {
            max_connections: self.db_max_connections,
            acquire_timeout: std::time::Duration::from_secs(self.db_acquire_timeout_secs),
            statement_timeout: std::time::Duration::from_secs(self.db_statement_timeout_secs),
        }
    }

    /// The public URL without a trailing slash, checked to be an absolute http(s) URL.
    pub fn public_url(&self) -> anyhow::Result<String> {
        let url = self.public_url.trim().trim_end_matches('/');
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"));
        match rest {
            Some(host) if !host.is_empty() && !host.contains(char::is_whitespace) => {
                Ok(url.to_owned())
            }
            _ => {
                bail!("CANTARA_PUBLIC_URL must be an absolute http:// or https:// URL, got {url:?}")
            }
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the console, SCIM and sign-in server (the default).
    Serve,
    /// Create and list tenants.
    Tenant {
        #[command(subcommand)]
        command: TenantCommand,
    },
    /// Provisioning tokens for SCIM.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Identity providers (lockout recovery).
    Idp {
        #[command(subcommand)]
        command: IdpCommand,
    },
    /// Break-glass administration.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// A consistent copy of the SQLite database while the server runs (`VACUUM INTO`); for
    /// PostgreSQL use `pg_dump` (README, "Operations").
    Backup {
        /// The file to write; it must not exist yet.
        #[arg(long)]
        to: std::path::PathBuf,
    },
}

impl Command {
    pub fn is_serve(&self) -> bool {
        matches!(self, Command::Serve)
    }
}

#[derive(Debug, Subcommand)]
pub enum TenantCommand {
    /// Create a tenant; prints its Tenant ID on the last line.
    Create {
        #[arg(long)]
        name: String,
    },
    /// One tenant per line: `TenantID<TAB>Name`.
    List,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a provisioning token; prints it (once) alone on the last line.
    Create {
        #[arg(long)]
        tenant: String,
        #[arg(long, default_value = "")]
        description: String,
        /// Days until the token expires (default: never).
        #[arg(long)]
        expires_days: Option<i64>,
    },
}

#[derive(Debug, Subcommand)]
pub enum IdpCommand {
    /// Deactivate the tenant's active identity provider (local sign-in always keeps working).
    Deactivate {
        #[arg(long)]
        tenant: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Set a local administrator's password: read from stdin, or generated and printed.
    ResetPassword {
        #[arg(long, default_value = "admin")]
        username: String,
        /// The tenant of the account (default: the tenant made at first start).
        #[arg(long)]
        tenant: Option<String>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(url: &str) -> Config {
        Config {
            database_url: String::new(),
            public_url: url.into(),
            listen: "127.0.0.1:0".parse().unwrap(),
            data_dir: PathBuf::new(),
            site_root: String::new(),
            scim_deleted_retention_days: 30,
            db_max_connections: None,
            db_acquire_timeout_secs: 10,
            db_statement_timeout_secs: 30,
            metrics_token: None,
            shutdown_grace_secs: 20,
            alert_check_secs: 60,
        }
    }

    #[test]
    fn public_url_is_normalised_and_checked() {
        assert_eq!(
            config("https://c.example/").public_url().unwrap(),
            "https://c.example"
        );
        assert!(config("c.example").public_url().is_err());
        assert!(config("https://").public_url().is_err());
    }

    #[test]
    fn flags_parse_with_subcommands() {
        let cli = Cli::try_parse_from([
            "cantara",
            "tenant",
            "create",
            "--name",
            "X",
            "--data-dir",
            "/d",
        ])
        .unwrap();
        assert_eq!(cli.config.data_dir, PathBuf::from("/d"));
        assert!(matches!(
            cli.command,
            Some(Command::Tenant {
                command: TenantCommand::Create { .. }
            })
        ));
        assert!(Cli::try_parse_from(["cantara"]).unwrap().command.is_none());
    }

    #[test]
    fn pool_and_metrics_flags_are_checked() {
        let cli = Cli::try_parse_from([
            "cantara",
            "--db-max-connections",
            "4",
            "--db-statement-timeout-secs",
            "5",
            "--metrics-token",
            "0123456789abcdef0123",
        ])
        .unwrap();
        let pool = cli.config.pool_settings();
        assert_eq!(pool.max_connections, Some(4));
        assert_eq!(pool.statement_timeout, std::time::Duration::from_secs(5));
        assert!(!format!("{:?}", cli.config).contains("0123456789abcdef"));
        assert!(Cli::try_parse_from(["cantara", "--db-max-connections", "1"]).is_err());
        assert!(Cli::try_parse_from(["cantara", "--metrics-token", "short"]).is_err());
    }
}
