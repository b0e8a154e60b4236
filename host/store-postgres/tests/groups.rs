//! The groups aggregate of the storage port on a real PostgreSQL, as the embedded engine's test
//! checks it: the name unique in its tenant (a second holder answers the rules' conflict code),
//! labels and pages in id order, a deleted group's name free again.

mod support;

use chrono::Utc;
use portico_core::groups::Group;
use portico_core::storage::{GroupReads, GroupWrites, StorageError};
use support::on_a_rules_thread;

fn group(id: &str, name: &str, label: &str) -> Group {
    Group {
        id: id.into(),
        name: name.into(),
        label: label.into(),
        created_at: Utc::now(),
    }
}

fn ids(groups: Vec<Group>) -> Vec<String> {
    groups.into_iter().map(|g| g.id).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_name_is_unique_in_its_tenant_and_freed_by_a_delete() {
    on_a_rules_thread(&["t", "other"], |store| {
        let mut tx = store.write().unwrap();
        tx.insert_group("t", &group("g2", "staff", "People"))
            .unwrap();
        tx.insert_group("t", &group("g1", "admins", "People"))
            .unwrap();
        tx.insert_group("t", &group("g3", "guests", "Guests"))
            .unwrap();
        tx.insert_group("other", &group("g9", "staff", "People"))
            .unwrap();
        tx.commit().unwrap();

        // A violated constraint aborts its transaction: the conflict in one of its own.
        let mut tx = store.write().unwrap();
        let taken = tx.insert_group("t", &group("g4", "staff", "Other"));
        assert!(
            matches!(
                taken,
                Err(StorageError::Conflict {
                    code: "group_name_taken",
                    ..
                })
            ),
            "{taken:?}"
        );
        drop(tx);

        let read = store.read().unwrap();
        assert!(read.group("t", "g4").unwrap().is_none());
        assert_eq!(read.group_by_name("t", "staff").unwrap().unwrap().id, "g2");
        let g1 = read.group("t", "g1").unwrap().unwrap();
        assert_eq!((g1.name.as_str(), g1.label.as_str()), ("admins", "People"));
        assert!(read.group_name_taken("t", "admins").unwrap());
        assert!(!read.group_name_taken("t", "nobody").unwrap());
        assert_eq!(
            ids(read.groups_with_label("t", "People").unwrap()),
            ["g1", "g2"]
        );
        assert_eq!(ids(read.groups_after("t", None, 2).unwrap()), ["g1", "g2"]);
        assert_eq!(ids(read.groups_after("t", Some("g2"), 10).unwrap()), ["g3"]);
        assert_eq!(ids(read.groups_after("other", None, 10).unwrap()), ["g9"]);
        drop(read);

        let mut tx = store.write().unwrap();
        assert!(tx.delete_group("t", "g2").unwrap());
        assert!(!tx.delete_group("t", "g2").unwrap());
        assert!(!tx.group_name_taken("t", "staff").unwrap());
        assert!(tx.group_name_taken("other", "staff").unwrap());
        tx.insert_group("t", &group("g5", "staff", "People"))
            .unwrap();
        tx.commit().unwrap();

        let read = store.read().unwrap();
        assert_eq!(read.group_by_name("t", "staff").unwrap().unwrap().id, "g5");
        assert!(read.group("t", "g2").unwrap().is_none());
        assert_eq!(
            ids(read.groups_with_label("t", "People").unwrap()),
            ["g1", "g5"]
        );
    })
    .await;
}
