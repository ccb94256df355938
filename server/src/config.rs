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

impl Config {
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
}
