//! Applying a PATCH's operations to a stored document, with the work bounded: a long list of
//! operations runs on the blocking pool so it never holds up the async workers (health probes,
//! sign-ins and other tenants' requests keep being answered).

use crate::scim::patch::{apply, Doc, MemberChange, PatchOp};
use crate::scim::schema::Resource;

use crate::backend::error::{DomainError, Result};

/// Longest operation list applied right on the async worker.
const INLINE_OPERATIONS: usize = 32;

/// The patched document and the member changes (groups), or the first operation's error.
pub async fn apply_bounded(
    resource: Resource,
    current: &Doc,
    ops: &[PatchOp],
) -> Result<(Doc, Vec<MemberChange>)> {
    let mut doc = current.clone();
    if ops.len() <= INLINE_OPERATIONS {
        let changes = apply(resource, &mut doc, ops)?;
        return Ok((doc, changes));
    }
    let ops = ops.to_vec();
    tokio::task::spawn_blocking(move || {
        let changes = apply(resource, &mut doc, &ops)?;
        Ok((doc, changes))
    })
    .await
    .map_err(|e| DomainError::Internal(format!("PATCH task failed: {e}")))?
}
