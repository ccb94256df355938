//! `ServiceProviderConfig`, `ResourceTypes` and `Schemas` (RFC 7644 §4): what this server supports.

use app::scim::schema::{
    schema_json, ENTERPRISE_ATTRS, ENTERPRISE_SCHEMA, GROUP_ATTRS, GROUP_SCHEMA, USER_ATTRS,
    USER_SCHEMA,
};
use app::scim::ScimError;
use serde_json::{json, Value};

use super::render::list;

/// Largest page a list returns (`count` is capped to it).
pub const MAX_RESULTS: i64 = 1000;

pub fn service_provider_config(base: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "documentationUri": "https://learn.microsoft.com/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups",
        "patch": { "supported": true },
        "bulk": { "supported": false, "maxOperations": 0, "maxPayloadSize": 0 },
        "filter": { "supported": true, "maxResults": MAX_RESULTS },
        "changePassword": { "supported": false },
        "sort": { "supported": false },
        "etag": { "supported": true },
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "Provisioning token",
            "description": "A bearer token generated for the tenant on the Cantara Tenants page.",
            "primary": true,
        }],
        "meta": { "resourceType": "ServiceProviderConfig", "location": format!("{base}/ServiceProviderConfig") },
    })
}

fn resource_type(base: &str, id: &str) -> Option<Value> {
    Some(match id.to_ascii_lowercase().as_str() {
        "user" => json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
            "id": "User", "name": "User", "endpoint": "/Users", "description": "User Account",
            "schema": USER_SCHEMA,
            "schemaExtensions": [{ "schema": ENTERPRISE_SCHEMA, "required": false }],
            "meta": { "resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/User") },
        }),
        "group" => json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
            "id": "Group", "name": "Group", "endpoint": "/Groups", "description": "Security group",
            "schema": GROUP_SCHEMA,
            "schemaExtensions": [],
            "meta": { "resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/Group") },
        }),
        _ => return None,
    })
}

pub fn resource_types(base: &str, id: Option<&str>) -> Result<Value, ScimError> {
    match id {
        Some(id) => resource_type(base, id)
            .ok_or_else(|| ScimError::not_found(format!("No resource type “{id}”."))),
        None => {
            let all: Vec<Value> = ["User", "Group"]
                .iter()
                .filter_map(|t| resource_type(base, t))
                .collect();
            Ok(list(2, 1, all))
        }
    }
}

fn all_schemas(base: &str) -> Vec<Value> {
    vec![
        schema_json(USER_SCHEMA, "User", "User Account", USER_ATTRS, base),
        schema_json(
            ENTERPRISE_SCHEMA,
            "EnterpriseUser",
            "Enterprise User",
            ENTERPRISE_ATTRS,
            base,
        ),
        schema_json(GROUP_SCHEMA, "Group", "Group", GROUP_ATTRS, base),
    ]
}

pub fn schemas(base: &str, id: Option<&str>) -> Result<Value, ScimError> {
    let all = all_schemas(base);
    match id {
        Some(id) => all
            .into_iter()
            .find(|s| s["id"].as_str().is_some_and(|s| s.eq_ignore_ascii_case(id)))
            .ok_or_else(|| ScimError::not_found(format!("No schema “{id}”."))),
        None => Ok(list(3, 1, all)),
    }
}
