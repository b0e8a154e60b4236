//! Backups of a served store: what they hold, their checks, and restores.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::*;
use redb::TableHandle;

use crate::{RawReader, SystemTable, Table, SCHEMA_VERSION};

/// A store with a few records, the first `n` of `Table::Users` under tenant `t1`.
fn store_with_users(dir: &Path, n: usize) -> Store {
    let store = Store::open(dir).unwrap();
    let mut tx = store.write().unwrap();
    for i in 0..n {
        tx.put(
            Table::Users,
            "t1",
            &format!("u{i:04}"),
            &format!("user {i}"),
        )
        .unwrap();
    }
    tx.system_put(SystemTable::Tenants, "t1", &"tenant")
        .unwrap();
    tx.commit().unwrap();
    store
}

/// Writes `store`'s backup into `to`.
fn backup_to(store: &Store, to: &Path) -> Backup {
    let mut backup = store.backup().unwrap();
    let mut out = File::create(to).unwrap();
    io::copy(&mut backup.file, &mut out).unwrap();
    out.flush().unwrap();
    backup
}

fn user_keys(store: &Store) -> Vec<String> {
    store
        .read()
        .unwrap()
        .scan_raw(Table::Users, "t1", "", None, usize::MAX)
        .unwrap()
        .into_iter()
        .map(|(k, _)| k)
        .collect()
}

#[test]
fn a_backup_holds_every_table_and_the_key_file_and_restores_into_a_new_directory() {
    let served = tempfile::tempdir().unwrap();
    let store = store_with_users(served.path(), 300);
    let file = served.path().join("backup.tar");
    let backup = backup_to(&store, &file);
    assert_eq!(backup.schema_version, SCHEMA_VERSION);
    assert_eq!(backup.bytes, std::fs::metadata(&file).unwrap().len());
    // The unnamed file leaves nothing in the data directory.
    let names: Vec<String> = std::fs::read_dir(served.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");

    let summary = inspect_backup(&file).unwrap();
    assert_eq!(summary.schema_version, SCHEMA_VERSION);
    // 300 users, the tenant, and the schema version.
    assert_eq!(summary.records, 302);

    let restored_dir = tempfile::tempdir().unwrap();
    let target = restored_dir.path().join("data");
    let restored = restore_backup(&file, &target, false).unwrap();
    assert_eq!(restored.schema_version, SCHEMA_VERSION);
    assert!(restored.kept.is_empty());
    assert_eq!(
        std::fs::read(target.join(KEY_FILE)).unwrap(),
        std::fs::read(served.path().join(KEY_FILE)).unwrap()
    );
    let again = Store::open(&target).unwrap();
    assert_eq!(user_keys(&again), user_keys(&store));
    // The restored store's keys are the served one's: a sealed value opens.
    use portico_core::storage::ServerKeys;
    assert_eq!(again.keys().open(&store.keys().seal(b"x")).unwrap(), b"x");
}

#[test]
fn a_backup_is_the_snapshot_of_its_start_whatever_is_written_after() {
    let served = tempfile::tempdir().unwrap();
    let store = store_with_users(served.path(), 10);
    let backup = store.backup().unwrap();
    let mut tx = store.write().unwrap();
    tx.put(Table::Users, "t1", "later", &"after the backup")
        .unwrap();
    tx.commit().unwrap();
    let file = served.path().join("backup.tar");
    let mut out = File::create(&file).unwrap();
    io::copy(&mut { backup.file }, &mut out).unwrap();
    let target = tempfile::tempdir().unwrap();
    restore_backup(&file, target.path(), false).unwrap();
    let restored = Store::open(target.path()).unwrap();
    assert_eq!(user_keys(&restored).len(), 10);
}

#[test]
fn a_restore_refuses_a_newer_schema_a_database_in_use_and_one_already_there() {
    let served = tempfile::tempdir().unwrap();
    let store = store_with_users(served.path(), 3);
    let file = served.path().join("backup.tar");
    backup_to(&store, &file);

    // A server (here: this store) running on the directory.
    let error = restore_backup(&file, served.path(), true).unwrap_err();
    assert!(matches!(error, BackupError::InUse { .. }), "{error}");
    assert!(error.to_string().contains("stop it"), "{error}");
    drop(store);

    // A database already there: only with force, and kept.
    let error = restore_backup(&file, served.path(), false).unwrap_err();
    assert!(
        matches!(error, BackupError::DatabaseExists { .. }),
        "{error}"
    );
    let restored = restore_backup(&file, served.path(), true).unwrap();
    let kept: Vec<PathBuf> = [DATABASE_FILE, KEY_FILE]
        .iter()
        .map(|f| served.path().join(format!("{f}.before-restore")))
        .collect();
    assert_eq!(restored.kept, kept);
    // A second forced restore does not overwrite what the first kept.
    let error = restore_backup(&file, served.path(), true).unwrap_err();
    assert!(
        matches!(error, BackupError::KeptFileExists { .. }),
        "{error}"
    );

    // A newer schema, named with this build's.
    forge_schema_version(&file, SCHEMA_VERSION + 1).unwrap();
    let target = tempfile::tempdir().unwrap();
    let error = restore_backup(&file, target.path(), false).unwrap_err();
    let message = error.to_string();
    assert!(
        matches!(error, BackupError::NewerSchema { .. }),
        "{message}"
    );
    assert!(
        message.contains(&format!("schema version {}", SCHEMA_VERSION + 1))
            && message.contains(&format!("up to schema version {SCHEMA_VERSION}")),
        "{message}"
    );
    assert!(!target.path().join(DATABASE_FILE).exists());
}

#[test]
fn a_damaged_or_foreign_file_is_not_a_backup() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_users(dir.path(), 3);
    let file = dir.path().join("backup.tar");
    let backup = backup_to(&store, &file);
    // Cut short.
    let cut = dir.path().join("cut.tar");
    std::fs::write(
        &cut,
        &std::fs::read(&file).unwrap()[..backup.bytes as usize / 2],
    )
    .unwrap();
    assert!(matches!(
        inspect_backup(&cut),
        Err(BackupError::NotABackup { .. })
    ));
    // Not a tar archive at all.
    let other = dir.path().join("other");
    std::fs::write(&other, vec![b'x'; 4096]).unwrap();
    let error = inspect_backup(&other).unwrap_err();
    assert!(
        error.to_string().contains("not a Portico backup"),
        "{error}"
    );
}

#[test]
fn every_table_of_the_file_is_one_the_backup_copies() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let tx = store.shared.db.begin_read().unwrap();
    let names: Vec<String> = tx
        .list_tables()
        .unwrap()
        .map(|t| t.name().to_string())
        .collect();
    assert_eq!(names.len(), Table::ALL.len() + SystemTable::ALL.len());
}
