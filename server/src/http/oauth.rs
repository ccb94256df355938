//! Single sign-on over HTTP: `/oauth/start/{TenantID}` (the `Sign in with …` button),
//! `/oauth/test/{IdpID}` (the wizard's `Test sign-in`) and `/oauth`, the Redirect URL where the
//! provider answers. Thin: the domain decides; this sets cookies and picks the next page.

use app::api::cookies;
use app::backend::auth::sessions::SessionInfo;
use app::backend::sso::flow::{AuthorizationResponse, SsoOutcome, SsoStart};
use app::backend::Backend;
use app::domain::sso::SsoFailure;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;

pub async fn start(
    State(backend): State<Backend>,
    Path(tenant_id): Path<app::domain::ids::TenantId>,
    peer: Option<Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
) -> Response {
    let address = peer.map(|Extension(axum::extract::ConnectInfo(a))| a.ip());
    match backend.start_sign_in(&tenant_id, address).await {
        Ok(start) => to_provider(&backend, start),
        Err(failure) => failure_page(&failure, Some(tenant_id.as_str())),
    }
}

/// `?return=connect`: the test was started on the Connect Microsoft Entra ID page, which the
/// browser goes back to (remembered in a cookie sent only to `/oauth`).
#[derive(serde::Deserialize)]
pub struct TestFrom {
    #[serde(rename = "return")]
    back_to: Option<String>,
}

pub async fn test(
    State(backend): State<Backend>,
    session: Option<Extension<SessionInfo>>,
    Path(idp_id): Path<app::domain::ids::IdpId>,
    Query(from): Query<TestFrom>,
) -> Response {
    let Some(Extension(session)) = session else {
        return Redirect::to("/login").into_response();
    };
    match backend.start_test_sign_in(&session, &idp_id).await {
        Ok(start) => {
            let mut res = to_provider(&backend, start);
            let secure = backend.config.secure_cookies();
            let back = if from.back_to.as_deref() == Some("connect") {
                cookies::test_return_connect(secure)
            } else {
                cookies::clear_test_return(secure)
            };
            res.headers_mut().append(header::SET_COOKIE, back);
            res
        }
        Err(failure) => failure_page(&failure, Some(session.tenant_id.as_str())),
    }
}

pub async fn callback(
    State(backend): State<Backend>,
    session: Option<Extension<SessionInfo>>,
    headers: HeaderMap,
    Query(response): Query<AuthorizationResponse>,
) -> Response {
    let browser = cookies::value(&headers, cookies::SSO_BROWSER);
    let to_connect = cookies::value(&headers, cookies::TEST_RETURN) == Some("connect");
    let outcome = backend
        .finish_sso(&response, browser, session.as_ref().map(|s| &s.0))
        .await;
    let secure = backend.config.secure_cookies();
    let mut res = match outcome {
        SsoOutcome::SignedIn { session_token } => {
            let mut res = Redirect::to("/").into_response();
            res.headers_mut()
                .append(header::SET_COOKIE, cookies::session(&session_token, secure));
            res
        }
        SsoOutcome::Tested { .. } if to_connect => {
            Redirect::to("/connect-entra?tested=1").into_response()
        }
        SsoOutcome::Tested { idp_id } => {
            Redirect::to(&format!("/identity-providers/{idp_id}?tested=1")).into_response()
        }
        SsoOutcome::Failed { failure, tenant_id } => {
            failure_page(&failure, tenant_id.as_ref().map(|t| t.as_str()))
        }
        SsoOutcome::SignedOut => Redirect::to("/login").into_response(),
    };
    res.headers_mut()
        .append(header::SET_COOKIE, cookies::clear_sso_browser(secure));
    if to_connect {
        res.headers_mut()
            .append(header::SET_COOKIE, cookies::clear_test_return(secure));
    }
    res
}

/// Sends the browser to the provider, binding the sign-in to it with a short-lived cookie.
fn to_provider(backend: &Backend, start: SsoStart) -> Response {
    let mut res = Redirect::to(&start.location).into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        cookies::sso_browser(&start.browser_token, backend.config.secure_cookies()),
    );
    res
}

/// The sign-in error page says what went wrong; only the failure's code travels in the address.
fn failure_page(failure: &SsoFailure, tenant_id: Option<&str>) -> Response {
    let mut query = vec![("reason", failure.code())];
    if let Some(t) = tenant_id {
        query.push(("tenant", t.to_owned()));
    }
    let query = serde_urlencoded::to_string(&query).unwrap_or_default();
    Redirect::to(&format!("/sign-in-failed?{query}")).into_response()
}
