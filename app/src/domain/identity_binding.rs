//! The identity binding check: does the person of a test sign-in meet the account Entra
//! provisioned for them over SCIM? Sign-in links a provisioned account by `externalId` = `oid`
//! first, then by `userName` = the Username Attribute's value (see the SSO flow), so the check
//! asks the same two questions, and when neither holds, says which mapping to change.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BindingKey {
    /// The account's `externalId` is the person's `oid` (Entra's objectId).
    ExternalId,
    /// The account's `userName` is the Username Attribute's value.
    UserName,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum IdentityBinding {
    /// Entra has provisioned nobody here yet: nothing to compare with.
    NothingProvisioned,
    Matched {
        account_id: String,
        username: String,
        by: BindingKey,
    },
    Mismatch {
        /// The Username Attribute and the value it gave at the test sign-in.
        username_attribute: String,
        signed_in_as: String,
        /// The provisioned account that looks like the same person, if one does.
        nearest: Option<String>,
        /// Which mapping to change, in words.
        advice: String,
    },
}

impl IdentityBinding {
    pub fn matched(&self) -> bool {
        matches!(self, IdentityBinding::Matched { .. })
    }
}

/// A provisioned account that shares some value with the signed-in person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub username: String,
    /// The claim whose value is this account's `userName`, if one is.
    pub username_claim: Option<String>,
    /// The claim whose value is this account's work e-mail, if one is.
    pub email_claim: Option<String>,
}

/// The advice when no account matched; `candidate` is the nearest provisioned account.
pub fn mismatch(
    username_attribute: &str,
    signed_in_as: &str,
    candidate: Option<&Candidate>,
) -> IdentityBinding {
    let advice = match candidate {
        Some(Candidate {
            username,
            username_claim: Some(claim),
            ..
        }) => format!(
            "Change the identity provider's Username Attribute to {claim}, which gives “{username}”; or, in Entra's Attribute Mappings, map externalId from objectId so that the two meet whatever the names."
        ),
        Some(Candidate {
            email_claim: Some(claim),
            ..
        }) if claim != username_attribute => format!(
            "In Entra's Attribute Mappings, map userName from userPrincipalName (the default, which preferred_username carries), or set the identity provider's Username Attribute to {claim}. Mapping externalId from objectId also joins them."
        ),
        Some(_) => format!(
            "In Entra's Attribute Mappings, map userName from userPrincipalName (the default, which preferred_username carries), so that it is “{signed_in_as}”; or map externalId from objectId."
        ),
        None => format!(
            "No account that Entra provisioned has the userName “{signed_in_as}” ({username_attribute}) or this person's objectId as externalId. Check that the person is assigned to the provisioning application and has been provisioned; if userName is mapped from another attribute than the one {username_attribute} carries, map userName from userPrincipalName, or map externalId from objectId."
        ),
    };
    IdentityBinding::Mismatch {
        username_attribute: username_attribute.to_owned(),
        signed_in_as: signed_in_as.to_owned(),
        nearest: candidate.map(|c| c.username.clone()),
        advice,
    }
}

/// The string claims of a test sign-in that could name a person (for finding the nearest).
pub const NAME_CLAIMS: &[&str] = &["preferred_username", "email", "upn", "unique_name"];

/// A claim's value as the test stored it (strings as they are, other values as JSON), when it
/// is text that could be a name (not an object or a list).
pub fn claim_text(claims: &[(String, String)], name: &str) -> Option<String> {
    claims
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .filter(|v| !v.is_empty() && !v.starts_with('{') && !v.starts_with('['))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advice_names_the_mapping_to_change() {
        let by_claim = Candidate {
            username: "alice@contoso.example".into(),
            username_claim: Some("email".into()),
            email_claim: None,
        };
        let m = mismatch(
            "preferred_username",
            "alice.admin@contoso.example",
            Some(&by_claim),
        );
        let IdentityBinding::Mismatch {
            advice, nearest, ..
        } = &m
        else {
            panic!("{m:?}")
        };
        assert!(advice.contains("Change the identity provider's Username Attribute to email"));
        assert_eq!(nearest.as_deref(), Some("alice@contoso.example"));
        assert!(!m.matched());
        let by_mail = Candidate {
            username_claim: None,
            email_claim: Some("email".into()),
            ..by_claim
        };
        let IdentityBinding::Mismatch { advice, .. } =
            mismatch("preferred_username", "x", Some(&by_mail))
        else {
            panic!()
        };
        assert!(advice.contains("map userName from userPrincipalName"));
        let IdentityBinding::Mismatch {
            advice, nearest, ..
        } = mismatch("preferred_username", "x", None)
        else {
            panic!()
        };
        assert!(advice.contains("assigned to the provisioning application"));
        assert_eq!(nearest, None);
    }

    #[test]
    fn claims_read_as_text() {
        let claims = vec![
            ("email".to_owned(), "a@b.example".to_owned()),
            ("roles".to_owned(), "[\"x\"]".to_owned()),
            ("name".to_owned(), "Alice".to_owned()),
        ];
        assert_eq!(claim_text(&claims, "email").as_deref(), Some("a@b.example"));
        assert_eq!(claim_text(&claims, "roles"), None);
        assert_eq!(claim_text(&claims, "name").as_deref(), Some("Alice"));
        assert_eq!(claim_text(&claims, "upn"), None);
    }
}
