//! Where the links a tenant's people receive lead: the signup link of an invitation, the reset
//! link of a password mail, the portal's app URL. By default Portico's own pages,
//! `{public_url}/portal/{namespace}/...`; a tenant that runs its own front end sets the portal
//! setting `pagesUrl` and the same paths hang under it instead. The paths are the pages'
//! routes: the web layer serves exactly these.

use super::error::DomainResult;
use crate::portal::PortalSettings;
use crate::storage::prelude::*;
use crate::tenants::Tenant;

/// The signup-link page, relative to the pages' base (`?token=` follows).
pub const SIGNUP_PAGE: &str = "/signup";
/// The reset-from-link page, relative to the pages' base (`?code=` follows).
pub const RESET_PAGE: &str = "/reset";

/// The base of a tenant's pages: its `pagesUrl`, else Portico's pages for it.
pub fn pages_base(public_url: &str, namespace: &str, settings: &PortalSettings) -> String {
    match &settings.pages_url {
        Some(own) => own.clone(),
        None => format!("{public_url}/portal/{namespace}"),
    }
}

/// The base of `tenant`'s pages as stored in `tx`.
pub(crate) fn stored_pages_base(
    tx: &(impl PortalReads + ?Sized),
    public_url: &str,
    tenant: &Tenant,
) -> DomainResult<String> {
    let settings = tx.portal_settings(&tenant.id)?.unwrap_or_default();
    Ok(pages_base(public_url, &tenant.namespace, &settings))
}

/// The link that opens the signup page for `token`.
pub fn signup_link(base: &str, token: &str) -> String {
    format!("{base}{SIGNUP_PAGE}?token={token}")
}

/// The link that opens the reset page for `code`.
pub fn reset_link(base: &str, code: &str) -> String {
    format!("{base}{RESET_PAGE}?code={code}")
}

/// The portal's app URL (its home page).
pub fn app_link(base: &str) -> String {
    format!("{base}/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_lead_to_the_tenants_pages_or_its_own_front_end() {
        let mut settings = PortalSettings::default();
        let base = pages_base("https://id.example.com", "acme", &settings);
        assert_eq!(base, "https://id.example.com/portal/acme");
        assert_eq!(
            signup_link(&base, "psu_x"),
            "https://id.example.com/portal/acme/signup?token=psu_x"
        );
        settings.pages_url = Some("https://app.acme.test/account".into());
        let base = pages_base("https://id.example.com", "acme", &settings);
        assert_eq!(
            reset_link(&base, "prc_y"),
            "https://app.acme.test/account/reset?code=prc_y"
        );
        assert_eq!(app_link(&base), "https://app.acme.test/account/");
    }
}
