//! Azure ML workspaces (managed networks, outbound rules), computes, AKS clusters.

use super::Ctx;

pub(super) fn map(ctx: &mut Ctx) {
    let _ = ctx;
}
