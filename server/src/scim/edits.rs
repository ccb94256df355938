//! The edits the store applies to a provisioned resource as it reads it: a PATCH's operations,
//! and the deactivation kept when Entra deletes a user.
//!
//! The work is bounded: a long list of operations runs on the blocking pool so it never holds
//! up the async workers (health probes, sign-ins and other tenants' requests keep being answered).

use app::domain::provisioned::{Document, EditedGroup, GroupEdit, UserEdit, UserRecord};
use app::scim::patch::{apply, PatchOp};
use app::scim::resource::{deactivated, group_record, user_record};
use app::scim::schema::Resource;
use app::scim::ScimError;

use super::error::ScimFailure;

/// Longest operation list applied right on the async worker.
const INLINE_OPERATIONS: usize = 32;

/// A PATCH request's operations.
pub struct Patch(pub Vec<PatchOp>);

impl Patch {
    /// The patched document and the member changes, or the first operation's error.
    async fn run(
        &self,
        resource: Resource,
        current: &Document,
    ) -> Result<(Document, Vec<app::domain::provisioned::MemberChange>), ScimFailure> {
        let mut doc = current.clone();
        if self.0.len() <= INLINE_OPERATIONS {
            let changes = apply(resource, &mut doc, &self.0)?;
            return Ok((doc, changes));
        }
        let ops = self.0.clone();
        tokio::task::spawn_blocking(move || {
            let changes = apply(resource, &mut doc, &ops)?;
            Ok::<_, ScimError>((doc, changes))
        })
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "PATCH task failed");
            ScimFailure(ScimError::internal())
        })?
        .map_err(ScimFailure)
    }
}

impl UserEdit for Patch {
    type Error = ScimFailure;
    async fn apply(&self, current: &Document) -> Result<UserRecord, ScimFailure> {
        let (doc, _) = self.run(Resource::User, current).await?;
        Ok(user_record(doc)?)
    }

    fn is_quick(&self) -> bool {
        self.0.len() <= INLINE_OPERATIONS
    }
}

impl GroupEdit for Patch {
    type Error = ScimFailure;
    async fn apply(&self, current: &Document) -> Result<EditedGroup, ScimFailure> {
        let (doc, members) = self.run(Resource::Group, current).await?;
        Ok(EditedGroup {
            record: group_record(doc),
            members,
        })
    }
}

/// A user deleted in Entra: the kept document says it is not active.
pub struct Tombstone;

impl UserEdit for Tombstone {
    type Error = ScimFailure;
    async fn apply(&self, current: &Document) -> Result<UserRecord, ScimFailure> {
        Ok(deactivated(current)?)
    }
}
