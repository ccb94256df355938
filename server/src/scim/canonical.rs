//! SCIM endpoint names match in any case (`/users`, `/USERS`), with or without a trailing
//! slash, and `serviceConfiguration` is `ServiceProviderConfig`: the request path is spelled
//! canonically before routing, so the routes name each endpoint once.

use axum::extract::Request;
use axum::http::Uri;

/// The canonical spelling of an endpoint segment, if it names one.
fn endpoint(segment: &str) -> Option<&'static str> {
    const ENDPOINTS: &[&str] = &[
        "Users",
        "Groups",
        "ServiceProviderConfig",
        "ResourceTypes",
        "Schemas",
    ];
    if segment.eq_ignore_ascii_case("serviceConfiguration") {
        return Some("ServiceProviderConfig");
    }
    ENDPOINTS
        .iter()
        .find(|e| e.eq_ignore_ascii_case(segment))
        .copied()
}

/// `/{tenant}/users/` → `/{tenant}/Users`; other paths stay as they are.
pub fn resource_case(mut req: Request) -> Request {
    let path = req.uri().path();
    let trimmed = if path.len() > 1 {
        path.strip_suffix('/').unwrap_or(path)
    } else {
        path
    };
    let mut segments: Vec<&str> = trimmed.split('/').collect();
    // Already canonical (what Entra sends): nothing to rebuild on this per-request path.
    let renamed = segments
        .get(2)
        .and_then(|s| endpoint(s).filter(|name| name != s));
    if renamed.is_none() && trimmed.len() == path.len() {
        return req;
    }
    if let (Some(name), Some(segment)) = (renamed, segments.get_mut(2)) {
        *segment = name;
    }
    let mut target = segments.join("/");
    if let Some(q) = req.uri().query() {
        target.push('?');
        target.push_str(q);
    }
    if let Ok(uri) = target.parse::<Uri>() {
        *req.uri_mut() = uri;
    }
    req
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(p: &str) -> String {
        let req = Request::builder()
            .uri(p)
            .body(axum::body::Body::empty())
            .unwrap();
        resource_case(req).uri().to_string()
    }

    #[test]
    fn endpoints_are_spelled_once() {
        assert_eq!(path("/t1/users?FILTER=x"), "/t1/Users?FILTER=x");
        assert_eq!(path("/t1/GROUPS/"), "/t1/Groups");
        assert_eq!(path("/t1/groups/abc"), "/t1/Groups/abc");
        assert_eq!(
            path("/t1/serviceConfiguration"),
            "/t1/ServiceProviderConfig"
        );
        assert_eq!(path("/t1/Nope"), "/t1/Nope");
        assert_eq!(path("/t1/Users/.search"), "/t1/Users/.search");
    }
}
