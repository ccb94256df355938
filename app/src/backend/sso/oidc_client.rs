//! The OAuth 2.0 side of single sign-on, built on `openidconnect`: the authorization request
//! (state, nonce, PKCE S256, scopes, `resource`) and the token requests (code, refresh) with the
//! configured Authentication Method. ID tokens are validated by [`crate::backend::sso::id_token`], not here.

use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreTokenResponse};
use openidconnect::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet,
    EndpointSet, IssuerUrl, JsonWebKeySet, Nonce, OAuth2TokenResponse, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, RefreshToken, RequestTokenError, Scope, TokenResponse, TokenUrl,
};

use crate::backend::outbound::{Outbound, OutboundError};
use crate::domain::idp::{AuthMethod, IdpForm};
use crate::domain::sso::SsoFailure;

type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
    EndpointNotSet,
>;

/// A provider's settings as the flow needs them (the secret decrypted).
#[derive(Debug, Clone)]
pub struct Provider {
    pub form: IdpForm,
    pub client_secret: String,
    /// `{PUBLIC_URL}/oauth`.
    pub redirect_url: String,
    /// How the token requests are sent (no redirects, capped answers, no private targets).
    pub outbound: Outbound,
}

/// The address to send the browser to, and what must be remembered until it comes back.
#[derive(Debug)]
pub struct AuthorizationRequest {
    pub url: String,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: Option<String>,
}

/// What the token endpoint answered (the ID token still unvalidated).
#[derive(Debug)]
pub struct Tokens {
    pub id_token: Option<String>,
    pub access_token: String,
    pub refresh_token: Option<String>,
}

impl Provider {
    fn client(&self) -> Result<Client, SsoFailure> {
        let f = &self.form;
        let auth_type = match f.auth_method {
            AuthMethod::ClientSecretBasic => AuthType::BasicAuth,
            AuthMethod::ClientSecretPost => AuthType::RequestBody,
        };
        // The issuer is only a label here (validation is ours); a template is not a URL.
        let issuer = IssuerUrl::new(f.issuer_uri.replace("{tenantid}", "common"))
            .or_else(|_| IssuerUrl::new("https://issuer.invalid".into()))
            .map_err(|_| SsoFailure::Misconfigured)?;
        let bad = |_| SsoFailure::Misconfigured;
        Ok(CoreClient::new(
            ClientId::new(f.client_id.clone()),
            issuer,
            JsonWebKeySet::default(),
        )
        .set_client_secret(ClientSecret::new(self.client_secret.clone()))
        .set_auth_uri(AuthUrl::new(f.authorization_url.clone()).map_err(bad)?)
        .set_token_uri(TokenUrl::new(f.token_url.clone()).map_err(bad)?)
        .set_redirect_uri(RedirectUrl::new(self.redirect_url.clone()).map_err(bad)?)
        .set_auth_type(auth_type))
    }

    /// The authorization request for the authorization code flow.
    pub fn authorization_request(&self) -> Result<AuthorizationRequest, SsoFailure> {
        let client = self.client()?;
        let f = &self.form;
        let mut req = client.authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        );
        let mut scopes: Vec<&str> = f
            .scopes
            .split([' ', ','])
            .filter(|s| !s.is_empty() && *s != "openid")
            .collect();
        if f.refresh_tokens_enabled && !scopes.contains(&"offline_access") {
            scopes.push("offline_access");
        }
        for s in scopes {
            req = req.add_scope(Scope::new(s.to_owned()));
        }
        if !f.resource.is_empty() {
            req = req.add_extra_param("resource", f.resource.clone());
        }
        let verifier = if f.pkce_enabled {
            let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
            req = req.set_pkce_challenge(challenge);
            Some(verifier.secret().clone())
        } else {
            None
        };
        let (url, state, nonce) = req.url();
        Ok(AuthorizationRequest {
            url: url.to_string(),
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier,
        })
    }

    /// Exchanges an authorization code at the Access Token URL.
    pub async fn exchange_code(
        &self,
        code: &str,
        pkce_verifier: Option<String>,
    ) -> Result<Tokens, (SsoFailure, String)> {
        let client = self.client().map_err(|f| (f, "configuration".into()))?;
        let http = &self.outbound;
        let mut req = client.exchange_code(AuthorizationCode::new(code.to_owned()));
        if let Some(v) = pkce_verifier {
            req = req.set_pkce_verifier(PkceCodeVerifier::new(v));
        }
        // Entra wants client_id in the body also with Basic authentication.
        if self.form.auth_method == AuthMethod::ClientSecretBasic {
            req = req.add_extra_param("client_id", self.form.client_id.clone());
        }
        let res = req.request_async(http).await.map_err(token_error)?;
        Ok(tokens(&res))
    }

    /// Uses a refresh token; the answer usually carries a new ID token and refresh token.
    pub async fn refresh(&self, refresh_token: &str) -> Result<Tokens, (SsoFailure, String)> {
        let client = self.client().map_err(|f| (f, "configuration".into()))?;
        let http = &self.outbound;
        let rt = RefreshToken::new(refresh_token.to_owned());
        let res = client
            .exchange_refresh_token(&rt)
            .request_async(http)
            .await
            .map_err(token_error)?;
        Ok(tokens(&res))
    }
}

fn tokens(res: &CoreTokenResponse) -> Tokens {
    Tokens {
        id_token: res.id_token().map(|t| t.to_string()),
        access_token: res.access_token().secret().clone(),
        refresh_token: res.refresh_token().map(|t| t.secret().clone()),
    }
}

fn token_error<T: openidconnect::ErrorResponse + 'static>(
    e: RequestTokenError<OutboundError, T>,
) -> (SsoFailure, String) {
    match e {
        RequestTokenError::ServerResponse(r) => (
            SsoFailure::TokenRefused,
            format!("token endpoint refused: {r}"),
        ),
        RequestTokenError::Request(r) => (
            SsoFailure::ProviderUnreachable,
            format!("token endpoint: {r}"),
        ),
        // The body may hold tokens: never logged.
        RequestTokenError::Parse(p, _) => (
            SsoFailure::MalformedToken,
            format!("token response unreadable at {}", p.path()),
        ),
        RequestTokenError::Other(o) => (SsoFailure::TokenRefused, format!("token endpoint: {o}")),
    }
}
