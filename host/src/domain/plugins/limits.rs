//! A tenant's plugin limits: the defaults, overridden within the operator's maxima.

use serde::Serialize;

use super::super::error::{DomainError, DomainResult};
use super::super::tenants::Tenant;
use super::super::Domain;
use crate::plugins::limits::{LimitOverrides, Limits};
use crate::store::{Reader, Table};

const LIMITS_KEY: &str = "limits";

/// The limits as the API shows them.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PluginLimitsView {
    /// What every call of this tenant runs under.
    pub effective: Limits,
    /// The tenant's own overrides.
    pub overrides: LimitOverrides,
    pub defaults: Limits,
    /// The most a tenant may set.
    pub operator_maximum: Limits,
}

pub(crate) fn tenant_overrides<R: Reader>(tx: &R, tenant_id: &str) -> DomainResult<LimitOverrides> {
    Ok(tx.get(Table::PluginLimits, tenant_id, LIMITS_KEY)?.unwrap_or_default())
}

/// The effective limits of a tenant.
pub(crate) fn tenant_limits<R: Reader>(tx: &R, tenant_id: &str) -> DomainResult<Limits> {
    // Stored overrides were checked when set; fall back to defaults if the maxima shrank.
    Ok(Limits::with_overrides(&tenant_overrides(tx, tenant_id)?).unwrap_or_default())
}

fn view(overrides: LimitOverrides) -> PluginLimitsView {
    PluginLimitsView {
        effective: Limits::with_overrides(&overrides).unwrap_or_default(),
        overrides,
        defaults: Limits::default(),
        operator_maximum: Limits::OPERATOR_MAX,
    }
}

impl Domain {
    pub fn get_plugin_limits(&self, tenant: &Tenant) -> DomainResult<PluginLimitsView> {
        Ok(view(tenant_overrides(&self.store.read()?, &tenant.id)?))
    }

    /// Replaces the tenant's overrides; each must be between 1 and the operator's maximum.
    pub fn set_plugin_limits(&self, tenant: &Tenant, overrides: LimitOverrides) -> DomainResult<PluginLimitsView> {
        Limits::with_overrides(&overrides).map_err(|(name, max)| {
            DomainError::bad_request(
                "limit_out_of_range",
                format!("{name} must be between 1 and the operator's maximum of {max}"),
            )
        })?;
        let mut tx = self.store.write()?;
        tx.put(Table::PluginLimits, &tenant.id, LIMITS_KEY, &overrides)?;
        tx.commit()?;
        Ok(view(overrides))
    }
}
