//! The portal port on redb: the settings in `Table::PortalSettings` (one record, key
//! `settings`) and the pages in `Table::PortalPages` by code.

use portico_core::portal::{PortalPage, PortalSettings};
use portico_core::storage::{PortalReads, PortalWrites, StorageError, StorageResult};

use super::{ReadTx, Reader, Table, WriteTx};

/// The key of the settings record.
const SETTINGS_KEY: &str = "settings";

fn portal_pages_after<R: Reader>(
    tx: &R,
    tenant: &str,
    after: Option<&str>,
    limit: usize,
) -> StorageResult<Vec<PortalPage>> {
    let rows: Vec<(String, PortalPage)> = tx.scan(Table::PortalPages, tenant, "", after, limit)?;
    Ok(rows.into_iter().map(|(_, page)| page).collect())
}

macro_rules! portal_reads {
    ($($t:ty),*) => {$(
        impl PortalReads for $t {
            fn portal_settings(&self, tenant: &str) -> StorageResult<Option<PortalSettings>> {
                Ok(self.get(Table::PortalSettings, tenant, SETTINGS_KEY)?)
            }
            fn portal_page(&self, tenant: &str, code: &str) -> StorageResult<Option<PortalPage>> {
                Ok(self.get(Table::PortalPages, tenant, code)?)
            }
            fn portal_page_exists(&self, tenant: &str, code: &str) -> StorageResult<bool> {
                Ok(self.exists(Table::PortalPages, tenant, code)?)
            }
            fn portal_pages_after(
                &self,
                tenant: &str,
                after: Option<&str>,
                limit: usize,
            ) -> StorageResult<Vec<PortalPage>> {
                portal_pages_after(self, tenant, after, limit)
            }
        }
    )*};
}
portal_reads!(ReadTx, WriteTx<'_>);

impl PortalWrites for WriteTx<'_> {
    fn save_portal_settings(
        &mut self,
        tenant: &str,
        settings: &PortalSettings,
    ) -> StorageResult<()> {
        Ok(self.put(Table::PortalSettings, tenant, SETTINGS_KEY, settings)?)
    }

    fn insert_portal_page(&mut self, tenant: &str, page: &PortalPage) -> StorageResult<()> {
        // The writers take turns, so this check holds until the commit.
        if self.exists(Table::PortalPages, tenant, &page.code)? {
            return Err(StorageError::Conflict {
                code: "page_code_taken",
                message: format!("a page with code '{}' already exists", page.code),
            });
        }
        self.update_portal_page(tenant, page)
    }

    fn update_portal_page(&mut self, tenant: &str, page: &PortalPage) -> StorageResult<()> {
        Ok(self.put(Table::PortalPages, tenant, &page.code, page)?)
    }

    fn delete_portal_page(&mut self, tenant: &str, code: &str) -> StorageResult<bool> {
        Ok(self.delete(Table::PortalPages, tenant, code)?)
    }
}

#[cfg(test)]
mod tests {
    use portico_core::portal::{PortalPage, PortalSettings};
    use portico_core::storage::{PortalReads, PortalWrites, StorageError};

    use crate::Store;

    fn page(code: &str, title: &str) -> PortalPage {
        PortalPage {
            code: code.into(),
            title: title.into(),
            path: format!("/{code}"),
            visible: true,
        }
    }

    #[test]
    fn pages_are_unique_by_code_and_listed_in_code_order() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut tx = store.write().unwrap();
        assert!(tx.portal_settings("t").unwrap().is_none());
        let settings = PortalSettings {
            published: true,
            ..PortalSettings::default()
        };
        tx.save_portal_settings("t", &settings).unwrap();
        for code in ["b", "a", "c"] {
            tx.insert_portal_page("t", &page(code, "Old")).unwrap();
        }
        let again = tx.insert_portal_page("t", &page("a", "Again"));
        assert!(matches!(
            again,
            Err(StorageError::Conflict {
                code: "page_code_taken",
                ..
            })
        ));
        tx.update_portal_page("t", &page("a", "New")).unwrap();
        assert!(tx.delete_portal_page("t", "c").unwrap());
        assert!(!tx.delete_portal_page("t", "c").unwrap());
        tx.commit().unwrap();

        let read = store.read().unwrap();
        assert!(read.portal_settings("t").unwrap().unwrap().published);
        assert!(read.portal_settings("other").unwrap().is_none());
        assert_eq!(read.portal_page("t", "a").unwrap().unwrap().title, "New");
        assert!(read.portal_page_exists("t", "b").unwrap());
        assert!(!read.portal_page_exists("other", "b").unwrap());
        let codes = |after| -> Vec<String> {
            read.portal_pages_after("t", after, 10)
                .unwrap()
                .into_iter()
                .map(|p| p.code)
                .collect()
        };
        assert_eq!(codes(None), ["a", "b"]);
        assert_eq!(codes(Some("a")), ["b"]);
    }
}
