//! What a session cookie is worth on this request: the stored session, unless its time is up or
//! its account was deactivated; for single sign-on, refreshed through the provider when its ID
//! token has expired; with the grants its Security Topics give now. Also sign-out, with the
//! provider's logout address. Depends on the sessions repository, SSO and access; none of them
//! depends on it.

use crate::backend::auth::sessions::{SessionInfo, IDLE_TIMEOUT_SECS, TOUCH_EVERY_SECS};
use crate::backend::clock::now;
use crate::backend::crypto::secrets::sha256_hex as hash_token;
use crate::backend::error::Result;
use crate::backend::Backend;
use crate::domain::permission::{Grants, PermissionSet};

impl Backend {
    /// Looks up a cookie value. Expired sessions and sessions of deactivated accounts are deleted
    /// and give `None`; an SSO session whose ID token expired is refreshed first (when it can).
    pub async fn resolve_session(&self, token: &str) -> Result<Option<SessionInfo>> {
        let hash = hash_token(token);
        let Some(s) = self.load_session(&hash).await? else {
            return Ok(None);
        };
        let ts = now();
        // Sessions are made only by local sign-in (local accounts an administrator created) and
        // single sign-on (whoever the provider lets in: in Entra, the people assigned to the app).
        if ts >= s.expires_at || ts - s.last_seen_at >= IDLE_TIMEOUT_SECS || !s.is_active {
            self.end_session_by_hash(&hash).await?;
            return Ok(None);
        }
        let id_token_expired = s.id_token_expires_at.is_some_and(|e| e <= ts);
        if s.via_sso
            && id_token_expired
            && s.has_refresh_token
            && !self.revalidate_sso(&hash).await?
        {
            self.end_session_by_hash(&hash).await?;
            return Ok(None);
        }
        if ts - s.last_seen_at >= TOUCH_EVERY_SECS {
            self.touch_session(&hash, ts).await?;
        }
        let is_operator = s.home_is_default && s.is_admin;
        let (mut tenant_id, mut tenant_name) = (s.tenant_id, s.tenant_name);
        if tenant_id != s.home_tenant_id && !is_operator {
            // Entered another tenant as operator and is one no longer: back home, now.
            self.move_session_home(&hash, &s.home_tenant_id).await?;
            tenant_id = s.home_tenant_id.clone();
            tenant_name = s.home_tenant_name;
        }
        let grants = if is_operator || s.is_admin {
            Grants {
                permissions: PermissionSet::all(),
                is_admin: s.is_admin,
                is_operator,
            }
        } else {
            Grants {
                permissions: self.topic_permissions(&tenant_id, &s.account_id).await?,
                is_admin: false,
                is_operator: false,
            }
        };
        Ok(Some(SessionInfo {
            session_hash: hash,
            account_id: s.account_id,
            username: s.username,
            display_name: s.display_name,
            home_tenant_id: s.home_tenant_id,
            tenant_id,
            tenant_name,
            is_operator,
            grants,
        }))
    }

    /// When the ID token of an SSO session with a refresh token has expired, refreshes it;
    /// `false` when the provider refused (the session must end).
    async fn revalidate_sso(&self, hash: &str) -> Result<bool> {
        // Concurrent requests of one session do not each spend the (rotating) refresh token;
        // other sessions' refreshes do not wait for this one.
        let _one_at_a_time = self.refresh_locks.lock(hash).await;
        let Some(state) = self.session_refresh_state(hash).await? else {
            return Ok(false);
        };
        if state.id_token_expires_at.is_some_and(|e| e > now()) {
            return Ok(true); // another request refreshed it meanwhile
        }
        let (Some(idp_id), Some(refresh)) = (state.idp_id, state.refresh_token_enc) else {
            return Ok(true);
        };
        self.refresh_sso_session(
            hash,
            &state.tenant_id,
            &idp_id,
            &refresh,
            state.sso_key.as_deref(),
        )
        .await
    }

    /// Ends the session behind a cookie value (sign-out). Unknown values are fine. Returns the
    /// identity provider's logout address when the session came from single sign-on and the
    /// provider has a Logout URL.
    pub async fn end_session(&self, token: &str) -> Result<Option<String>> {
        let hash = hash_token(token);
        let origin = self.session_sso_origin(&hash).await?;
        self.end_session_by_hash(&hash).await?;
        let Some(origin) = origin else {
            return Ok(None);
        };
        self.provider_logout_url(
            &origin.tenant_id,
            &origin.idp_id,
            origin.id_token_enc.as_deref(),
        )
        .await
    }
}
