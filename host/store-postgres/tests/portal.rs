//! The portal aggregate of the storage port on a real PostgreSQL, as the embedded engine's test
//! checks it: the settings saved and read back, pages unique by code (a taken code answers the
//! rules' conflict code), listed in code order after a cursor, updated and deleted.

mod support;

use portico_core::portal::{PortalPage, PortalSettings};
use portico_core::storage::{PortalReads, PortalWrites, StorageError};
use support::on_a_rules_thread;

fn page(code: &str, title: &str) -> PortalPage {
    PortalPage {
        code: code.into(),
        title: title.into(),
        path: format!("/{code}"),
        visible: true,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn pages_are_unique_by_code_and_listed_in_code_order() {
    on_a_rules_thread(&["t", "other"], |store| {
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
        tx.commit().unwrap();

        // A taken code (another host's page) loses with the rules' code.
        let mut tx = store.write().unwrap();
        let again = tx.insert_portal_page("t", &page("a", "Again"));
        assert!(
            matches!(
                again,
                Err(StorageError::Conflict {
                    code: "page_code_taken",
                    ..
                })
            ),
            "{again:?}"
        );
        drop(tx);

        let mut tx = store.write().unwrap();
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
        assert_eq!(read.portal_pages_after("t", None, 1).unwrap().len(), 1);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_settings_are_replaced_and_read_back_whole() {
    on_a_rules_thread(&["t", "other"], |store| {
        let mut tx = store.write().unwrap();
        tx.save_portal_settings("t", &PortalSettings::default())
            .unwrap();
        let changed = PortalSettings {
            login_title: None,
            published: true,
            max_portal_users: 7,
            signup_link_ttl_seconds: 60,
            max_failed_sign_ins: 3,
            lockout_seconds: 30,
            display_name: Some("Acme".into()),
            primary_color: Some("#1a73e8".into()),
            background_color: None,
            logo_url: Some("https://cdn.example.com/logo.png".into()),
            pages_url: Some("https://app.example.com/account".into()),
        };
        tx.save_portal_settings("t", &changed).unwrap();
        tx.commit().unwrap();

        let read = store.read().unwrap();
        let stored = read.portal_settings("t").unwrap().unwrap();
        assert_eq!(stored.login_title, None);
        assert!(stored.published);
        assert_eq!(stored.max_portal_users, 7);
        assert_eq!(stored.signup_link_ttl_seconds, 60);
        assert_eq!(stored.max_failed_sign_ins, 3);
        assert_eq!(stored.lockout_seconds, 30);
        drop(read);

        // A value beyond bigint is refused, not changed.
        let mut tx = store.write().unwrap();
        let huge = PortalSettings {
            max_portal_users: u64::MAX,
            ..PortalSettings::default()
        };
        assert!(tx.save_portal_settings("t", &huge).is_err());
    })
    .await;
}
