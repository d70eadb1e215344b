//! Azure Firewalls, firewall policies and rule collection groups, classic rule collections, IP groups.

use super::Ctx;

pub(super) fn map(ctx: &mut Ctx) {
    let _ = ctx;
}
