//! Every request Cantara sends to an identity provider goes through here: discovery, key sets,
//! the token endpoint, User Info and the configuration check.
//!
//! The rules are the same for all of them: 10 s per request, answers read as a stream and cut
//! at 1 MiB, private, loopback and link-local targets refused (by the host in the URL and by
//! every address its name resolves to, at connection time) unless the operator allows them with
//! `CANTARA_ALLOW_PRIVATE_IDP_URLS=true`. GETs of public documents follow at most three
//! redirects, each hop checked by the same rules and kept on https; requests that carry a code,
//! a secret or a token never follow one. Error sentences say what failed, never what a host
//! answered.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

/// Largest answer read from a provider.
pub const MAX_BYTES: usize = 1024 * 1024;
/// The time a provider has to answer one request.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// Redirects followed by a GET of a public document.
const MAX_REDIRECTS: usize = 3;
/// What the operator sets to allow providers on private addresses (tests, labs).
pub const ALLOW_PRIVATE_ENV: &str = "CANTARA_ALLOW_PRIVATE_IDP_URLS";

/// Whether an address is one a provider on the internet never has: loopback, private (RFC 1918,
/// unique local), link-local, carrier-grade NAT, unspecified, broadcast or multicast.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || (a == 100 && (64..128).contains(&b))
                || a == 0
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_private(IpAddr::V4(v4));
            }
            let first = v6.segments().first().copied().unwrap_or(0);
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (first & 0xffc0) == 0xfe80 // link-local fe80::/10
        }
    }
}

const PRIVATE_REFUSED: &str = "it points to a private, loopback or link-local address, which Cantara does not contact (the operator can allow it with CANTARA_ALLOW_PRIVATE_IDP_URLS=true)";

/// Resolves host names and drops private addresses, so a name cannot lead to one either
/// (also when its DNS answer changes between a check and the connection).
#[derive(Debug)]
struct PublicOnly;

#[derive(Debug)]
struct PrivateTarget;

impl std::fmt::Display for PrivateTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(PRIVATE_REFUSED)
    }
}

impl std::error::Error for PrivateTarget {}

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| !is_private(a.ip()))
                .collect();
            if found.is_empty() {
                return Err(Box::new(PrivateTarget) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(found.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// Why a request to a provider failed, worded for an administrator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutboundError {
    /// The URL itself is refused (scheme, private target); nothing was sent.
    Refused(String),
    /// No answer: connection, TLS or timeout.
    Unreachable(String),
    /// An answer, but not a usable one (status, size, redirect, not JSON).
    BadAnswer(String),
}

impl std::fmt::Display for OutboundError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Refused(s) | Self::Unreachable(s) | Self::BadAnswer(s) => f.write_str(s),
        }
    }
}

impl std::error::Error for OutboundError {}

/// The clients for providers; one per process, cheap to clone.
#[derive(Debug, Clone)]
pub struct Outbound {
    clients: Result<Clients, String>,
    allow_private: bool,
}

#[derive(Debug, Clone)]
struct Clients {
    /// GETs of public documents (discovery, key sets): checked redirects.
    documents: reqwest::Client,
    /// Token and User Info: no redirects.
    exchanges: reqwest::Client,
}

impl Outbound {
    /// `allow_private`: the operator's `CANTARA_ALLOW_PRIVATE_IDP_URLS`. A client that cannot
    /// be built (no TLS roots) makes every request fail with the reason.
    pub fn new(allow_private: bool) -> Self {
        Self {
            clients: Self::clients(allow_private),
            allow_private,
        }
    }

    fn clients(allow_private: bool) -> Result<Clients, String> {
        let build = |redirects: reqwest::redirect::Policy| {
            let mut b = reqwest::Client::builder()
                .timeout(TIMEOUT)
                .connect_timeout(TIMEOUT)
                .redirect(redirects);
            if !allow_private {
                b = b.dns_resolver(Arc::new(PublicOnly));
            }
            b.build().map_err(|e| format!("HTTP client: {e}"))
        };
        let checked = reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() >= MAX_REDIRECTS {
                return attempt.error(OutboundError::BadAnswer(
                    "the provider redirected more than three times".into(),
                ));
            }
            match target_problem(attempt.url(), false, allow_private) {
                Some(problem) => attempt.error(OutboundError::Refused(format!(
                    "the provider redirected to an address that is refused: {problem}"
                ))),
                None => attempt.follow(),
            }
        });
        Ok(Clients {
            documents: build(checked)?,
            exchanges: build(reqwest::redirect::Policy::none())?,
        })
    }

    fn pick(&self) -> Result<&Clients, OutboundError> {
        self.clients
            .as_ref()
            .map_err(|e| OutboundError::Unreachable(e.clone()))
    }

    /// Refused before anything is sent: a scheme other than https (http only when allowed),
    /// or a literal private address.
    fn check(&self, url: &str, allow_http: bool) -> Result<reqwest::Url, OutboundError> {
        let parsed = reqwest::Url::parse(url.trim())
            .map_err(|_| OutboundError::Refused("it is not a valid URL".into()))?;
        match target_problem(&parsed, allow_http, self.allow_private) {
            Some(problem) => Err(OutboundError::Refused(problem)),
            None => Ok(parsed),
        }
    }

    /// GETs a JSON document (discovery, key set).
    pub async fn get_json(&self, url: &str, allow_http: bool) -> Result<Value, OutboundError> {
        let url = self.check(url, allow_http)?;
        let req = self
            .pick()?
            .documents
            .get(url)
            .header(reqwest::header::ACCEPT, "application/json");
        let bytes = read_capped(send(req).await?).await?;
        serde_json::from_slice(&bytes)
            .map_err(|_| OutboundError::BadAnswer("the answer is not JSON".into()))
    }

    /// GETs User Info with the access token; never follows a redirect.
    pub async fn get_json_with_token(
        &self,
        url: &str,
        access_token: &str,
    ) -> Result<Value, OutboundError> {
        let url = self.check(url, false)?;
        let req = self
            .pick()?
            .exchanges
            .get(url)
            .bearer_auth(access_token)
            .header(reqwest::header::ACCEPT, "application/json");
        let bytes = read_capped(send(req).await?).await?;
        serde_json::from_slice(&bytes)
            .map_err(|_| OutboundError::BadAnswer("the answer is not JSON".into()))
    }

    /// Whether `url` is one Cantara would send to (https; the address rules), before saving it.
    pub fn check_target(&self, url: &str) -> Result<(), OutboundError> {
        self.check(url, false).map(|_| ())
    }

    /// POSTs a JSON body (an alert webhook) with extra headers; never follows a redirect. Any
    /// status comes back, with the first 200 characters of the answer.
    pub async fn post_json(
        &self,
        url: &str,
        body: String,
        headers: &[(&str, String)],
    ) -> Result<(u16, String), OutboundError> {
        let url = self.check(url, false)?;
        let mut req = self
            .pick()?
            .exchanges
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body);
        for (name, value) in headers {
            req = req.header(*name, value);
        }
        let res = req.send().await.map_err(unreachable)?;
        if res.status().is_redirection() {
            return Err(redirected(res.status()));
        }
        let status = res.status().as_u16();
        let bytes = read_capped(res).await.unwrap_or_default();
        let text: String = String::from_utf8_lossy(&bytes)
            .chars()
            .filter(|c| !c.is_control())
            .take(200)
            .collect();
        Ok((status, text))
    }

    /// The token endpoint, for the OpenID Connect client: the request as it built it, sent
    /// without following redirects, the answer capped. Any status comes back (the client reads
    /// the provider's error body).
    pub async fn exchange(
        &self,
        request: openidconnect::HttpRequest,
    ) -> Result<openidconnect::HttpResponse, OutboundError> {
        let (parts, body) = request.into_parts();
        let url = self.check(&parts.uri.to_string(), false)?;
        let mut req = self.pick()?.exchanges.request(parts.method, url).body(body);
        for (name, value) in &parts.headers {
            req = req.header(name, value);
        }
        let res = req.send().await.map_err(unreachable)?;
        if res.status().is_redirection() {
            return Err(redirected(res.status()));
        }
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = read_capped(res).await?;
        let mut out = http::Response::builder().status(status);
        for (name, value) in &headers {
            out = out.header(name, value);
        }
        out.body(bytes)
            .map_err(|_| OutboundError::BadAnswer("the answer could not be read".into()))
    }
}

/// The OpenID Connect client sends its token requests through [`Outbound::exchange`].
impl<'c> openidconnect::AsyncHttpClient<'c> for Outbound {
    type Error = OutboundError;
    type Future = std::pin::Pin<
        Box<
            dyn std::future::Future<Output = Result<openidconnect::HttpResponse, OutboundError>>
                + Send
                + 'c,
        >,
    >;

    fn call(&'c self, request: openidconnect::HttpRequest) -> Self::Future {
        Box::pin(self.exchange(request))
    }
}

/// Why Cantara will not contact `url`, or `None`.
/// Plain http is for `allow_http` (the Secure JWKS URL switch off), or for a provider on this
/// machine when private targets are allowed (a lab or the tests).
fn target_problem(url: &reqwest::Url, allow_http: bool, allow_private: bool) -> Option<String> {
    let host = url.host();
    let loopback = match &host {
        Some(url::Host::Ipv4(v4)) => v4.is_loopback(),
        Some(url::Host::Ipv6(v6)) => v6.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    match url.scheme() {
        "https" => {}
        "http" if allow_http || (allow_private && loopback) => {}
        _ => return Some("it must use https".into()),
    }
    let host = host?;
    if allow_private {
        return None;
    }
    let literal = match host {
        url::Host::Ipv4(v4) => Some(IpAddr::V4(v4)),
        url::Host::Ipv6(v6) => Some(IpAddr::V6(v6)),
        url::Host::Domain(d)
            if d.eq_ignore_ascii_case("localhost") || d.ends_with(".localhost") =>
        {
            return Some(PRIVATE_REFUSED.into())
        }
        url::Host::Domain(_) => None,
    };
    literal
        .filter(|ip| is_private(*ip))
        .map(|_| PRIVATE_REFUSED.to_owned())
}

async fn send(req: reqwest::RequestBuilder) -> Result<reqwest::Response, OutboundError> {
    let res = req.send().await.map_err(unreachable)?;
    let status = res.status();
    if status.is_redirection() {
        return Err(redirected(status));
    }
    if !status.is_success() {
        return Err(OutboundError::BadAnswer(format!(
            "the provider answered HTTP {}",
            status.as_u16()
        )));
    }
    Ok(res)
}

/// Reads the body chunk by chunk and stops at [`MAX_BYTES`]: a huge answer costs at most that.
async fn read_capped(mut res: reqwest::Response) -> Result<Vec<u8>, OutboundError> {
    let too_large = || OutboundError::BadAnswer("the answer is larger than 1 MiB".into());
    if res.content_length().is_some_and(|n| n > MAX_BYTES as u64) {
        return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(chunk) = res.chunk().await.map_err(unreachable)? {
        if body.len() + chunk.len() > MAX_BYTES {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn redirected(status: reqwest::StatusCode) -> OutboundError {
    OutboundError::BadAnswer(format!(
        "the provider answered with a redirect (HTTP {}); enter the final address",
        status.as_u16()
    ))
}

/// Connection-level failures in words that do not tell one internal answer from another.
fn unreachable(e: reqwest::Error) -> OutboundError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
    while let Some(s) = source {
        if s.is::<PrivateTarget>() {
            return OutboundError::Refused(PRIVATE_REFUSED.into());
        }
        if let Some(o) = s.downcast_ref::<OutboundError>() {
            return o.clone();
        }
        source = s.source();
    }
    tracing::debug!(error = %e, "request to an identity provider failed");
    if e.is_timeout() {
        OutboundError::Unreachable("the provider did not answer within 10 seconds".into())
    } else {
        OutboundError::Unreachable("the provider could not be reached".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_loopback_and_link_local_addresses_are_private() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::",
        ] {
            assert!(is_private(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["20.190.128.1", "2603:1006::1", "8.8.8.8", "::ffff:8.8.8.8"] {
            assert!(!is_private(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn targets_are_refused_by_scheme_and_literal_address() {
        let url = |s: &str| reqwest::Url::parse(s).unwrap();
        assert!(
            target_problem(&url("https://login.microsoftonline.com/x"), false, false).is_none()
        );
        assert!(target_problem(&url("http://login.microsoftonline.com/x"), false, false).is_some());
        assert!(target_problem(&url("http://login.example.com/x"), true, false).is_none());
        for private in [
            "https://127.0.0.1/x",
            "https://[::1]/x",
            "https://169.254.169.254/latest",
            "https://localhost/x",
            "https://10.0.0.8:8443/x",
        ] {
            assert!(
                target_problem(&url(private), false, false).is_some(),
                "{private}"
            );
            assert!(
                target_problem(&url(private), false, true).is_none(),
                "{private}"
            );
        }
        assert!(target_problem(&url("file:///etc/passwd"), true, true).is_some());
        assert!(target_problem(&url("http://127.0.0.1:4000/x"), false, true).is_none());
        assert!(target_problem(&url("http://10.0.0.1/x"), false, true).is_some());
    }
}
