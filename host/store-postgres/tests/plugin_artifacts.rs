//! The plugin artifacts aggregate of the storage port on a real PostgreSQL, as the embedded
//! engine's test checks it: compiled artifacts shared by every tenant holding their component,
//! listed per engine in sha256 order after a cursor, and gone with the component's last holder.

mod support;

use portico_core::storage::{PluginArtifactReads, PluginArtifactWrites, TenantWrites};
use support::{digest as sha, on_a_rules_thread};

#[tokio::test(flavor = "multi_thread")]
async fn artifacts_are_shared_and_go_with_the_last_holder_of_their_component() {
    on_a_rules_thread(&["t1", "t2"], |store| {
        let (aa, bb, cc) = (sha('a'), sha('b'), sha('c'));
        let mut tx = store.write().unwrap();
        for tenant in ["t1", "t2"] {
            tx.hold_plugin_component(tenant, &aa, b"\0asm-a").unwrap();
        }
        tx.hold_plugin_component("t1", &bb, b"\0asm-b").unwrap();
        // Holding it again changes nothing.
        tx.hold_plugin_component("t1", &bb, b"\0asm-other").unwrap();
        for (sha256, engine) in [(&aa, "e1"), (&aa, "e2"), (&bb, "e1")] {
            let artifact = format!("{}-{engine}", &sha256[..2]).into_bytes();
            tx.put_plugin_artifact(sha256, engine, artifact).unwrap();
        }
        tx.commit().unwrap();

        let read = store.read().unwrap();
        assert_eq!(read.count_plugin_artifacts().unwrap(), 3);
        assert_eq!(
            read.plugin_component("t2", &aa).unwrap().as_deref(),
            Some(&b"\0asm-a"[..])
        );
        assert_eq!(
            read.plugin_component("t1", &bb).unwrap().as_deref(),
            Some(&b"\0asm-b"[..])
        );
        assert_eq!(read.plugin_component("t2", &bb).unwrap(), None);
        assert_eq!(
            read.plugin_artifact(&aa, "e2").unwrap().as_deref(),
            Some(&b"aa-e2"[..])
        );
        assert_eq!(read.plugin_artifact(&bb, "e2").unwrap(), None);
        let of_e1 = read.plugin_artifacts_of_engine("e1", None, 10).unwrap();
        let shas: Vec<&str> = of_e1.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(shas, [&aa, &bb]);
        assert_eq!(of_e1[0].1, b"aa-e1");
        let after_aa = read
            .plugin_artifacts_of_engine("e1", Some(&aa), 10)
            .unwrap();
        assert_eq!(after_aa.len(), 1);
        assert_eq!(after_aa[0].0, bb);
        assert_eq!(
            read.plugin_artifacts_of_engine("e1", None, 1)
                .unwrap()
                .len(),
            1
        );
        assert!(read
            .plugin_artifacts_of_engine("e3", None, 10)
            .unwrap()
            .is_empty());
        drop(read);

        let mut tx = store.write().unwrap();
        assert!(
            !tx.release_plugin_component("t1", &aa).unwrap(),
            "t2 holds it"
        );
        assert!(tx.has_plugin_artifact(&aa, "e2").unwrap());
        assert_eq!(tx.plugin_component("t1", &aa).unwrap(), None);
        assert!(tx.release_plugin_component("t2", &aa).unwrap());
        assert!(!tx.has_plugin_artifact(&aa, "e1").unwrap());
        assert!(!tx.has_plugin_artifact(&aa, "e2").unwrap());
        assert!(tx.has_plugin_artifact(&bb, "e1").unwrap());
        assert_eq!(tx.count_plugin_artifacts().unwrap(), 1);
        // An artifact is replaced in place.
        tx.put_plugin_artifact(&bb, "e1", b"bb-e1-again".to_vec())
            .unwrap();
        assert_eq!(
            tx.plugin_artifact(&bb, "e1").unwrap().as_deref(),
            Some(&b"bb-e1-again"[..])
        );
        // Releasing a component no tenant held leaves none of its artifacts.
        tx.put_plugin_artifact(&cc, "e1", b"cc-e1".to_vec())
            .unwrap();
        assert!(tx.release_plugin_component("t1", &cc).unwrap());
        assert!(!tx.has_plugin_artifact(&cc, "e1").unwrap());
        tx.commit().unwrap();

        let read = store.read().unwrap();
        assert_eq!(read.count_plugin_artifacts().unwrap(), 1);
        assert!(read.plugin_component("t1", &bb).unwrap().is_some());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deleted_tenant_stops_holding_its_components() {
    on_a_rules_thread(&["t1", "t2"], |store| {
        let aa = sha('a');
        let mut tx = store.write().unwrap();
        tx.hold_plugin_component("t1", &aa, b"\0asm-a").unwrap();
        tx.hold_plugin_component("t2", &aa, b"\0asm-a").unwrap();
        tx.put_plugin_artifact(&aa, "e1", b"aa-e1".to_vec())
            .unwrap();
        assert!(tx.delete_tenant("t1").unwrap());
        assert_eq!(tx.plugin_component("t1", &aa).unwrap(), None);
        assert!(tx.release_plugin_component("t2", &aa).unwrap());
        assert_eq!(tx.count_plugin_artifacts().unwrap(), 0);
        tx.commit().unwrap();
    })
    .await;
}
