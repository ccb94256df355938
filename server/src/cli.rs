//! The command-line interface: `serve` (default) and the automation / break-glass commands.
//! Each prints plain text, shows a secret only once, and fails with a one-line error.

use app::domain::ids::TenantId;
use std::io::{IsTerminal, Read};

use anyhow::{anyhow, Context};
use app::backend::Backend;
use app::domain::account::NewPassword;

use crate::config::{AdminCommand, Cli, Command, IdpCommand, TenantCommand, TokenCommand};
use crate::{open_backend, serve};

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve::serve(&cli.config).await,
        Command::Tenant { command } => {
            let backend = open_backend(&cli.config).await?;
            serve::first_start(&backend, true).await?;
            tenant(&backend, command).await
        }
        Command::Token { command } => {
            let backend = open_backend(&cli.config).await?;
            serve::first_start(&backend, true).await?;
            token(&backend, command).await
        }
        Command::Idp { command } => {
            let backend = open_backend(&cli.config).await?;
            serve::first_start(&backend, true).await?;
            idp(&backend, command).await
        }
        Command::Admin { command } => {
            let backend = open_backend(&cli.config).await?;
            serve::first_start(&backend, true).await?;
            admin(&backend, command).await
        }
        Command::Backup { to } => {
            let backend = open_backend(&cli.config).await?;
            backend.db.backup_into(&to).await.map_err(plain)?;
            println!("Backed up the database to {}", to.display());
            println!("Keep the secret key with it: without the key the stored client secrets cannot be read.");
            Ok(())
        }
    }
}

async fn tenant(backend: &Backend, command: TenantCommand) -> anyhow::Result<()> {
    match command {
        TenantCommand::Create { name } => {
            let tenant = backend.create_tenant(&name).await.map_err(plain)?;
            println!("Created tenant {}", tenant.name);
            println!("SCIM Tenant URL: {}", tenant.scim_url);
            println!("{}", tenant.id);
        }
        TenantCommand::List => {
            for t in backend.list_tenants().await.map_err(plain)? {
                println!("{}\t{}", t.id, t.name);
            }
        }
    }
    Ok(())
}

async fn token(backend: &Backend, command: TokenCommand) -> anyhow::Result<()> {
    match command {
        TokenCommand::Create {
            tenant,
            description,
            expires_days,
        } => {
            let new = backend
                .create_provisioning_token(
                    &TenantId::from(tenant.as_str()),
                    &description,
                    expires_days,
                )
                .await
                .map_err(plain)?;
            println!("Provisioning token for tenant {tenant} (shown only this once; store it in Entra now):");
            println!("{}", new.secret);
        }
    }
    Ok(())
}

async fn idp(backend: &Backend, command: IdpCommand) -> anyhow::Result<()> {
    match command {
        IdpCommand::Deactivate { tenant } => {
            let tenant = backend
                .get_tenant(&TenantId::from(tenant))
                .await
                .map_err(plain)?;
            match backend
                .deactivate_identity_provider(&tenant.id, "cli", None)
                .await
                .map_err(plain)?
            {
                0 => println!("Tenant {} has no active identity provider.", tenant.name),
                _ => println!(
                    "Deactivated the identity provider of tenant {}.",
                    tenant.name
                ),
            }
        }
    }
    Ok(())
}

async fn admin(backend: &Backend, command: AdminCommand) -> anyhow::Result<()> {
    match command {
        AdminCommand::ResetPassword { username, tenant } => {
            let tenant_id = match tenant {
                Some(id) => {
                    backend
                        .get_tenant(&TenantId::from(id))
                        .await
                        .map_err(plain)?
                        .id
                }
                None => backend.default_tenant().await.map_err(plain)?.id,
            };
            let (password, generated) = match read_stdin_password()? {
                Some(p) => (p, false),
                None => (app::backend::auth::passwords::generate(), true),
            };
            let password = NewPassword::parse(&password).map_err(|e| anyhow!("password: {e}"))?;
            backend
                .reset_password(&tenant_id, &username, &password)
                .await
                .map_err(plain)?;
            println!("Password of {username} reset; their sessions have ended.");
            if generated {
                println!("New password (shown once):");
                println!("{}", password.expose());
            }
        }
    }
    Ok(())
}

/// The first line of stdin when it is piped in and not empty; `None` for a terminal or nothing.
fn read_stdin_password() -> anyhow::Result<Option<String>> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return Ok(None);
    }
    let mut text = String::new();
    stdin
        .lock()
        .read_to_string(&mut text)
        .context("reading the password from stdin")?;
    let line = text.lines().next().unwrap_or("").to_owned();
    Ok(Some(line).filter(|l| !l.is_empty()))
}

/// Domain errors are already worded for people; keep them on one line.
fn plain(err: app::backend::DomainError) -> anyhow::Error {
    anyhow!("{err}")
}
