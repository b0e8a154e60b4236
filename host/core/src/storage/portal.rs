//! The portal port: the portal's settings (one record per tenant) and its pages, unique by code.

use super::StorageResult;
use crate::portal::{PortalPage, PortalSettings};

/// Reading the portal's settings and pages.
pub trait PortalReads {
    /// The tenant's portal settings, if they were ever stored.
    fn portal_settings(&self, tenant: &str) -> StorageResult<Option<PortalSettings>>;
    /// The page with this code.
    fn portal_page(&self, tenant: &str, code: &str) -> StorageResult<Option<PortalPage>>;
    /// Whether a page has this code.
    fn portal_page_exists(&self, tenant: &str, code: &str) -> StorageResult<bool>;
    /// Pages in code order after `after` (from the first when `None`), at most `limit`.
    fn portal_pages_after(
        &self,
        tenant: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StorageResult<Vec<PortalPage>>;
}

/// Writing the portal's settings and pages.
pub trait PortalWrites: PortalReads {
    /// Stores the tenant's portal settings.
    fn save_portal_settings(
        &mut self,
        tenant: &str,
        settings: &PortalSettings,
    ) -> StorageResult<()>;
    /// Stores a new page. A code another page has answers `StorageError::Conflict`
    /// (`page_code_taken`).
    fn insert_portal_page(&mut self, tenant: &str, page: &PortalPage) -> StorageResult<()>;
    /// Stores a changed page (its code unchanged).
    fn update_portal_page(&mut self, tenant: &str, page: &PortalPage) -> StorageResult<()>;
    /// Deletes the page with this code; answers whether it was there.
    fn delete_portal_page(&mut self, tenant: &str, code: &str) -> StorageResult<bool>;
}
