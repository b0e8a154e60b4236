//! Plugin limits: the operator's maximum (global, set by the operator within the built-in
//! ceiling) and each tenant's overrides within it.

use serde::Serialize;

use super::super::error::{DomainError, DomainResult};
use super::super::tenants::Tenant;
use super::super::Plugins;
use crate::plugins::limits::{LimitOverrides, Limits};
use crate::storage::PluginReads;

/// A tenant's limits as the API shows them.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PluginLimitsView {
    /// What every call of this tenant runs under.
    pub effective: Limits,
    /// The tenant's own overrides.
    pub overrides: LimitOverrides,
    /// What a limit the tenant did not set is: the built-in default, lowered to the operator's
    /// maximum where that is below it.
    pub defaults: Limits,
    /// The most a tenant may set.
    pub operator_maximum: Limits,
}

/// The operator's maximum as the API shows it.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct OperatorLimitsView {
    /// The most any tenant may set (the ceiling where the operator set nothing).
    pub maximum: Limits,
    /// What the operator set.
    pub settings: LimitOverrides,
    /// The built-in ceiling the operator's maximum stays within.
    pub ceiling: Limits,
    /// The built-in defaults, for limits a tenant does not set (each lowered to the maximum
    /// where that is below it).
    pub defaults: Limits,
}

fn out_of_range((name, max): (&'static str, u64), whose: &str) -> DomainError {
    DomainError::bad_request(
        "limit_out_of_range",
        format!("{name} must be between 1 and {whose} maximum of {max}"),
    )
}

fn operator_settings(tx: &(impl PluginReads + ?Sized)) -> DomainResult<LimitOverrides> {
    Ok(tx.operator_plugin_limits()?.unwrap_or_default())
}

/// The operator's maximum now in force.
pub(crate) fn operator_maximum(tx: &(impl PluginReads + ?Sized)) -> DomainResult<Limits> {
    // Stored settings were checked when set; the ceiling applies if they no longer fit.
    Ok(Limits::operator_maximum(&operator_settings(tx)?).unwrap_or(Limits::DEFAULT_OPERATOR_MAX))
}

pub(crate) fn tenant_overrides(
    tx: &(impl PluginReads + ?Sized),
    tenant_id: &str,
) -> DomainResult<LimitOverrides> {
    Ok(tx.plugin_limit_overrides(tenant_id)?.unwrap_or_default())
}

/// The effective limits of a tenant: its overrides, lowered to the operator's maximum where
/// the operator lowered it since they were set.
pub(crate) fn tenant_limits(
    tx: &(impl PluginReads + ?Sized),
    tenant_id: &str,
) -> DomainResult<Limits> {
    Ok(Limits::effective(
        &tenant_overrides(tx, tenant_id)?,
        &operator_maximum(tx)?,
    ))
}

fn view(overrides: LimitOverrides, max: Limits) -> PluginLimitsView {
    PluginLimitsView {
        effective: Limits::effective(&overrides, &max),
        overrides,
        defaults: Limits::default().clamped(&max),
        operator_maximum: max,
    }
}

impl Plugins {
    /// The tenant's limits: effective, its overrides, the defaults and the operator's maximum.
    pub fn get_plugin_limits(&self, tenant: &Tenant) -> DomainResult<PluginLimitsView> {
        let tx = self.ctx.store.read()?;
        Ok(view(
            tenant_overrides(&*tx, &tenant.id)?,
            operator_maximum(&*tx)?,
        ))
    }

    /// Replaces the tenant's overrides; each must be between 1 and the operator's maximum.
    pub fn set_plugin_limits(
        &self,
        tenant: &Tenant,
        overrides: LimitOverrides,
    ) -> DomainResult<PluginLimitsView> {
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        let max = operator_maximum(&*tx)?;
        Limits::with_overrides(&overrides, &max).map_err(|e| out_of_range(e, "the operator's"))?;
        tx.set_plugin_limit_overrides(&tenant.id, &overrides)?;
        tx.commit()?;
        Ok(view(overrides, max))
    }

    /// The operator's maximum, what the operator set, the built-in ceiling and the defaults.
    pub fn get_operator_plugin_limits(&self) -> DomainResult<OperatorLimitsView> {
        let tx = self.ctx.store.read()?;
        Ok(OperatorLimitsView {
            maximum: operator_maximum(&*tx)?,
            settings: operator_settings(&*tx)?,
            ceiling: Limits::OPERATOR_MAX,
            defaults: Limits::default(),
        })
    }

    /// Replaces the operator's maximum (operator only); each value must be between 1 and the
    /// built-in ceiling. Takes effect on the next call of every tenant: stored tenant
    /// overrides above the new maximum are lowered to it.
    pub fn set_operator_plugin_limits(
        &self,
        settings: LimitOverrides,
    ) -> DomainResult<OperatorLimitsView> {
        let maximum =
            Limits::operator_maximum(&settings).map_err(|e| out_of_range(e, "the built-in"))?;
        let mut tx = self.ctx.store.write_installation()?;
        tx.set_operator_plugin_limits(&settings)?;
        tx.commit()?;
        Ok(OperatorLimitsView {
            maximum,
            settings,
            ceiling: Limits::OPERATOR_MAX,
            defaults: Limits::default(),
        })
    }
}
