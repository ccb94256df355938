//! Single sign-on through a tenant's identity provider: starting the authorization code flow,
//! finishing it at `/oauth` (code exchange, ID token validation, claims, account), test sign-ins
//! from the wizard, refreshing SSO sessions, and the address to leave through at sign-out.
//!
//! The `/oauth` route is a thin caller of [`Backend::finish_sso`]; every rule lives here.

use crate::domain::ids::AccountId;
use crate::domain::ids::IdpId;
use crate::domain::ids::TenantId;
use serde_json::{Map, Value};
use sqlx::Row;

use crate::backend::auth::accounts;
use crate::backend::auth::sessions::{SessionInfo, SsoTokens};
use crate::backend::clock::now;
use crate::backend::crypto::secrets::{decrypt, encrypt, random_token, sha256_hex};
use crate::backend::db::flag;
use crate::backend::error::{DomainError, Result};
use crate::backend::sso::id_token::{self, claim_text, Expected, IdTokenClaims, KeySource};
use crate::backend::sso::oidc_client::{Provider, Tokens};
use crate::backend::sso::pending::{NewPending, Pending, Purpose};
use crate::backend::Backend;
use crate::domain::account::{AccountSource, Username};
use crate::domain::permission::Permission;
use crate::domain::sso::{ProviderError, SsoFailure, TestOutcome, TestSignIn};

/// Where to send the browser to start, and the value of the sign-in binding cookie to set.
#[derive(Debug)]
pub struct SsoStart {
    pub location: String,
    pub browser_token: String,
}

/// The query of an authorization response, parsed once.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct AuthorizationResponse {
    pub state: Option<String>,
    pub code: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

#[derive(Debug)]
pub enum SsoOutcome {
    /// A console session was started; the value is the session cookie.
    SignedIn { session_token: String },
    /// A test sign-in finished (well or not); its result is stored on the identity provider.
    Tested { idp_id: IdpId },
    Failed {
        failure: SsoFailure,
        tenant_id: Option<TenantId>,
    },
    /// No authorization response at all: the provider sent the browser back after sign-out.
    SignedOut,
}

/// A provider as loaded for a flow.
struct Loaded {
    provider: Provider,
    active: bool,
}

fn internal(e: DomainError) -> (SsoFailure, String) {
    (SsoFailure::Internal, e.to_string())
}

impl Backend {
    async fn load_provider(&self, tenant_id: &TenantId, idp_id: &IdpId) -> Result<Loaded> {
        let (view, client_secret) = self
            .identity_provider_with_secret(tenant_id, idp_id)
            .await?;
        Ok(Loaded {
            active: view.active,
            provider: Provider {
                form: view.form,
                client_secret,
                redirect_url: format!("{}/oauth", self.public_url()),
                outbound: self.outbound.clone(),
            },
        })
    }

    /// The tenant's active identity provider, if any.
    pub async fn active_identity_provider(&self, tenant_id: &TenantId) -> Result<Option<IdpId>> {
        Ok(sqlx::query_scalar(
            "SELECT idp_id FROM identity_provider WHERE tenant_id = $1 AND is_active = 1",
        )
        .bind(tenant_id)
        .fetch_optional(&self.db.pool)
        .await?)
    }

    /// Starts single sign-on with the tenant's active identity provider.
    pub async fn start_sign_in(
        &self,
        tenant_id: &TenantId,
        address: Option<std::net::IpAddr>,
    ) -> std::result::Result<SsoStart, SsoFailure> {
        if let Some(addr) = address {
            let key = crate::backend::auth::client_address::address_prefix(addr);
            if self.sign_in_starts.check_key(&key).is_err() {
                return Err(SsoFailure::TooManySignIns);
            }
        }
        let idp_id = self
            .active_identity_provider(tenant_id)
            .await
            .map_err(|e| log_internal(&e))?
            .ok_or(SsoFailure::NoActiveProvider)?;
        self.start(tenant_id, &idp_id, Purpose::SignIn, None).await
    }

    /// Starts a test sign-in of a saved (maybe inactive) identity provider for this administrator.
    pub async fn start_test_sign_in(
        &self,
        session: &SessionInfo,
        idp_id: &IdpId,
    ) -> std::result::Result<SsoStart, SsoFailure> {
        if !session.has(Permission::IdentityProviders) {
            return Err(SsoFailure::NotPermitted);
        }
        self.start(
            &session.tenant_id,
            idp_id,
            Purpose::Test,
            Some(&session.account_id),
        )
        .await
    }

    async fn start(
        &self,
        tenant_id: &TenantId,
        idp_id: &IdpId,
        purpose: Purpose,
        account_id: Option<&AccountId>,
    ) -> std::result::Result<SsoStart, SsoFailure> {
        let loaded = self
            .load_provider(tenant_id, idp_id)
            .await
            .map_err(|e| match e {
                DomainError::NotFound(_) => SsoFailure::NoActiveProvider,
                e => log_internal(&e),
            })?;
        let request = loaded.provider.authorization_request()?;
        let browser_token = random_token();
        self.save_pending(&NewPending {
            state: &request.state,
            browser_token: &browser_token,
            tenant_id,
            idp_id,
            purpose,
            account_id,
            nonce: &request.nonce,
            pkce_verifier: request.pkce_verifier.as_deref(),
        })
        .await
        .map_err(|e| match e {
            DomainError::Throttled { .. } => SsoFailure::TooManySignIns,
            e => log_internal(&e),
        })?;
        Ok(SsoStart {
            location: request.url,
            browser_token,
        })
    }

    /// Finishes a sign-in at the Redirect URL. `browser_token` is the sign-in binding cookie;
    /// `session` the console session of the request (needed for test sign-ins).
    pub async fn finish_sso(
        &self,
        response: &AuthorizationResponse,
        browser_token: Option<&str>,
        session: Option<&SessionInfo>,
    ) -> SsoOutcome {
        if response.state.is_none() && response.code.is_none() && response.error.is_none() {
            return SsoOutcome::SignedOut;
        }
        let failed = |failure: SsoFailure, tenant_id: Option<TenantId>, detail: &str| {
            tracing::warn!(failure = %failure.code(), tenant_id = ?tenant_id, detail, "single sign-on refused");
            metrics::counter!("cantara_sign_ins_total", "method" => "sso", "outcome" => "refused")
                .increment(1);
            SsoOutcome::Failed { failure, tenant_id }
        };
        let pending = match response.state.as_deref() {
            Some(state) => match self.take_pending(state).await {
                Ok(p) => p,
                Err(e) => return failed(log_internal(&e), None, "pending sign-in lookup"),
            },
            None => None,
        };
        let Some(pending) = pending else {
            return failed(
                SsoFailure::StateUnknown,
                None,
                "state unknown, used or expired",
            );
        };
        let tenant = Some(pending.tenant_id.clone());
        if browser_token.map(sha256_hex).as_deref() != Some(pending.browser_hash.as_str()) {
            return failed(
                SsoFailure::BrowserMismatch,
                tenant,
                "browser cookie differs",
            );
        }
        if pending.purpose == Purpose::Test
            && session.map(|s| &s.account_id) != pending.account_id.as_ref()
        {
            return failed(
                SsoFailure::BrowserMismatch,
                tenant,
                "test sign-in without its administrator's session",
            );
        }
        let result = self.complete(&pending, response).await;
        match (pending.purpose, result) {
            (Purpose::Test, result) => {
                let outcome = match result {
                    Ok(Completed {
                        claims,
                        username,
                        display_name,
                        ..
                    }) => TestOutcome::Succeeded {
                        username,
                        display_name,
                        claims: claims
                            .iter()
                            .map(|(k, v)| (k.clone(), claim_display(v)))
                            .collect(),
                    },
                    Err((failure, detail)) => {
                        tracing::warn!(failure = %failure.code(), idp_id = %pending.idp_id, detail = %detail, "test sign-in failed");
                        TestOutcome::Failed { failure }
                    }
                };
                let by = session.map(|s| s.username.clone()).unwrap_or_default();
                if let Err(e) = self.record_test(&pending.idp_id, &by, outcome).await {
                    return failed(log_internal(&e), tenant, "storing the test result");
                }
                SsoOutcome::Tested {
                    idp_id: pending.idp_id,
                }
            }
            (Purpose::SignIn, Err((failure, detail))) => failed(failure, tenant, &detail),
            (Purpose::SignIn, Ok(done)) => match self.sign_in_sso(&pending, done).await {
                Ok(session_token) => {
                    metrics::counter!("cantara_sign_ins_total", "method" => "sso", "outcome" => "success")
                        .increment(1);
                    SsoOutcome::SignedIn { session_token }
                }
                Err((failure, detail)) => failed(failure, tenant, &detail),
            },
        }
    }

    /// Everything between the provider's answer and a known person: code exchange, ID token,
    /// User Info when needed, username and display name.
    async fn complete(
        &self,
        pending: &Pending,
        response: &AuthorizationResponse,
    ) -> std::result::Result<Completed, (SsoFailure, String)> {
        if let Some(error) = &response.error {
            let desc: String = response
                .error_description
                .as_deref()
                .unwrap_or("")
                .chars()
                .take(300)
                .collect();
            return Err((
                SsoFailure::Provider(ProviderError::parse(error)),
                format!("provider error {error}: {desc}"),
            ));
        }
        let code = response.code.as_deref().filter(|c| !c.is_empty()).ok_or((
            SsoFailure::Provider(ProviderError::Other(String::new())),
            "no code".into(),
        ))?;
        let loaded = self
            .load_provider(&pending.tenant_id, &pending.idp_id)
            .await
            .map_err(|e| match e {
                DomainError::NotFound(_) => (
                    SsoFailure::NoActiveProvider,
                    "identity provider deleted".into(),
                ),
                e => internal(e),
            })?;
        if pending.purpose == Purpose::SignIn && !loaded.active {
            return Err((
                SsoFailure::NoActiveProvider,
                "identity provider deactivated meanwhile".into(),
            ));
        }
        let provider = loaded.provider;
        let tokens = provider
            .exchange_code(code, pending.pkce_verifier.clone())
            .await?;
        let raw = tokens.id_token.clone().ok_or((
            SsoFailure::NoIdToken,
            "token response without id_token".into(),
        ))?;
        let verified = self
            .validate_id_token(&provider, &raw, Some(&pending.nonce))
            .await?;
        let mut claims = verified.all.clone();
        let f = &provider.form;
        let wanted = [
            f.username_attribute.as_str(),
            f.display_name_attribute.as_str(),
        ];
        if !f.userinfo_url.is_empty()
            && wanted
                .iter()
                .any(|c| !c.is_empty() && claim_text(&claims, c).is_none())
        {
            let info = self.user_info(&provider, &tokens.access_token).await?;
            if claim_text(&info, "sub").as_deref() != Some(verified.subject.as_str()) {
                return Err((
                    SsoFailure::UserInfoMismatch,
                    "User Info sub differs from the ID token's".into(),
                ));
            }
            for (k, v) in info {
                claims.entry(k).or_insert(v);
            }
        }
        let username = claim_text(&claims, &f.username_attribute).ok_or((
            SsoFailure::MissingUsername,
            format!("no claim {:?}", f.username_attribute),
        ))?;
        let display_name =
            claim_text(&claims, &f.display_name_attribute).unwrap_or_else(|| username.clone());
        Ok(Completed {
            create_users: f.create_users,
            verified,
            claims,
            username,
            display_name,
            tokens,
            raw_id_token: raw,
        })
    }

    async fn validate_id_token(
        &self,
        provider: &Provider,
        raw: &str,
        nonce: Option<&str>,
    ) -> std::result::Result<IdTokenClaims, (SsoFailure, String)> {
        let f = &provider.form;
        if f.issuer_uri.is_empty() {
            return Err((SsoFailure::Misconfigured, "no Issuer URI".into()));
        }
        let allowed = f.allowed_tenants();
        id_token::validate(
            raw,
            KeySource {
                jwks_url: &f.jwks_url,
                allow_http: !f.secure_jwks,
            },
            &self.jwks,
            &Expected {
                issuer: &f.issuer_uri,
                client_id: &f.client_id,
                audience: Some(f.audience.as_str()),
                nonce,
                now: now(),
                allowed_tenants: &allowed,
            },
        )
        .await
    }

    async fn user_info(
        &self,
        provider: &Provider,
        access_token: &str,
    ) -> std::result::Result<Map<String, Value>, (SsoFailure, String)> {
        let url = &provider.form.userinfo_url;
        let value = self
            .outbound
            .get_json_with_token(url, access_token)
            .await
            .map_err(|e| match e {
                crate::backend::outbound::OutboundError::BadAnswer(why) => {
                    (SsoFailure::TokenRefused, format!("User Info: {why}"))
                }
                other => (
                    SsoFailure::ProviderUnreachable,
                    format!("User Info: {other}"),
                ),
            })?;
        match value {
            Value::Object(map) => Ok(map),
            _ => Err((
                SsoFailure::MalformedToken,
                "User Info is not a JSON object".into(),
            )),
        }
    }

    async fn record_test(&self, idp_id: &IdpId, by: &str, outcome: TestOutcome) -> Result<()> {
        let test = TestSignIn {
            at: now(),
            by: by.to_owned(),
            outcome,
        };
        let json =
            serde_json::to_string(&test).map_err(|e| DomainError::Internal(e.to_string()))?;
        let mut tx = self.db.begin_write().await?;
        sqlx::query("UPDATE identity_provider SET last_test_at = $1, last_test_result = $2 WHERE idp_id = $3")
            .bind(test.at)
            .bind(json)
            .bind(idp_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Finds or creates the account and starts its console session.
    async fn sign_in_sso(
        &self,
        pending: &Pending,
        done: Completed,
    ) -> std::result::Result<String, (SsoFailure, String)> {
        let account_id: AccountId = self
            .link_account(&pending.tenant_id, &done, done.create_users)
            .await?;
        let key = &self.config.secret_key;
        let tokens = SsoTokens {
            idp_id: pending.idp_id.clone(),
            id_token_enc: encrypt(key, &done.raw_id_token).map_err(internal)?,
            refresh_token_enc: done
                .tokens
                .refresh_token
                .as_deref()
                .map(|t| encrypt(key, t))
                .transpose()
                .map_err(internal)?,
            id_token_expires_at: done.verified.expires_at,
        };
        let token = self
            .start_session_with(&account_id, &pending.tenant_id, Some(&tokens))
            .await
            .map_err(internal)?;
        tracing::info!(tenant_id = %pending.tenant_id, account_id = %account_id, "signed in with single sign-on");
        if let Err(e) = self
            .record_sign_in(&pending.tenant_id, &done.username, "single sign-on")
            .await
        {
            tracing::error!(error = %e, "recording a sign-in failed");
        }
        Ok(token)
    }

    /// The account for a validated person, in this order:
    /// 1. the account linked to the provider's stable identity (`tid`+`oid` for Entra, else
    ///    `iss`+`sub`);
    /// 2. a SCIM account of the tenant whose `externalId` is the person's `oid` (or `sub`) or
    ///    whose `userName` is the username (compared folded), which gets linked;
    /// 3. a new account with Account Source `SSO`, when the provider creates accounts.
    ///
    /// Single sign-on never takes over a local account (those have a password, or are
    /// Administrators): that username is refused. Deactivated accounts are refused.
    async fn link_account(
        &self,
        tenant_id: &TenantId,
        done: &Completed,
        create: bool,
    ) -> std::result::Result<AccountId, (SsoFailure, String)> {
        let sso_key = done.verified.stable_key();
        let subject = done
            .verified
            .oid
            .clone()
            .unwrap_or_else(|| done.verified.subject.clone());
        let username = Username::parse(&done.username).map_err(|_| {
            (
                SsoFailure::MissingUsername,
                "username claim is not a valid username".into(),
            )
        })?;
        let db = |e: sqlx::Error| internal(e.into());
        let deactivated = |id: &AccountId| {
            (
                SsoFailure::AccountDeactivated,
                format!("account {id} is deactivated"),
            )
        };
        // The usual case, a returning person with the same name, needs no write.
        let select = "SELECT account_id, is_active, source, sso_key, username_folded FROM account WHERE tenant_id = $1 AND ";
        let known = sqlx::query(sqlx::AssertSqlSafe(format!("{select} sso_key = $2")))
            .bind(tenant_id)
            .bind(&sso_key)
            .fetch_optional(&self.db.pool)
            .await
            .map_err(db)?;
        if let Some(r) = &known {
            let id: AccountId = r.try_get("account_id").map_err(db)?;
            let folded: String = r.try_get("username_folded").map_err(db)?;
            if !flag(r, "is_active").map_err(internal)? {
                return Err(deactivated(&id));
            }
            if folded == username.folded() {
                return Ok(id);
            }
        }
        let mut tx = self.db.begin_write().await.map_err(internal)?;
        let by_key = sqlx::query(sqlx::AssertSqlSafe(format!("{select} sso_key = $2")))
            .bind(tenant_id)
            .bind(&sso_key)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?;
        if let Some(r) = by_key {
            let id: AccountId = r.try_get("account_id").map_err(db)?;
            if !flag(&r, "is_active").map_err(internal)? {
                return Err(deactivated(&id));
            }
            // A renamed person (new UPN or e-mail) keeps their account; SSO accounts follow
            // the new name when it is free, SCIM ones follow SCIM.
            let source: String = r.try_get("source").map_err(db)?;
            if AccountSource::from_db(&source) == Some(AccountSource::Sso) {
                accounts::follow_sso_rename(&mut tx, tenant_id, &id, &username, now())
                    .await
                    .map_err(db)?;
            }
            tx.commit().await.map_err(db)?;
            return Ok(id);
        }
        // A person Entra provisioned: by externalId = oid first, then by userName.
        let scim = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{select} source = 'scim' AND (external_id = $2 OR username_folded = $3) \
             ORDER BY CASE WHEN external_id = $2 THEN 0 ELSE 1 END LIMIT 1"
        )))
        .bind(tenant_id)
        .bind(&subject)
        .bind(username.folded())
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
        if let Some(r) = scim {
            let id: AccountId = r.try_get("account_id").map_err(db)?;
            if !flag(&r, "is_active").map_err(internal)? {
                return Err(deactivated(&id));
            }
            if let Some(k) = r.try_get::<Option<String>, _>("sso_key").map_err(db)? {
                return Err((
                    SsoFailure::AccountLinkedElsewhere,
                    format!("account {id} is linked to {k}"),
                ));
            }
            accounts::link_sso(&mut tx, &id, &sso_key, &subject, now())
                .await
                .map_err(db)?;
            tx.commit().await.map_err(db)?;
            return Ok(id);
        }
        let taken = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{select} username_folded = $2"
        )))
        .bind(tenant_id)
        .bind(username.folded())
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
        if let Some(r) = taken {
            let id: AccountId = r.try_get("account_id").map_err(db)?;
            let source: String = r.try_get("source").map_err(db)?;
            return Err(
                if AccountSource::from_db(&source) == Some(AccountSource::Local) {
                    (
                        SsoFailure::AccountIsLocal,
                        format!("username belongs to local account {id}"),
                    )
                } else {
                    (
                        SsoFailure::AccountLinkedElsewhere,
                        format!("username belongs to account {id}, linked to someone else"),
                    )
                },
            );
        }
        if !create {
            return Err((
                SsoFailure::AccountUnknown,
                "no account and creation is off".into(),
            ));
        }
        let id = AccountId::generate();
        let ts = now();
        let folded = username.folded();
        accounts::insert(
            &mut crate::backend::sql::Conn::Any(&mut tx),
            &accounts::NewAccount {
                id: &id,
                tenant_id,
                username: username.as_str(),
                username_folded: &folded,
                display_name: &done.display_name,
                source: AccountSource::Sso,
                is_active: true,
                is_admin: false,
                password_hash: None,
                sso_key: Some(&sso_key),
                sso_subject: Some(&subject),
                provisioned: None,
                at: ts,
            },
        )
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        tracing::info!(tenant_id = %tenant_id, account_id = %id, "account created at first sign-in");
        Ok(id)
    }

    /// Uses an SSO session's refresh token once its ID token has expired. `false` means the
    /// provider refused (or the new ID token did not validate): the caller ends the session.
    pub(crate) async fn refresh_sso_session(
        &self,
        session_hash: &str,
        tenant_id: &TenantId,
        idp_id: &IdpId,
        refresh_token_enc: &str,
        sso_key: Option<&str>,
    ) -> Result<bool> {
        let loaded = match self.load_provider(tenant_id, idp_id).await {
            Ok(l) => l,
            Err(DomainError::NotFound(_)) => return Ok(false),
            Err(e) => return Err(e),
        };
        let refresh_token = decrypt(&self.config.secret_key, refresh_token_enc)?;
        let tokens: Tokens = match loaded.provider.refresh(&refresh_token).await {
            Ok(t) => t,
            Err((failure, detail)) => {
                tracing::info!(failure = %failure.code(), detail = %detail, "refresh refused; session ends");
                return Ok(false);
            }
        };
        let (id_token_enc, expires_at) = match &tokens.id_token {
            Some(raw) => match self.validate_id_token(&loaded.provider, raw, None).await {
                Ok(c) if sso_key.is_none_or(|k| k == c.stable_key()) => {
                    (Some(encrypt(&self.config.secret_key, raw)?), c.expires_at)
                }
                Ok(_) => {
                    tracing::warn!("refreshed ID token is for another person; session ends");
                    return Ok(false);
                }
                Err((failure, detail)) => {
                    tracing::warn!(failure = %failure.code(), detail = %detail, "refreshed ID token refused; session ends");
                    return Ok(false);
                }
            },
            // Without a new ID token the refresh itself vouches for the next hour.
            None => (None, now() + 3600),
        };
        let new_refresh = tokens
            .refresh_token
            .as_deref()
            .map(|t| encrypt(&self.config.secret_key, t))
            .transpose()?;
        self.store_refreshed_tokens(session_hash, id_token_enc, new_refresh, expires_at)
            .await?;
        Ok(true)
    }

    /// Where the browser goes after `/logout` for a session made by single sign-on through a
    /// provider with a Logout URL (`None`: back to the sign-in page).
    pub(crate) async fn provider_logout_url(
        &self,
        tenant_id: &TenantId,
        idp_id: &IdpId,
        id_token_enc: Option<&str>,
    ) -> Result<Option<String>> {
        let view = match self.get_identity_provider(tenant_id, idp_id).await {
            Ok(v) => v,
            Err(DomainError::NotFound(_)) => return Ok(None),
            Err(e) => return Err(e),
        };
        if view.form.logout_url.is_empty() {
            return Ok(None);
        }
        let Ok(mut url) = url::Url::parse(&view.form.logout_url) else {
            return Ok(None);
        };
        {
            let mut q = url.query_pairs_mut();
            if let Some(enc) = id_token_enc {
                q.append_pair("id_token_hint", &decrypt(&self.config.secret_key, enc)?);
            }
            q.append_pair("client_id", &view.form.client_id);
            // The Redirect URL is registered at the provider; `/oauth` without a response
            // continues to the sign-in page.
            q.append_pair(
                "post_logout_redirect_uri",
                &format!("{}/oauth", self.public_url()),
            );
        }
        Ok(Some(url.to_string()))
    }
}

/// A finished flow before any account is touched.
struct Completed {
    create_users: bool,
    verified: IdTokenClaims,
    claims: Map<String, Value>,
    username: String,
    display_name: String,
    tokens: Tokens,
    raw_id_token: String,
}

fn claim_display(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn log_internal(e: &DomainError) -> SsoFailure {
    tracing::error!(error = %e, "single sign-on: internal error");
    SsoFailure::Internal
}
