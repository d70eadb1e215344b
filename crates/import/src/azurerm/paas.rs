//! Private endpoints, private DNS zones and resolvers, storage accounts, Key Vaults, registries, Application Insights, service endpoint policies.

use super::Ctx;

pub(super) fn map(ctx: &mut Ctx) {
    let _ = ctx;
}
