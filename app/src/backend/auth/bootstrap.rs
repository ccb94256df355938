//! First start: on an empty database, the `Default` tenant and the local administrator `admin`.

use crate::backend::auth::accounts::insert_local;
use crate::backend::error::{is_unique_violation, DomainError, Result};
use crate::backend::tenants::{insert, DEFAULT_TENANT_NAME};
use crate::backend::{auth::passwords, Backend};
use crate::domain::account::{NewPassword, Username};
use crate::domain::tenant::TenantName;

/// The bootstrap administrator's username.
pub const ADMIN_USERNAME: &str = "admin";

/// What first start did; `None` when the database was already set up.
#[derive(Debug)]
pub struct FirstStart {
    pub tenant_id: crate::domain::ids::TenantId,
    /// Set only when the password was generated (and must be printed once).
    pub generated_password: Option<String>,
}

impl Backend {
    /// Creates the default tenant and `admin` if no tenant exists yet. `admin_password` comes from
    /// `CANTARA_ADMIN_PASSWORD`; without it a password is generated and returned once.
    pub async fn bootstrap(&self, admin_password: Option<&str>) -> Result<Option<FirstStart>> {
        let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tenant")
            .fetch_one(&self.db.pool)
            .await?;
        if existing > 0 {
            return Ok(None);
        }
        let (password, generated) = match admin_password.filter(|p| !p.is_empty()) {
            Some(p) => (p.to_owned(), false),
            None => (passwords::generate(), true),
        };
        let password = NewPassword::parse(&password).map_err(|e| {
            DomainError::invalid("password", format!("CANTARA_ADMIN_PASSWORD: {e}"))
        })?;
        let hash = passwords::hash(password.expose()).await?;
        let name = TenantName::parse(DEFAULT_TENANT_NAME).map_err(DomainError::from)?;
        let username = Username::parse(ADMIN_USERNAME).map_err(DomainError::from)?;

        let mut tx = self.db.begin_write().await?;
        let tenant_id = match insert(&mut tx, &name, true).await {
            Ok(id) => id,
            // Another instance bootstrapped at the same moment: nothing left to do.
            Err(DomainError::Conflict { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        insert_local(&mut tx, &tenant_id, &username, "Administrator", true, &hash).await?;
        if let Err(e) = tx.commit().await {
            return if is_unique_violation(&e) {
                Ok(None)
            } else {
                Err(e.into())
            };
        }
        tracing::info!(tenant_id = %tenant_id, "first start: default tenant and admin created");
        Ok(Some(FirstStart {
            tenant_id,
            generated_password: generated.then(|| password.expose().to_owned()),
        }))
    }
}
