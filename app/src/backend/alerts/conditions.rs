//! The conditions a tenant's alerts watch, as they are now: provisioning health that is not
//! healthy, a mass deprovisioning in the last hour, and client secrets and provisioning tokens at
//! a reminder point or expired. Each comes from the same reading the console shows.

use crate::backend::error::Result;
use crate::backend::Backend;
use crate::domain::alerts::Condition;
use crate::domain::ids::TenantId;
use crate::domain::mass_deprovisioning::MassDeprovisioning;
use crate::domain::permission::{Grants, PermissionSet};
use crate::domain::provisioning_health::{HealthState, ProvisioningHealth};

/// People named in an alert's text (the console lists them all).
const NAMED: usize = 20;

fn health_condition(h: &ProvisioningHealth) -> Option<Condition> {
    matches!(
        h.state,
        HealthState::Degraded | HealthState::Failing | HealthState::Silent
    )
    .then(|| Condition {
        key: "provisioning".into(),
        level: h.state.label().into(),
        title: format!("Provisioning is {}", h.state.label()),
        detail: h.reason.clone(),
    })
}

fn mass_condition(m: &MassDeprovisioning) -> Condition {
    let mut lines: Vec<String> = m
        .affected
        .iter()
        .take(NAMED)
        .map(|a| {
            let group = a
                .group
                .as_deref()
                .map(|g| format!(" from “{g}”"))
                .unwrap_or_default();
            format!(
                "- {} ({}{group})",
                a.username,
                a.what.label().to_lowercase()
            )
        })
        .collect();
    if m.total > NAMED {
        lines.push(format!("- and {} more", m.total - NAMED));
    }
    Condition {
        key: "mass_deprovisioning".into(),
        level: "Active".into(),
        title: "Mass deprovisioning".into(),
        detail: format!("{}\n\nAffected:\n{}", m.reason, lines.join("\n")),
    }
}

impl Backend {
    pub async fn alert_conditions(&self, tenant_id: &TenantId) -> Result<Vec<Condition>> {
        let health = self.provisioning_health(tenant_id).await?;
        let mut out: Vec<Condition> = health_condition(&health).into_iter().collect();
        if let Some(m) = &health.mass_deprovisioning {
            out.push(mass_condition(m));
        }
        let everyone = Grants {
            permissions: PermissionSet::all(),
            ..Grants::default()
        };
        for n in self.expiry_notices(tenant_id, &everyone).await? {
            out.push(Condition {
                title: match n.urgency {
                    crate::domain::expiry::Urgency::Expired => "Expired".to_owned(),
                    u => format!("Expires in {}", u.label()),
                } + match n.what {
                    crate::domain::expiry::Expiring::ClientSecret => ": client secret",
                    crate::domain::expiry::Expiring::ProvisioningToken => ": provisioning token",
                },
                key: n.key,
                level: n.urgency.label().into(),
                detail: n.message,
            });
        }
        Ok(out)
    }
}
